"""Load figures on loopback with wrk: the app against bare FastAPI, measured in the same run.

Starts the app exactly as production does (`python -m app.serve`, 2 uvicorn workers,
ENVIRONMENT=production, a fresh SQLite database in a temporary folder) and bench/load/bare_app.py
(uvicorn, 2 workers), then drives each request with wrk (Debian's package, installed when missing
and this runs as root) for a fixed time, as a browser sends it (`Accept-Encoding: gzip`): a card
page, a review written by 32 learners each with their own cookie, a lab run, and the bare
endpoint. `--before REV` serves that commit of this repository beside the current one (a
throw-away git worktree, the same virtualenv) and measures both in the same run, so a change's
figures compare like with like. `--postgres` adds the review row on a throw-away PostgreSQL 15
cluster (fsync on every commit). Writes bench/load/RESULTS.md. Bounded: every wrk run stops by
itself; the servers stop at the end. Every row first runs WARMUP_S seconds unmeasured (connection
and thread pools, caches). Not part of `make test`.

    .venv/bin/python bench/load/run.py                       # about 1 minute
    .venv/bin/python bench/load/run.py --runs 2 --before d1f2efe --postgres
    .venv/bin/python bench/load/run.py --rows review,lab-new   # only those (and the bare row)
"""

import argparse
import json
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
WORKERS = 2
# Random hex: production refuses a key with a repeated or consecutive run of characters.
SECRET_KEY = "61a2d428238fdb6a51b3022cc502d44a581680438e9522974bf2390e73f7274e"
LEARNERS = 32
WARMUP_S = 2  # seconds of unmeasured load per row before the first measured run
CARD = "what-are-lstms"
# --rows names the rows by these (a wrk script's name → the row's name).
ROW_NAMES = {"get": "card", "review": "review", "lab": "lab", "lab-new": "lab-new"}


@dataclass(frozen=True)
class Scenario:
    label: str
    target: str  # a key of the servers started: "app", "before" or "bare"
    lua: str  # a wrk script (the request); see scripts()
    connections: int = 32
    database: str = "SQLite"


@dataclass(frozen=True)
class Figures:
    scenario: Scenario
    run: int
    requests: int
    errors: int  # non-2xx/3xx answers and socket errors
    rps: float
    p50: float
    p99: float
    cpu_ms: float  # the server's CPU time (every worker) per answered request


