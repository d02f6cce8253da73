"""Validate the card files without starting the server: `python -m app.content.check [FOLDER]`.

Exit status 0 and a one-line summary when every file loads and every card has its recall cues
(questions/recall/NN-slug.yaml); 1 and the first problem otherwise.
"""

import sys
from pathlib import Path

from app.content.errors import ContentError
from app.content.loader import load_deck
from app.nn.presets import PRESET_NAMES


def main(argv: list[str]) -> int:
    folder = Path(argv[0]) if argv else Path("questions")
    try:
        deck = load_deck(folder, PRESET_NAMES)
    except ContentError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    missing = [c.path for c in deck if not c.cues]
    if missing:
        print(
            f"error: {missing[0]}: recall cues: questions/recall/ has no file for it",
            file=sys.stderr,
        )
        return 1
    items = sum(len(c.quiz) for c in deck)
    print(f"ok: {len(deck)} cards, {items} quiz items in {folder}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
