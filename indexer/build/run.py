"""Build and update the Whoosh index from letter files, safely and incrementally.

Crash safety rests on how Whoosh commits: segment files are written under fresh names, then
the table of contents is written to a temporary file and renamed to `_MAIN_<gen>.toc`. A
reader opens the highest generation, so until that rename it sees the previous commit, and a
build killed at any moment leaves the last committed generation intact. Each commit holds
whole letters (a letter's old documents are deleted in the commit that adds its new ones).
"""

from __future__ import annotations

import fcntl
import functools
import gc
import hashlib
import io
import itertools
import json
import logging
import multiprocessing
import os
import re
import shutil
import signal
import time
from collections import deque
from collections.abc import Callable, Collection, Generator, Iterable, Iterator, Sequence
from contextlib import closing, contextmanager, suppress
from dataclasses import dataclass, field, replace
from multiprocessing.pool import AsyncResult
from pathlib import Path
from typing import Any

from whoosh import index, query
from whoosh.index import TOC, FileIndex, clean_files
from whoosh.reading import SegmentReader
from whoosh.writing import NO_MERGE

from indexer.engine.merging import SegmentSize, choose_merge
from indexer.engine.whoosh.files import (
    INDEX_NAME,
    SHARD_DIR,
    SHARD_RE,
    TEMP_TOC_RE,
    latest_generation,
)
from indexer.engine.whoosh.schema import (
    CATCH_ALL,
    EXACT_SUFFIX,
    FACETS,
    PAIR_FIELDS,
    SCHEMA,
    TEXT_FIELDS,
    to_documents,
)
from indexer.engine.whoosh.storage import writable_storage
from indexer.engine.whoosh.writer import ANALYSED, Analysis, new_writer, usable_cpus
from indexer.letter import Letter, UnreadableLetter
from indexer.read.parse import iter_letter_files, parse_file

_LOG = logging.getLogger(__name__)
LOCK_FILE = "BUILD.lock"
CHUNK_LETTERS = 2000  # letters per commit: bounds memory and the work lost to a crash
# A build's processes unless told: one a CPU, at most this many. A shard worker holds its
# chunk's postings (about 330 MB of its own at 2,000 letters), so the cap bounds memory.
MAX_DEFAULT_PROCS = 8
WRITER_MB = 256  # Whoosh posting pool size before it spills sorted runs to disk
# Parse tasks in flight per worker: parsing runs ahead while the main process analyses and
# commits (a few hundred letters are a few MB), yet results do not pile up without bound.
WINDOW_PER_PROC = 250
# Parsing runs at a lower priority: the main process (analysis, then the commit) is the
# slower stage on two cores, so parsing should only take what the main process leaves.
PARSE_NICE = 5
# False: commits go through Whoosh's own SegmentWriter, the reference the tests compare with.
FAST_WRITER = True
# A build with more letters to parse than one commit holds (and procs > 1) runs as shards:
# each worker parses a chunk of letters and writes them as a segment of its own, which this
# process then commits. Nothing analysed crosses between processes (measured: 6.2 ms of CPU a
# decision, against 8.2 ms when workers pass their postings to one writing process). A
# smaller build stays one commit, written by this process, with no segments to merge after.
# The catch-all fields' values are the text fields joined by newlines (schema.to_documents).
JOINED = {
    name: TEXT_FIELDS for name in (CATCH_ALL, f"{CATCH_ALL}{EXACT_SUFFIX}", *PAIR_FIELDS.values())
}
PR_SET_PDEATHSIG = 1  # Linux prctl option: a signal for the child when its parent dies
# What the index holds (letter id -> source, content hash) as of a generation, written at the
# end of a build: reading it back is much faster than every letter's stored fields (12.5 s at
# 60,000 letters). Any commit makes a new generation, so a file of another one is ignored.
LETTERS_FILE = "letters-{}.json"
LETTERS_RE = re.compile(r"^letters-[0-9]+\.json(\.tmp[0-9]+)?$")

Progress = Callable[[int, int], None]  # (files parsed so far, files to parse)


class BuildError(Exception):
    """The build could not run: the index directory is unusable or a source is missing."""


