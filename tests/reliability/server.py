"""The app started as production starts it (`python -m app.serve`, several workers), in its own
process group so a test can stop it cleanly or kill every process of it at once with SIGKILL."""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SECRET_KEY = "reliability-test-key-7d6986f5642f1d5e96d0da12fa8993f6"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    process: subprocess.Popen
    url: str
    log_path: Path
    workers: int
    env: dict[str, str] = field(repr=False)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_until_up(self, seconds: float = 60) -> None:
        """Until /healthz answers and every worker has finished starting."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited with {self.process.returncode}:\n{self.log()}")
            if self.log().count("Application startup complete") >= self.workers:
                try:
                    with urllib.request.urlopen(self.url + "/healthz", timeout=2) as response:
                        if response.status == 200:
                            return
                except OSError:
                    pass
            time.sleep(0.1)
        self.kill()
        raise RuntimeError(f"server did not come up in {seconds} s:\n{self.log()}")

    def kill(self) -> None:
        """SIGKILL the whole process group: the supervisor and every worker, mid-request."""
        _signal_group(self.process, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            _signal_group(self.process, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()
        # Workers may outlive a supervisor that died first; leave nothing running.
        _signal_group(self.process, signal.SIGKILL)


def _signal_group(process: subprocess.Popen, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError):  # the group has already gone
        os.killpg(process.pid, sig)


def start(
    data_dir: Path,
    database_url: str,
    *,
    workers: int = 2,
    port: int | None = None,
    env: dict[str, str] | None = None,
    log_name: str = "server.log",
    command: list[str] | None = None,
) -> Server:
    """Start `python -m app.serve` (or `command`) on a free loopback port and wait until every
    worker is up."""
    port = port or free_port()
    environment = {
        **os.environ,
        "SECRET_KEY": SECRET_KEY,
        **(env or {}),
        # Whatever `env` says (an image's HOST=0.0.0.0, say): loopback only, this test's data.
        "DATA_DIR": str(data_dir),
        "DATABASE_URL": database_url,
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "WORKERS": str(workers),
    }
    log_path = data_dir / log_name
    with log_path.open("w") as log:
        process = subprocess.Popen(
            command or [sys.executable, "-m", "app.serve"],
            cwd=ROOT,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: killpg reaches every worker
        )
    server = Server(process, f"http://127.0.0.1:{port}", log_path, workers, environment)
    server.wait_until_up()
    return server
