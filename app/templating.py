"""The Jinja2 environment shared by every page."""

from datetime import datetime
from pathlib import Path

from fastapi.templating import Jinja2Templates

from app.assets import AssetHashes

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


def make_templates(assets: AssetHashes) -> Jinja2Templates:
    templates = Jinja2Templates(directory=TEMPLATES_DIR)
    env = templates.env
    env.globals["static_url"] = assets.url
    env.filters["ago"] = humanize_delta
    env.trim_blocks = True
    env.lstrip_blocks = True
    return templates
