"""Time the lab's HTTP API: POST /api/lab/run on every preset, /api/lab/gradients, one
/api/lab/train chunk and the largest upload allowed, through the whole application (middleware,
JSON parsing, the engine, rounding, JSON encoding, gzip) on a fresh temporary database.

    .venv/bin/python bench/lab_api_bench.py                 # in-process (ASGI), no network
    LAB_RATE=1000 LAB_BURST=10000 make run   # then, from another shell:
    .venv/bin/python bench/lab_api_bench.py --url http://127.0.0.1:8000

Requests are sent as a browser sends them (`Accept-Encoding: gzip`). Every preset run asks for a
new seed, so no answer comes from the server's cache of preset runs; one row repeats the same
body to show a cached answer. Prints, per request: the median and 95th percentile of the wall
time seen by the client, the median of the server's own time for the work (the Server-Timing
header: engine, rounding, encoding and, for large answers, gzip), and the answer's size (JSON,
and as sent).
"""

import argparse
import gzip
import io
import json
import statistics
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from app.nn.presets import PRESETS  # noqa: E402


def requests() -> list[tuple[str, str, dict]]:
    """(label, path, body); a body with "seed" None gets a new seed on every request."""
    out = [(f"run {name}", "/api/lab/run", {"preset": name, "seed": None}) for name in PRESETS]
    out += [
        (
            "run adding-lstm, the same body again (cached)",
            "/api/lab/run",
            {"preset": "adding-lstm"},
        ),
        (
            "run adding-lstm, include_pre (the page)",
            "/api/lab/run",
            {"preset": "adding-lstm", "include_pre": True, "seed": None},
        ),
        (
            "run char-lstm, include_pre (the page)",
            "/api/lab/run",
            {"preset": "char-lstm", "include_pre": True, "seed": None},
        ),
        (
            "run adding-lstm, T = 500",
            "/api/lab/run",
            {"preset": "adding-lstm", "T": 500, "seed": None},
        ),
        ("gradients RNN / LSTM / GRU, T = 50, H = 32", "/api/lab/gradients", {}),
        ("train chunk: 20 steps, LSTM H = 16, T = 20, batch 32", "/api/lab/train", {"steps": 20}),
        (
            "upload: LSTM H = 128, D = 256, T = 500, include_pre (the largest allowed)",
            "/api/lab/run",
            {"upload": True, "T": 500, "include_pre": True, "seed": None},
        ),
    ]
    return out


def largest_weights() -> bytes:
    """An nn.LSTM(256, 128) state dict as .npz: the largest model the lab takes."""
    from app.nn.params import init_params

    arrays = init_params("lstm", 256, 128, np.random.default_rng(0))
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def multipart(weights: bytes, config: dict) -> tuple[bytes, str]:
    """The upload form, as the lab page sends it: the .npz and the JSON config."""
    boundary = "lab-bench-boundary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="weights"; filename="w.npz"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()
    tail = (
        f'\r\n--{boundary}\r\nContent-Disposition: form-data; name="config"\r\n\r\n'
        f"{json.dumps(config)}\r\n--{boundary}--\r\n"
    ).encode()
    return head + weights + tail, f"multipart/form-data; boundary={boundary}"


def encoded(body: dict, seed: int, weights: bytes) -> tuple[bytes, str]:
    """(request body, content type) for one request; a new seed where the body asks for one."""
    body = {**body, "seed": seed} if body.get("seed", 0) is None else dict(body)
    if body.pop("upload", False):
        return multipart(weights, body)
    return json.dumps(body).encode(), "application/json"


class InProcess:
    def __init__(self) -> None:
        from fastapi.testclient import TestClient

        from app.config import Settings
        from app.main import create_app
        from app.migrate import upgrade

        data = Path(tempfile.mkdtemp(prefix="lab-bench-"))
        # One client sends every request: lift the per-address share (the defaults would answer
        # most of them 429, which is their job, not what this measures).
        settings = Settings(
            data_dir=data,
            secret_key="bench-secret-key-bench-secret-key-0123",
            lab_rate=1000,
            lab_burst=10000,
        )
        upgrade(settings)
        self.client = TestClient(create_app(settings), base_url="http://127.0.0.1")

    def post(self, path: str, data: bytes, content_type: str) -> tuple[bytes, int, str]:
        headers = {"Content-Type": content_type, "Accept-Encoding": "gzip"}
        response = self.client.post(path, content=data, headers=headers)
        response.raise_for_status()
        wire = int(response.headers.get("content-length", len(response.content)))
        return response.content, wire, response.headers.get("server-timing", "")


class OverHTTP:
    def __init__(self, url: str) -> None:
        self.url = url.rstrip("/")

    def post(self, path: str, data: bytes, content_type: str) -> tuple[bytes, int, str]:
        request = urllib.request.Request(
            self.url + path,
            data=data,
            headers={"Content-Type": content_type, "Accept-Encoding": "gzip"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            wire = response.read()
            timing = response.headers.get("Server-Timing", "")
            packed = response.headers.get("Content-Encoding") == "gzip"
        return (gzip.decompress(wire) if packed else wire), len(wire), timing


def server_ms(header: str) -> float:
    return float(header.split("dur=")[1].split(";")[0]) if "dur=" in header else float("nan")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="a running server instead of the in-process app")
    parser.add_argument("--repeat", type=int, default=60, help="timed requests per row")
    args = parser.parse_args()
    target = OverHTTP(args.url) if args.url else InProcess()

    weights = largest_weights()
    print("| request | median ms | p95 ms | server ms | KB | KB sent |")
    print("|---|---:|---:|---:|---:|---:|")
    seed = 1000
    for label, path, body in requests():
        repeat = max(5, args.repeat // 6) if "upload" in body else args.repeat
        walls, servers = [], []
        for i in range(5 + repeat):  # the first 5 warm up: weights loaded, pools started
            seed += 1
            data, content_type = encoded(body, seed, weights)
            start = time.perf_counter()
            content, wire, timing = target.post(path, data, content_type)
            if i >= 5:
                walls.append((time.perf_counter() - start) * 1000)
                servers.append(server_ms(timing))
        walls.sort()
        p95 = walls[min(len(walls) - 1, round(0.95 * len(walls)))]
        print(
            f"| {label} | {statistics.median(walls):.1f} | {p95:.1f} | "
            f"{statistics.median(servers):.1f} | {len(content) / 1024:.0f} | {wire / 1024:.0f} |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
