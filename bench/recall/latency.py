"""Time the recall detector: `.venv/bin/python bench/recall/latency.py`.

Three figures, each the median, 95th percentile and maximum in milliseconds:
- `check()` on every answer of the labelled set (the usual case: a few sentences);
- `check()` on worst cases per card: the longest answer accepted (4,000 characters) made of the
  card's own answer text (many cue hits) and of misspelt words (every word needs the typo search);
- `POST /api/recall/check` through the whole application in-process (middleware, JSON, the
  detector), for a labelled strong answer and for a 4,000-character answer.
The target is under 50 ms per check.
"""

import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from app.content import load_deck  # noqa: E402
from app.nn.presets import PRESET_NAMES  # noqa: E402
from app.study.recall import MAX_ANSWER_CHARS, check  # noqa: E402

LABELLED = Path(__file__).with_name("labelled.jsonl")


def summary(name: str, times: list[float]) -> None:
    ms = sorted(t * 1000 for t in times)
    p95 = ms[min(len(ms) - 1, int(0.95 * len(ms)))]
    print(f"{name:<44} {len(ms):>5} {statistics.median(ms):>8.2f} {p95:>8.2f} {ms[-1]:>8.2f}")


def timed(fn, *args, repeat: int = 5) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn(*args)
        best = min(best, time.perf_counter() - start)
    return best


def misspelt(text: str, rng: random.Random) -> str:
    def typo(word: str) -> str:
        if len(word) < 5:
            return word
        i = rng.randrange(1, len(word) - 1)
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]

    return " ".join(typo(w) for w in text.split())


def main() -> int:
    deck = load_deck(ROOT / "questions", PRESET_NAMES)
    rows = [json.loads(line) for line in LABELLED.read_text(encoding="utf-8").splitlines() if line]
    print(f"{'case':<44} {'n':>5} {'median':>8} {'p95':>8} {'max':>8}   (ms)")
    summary(
        "check(), labelled answers",
        [timed(check, deck.get(r["card"]).cues, r["answer"]) for r in rows],
    )
    rng = random.Random(0)
    worst, typos = [], []
    for card in deck:
        text = f"{card.short_answer.source}\n{card.full_answer.source}\n"
        long = (text * (MAX_ANSWER_CHARS // len(text) + 1))[:MAX_ANSWER_CHARS]
        worst.append(timed(check, card.cues, long))
        typos.append(timed(check, card.cues, misspelt(long, rng)[:MAX_ANSWER_CHARS]))
    summary("check(), 4,000 chars of the card's answer", worst)
    summary("check(), 4,000 chars, every long word misspelt", typos)

    from fastapi.testclient import TestClient

    from app.config import Settings
    from app.main import create_app
    from app.migrate import upgrade

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            data_dir=Path(tmp),
            database_url=f"sqlite:///{tmp}/bench.db",
            secret_key="bench-secret-key-not-for-production",
            questions_dir=ROOT / "questions",
        )
        upgrade(settings)
        with TestClient(create_app(settings), base_url="http://127.0.0.1") as client:
            strong = next(r for r in rows if r["kind"] == "strong")
            long = (strong["answer"] + " ") * (MAX_ANSWER_CHARS // len(strong["answer"]))
            for name, answer in (("strong", strong["answer"]), ("4,000 chars", long)):
                body = {"card": strong["card"], "answer": answer[:MAX_ANSWER_CHARS]}
                client.post("/api/recall/check", json=body)  # warm up
                times = []
                for _ in range(50):
                    start = time.perf_counter()
                    response = client.post("/api/recall/check", json=body)
                    times.append(time.perf_counter() - start)
                    assert response.status_code == 200, response.text
                summary(f"POST /api/recall/check, {name}", times)
    return 0


if __name__ == "__main__":
    sys.exit(main())
