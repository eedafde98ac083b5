"""A Whoosh index whose segment files are mapped once and read in place, never copied.

Whoosh's FileStorage maps a compound segment file, then hands out each file inside it as a
BufferFile, whose BytesIO copies the bytes: every reader opened copied the postings and every
stored-field column, a cost paid again by each searcher and growing with the index. Whoosh's
CompoundStorage asks its file for sub-files when the storage does not map files itself; here
that file is a view of one read-only map of the segment, and so are the sub-files it hands out.
Queries read the same bytes as before, at the same speed.

The search app opens its index read-only through open_mapped, pinned to the version committed
when it opened (PinnedIndex); a build opens it writable (writable_storage), so that its readers
(for deletions, merges and counts) do not copy either.
"""

from __future__ import annotations

import copy
import mmap
import os
from typing import Any

from whoosh.filedb.filestore import FileStorage
from whoosh.filedb.structfile import BufferFile, StructFile
from whoosh.index import TOC, FileIndex

from indexer.engine.whoosh.files import INDEX_NAME

_PEEK = 8192


class _MapReader:
    """The seek/read half of a file over [start, end) of a map (BytesIO without the copy)."""

    __slots__ = ("_map", "_start", "_end", "_pos", "closed")

    def __init__(self, source: mmap.mmap, start: int, length: int) -> None:
        self._map = source
        self._start = start
        self._end = start + length
        self._pos = start
        self.closed = False

    def read(self, size: int | None = -1) -> bytes:
        pos = self._pos
        end = self._end if size is None or size < 0 else min(pos + size, self._end)
        if end <= pos:
            return b""
        self._pos = end
        return self._map[pos:end]

    def peek(self, size: int = 0) -> bytes:
        # With peek, pickle.load reads a pickle in one call instead of one per opcode.
        pos = self._pos
        return self._map[pos : min(pos + max(size, _PEEK), self._end)]

    def readline(self, size: int | None = -1) -> bytes:
        pos = self._pos
        found = self._map.find(b"\n", pos, self._end)
        end = self._end if found < 0 else found + 1
        if size is not None and size >= 0:
            end = min(end, pos + size)
        return self.read(end - pos)

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        if whence == os.SEEK_SET:
            pos = self._start + offset
        elif whence == os.SEEK_CUR:
            pos = self._pos + offset
        elif whence == os.SEEK_END:
            pos = self._end + offset
        else:
            raise ValueError(f"invalid whence {whence}")
        if pos < self._start:
            raise ValueError("negative seek position")
        self._pos = pos
        return pos - self._start

    def tell(self) -> int:
        return self._pos - self._start

    def close(self) -> None:
        self.closed = True


class _MapFile(BufferFile):  # type: ignore[misc]
    """A BufferFile over part of a map: `get` slices the map, `read` goes through _MapReader."""

    def __init__(self, source: mmap.mmap, start: int, length: int, name: str | None) -> None:
        self._source = source
        self._start = start
        self._buf = memoryview(source)[start : start + length]
        self._name = name
        self.file = _MapReader(source, start, length)
        self.onclose = None
        self.is_real = False
        self.is_closed = False

    def subset(self, position: int, length: int, name: str | None = None) -> _MapFile:
        return _MapFile(self._source, self._start + position, length, name or self._name)

    def close(self) -> None:
        self.is_closed = True


class MappedStorage(FileStorage):  # type: ignore[misc]
    """A FileStorage whose compound segments are read through shared maps.

    A segment file is never changed once written (a commit writes new ones), so a map of it
    stays right for as long as a reader holds it, even after a merge deletes the file.
    """

    # CompoundStorage then asks the segment file (a _MapFile) for its sub-files.
    supports_mmap = False

    def __init__(self, path: str, readonly: bool = True) -> None:
        super().__init__(path, supports_mmap=False, readonly=readonly)

    def open_file(self, name: str, **kwargs: Any) -> StructFile:
        if not name.endswith(".seg"):
            return super().open_file(name, **kwargs)
        with open(self._fpath(name), "rb") as handle:
            try:
                source = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
            except ValueError:  # an empty file cannot be mapped
                return super().open_file(name, **kwargs)
        # The map outlives the descriptor: no file stays open, as with Whoosh's own mapping.
        return _MapFile(source, 0, len(source), name)


class PinnedIndex(FileIndex):  # type: ignore[misc]
    """A read-only FileIndex fixed to the version (TOC) committed when it was opened.

    Whoosh's FileIndex reads the newest TOC for every reader and searcher it opens, so two
    searchers of one FileIndex could number different documents when a build commits between
    them. The search app keeps arrays (sizes, facets, deletions) per opened version; its
    searchers must number the documents those arrays describe, however many commits follow.
    """

    def __init__(self, storage: FileStorage, indexname: str = INDEX_NAME) -> None:
        # FileIndex.__init__ would only read the TOC to check that it can; reading it here
        # once also fixes the version.
        self.storage = storage
        self._schema = None
        self.indexname = indexname
        self._toc = TOC.read(storage, indexname)

    def _read_toc(self) -> Any:
        toc = copy.copy(self._toc)
        toc.segments = list(self._toc.segments)  # Whoosh's _reader may extend this list
        return toc


def open_mapped(path: str, indexname: str = INDEX_NAME) -> PinnedIndex:
    """Open the version of the index at path committed now, its segments mapped, not copied.

    Readers and searchers opened from it later see that version, not a newer commit. A newer
    commit may have deleted the version's segment files by then: opening fails with OSError.
    """
    return PinnedIndex(MappedStorage(path), indexname=indexname)


def writable_storage(path: str) -> MappedStorage:
    """Return a storage to build the index at path in, whose readers map segments."""
    return MappedStorage(path, readonly=False)
