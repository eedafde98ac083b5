"""Build and update the index from letter files, safely and incrementally: build_index.

The engine commits atomically and each commit holds whole letters (commits.py), so a build
killed at any moment leaves the last committed generation intact, and the next build picks
up from there.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable, Sequence
from contextlib import closing
from pathlib import Path

from indexer.build import shards
from indexer.build.commits import Commits
from indexer.build.errors import BuildError, open_for_build
from indexer.build.lock import build_lock, detach_from_build
from indexer.build.manifest import FileToIndex, find_files, save_letters
from indexer.build.parse_pool import parse_all
from indexer.build.report import BuildReport
from indexer.engine.merging import choose_merge
from indexer.engine.writing import WritableIndex, prepares_ahead, usable_cpus
from indexer.synthetic.marker import record_note

_LOG = logging.getLogger(__name__)
CHUNK_LETTERS = 2000  # letters per commit: bounds memory and the work lost to a crash
# A build's processes unless told: one a CPU, at most this many. A shard worker holds its
# chunk's postings in memory, so the cap bounds memory.
MAX_DEFAULT_PROCS = 8

Progress = Callable[[int, int], None]  # (files parsed so far, files to parse)


def default_procs() -> int:
    """Return how many processes a build uses unless told: the CPUs this process may run
    on (the engine's count, by which its writers also split their work), at most
    MAX_DEFAULT_PROCS."""
    return min(usable_cpus(), MAX_DEFAULT_PROCS)


def build_index(
    sources: Sequence[Path],
    index_dir: Path,
    *,
    prune: bool = False,
    procs: int = 2,
    progress: Progress | None = None,
    chunk_letters: int = CHUNK_LETTERS,
) -> BuildReport:
    """Index new and changed letters under sources into index_dir; prune removes lost ones.

    With procs > 1 and more letters to parse than chunk_letters, workers parse chunks of
    letters and each writes its chunk as a shard, which this process commits in order.
    Otherwise one writer in this process takes letters as parse workers deliver them with
    their documents prepared; a build that small stays one commit, with nothing to merge.
    """
    started = time.perf_counter()
    index_dir = Path(index_dir)
    files = find_files(sources)
    _make_dir(index_dir)
    report = BuildReport()
    with build_lock(index_dir) as lock_fd:
        detach = functools.partial(detach_from_build, lock_fd)
        index = open_for_build(index_dir, create=True, child_setup=detach)
        run = Commits(index, report, chunk_letters)
        todo = run.plan(files)
        if progress:
            progress(0, len(todo))
        # Parse workers prepare documents too when that spares this process work; with
        # procs=1 this process would prepare them either way.
        prepare = prepares_ahead() and procs > 1
        try:
            if prepare and len(todo) > run.chunk_letters:
                _write_shards(run, todo, procs, lock_fd, progress)
            else:
                _write_parsed(run, todo, procs, lock_fd, progress, prepare)
            run.finish(files, prune)
        finally:
            run.close_writer()
        report.unchanged = len(run.kept)
        _merge(index, run.docs_written, report)
        index.tidy()
        counts = index.counts()
        report.letters_total, report.decisions_total = counts.letters, counts.decisions
        _prepare_search(index)
        report.generation = index.generation()
        if report.letters_total == len(run.now):
            save_letters(index_dir, report.generation, run.now)
        # Whether the index holds generated letters travels with it (indexer/synthetic/marker.py).
        record_note(index_dir, (rec.source for rec in run.now.values()), report.letters_total)
    report.seconds = time.perf_counter() - started
    return report


def _make_dir(index_dir: Path) -> None:
    if index_dir.exists() and not index_dir.is_dir():
        raise BuildError(f"{index_dir} is not a directory")
    try:
        index_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BuildError(f"cannot create {index_dir}: {exc.strerror}") from exc


def _write_shards(
    run: Commits,
    todo: Sequence[FileToIndex],
    procs: int,
    lock_fd: int,
    progress: Progress | None,
) -> None:
    """Have workers write todo as shards, and commit each shard as it comes."""
    run.index.tidy()  # no shard folder of a killed build may be in the way
    size = min(run.chunk_letters, -(-len(todo) // procs))  # every worker has work
    written = shards.write_shards(todo, size, procs, run.index, lock_fd)
    done = 0
    with closing(written):
        for shard in written:
            run.report.failed += shard.failed
            run.take_shard(shard)
            done += len(shard.letters) + len(shard.failed)
            if progress:
                progress(done, len(todo))


def _write_parsed(
    run: Commits,
    todo: Sequence[FileToIndex],
    procs: int,
    lock_fd: int,
    progress: Progress | None,
    prepare: bool,
) -> None:
    """Parse todo (in workers when procs > 1) and hand each letter to the commits."""
    tasks = [(path, digest, prepare) for _, path, digest in todo]
    with closing(parse_all(tasks, procs, lock_fd)) as results:
        for done, ((position, path, _), (letter, reason, prepared)) in enumerate(
            zip(todo, results, strict=True), start=1
        ):
            if letter is None:
                run.report.failed.append((path, reason))
            else:
                run.take(position, path, letter, prepared)
            if progress:
                progress(done, len(todo))


def _merge(index: WritableIndex, written: int, report: BuildReport) -> None:
    """Merge segments as indexer/engine/merging.py chooses for a build that wrote written
    documents, one commit a merge, until it chooses none."""
    started = time.perf_counter()
    merged = index.merge(functools.partial(choose_merge, written=written))
    report.merged += merged.segments
    report.optimized = merged.whole
    report.merge_seconds = time.perf_counter() - started


def _prepare_search(index: WritableIndex) -> None:
    """Save the read side's arrays of the new generation beside the index, so that a
    server's first answer after a build reads them instead of computing them.

    Best effort, after the commit: the read side computes them itself when they are missing
    (a running server that sees the new generation first may compute them too; both write
    the file atomically), so a failure here is logged and the build still succeeds.
    """
    try:
        index.prepare_search()
    except Exception as error:  # noqa: BLE001 - the committed index is fine either way
        _LOG.warning(
            "the search arrays were not prepared (the server will compute them): %s", error
        )
