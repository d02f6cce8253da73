"""The Anki export's pieces: Markdown with MathJax delimiters, note fields, the TSV's escaping."""

from pathlib import Path

from app.content import load_deck
from app.content.render import render_block_mathjax, render_inline_mathjax
from app.nn.presets import PRESET_NAMES
from app.services import anki

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "deck"


def test_inline_and_display_maths_keep_their_latex_between_mathjax_delimiters():
    html = render_inline_mathjax("gate $f_t < 1$ and **bold**")
    assert (
        html == 'gate <span class="math inline">\\(f_t &lt; 1\\)</span> and <strong>bold</strong>'
    )
    block = render_block_mathjax("Cell:\n\n$$c_t = f_t \\odot c_{t-1}$$\n")
    assert "\\[c_t = f_t \\odot c_{t-1}\\]" in block and "<math" not in block
    assert render_block_mathjax("costs $5 and $6") == "<p>costs $5 and $6</p>"  # not maths


def test_note_fields_come_from_the_markdown_sources():
    deck = load_deck(FIXTURES, PRESET_NAMES)
    card = deck.cards[0]
    question, short, full, points = anki.note_fields(card)
    assert question == render_inline_mathjax(card.question.source)
    assert short == render_block_mathjax(card.short_answer.source)
    assert full == render_block_mathjax(card.full_answer.source)
    assert points.startswith("<ul><li>") and points.count("<li>") == len(card.key_points)
    assert anki.note_guid(card) == anki.note_guid(card) != anki.note_guid(deck.cards[1])


def test_tsv_fields_stay_on_one_line_and_cannot_open_quotes_or_comments():
    assert anki._tsv_field("<p>a\tb</p>\n<pre>x\ny</pre>") == "<p>a&#9;b</p>&#10;<pre>x&#10;y</pre>"
    assert anki._tsv_field('"quoted" start') == '&quot;quoted" start'
    assert anki._tsv_field("#1 first") == "&#35;1 first"


def test_tags_have_no_spaces():
    class Card:
        tags = ("cell state", "a::b", "lstm")

    assert anki.note_tags(Card) == ["cell_state", "a_b", "lstm"]
