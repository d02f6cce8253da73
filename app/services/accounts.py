"""Accounts: register a guest, log in, change the password, end sessions, delete everything.

Every password check is rate limited per address and per account, counted in the database so the
limit holds across workers. Errors carry the HTTP status, the field and a message for the learner;
a refused request changes nothing but the failure count.
"""

import re
from datetime import datetime, timedelta

from sqlalchemy import exists
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel, col, delete, select

from app import errors
from app.models import LoginAttempt, User
from app.security import ratelimit
from app.security.passwords import (
    MAX_LENGTH,
    hash_password,
    password_problem,
    verify_password,
)
from app.security.ratelimit import Decision

USERNAME = re.compile(r"[a-z0-9][a-z0-9_.-]{2,39}")
USERNAME_RULE = (
    "3 to 40 characters: letters, digits, '.', '_' or '-', starting with a letter or digit"
)
WRONG_CREDENTIALS = "The username or the password is wrong."


class AccountError(errors.DomainError):
    """401 wrong password, 409 conflict, 422 invalid, 429 too many failures; `field` is the form
    field the message belongs next to ("form" for the whole form)."""

    def __init__(self, status: int, field: str, message: str, retry_after: int = 0) -> None:
        super().__init__(message, field=field, status=status, retry_after=retry_after)


def normalise_username(raw: str) -> str:
    # Usernames are case-insensitive: "Ada" and "ada" are one account. PostgreSQL text cannot hold
    # NUL, even in a query, so it becomes U+FFFD: such a name is never valid and never found.
    return raw.replace("\x00", "\ufffd").strip().lower()


def username_problem(name: str) -> str | None:
    return None if USERNAME.fullmatch(name) else f"must be {USERNAME_RULE}"


# --- rate limiting ------------------------------------------------------------------------------


def _address_key(ip: str) -> str:
    return f"ip:{ratelimit.client_group(ip)}"[:160]


def _account_key(name: str) -> str:
    return f"user:{name}"[:160]


def _pair_key(name: str, ip: str) -> str:
    return f"user-ip:{ratelimit.client_group(ip)}:{name}"[:160]


def _registration_key(name: str) -> str:
    return f"register:{name}"[:160]


def _decision(session: Session, key: str, limits, now: datetime) -> Decision:
    since = now - max(limit.window for limit in limits)
    times = session.exec(
        select(LoginAttempt.at).where(LoginAttempt.key == key, LoginAttempt.at > since)
    ).all()
    return ratelimit.decide(times, now, limits)


def _check(session: Session, now: datetime, checks) -> None:
    decision = ratelimit.combine(*(_decision(session, k, lim, now) for k, lim in checks))
    if not decision.allowed:
        raise AccountError(
            429,
            "form",
            f"Too many failed attempts. Try again in {decision.retry_after} seconds.",
            retry_after=decision.retry_after,
        )


def _password_checks(ip: str, name: str):
    """Throttling, not lock-out (OWASP): wrong passwords count per address, per (account,
    address) and, far higher, per account, so someone guessing from one address slows only
    themselves and the owner at another address still logs in."""
    return (
        (_address_key(ip), ratelimit.PER_ADDRESS),
        (_pair_key(name, ip), ratelimit.PER_ACCOUNT_ADDRESS),
        (_account_key(name), ratelimit.PER_ACCOUNT),
    )


def _check_rate(session: Session, now: datetime, ip: str, name: str) -> None:
    _check(session, now, _password_checks(ip, name))


def _password_failure_keys(ip: str, name: str) -> list[str]:
    return [key for key, _ in _password_checks(ip, name)]


def _fail(session: Session, now: datetime, keys: list[str], error: AccountError) -> AccountError:
    """Count the failure under each key, forget failures too old to matter, and return the error."""
    session.rollback()
    session.add_all(LoginAttempt(key=key, at=now) for key in keys)
    session.exec(delete(LoginAttempt).where(col(LoginAttempt.at) < now - ratelimit.KEEP_FOR))
    session.commit()
    return error


def _before_hashing(session: Session) -> None:
    """End the transaction (only reads came before) so that its database connection goes back to
    the pool: a password hash may wait its turn behind many (HASHING, a second or more), and the
    worker's few connections are for pages meanwhile, not for logins waiting to hash."""
    session.commit()


# --- use cases ----------------------------------------------------------------------------------


