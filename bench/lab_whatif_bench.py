"""The lab's second round, timed: what holding values costs, and the unit search and sampling.

    .venv/bin/python bench/lab_whatif_bench.py

Each figure is the best of 7 repeats of a mean over 20 calls (engine work only, no HTTP). With
nothing held the cells run their usual step (one `is None` test per step decides it).
"""

import sys
import timeit
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.nn import lab, sequence
from app.nn.interventions import Intervention
from app.nn.params import init_params


def best_ms(fn, number: int = 20, repeat: int = 7) -> float:
    return min(timeit.repeat(fn, number=number, repeat=repeat)) / number * 1000


def main() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(50, 1, 2))
    print("| cell | forward, nothing held | one unit held on all 50 steps | 8 held |")
    print("|---|---:|---:|---:|")
    for cell, q in (("lstm", "f"), ("gru", "z"), ("rnn", "h")):
        p = init_params(cell, 2, 16, rng)
        one = [Intervention(q, 3, 0, 50, 0.5)]
        eight = [Intervention(q, u, 0, 50, 0.5) for u in range(8)]
        plain = best_ms(lambda p=p: sequence.forward(p, x))
        held = best_ms(lambda p=p, one=one: sequence.forward(p, x, interventions=one))
        many = best_ms(lambda p=p, eight=eight: sequence.forward(p, x, interventions=eight))
        print(f"| {cell} | {plain:.3f} ms | {held:.3f} ms | {many:.3f} ms |")
    text = 'She said "the cell keeps it" and left.'
    w, xs, t = lab.preset_input("char-lstm", None, text, None)
    units = best_ms(lambda: lab.find_units(w, xs, t, feature="inside-quotes"), number=5)
    sample = best_ms(lambda: lab.sample_text(w, "The cell ", 500, 0.8, 0), number=1, repeat=3)
    hold = [{"quantity": "f", "unit": 3, "from_step": 11, "to_step": 50, "value": 0.0}]
    run = best_ms(lambda: lab.run_preset("adding-lstm", interventions=hold, baseline=True), 5)
    print(f"\nfind_units char-lstm (H = 64, T = {len(text)}): {units:.2f} ms")
    print(f"sample 500 characters from char-lstm: {sample:.1f} ms")
    print(f"run_preset adding-lstm with one hold and the baseline: {run:.2f} ms")


if __name__ == "__main__":
    main()
