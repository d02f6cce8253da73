"""The body cap at the ASGI level: a chunked body is cut as soon as it passes the cap."""

import asyncio
from concurrent.futures import ThreadPoolExecutor

from app.security.body_limit import MB, BodyLimitMiddleware


def run(app, path: str, chunks: list[bytes], headers=()) -> tuple[int, int]:
    """Send `chunks` as one streamed request; return (status, how many chunks were read)."""
    read = 0
    sent: list[dict] = []

    async def receive():
        nonlocal read
        if read < len(chunks):
            read += 1
            return {
                "type": "http.request",
                "body": chunks[read - 1],
                "more_body": read < len(chunks),
            }
        return {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": path, "headers": list(headers)}
    # A thread of its own: in a run where the browser tests came first, Playwright's event loop is
    # still running in this thread, and asyncio.run refuses to start inside a running loop.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, BodyLimitMiddleware(app)(scope, receive, send)).result()
    return sent[0]["status"], read


async def reads_everything(scope, receive, send):
    while (await receive()).get("more_body"):
        pass
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"ok"})


def test_a_streamed_body_is_cut_right_after_the_cap():
    chunk = b"x" * (256 * 1024)
    status, read = run(reads_everything, "/api/reviews", [chunk] * 40)  # 10 MB offered
    assert status == 413 and read == 5  # 1.25 MB read: the fifth chunk passed 1 MB


def test_a_body_under_the_cap_goes_through_and_the_lab_gets_two_megabytes():
    chunk = b"x" * (256 * 1024)
    assert run(reads_everything, "/api/reviews", [chunk] * 4) == (200, 4)
    assert run(reads_everything, "/api/lab/run", [chunk] * 8) == (200, 8)
    assert run(reads_everything, "/api/lab/run", [chunk] * 12)[0] == 413


def test_a_declared_length_over_the_cap_is_refused_unread():
    headers = [(b"content-length", str(3 * MB).encode())]
    assert run(reads_everything, "/api/lab/run", [b"x"], headers) == (413, 0)
