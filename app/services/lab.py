"""The lab's use cases that touch the database: recording "predict, then see" answers.

The question and its truth come from app.services.lab_questions, regenerated on the server from
the same run, so the browser can neither invent questions nor mark its own answers.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Integer, cast
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from app.models import LabPrediction, LabPrompt, User
from app.services.lab_questions import Question

MAX_TEXT = 200  # LabPrediction.question and .answer are VARCHAR(200)


@dataclass(frozen=True)
class Recorded:
    prediction: LabPrediction
    first_time: bool  # False: this question was answered before; the first answer counts


def record_prediction(
    session: Session, user: User, preset: str, question: Question, answer: str, now: datetime
) -> Recorded:
    """Store the learner's answer to `question` (a choice value) and whether it was right.

    Each question counts once per learner: answering it again (a double click, a reload, a second
    try after seeing the result) returns the first answer instead of adding another.
    """
    if answer not in dict(question.choices):
        raise ValueError(f"answer must be one of {[v for v, _ in question.choices]}")
    text = question.text[:MAX_TEXT]
    earlier = session.exec(
        select(LabPrediction)
        .where(
            LabPrediction.user_id == user.id,
            LabPrediction.preset == preset,
            LabPrediction.question == text,
        )
        .order_by(col(LabPrediction.id))
    ).first()
    if earlier is not None:
        return Recorded(earlier, first_time=False)
    row = LabPrediction(
        user_id=user.id,
        preset=preset,
        question=text,
        answer=question.label(answer)[:MAX_TEXT],
        correct=answer == question.truth,
        created_at=now,
    )
    session.add(row)
    session.commit()
    session.refresh(row)
    mark_asked(session, user, preset, now)  # answered: not offered for this preset again
    return Recorded(row, first_time=True)


def prediction_stats(session: Session, user: User) -> tuple[int, int]:
    """(predictions made, predictions that were right) for the progress page."""
    made, correct = session.exec(
        select(
            func.count(col(LabPrediction.id)),
            func.coalesce(func.sum(cast(col(LabPrediction.correct), Integer)), 0),
        ).where(LabPrediction.user_id == user.id)
    ).one()
    return int(made), int(correct)


# --- "predict before you look": offered at most once per preset per learner --------------------


def prompts(session: Session, user: User) -> tuple[bool, list[str]]:
    """(whether the learner wants the prompt, the presets it was answered or dismissed for).
    A visitor with no account yet is asked everything once and owns no rows."""
    if user.id is None:
        return True, []
    asked = session.exec(
        select(LabPrompt.preset).where(LabPrompt.user_id == user.id).order_by(LabPrompt.preset)
    ).all()
    return user.lab_predict, list(asked)


def mark_asked(session: Session, user: User, preset: str, now: datetime) -> None:
    """Remember that this learner was asked about `preset` (idempotent, also under a race)."""
    exists = session.exec(
        select(LabPrompt.id).where(LabPrompt.user_id == user.id, LabPrompt.preset == preset)
    ).first()
    if exists is not None:
        return
    session.add(LabPrompt(user_id=user.id, preset=preset, created_at=now))
    try:
        session.commit()
    except IntegrityError:  # a second tab recorded it first: it is remembered either way
        session.rollback()
