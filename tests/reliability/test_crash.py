"""SIGKILL the server (supervisor and both workers) in the middle of the write load, restart it:
every acknowledged write is there, nothing is half-written, and retrying the writes that got no
answer records each of them once. Runs on SQLite (WAL) and on PostgreSQL."""

import threading

from tests.reliability import checks, load
from tests.reliability import server as app_server

KILL_AFTER = 500  # acknowledged writes before the kill: about a quarter of the way through


def test_sigkill_mid_load_keeps_every_acknowledged_write(tmp_path, database_url, slugs):
    server = app_server.start(tmp_path, database_url)
    stop = threading.Event()
    count, lock = [0], threading.Lock()

    def on_ack() -> None:
        with lock:
            count[0] += 1
            if count[0] != KILL_AFTER:
                return
        server.kill()  # every other client has a request in flight
        stop.set()

    try:
        logs = load.run(server.url, slugs, stop=stop, on_ack=on_ack)
    finally:
        server.stop()
    totals = load.summary(logs)
    print(f"\n{database_url.split(':')[0]}: killed after {KILL_AFTER} acknowledgements: {totals}")
    assert stop.is_set() and server.process.returncode == -9
    assert [e for log in logs for e in log.server_errors] == []
    assert totals["in doubt"] > 0, "the kill should have caught writes in flight"

    # What the killed server left behind, before anything else touches the database.
    assert checks.all_problems(database_url, logs) == []
    in_doubt = [w for log in logs for w in log.in_doubt]
    stored = sum(map(checks.Database(database_url).has, in_doubt))
    print(f"in doubt: {len(in_doubt)}, of which stored all the same: {stored}")

    restarted = app_server.start(tmp_path, database_url, log_name="server-after-kill.log")
    try:
        retried = load.retry_in_doubt(restarted.url, logs)
    finally:
        restarted.stop()
    for before, after in zip(logs, retried, strict=True):
        assert after.in_doubt == [] and len(after.sent) == len(before.in_doubt)
        for write, status in after.sent:
            # A review is idempotent: 200 whether or not the first try had been committed. An
            # answer whose first try had been committed is refused as given already, never doubled.
            assert status in ({200} if write.kind == "review" else {200, 409}), (write, status)
    assert checks.all_problems(database_url, logs + retried) == []
    db = checks.Database(database_url)
    assert [w for w in in_doubt if db.count(w) != 1] == []
    assert "Traceback" not in restarted.log()
