"""How well the recall detector hears key points: `python bench/recall/evaluate.py [--show]`.

`--baseline=0.3` scores plain word overlap with the key point's own text instead, for
comparison: a key point counts when that share of its words occur in the answer.

Reads bench/recall/labelled.jsonl (one answer a line: card slug, kind, the key point indices a
careful reader credits, the answer) and prints, for the development half, the held-out half and
all answers: micro-averaged precision and recall of "covered" over every (answer, key point) pair,
and the share of fluent-but-wrong answers (kind "wrong") credited with any key point.

The halves are fixed by a hash of the answer text, so adding answers never reshuffles old ones.
The cues were tuned on the development half only; the held-out half was checked at the end.
"""

import hashlib
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from app.content import load_deck  # noqa: E402
from app.content.cues import tokenize  # noqa: E402
from app.nn.presets import PRESET_NAMES  # noqa: E402
from app.study.recall import check  # noqa: E402

LABELLED = Path(__file__).with_name("labelled.jsonl")


def split_of(answer: str) -> str:
    return "held-out" if hashlib.sha256(answer.encode()).digest()[0] % 2 else "development"


def overlap_baseline(card, answer: str, share: float = 0.5) -> set[int]:
    """The easy win to beat: a key point counts when half its words occur in the answer."""
    words = {t.word for t in tokenize(answer)}
    found = set()
    for i, point in enumerate(card.key_points):
        point_words = {t.word for t in tokenize(point.source) if len(t.word) > 2}
        if point_words and len(point_words & words) >= share * len(point_words):
            found.add(i)
    return found


def evaluate(rows: list[dict], deck, *, show: bool = False, baseline: float | None = None) -> dict:
    tp = fp = fn = 0
    wrong = wrong_credited = 0
    for row in rows:
        card = deck.get(row["card"])
        result = check(card.cues, row["answer"])
        found = {p.index for p in result.points if p.covered}
        if baseline is not None:
            found = overlap_baseline(card, row["answer"], baseline)
        truth = set(row["covered"])
        tp += len(found & truth)
        fp += len(found - truth)
        fn += len(truth - found)
        if row["kind"] == "wrong":
            wrong += 1
            wrong_credited += bool(found)
        if show and found != truth:
            print(f"- {row['card']} [{row['kind']}] truth {sorted(truth)} found {sorted(found)}")
            for p in result.points:
                if p.covered and p.index not in truth:
                    print(f"    extra {p.index}: {p.evidence!r}")
            print(f"    {row['answer'][:300]}")
    return {
        "answers": len(rows),
        "precision": tp / (tp + fp) if tp + fp else 1.0,
        "recall": tp / (tp + fn) if tp + fn else 1.0,
        "wrong": wrong,
        "wrong_credited": wrong_credited,
    }


def main(argv: list[str]) -> int:
    deck = load_deck(ROOT / "questions", PRESET_NAMES)
    rows = [json.loads(line) for line in LABELLED.read_text(encoding="utf-8").splitlines() if line]
    halves = {"development": [], "held-out": []}
    for row in rows:
        halves[split_of(row["answer"])].append(row)
    which = [a for a in argv if a in ("development", "held-out", "all")] or ["all"]
    show = "--show" in argv
    shares = [float(a.split("=", 1)[1] or 0.5) for a in argv if a.startswith("--baseline=")]
    baseline = shares[0] if shares else None
    if baseline is not None:
        print(f"word-overlap baseline (a share {baseline} of a key point's words in the answer):")
    print(f"{'set':<12} {'answers':>7} {'precision':>9} {'recall':>6}  wrong answers credited")
    for name, subset in (*halves.items(), ("all", rows)):
        r = evaluate(subset, deck, show=show and name in which, baseline=baseline)
        share = r["wrong_credited"] / r["wrong"] if r["wrong"] else 0.0
        print(
            f"{name:<12} {r['answers']:>7} {r['precision']:>9.3f} {r['recall']:>6.3f}"
            f"  {r['wrong_credited']}/{r['wrong']} ({share:.0%})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
