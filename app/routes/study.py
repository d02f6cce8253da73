"""Study control: "Study N more new cards today" (POST /api/study/extend)."""

from fastapi import APIRouter
from pydantic import BaseModel, Field

from app.db import utcnow
from app.deps import CurrentUser, SessionDep
from app.schemas import ErrorOut
from app.services import extend

api = APIRouter(prefix="/api/study", tags=["review"])


class ExtendIn(BaseModel):
    new_cards: int = Field(
        ge=1,
        le=extend.MAX_EXTEND,
        strict=True,
        description=f"1 to {extend.MAX_EXTEND} more new cards today (a whole number)",
    )


class ExtendOut(BaseModel):
    extra_today: int = Field(description="New cards allowed today beyond your daily limit")


@api.post("/extend", response_model=ExtendOut, responses={422: {"model": ErrorOut}})
def extend_today(body: ExtendIn, user: CurrentUser, session: SessionDep):
    """Raise today's new-card limit by `new_cards` (today only; at most 100 extra a day)."""
    result = extend.extend_new_cards(session, user, body.new_cards, utcnow())
    return ExtendOut(extra_today=result.extra_today)
