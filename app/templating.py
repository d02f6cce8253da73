"""The Jinja2 environment shared by every page."""

from datetime import datetime
from pathlib import Path

from fastapi.templating import Jinja2Templates
from jinja2 import pass_context

from app.assets import AssetHashes
from app.study.days import zone

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"


def humanize_delta(when: datetime | None, now: datetime) -> str:
    """'now', 'in 3 h', 'in 2 d', '5 min ago': short, for tables on a phone."""
    if when is None:
        return "—"
    seconds = (when - now).total_seconds()
    future, seconds = seconds > 0, abs(seconds)
    if seconds < 60:
        return "now"
    for size, unit in ((86400 * 365, "y"), (86400 * 30, "mo"), (86400, "d"), (3600, "h")):
        if seconds >= size:
            amount = f"{seconds / size:.0f} {unit}"
            break
    else:
        amount = f"{seconds / 60:.0f} min"
    return f"in {amount}" if future else f"{amount} ago"


@pass_context
def local_time(context, when: datetime | None, fmt: str = "%-d %b %Y %H:%M") -> str:
    """`when` on the learner's own clock (their time zone from settings), never in UTC."""
    if when is None:
        return "—"
    request = context.get("request")
    user = getattr(getattr(request, "state", None), "user", None)
    try:
        tz = zone(user.timezone) if user is not None else None
    except ValueError:
        tz = None
    return when.astimezone(tz).strftime(fmt) if tz else when.strftime(fmt)


def make_templates(assets: AssetHashes) -> Jinja2Templates:
    templates = Jinja2Templates(directory=TEMPLATES_DIR)
    env = templates.env
    env.globals["static_url"] = assets.url
    env.filters["ago"] = humanize_delta
    env.filters["local"] = local_time
    env.trim_blocks = True
    env.lstrip_blocks = True
    return templates
