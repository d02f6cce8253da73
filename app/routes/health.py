from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from app.deps import DeckDep, SessionDep

router = APIRouter(tags=["health"])


class HealthOut(BaseModel):
    status: str
    database: str
    cards: int


@router.get("/healthz", response_model=HealthOut, responses={503: {"model": HealthOut}})
def healthz(session: SessionDep, deck: DeckDep):
    """Liveness plus a round trip to the database."""
    try:
        session.exec(text("SELECT 1"))
    except SQLAlchemyError:
        body = HealthOut(status="error", database="unreachable", cards=len(deck))
        return JSONResponse(body.model_dump(), status_code=503)
    return HealthOut(status="ok", database="ok", cards=len(deck))
