"""A learner's own marks on a card: suspended, a flag, a note (the rules; storage is elsewhere)."""

from enum import StrEnum

MAX_NOTE_CHARS = 5000


class Flag(StrEnum):
    """Anki's first four flag colours, in its order (Ctrl+1..4)."""

    RED = "red"
    ORANGE = "orange"
    GREEN = "green"
    BLUE = "blue"


FLAG_LABELS = {Flag.RED: "Red", Flag.ORANGE: "Orange", Flag.GREEN: "Green", Flag.BLUE: "Blue"}
