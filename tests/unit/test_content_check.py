"""The content check: questions/README.md's quiz rules on small fixture decks, and the real deck.

Each fixture deck is written from a few helpers so that a test changes exactly one thing from a
deck that passes, and asserts the check names that problem.
"""

from pathlib import Path

import pytest

from app.content import ContentError, load_deck
from app.content.check import canonical_tags, check_deck, main, visible_length
from app.content.model import Text
from app.content.render import render_inline
from app.nn.presets import PRESET_NAMES
from tests.conftest import REAL_DECK

README = """# Cards

## Tags

- `lstm`: the LSTM cell
- `gru`: the GRU

## Notation

- `not-a-tag`: lists under other headings do not count
"""

BODY = """
## Short answer

One. Two.

## Full answer

Text.

## Key points

- A point.

## Common misconceptions

### A wrong claim

Its correction.

## Follow-up questions

### A question?

Its answer.
"""

EVEN = ("aaaa", "bbbb", "cccc", "dddd")  # four options of one length: no length cue


def mcq(fact: str, options=EVEN, correct: int = 0, skill: str = "recall", prompt: str = "") -> str:
    lines = [
        "  - kind: mcq",
        f"    prompt: 'Which one, for {prompt or fact}?'",
        f"    fact: {fact}",
        f"    skill: {skill}",
        "    options:",
    ]
    for i, text in enumerate(options):
        lines += [
            f"      - text: '{text}'",
            f"        correct: {'true' if i == correct else 'false'}",
            "        why: 'Because.'",
        ]
    return "\n".join(lines)


def tf(fact: str, answer: bool, skill: str = "recall") -> str:
    return "\n".join(
        [
            "  - kind: true_false",
            f"    statement: 'A statement about {fact}.'",
            f"    answer: {'true' if answer else 'false'}",
            "    why: 'Because.'",
            f"    fact: {fact}",
            f"    skill: {skill}",
        ]
    )


def card(folder: Path, number: int, items: list[str], tags: str = "lstm") -> None:
    slug = f"card-{number}"
    front = f"""---
number: {number}
slug: {slug}
question: 'Question {number}?'
tags: [{tags}]
difficulty: easy
lab:
  preset: adding-lstm
  look_for: 'Look.'
references:
  - authors: 'A. Author'
    title: 'A Title'
    year: 2000
    venue: 'A Venue'
    url: 'https://doi.org/10.0/x'
quiz:
{chr(10).join(items)}
---
"""
    (folder / f"{number:02d}-{slug}.md").write_text(front + BODY)
    # The recall detector's cues for the one key point (grammar in questions/README.md).
    (folder / "recall").mkdir(exist_ok=True)
    (folder / "recall" / f"{number:02d}-{slug}.yaml").write_text(
        'key_points:\n  - point: "a point"\n    cues:\n      - ["point"]\n'
    )
    # The lab tour, also required by the check (two steps, the fewest it accepts).
    (folder / "lab").mkdir(exist_ok=True)
    (folder / "lab" / f"{number:02d}-{slug}.yaml").write_text(
        "steps:\n- text: 'Look at the input gate.'\n  gate: i\n- text: 'Now the cell.'\n  gate: c\n"
    )


def good_items(n: int) -> list[str]:
    """Two multiple-choice items (one asking to apply), one true and one false statement."""
    return [
        mcq(f"fact-{n}-a", skill="apply"),
        mcq(f"fact-{n}-b"),
        tf(f"fact-{n}-c", True),
        tf(f"fact-{n}-d", False),
    ]


@pytest.fixture
def deck_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "questions"
    folder.mkdir()
    (folder / "README.md").write_text(README)
    for n in (1, 2):
        card(folder, n, good_items(n))
    return folder


def problems(folder: Path) -> list[str]:
    deck = load_deck(folder, PRESET_NAMES)
    return check_deck(deck, canonical_tags(folder / "README.md")).problems


def test_a_balanced_deck_passes_and_prints_its_statistics(deck_dir, capsys):
    assert problems(deck_dir) == []
    assert main([str(deck_dir)]) == 0
    out = capsys.readouterr().out
    assert "2 cards, 8 quiz items (4 multiple choice, 4 true/false, 2 asking to apply" in out
    assert "keyed option strictly longest: 0/4 = 0%" in out
    assert "true/false keyed true: 2/4 = 50%" in out
    assert "1 tags: lstm 2" in out
    assert out.rstrip().endswith(f"ok: {deck_dir}")


def test_the_real_deck_passes(capsys):
    assert main([str(REAL_DECK)]) == 0
    assert "ok: " in capsys.readouterr().out


def test_keyed_option_longest_too_often_fails(deck_dir):
    # The keyed option is the strictly longest in 2 of 4 items: 50% > 30%.
    long_keyed = ("aaaaa", "bbbb", "cccc", "dddd")
    card(deck_dir, 1, [mcq("f1", long_keyed, skill="apply"), tf("f2", True), tf("f3", False)])
    card(
        deck_dir,
        2,
        [mcq("f4", long_keyed, skill="apply"), mcq("f5"), tf("f6", False), tf("f7", True)],
    )
    card(deck_dir, 3, [mcq("f8", skill="apply"), tf("f9", False), tf("f10", True)])
    found = problems(deck_dir)
    assert found == [
        "deck: the keyed option is the strictly longest in 2 of 4 multiple-choice items"
        " (at most 30%)"
    ]


