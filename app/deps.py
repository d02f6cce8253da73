"""Request dependencies as Annotated aliases, so handlers read as prose."""

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, TypeVar

from anyio import to_thread
from fastapi import Depends, Request
from fastapi.templating import Jinja2Templates
from sqlalchemy import bindparam
from sqlmodel import Session, col, select
from starlette.concurrency import run_in_threadpool

from app.config import Settings
from app.content import Card, Deck
from app.db import utcnow
from app.errors import NotFound
from app.models import User
from app.security.csrf import SESSION_KEY as CSRF_SESSION_KEY
from app.security.sessions import session_is_current, start_session

R = TypeVar("R")

# The cheap dependencies are `async def`: FastAPI runs a plain `def` dependency in the thread pool,
# and a card page had eight such hand-offs (each a thread switch and two event-loop wake-ups)
# before its handler ran. Only what may block (a database read or write) goes to a thread.


async def get_session(request: Request) -> AsyncIterator[Session]:
    # Creating a Session opens nothing: a connection is taken from the pool on first use, in
    # whichever thread uses it. Closing one that never connected is free; one that did returns
    # its connection (a rollback on the database), so that close runs in a thread.
    session = Session(request.app.state.engine)
    try:
        yield session
    finally:
        if session.in_transaction():
            await run_in_threadpool(session.close)
        else:
            session.close()


async def get_deck(request: Request) -> Deck:
    return request.app.state.deck


async def get_templates(request: Request) -> Jinja2Templates:
    return request.app.state.templates


async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


async def get_now() -> datetime:
    """The moment a request happens (UTC), read once per request. Handlers pass it down to the
    services; tests move the clock by overriding this dependency (`app.dependency_overrides`)."""
    return utcnow()


def deck_card(deck: Deck, slug: str, *, field: str | None = None) -> Card:
    """The card called `slug`, or a 404 that names it (and the field it came in, if any)."""
    card = deck.get(slug)
    if card is None:
        what = "no card" if field else "No card"
        raise NotFound(f"{what} is called {slug!r}.", field=field)
    return card


SessionDep = Annotated[Session, Depends(get_session)]
DeckDep = Annotated[Deck, Depends(get_deck)]
TemplatesDep = Annotated[Jinja2Templates, Depends(get_templates)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
NowDep = Annotated[datetime, Depends(get_now)]


async def get_card(slug: str, deck: DeckDep) -> Card:
    """The card named by the `{slug}` in the path; 404 when the deck has none by that name."""
    return deck_card(deck, slug)


CardDep = Annotated[Card, Depends(get_card)]


# Methods that only read: they never create a guest (a page view or a GET writes nothing).
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


# Built once, not `session.get(User, id)`: that builds and keys a new statement on every call,
# and reading the signed-in user was the largest single cost of a review.
_USER = select(User).where(col(User.id) == bindparam("user_id"))


def _signed_in(request: Request, session: Session, user_id: int) -> User | None:
    user = session.execute(_USER, {"user_id": user_id}).scalars().first()
    return user if user is not None and session_is_current(request, user) else None


def _save_guest(request: Request, session: Session, user: User) -> None:
    session.add(user)
    session.commit()
    session.refresh(user)
    # The page this write came from holds the visitor's CSRF token: it stays valid, so a form
    # on that page still works after a script's first write made the guest. (There was no
    # identity before, so there is nothing to fixate.)
    token = request.session.get(CSRF_SESSION_KEY)
    start_session(request, user)
    if isinstance(token, str):
        request.session[CSRF_SESSION_KEY] = token


def _user_of(request: Request, session: Session, *, saves_guest: bool) -> User:
    """The user behind the session cookie (one read), else a guest: saved with its cookie set
    when `saves_guest`, unsaved (id None, owning no rows) otherwise. Blocking: run in a thread."""
    user_id = request.session.get("uid")
    user = _signed_in(request, session, user_id) if isinstance(user_id, int) else None
    if user is None:
        user = User()
        if saves_guest:
            _save_guest(request, session, user)
    request.state.user = user  # for templates: the theme, time zone and account state
    return user


async def _find_user(request: Request, session: Session, *, saves_guest: bool) -> User:
    """`_user_of`, in a thread only when it touches the database: a signed-in cookie is read, a
    visitor's first write saves a guest; a visitor's read costs no database work at all."""
    if isinstance(request.session.get("uid"), int) or saves_guest:
        return await run_in_threadpool(_user_of, request, session, saves_guest=saves_guest)
    return _user_of(request, session, saves_guest=False)


async def get_viewer(request: Request, session: SessionDep) -> User:
    """The user behind the session cookie, or an unsaved guest (id None) when there is none.

    The signed cookie holds only the user id and its session version; everything the user owns is
    in the database, so any worker can answer any request. A cookie whose version is older than
    the user's (after logging out, "log out everywhere" or a password change) no longer counts.
    Nothing is written: an unsaved guest owns no rows, so every read finds nothing for it.
    """
    return await _find_user(request, session, saves_guest=False)


Viewer = Annotated[User, Depends(get_viewer)]


def _writes(request: Request) -> bool:
    return request.method not in READ_METHODS


async def get_current_user(request: Request, session: SessionDep) -> User:
    """The viewer; on a visitor's first write (any method but GET, HEAD, OPTIONS), a new guest
    account is created and its cookie set. Reads get the unsaved guest, so visits write nothing;
    routes that write only sometimes (logging in) take `Viewer` instead. One thread hand-off at
    most (the read, and the guest's save with it)."""
    return await _find_user(request, session, saves_guest=_writes(request))


CurrentUser = Annotated[User, Depends(get_current_user)]


@dataclass(frozen=True, slots=True)
class UserLoader:
    """`CurrentUser`, found when called rather than before the handler runs: a handler whose
    work is one blocking call calls it in that call's thread, so a write (a review) makes one
    thread hand-off instead of two. Checks that need no user (the body, the card) come first,
    so bad input never saves a guest."""

    request: Request
    session: Session

    def __call__(self) -> User:
        """Blocking (a database read, a guest's save): call it in a worker thread."""
        return _user_of(self.request, self.session, saves_guest=_writes(self.request))


async def get_user_loader(request: Request, session: SessionDep) -> UserLoader:
    return UserLoader(request, session)


LoadUser = Annotated[UserLoader, Depends(get_user_loader)]


async def in_write_lane(request: Request, work: Callable[[], R]) -> R:
    """Run `work` (a write's database work: blocking) in a thread, at most `db_concurrency` at
    once per worker; the rest wait on the event loop, holding no thread and no connection. Writes
    take turns for SQLite's one writer anyway: more threads at once only contend for the GIL."""
    lane = getattr(request.app.state, "write_lane", None)  # None: an app served without lifespan
    return await to_thread.run_sync(work, limiter=lane)
