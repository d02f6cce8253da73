"""The deck: card files loaded, validated and rendered once at start-up (no database, no web)."""

from app.content.errors import ContentError
from app.content.loader import load_deck
from app.content.model import Card, Deck

__all__ = ["Card", "ContentError", "Deck", "load_deck"]
