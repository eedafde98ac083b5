"""Small helpers shared by tests: an empty synonym table, a free port, a server started."""

from __future__ import annotations

import socket
import subprocess
import time

import pytest


def no_synonyms(term: str) -> frozenset[str]:
    """A synonym table that expands nothing, so results follow the words typed."""
    return frozenset()


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for_port(proc: subprocess.Popen[bytes] | subprocess.Popen[str], port: int) -> None:
    """Wait until proc accepts connections on port; fail the test if it exits or takes 30 s."""
    deadline = time.monotonic() + 30
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail("the server did not start")
            time.sleep(0.1)