class SchemaChanged(BuildError):
    """The index was written with another schema (an earlier version): rebuild it."""


class BuildLocked(BuildError):
    """Another build holds the lock on the index directory."""

    def __init__(self, index_dir: Path, pid: int | None) -> None:
        who = f"pid {pid}" if pid else "pid unknown"
        super().__init__(f"another build is running on {index_dir} ({who})")
        self.pid = pid


@dataclass(frozen=True, slots=True)
class Duplicate:
    """Two files carry the same letter id: the later file is kept."""

    letter_id: str
    kept: Path
    dropped: Path


@dataclass(slots=True)
class BuildReport:
    """What a build did, counted in letters unless named otherwise."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    failed: list[tuple[Path, str]] = field(default_factory=list)
    duplicates: list[Duplicate] = field(default_factory=list)
    decisions: int = 0  # decision documents written by this build
    seconds: float = 0.0
    commits: int = 0
    optimized: bool = False  # a merge left the index in one segment
    merged: int = 0  # segments the build's merges rewrote (indexer/merging.py)
    merge_seconds: float = 0.0  # part of seconds: merging after the commits
    generation: int = -1  # the committed generation the build ended on
    letters_total: int = 0  # in the index after the build
    decisions_total: int = 0


@dataclass(frozen=True, slots=True)
class IndexStats:
    """Counts of an index: letters, decision documents, and documents per facet value."""

    letters: int
    decisions: int
    facets: dict[str, dict[str, int]]
    generation: int

    def to_json(self) -> dict[str, Any]:
        """Return the counts as `imr-index stats --json` prints them."""
        return {"letters": self.letters, "decisions": self.decisions, "facets": self.facets}


@dataclass(frozen=True, slots=True)
class _Indexed:
    letter_id: str
    source: str
    content_hash: str


def index_generation(index_dir: Path) -> int:
    """Return the latest committed generation in index_dir, or -1 when there is no index."""
    return latest_generation(index_dir)


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


def file_digest(path: Path) -> str:
    """Return the sha256 of a file's bytes, the key for what changed since the last build.

    A letter is read whole: hashlib.file_digest fills a fresh 256 KB buffer for every file,
    which made hashing 12,000 letters of 8 KB nine times slower (1.36 against 0.15 s).
    """
    with path.open("rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()


def default_procs() -> int:
    """Return how many processes a build uses unless told: the CPUs this process may run
    on (whoosh_speed.usable_cpus, which also decides whether a segment is written by two
    processes), at most MAX_DEFAULT_PROCS."""
    return min(usable_cpus(), MAX_DEFAULT_PROCS)


def _find_files(sources: Sequence[Path]) -> list[Path]:
    missing = [str(p) for p in sources if not Path(p).exists()]
    if missing:
        raise BuildError(f"no such file or directory: {', '.join(missing)}")
    files = letter_files(sources)
    if not files:
        names = ", ".join(str(p) for p in sources)
        raise BuildError(f"no .pdf or .txt letters found under {names}")
    return files


def _open_index(index_dir: Path, *, create: bool) -> Any:
    """Open (or create) the index, refusing one written with another schema."""
    if index_dir.exists() and not index_dir.is_dir():
        raise BuildError(f"{index_dir} is not a directory")
    try:
        # Readers the build opens (deletions, merges, counts) map segments, never copy them.
        storage = writable_storage(str(index_dir))
        if index.exists_in(str(index_dir), indexname=INDEX_NAME):
            ix = FileIndex(storage, indexname=INDEX_NAME)
        elif create:
            ix = FileIndex.create(storage, SCHEMA, INDEX_NAME)
        else:
            raise BuildError(f"no index in {index_dir}; build one with: imr-index build")
    except BuildError:
        raise
    except Exception as exc:
        raise BuildError(f"cannot open the index in {index_dir}: {exc}") from exc
    if not same_schema(ix.schema, SCHEMA):
        raise SchemaChanged(
            f"the index in {index_dir} was built with a different schema (an earlier "
            "version); build into a new directory or remove this one and build again"
        )
    return ix


def same_schema(stored: Any, wanted: Any) -> bool:
    """Tell whether an index's schema matches ours, field by field.

    Whoosh's own equality fails after a round trip through the TOC: column types have no __eq__.
    """

    def signature(schema: Any) -> list[tuple[object, ...]]:
        return [
            (
                name,
                type(f),
                type(f.format),
                f.stored,
                f.unique,
                f.scorable,
                type(f.column_type),
                getattr(f, "analyzer", None),
            )
            for name, f in schema.items()
        ]

    return signature(stored) == signature(wanted)


def _init_worker(lock_fd: int) -> None:
    # The parent handles Ctrl-C; a worker must not keep the build lock alive after it dies.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    os.close(lock_fd)
    with suppress(OSError):
        os.nice(PARSE_NICE)


Parsed = tuple[Letter | None, str, list[dict[str, Any]] | None]  # letter, why not, documents
_ANALYSIS: list[Analysis] = []  # a parse worker's Analysis, made on its first letter


def _parse_task(task: tuple[Path, str, bool]) -> Parsed:
    """Parse a file; with analyse, also make its documents with their postings (ANALYSED).

    Analysing in the parse workers takes that work off the process that writes the index.
    """
    path, digest, analyse = task
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
    if not analyse:
        return letter, "", None
    if not _ANALYSIS:
        _ANALYSIS.append(Analysis(SCHEMA, JOINED))
    docs = to_documents(letter)
    for doc in docs:
        doc[ANALYSED] = _ANALYSIS[0].analyse(doc)
    return letter, "", docs


def _parse_all(
    tasks: Sequence[tuple[Path, str, bool]], procs: int, lock_fd: int
) -> Generator[Parsed, None, None]:
    """Parse files in order, with a pool of procs workers when that helps."""
    if procs <= 1 or len(tasks) < 2:
        yield from map(_parse_task, tasks)
        return
    pool = multiprocessing.get_context("fork").Pool(
        procs, initializer=_init_worker, initargs=(lock_fd,)
    )
    try:
        todo = iter(tasks)
        running: deque[AsyncResult[Parsed]] = deque(
            pool.apply_async(_parse_task, (task,))
            for task in itertools.islice(todo, procs * WINDOW_PER_PROC)
        )
        while running:
            result = running.popleft().get()
            following = next(todo, None)
            if following is not None:
                running.append(pool.apply_async(_parse_task, (following,)))
            yield result
        pool.close()
    finally:
        pool.terminate()
        pool.join()


@dataclass(frozen=True, slots=True)
class _ShardLetter:
    position: int
    path: Path
    letter_id: str
    content_hash: str
    first: int  # its first document in the shard's segment
    documents: int


@dataclass(frozen=True, slots=True)
class _Shard:
    """What a shard worker wrote: a segment (None: no letter could be read) in folder."""

    segment: Any
    folder: Path
    letters: list[_ShardLetter]
    failed: list[tuple[Path, str]]


_LEFT_TO_EXIT: list[Any] = []  # what a shard worker keeps until its process exits


def _shard_task(task: tuple[list[tuple[int, Path, str]], Path]) -> _Shard:
    """Parse a chunk of letters and write them as one segment of a private index in folder."""
    batch, folder = task
    folder.mkdir()
    ix = FileIndex.create(writable_storage(str(folder)), SCHEMA, INDEX_NAME)
    writer = _writer(ix, -1)
    letters: list[_ShardLetter] = []
    failed: list[tuple[Path, str]] = []
    try:
        with _gc_paused():
            for position, path, digest in batch:
                letter, reason, _ = _parse_task((path, digest, False))
                if letter is None:
                    failed.append((path, reason))
                    continue
                first = writer.docnum
                for doc in to_documents(letter):
                    writer.add_document(**doc)
                letters.append(
                    _ShardLetter(
                        position,
                        path,
                        letter.letter_id,
                        letter.content_hash,
                        first,
                        writer.docnum - first,
                    )
                )
            if not letters:
                _cancel(writer)
                return _Shard(None, folder, letters, failed)
            # This process ends with its task (maxtasksperchild=1), through os._exit, which
            # frees the pool's postings at once; so the pool stays referenced until then.
            writer.pool.left_to_exit = True
            _LEFT_TO_EXIT.append(writer.pool)
            writer.commit(mergetype=NO_MERGE)
    except BaseException:
        _cancel(writer)
        raise
    (segment,) = TOC.read(ix.storage, INDEX_NAME).segments
    return _Shard(segment, folder, letters, failed)


def _shards(
    todo: Sequence[tuple[int, Path, str]], size: int, procs: int, index_dir: Path, lock_fd: int
) -> Generator[_Shard, None, None]:
    """Write todo in chunks of size letters, procs workers at once; yield them in order."""
    tasks = [
        (list(todo[start : start + size]), index_dir / SHARD_DIR.format(os.getpid(), n))
        for n, start in enumerate(range(0, len(todo), size))
    ]
    pool = multiprocessing.get_context("fork").Pool(
        procs, initializer=_init_worker, initargs=(lock_fd,), maxtasksperchild=1
    )
    try:
        yield from pool.imap(_shard_task, tasks)
        pool.close()
    finally:
        pool.terminate()
        pool.join()
        for _, folder in tasks:
            shutil.rmtree(folder, ignore_errors=True)


def _detach_from_build(lock_fd: int) -> None:
    """Make a child process die with the build and not hold its lock."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    with suppress(OSError):
        os.close(lock_fd)
    with suppress(Exception):  # Linux only; elsewhere an orphan ends when its queue closes
        import ctypes

        ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def _cancel(writer: Any) -> None:
    """Abandon a writer after a failure; the last committed generation stays as it was."""
    try:
        writer.cancel()
        return
    except Exception:  # cancel writes too, so on a full disk it can fail half way
        pass
    for part in (writer.perdocwriter, writer.fieldwriter, writer.pool):
        close = getattr(part, "cleanup", None) or part.close
        with suppress(Exception):
            close()
        _close_files_in(part)
    with suppress(Exception):
        writer._tempstorage.destroy()
    if writer.writelock is not None:
        writer.writelock.release()


