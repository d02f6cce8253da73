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


def get_current_user(request: Request, session: SessionDep) -> User:
    """The user behind the session cookie; on a first visit, a new guest account.

    The signed cookie holds only the user id and its session version; everything the user owns is
    in the database, so any worker can answer any request. A cookie whose version is older than
    the user's (after "log out everywhere" or a password change) no longer counts.
    """
    user_id = request.session.get("uid")
    user = session.get(User, user_id) if isinstance(user_id, int) else None
    if user is not None and not session_is_current(request, user):
        user = None
    if user is None:
        user = User()
        session.add(user)
        session.commit()
        session.refresh(user)
        start_session(request, user)
    request.state.user = user  # for templates: the theme, time zone and account state
    return user


CurrentUser = Annotated[User, Depends(get_current_user)]
