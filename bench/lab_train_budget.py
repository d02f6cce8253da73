"""How long a live-training chunk takes at the edge of its budget, and what a multiply-add costs.

The lab refuses a chunk whose cost, steps × T × (batch × G × H × (H + D) + STEP_OVERHEAD)
multiply-adds, passes MAX_TRAIN_WORK (app/nn/lab.py). This times `train_chunk` with the most
steps the budget allows for models from tiny to the largest the page trains, so the table shows
(a) that a full chunk stays well under a second whatever the shape, and (b) the time per unit of
cost, which should stay roughly flat if the formula tracks the real cost.

    OPENBLAS_NUM_THREADS=1 .venv/bin/python bench/lab_train_budget.py

Each figure is the best of 3 runs (one NumPy thread, as the server runs it), in CPU seconds of
this process (`time.process_time`): on an idle machine that is the wall time, and on a shared
one it leaves out the time other processes held the cores.
"""

import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.nn import lab

# (cell, H, T, batch): the page trains batch 32; the API allows 64.
SHAPES = [
    ("lstm", 1, 200, 1),
    ("lstm", 16, 20, 32),
    ("lstm", 16, 50, 64),
    ("lstm", 32, 100, 32),
    ("lstm", 64, 50, 64),
    ("lstm", 64, 200, 32),
    ("gru", 64, 200, 32),
    ("rnn", 64, 200, 64),
]


def best_of(runs: int, fn) -> float:
    times = []
    for _ in range(runs):
        started = time.process_time()
        fn()
        times.append(time.process_time() - started)
    return min(times)


def main() -> None:
    columns = ("cell", "H", "T", "batch", "steps allowed", "cost (M multiply-adds)")
    columns += ("chunk CPU ms", "ns per unit")
    print("| " + " | ".join(columns) + " |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for cell, H, T, N in SHAPES:
        steps = min(lab.MAX_CHUNK, lab.MAX_TRAIN_WORK // lab.train_work(cell, 1, T, N, H))
        state = lab.new_training_state(cell, H=H, T=T, batch=N)
        seconds = best_of(3, lambda s=state, k=steps: lab.train_chunk(s, k))
        work = lab.train_work(cell, steps, T, N, H)
        print(
            f"| {cell} | {H} | {T} | {N} | {steps} | {work / 1e6:.0f} | {seconds * 1000:.0f} "
            f"| {seconds / work * 1e9:.2f} |"
        )


if __name__ == "__main__":
    main()