def _close_files_in(root: object, depth: int = 4) -> None:
    """Close the OS files a half-closed Whoosh writer part still holds (they sit a few
    attributes deep), so a failed build does not leak descriptors until garbage collection."""
    seen: set[int] = set()
    layer: list[object] = [root]
    for _ in range(depth):
        following: list[object] = []
        for obj in layer:
            if id(obj) in seen:
                continue
            seen.add(id(obj))
            if isinstance(obj, io.IOBase):
                with suppress(Exception):
                    obj.close()
            elif isinstance(obj, list | tuple):
                following.extend(obj)
            elif isinstance(obj, dict):
                following.extend(obj.values())
            elif hasattr(obj, "__dict__"):
                following.extend(vars(obj).values())
        layer = following


class _Build:
    """The state of one build run: what the index holds and what this run claims."""

    def __init__(self, ix: Any, report: BuildReport, chunk_letters: int, lock_fd: int = -1) -> None:
        self.ix = ix
        self.report = report
        self.chunk_letters = max(1, chunk_letters)
        self.lock_fd = lock_fd
        self.by_id = _read_indexed(ix)
        self.now = dict(self.by_id)  # what the index holds after the commits so far
        self.by_source = {rec.source: rec for rec in self.by_id.values()}
        self.committed = set(self.by_id)
        self.kept: dict[str, tuple[int, Path]] = {}  # unchanged files: letter id -> position
        self.written: dict[str, Path] = {}
        self.pending: dict[str, Letter] = {}
        self.orphans: set[str] = set()
        self.docs_written = 0
        # The single writer takes each letter as it is parsed, so analysis overlaps parsing;
        # a letter seen twice in one chunk sends that chunk back to being written at commit.
        self.writer: Any = None
        self.eager = True
        self.gc_was_enabled = False

    def plan(self, files: Sequence[Path]) -> list[tuple[int, Path, str]]:
        """Hash every file; return those that are new or changed, with their positions."""
        todo: list[tuple[int, Path, str]] = []
        for position, path in enumerate(files):
            try:
                digest = file_digest(path)
            except OSError as exc:
                self.report.failed.append((path, f"cannot read: {exc.strerror or exc}"))
                continue
            known = self.by_source.get(str(path))
            if known and known.content_hash == digest:
                self.kept[known.letter_id] = (position, path)
            else:
                todo.append((position, path, digest))
        return todo

    def take(
        self, position: int, path: Path, letter: Letter, docs: list[dict[str, Any]] | None = None
    ) -> None:
        """Queue a parsed letter; the later of two files with one letter id wins."""
        letter_id = letter.letter_id
        if not self._claim(letter_id, position, path):
            return
        again = letter_id in self.pending
        self.pending[letter_id] = letter
        if again and self.writer is not None:
            self.close_writer()
            self.eager = False
        elif self.eager:
            self._write(letter, docs)
        if len(self.pending) >= self.chunk_letters:
            self.commit()

    def take_shard(self, shard: _Shard, index_dir: Path) -> None:
        """Commit a shard's segment: its letters, less those a later file replaces, as take()
        would have queued them, and the deletion of what they replace."""
        segment = shard.segment
        if segment is None:
            return
        name = segment.make_filename(segment.COMPOUND_EXT)
        os.replace(shard.folder / name, index_dir / name)
        here: dict[str, _ShardLetter] = {}  # letter id -> its documents in this segment
        replaced: set[str] = set()  # letter ids whose committed documents go
        for item in shard.letters:
            letter_id = item.letter_id
            if not self._claim(letter_id, item.position, item.path):
                self._drop(segment, item)
                continue
            earlier = here.get(letter_id)
            if earlier is not None:
                self._drop(segment, earlier)
            elif letter_id in self.committed:
                replaced.add(letter_id)
            here[letter_id] = item
        writer = _writer(self.ix, self.lock_fd)
        try:
            for letter_id in sorted(replaced):
                writer.delete_by_term("letter_id", letter_id)
            with _gc_paused():
                writer.commit(mergetype=functools.partial(_appending, [segment]))
        except BaseException:
            _cancel(writer)
            raise
        written = {
            letter_id: _Indexed(letter_id, str(item.path), item.content_hash)
            for letter_id, item in here.items()
        }
        self._committed(written, sum(item.documents for item in here.values()))

    def _claim(self, letter_id: str, position: int, path: Path) -> bool:
        """Count a parsed letter as take() does; False when an unchanged later file wins."""
        known = self.by_source.get(str(path))
        if known and known.letter_id != letter_id:
            self.orphans.add(known.letter_id)
        kept = self.kept.get(letter_id)
        if kept:
            if kept[0] > position:
                self.report.duplicates.append(Duplicate(letter_id, kept[1], path))
                return False
            del self.kept[letter_id]
            self.report.duplicates.append(Duplicate(letter_id, path, kept[1]))
        earlier = self.written.get(letter_id)
        if earlier:
            self.report.duplicates.append(Duplicate(letter_id, path, earlier))
        elif known or letter_id in self.by_id:
            self.report.updated += 1
        else:
            self.report.added += 1
        self.written[letter_id] = path
        return True

    @staticmethod
    def _drop(segment: Any, item: _ShardLetter) -> None:
        """Delete a letter's documents from a segment not committed yet."""
        for docnum in range(item.first, item.first + item.documents):
            segment.delete_document(docnum)

    def _write(self, letter: Letter, docs: list[dict[str, Any]] | None) -> None:
        """Add a letter's documents (made now unless given) to this chunk's writer."""
        if self.writer is None:
            self.gc_was_enabled = gc.isenabled()
            gc.disable()  # see _gc_paused
            self.writer = _writer(self.ix, self.lock_fd)
        try:
            if letter.letter_id in self.committed:
                self.writer.delete_by_term("letter_id", letter.letter_id)
            for doc in docs or to_documents(letter):
                self.writer.add_document(**doc)
        except BaseException:
            self.close_writer()
            raise

    def close_writer(self) -> None:
        """Abandon the chunk's writer (after a failure, or to write the chunk at commit)."""
        writer, self.writer = self.writer, None
        if writer is not None:
            try:
                _cancel(writer)
            finally:
                if self.gc_was_enabled:
                    gc.enable()

    def finish(self, files: Sequence[Path], prune: bool) -> None:
        """Commit the rest, deleting letters replaced in their file and (prune) lost files'."""
        pruned: set[str] = set()
        if prune:
            present = {str(p) for p in files}
            pruned = {i for i, rec in self.by_id.items() if rec.source not in present}
        pruned -= self.written.keys()
        replaced = self.orphans - self.written.keys() - pruned
        self.commit(sorted(pruned | replaced))
        self.report.removed += len(pruned)

    def commit(self, deletions: Collection[str] = ()) -> None:
        """Write the pending letters and deletions as one commit (nothing when idle)."""
        if not self.pending and not deletions:
            return
        writer, self.writer = self.writer, None
        gc_was_enabled, self.gc_was_enabled = self.gc_was_enabled, False
        if writer is None:
            gc_was_enabled = gc.isenabled()
            writer = self._writer_for_chunk()
        decisions = sum(len(letter.decisions) for letter in self.pending.values())
        gc.disable()  # see _gc_paused
        try:
            for letter_id in deletions:
                if letter_id in self.committed:
                    writer.delete_by_term("letter_id", letter_id)
            # No merge at a commit: the build merges once at the end (_merge_if_it_pays).
            writer.commit(mergetype=NO_MERGE)
        except BaseException:
            _cancel(writer)
            raise
        finally:
            if gc_was_enabled:
                gc.enable()
        written = {
            letter_id: _Indexed(letter_id, str(letter.source), letter.content_hash)
            for letter_id, letter in self.pending.items()
        }
        self._committed(written, decisions, deletions)
        self.pending.clear()
        self.eager = True

    def _committed(
        self, written: dict[str, _Indexed], decisions: int, deletions: Collection[str] = ()
    ) -> None:
        """Note a commit: the letters it wrote (decisions documents), the ones it deleted."""
        self.report.commits += 1
        self.report.decisions += decisions
        self.docs_written += decisions
        self.committed.update(written)
        self.committed.difference_update(deletions)
        for letter_id in deletions:
            self.now.pop(letter_id, None)
        self.now.update(written)

    def _writer_for_chunk(self) -> Any:
        """Open a writer and add every pending letter to it (the chunk was not written yet)."""
        writer = _writer(self.ix, self.lock_fd)
        try:
            for letter_id in self.pending:
                if letter_id in self.committed:
                    writer.delete_by_term("letter_id", letter_id)
            with _gc_paused():
                for letter in self.pending.values():
                    for doc in to_documents(letter):
                        writer.add_document(**doc)
        except BaseException:
            _cancel(writer)
            raise
        return writer


