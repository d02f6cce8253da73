"""Time the lab's NumPy engine against PyTorch's CPU RNNs in the same run.

    .venv/bin/python bench/nn_bench.py            # LSTM, GRU, RNN; float32 and float64
    .venv/bin/python bench/nn_bench.py --cells lstm --dtypes float64

For T = 50, N in (1, 32), H in (16, 32, 64), D = 2 (the adding problem's input), it times a
forward pass and a training step's forward + backward (loss Σ w ⊙ h over every step, so the
gradient flows through all of BPTT) and prints a Markdown table with NumPy / PyTorch ratios.
PyTorch is timed twice, at 1 thread and at its default thread count: at these sizes it is often
faster on one thread, so each ratio is taken against the faster of the two (the fair column).
Each figure is the best of 5 repeats of the mean over enough calls to take ~0.2 s. Then it times
lab.run_preset on every preset.
"""

import argparse
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.nn import lab, sequence
from app.nn.params import init_params

T, D = 50, 2
NS, HS = (1, 32), (16, 32, 64)


def numpy_threads() -> int:
    try:
        from threadpoolctl import threadpool_info

        return max(i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas")
    except (ImportError, ValueError):
        for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
            if os.environ.get(var):
                return int(os.environ[var])
        return os.cpu_count() or 1


def best_time(fn, budget: float = 0.2, repeats: int = 5) -> float:
    """Seconds per call: the best of `repeats` means (the least disturbed by other load)."""
    fn()
    start, n = time.perf_counter(), 0
    while time.perf_counter() - start < budget / repeats:
        fn()
        n += 1
    n = max(n, 3)
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(n):
            fn()
        best = min(best, (time.perf_counter() - start) / n)
    return best


def bench_numpy(cell, N, H, dtype):
    rng = np.random.default_rng(0)
    p = init_params(cell, D, H, rng, dtype=dtype)
    x = rng.normal(size=(T, N, D)).astype(dtype)
    w = rng.normal(size=(T, N, H)).astype(dtype)

    def fwd():
        sequence.forward(p, x)

    def step():
        _, cache = sequence.forward(p, x)
        sequence.backward(cache, dh=w)

    return best_time(fwd), best_time(step)


def bench_torch(torch, cell, N, H, dtype):
    torch.manual_seed(0)
    tdtype = getattr(torch, dtype)
    module = getattr(torch.nn, {"lstm": "LSTM", "gru": "GRU", "rnn": "RNN"}[cell])(D, H).to(tdtype)
    x = torch.randn(T, N, D, dtype=tdtype)
    w = torch.randn(T, N, H, dtype=tdtype)

    def fwd():
        with torch.no_grad():
            module(x)

    def step():
        module.zero_grad()
        out, _ = module(x)
        (out * w).sum().backward()

    return best_time(fwd), best_time(step)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cells", nargs="+", default=["lstm", "gru", "rnn"])
    ap.add_argument("--dtypes", nargs="+", default=["float32", "float64"])
    args = ap.parse_args(argv)
    try:
        import torch
    except ImportError:
        print("PyTorch is not installed: pip install -e '.[torch]'", file=sys.stderr)
        return 1
    default_threads = torch.get_num_threads()
    print(
        f"NumPy {np.__version__} ({numpy_threads()} BLAS threads), PyTorch {torch.__version__} "
        f"(1 and {default_threads} threads), {os.cpu_count()} CPUs, {platform.machine()}, "
        f"Python {platform.python_version()}"
    )
    print(
        f"\nT = {T}, D = {D}; milliseconds per call; ratio = NumPy / the faster PyTorch "
        "(lower is better; below 1 NumPy is faster)\n"
    )
    t = f"{default_threads}t"
    print(f"| cell | dtype | N | H | fwd NumPy | fwd torch 1t | fwd torch {t} | ratio |", end="")
    print(f" step NumPy | step torch 1t | step torch {t} | ratio |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for cell in args.cells:
        for dtype in args.dtypes:
            for N in NS:
                for H in HS:
                    nf, ns = bench_numpy(cell, N, H, dtype)
                    torch.set_num_threads(1)
                    tf1, ts1 = bench_torch(torch, cell, N, H, dtype)
                    torch.set_num_threads(default_threads)
                    tfd, tsd = bench_torch(torch, cell, N, H, dtype)
                    print(
                        f"| {cell} | {dtype} | {N} | {H} | {nf * 1e3:.3f} | {tf1 * 1e3:.3f} | "
                        f"{tfd * 1e3:.3f} | {nf / min(tf1, tfd):.2f} | {ns * 1e3:.3f} | "
                        f"{ts1 * 1e3:.3f} | {tsd * 1e3:.3f} | {ns / min(ts1, tsd):.2f} |",
                        flush=True,
                    )
    print("\nlab.run_preset, default input, weights already loaded (milliseconds per call)\n")
    print("| preset | ms |")
    print("|---|---:|")
    for name in sorted(lab.PRESETS):
        print(f"| {name} | {best_time(lambda n=name: lab.run_preset(n)) * 1e3:.2f} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
