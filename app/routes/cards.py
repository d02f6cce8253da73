"""The deck: the list of cards and one card, as pages and as JSON."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from app import repository
from app.deps import CardDep, CurrentUser, DeckDep, NowDep, SessionDep, TemplatesDep
from app.schemas import CardOut, CardSummaryOut, ErrorOut, card_detail, card_summary, lab_url

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


@pages.get("/cards/{slug}", response_class=HTMLResponse)
def card_page(
    card: CardDep,
    request: Request,
    deck: DeckDep,
    user: CurrentUser,
    session: SessionDep,
    templates: TemplatesDep,
    now: NowDep,
):
    slug = card.slug
    status = repository.statuses(session, user.id, (slug,), now)[slug]
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