def _appending(added: list[Any], writer: Any, segments: list[Any]) -> list[Any]:
    """A merge policy that merges nothing and adds segments written elsewhere."""
    return [*segments, *added]


def _writer(ix: Any, lock_fd: int) -> Any:
    """Open the index's writer: FastWriter (whoosh_speed), or Whoosh's with FAST_WRITER off."""
    if FAST_WRITER:
        detach = functools.partial(_detach_from_build, lock_fd)
        return new_writer(ix, JOINED, child_setup=detach, limitmb=WRITER_MB)
    return ix.writer(limitmb=WRITER_MB)


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Hold off Python's cyclic garbage collector while a commit runs.

    A commit makes millions of small lists and tuples, and each full collection walks all of
    them: at 2,000 letters a chunk that was a third of the time spent adding documents.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _read_indexed(ix: Any) -> dict[str, _Indexed]:
    """Return letter id -> (source, content hash) for every letter in the index."""
    generation = ix.latest_generation()
    if generation >= 0:
        saved = _load_letters(Path(ix.storage.folder) / LETTERS_FILE.format(generation))
        if saved is not None:
            with ix.searcher() as searcher:
                if len(saved) == _count_letters(searcher):
                    return saved
    return _read_stored_letters(ix)


def _read_stored_letters(ix: Any) -> dict[str, _Indexed]:
    """Read letter id -> (source, content hash) from each letter's first decision document."""
    found: dict[str, _Indexed] = {}
    with ix.searcher() as searcher:
        for docnum in searcher.docs_for_query(query.Term("decision_index", 0)):
            stored = searcher.stored_fields(docnum)
            letter_id = stored["letter_id"]
            found[letter_id] = _Indexed(
                letter_id, stored.get("source", ""), stored.get("content_hash", "")
            )
    return found


