"""The card-memory record: every conversion round-trips exactly."""

import json
from datetime import UTC, datetime, timedelta

import fsrs

from app.models import CardState
from app.study import scheduling
from app.study.memory import FIELDS, CardMemory

NOW = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


def _reviewed() -> CardMemory:
    scheduler = scheduling.make_scheduler(fuzz=False)
    outcome = scheduling.review(None, scheduling.Rating.GOOD, NOW, scheduler)
    return CardMemory.from_fsrs(outcome.memory, reps=1, lapses=0, fsrs_due=outcome.fsrs_due)


def test_fields_are_the_card_state_columns_it_mirrors():
    assert set(FIELDS) <= set(CardState.model_fields)
    assert FIELDS == (
        "state", "step", "stability", "difficulty", "due", "fsrs_due", "last_review", "reps",
        "lapses",
    )  # fmt: skip


def test_dict_round_trip_is_exact_and_json_ready():
    memory = _reviewed()
    text = json.dumps(memory.to_dict())
    assert CardMemory.from_dict(json.loads(text)) == memory
    assert json.loads(text)["due"] == memory.due.isoformat()


def test_a_new_memory_without_last_review_round_trips():
    memory = CardMemory(1, 0, None, None, NOW, None, None)
    assert memory.fsrs_due == NOW
    assert CardMemory.from_dict(memory.to_dict()) == memory


def test_a_snapshot_from_before_fsrs_due_takes_due():
    data = _reviewed().to_dict()
    del data["fsrs_due"]
    assert CardMemory.from_dict(data).fsrs_due == datetime.fromisoformat(data["due"])


def test_naive_times_in_an_old_snapshot_are_read_as_utc():
    data = _reviewed().to_dict() | {"due": "2026-03-01T09:40:00", "reps": 1}
    assert CardMemory.from_dict(data).due == datetime(2026, 3, 1, 9, 40, tzinfo=UTC)


def test_row_apply_and_read_back():
    memory = _reviewed()
    row = CardState(user_id=1, card_slug="x", state=0, due=NOW + timedelta(days=9))
    memory.apply_to(row)
    assert CardMemory.of(row) == memory


def test_fsrs_round_trip_keeps_the_scheduler_state():
    memory = _reviewed()
    card = memory.to_fsrs()
    assert isinstance(card, fsrs.Card)
    again = CardMemory.from_fsrs(
        card, reps=memory.reps, lapses=memory.lapses, fsrs_due=memory.fsrs_due
    )
    assert again == memory
