"""Twenty learners at once against two workers: no server error, and every acknowledged review
and quiz answer is in the database exactly once. Runs on SQLite (WAL) and on PostgreSQL."""

import time

from tests.reliability import checks, load

CLIENTS = 20
WRITES = 100  # per client: 70 new reviews, 10 retried reviews, 20 quiz answers


def test_every_acknowledged_write_is_stored_exactly_once(served, database_url, slugs):
    started = time.monotonic()
    logs = load.run(served.url, slugs, clients=CLIENTS, writes=WRITES)
    elapsed = time.monotonic() - started
    totals = load.summary(logs)
    print(f"\n{database_url.split(':')[0]}: {elapsed:.1f} s for {CLIENTS}×{WRITES}: {totals}")

    assert [e for log in logs for e in log.server_errors] == []
    assert [w for log in logs for w in log.in_doubt] == []
    assert [r for log in logs for r in log.refused] == []
    assert [m for log in logs for m in log.replay_mismatches] == []
    retries = WRITES // load.RETRY_EVERY
    assert totals["replayed retries"] == CLIENTS * retries
    assert totals["acknowledged answers"] == CLIENTS * (WRITES // load.ANSWER_EVERY)
    assert totals["acknowledged reviews"] + totals["acknowledged answers"] == CLIENTS * (
        WRITES - retries
    )
    assert checks.all_problems(database_url, logs) == []
    assert "Traceback" not in served.log()
    assert elapsed < 60, f"the load took {elapsed:.1f} s"