def _load_letters(path: Path) -> dict[str, _Indexed] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {k: _Indexed(k, str(source), str(digest)) for k, (source, digest) in data.items()}
    except (OSError, ValueError, TypeError, AttributeError):
        return None


def _save_letters(index_dir: Path, generation: int, letters: dict[str, _Indexed]) -> None:
    """Write LETTERS_FILE for generation (atomically) and remove those of other generations."""
    path = index_dir / LETTERS_FILE.format(generation)
    data = {k: [rec.source, rec.content_hash] for k, rec in sorted(letters.items())}
    partial = path.with_name(f"{path.name}.tmp{os.getpid()}")
    try:
        partial.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        os.replace(partial, path)
    except OSError:  # only a shortcut for the next build: it reads the index instead
        partial.unlink(missing_ok=True)
        return
    for name in os.listdir(index_dir):
        if LETTERS_RE.match(name) and name != path.name:
            (index_dir / name).unlink(missing_ok=True)


def _count_letters(searcher: Any) -> int:
    return sum(1 for _ in searcher.docs_for_query(query.Term("decision_index", 0)))


def _merge_if_it_pays(ix: Any, docs_written: int, lock_fd: int, report: BuildReport) -> None:
    """Merge segments as indexer/merging.py chooses, one commit a merge, until it chooses none."""
    started = time.perf_counter()
    while True:
        segments = TOC.read(ix.storage, INDEX_NAME).segments
        sizes = [SegmentSize(seg.doc_count_all(), seg.deleted_count()) for seg in segments]
        chosen = choose_merge(sizes, docs_written)
        if not chosen:
            break
        ids = {segments[i].segment_id() for i in chosen}
        writer = _writer(ix, lock_fd)
        try:
            with _gc_paused():
                writer.commit(mergetype=functools.partial(_merging, ids))
        except BaseException:
            _cancel(writer)
            raise
        report.merged += len(chosen)
        report.optimized = len(chosen) == len(segments)
    report.merge_seconds = time.perf_counter() - started


