"""The build lock: one build at a time on an index directory, and none held by its children."""

from __future__ import annotations

import fcntl
import os
import signal
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from indexer.build.errors import BuildError

LOCK_FILE = "BUILD.lock"
PR_SET_PDEATHSIG = 1  # Linux prctl option: a signal for the child when its parent dies


class BuildLocked(BuildError):
    """Another build holds the lock on the index directory."""

    def __init__(self, index_dir: Path, pid: int | None) -> None:
        who = f"pid {pid}" if pid else "pid unknown"
        super().__init__(f"another build is running on {index_dir} ({who})")
        self.pid = pid


@contextmanager
def build_lock(index_dir: Path) -> Iterator[int]:
    """Hold the build lock on index_dir (an flock, so a dead holder never blocks)."""
    path = index_dir / LOCK_FILE
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise BuildError(f"cannot create the lock file {path}: {exc.strerror}") from exc
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BuildLocked(index_dir, _read_pid(fd)) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        try:
            yield fd
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _read_pid(fd: int) -> int | None:
    text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    return int(text) if text.isdigit() else None


def detach_from_build(lock_fd: int = -1) -> None:
    """Make a child process die with the build and not hold its lock (-1: it holds none)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    with suppress(OSError):
        os.close(lock_fd)
    with suppress(Exception):  # Linux only; elsewhere an orphan ends when its queue closes
        import ctypes

        ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
