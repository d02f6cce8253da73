"""Time from navigation to an interactive lab page, in headless Chromium (a returning visitor).

Starts the app with its real start command on a free loopback port, opens
`/lab?preset=adding-lstm` once to warm the cache, then REPEATS more times, and prints the median
and the worst of `performance.now()` at the moment the status line says the run is drawn.

    .venv/bin/python bench/lab_page_bench.py [--repeats 9]
"""

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=9)
    repeats = parser.parse_args().repeats
    port = free_port()
    data = tempfile.mkdtemp(prefix="lab-bench-")
    env = {**os.environ, "DATA_DIR": data, "PORT": str(port), "HOST": "127.0.0.1"}
    server = subprocess.Popen(
        [sys.executable, "-m", "app.serve"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(url + "/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            page = browser.new_page()
            times = []
            for i in range(repeats + 1):
                page.goto(url + "/lab?preset=adding-lstm&step=3")
                page.locator("[data-status]:has-text('Ran ')").wait_for()
                if i:  # the first load fills the cache
                    times.append(page.evaluate("performance.now()"))
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)
    print(
        f"lab interactive after: median {statistics.median(times):.0f} ms, "
        f"worst {max(times):.0f} ms over {repeats} loads"
    )


if __name__ == "__main__":
    main()