def test_keyed_option_shortest_too_often_fails(deck_dir):
    short_keyed = ("aaa", "bbbb", "cccc", "dddd")
    card(deck_dir, 1, [mcq("f1", short_keyed, skill="apply"), tf("f2", True), tf("f3", False)])
    assert problems(deck_dir) == [
        "deck: the keyed option is the strictly shortest in 1 of 3 multiple-choice items"
        " (at most 30%)"
    ]


def test_an_option_far_longer_than_the_median_fails(deck_dir):
    # Median 4, longest 7: 1.75 > 1.6, even though the long option is a distractor.
    card(
        deck_dir,
        1,
        [mcq("f1", ("aaaa", "bbbb", "ccccccc", "dddd"), skill="apply"), *good_items(1)[2:]],
    )
    [problem] = problems(deck_dir)
    assert problem.startswith("questions/01-card-1.md: card-1/0: an option is 1.75x the median")
    assert "lengths [4, 4, 7, 4]" in problem


def test_lengths_are_what_the_learner_sees():
    maths = render_inline(r"$\mathrm{diag}(f_t)$")
    assert visible_length(Text("", maths)) == len("diag(ft)")
    assert visible_length(Text("", "a &amp; b  <em>c</em>")) == len("a & b c")


def test_true_false_balance_across_the_deck_fails_outside_45_to_55_percent(deck_dir):
    card(deck_dir, 1, [*good_items(1), tf("extra-true", True), tf("extra-2", True)])  # 3 of 4
    card(deck_dir, 2, [*good_items(2), tf("more-true", True)])  # 2 of 3
    assert problems(deck_dir) == [
        "deck: 5 of 7 true/false statements are true = 71% (must be 45%-55%)"
    ]


def test_every_card_needs_a_true_and_a_false_statement(deck_dir):
    card(deck_dir, 1, [*good_items(1)[:2], tf("f1", False), tf("f2", False)])
    card(deck_dir, 2, [*good_items(2)[:2], tf("f3", True), tf("f4", True)])
    found = problems(deck_dir)
    assert (
        "questions/01-card-1.md: quiz: needs at least one true and one false statement," in found[0]
    )
    assert found[0].endswith("has 0 true and 2 false")
    assert found[1].endswith("has 2 true and 0 false")
    assert len(found) == 2  # 2 of 4 true across the deck: balanced


def test_a_fact_asked_twice_fails_naming_both_items(deck_dir):
    card(deck_dir, 2, [mcq("fact-1-b", skill="apply", prompt="other words"), *good_items(2)[1:]])
    assert problems(deck_dir) == [
        "questions/02-card-2.md: card-2/0: fact 'fact-1-b' is already asked by card-1/1"
    ]


def test_an_item_without_a_fact_fails(deck_dir):
    items = good_items(1)
    items[1] = items[1].replace("    fact: fact-1-b\n", "")
    card(deck_dir, 1, items)
    assert problems(deck_dir) == [
        "questions/01-card-1.md: card-1/1: names no `fact:` (what it tests, unique in the deck)"
    ]


def test_the_same_prompt_twice_fails_even_under_another_fact(deck_dir):
    card(deck_dir, 2, [mcq("new-fact", skill="apply", prompt="fact 1 a"), *good_items(2)[1:]])
    assert problems(deck_dir) == [
        "questions/02-card-2.md: card-2/0: repeats the wording of card-1/0"
    ]


def test_every_card_needs_an_apply_item(deck_dir):
    card(deck_dir, 1, [mcq("f1"), *good_items(1)[1:]])
    assert problems(deck_dir) == [
        "questions/01-card-1.md: quiz: needs at least one item with `skill: apply`"
    ]


def test_a_tag_off_the_canonical_list_fails(deck_dir):
    card(deck_dir, 1, good_items(1), tags="lstm, vanishing-gradients")
    assert problems(deck_dir) == [
        "questions/01-card-1.md: tags: 'vanishing-gradients' is not on the canonical list"
        " in README.md"
    ]


def test_only_the_tags_heading_counts(deck_dir):
    assert canonical_tags(deck_dir / "README.md") == ("lstm", "gru")
    card(deck_dir, 1, good_items(1), tags="not-a-tag")
    assert len(problems(deck_dir)) == 1


def test_a_readme_without_a_tag_list_is_refused(deck_dir, capsys):
    (deck_dir / "README.md").write_text("# Cards\n\nNo tags here.\n")
    with pytest.raises(ContentError, match="lists no tags"):
        canonical_tags(deck_dir / "README.md")
    assert main([str(deck_dir)]) == 1
    assert "lists no tags" in capsys.readouterr().err


def test_main_fails_and_lists_every_problem(deck_dir, capsys):
    card(deck_dir, 1, [mcq("f1"), tf("f2", True)], tags="nope")
    assert main([str(deck_dir)]) == 1
    err = capsys.readouterr().err
    assert "tags: 'nope'" in err and "`skill: apply`" in err and "one true and one false" in err
    assert "deck: 2 of 3 true/false statements are true = 67%" in err
    assert err.rstrip().endswith(f"4 problems in {deck_dir}")


def test_a_card_without_recall_cues_fails(deck_dir):
    (deck_dir / "recall" / "02-card-2.yaml").unlink()
    assert problems(deck_dir) == [
        "questions/02-card-2.md: recall cues: questions/recall/ has no file for it"
    ]


def test_a_table_column_with_an_empty_header_fails(deck_dir):
    path = deck_dir / "01-card-1.md"
    table = "Text.\n\n| | RNN | LSTM |\n|---|---|---|\n| state | h | h, c |\n"
    path.write_text(path.read_text().replace("Text.\n", table, 1))
    assert problems(deck_dir) == [
        "questions/01-card-1.md: answer: a table has a column with an empty header"
    ]
