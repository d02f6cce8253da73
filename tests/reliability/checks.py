"""What the database must hold after a load: every acknowledged write exactly once, nothing
half-written, and the tables consistent with one another. Each check returns the problems found
(an empty list when all is well), so a failing test names every one of them."""

from collections import Counter, defaultdict

from sqlalchemy import text

from app.db import make_engine
from tests.reliability.load import ClientLog, Write

# A card's state exists exactly when it has reviews, and its review count is its number of logs.
INCONSISTENT_CARDS = text(
    """
    SELECT s.user_id, s.card_slug, s.reps, COUNT(l.id) AS logs
    FROM card_state s LEFT JOIN review_log l
      ON l.user_id = s.user_id AND l.card_slug = s.card_slug
    GROUP BY s.id, s.user_id, s.card_slug, s.reps
    HAVING s.reps <> COUNT(l.id)
    UNION ALL
    SELECT l.user_id, l.card_slug, NULL, COUNT(*)
    FROM review_log l LEFT JOIN card_state s
      ON s.user_id = l.user_id AND s.card_slug = l.card_slug
    WHERE s.id IS NULL
    GROUP BY l.user_id, l.card_slug
    """
)
REVIEW_KEYS = text(
    "SELECT idempotency_key, user_id, card_slug FROM review_log WHERE idempotency_key IS NOT NULL"
)
ANSWERS = text("SELECT attempt_id, item_index FROM quiz_answer")
# Rows whose owner is gone would mean a foreign key was not enforced.
ORPHANS = text(
    """
    SELECT 'review_log', COUNT(*) FROM review_log l
      WHERE NOT EXISTS (SELECT 1 FROM "user" u WHERE u.id = l.user_id)
    UNION ALL
    SELECT 'card_state', COUNT(*) FROM card_state s
      WHERE NOT EXISTS (SELECT 1 FROM "user" u WHERE u.id = s.user_id)
    UNION ALL
    SELECT 'quiz_answer', COUNT(*) FROM quiz_answer a
      WHERE NOT EXISTS (SELECT 1 FROM quiz_attempt q WHERE q.id = a.attempt_id)
    """
)


class Database:
    """The rows the checks read, fetched once."""

    def __init__(self, url: str) -> None:
        engine = make_engine(url)
        try:
            with engine.connect() as conn:
                self.reviews: dict[str, list[tuple[int, str]]] = defaultdict(list)
                for key, user_id, slug in conn.execute(REVIEW_KEYS):
                    self.reviews[key].append((user_id, slug))
                self.answers = Counter(f"{a}:{i}" for a, i in conn.execute(ANSWERS))
                self.inconsistent = [tuple(row) for row in conn.execute(INCONSISTENT_CARDS)]
                self.orphans = [tuple(r) for r in conn.execute(ORPHANS) if r[1]]
                self.integrity = _integrity(conn) if url.startswith("sqlite") else []
        finally:
            engine.dispose()

    def count(self, write: Write) -> int:
        """How many times this write is stored."""
        if write.kind == "review":
            return len(self.reviews.get(write.key, []))
        return self.answers.get(write.key, 0)

    def has(self, write: Write) -> bool:
        return self.count(write) > 0


def _integrity(conn) -> list[str]:
    problems = []
    result = [row[0] for row in conn.exec_driver_sql("PRAGMA integrity_check")]
    if result != ["ok"]:
        problems.append(f"PRAGMA integrity_check: {result[:10]}")
    broken = list(conn.exec_driver_sql("PRAGMA foreign_key_check"))
    if broken:
        problems.append(f"PRAGMA foreign_key_check: {broken[:10]}")
    return problems


def structure(db: Database) -> list[str]:
    """Nothing half-written: the file is sound, no orphans, every card's state matches its logs."""
    problems = list(db.integrity)
    problems += [f"{table}: {n} rows whose owner is gone" for table, n in db.orphans]
    problems += [
        f"user {user} card {slug}: reps {reps} but {logs} review logs"
        for user, slug, reps, logs in db.inconsistent
    ]
    duplicates = {key: rows for key, rows in db.reviews.items() if len(rows) > 1}
    problems += [f"review key {key} recorded {len(rows)} times" for key, rows in duplicates.items()]
    problems += [f"answer {key} recorded {n} times" for key, n in db.answers.items() if n > 1]
    return problems


def acknowledged(db: Database, logs: list[ClientLog]) -> list[str]:
    """Every acknowledged write is there exactly once, on the right card and the right user."""
    problems = []
    for log in logs:
        users = set()
        for write in log.acked:
            problems += _present(db, write, log.name)
            if write.kind == "review" and len(db.reviews.get(write.key, [])) == 1:
                users.add(db.reviews[write.key][0][0])
        if len(users) > 1:  # one client, one cookie: every write belongs to one user
            problems.append(f"{log.name}: acknowledged reviews spread over users {sorted(users)}")
    return problems


def _present(db: Database, write: Write, who: str) -> list[str]:
    n = db.count(write)
    if n != 1:
        return [f"{who}: acknowledged {write.kind} {write.key} found {n} times"]
    if write.kind == "review" and db.reviews[write.key][0][1] != write.card:
        return [f"{who}: review {write.key} is on {db.reviews[write.key][0][1]}, not {write.card}"]
    return []


def all_problems(url: str, logs: list[ClientLog]) -> list[str]:
    db = Database(url)
    return structure(db) + acknowledged(db, logs)
