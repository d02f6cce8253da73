"""Bounded load figures on loopback: the app against bare FastAPI, measured in the same run.

Starts the app exactly as production does (`python -m app.serve`, 2 workers, a fresh SQLite
database in a temporary folder) and bench/load/bare_app.py (uvicorn, 2 workers), then for each
request runs Locust headless for a fixed time with 50 users and no think time, and writes
p50/p99 latency and requests per second to bench/load/RESULTS.md. With --postgres, the review
submission is measured on a throw-away PostgreSQL 15 cluster too (with PostgreSQL's default
durability: fsync on every commit). Everything stops by itself.

    python3 -m venv bench/load/.venv && bench/load/.venv/bin/pip install locust
    .venv/bin/python bench/load/run.py                 # about 2 minutes
    .venv/bin/python bench/load/run.py --postgres --seconds 30
"""

import argparse
import csv
import os
import platform
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
LOCUST = HERE / ".venv" / "bin" / "locust"
WORKERS = 2
SECRET_KEY = "load-benchmark-key-0123456789abcdefghijklmnopqrstuv"


@dataclass(frozen=True)
class Scenario:
    label: str
    user_class: str  # in locustfile.py
    target: str  # "app" or "bare"
    database: str = "SQLite"


@dataclass(frozen=True)
class Figures:
    scenario: Scenario
    requests: int
    failures: int
    rps: float
    p50: float
    p99: float


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Served:
    """A server in its own process group, on a free loopback port, stopped with the group."""

    def __init__(self, command: list[str], env: dict[str, str], log: Path, ready: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        environment = {**os.environ, **env, "HOST": "127.0.0.1", "PORT": str(self.port)}
        with log.open("w") as out:
            self.process = subprocess.Popen(
                [arg.replace("{port}", str(self.port)) for arg in command],
                cwd=ROOT,
                env=environment,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self._wait(ready)

    def _wait(self, path: str, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"server exited:\n{self.log.read_text()}")
            if self.log.read_text().count("Application startup complete") >= WORKERS:
                try:
                    with urllib.request.urlopen(self.url + path, timeout=2):
                        return
                except OSError:
                    pass
            time.sleep(0.2)
        self.stop()
        raise SystemExit(f"server did not start:\n{self.log.read_text()}")

    def stop(self) -> None:
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(self.process.pid, sig)
                self.process.wait(timeout=15)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                pass


def start_app(folder: Path, database_url: str, name: str) -> Served:
    data = folder / name
    data.mkdir()
    env = {
        "DATA_DIR": str(data),
        "DATABASE_URL": database_url,
        "WORKERS": str(WORKERS),
        "SECRET_KEY": SECRET_KEY,
        "ENVIRONMENT": "production",
    }
    command = [sys.executable, "-m", "app.serve"]
    return Served(command, env, data / "server.log", "/healthz")


def start_bare(folder: Path) -> Served:
    # The same uvicorn settings as app/serve.py (access log at info, proxy headers), app aside.
    command = [sys.executable, "-m", "uvicorn", "--host", "127.0.0.1", "--port", "{port}"]
    command += ["--workers", str(WORKERS), "--proxy-headers", "--log-level", "info"]
    return Served([*command, "bench.load.bare_app:app"], {}, folder / "bare.log", "/ping")


def run_locust(
    locust: Path, scenario: Scenario, host: str, users: int, seconds: int, out: Path
) -> Figures:
    prefix = out / scenario.user_class
    with (out / f"{scenario.user_class}.log").open("w") as log:
        subprocess.run(
            [
                str(locust),
                "-f",
                str(HERE / "locustfile.py"),
                "--headless",
                "--users",
                str(users),
                "--spawn-rate",
                str(users),
                "--run-time",
                f"{seconds}s",
                "--stop-timeout",
                "10",
                "--reset-stats",  # measure from the moment every user is running
                "--host",
                host,
                "--csv",
                str(prefix),
                "--only-summary",
                "--loglevel",
                "WARNING",
                scenario.user_class,
            ],
            check=False,  # Locust exits 1 when any request failed; the failures are reported
            cwd=HERE,
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
    with open(f"{prefix}_stats.csv", newline="") as f:
        rows = {row["Name"]: row for row in csv.DictReader(f)}
    measured = next(row for name, row in rows.items() if name.startswith(("GET /", "POST /")))
    return Figures(
        scenario,
        requests=int(measured["Request Count"]),
        failures=int(measured["Failure Count"]),
        rps=float(measured["Requests/s"]),
        p50=float(measured["50%"]),
        p99=float(measured["99%"]),
    )


def report(
    figures: list[Figures], users: int, seconds: int, locust: Path, load_before: float
) -> str:
    bare = next(f for f in figures if f.scenario.target == "bare")
    locust_version = subprocess.run(
        [str(locust), "--version"], capture_output=True, text=True, check=False
    ).stdout.split()[1]
    lines = [
        "# Load figures",
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d} by `bench/load/run.py` on loopback: {users} "
        f"concurrent users with no think time, {seconds} s per row once every user was running. "
        f"The app runs as in production (`python -m app.serve`, {WORKERS} uvicorn workers, "
        f"ENVIRONMENT=production); the bare app is one FastAPI endpoint returning "
        f'`{{"ok": true}}` under uvicorn with {WORKERS} workers, measured in the same run. Load '
        f"from Locust {locust_version} (FastHttpUser, one process) on the same machine.",
        "",
        f"Machine: {os.cpu_count()} cores ({platform.machine()}), {platform.system()}, "
        f"Python {platform.python_version()}, FastAPI {version('fastapi')}, "
        f"uvicorn {version('uvicorn')}, SQLAlchemy {version('sqlalchemy')}; load average "
        f"before the run {load_before:.1f} (other work on the machine inflates every row).",
        "",
        "| request | database | requests | failures | req/s | p50 ms | p99 ms "
        "| bare req/s ÷ this | this p50 ÷ bare p50 |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for f in figures:
        database = "—" if f.scenario.target == "bare" else f.scenario.database
        lines.append(
            f"| {f.scenario.label} | {database} | {f.requests} | {f.failures} | {f.rps:.0f} "
            f"| {f.p50:.0f} | {f.p99:.0f} | {bare.rps / f.rps:.1f} | {f.p50 / bare.p50:.1f} |"
        )
    lines += [
        "",
        "Latencies are Locust's (whole milliseconds, rounded to two significant digits above "
        "100 ms). The load generator shares the 2 cores with the servers, so the bare endpoint's "
        "figure is partly Locust's own limit: the ratios understate what the app costs over the "
        "framework rather than overstate it. SQLite runs in WAL mode with synchronous=NORMAL (no "
        "flush per commit; a commit survives a crash of the app, not necessarily a power cut); "
        "PostgreSQL with its defaults (a flush per commit), hence its slower writes.",
        "",
    ]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=20, help="per request measured (≤ 120)")
    parser.add_argument("--postgres", action="store_true", help="also reviews on PostgreSQL 15")
    parser.add_argument("--locust", type=Path, default=LOCUST)
    parser.add_argument("--out", type=Path, default=HERE / "RESULTS.md")
    args = parser.parse_args()
    if not 1 <= args.seconds <= 120 or not 1 <= args.users <= 200:
        parser.error("keep the load bounded: --seconds 1..120, --users 1..200")
    if not args.locust.exists():
        parser.error(f"no Locust at {args.locust}: {__doc__.split(chr(10) * 2)[2].strip()}")

    scenarios = [
        Scenario("card page `GET /cards/{slug}`", "CardPage", "app"),
        Scenario("review `POST /api/reviews`", "ReviewSubmission", "app"),
        Scenario("lab run `POST /api/lab/run` (adding-lstm)", "LabRun", "app"),
        Scenario("bare FastAPI `GET /ping`", "Bare", "bare"),
    ]
    figures: list[Figures] = []
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="memory-cell-load-") as tmp:
        folder = Path(tmp)
        servers = {"app": start_app(folder, "", "sqlite"), "bare": start_bare(folder)}
        try:
            for scenario in scenarios:
                host = servers[scenario.target].url
                print(f"{scenario.label}: {args.users} users for {args.seconds} s", flush=True)
                figures.append(
                    run_locust(args.locust, scenario, host, args.users, args.seconds, folder)
                )
        finally:
            for server in servers.values():
                server.stop()
        if args.postgres:
            figures.insert(2, measure_postgres(args, folder))
    text = report(figures, args.users, args.seconds, args.locust, load_before)
    args.out.write_text(text)
    print(text)
    return 0


def measure_postgres(args: argparse.Namespace, folder: Path) -> Figures:
    sys.path.insert(0, str(ROOT))
    from tests import pg  # the test suite's throw-away cluster, as the `postgres` user

    cluster = pg.start(durable=True)  # fsync on every commit, as a real server has it
    try:
        server = start_app(folder, cluster.url(cluster.create_database()), "postgresql")
        try:
            label = "review `POST /api/reviews`"
            scenario = Scenario(label, "ReviewSubmission", "app", "PostgreSQL 15")
            print(f"{scenario.label} on PostgreSQL: {args.users} users", flush=True)
            return run_locust(args.locust, scenario, server.url, args.users, args.seconds, folder)
        finally:
            server.stop()
    finally:
        cluster.stop()


if __name__ == "__main__":
    sys.exit(main())
