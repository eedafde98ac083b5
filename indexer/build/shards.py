"""Shard workers: each parses a chunk of letters and writes it as a shard of its own.

A build with more letters to parse than one commit holds (and more than one process) runs
as shards; this process then takes each shard into the index, in order, as one commit.
Nothing analysed crosses between processes, which costs less CPU than workers passing their
documents to one writing process.
"""

from __future__ import annotations

import functools
import multiprocessing
import shutil
from collections.abc import Generator, Sequence
from dataclasses import dataclass
from pathlib import Path

from indexer.build.lock import detach_from_build
from indexer.build.manifest import FileToIndex
from indexer.build.parse_pool import init_worker, parse_task
from indexer.engine.writing import Shard, WritableIndex, open_shard


@dataclass(frozen=True, slots=True)
class ShardLetter:
    """A letter a shard worker wrote."""

    position: int
    path: Path
    letter_id: str
    content_hash: str
    documents: range  # its document numbers in the shard


@dataclass(frozen=True, slots=True)
class WrittenShard:
    """What a shard worker did: its shard (None: no letter could be read), its letters."""

    shard: Shard | None
    letters: list[ShardLetter]
    failed: list[tuple[Path, str]]


def shard_task(task: tuple[list[FileToIndex], Path]) -> WrittenShard:
    """Parse a chunk of letters and write them as one shard in folder."""
    batch, folder = task
    # The worker's own children (the writer's) hold no lock: the worker closed it.
    writer = open_shard(folder, functools.partial(detach_from_build, -1))
    letters: list[ShardLetter] = []
    failed: list[tuple[Path, str]] = []
    first = 0
    try:
        for position, path, digest in batch:
            letter, reason, _ = parse_task((path, digest, False))
            if letter is None:
                failed.append((path, reason))
                continue
            count = writer.add(letter)
            documents = range(first, first + count)
            letters.append(
                ShardLetter(position, path, letter.letter_id, letter.content_hash, documents)
            )
            first += count
        shard = writer.finish()
    except BaseException:
        writer.cancel()
        raise
    return WrittenShard(shard, letters, failed)


def write_shards(
    todo: Sequence[FileToIndex], size: int, procs: int, index: WritableIndex, lock_fd: int
) -> Generator[WrittenShard, None, None]:
    """Write todo in chunks of size letters, procs workers at once; yield them in order."""
    tasks = [
        (list(todo[start : start + size]), index.shard_folder(n))
        for n, start in enumerate(range(0, len(todo), size))
    ]
    pool = multiprocessing.get_context("fork").Pool(
        procs, initializer=init_worker, initargs=(lock_fd,), maxtasksperchild=1
    )
    try:
        yield from pool.imap(shard_task, tasks)
        pool.close()
    finally:
        pool.terminate()
        pool.join()
        for _, folder in tasks:
            shutil.rmtree(folder, ignore_errors=True)