def group_cpu_seconds(pgid: int) -> float:
    """User + system CPU seconds of every live process in process group `pgid` (Linux /proc)."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process ended meanwhile
            continue
        if int(fields[2]) == pgid:  # field 5 (pgrp); utime and stime are fields 14 and 15
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Served:
    """A server in its own process group, on a free loopback port, stopped with the group."""

    def __init__(
        self, command: list[str], env: dict[str, str], log: Path, ready: str, cwd: Path = ROOT
    ) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        environment = {**os.environ, **env, "HOST": "127.0.0.1", "PORT": str(self.port)}
        with log.open("w") as out:
            self.process = subprocess.Popen(
                [arg.replace("{port}", str(self.port)) for arg in command],
                cwd=cwd,
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


def start_app(folder: Path, database_url: str, name: str, checkout: Path = ROOT) -> Served:
    data = folder / name
    data.mkdir()
    env = {
        "DATA_DIR": str(data),
        "DATABASE_URL": database_url,
        "WORKERS": str(WORKERS),
        "SECRET_KEY": SECRET_KEY,
        "ENVIRONMENT": "production",
        # All 50 simulated users share one address, and the lab row measures throughput: lift
        # the per-client share and lengthen the lab's queue (the defaults would answer most of
        # them 429 or 503, which is their job, not what this row measures).
        "LAB_RATE": "1000",
        "LAB_BURST": "10000",
        "LAB_QUEUE": "64",
        "LIMIT_CONCURRENCY": "1000",
    }
    command = [sys.executable, "-m", "app.serve"]
    return Served(command, env, data / "server.log", "/healthz", cwd=checkout)


def start_bare(folder: Path) -> Served:
    # The same uvicorn settings as app/serve.py (access log at info, proxy headers), app aside.
    command = [sys.executable, "-m", "uvicorn", "--host", "127.0.0.1", "--port", "{port}"]
    command += ["--workers", str(WORKERS), "--proxy-headers", "--log-level", "info"]
    return Served([*command, "bench.load.bare_app:app"], {}, folder / "bare.log", "/ping")


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() != 0:
        raise SystemExit("wrk is missing: sudo apt-get install -y wrk")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True, env=env)
    return shutil.which("wrk") or "wrk"


def learner_cookies(url: str, count: int) -> list[str]:
    """`count` guests, each made by its first review, as a browser's first rating makes it."""
    cookies = []
    for _ in range(count):
        body = {"card": CARD, "rating": 3, "duration_ms": 4000, "idempotency_key": uuid.uuid4().hex}
        request = urllib.request.Request(
            url + "/api/reviews",
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            cookie = response.headers.get("Set-Cookie", "")
        match = re.match(r"(mc_session=[^;]+)", cookie)
        if not match:
            raise SystemExit("the app set no session cookie on a first review")
        cookies.append(match.group(1))
    return cookies


def scripts(folder: Path, cookies: list[str]) -> dict[str, Path]:
    """wrk Lua scripts. Reviews cycle over the learners' cookies, one new idempotency key each."""
    gzip = 'wrk.headers["Accept-Encoding"] = "gzip"\n'
    texts = {
        "get": gzip,
        "review": gzip
        + "cookies = {"
        + ", ".join(json.dumps(c) for c in cookies)
        + "}\n"
        + """
counter = 0
ratings = {1, 2, 3, 3, 3, 4}
request = function()
  counter = counter + 1
  local body = string.format(
    '{"card": "%s", "rating": %d, "duration_ms": 4000, "idempotency_key": "k%d-%d-%d"}',
    "CARD", ratings[counter % #ratings + 1], math.random(1, 1e9), os.time(), counter)
  local headers = {["Content-Type"] = "application/json", ["Accept-Encoding"] = "gzip",
                   ["Cookie"] = cookies[counter % #cookies + 1]}
  return wrk.format("POST", "/api/reviews", headers, body)
end
""".replace("CARD", CARD),
        "lab": gzip
        + """wrk.method = "POST"
wrk.body = '{"preset": "adding-lstm"}'
wrk.headers["Content-Type"] = "application/json"
""",
        # A new seed each time: no answer is cached, every request runs engine, rounding,
        # encoding and gzip (a learner pressing "New random").
        "lab-new": """
counter = 0
request = function()
  counter = counter + 1
  local body = string.format('{"preset": "adding-lstm", "seed": %d}', counter * 7919 % 1000000007)
  local headers = {["Content-Type"] = "application/json", ["Accept-Encoding"] = "gzip"}
  return wrk.format("POST", "/api/lab/run", headers, body)
end
""",
    }
    paths = {}
    for name, text in texts.items():
        path = folder / f"{name}.lua"
        path.write_text(text)
        paths[name] = path
    return paths


UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 6e4}


def milliseconds(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * UNITS[unit]


def run_wrk(
    wrk: str, scenario: Scenario, server: "Served", path: str, lua: Path, seconds: int, run: int
):
    command = [wrk, "-t2", f"-c{scenario.connections}", f"-d{seconds}s", "--latency"]
    command += ["--timeout", "10s", "-s", str(lua), server.url + path]
    cpu_before = group_cpu_seconds(server.process.pid)
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    cpu = group_cpu_seconds(server.process.pid) - cpu_before
    latency = dict(re.findall(r"^\s+(50|99)%\s+(\S+)\s*$", out, re.M))
    if "99" not in latency:
        raise SystemExit(f"wrk measured no answer for {scenario.label}:\n{out}")
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    errors = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", out))
    if socket_errors := re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+)", out):
        errors += sum(int(n) for n in socket_errors.groups())
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    return Figures(
        scenario,
        run,
        requests,
        errors,
        rps,
        milliseconds(latency["50"]),
        milliseconds(latency["99"]),
        cpu * 1000 / max(requests, 1),
    )


