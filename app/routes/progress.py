"""The progress dashboard (/progress) and the numbers behind it (/api/progress)."""

from dataclasses import asdict, fields
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup
from pydantic import AliasChoices, BaseModel, Field

from app import charts
from app.content import Deck
from app.deps import CurrentUser, DeckDep, NowDep, SessionDep, TemplatesDep
from app.schemas import RichText, lab_url
from app.services import backup, schedule
from app.services import lab as lab_services
from app.services.progress import progress_for
from app.study import plan as study_plan
from app.study import stats
from app.study.days import zone
from app.study.quiz import AttemptKind
from app.study.scheduling import format_interval

pages = APIRouter(tags=["pages"], include_in_schema=False)
api = APIRouter(prefix="/api", tags=["progress"])

FLASH_KEY = "import_result"  # set by /api/import after a form upload, shown once here


class StateCountsOut(BaseModel):
    new: int
    learning: int
    review: int
    relearning: int
    total: int


class DayCountOut(BaseModel):
    day: date = Field(description="A study day (local, starting at 4 am)")
    count: int


class HeatmapOut(BaseModel):
    start: date = Field(description="The Monday 25 weeks before this week's")
    end: date = Field(
        description="Today's study day", validation_alias=AliasChoices("end", "today")
    )
    total: int
    active_days: int
    days: list[DayCountOut] = Field(description="Reviews per study day, every day from start")


class RatioOut(BaseModel):
    passed: int = Field(description="Reviews not rated Again")
    total: int
    rate: float | None = Field(description="passed / total; null with no reviews")


class RetentionOut(BaseModel):
    days: int = Field(description="The window: this many study days, today included")
    since: date
    young: RatioOut = Field(description="Previous review less than 21 days before")
    mature: RatioOut = Field(description="Previous review 21 or more days before")
    all: RatioOut


class MasteryOut(BaseModel):
    slug: str
    number: int
    question: RichText
    stage: str
    recall: float | None = Field(description="Predicted probability of recall now")
    stability: float | None = Field(description="Days until recall falls to 90%")
    difficulty: float | None
    reps: int
    lapses: int
    last_review: datetime | None
    due: datetime | None
    url: str
    lab_url: str


class QuizPointOut(BaseModel):
    kind: str = Field(description="quiz or mock")
    finished_at: datetime
    score: float


class ReadinessOut(BaseModel):
    interview_date: date
    at: datetime = Field(description="The start of that study day, UTC")
    passed: bool
    ready: int = Field(description="Cards predicted at 90% recall or better then")
    total: int
    share: float
    mean_recall: float = Field(description="Mean predicted recall then; new cards count as 0")


class ProgressOut(BaseModel):
    generated_at: datetime
    timezone: str
    today: date
    counts: StateCountsOut
    due_today: int = Field(description="Due before today's study day ends, overdue included")
    overdue: int
    forecast: list[DayCountOut] = Field(description="The next 14 study days; overdue count today")
    heatmap: HeatmapOut
    retention: list[RetentionOut] = Field(description="True retention, last 7 and 30 days")
    mastery: list[MasteryOut] = Field(description="Every card, weakest first; new cards last")
    quizzes: list[QuizPointOut] = Field(description="Finished quizzes and mocks, oldest first")
    reviews_total: int
    reviews_today: int
    time_studied_ms: int
    streak_days: int
    readiness: ReadinessOut | None = Field(description="With an interview date set")
    lab_predictions: "LabPredictionsOut" = Field(description="Predict-then-see answers in the lab")


class LabPredictionsOut(BaseModel):
    made: int
    correct: int


def progress_out(
    p: stats.Progress, deck: Deck, timezone: str, predictions: tuple[int, int] = (0, 0)
) -> ProgressOut:
    """The study layer's Progress as the API's shape: Pydantic reads the records' attributes
    (properties included); only what Progress does not hold is added here."""
    mastery = [
        {
            **asdict(m),
            "number": (card := deck.get(m.slug)).number,
            "question": RichText.of(card.question),
            "url": f"/cards/{card.slug}",
            "lab_url": lab_url(card),
        }
        for m in p.mastery
    ]
    return ProgressOut.model_validate(
        {
            **{f.name: getattr(p, f.name) for f in fields(p)},
            "generated_at": p.now,
            "timezone": timezone,
            "mastery": mastery,
            "lab_predictions": {"made": predictions[0], "correct": predictions[1]},
        },
        from_attributes=True,
    )


