"""Pure security helpers: the password policy, rate-limit decisions, origins and production keys."""

from datetime import UTC, datetime, timedelta

import pytest
from starlette.datastructures import Headers

from app.config import Settings
from app.security import passwords
from app.security.body_limit import MB, limit_for
from app.security.json_only import accepts
from app.security.origin import cross_site_source, host_of
from app.security.passwords import MIN_LENGTH, password_problem
from app.security.ratelimit import Decision, Limit, combine, decide

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


# --- passwords ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "password",
    ["correct horse battery staple", "purple-otter-sings-42", "Gx7!kq2#Lm9z", "x" * 5 + "yzzy1"],
)
def test_long_uncommon_passwords_pass(password):
    assert password_problem(password, "ada") is None


@pytest.mark.parametrize(
    ("password", "words"),
    [
        ("short1!", f"at least {MIN_LENGTH} characters (it has 7)"),
        ("x" * 129, "at most 128 characters"),
        ("Password123!", "common passwords"),
        ("!!letmein2024", "common passwords"),
        ("iloveyou1234", "common passwords"),
        ("P@ssw0rd2026", "common passwords"),
        ("memorycell99", "common passwords"),
        ("aaaaaaaaaaaa", "simple pattern"),
        ("abcabcabcabc", "simple pattern"),
        ("1234567890", "simple pattern"),
        ("0987654321", "simple pattern"),
        ("qwertyuiopas", "simple pattern"),
        ("ada.lovelace", "must not be your username"),
        ("Ada.Lovelace1815", "must not be your username"),
    ],
)
def test_weak_passwords_are_refused_with_the_reason(password, words):
    problem = password_problem(password, "ada.lovelace")
    assert problem is not None and words in problem


def test_common_list_is_our_own_and_sizeable():
    words = passwords.common_passwords()
    assert 200 <= len(words) <= 1000
    assert "password" in words and "" not in words
    assert all(w == w.lower().strip() for w in words)


def test_hashes_are_argon2id_salted_and_verify():
    passwords.hasher.cache_clear()
    first = passwords.hash_password("purple-otter-sings-42")
    second = passwords.hash_password("purple-otter-sings-42")
    assert first.startswith("$argon2id$") and first != second  # a fresh salt each time
    assert passwords.verify_password("purple-otter-sings-42", first) == (True, None)
    assert passwords.verify_password("purple-otter-sings-43", first)[0] is False
    assert passwords.verify_password("anything", None) == (False, None)


# --- rate limits --------------------------------------------------------------------------------

MINUTE = (Limit(5, timedelta(minutes=1)),)


def ago(*seconds: float) -> list[datetime]:
    return [NOW - timedelta(seconds=s) for s in seconds]


def test_under_the_limit_is_allowed():
    assert decide(ago(50, 40, 30, 20), NOW, MINUTE) == Decision(True)
    assert decide([], NOW, MINUTE) == Decision(True)


def test_full_window_refuses_until_the_oldest_needed_failure_ages_out():
    # Five failures 50..10 s ago: the one 50 s ago leaves the window in 10 s.
    assert decide(ago(50, 40, 30, 20, 10), NOW, MINUTE) == Decision(False, 10)
    # Seven failures: two must age out, so the wait is until the third oldest (40 s ago) leaves.
    assert decide(ago(55, 50, 40, 30, 20, 10, 5), NOW, MINUTE) == Decision(False, 20)


def test_failures_outside_the_window_do_not_count():
    assert decide(ago(61, 60, 59, 30, 20), NOW, MINUTE) == Decision(True)
    assert decide(ago(60, 50, 40, 30, 20), NOW, MINUTE).allowed is True  # exactly 60 s: gone


def test_a_wait_rounds_up_to_whole_seconds_and_is_never_zero():
    assert decide(ago(59.9, 40, 30, 20, 10), NOW, MINUTE) == Decision(False, 1)
    assert decide(ago(50.5, 40, 30, 20, 10), NOW, MINUTE) == Decision(False, 10)


