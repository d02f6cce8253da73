"""Every message a learner can see from the server, in one place, written for people.

Services and routes raise or render these texts; `errors.install` turns request-validation errors
into sentences from `field_message`. A test walks the error paths and checks that no message
carries a library's or Python's wording (tests/api/test_messages.py).
"""

# --- review undo ----------------------------------------------------------------------------------

UNDO_NEEDS_REVIEW = (
    "Say which rating to undo: send its idempotency_key (or review_id). Undo only takes back a "
    "rating that this screen made."
)
UNDO_UNKNOWN = "That rating is not on record: it was already undone, or it was never saved."
UNDO_NOT_FROM_REVIEW = (
    "That rating came from a quiz, not from the review screen, so it cannot be undone here."
)
UNDO_NOT_LATEST = "This card was rated again after that rating: undo the later rating first."
