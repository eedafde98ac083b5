"""Parse workers: letter files in, Letters (their documents prepared, if asked) out, in order."""

from __future__ import annotations

import itertools
import multiprocessing
import os
import signal
from collections import deque
from collections.abc import Generator, Sequence
from contextlib import suppress
from dataclasses import replace
from multiprocessing.pool import AsyncResult
from pathlib import Path

from indexer.engine.writing import Prepared, prepare
from indexer.letter import Letter, UnreadableLetter
from indexer.read.parse import parse_file

# Parse tasks in flight per worker: parsing runs ahead while the main process writes and
# commits, yet results do not pile up without bound.
WINDOW_PER_PROC = 250
# Parsing runs at a lower priority: the main process (writing, then the commit) is the
# slower stage on two cores, so parsing should only take what the main process leaves.
PARSE_NICE = 5

ParseTask = tuple[Path, str, bool]  # file, its digest, whether to prepare its documents
Parsed = tuple[Letter | None, str, Prepared | None]  # letter, why not, its documents


def init_worker(lock_fd: int) -> None:
    """Set up a worker process: the build's parent handles Ctrl-C and holds the lock."""
    # A worker must not keep the build lock alive after the build dies.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    os.close(lock_fd)
    with suppress(OSError):
        os.nice(PARSE_NICE)


def parse_task(task: ParseTask) -> Parsed:
    """Parse a file; with the flag set, also prepare its documents for the writer.

    Preparing in the parse workers takes that work off the process that writes the index.
    """
    path, digest, documents = task
    try:
        letter = parse_file(path)
    except UnreadableLetter as exc:
        return None, exc.reason, None
    except Exception as exc:  # a parser bug on one file must not stop the build
        return None, f"parser error: {type(exc).__name__}: {exc}", None
    if not letter.decisions:
        return None, "no decisions found", None
    # The parser's digest reflects the bytes it read, should the file change meanwhile.
    letter = replace(letter, source=path, content_hash=letter.content_hash or digest)
    return letter, "", prepare(letter) if documents else None


def parse_all(
    tasks: Sequence[ParseTask], procs: int, lock_fd: int
) -> Generator[Parsed, None, None]:
    """Parse files in order, with a pool of procs workers when that helps."""
    if procs <= 1 or len(tasks) < 2:
        yield from map(parse_task, tasks)
        return
    pool = multiprocessing.get_context("fork").Pool(
        procs, initializer=init_worker, initargs=(lock_fd,)
    )
    try:
        todo = iter(tasks)
        running: deque[AsyncResult[Parsed]] = deque(
            pool.apply_async(parse_task, (task,))
            for task in itertools.islice(todo, procs * WINDOW_PER_PROC)
        )
        while running:
            result = running.popleft().get()
            following = next(todo, None)
            if following is not None:
                running.append(pool.apply_async(parse_task, (following,)))
            yield result
        pool.close()
    finally:
        pool.terminate()
        pool.join()
