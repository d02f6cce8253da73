from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from app import repository
from app.db import utcnow
from app.deps import CurrentUser, DeckDep, SessionDep, TemplatesDep
from app.study.status import summarize

router = APIRouter(tags=["pages"], include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def home(
    request: Request, deck: DeckDep, user: CurrentUser, session: SessionDep, templates: TemplatesDep
):
    now = utcnow()
    statuses = repository.statuses(session, user.id, deck.slugs, now)
    summary = summarize(statuses.values())
    due_cards = [card for card in deck if statuses[card.slug].is_due]
    weakest = sorted(
        (c for c in deck if statuses[c.slug].retrievability is not None),
        key=lambda c: statuses[c.slug].retrievability,
    )[:3]
    first_new = next((c for c in deck if statuses[c.slug].stage == "new"), None)
    start = due_cards[0] if due_cards else first_new
    context = {
        "summary": summary,
        "due_cards": due_cards,
        "weakest": weakest,
        "statuses": statuses,
        "start_review_url": f"/cards/{start.slug}" if start else "/cards",
        "quiz_url": None,
    }
    return templates.TemplateResponse(request, "home.html", context)
