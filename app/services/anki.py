"""The deck for Anki: an .apkg package (built with genanki) and a tab-separated text file.

Both are made from the cards' Markdown sources, rendered to HTML with the maths left as LaTeX
between MathJax's delimiters, \\(...\\) and \\[...\\], which Anki typesets itself. Note GUIDs come
from the card slugs and the model and deck ids are constants, so importing a newer export updates
the notes a learner already has instead of duplicating them.
"""

import io
import sqlite3
import tempfile
import time
import zipfile
from itertools import count
from pathlib import Path

import genanki

from app.content import Card, Deck
from app.content.render import render_block_mathjax, render_inline_mathjax

# Fixed forever: Anki recognises the note type and the deck by these ids on every later import.
MODEL_ID = 1_735_204_811
DECK_ID = 1_735_204_812
DECK_NAME = "Memory Cell: LSTM and RNN interview"
MODEL_NAME = "Memory Cell question"
FIELDS = ("Question", "Short answer", "Full answer", "Key points")
GUID_NAMESPACE = "memory-cell"

CSS = """\
.card { font-family: system-ui, sans-serif; font-size: 18px; line-height: 1.5; text-align: left;
  color: black; background: white; max-width: 40em; margin: 0 auto; }
.card.nightMode { color: #e8eaed; background: #1a1d22; }
.short { font-weight: 600; border-left: 4px solid #0072b2; padding-left: 0.7em; }
.full { margin-top: 1em; }
h3 { font-size: 1em; margin-bottom: 0.2em; }
"""

FRONT = "<div class=question>{{Question}}</div>"
BACK = (
    "{{FrontSide}}<hr id=answer>"
    "<div class=short>{{Short answer}}</div>"
    "<div class=full>{{Full answer}}</div>"
    "{{#Key points}}<h3>Key points</h3>{{Key points}}{{/Key points}}"
)


def note_fields(card: Card) -> list[str]:
    """The four fields of a card's note, as HTML with MathJax-delimited maths."""
    points = "".join(f"<li>{render_inline_mathjax(p.source)}</li>" for p in card.key_points)
    return [
        render_inline_mathjax(card.question.source),
        render_block_mathjax(card.short_answer.source),
        render_block_mathjax(card.full_answer.source),
        f"<ul>{points}</ul>" if points else "",
    ]


def note_tags(card: Card) -> list[str]:
    # Anki tags cannot hold spaces; "::" would make a hierarchy, which these are not.
    return [tag.replace(" ", "_").replace("::", "_") for tag in card.tags]


def note_guid(card: Card) -> str:
    return genanki.guid_for(GUID_NAMESPACE, card.slug)


def _model() -> genanki.Model:
    return genanki.Model(
        MODEL_ID,
        MODEL_NAME,
        fields=[{"name": name} for name in FIELDS],
        templates=[{"name": "Question to answer", "qfmt": FRONT, "afmt": BACK}],
        css=CSS,
    )


def anki_deck(deck: Deck) -> genanki.Deck:
    model = _model()
    out = genanki.Deck(
        DECK_ID, DECK_NAME, description=f"{len(deck)} LSTM and RNN interview questions."
    )
    for card in deck:
        out.add_note(
            genanki.Note(
                model=model, fields=note_fields(card), tags=note_tags(card), guid=note_guid(card)
            )
        )
    return out


def apkg_bytes(deck: Deck, timestamp: float | None = None) -> bytes:
    """The .apkg file: a zip holding the SQLite collection `collection.anki2` and a media map.

    genanki's own write_to_file leaves its temporary database behind; this writes the same
    package with genanki and removes the temporary file."""
    package = genanki.Package(anki_deck(deck))
    stamp = time.time() if timestamp is None else timestamp
    with tempfile.TemporaryDirectory(prefix="memory-cell-apkg-") as folder:
        path = Path(folder) / "collection.anki2"
        connection = sqlite3.connect(path)
        try:
            package.write_to_db(connection.cursor(), stamp, count(int(stamp * 1000)))
            connection.commit()
        finally:
            connection.close()
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.write(path, "collection.anki2")
            archive.writestr("media", "{}")
    return buffer.getvalue()


# Tab-separated text, with the header lines Anki's text importer reads (Anki 2.1.54 and later).
# The GUID goes last: Anki skips any line that starts with "#", and a GUID may start with one.
TSV_COLUMNS = (*FIELDS, "Tags", "GUID")


def _tsv_field(html: str) -> str:
    """One note per line: tabs and newlines inside a field become character references, which
    HTML reads as the same characters (a newline still breaks a line inside <pre>). A leading
    quote would open a quoted CSV field and a leading '#' a comment line, so they are escaped."""
    text = html.replace("\t", "&#9;").replace("\r", "").replace("\n", "&#10;")
    if text.startswith('"'):
        text = "&quot;" + text[1:]
    if text.startswith("#"):
        text = "&#35;" + text[1:]
    return text


def tsv_text(deck: Deck) -> str:
    lines = [
        "#separator:tab",
        "#html:true",
        f"#deck:{DECK_NAME}",
        f"#tags column:{TSV_COLUMNS.index('Tags') + 1}",
        f"#guid column:{TSV_COLUMNS.index('GUID') + 1}",
        "#columns:" + "\t".join(TSV_COLUMNS),
    ]
    for card in deck:
        fields = [*(_tsv_field(f) for f in note_fields(card)), " ".join(note_tags(card))]
        lines.append("\t".join([*fields, note_guid(card)]))
    return "\n".join(lines) + "\n"
