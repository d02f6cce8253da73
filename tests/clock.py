"""Moving the clock the routes see: they take `now` from the `get_now` dependency."""

from collections.abc import Callable
from datetime import datetime, timedelta

from fastapi import FastAPI

from app.db import utcnow
from app.deps import get_now


def set_now(app: FastAPI, moment: datetime | Callable[[], datetime]) -> None:
    """From now on requests to `app` happen at `moment` (or at whatever `moment()` returns)."""
    app.dependency_overrides[get_now] = moment if callable(moment) else (lambda: moment)


def move_clock(app: FastAPI, seconds: float) -> datetime:
    """Move the app's clock `seconds` ahead of where it stands now; returns the new time."""
    # `get_now` itself is async; an override set here is a plain function.
    current = app.dependency_overrides.get(get_now)
    later = (current() if current else utcnow()) + timedelta(seconds=seconds)
    set_now(app, later)
    return later
