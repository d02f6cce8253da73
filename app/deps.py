"""Request dependencies as Annotated aliases, so handlers read as prose."""

from collections.abc import Iterator
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Request
from fastapi.templating import Jinja2Templates
from sqlmodel import Session

from app.config import Settings
from app.content import Card, Deck
from app.db import utcnow
from app.errors import NotFound
from app.models import User
from app.security.sessions import session_is_current, start_session


def get_session(request: Request) -> Iterator[Session]:
    with Session(request.app.state.engine) as session:
        yield session


def get_deck(request: Request) -> Deck:
    return request.app.state.deck


def get_templates(request: Request) -> Jinja2Templates:
    return request.app.state.templates


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_now() -> datetime:
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


def get_card(slug: str, deck: DeckDep) -> Card:
    """The card named by the `{slug}` in the path; 404 when the deck has none by that name."""
    return deck_card(deck, slug)


CardDep = Annotated[Card, Depends(get_card)]


# Methods that only read: they never create a guest (a page view or a GET writes nothing).
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def get_viewer(request: Request, session: SessionDep) -> User:
    """The user behind the session cookie, or an unsaved guest (id None) when there is none.

    The signed cookie holds only the user id and its session version; everything the user owns is
    in the database, so any worker can answer any request. A cookie whose version is older than
    the user's (after logging out, "log out everywhere" or a password change) no longer counts.
    Nothing is written: an unsaved guest owns no rows, so every read finds nothing for it.
    """
    user_id = request.session.get("uid")
    user = session.get(User, user_id) if isinstance(user_id, int) else None
    if user is not None and not session_is_current(request, user):
        user = None
    if user is None:
        user = User()
    request.state.user = user  # for templates: the theme, time zone and account state
    return user


Viewer = Annotated[User, Depends(get_viewer)]


def get_current_user(request: Request, session: SessionDep, user: Viewer) -> User:
    """The viewer; on a visitor's first write (any method but GET, HEAD, OPTIONS), a new guest
    account is created and its cookie set. Reads get the unsaved guest, so visits write nothing;
    routes that write only sometimes (logging in) take `Viewer` instead."""
    if user.id is None and request.method not in READ_METHODS:
        session.add(user)
        session.commit()
        session.refresh(user)
        start_session(request, user)
    return user


CurrentUser = Annotated[User, Depends(get_current_user)]
