"""A bounded load test against the real server: `imr-search serve` (waitress) on 127.0.0.1.

Eight client threads send a mix of searches, letter pages and API calls for a fixed time
(IMR_LOAD_SECONDS, default 10) and stop by themselves; every answer must be a 200.
bench/run.py has the longer benchmark.
"""

from __future__ import annotations

import http.client
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import first_pdf_id
from tests.helpers import free_port, wait_for_port

ROOT = Path(__file__).resolve().parents[2]
CLIENTS = 8
SECONDS = float(os.environ.get("IMR_LOAD_SECONDS", "10"))
URLS = (
    "/?q=mri",
    "/?q=physical+therapy&outcome=Overturned",
    "/?category=Pharmaceuticals&sort=newest",
    "/api/search?q=tramadol",
    "/api/search?q=%22return+to+work%22&per_page=50",
    f"/letters/{first_pdf_id()}?q=mri",
    f"/api/letters/{first_pdf_id()}",
    "/api/stats?q=pain",
    "/stats",
    "/feed.atom?q=injection",
)


@pytest.fixture(scope="module")
def server(corpus_index: Path) -> Iterator[int]:
    port = free_port()
    command = [sys.executable, "-m", "search_app.cli", "serve", "--index", str(corpus_index)]
    command += ["--port", str(port), "--threads", "4"]
    proc = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_port(proc, port)
        yield port
    finally:
        proc.terminate()
        proc.wait(timeout=15)


def _client(port: int, number: int, stop: float, latencies: list[float], errors: list[str]) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    step = number
    while time.monotonic() < stop:
        url = URLS[step % len(URLS)]
        step += 1
        started = time.perf_counter()
        try:
            connection.request("GET", url)
            response = connection.getresponse()
            response.read()
        except (OSError, http.client.HTTPException) as error:
            errors.append(f"{url}: {type(error).__name__}: {error}")
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            continue
        latencies.append(time.perf_counter() - started)
        if response.status != 200:
            errors.append(f"{url}: {response.status}")
    connection.close()


def test_eight_clients_for_ten_seconds(server: int) -> None:
    latencies: list[float] = []
    errors: list[str] = []
    stop = time.monotonic() + SECONDS
    threads = [
        threading.Thread(target=_client, args=(server, n, stop, latencies, errors))
        for n in range(CLIENTS)
    ]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=SECONDS + 60)
    elapsed = time.monotonic() - started
    assert not any(thread.is_alive() for thread in threads), "a client did not stop"
    assert not errors, errors[:5]
    assert len(latencies) >= CLIENTS
    p95 = statistics.quantiles(latencies, n=20)[-1] * 1000
    rate = len(latencies) / elapsed
    print(
        f"load: {len(latencies)} requests in {elapsed:.1f} s, {rate:.1f} req/s, "
        f"p50 {statistics.median(latencies) * 1000:.0f} ms, p95 {p95:.0f} ms, 0 errors"
    )
    assert p95 < 5000, f"p95 {p95:.0f} ms"


def test_oversized_chunked_body_is_refused(server: int) -> None:
    """A chunked upload (no Content-Length) over the body cap gets the app's 413 page."""
    connection = http.client.HTTPConnection("127.0.0.1", server, timeout=30)
    body = json.dumps({"text": "tramadol " * 40_000}).encode()

    def chunks() -> Iterator[bytes]:
        for start in range(0, len(body), 8192):
            yield body[start : start + 8192]

    connection.request(
        "POST",
        "/api/like",
        body=chunks(),
        headers={"Content-Type": "application/json", "Transfer-Encoding": "chunked"},
        encode_chunked=True,
    )
    response = connection.getresponse()
    answer = response.read().decode()
    connection.close()
    assert response.status == 413, answer[:200]
    assert "larger than" in json.loads(answer)["error"]
    assert "default-src 'self'" in response.getheader("Content-Security-Policy", "")
