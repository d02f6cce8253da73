"""Password policy and hashing: Argon2 through pwdlib, a length floor and a common-password list.

The policy follows NIST SP 800-63B: a length minimum, a check against passwords attackers try
first, and no composition rules (no "one digit and one symbol"), which only push people to
predictable patterns such as `Password1!`.
"""

import re
from functools import cache
from pathlib import Path

from pwdlib import PasswordHash

from app.security.pools import Pool

MIN_LENGTH = 10
MAX_LENGTH = 128  # Argon2 takes any length; the cap bounds the work one request can ask for
MIN_DISTINCT = 4  # different characters: "aaaaaaaaab" or spaces and one letter guess at once

COMMON_PASSWORDS_FILE = Path(__file__).with_name("common_passwords.txt")
# Decoration people add to a weak word to satisfy a form: "Password123!", "!!letmein2024".
_AFFIXES = re.compile(r"^[\W\d_]+|[\W\d_]+$")
_SEQUENCES = (
    "0123456789012345678901234567890",
    "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz",
    "qwertyuiopasdfghjklzxcvbnmqwertyuiopasdfghjklzxcvbnm",
)


@cache
def common_passwords() -> frozenset[str]:
    lines = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(
        line.strip().lower() for line in lines if line.strip() and not line.startswith("#")
    )


def password_problem(password: str, username: str | None = None) -> str | None:
    """Why this password is refused, as a sentence for the learner; None when it is acceptable."""
    if len(password) < MIN_LENGTH:
        return f"must be at least {MIN_LENGTH} characters (it has {len(password)})"
    if len(password) > MAX_LENGTH:
        return f"must be at most {MAX_LENGTH} characters (it has {len(password)})"
    lowered = password.lower()
    core = _AFFIXES.sub("", lowered)
    if username and username.lower() in (lowered, core):
        return "must not be your username"
    if lowered in common_passwords() or (core and core in common_passwords()):
        return "is on the list of common passwords attackers try first; choose another"
    # Spaces are allowed (passphrases) but add nothing to a pattern: "          a" is one letter.
    compact = re.sub(r"\s+", "", lowered)
    if any(_is_repetition(t) or _is_sequence(t) for t in (lowered, compact) if t):
        return "is a simple pattern (a repeated or consecutive run of characters); choose another"
    if len(set(password)) < MIN_DISTINCT or len(set(compact)) < MIN_DISTINCT - 1:
        return f"uses too few different characters; use at least {MIN_DISTINCT}"
    return None


def _is_repetition(text: str) -> bool:
    """One short unit repeated: "aaaaaaaaaa", "abcabcabcabc", "121212121212"."""
    return any(
        len(text) % size == 0 and text == text[:size] * (len(text) // size) for size in (1, 2, 3, 4)
    )


def _is_sequence(text: str) -> bool:
    """A run along the alphabet, the digits or a keyboard row, forwards or backwards."""
    return any(text in run or text in run[::-1] for run in _SEQUENCES)


# Argon2id takes tens of milliseconds and 64 MiB per hash, on purpose. Hashes run on threads of
# their own (HASH_THREADS per worker, HASH_QUEUE waiting), so 40 logins at once cost at most
# (threads + queue) page threads and threads × 64 MiB, and the rest get a 503 with Retry-After.
HASH_THREADS = 2
HASH_QUEUE = 16
HASHING = Pool(
    "argon2",
    threads=HASH_THREADS,
    queue=HASH_QUEUE,
    retry_after=2,
    message="The server is checking many passwords right now; please try again in a few seconds.",
)


@cache
def hasher() -> PasswordHash:
    # pwdlib's recommended setup is Argon2id with argon2-cffi's defaults (RFC 9106 parameters).
    return PasswordHash.recommended()


def hash_password(password: str) -> str:
    return HASHING.call(lambda: hasher().hash(password))


def verify_password(password: str, password_hash: str | None) -> tuple[bool, str | None]:
    """(whether it matches, a new hash to store when the parameters have changed since).

    Without a stored hash, a dummy hash is still checked so that an unknown username takes as long
    to refuse as a wrong password: timing does not tell which usernames exist.
    """
    if password_hash is None:
        HASHING.call(lambda: hasher().verify(password, _dummy_hash()))
        return False, None
    return HASHING.call(lambda: hasher().verify_and_update(password, password_hash))


@cache
def _dummy_hash() -> str:
    return hasher().hash("not a real password, only here to spend the same time")