def register(
    session: Session, user: User, username: str, password: str, ip: str, now: datetime
) -> User:
    """Give this guest a username and password: its progress stays, now reachable from anywhere."""
    if user.username is not None:
        raise AccountError(
            409, "form", f"You are logged in as {user.username!r}; log out to register another."
        )
    name = normalise_username(username)
    _check(
        session,
        now,
        (
            (_address_key(ip), ratelimit.PER_ADDRESS),
            (_registration_key(name), ratelimit.PER_ACCOUNT_ADDRESS),
        ),
    )
    address = [_address_key(ip)]
    if problem := username_problem(name):
        raise _fail(session, now, address, AccountError(422, "username", problem))
    if problem := password_problem(password, name):
        raise _fail(session, now, address, AccountError(422, "password", problem))
    taken = AccountError(409, "username", f"{name!r} is taken; choose another username")
    if session.exec(select(exists().where(col(User.username) == name))).one():
        raise _fail(session, now, [*address, _registration_key(name)], taken)
    _before_hashing(session)
    password_hash = hash_password(password)
    user.username = name
    user.password_hash = password_hash
    # Any copy of the guest cookie taken before now stops working: the account is this browser's.
    user.session_version += 1
    session.add(user)
    try:
        session.commit()
    except IntegrityError:  # someone registered the same name a moment ago
        raise _fail(session, now, [*address, _registration_key(name)], taken) from None
    session.refresh(user)
    return user


def login(
    session: Session, current: User, username: str, password: str, ip: str, now: datetime
) -> User:
    """The account these credentials open. The current guest keeps its own data (see README)."""
    name = normalise_username(username)
    _check_rate(session, now, ip, name)
    account = None
    if name and len(password) <= MAX_LENGTH:
        account = session.exec(select(User).where(User.username == name)).first()
        stored = account.password_hash if account else None
        _before_hashing(session)
        valid, new_hash = verify_password(password, stored)
    else:
        valid, new_hash = False, None
    if account is None or not valid:
        keys = _password_failure_keys(ip, name)
        raise _fail(session, now, keys, AccountError(401, "form", WRONG_CREDENTIALS))
    if new_hash:  # the hashing parameters have been raised since this hash was made
        account.password_hash = new_hash
        session.add(account)
    if current.id != account.id:
        discard_if_empty_guest(session, current)
    session.commit()
    session.refresh(account)
    return account


def change_password(
    session: Session, user: User, current: str, new: str, ip: str, now: datetime
) -> User:
    """Set a new password and end every other session of this account."""
    _require_account(user)
    _check_password(session, user, current, ip, now, field="current_password")
    if problem := password_problem(new, user.username):
        raise AccountError(422, "new_password", problem)
    if new == current:
        raise AccountError(422, "new_password", "must differ from the current password")
    user.password_hash = hash_password(new)
    user.session_version += 1
    session.add(user)
    session.commit()
    session.refresh(user)
    return user


def end_all_sessions(session: Session, user: User) -> None:
    """Every cookie issued to this account so far stops working, on every worker. Logging out
    calls it too, so a copy of the cookie taken before "Log out" is worthless after it."""
    _require_account(user)
    user.session_version += 1
    session.add(user)
    session.commit()


def delete_account(session: Session, user: User, password: str, ip: str, now: datetime) -> None:
    """Delete the account and, through ON DELETE CASCADE, everything it owns."""
    _require_account(user)
    _check_password(session, user, password, ip, now, field="password")
    session.delete(user)
    session.commit()


def has_progress(session: Session, user_id: int) -> bool:
    """Whether any per-user table holds a row of this user's (reviews, quizzes, lab, ...)."""
    for table in SQLModel.metadata.sorted_tables:
        if (
            "user_id" in table.c
            and session.exec(select(exists().where(table.c.user_id == user_id))).one()
        ):
            return True
    return False


def purge_idle_guests(session: Session, now: datetime, max_age: timedelta) -> int:
    """Delete guests created before `now - max_age` that hold no progress (no row in any
    per-user table: no review, card state, quiz, lab prediction...); returns how many.

    A guest is made on its first write, so one whose writes never became progress (a setting
    changed, a refused import) would otherwise stay for ever. One statement, so it is cheap to
    run at every start-up and periodically on every worker.
    """
    owned = [
        table
        for table in SQLModel.metadata.sorted_tables
        if "user_id" in table.c and table.name != User.__tablename__
    ]
    condition = [col(User.username).is_(None), col(User.created_at) < now - max_age]
    condition += [~exists().where(table.c.user_id == User.id) for table in owned]
    result = session.exec(delete(User).where(*condition))
    session.commit()
    return result.rowcount


def discard_if_empty_guest(session: Session, user: User) -> None:
    """A guest that never studied is left behind by logging in: delete it rather than keep it."""
    if user.username is None and user.id is not None and not has_progress(session, user.id):
        session.delete(user)


def _require_account(user: User) -> None:
    if user.username is None:
        raise AccountError(409, "form", "You are studying as a guest: register first.")


def _check_password(
    session: Session, user: User, password: str, ip: str, now: datetime, *, field: str
) -> None:
    name = user.username or ""
    _check_rate(session, now, ip, name)
    stored = user.password_hash
    _before_hashing(session)
    valid = len(password) <= MAX_LENGTH and verify_password(password, stored)[0]
    if not valid:
        keys = _password_failure_keys(ip, name)
        error = AccountError(401, field, "is not your current password")
        raise _fail(session, now, keys, error)