def test_the_longest_window_that_is_full_decides():
    limits = (Limit(5, timedelta(minutes=1)), Limit(8, timedelta(hours=1)))
    # Eight failures over the last hour, only two in the last minute: the hourly limit is full.
    times = ago(3000, 2900, 2800, 2000, 1000, 500, 30, 10)
    assert decide(times, NOW, limits) == Decision(False, 600)


def test_combine_takes_the_longest_refusal():
    assert combine(Decision(True), Decision(True)) == Decision(True)
    assert combine(Decision(True), Decision(False, 7), Decision(False, 30)) == Decision(False, 30)


# --- origins, content types, sizes -------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("http://127.0.0.1:8000", "127.0.0.1:8000"),
        ("https://Cell.Example.org:443/review", "cell.example.org"),
        ("http://cell.example.org:80", "cell.example.org"),
        ("ftp://cell.example.org", None),
        ("null", None),
        ("http://h:notaport", None),
    ],
)
def test_host_of(url, host):
    assert host_of(url) == host


@pytest.mark.parametrize(
    ("headers", "scheme", "foreign"),
    [
        ({"host": "127.0.0.1:8000", "origin": "http://127.0.0.1:8000"}, "http", False),
        ({"host": "cell.example.org", "origin": "https://cell.example.org"}, "https", False),
        ({"host": "cell.example.org:443", "origin": "https://cell.example.org"}, "https", False),
        ({"host": "127.0.0.1:8000", "referer": "http://127.0.0.1:8000/account"}, "http", False),
        ({"host": "127.0.0.1:8000"}, "http", False),  # no Origin, no Referer: not cross-site
        ({"host": "127.0.0.1:8000", "origin": "http://127.0.0.1:9000"}, "http", True),
        (
            {"host": "cell.example.org", "origin": "https://cell.example.org.evil.test"},
            "https",
            True,
        ),
        ({"host": "cell.example.org", "origin": "null"}, "https", True),
        ({"host": "cell.example.org", "referer": "https://evil.test/x"}, "https", True),
        ({"origin": "https://cell.example.org"}, "https", True),  # no Host to compare with
        # Same host, another scheme: another origin (issue 13, item 10).
        ({"host": "cell.example.org", "origin": "http://cell.example.org"}, "https", True),
        ({"host": "cell.example.org", "origin": "https://cell.example.org"}, "http", True),
        ({"host": "cell.example.org:443", "origin": "http://cell.example.org"}, "http", True),
    ],
)
def test_cross_site_source(headers, scheme, foreign):
    assert (cross_site_source(Headers(headers), scheme) is not None) is foreign


def test_content_types_accepted_per_path():
    assert accepts("/api/reviews", "application/json")
    assert not accepts("/api/reviews", "multipart/form-data")
    assert not accepts("/api/reviews", "text/plain")
    assert accepts("/api/lab/run", "multipart/form-data")
    assert accepts("/api/import", "multipart/form-data")
    assert not accepts("/api/imports-other", "multipart/form-data")
    assert not accepts("/api/lab/run", "application/x-www-form-urlencoded")


def test_body_caps():
    assert limit_for("/api/reviews") == 1 * MB
    assert limit_for("/account/login") == 1 * MB
    assert limit_for("/api/lab/run") == 2 * MB


# --- production settings ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "words"),
    [
        ("", "needs SECRET_KEY"),
        ("short-key", "at least 32 characters (it has 9)"),
        ("test-secret-key-not-for-production", "placeholder"),
        ("a" * 40, "placeholder"),
    ],
)
def test_production_refuses_weak_secret_keys(key, words):
    problem = Settings(environment="production", secret_key=key).production_problem()
    assert problem is not None and words in problem and "\n" not in problem


def test_production_accepts_a_random_key_and_development_anything():
    good = "9f2c4e1b7a8d6035e4c1b2a9f8d7e6c5b4a39281"
    assert Settings(environment="production", secret_key=good).production_problem() is None
    assert Settings(environment="development", secret_key="").production_problem() is None
