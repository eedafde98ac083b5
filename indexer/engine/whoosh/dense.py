"""Dense postings: a segment's common terms kept once more, as arrays read without decoding.

Whoosh stores a term's postings in blocks of at most 128, each a zlib-compressed pickle, so
reading a common word decodes every block however little of it a query needs: at a million
decisions a word like "therapy" is thousands of blocks before any scoring. When a segment
is written, each term with at least DENSE_MIN postings is also written to the segment's
DENSE_EXT file as plain arrays, which the search engine maps and reads without decoding:

- its documents, as a bitmap over the segment (one bit a document) or, where four bytes a
  posting is smaller, as sorted uint32 numbers;
- its weights as Whoosh stores them (float32), as uint8 when every weight is a whole number
  below 256 (term frequencies almost always are), or nothing when every weight is 1;
- in a field with positions, each document's count of positions and then the positions
  themselves (absolute, all documents' one after another), as uint16 or, where a number
  does not fit, uint32. Whoosh keeps them as a pickled list for each posting, and unpickling
  them dominated phrases of common words ("the request for").

The file is one of the segment's files, so it goes into the compound segment file, is deleted
with the segment and merged by rewriting; it is about a quarter of a merged segment (its
size is in bench/RESULTS.md). An index written without it (Whoosh's own
writer, or before positions were kept) is read from its blocks as before: an entry without
positions is one of six numbers, one with them of nine.

Layout: MAGIC, the arrays (each 8-byte aligned), the directory (a pickled dict), the
directory's offset (8 bytes, big-endian) and MAGIC again.
"""

from __future__ import annotations

import logging
import pickle
import struct
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from indexer.engine.whoosh.positions import decode

DENSE_EXT = ".dns"
DENSE_MIN = 8192  # postings a term needs to be written dense (64 of Whoosh's blocks)
MAGIC = b"IMRDNS1\n"
_OFFSET = struct.Struct("!Q")
_TAIL = _OFFSET.size + len(MAGIC)
_ALIGN = 8

DocArray = npt.NDArray[np.int64]
WeightArray = npt.NDArray[np.float64]
_POSITION_KINDS: dict[str, np.dtype[Any]] = {"u2": np.dtype("<u2"), "u4": np.dtype("<u4")}
# (field, term bytes) -> (documents kind, offset, size, weights kind, offset, size), and in a
# field with positions (positions kind, offset, size) after them
Entry = tuple[Any, ...]
PositionsFound = tuple[DocArray, WeightArray, DocArray, npt.NDArray[np.unsignedinteger[Any]]]
Directory = dict[tuple[str, bytes], Entry]


class DenseError(Exception):
    """A dense postings file is damaged or of another format."""


