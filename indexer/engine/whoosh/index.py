"""LetterIndex: one open Whoosh index, refreshed when a build commits, a Generation each time."""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index

from indexer.engine.caches import ByteCache, MatchCache
from indexer.engine.interface import IndexMissing
from indexer.engine.whoosh.arrays import EXTRA_TABLES, read_arrays
from indexer.engine.whoosh.files import is_toc
from indexer.engine.whoosh.generation import Generation
from indexer.engine.whoosh.snapshot import WhooshSnapshot
from indexer.engine.whoosh.storage import open_mapped
from indexer.fields import FACETS

Expand = Callable[[str], frozenset[str]]
LOG = logging.getLogger(__name__)
DEFAULT_CHECK_SECONDS = 1.0
# Matching sets kept per generation: a query's facet counts, statistics and page flips reuse
# its set instead of running it again. At 1M documents one entry holds a few MB of masks.
DEFAULT_CACHE_SIZE = 32
# Decoded posting lists kept per generation (evaluate.py), in MB: the common words of the
# day's queries are read from memory; at a million decisions one list is megabytes.
DEFAULT_POSTINGS_MB = 128


def _signature(path: Path) -> tuple[tuple[str, int, int], ...]:
    """Identify the committed state cheaply: the TOC files' names, inodes and mtimes."""
    try:
        entries = [e for e in os.scandir(path) if is_toc(e.name)]
    except OSError:
        return ()
    out = []
    for entry in entries:
        try:
            stat = entry.stat()
        except FileNotFoundError:
            continue  # an old TOC the committing build has just removed
        out.append((entry.name, stat.st_ino, stat.st_mtime_ns))
    return tuple(sorted(out))


def _load(
    path: Path, cache_size: int, postings_mb: int = 0, dense: dict[str, Any] | None = None
) -> Generation:
    """Open the committed generation at path with its arrays (from the sidecar when valid).

    dense is the previous generation's dense postings by segment id; those of segments still
    in the index are kept.
    """
    signature = _signature(path)
    if not signature or not whoosh_index.exists_in(str(path)):
        raise IndexMissing(path)
    ix = open_mapped(str(path))
    with ix.reader() as reader:
        arrays = read_arrays(reader, path)
        segments = (leaf.segment() for leaf, _ in reader.leaf_readers())
        current = {s.segment_id() for s in segments if s is not None}  # None: an empty index
    tables = {name: arrays.tables[name] for name in FACETS}
    extra = {name: arrays.tables[name] for name in EXTRA_TABLES}
    previous = dict(dense or {})  # copied at once: other threads may be adding entries
    return Generation(
        ix,
        signature,
        arrays.size,
        arrays.live,
        tables,
        arrays.decided,
        matches=MatchCache(cache_size),
        postings=ByteCache(postings_mb * 2**20),
        extra_tables=extra,
        dense={segid: found for segid, found in previous.items() if segid in current},
    )


class LetterIndex:
    """An open index: a searcher per thread and numpy caches per committed generation."""

    def __init__(
        self,
        path: Path,
        expand: Expand,
        check_seconds: float = DEFAULT_CHECK_SECONDS,
        cache_size: int = DEFAULT_CACHE_SIZE,
        postings_mb: int = DEFAULT_POSTINGS_MB,
    ):
        self.path = path
        self.expand = expand
        self.check_seconds = check_seconds
        self.cache_size = cache_size
        self.postings_mb = postings_mb
        self._lock = threading.Lock()
        self._local = threading.local()
        self._generation = _load(path, cache_size, postings_mb)
        self._checked = time.monotonic()

    @property
    def generation(self) -> Generation:
        """Return the current generation, checking for a new one at most every check_seconds.

        Inside a `searcher()` block it is the generation of that searcher, so the arrays a
        request counts with always belong to the documents its searcher numbers.
        """
        pinned: Generation | None = getattr(self._local, "pinned", None)
        if pinned is not None:
            return pinned
        if time.monotonic() - self._checked >= self.check_seconds:
            self.refresh()
        return self._generation

    def refresh(self) -> bool:
        """Reopen the index if a build has committed since; return whether it changed."""
        self._checked = time.monotonic()
        signature = _signature(self.path)
        if signature == self._generation.signature or not signature:
            return False
        with self._lock:
            if signature == self._generation.signature:
                return False
            try:
                old = self._generation
                self._generation = _load(self.path, self.cache_size, self.postings_mb, old.dense)
            except Exception as error:  # noqa: BLE001 - any failure keeps the old generation
                # A generation read while a build is still writing can fail in many ways
                # (missing files, short reads inside Whoosh's column readers): keep serving
                # the last generation that loaded, and try again at the next check.
                LOG.warning("index %s not reloaded yet: %s", self.path, error)
                return False
        return True

    @contextmanager
    def searcher(self) -> Iterator[Any]:
        """Yield this thread's searcher for the current generation."""
        generation = self.generation
        local = self._local
        if getattr(local, "generation", None) is not generation:
            old = getattr(local, "searcher", None)
            if old is not None:
                local.searcher = local.generation = None
                old.close()
            local.searcher, generation = self._open_searcher(generation)
            local.generation = generation
        outer = getattr(local, "pinned", None)
        local.pinned = generation
        try:
            yield local.searcher
        finally:
            local.pinned = outer

    @contextmanager
    def snapshot(self) -> Iterator[WhooshSnapshot]:
        """Yield the current generation as a Snapshot, read through this thread's searcher."""
        with self.searcher() as searcher:
            yield WhooshSnapshot(self.expand, self.generation, searcher)

    def _open_searcher(self, generation: Generation) -> tuple[Any, Generation]:
        """Open a searcher of generation, or of the newest one if a build has since removed
        generation's segment files (each generation reads its own committed version)."""
        try:
            return generation.ix.searcher(), generation
        except OSError:
            self.refresh()
            newest = self._generation
            if newest is generation:
                raise
            return newest.ix.searcher(), newest

    def close(self) -> None:
        """Close this thread's searcher."""
        old = getattr(self._local, "searcher", None)
        if old is not None:
            old.close()
            self._local.searcher = None
            self._local.generation = None


def open_index(
    path: Path | str,
    expand: Expand | None = None,
    check_seconds: float = DEFAULT_CHECK_SECONDS,
    cache_size: int = DEFAULT_CACHE_SIZE,
    postings_mb: int = DEFAULT_POSTINGS_MB,
) -> LetterIndex:
    """Open the index at path; raise IndexMissing when there is none.

    expand defaults to indexer.classify.synonyms.expand; tests pass their own table. cache_size is
    how many queries' matching sets each generation keeps, postings_mb how many MB of
    decoded posting lists (0 and 0: nothing kept, every request runs cold).
    """
    directory = Path(path)
    if not directory.is_dir():
        raise IndexMissing(directory, "no index directory")
    if expand is None:
        from indexer.classify.synonyms import expand as synonyms_expand

        expand = synonyms_expand
    return LetterIndex(directory, expand, check_seconds, cache_size, postings_mb)