class PlannedCardOut(BaseModel):
    card: str = Field(description="The card's slug")
    number: int
    new: bool = Field(description="First seen that day")
    reviews: int = Field(description="Times it is asked that day (learning steps repeat a card)")


class PlanDayOut(BaseModel):
    day: date = Field(description="A study day (local, starting at 4 am)")
    reviews: int
    minutes: float = Field(description="Estimated from the median time of your recent reviews")
    cards: list[PlannedCardOut]


class PlanOut(BaseModel):
    interview_date: date
    target: float = Field(description="Predicted recall every card should have that morning")
    standing: str = Field(description="'on plan' or 'N reviews behind'")
    behind: int = Field(description="Reviews due on earlier study days and not done yet")
    ready_now: int = Field(description="Cards at the target that morning if you stopped now")
    ready_planned: int = Field(description="Cards at the target that morning following the plan")
    total: int
    new_limit: int = Field(description="Today's new-card limit, raised for the interview if needed")
    new_limit_raised: bool
    days: list[PlanDayOut] = Field(description="Study days with something to do, in order")


def plan_out(p: study_plan.Plan, deck: Deck) -> PlanOut:
    return PlanOut(
        interview_date=p.interview_day,
        target=study_plan.TARGET,
        standing=p.standing,
        behind=p.behind,
        ready_now=p.ready_now,
        ready_planned=p.ready_planned,
        total=p.total,
        new_limit=p.new_limit,
        new_limit_raised=p.new_limit_raised,
        days=[
            PlanDayOut(
                day=d.day,
                reviews=d.reviews,
                minutes=round(d.seconds / 60, 1),
                cards=[
                    PlannedCardOut(
                        card=c.slug, number=deck.get(c.slug).number, new=c.new, reviews=c.reviews
                    )
                    for c in d.cards
                ],
            )
            for d in p.days
        ],
    )


@api.get("/plan", response_model=PlanOut | None)
def get_plan(deck: DeckDep, user: CurrentUser, session: SessionDep, now: NowDep):
    """The day-by-day plan to your interview date: reviews per day, which cards, estimated time,
    and where you stand against it. Null without an interview date, or once its morning has come.
    Recomputed from your card states on every request, so it follows your reviews."""
    p = schedule.current_plan(session, user, deck.slugs, now)
    return None if p is None else plan_out(p, deck)


@api.get("/progress", response_model=ProgressOut)
def get_progress(deck: DeckDep, user: CurrentUser, session: SessionDep, now: NowDep):
    """The numbers behind the dashboard: card states, forecast, heatmap, true retention, mastery
    of every card, quiz scores, time studied, streak and interview readiness."""
    p = progress_for(session, user, deck, now)
    return progress_out(p, deck, user.timezone, lab_services.prediction_stats(session, user))


# The page -----------------------------------------------------------------------------------------


def duration(ms: int) -> str:
    """'0 min', '12 min', '3 h 05'."""
    minutes = round(ms / 60_000)
    if minutes < 60:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60:02d}"


def stability(days: float | None) -> str:
    return "—" if days is None else format_interval(timedelta(days=days))


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def forecast_names(p: stats.Progress, now: datetime, tz) -> list[tuple[str, str]]:
    """(short, long) names of the forecast's study days, true to the learner's calendar: between
    midnight and 4 am the current study day is still yesterday's, so it is "Until 4 am" and the
    calendar's today (the 30th at 3 am) is "Today", never a "Today" followed by the same date."""
    calendar_today = now.astimezone(tz).date()
    names = []
    for i, d in enumerate(p.forecast):
        if d.day == calendar_today:
            names.append(("Today", "Today (from 4 am)" if i else "Today"))
        elif i == 0 and d.day < calendar_today:
            names.append(("Until\n4 am", "Until 4 am (your study day rolls over at 4 am)"))
        else:
            names.append((d.day.strftime("%a\n%-d"), d.day.strftime("%a %-d %b")))
    return names