class DenseWriter:
    """Write a segment's dense postings to an open Whoosh StructFile, then close it."""

    def __init__(self, dbfile: Any, doccount: int, minimum: int | None = None) -> None:
        self.dbfile = dbfile
        self.doccount = doccount
        self.minimum = DENSE_MIN if minimum is None else minimum
        self.directory: Directory = {}
        self.dbfile.write(MAGIC)
        self._pos = len(MAGIC)

    def wants(self, count: int) -> bool:
        """Tell whether a term with count postings is written dense."""
        return count >= self.minimum

    def add(
        self,
        fieldname: str,
        tbytes: bytes,
        ids: Sequence[int],
        weights: Sequence[float],
        values: list[bytes] | None = None,
    ) -> None:
        """Write a term's postings: ids ascending (segment document numbers), their weights,
        and with values (formats.Positions values, one a posting) their positions."""
        docs = np.asarray(ids, dtype=np.int64)
        if len(docs) and (int(docs[0]) < 0 or int(docs[-1]) >= self.doccount):
            raise ValueError(f"document numbers outside 0..{self.doccount - 1}")
        if self.doccount // 8 + 1 < 4 * len(docs):
            mask = np.zeros(self.doccount, dtype=np.bool_)
            mask[docs] = True
            doc_kind, doc_bytes = "bits", np.packbits(mask).tobytes()
        else:
            doc_kind, doc_bytes = "ids", docs.astype(">u4").tobytes()
        stored = np.asarray(weights, dtype=np.float32)  # what Whoosh's block keeps
        whole = stored.astype(np.uint8)
        if bool(np.all(stored == 1.0)):
            weight_kind, weight_bytes = "one", b""
        elif bool(np.all(whole == stored)):
            weight_kind, weight_bytes = "u8", whole.tobytes()
        else:
            weight_kind, weight_bytes = "f4", stored.astype(">f4").tobytes()
        doc_at = self._write(doc_bytes)
        weight_at = self._write(weight_bytes)
        entry: Entry = (
            doc_kind, doc_at, len(doc_bytes), weight_kind, weight_at, len(weight_bytes)
        )  # fmt: skip
        if values is not None:
            counts, positions = decode(values)
            if len(counts) != len(docs):
                raise ValueError(f"{len(docs)} documents but {len(counts)} position lists")
            both = np.concatenate((counts, positions))
            kind = "u2" if not len(both) or int(both.max()) <= 0xFFFF else "u4"
            if len(both) and int(both.min()) < 0:
                raise ValueError("a negative position")
            position_bytes = both.astype(_POSITION_KINDS[kind]).tobytes()
            entry = (*entry, kind, self._write(position_bytes), len(position_bytes))
        self.directory[(fieldname, tbytes)] = entry

    def append(self, source: Any) -> None:
        """Copy another DenseWriter's closed file (an open StructFile) into this one."""
        data = source.read()
        directory = read_directory(data)
        body_at = self._write(data[len(MAGIC) : _directory_at(data)])
        shift = body_at - len(MAGIC)
        for key, entry in directory.items():
            dk, do, ds, wk, wo, ws, *more = entry
            moved: Entry = (dk, do + shift, ds, wk, wo + shift, ws)
            if more:
                pk, po, ps = more
                moved = (*moved, pk, po + shift, ps)
            self.directory[key] = moved

    def close(self) -> None:
        """Write the directory and the tail, and close the file."""
        table = pickle.dumps(self.directory, pickle.HIGHEST_PROTOCOL)
        at = self._pos
        self.dbfile.write(table)
        self.dbfile.write(_OFFSET.pack(at) + MAGIC)
        self.dbfile.close()

    def _write(self, data: bytes) -> int:
        pad = -self._pos % _ALIGN
        if pad:
            self.dbfile.write(b"\0" * pad)
            self._pos += pad
        at = self._pos
        self.dbfile.write(data)
        self._pos += len(data)
        return at


def _directory_at(data: Any) -> int:
    """Return where a dense file's directory starts, checking its head and tail."""
    size = len(data)
    if size < len(MAGIC) + _TAIL or bytes(data[: len(MAGIC)]) != MAGIC:
        raise DenseError("not a dense postings file")
    if bytes(data[size - len(MAGIC) :]) != MAGIC:
        raise DenseError("the dense postings file is cut short")
    (at,) = _OFFSET.unpack(bytes(data[size - _TAIL : size - len(MAGIC)]))
    if not len(MAGIC) <= at <= size - _TAIL:
        raise DenseError("the dense postings directory is out of the file")
    return int(at)


def read_directory(data: Any) -> Directory:
    """Return the directory of a dense file's bytes (bytes, a memoryview or a map)."""
    at = _directory_at(data)
    size = len(data)
    try:
        directory = pickle.loads(bytes(data[at : size - _TAIL]))
    except Exception as exc:
        raise DenseError(f"the dense postings directory cannot be read: {exc}") from exc
    if not isinstance(directory, dict):
        raise DenseError("the dense postings directory is not a table")
    return directory


