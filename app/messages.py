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

# --- request validation: Pydantic's errors as sentences ------------------------------------------

# Names people use for the fields whose keys are letters or jargon; the key stays in brackets so
# an API client still sees which field it was.
FIELD_NAMES = {
    "H": "Hidden size",
    "T": "Sequence length",
    "D": "Input size",
    "lr": "Learning rate",
    "seed": "Seed",
    "steps": "Training steps",
    "size": "Number of items",
    "time_limit_s": "Seconds per item",
    "daily_new_limit": "New cards a day",
    "desired_retention": "Desired retention",
    "timezone": "Time zone",
    "interview_date": "Interview date",
    "username": "Username",
    "password": "Password",
    "new_password": "New password",
    "current_password": "Current password",
    "idempotency_key": "Idempotency key",
    "rating": "Rating",
    "duration_ms": "Duration",
    "card": "Card",
    "answer": "Answer",
    "item": "Item",
}
# What a route is for, said after a limit so the learner knows which limit it is.
ROUTE_CONTEXT = {
    "/api/lab/train": " when training live",
}
# Phrases of Python, Pydantic, NumPy or the JSON parser that must never reach a learner; the
# message test checks every error path against this list.
LIBRARY_PHRASES = (
    "Input should",
    "Expecting value",
    "line 1 column",
    "allow_pickle",
    "Traceback",
    "NoneType",
    "field required",
    "Field required",
    "Value error",
    "validation error",
    "pydantic",
    "JSONDecodeError",
    "Extra inputs are not permitted",
    "unable to parse",
    "Errno",
    "object has no attribute",
    "not a zip file",
    "KeyError",
    "ValueError",
)

BAD_JSON_BODY = "The request body isn't valid JSON: send a JSON object."
NOT_A_BACKUP_JSON = "This file isn't a Memory Cell backup (it isn't JSON)."


def field_label(loc: tuple | list, *, named: bool = True) -> str:
    """'Hidden size (config.H)' for ('body', 'config', 'H'); 'Rating' for ('body', 'rating').

    `named=False` (a form field's own message, shown beside its label) leaves the key out."""
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "form", "header")]
    if not parts:
        return "The request"
    key = ".".join(parts)
    if not key:
        return "A field with an empty name"  # e.g. {"": 1} sent where no such field exists
    last = next((p for p in reversed(parts) if not p.isdigit()), parts[-1])
    name = FIELD_NAMES.get(last)
    if name is None:
        return key[0].upper() + key[1:] if len(parts) == 1 else key
    return name if name.lower() == key.lower() or not named else f"{name} ({key})"


def _limit(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# Pydantic error types whose message needs only the field's name ({who}).
SIMPLE = {
    "missing": "{who} is required.",
    "int_parsing": "{who} must be a whole number.",
    "int_type": "{who} must be a whole number.",
    "int_from_float": "{who} must be a whole number.",
    "float_parsing": "{who} must be a number.",
    "float_type": "{who} must be a number.",
    "finite_number": "{who} must be a finite number.",
    "bool_parsing": "{who} must be true or false.",
    "bool_type": "{who} must be true or false.",
    "string_type": "{who} must be text.",
    "list_type": "{who} must be a list.",
    "dict_type": "{who} must be a JSON object.",
    "model_type": "{who} must be a JSON object.",
    "model_attributes_type": "{who} must be a JSON object.",
    "json_invalid": BAD_JSON_BODY,
    "json_type": BAD_JSON_BODY,
    "extra_forbidden": "{who} is not a field this request accepts.",
    "string_pattern_mismatch": "{who} has characters it may not contain.",
    "date_parsing": "{who} must be a date like 2026-12-04.",
    "date_from_datetime_parsing": "{who} must be a date like 2026-12-04.",
    "date_type": "{who} must be a date like 2026-12-04.",
    "datetime_parsing": "{who} must be a date and time like 2026-12-04T09:00:00Z.",
    "datetime_from_date_parsing": "{who} must be a date and time like 2026-12-04T09:00:00Z.",
    "datetime_type": "{who} must be a date and time like 2026-12-04T09:00:00Z.",
    "timezone_aware": "{who} must include its time zone, like 2026-12-04T09:00:00Z.",
    "url_parsing": "{who} must be a web address.",
    "uuid_parsing": "{who} must be a UUID.",
}
# Numeric bounds: (words, the ctx key holding the bound).
BOUNDS = {
    "less_than_equal": ("can be at most", "le"),
    "less_than": ("must be less than", "lt"),
    "greater_than_equal": ("must be at least", "ge"),
    "greater_than": ("must be more than", "gt"),
}


def _plural(n: object, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


def _sized(kind: str, who: str, ctx: dict, where: str) -> str | None:
    """Messages about a length: of text, or of a list."""
    if kind == "string_too_short":
        return f"{who} must be at least {_plural(ctx.get('min_length'), 'character')} long."
    if kind == "string_too_long":
        return f"{who} can be at most {ctx.get('max_length')} characters long{where}."
    if kind == "too_short":
        return f"{who} needs at least {_plural(ctx.get('min_length'), 'item')}."
    if kind == "too_long":
        return f"{who} can hold at most {ctx.get('max_length')} items{where}."
    return None


def _own_validator(error: dict, who: str) -> str:
    """Our own validators' messages, written for people; Pydantic prefixes them."""
    text = str(error.get("msg", "")).removeprefix("Value error, ")
    text = text.removeprefix("Assertion failed, ")
    if not text:
        return f"{who} is not valid."
    return f"{who} {text}" if text[:1].islower() else f"{who}: {text}"


def field_message(error: dict, path: str = "", *, named: bool = True) -> str:
    """One Pydantic error as a sentence for people, naming the field and the limit."""
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    who = field_label(error.get("loc", ()), named=named)
    where = ROUTE_CONTEXT.get(path, "")
    if kind in BOUNDS:
        words, key = BOUNDS[kind]
        return f"{who} {words} {_limit(ctx.get(key))}{where}."
    if kind in SIMPLE:
        return SIMPLE[kind].format(who=who)
    if (sized := _sized(kind, who, ctx, where)) is not None:
        return sized
    if kind in ("literal_error", "enum"):
        expected = str(ctx.get("expected", "")).replace("'", "")
        return f"{who} must be one of: {expected}." if expected else f"{who} is not a choice."
    if kind in ("value_error", "assertion_error"):
        return _own_validator(error, who)
    return f"{who} is not valid."


def with_subject(field: str, text: str) -> str:
    """A service's message that starts at its verb ("must be today ... or later"), given its
    field's name as the subject, for a form that shows it beside the field."""
    if not text[:1].islower():
        return text
    return f"{FIELD_NAMES.get(field, field.replace('_', ' ').capitalize())} {text}"