def report(figures: list[Figures], seconds: int, load_before: float, before: str | None) -> str:
    wrk_version = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.split()[:2]
    head = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT
    ).stdout.strip()
    lines = [
        "# Load figures",
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d} by `bench/load/run.py` on loopback with "
        f"{' '.join(wrk_version)} (2 threads, 32 connections unless stated, {seconds} s per row "
        f"after {WARMUP_S} s unmeasured, `Accept-Encoding: gzip`). The app runs as in "
        "production (`python -m app.serve`, "
        f"{WORKERS} uvicorn workers, ENVIRONMENT=production, SQLite unless stated); reviews come "
        f"from {LEARNERS} learners, each with their own cookie. The bare app is one FastAPI "
        f'endpoint returning `{{"ok": true}}` under uvicorn with {WORKERS} workers, in the same '
        "run; the ratio `bare ÷ this` is the bare endpoint's req/s over this row's, run by run.",
        "",
        f"Machine: {os.cpu_count()} cores ({platform.machine()}), {platform.system()}, "
        f"Python {platform.python_version()}, FastAPI {version('fastapi')}, "
        f"uvicorn {version('uvicorn')}; load average before the run {load_before:.1f} (other "
        "work on the machine inflates every row; compare ratios within one run). This checkout: "
        f"`{head}`" + (f"; before: `{before}`." if before else "."),
        "",
        "| run | request | code | database | conns | requests | errors | req/s | bare ÷ this "
        "| p50 ms | p99 ms | CPU ms / req | CPU ÷ bare |",
        "|---:|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    bare = {f.run: f for f in figures if f.scenario.target == "bare"}
    for f in figures:
        code = {"app": "this", "before": "before", "bare": "—"}[f.scenario.target]
        database = "—" if f.scenario.target == "bare" else f.scenario.database
        lines.append(
            f"| {f.run} | {f.scenario.label} | {code} | {database} | {f.scenario.connections} "
            f"| {f.requests} | {f.errors} | {f.rps:,.0f} | {bare[f.run].rps / f.rps:.1f} "
            f"| {f.p50:.1f} | {f.p99:.1f} | {f.cpu_ms:.2f} | {f.cpu_ms / bare[f.run].cpu_ms:.1f} |"
        )
    lines += [
        "",
        "wrk shares the 2 cores with the servers. `CPU ms / req` is the server's own CPU time "
        "(all its workers, from /proc) over the requests it answered: unlike req/s it hardly "
        "moves with other load on the machine, so `CPU ÷ bare` is the steadier per-core cost "
        "ratio on a busy machine (a process with many threads also wins a larger share of a "
        "contended CPU, which flatters req/s of thread-pool code). SQLite runs in WAL mode with "
        "synchronous=NORMAL (a commit survives a crash of the app, not necessarily a power cut); "
        "PostgreSQL with its defaults (a flush per commit).",
        "",
    ]
    return "\n".join(lines)


