"""LetterIndex: one open Whoosh index, refreshed when a build commits, with cached tables."""

from __future__ import annotations

import logging
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from whoosh import index as whoosh_index

from indexer.engine.whoosh.arrays import EXTRA_TABLES, read_arrays
from indexer.engine.whoosh.facets import BoolArray, FacetTable, resolve_value
from indexer.engine.whoosh.files import is_toc
from indexer.engine.whoosh.schema import FACETS
from indexer.engine.whoosh.storage import open_mapped

Expand = Callable[[str], frozenset[str]]
LOG = logging.getLogger(__name__)
DEFAULT_CHECK_SECONDS = 1.0
# Matching sets kept per generation: a query's facet counts, statistics and page flips reuse
# its set instead of running it again. At 1M documents one entry holds a few MB of masks.
DEFAULT_CACHE_SIZE = 32
# Decoded posting lists kept per generation (search_engine.py), in MB: the common words of
# the day's queries are read from memory. At 1M decisions a common word's list is ~10 MB.
DEFAULT_POSTINGS_MB = 128


class MatchCache:
    """A small thread-safe LRU of per-query results; size 0 keeps nothing."""

    def __init__(self, size: int) -> None:
        self.size = max(0, size)
        self._items: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Any:
        """Return the value cached under key (now the most recent), or None."""
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
            return found

    def put(self, key: Hashable, value: Any) -> None:
        """Keep value under key, dropping the least recently used entry when full."""
        if not self.size:
            return
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def __len__(self) -> int:
        return len(self._items)


class ByteCache:
    """A thread-safe LRU bounded by the bytes of what it holds; a limit of 0 keeps nothing."""

    def __init__(self, limit: int) -> None:
        self.limit = max(0, limit)
        self.used = 0
        self._items: OrderedDict[Hashable, tuple[Any, int]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Any:
        """Return the value cached under key (now the most recent), or None."""
        with self._lock:
            found = self._items.get(key)
            if found is None:
                return None
            self._items.move_to_end(key)
            return found[0]

    def put(self, key: Hashable, value: Any, size: int) -> None:
        """Keep value (size bytes), dropping the least recently used entries to make room."""
        if not self.limit or size > self.limit:
            return
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self.used -= old[1]
            self._items[key] = (value, size)
            self.used += size
            while self.used > self.limit:
                _, (_, dropped) = self._items.popitem(last=False)
                self.used -= dropped

    def __len__(self) -> int:
        return len(self._items)


class IndexMissing(Exception):
    """The index directory holds no index (the message says how to build one)."""

    def __init__(self, path: Path | str, reason: str = "no index found") -> None:
        super().__init__(f"{reason} at {path}; build it with `imr-index build <corpus> {path}`")
        self.path = Path(path)


@dataclass(slots=True)
class Generation:
    """What is cached for one committed version of the index."""

    ix: Any
    signature: tuple[tuple[str, int, int], ...]
    size: int
    live: BoolArray
    tables: dict[str, FacetTable]
    decided: np.ndarray[Any, np.dtype[np.uint64]]
    browse_counts: dict[str, np.ndarray[Any, np.dtype[np.int64]]] | None = None
    matches: MatchCache = field(default_factory=lambda: MatchCache(0))
    postings: ByteCache = field(default_factory=lambda: ByteCache(0))
    # Lazily filled per-generation arrays of the scoring engine (field lengths, ...).
    arrays: dict[Hashable, Any] = field(default_factory=dict)
    # Tables the statistics count besides the facets (citations), by field name.
    extra_tables: dict[str, FacetTable] = field(default_factory=dict)
    # Segment id -> its dense postings (whoosh_dense.DenseReader) or None, opened on first use.
    # A segment's files never change, so the next generation keeps its segments' entries.
    dense: dict[str, Any] = field(default_factory=dict)


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


class IndexContext:
    """The QueryContext over one generation and searcher."""

    def __init__(self, index: LetterIndex, generation: Generation, searcher: Any) -> None:
        self.index = index
        self.generation = generation
        self.searcher = searcher

    def expand(self, term: str) -> frozenset[str]:
        return self.index.expand(term)

    def resolve_facet(self, facet: str, raw: str) -> tuple[str, ...]:
        if facet not in FACETS:
            return ()
        return resolve_value(self.generation.tables[facet], raw)

    def fuzzy_terms(self, fieldname: str, word: str, edits: int) -> tuple[str, ...]:
        reader = self.searcher.reader()
        found = reader.terms_within(fieldname, word, edits, prefix=1)
        return tuple(sorted(found))[:50]


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
