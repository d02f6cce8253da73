from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from app import repository
from app.deps import CurrentUser, DeckDep, NowDep, SessionDep, TemplatesDep
from app.services import marks, reviews, schedule
from app.services.next_card import todays_queue
from app.study import scheduling
from app.study.status import summarize, weakness

router = APIRouter(tags=["pages"], include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def home(
    request: Request,
    deck: DeckDep,
    user: CurrentUser,
    session: SessionDep,
    templates: TemplatesDep,
    now: NowDep,
):
    rows = repository.card_states(session, user.id)  # one read serves statuses and the queue
    statuses = repository.statuses_of(rows, deck.slugs, now)
    summary = summarize(statuses.values())
    memories = repository.memories_of(rows)
    today = todays_queue(session, user, deck, memories, now)  # suspended cards left out
    suspended = marks.suspended(session, user.id)
    pick, introduced, limit = today.pick, today.introduced, today.new_limit
    studied = [c for c in deck if statuses[c.slug].retrievability is not None]
    weakest = sorted(studied, key=lambda c: _weakness(statuses[c.slug]))[:3]
    leeches = [c for c in deck if statuses[c.slug].lapses >= scheduling.LEECH_LAPSES]
    plan = schedule.plan_for(session, user, deck.slugs, memories, introduced, now)
    mistakes = reviews.recent_mistakes(session, user, now, 7, None)
    context = {
        "summary": summary,
        "counts": pick.counts,
        "has_next": pick.slug is not None,
        "due_cards": [c for c in deck if statuses[c.slug].is_due and c.slug not in suspended],
        "weakest": weakest,
        "leeches": leeches,
        "statuses": statuses,
        "interview_date": user.interview_date,
        "plan": plan,
        "new_limit": limit,
        "daily_new_limit": user.daily_new_limit,
        "mistakes": len(mistakes),
        "quiz_url": request.app.state.feature_urls.get("quiz"),
        "progress_url": request.app.state.feature_urls.get("progress"),
        "leech_lapses": scheduling.LEECH_LAPSES,
        "now": now,
    }
    return templates.TemplateResponse(request, "home.html", context)


def _weakness(status) -> tuple:
    return weakness(status.stage, status.retrievability, status.stability, status.lapses)