def add_worktree(rev: str, folder: Path) -> Path:
    checkout = folder / "before"
    subprocess.run(
        ["git", "worktree", "add", "--detach", "-q", str(checkout), rev], cwd=ROOT, check=True
    )
    return checkout


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=8, help="per row (≤ 60)")
    parser.add_argument("--runs", type=int, default=1, help="rounds of every row (≤ 3)")
    parser.add_argument("--before", metavar="REV", help="also serve this commit, in the same run")
    parser.add_argument("--postgres", action="store_true", help="also reviews on PostgreSQL 15")
    parser.add_argument("--out", type=Path, default=HERE / "RESULTS.md")
    parser.add_argument(
        "--rows",
        type=lambda text: set(text.split(",")),
        default=set(ROW_NAMES.values()),
        help=f"a comma-separated subset of {','.join(ROW_NAMES.values())} (default: all)",
    )
    args = parser.parse_args()
    if not 1 <= args.seconds <= 60 or not 1 <= args.runs <= 3:
        parser.error("keep the load bounded: --seconds 1..60, --runs 1..3")
    if unknown := args.rows - set(ROW_NAMES.values()):
        parser.error(f"--rows: no row called {', '.join(sorted(unknown))}")
    wrk = ensure_wrk()
    load_before = os.getloadavg()[0]
    figures: list[Figures] = []
    with tempfile.TemporaryDirectory(prefix="memory-cell-load-") as tmp:
        folder = Path(tmp)
        checkout = add_worktree(args.before, folder) if args.before else None
        servers = {"app": start_app(folder, "", "sqlite"), "bare": start_bare(folder)}
        if checkout:
            servers["before"] = start_app(folder, "", "sqlite-before", checkout)
        try:
            targets = ["app", "before"] if checkout else ["app"]
            lua = {}
            for target in targets:
                (folder / f"lua-{target}").mkdir()
                cookies = learner_cookies(servers[target].url, LEARNERS)
                lua[target] = scripts(folder / f"lua-{target}", cookies)
            rows = [("bare FastAPI `GET /ping`", "bare", "/ping", "get", 32)]
            for t in targets:
                rows += [
                    row
                    for row in (
                        ("card page `GET /cards/{slug}`", t, f"/cards/{CARD}", "get", 32),
                        ("review `POST /api/reviews`", t, "/api/reviews", "review", 32),
                        ("lab run `POST /api/lab/run` (adding-lstm)", t, "/api/lab/run", "lab", 8),
                        (
                            "lab run, a new seed each (not cached)",
                            t,
                            "/api/lab/run",
                            "lab-new",
                            8,
                        ),
                    )
                    if ROW_NAMES[row[3]] in args.rows
                ]
            bare_lua = scripts(folder, [])["get"]
            # Unmeasured, every row once for WARMUP_S: the servers open their database
            # connections, start their thread pools and fill their caches, which a long-running
            # server has done long ago (the first measured review row was 10-20% slower without).
            for label, target, path, kind, connections in rows:
                script = bare_lua if target == "bare" else lua[target][kind]
                print(f"warm-up: {label} ({target})", flush=True)
                scenario = Scenario(label, target, kind, connections)
                run_wrk(wrk, scenario, servers[target], path, script, WARMUP_S, 0)
            for run in range(1, args.runs + 1):
                for label, target, path, kind, connections in rows:
                    script = bare_lua if target == "bare" else lua[target][kind]
                    scenario = Scenario(label, target, kind, connections)
                    print(f"run {run}: {label} ({target})", flush=True)
                    figures.append(
                        run_wrk(wrk, scenario, servers[target], path, script, args.seconds, run)
                    )
        finally:
            for server in servers.values():
                server.stop()
            if checkout:
                subprocess.run(["git", "worktree", "remove", "--force", str(checkout)], cwd=ROOT)
        if args.postgres:
            figures += measure_postgres(args, wrk, folder, figures)
    text = report(figures, args.seconds, load_before, args.before)
    args.out.write_text(text)
    print(text)
    return 0


def measure_postgres(args, wrk: str, folder: Path, figures: list[Figures]) -> list[Figures]:
    sys.path.insert(0, str(ROOT))
    from tests import pg  # the test suite's throw-away cluster, as the `postgres` user

    cluster = pg.start(durable=True)  # fsync on every commit, as a real server has it
    try:
        server = start_app(folder, cluster.url(cluster.create_database()), "postgresql")
        try:
            (folder / "pg").mkdir()
            script = scripts(folder / "pg", learner_cookies(server.url, LEARNERS))["review"]
            label = "review `POST /api/reviews`"
            scenario = Scenario(label, "app", "review", 32, "PostgreSQL 15")
            print("review on PostgreSQL", flush=True)
            run_wrk(wrk, scenario, server, "/api/reviews", script, WARMUP_S, 0)  # unmeasured
            return [run_wrk(wrk, scenario, server, "/api/reviews", script, args.seconds, 1)]
        finally:
            server.stop()
    finally:
        cluster.stop()


if __name__ == "__main__":
    sys.exit(main())
