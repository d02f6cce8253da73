"""Time the lab's HTTP API: POST /api/lab/run on every preset, /api/lab/gradients and one
/api/lab/train chunk, through the whole application (middleware, JSON parsing, the engine,
rounding, JSON encoding) on a fresh temporary database.

    .venv/bin/python bench/lab_api_bench.py                 # in-process (ASGI), no network
    .venv/bin/python bench/lab_api_bench.py --url http://127.0.0.1:8000   # a running server

Prints, per request: the median and 95th percentile of the wall time seen by the client, the
median of the server's own time for the work (the Server-Timing header), and the response size
(raw and gzip-compressed, as the server sends it to browsers).
"""

import argparse
import gzip
import json
import statistics
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.nn.presets import PRESETS  # noqa: E402


def requests() -> list[tuple[str, str, dict]]:
    out = [(f"run {name}", "/api/lab/run", {"preset": name}) for name in PRESETS]
    out += [
        (
            "run adding-lstm, include_pre (the page)",
            "/api/lab/run",
            {"preset": "adding-lstm", "include_pre": True},
        ),
        (
            "run char-lstm, include_pre (the page)",
            "/api/lab/run",
            {"preset": "char-lstm", "include_pre": True},
        ),
        ("run adding-lstm, T = 500", "/api/lab/run", {"preset": "adding-lstm", "T": 500}),
        ("gradients RNN / LSTM / GRU, T = 50, H = 32", "/api/lab/gradients", {}),
        ("train chunk: 20 steps, LSTM H = 16, T = 20, batch 32", "/api/lab/train", {"steps": 20}),
    ]
    return out


class InProcess:
    def __init__(self) -> None:
        from fastapi.testclient import TestClient

        from app.config import Settings
        from app.main import create_app
        from app.migrate import upgrade

        data = Path(tempfile.mkdtemp(prefix="lab-bench-"))
        settings = Settings(data_dir=data, secret_key="bench-secret-key-bench-secret-key-0123")
        upgrade(settings)
        self.client = TestClient(create_app(settings), base_url="http://127.0.0.1")

    def post(self, path: str, body: dict) -> tuple[bytes, str]:
        response = self.client.post(path, json=body, headers={"Accept-Encoding": "identity"})
        response.raise_for_status()
        return response.content, response.headers.get("server-timing", "")


class OverHTTP:
    def __init__(self, url: str) -> None:
        self.url = url.rstrip("/")

    def post(self, path: str, body: dict) -> tuple[bytes, str]:
        request = urllib.request.Request(
            self.url + path,
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json", "Accept-Encoding": "identity"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.read(), response.headers.get("Server-Timing", "")


def server_ms(header: str) -> float:
    return float(header.split("dur=")[1]) if "dur=" in header else float("nan")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="a running server instead of the in-process app")
    parser.add_argument("--repeat", type=int, default=60, help="timed requests per row")
    args = parser.parse_args()
    target = OverHTTP(args.url) if args.url else InProcess()

    print("| request | median ms | p95 ms | server ms | KB | KB gzip |")
    print("|---|---:|---:|---:|---:|---:|")
    for label, path, body in requests():
        for _ in range(5):  # warm up: weights loaded, caches filled
            target.post(path, body)
        walls, servers = [], []
        for _ in range(args.repeat):
            start = time.perf_counter()
            content, timing = target.post(path, body)
            walls.append((time.perf_counter() - start) * 1000)
            servers.append(server_ms(timing))
        walls.sort()
        p95 = walls[min(len(walls) - 1, round(0.95 * len(walls)))]
        size = len(content) / 1024
        packed = len(gzip.compress(content, compresslevel=9)) / 1024
        print(
            f"| {label} | {statistics.median(walls):.1f} | {p95:.1f} | "
            f"{statistics.median(servers):.1f} | {size:.0f} | {packed:.0f} |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