class DenseReader:
    """A segment's dense postings, read in place from the file's bytes."""

    def __init__(self, data: Any, doccount: int) -> None:
        self.data = memoryview(data).cast("B")
        self.doccount = doccount
        self.directory = read_directory(self.data)

    def __contains__(self, key: tuple[str, bytes]) -> bool:
        return key in self.directory

    def keys(self) -> Iterable[tuple[str, bytes]]:
        return self.directory.keys()

    def postings(self, fieldname: str, tbytes: bytes) -> tuple[DocArray, WeightArray] | None:
        """Return the term's documents (segment numbers) and weights, or None if not dense.

        A damaged entry raises DenseError.
        """
        entry = self.directory.get((fieldname, tbytes))
        if entry is None:
            return None
        try:
            return self._postings(entry)
        except (ValueError, TypeError) as exc:
            raise DenseError(f"{fieldname}:{tbytes!r} cannot be read: {exc}") from exc

    def positions(self, fieldname: str, tbytes: bytes) -> PositionsFound | None:
        """Return the term's documents, weights, each document's count of positions and
        the positions (all documents' in a row, unsigned, read-only), or None where they
        are not kept dense.

        A damaged entry raises DenseError.
        """
        entry = self.directory.get((fieldname, tbytes))
        if entry is None or len(entry) != 9:
            return None
        try:
            docs, weights = self._postings(entry)
            kind, at, size = entry[6:]
            dtype = _POSITION_KINDS[str(kind)]
            both = np.frombuffer(
                self.data, dtype=dtype, count=int(size) // dtype.itemsize, offset=int(at)
            )
        except (ValueError, TypeError, KeyError) as exc:
            raise DenseError(f"{fieldname}:{tbytes!r} cannot be read: {exc}") from exc
        counts = both[: len(docs)].astype(np.int64)
        found = both[len(docs) :]  # read in place: the caller widens what it keeps
        if len(counts) != len(docs) or int(counts.sum()) != len(found):
            raise DenseError(f"{fieldname}:{tbytes!r}: the positions do not add up")
        return docs, weights, counts, found

    def position_count(self, fieldname: str, tbytes: bytes) -> int | None:
        """Return how many numbers the term's dense positions hold (its documents' counts
        and their positions), or None where they are not kept dense: the work of reading
        them."""
        entry = self.directory.get((fieldname, tbytes))
        if entry is None or len(entry) != 9 or entry[6] not in _POSITION_KINDS:
            return None
        return int(entry[8]) // int(_POSITION_KINDS[str(entry[6])].itemsize)

    def _postings(self, entry: Entry) -> tuple[DocArray, WeightArray]:
        doc_kind, doc_at, doc_size, weight_kind, weight_at, weight_size = entry[:6]
        raw = np.frombuffer(self.data, dtype=np.uint8, count=doc_size, offset=doc_at)
        if doc_kind == "bits":
            bits = np.unpackbits(raw, count=self.doccount)
            docs = np.flatnonzero(bits).astype(np.int64, copy=False)
        elif doc_kind == "ids":
            docs = raw.view(">u4").astype(np.int64)
        else:
            raise DenseError(f"unknown document kind {doc_kind!r}")
        weights: WeightArray
        if weight_kind == "one":
            weights = np.ones(len(docs), dtype=np.float64)
        else:
            raw = np.frombuffer(self.data, dtype=np.uint8, count=weight_size, offset=weight_at)
            if weight_kind == "u8":
                weights = raw.astype(np.float64)
            elif weight_kind == "f4":
                weights = raw.view(">f4").astype(np.float64)
            else:
                raise DenseError(f"unknown weight kind {weight_kind!r}")
        if len(weights) != len(docs):
            raise DenseError(f"{len(docs)} documents but {len(weights)} weights")
        return docs, weights


def open_dense(storage: Any, segment: Any) -> DenseReader | None:
    """Open a segment's dense postings in storage (the segment's files), or None when the
    segment has none; a damaged file is logged and left unused (the blocks are still read)."""
    name = segment.make_filename(DENSE_EXT)
    if not storage.file_exists(name):
        return None
    handle = storage.open_file(name)
    try:
        data = getattr(handle, "_buf", None)  # a mapped file: read in place
        if data is None:
            data = handle.read()
        return DenseReader(data, segment.doc_count_all())
    except DenseError as exc:
        logging.getLogger(__name__).warning("%s is not used: %s", name, exc)
        return None
    finally:
        if getattr(handle, "_buf", None) is None:
            handle.close()
