"""The learner's study settings: desired retention, new cards a day, time zone, interview date."""

from datetime import date, datetime, timedelta
from functools import cache
from typing import Annotated
from zoneinfo import available_timezones

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import BaseModel, Field, ValidationError, field_validator

from app import messages
from app.deps import CurrentUser, NowDep, SessionDep, TemplatesDep
from app.errors import InvalidInput
from app.models import User
from app.moments import UserDate
from app.services import schedule
from app.study import scheduling
from app.study.days import is_timezone, zone

pages = APIRouter(tags=["pages"], include_in_schema=False)
api = APIRouter(prefix="/api/settings", tags=["settings"])

MAX_NEW_PER_DAY = 100


class SettingsOut(BaseModel):
    desired_retention: float
    daily_new_limit: int
    timezone: str
    interview_date: date | None
    lab_predict: bool = True


class SettingsIn(BaseModel):
    """Any subset of the settings; fields left out keep their value."""

    desired_retention: float | None = Field(
        None,
        ge=scheduling.MIN_RETENTION,
        le=scheduling.MAX_RETENTION,
        description="Target probability of recall when a card falls due (0.70-0.97)",
    )
    daily_new_limit: int | None = Field(None, ge=0, le=MAX_NEW_PER_DAY)
    timezone: str | None = Field(None, max_length=64, description="IANA name, e.g. Europe/Paris")
    interview_date: UserDate | None = Field(
        None, description="Left out: unchanged; to clear it send `clear_interview_date`"
    )
    clear_interview_date: bool = Field(
        False, description="true: no interview date (every card's own FSRS due date comes back)"
    )
    lab_predict: bool | None = Field(
        None, description="Offer “predict before you look” in the lab (once per preset)"
    )

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        if value is not None and not is_timezone(value):
            raise ValueError(f"{value!r} is not a time zone this app knows; pick one from the list")
        return value


class SettingsError(InvalidInput):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message, field=field)


def settings_of(user: User) -> SettingsOut:
    return SettingsOut(
        desired_retention=user.desired_retention,
        daily_new_limit=user.daily_new_limit,
        timezone=user.timezone,
        interview_date=user.interview_date,
        lab_predict=user.lab_predict,
    )


def apply(user: User, change: SettingsIn, now: datetime) -> bool:
    """Validate the whole change first, then write it: a bad field changes nothing. True when
    the interview moment moved (its date or the zone it is read in): due dates must follow."""
    tz = zone(change.timezone or user.timezone)
    # The learner's calendar date, not the study day: at 3 am on the 30th "today" is the 30th,
    # though reviews until 4 am still count for the 29th.
    today = now.astimezone(tz).date()
    if change.interview_date is not None and change.interview_date < today:
        raise SettingsError(
            "interview_date", f"must be today ({today:%a %-d %b %Y}) or later, in your time zone"
        )
    if change.interview_date is not None and change.interview_date > today + timedelta(days=3650):
        raise SettingsError("interview_date", "must be within ten years")
    before = (user.interview_date, user.timezone)
    if change.desired_retention is not None:
        user.desired_retention = round(change.desired_retention, 3)
    if change.daily_new_limit is not None:
        user.daily_new_limit = change.daily_new_limit
    if change.timezone is not None:
        user.timezone = change.timezone
    if change.lab_predict is not None:
        user.lab_predict = change.lab_predict
    if change.clear_interview_date:
        user.interview_date = None
    elif change.interview_date is not None:
        user.interview_date = change.interview_date
    return before != (user.interview_date, user.timezone)


@api.get("", response_model=SettingsOut)
def get_settings(user: CurrentUser):
    return settings_of(user)


@api.put("", response_model=SettingsOut)
def put_settings(change: SettingsIn, user: CurrentUser, session: SessionDep, now: NowDep):
    """Change any subset of the settings. Out-of-range values are refused with a 422 naming them."""
    moved = apply(user, change, now)
    session.add(user)
    if moved:
        schedule.reschedule(session, user, now)  # same transaction as the new date
    session.commit()
    return settings_of(user)


def _page(
    request: Request, templates, user: User, errors: dict[str, str], values: dict, saved=False
):
    context = {
        "values": values,
        "errors": errors,
        "saved": saved,
        "min_retention": scheduling.MIN_RETENTION,
        "max_retention": scheduling.MAX_RETENTION,
        "max_new": MAX_NEW_PER_DAY,
        "zones": _zones(),
    }
    return templates.TemplateResponse(
        request, "settings/settings.html", context, status_code=422 if errors else 200
    )


@cache
def _zones() -> tuple[str, ...]:
    return tuple(sorted(z for z in available_timezones() if "/" in z and not z.startswith("Etc/")))


@pages.get("/settings", response_class=HTMLResponse)
def settings_page(
    request: Request, user: CurrentUser, templates: TemplatesDep, saved: bool = False
):
    return _page(request, templates, user, {}, settings_of(user).model_dump(), saved=saved)


@pages.post("/settings", response_class=HTMLResponse)
def save_settings(
    request: Request,
    user: CurrentUser,
    session: SessionDep,
    templates: TemplatesDep,
    now: NowDep,
    desired_retention: Annotated[str, Form()] = "",
    daily_new_limit: Annotated[str, Form()] = "",
    timezone: Annotated[str, Form()] = "",
    interview_date: Annotated[str, Form()] = "",
    lab_predict: Annotated[str, Form()] = "",
):
    raw = {
        "desired_retention": desired_retention,
        "daily_new_limit": daily_new_limit,
        "timezone": timezone,
        "interview_date": interview_date,
        "lab_predict": lab_predict == "on",
    }
    errors: dict[str, str] = {}
    try:
        change = SettingsIn(
            desired_retention=desired_retention or None,
            daily_new_limit=daily_new_limit or None,
            timezone=timezone or None,
            interview_date=interview_date or None,
            clear_interview_date=not interview_date,
            lab_predict=lab_predict == "on",  # an unticked checkbox sends nothing
        )
        moved = apply(user, change, now)
    except ValidationError as exc:
        for error in exc.errors():
            field = str(error["loc"][0]) if error["loc"] else "form"
            errors[field] = messages.field_message(error, named=False)
    except SettingsError as exc:
        errors[exc.field] = messages.with_subject(exc.field, exc.message)
    if errors:
        session.rollback()
        return _page(request, templates, user, errors, raw)
    session.add(user)
    if moved:
        schedule.reschedule(session, user, now)  # same transaction as the new date
    session.commit()
    return RedirectResponse("/settings?saved=true", status_code=303)
