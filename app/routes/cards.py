"""The deck: the list of cards and one card, as pages and as JSON."""

from datetime import datetime

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from app import repository
from app.deps import CardDep, CurrentUser, DeckDep, NowDep, SessionDep, TemplatesDep
from app.models import User
from app.schemas import CardOut, CardSummaryOut, ErrorOut, card_detail, card_summary, lab_url
from app.study.status import CardStatus

pages = APIRouter(tags=["pages"], include_in_schema=False)
api = APIRouter(prefix="/api/cards", tags=["cards"])


@pages.get("/cards", response_class=HTMLResponse)
def deck_page(
    request: Request,
    deck: DeckDep,
    user: CurrentUser,
    session: SessionDep,
    templates: TemplatesDep,
    now: NowDep,
):
    statuses = repository.statuses(session, user.id, deck.slugs, now)
    rows = [(card, statuses[card.slug]) for card in deck]
    return templates.TemplateResponse(request, "cards/deck.html", {"rows": rows, "now": now})


async def card_statuses(
    session: Session, user: User, slugs: tuple[str, ...], now: datetime
) -> dict[str, CardStatus]:
    """Statuses of `slugs` for `user`, read in a thread; a guest without an account owns no
    rows, so every card is new and nothing is read."""
    if user.id is None:
        return repository.statuses_of({}, slugs, now)
    return await run_in_threadpool(repository.statuses, session, user.id, slugs, now)


@pages.get("/cards/{slug}", response_class=HTMLResponse)
async def card_page(
    card: CardDep,
    request: Request,
    deck: DeckDep,
    user: CurrentUser,
    session: SessionDep,
    templates: TemplatesDep,
    now: NowDep,
):
    # `async def`: the only blocking work (a signed-in learner's card state) goes to a thread;
    # rendering is CPU work either way, and a thread hand-off per page cost more than it saved.
    slug = card.slug
    status = (await card_statuses(session, user, (slug,), now))[slug]
    previous, next_ = deck.neighbours(slug)
    context = {
        "card": card,
        "status": status,
        "previous": previous,
        "next": next_,
        "lab_url": lab_url(card),
        "position": deck.slugs.index(slug) + 1,
        "total": len(deck),
        "now": now,
    }
    return templates.TemplateResponse(request, "cards/card.html", context)


@api.get("", response_model=list[CardSummaryOut])
def list_cards(deck: DeckDep, user: CurrentUser, session: SessionDep, now: NowDep):
    """Every card in deck order, with this user's study status for each."""
    statuses = repository.statuses(session, user.id, deck.slugs, now)
    return [card_summary(card, statuses[card.slug]) for card in deck]


@api.get("/{slug}", response_model=CardOut, responses={404: {"model": ErrorOut}})
def get_card(card: CardDep, deck: DeckDep, user: CurrentUser, session: SessionDep, now: NowDep):
    """One card with its answer, key points, misconceptions, follow-ups, references and lab link."""
    status = repository.statuses(session, user.id, (card.slug,), now)[card.slug]
    return card_detail(card, status, *deck.neighbours(card.slug))