def forecast_chart(p: stats.Progress, now: datetime, tz) -> Markup:
    bars = []
    for i, (d, (short, long)) in enumerate(
        zip(p.forecast, forecast_names(p, now, tz), strict=True)
    ):
        extra = f", {p.overdue} of them overdue" if i == 0 and p.overdue else ""
        bars.append(
            charts.Bar(
                label=short,
                value=d.count,
                tooltip=f"{long}: {_plural(d.count, 'card')} due{extra}",
                highlight=short == "Today",
            )
        )
    total = sum(d.count for d in p.forecast)
    return charts.bar_chart(
        "forecast-chart",
        "Cards due on each of the next 14 days",
        f"{_plural(total, 'card')} due in the next 14 days; {p.due_today} today"
        f"{f' ({p.overdue} overdue)' if p.overdue else ''}.",
        bars,
        empty_note="Nothing due in the next 14 days",
    )


def heatmap_chart(p: stats.Progress) -> Markup:
    h = p.heatmap
    return charts.calendar_heatmap(
        "heatmap-chart",
        "Reviews per day over the last 26 weeks",
        f"{_plural(h.total, 'review')} on {_plural(h.active_days, 'day')} "
        f"between {h.start.strftime('%-d %b %Y')} and {h.today.strftime('%-d %b %Y')}.",
        [(d.day, d.count) for d in h.days],
        start=h.start,
        weeks=stats.HEATMAP_WEEKS,
    )


KIND_NAMES = {AttemptKind.QUIZ: "Quiz", AttemptKind.MOCK: "Mock interview"}


def quiz_chart(p: stats.Progress, tz: ZoneInfo) -> Markup:
    series = []
    for kind, css, marker in (
        (AttemptKind.QUIZ, "series-1", "circle"),
        (AttemptKind.MOCK, "series-2", "square"),
    ):
        points = [
            charts.Point(
                at=q.finished_at.astimezone(tz),
                value=q.score,
                tooltip=f"{KIND_NAMES[kind]}, {q.finished_at.astimezone(tz):%-d %b %Y %H:%M}: "
                f"{percent(q.score)}",
            )
            for q in p.quizzes
            if q.kind == kind
        ]
        series.append(charts.Series(KIND_NAMES[kind], points, css, marker))
    counts = ", ".join(f"{_plural(len(s.points), s.name.lower())}" for s in series)
    return charts.line_chart(
        "quiz-chart",
        "Quiz and mock-interview scores over time",
        f"Scores from 0 to 100%: {counts}.",
        series,
        empty_note="No finished quizzes yet",
    )


def _local(moment: datetime | None, tz: ZoneInfo) -> datetime | None:
    return None if moment is None else moment.astimezone(tz)


@pages.get("/progress", response_class=HTMLResponse)
def progress_page(
    request: Request,
    deck: DeckDep,
    user: CurrentUser,
    session: SessionDep,
    templates: TemplatesDep,
    now: NowDep,
):
    flash = request.session.pop(FLASH_KEY, None)
    return render_progress(request, deck, user, session, templates, now, flash)


def render_progress(request, deck, user, session, templates, now, flash=None, status_code=200):
    """The progress page; `flash` is an import's outcome to show beside the import form (a
    refusal is rendered straight into the answer, never carried in the session cookie)."""
    tz = zone(user.timezone)
    p = progress_for(session, user, deck, now)
    rows = [(deck.get(m.slug), m) for m in p.mastery]
    context = {
        "p": p,
        "now": now,
        "tz": tz,
        "rows": rows,
        "forecast_svg": forecast_chart(p, now, tz),
        "forecast_names": [long for _, long in forecast_names(p, now, tz)],
        "heatmap_svg": heatmap_chart(p),
        "quiz_svg": quiz_chart(p, tz),
        "heat_days": [d for d in p.heatmap.days if d.count],
        "quiz_points": [(q, q.finished_at.astimezone(tz)) for q in p.quizzes],
        "kind_names": KIND_NAMES,
        "duration": duration,
        "percent": percent,
        "stability": stability,
        "local": lambda m: _local(m, tz),
        "interview_date": user.interview_date,
        "timezone": user.timezone,
        "quiz_url": request.app.state.feature_urls.get("quiz"),
        "flash": flash,
        "max_import": backup.MAX_BYTES,
        "predictions": lab_services.prediction_stats(session, user),
        "plan": schedule.current_plan(session, user, deck.slugs, now),
        "interview_daily_new_limit": user.daily_new_limit,
    }
    return templates.TemplateResponse(
        request, "progress/progress.html", context, status_code=status_code
    )