def _merging(ids: set[str], writer: Any, segments: list[Any]) -> list[Any]:
    """A merge policy that merges the segments with these ids and keeps the others.

    A segment whose documents are all deleted is dropped, not merged: were they all such, the
    writer would otherwise write an empty segment.
    """
    kept = []
    for segment in segments:
        if segment.segment_id() not in ids:
            kept.append(segment)
        elif segment.doc_count():
            with SegmentReader(writer.storage, writer.schema, segment) as reader:
                writer.add_reader(reader)
    return kept


def _tidy(ix: Any, index_dir: Path) -> None:
    """Remove files a killed build left behind; the caller holds the build lock."""
    toc = TOC.read(ix.storage, INDEX_NAME)
    clean_files(ix.storage, INDEX_NAME, toc.generation, toc.segments)
    for name in os.listdir(index_dir):
        if TEMP_TOC_RE.match(name):
            (index_dir / name).unlink(missing_ok=True)
        elif SHARD_RE.match(name):  # a killed build's shard worker
            shutil.rmtree(index_dir / name, ignore_errors=True)


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
    letters and each writes its chunk as a segment (FastWriter, whoosh_speed.py), which this
    process commits in order (a month of 12,000 letters onto 97k decisions: about 60 s, 320
    decisions/s). Otherwise one FastWriter in this process takes letters as parse workers
    deliver them analysed (about 240 decisions/s for 2,000 letters).
    """
    started = time.perf_counter()
    index_dir = Path(index_dir)
    files = _find_files(sources)
    if index_dir.exists() and not index_dir.is_dir():
        raise BuildError(f"{index_dir} is not a directory")
    try:
        index_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BuildError(f"cannot create {index_dir}: {exc.strerror}") from exc
    report = BuildReport()
    with build_lock(index_dir) as lock_fd:
        ix = _open_index(index_dir, create=True)
        run = _Build(ix, report, chunk_letters, lock_fd)
        todo = run.plan(files)
        if progress:
            progress(0, len(todo))
        # Parse workers analyse too when this process adds each letter as it comes (a single
        # FastWriter); with procs=1 this process would analyse either way.
        analyse = FAST_WRITER and procs > 1
        sharded = analyse and len(todo) > run.chunk_letters
        try:
            if sharded:
                _tidy(ix, index_dir)  # no shard folder of a killed build may be in the way
                size = min(run.chunk_letters, -(-len(todo) // procs))  # every worker has work
                shards = _shards(todo, size, procs, index_dir, lock_fd)
                done = 0
                with closing(shards):
                    for shard in shards:
                        report.failed += shard.failed
                        run.take_shard(shard, index_dir)
                        done += len(shard.letters) + len(shard.failed)
                        if progress:
                            progress(done, len(todo))
            else:
                tasks = [(path, digest, analyse) for _, path, digest in todo]
                with closing(_parse_all(tasks, procs, lock_fd)) as results:
                    for done, ((position, path, _), (letter, reason, docs)) in enumerate(
                        zip(todo, results, strict=True), start=1
                    ):
                        if letter is None:
                            report.failed.append((path, reason))
                        else:
                            run.take(position, path, letter, docs)
                        if progress:
                            progress(done, len(todo))
            run.finish(files, prune)
        finally:
            run.close_writer()
        report.unchanged = len(run.kept)
        _merge_if_it_pays(ix, run.docs_written, lock_fd, report)
        _tidy(ix, index_dir)
        with ix.searcher() as searcher:
            report.letters_total = _count_letters(searcher)
            report.decisions_total = searcher.doc_count()
            _prepare_search_arrays(searcher.reader(), index_dir)
        report.generation = index_generation(index_dir)
        if report.letters_total == len(run.now):
            _save_letters(index_dir, report.generation, run.now)
    report.seconds = time.perf_counter() - started
    return report


def _prepare_search_arrays(reader: Any, index_dir: Path) -> None:
    """Save the search app's arrays of the new generation beside the index
    (search_app/search_sidecar.py), so that a server's first answer after a build reads them
    instead of computing them: 1.6 s at a million decisions, 0.25 s at 97k.

    Best effort, after the commit: the app computes them itself when they are missing (a
    running server that sees the new generation first may compute them too; both write the
    file atomically), so a failure here is logged and the build still succeeds. The only
    place the indexer reads the app's code, imported here so that indexing alone never loads
    it.
    """
    from indexer.engine.whoosh.arrays import read_arrays

    try:
        read_arrays(reader, index_dir)
    except Exception as error:  # noqa: BLE001 - the committed index is fine either way
        _LOG.warning(
            "the search arrays were not prepared (the server will compute them): %s", error
        )


def index_stats(index_dir: Path) -> IndexStats:
    """Count letters, decision documents and documents per facet value in an index."""
    index_dir = Path(index_dir)
    if not index_dir.is_dir():
        raise BuildError(f"no index in {index_dir}; build one with: imr-index build")
    ix = _open_index(index_dir, create=False)
    facets: dict[str, dict[str, int]] = {}
    with ix.searcher() as searcher:
        reader = searcher.reader()
        for facet in FACETS:
            counts = {
                value: sum(1 for _ in reader.postings(facet, value).all_ids())
                for value in reader.field_terms(facet)
            }
            ranked = sorted(((v, n) for v, n in counts.items() if n), key=_by_count)
            facets[facet] = dict(ranked)
        letters = _count_letters(searcher)
        decisions = searcher.doc_count()
    return IndexStats(letters, decisions, facets, index_generation(index_dir))


def _by_count(item: tuple[str, int]) -> tuple[int, str]:
    return -item[1], item[0]


def letter_files(paths: Iterable[Path]) -> list[Path]:
    """Return the letter files under paths, each once, in the order a build reads them."""
    return list(dict.fromkeys(Path(os.path.abspath(p)) for p in iter_letter_files(paths)))
