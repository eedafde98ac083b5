"""Write a new segment's postings a term and a block at a time, in several processes when it pays.

FastWriter (whoosh_speed.py) hands over its in-memory pool and the segments a merge brings
in; this module writes every field's terms into Whoosh's own W3FieldWriter (whoosh-reloaded
2.7.5), pickling and compressing each block of postings as its W3PostingsWriter does but from
slices of the term's lists instead of one posting at a time (write_term), so the files are
byte for byte what Whoosh's FieldWriter.add_postings writes. A merged segment's blocks are
read from one slice of its postings file and kept in Whoosh's own form (_read_blocks).

On a machine with more than one core, the fields (in name order) are cut into runs of
about equal cost: forked processes write each later run into a temporary postings file while
this one writes the first; then this process appends those files in order and adds their
terms, their offsets moved. The bytes are the same as one process writing every field in
order. If a forked process fails, this one writes its fields itself, in their place.
"""

from __future__ import annotations

import heapq
import io
import itertools
import os
import pickle
import signal
import struct
import zlib
from array import array
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, contextmanager, suppress
from operator import sub
from typing import Any

import numpy as np
from whoosh import formats
from whoosh.codec.whoosh3 import (
    LENGTHS_COLUMN,
    WHOOSH3_HEADER_MAGIC,
    W3TermInfo,
    _lenfield,
)
from whoosh.reading import SegmentReader
from whoosh.system import _LONG_SIZE, pack_long, pack_ushort, unpack_long
from whoosh.util import random_name
from whoosh.util.numeric import byte_to_length, length_to_byte

from indexer.engine.whoosh.dense import DenseWriter

SPLIT_MIN_POSTINGS = 100_000  # below this, one process writes every field
COPY_BYTES = 1 << 20
# Writing a posting with positions costs about three of one with a frequency (measured at
# 2,000 letters: 2.5 against 0.75-0.9 microseconds, the pickling and compressing of blocks).
POSITIONS_COST = 3
# Processes writing a large segment's postings: this one and PARTS - 1 forked ones, each a
# run of fields of nearly equal cost. A merge takes three, more than the two cores: its
# costliest field (summary_exact) is a quarter of the work, so two runs could only be cut
# 30/70 or 55/45 (a 16k-letter merge: 28.7 s in two, 26.9 in three, 27.0 in four). A commit
# of new documents takes two: a forked process touching the pool's millions of objects
# copies their pages, and the third process's copies cost more CPU than it saved.
PARTS = 2
PARTS_MERGING = 3
TERMS_CHUNK = 50_000  # terms a forked part writes to its term list at a time
_CHUNK_SIZE = struct.Struct("!Q")
_INFO_SIZE = W3TermInfo._struct.size  # a W3TermInfo's bytes before its postings' offset
_LENGTHS = [byte_to_length(b) if b else 0 for b in range(256)]  # length byte -> doc length
_UINT = struct.Struct("!I").pack  # whoosh.system.pack_uint
_INT = struct.Struct("!i")  # a block's length (StructFile.write_int)
_MAGIC_SIZE = len(WHOOSH3_HEADER_MAGIC)
_NO_LENGTH = np.iinfo(np.int64).max
SMALL = 4096  # frequencies whose weight and value bytes are made once
_UINTS = [_UINT(n) for n in range(SMALL)]
_FLOATS = [float(n) for n in range(SMALL)]

Items = list[tuple[bytes, int, float, bytes]]  # (term bytes, frequency, weight, value bytes)
Source = tuple[Any, int, dict[int, int] | None]  # (segment, first new docnum, old -> new docnum)
Postings = tuple[list[int], list[float], Any]  # docnums, weights, values (a list, or joined bytes)


class TermPool:
    """Postings grouped by field and term, in the order documents were added.

    A term's postings are one flat list: [docnum, item, docnum, item, ...] with the
    (term bytes, frequency, weight, value bytes) items analysis made, or, for a Frequency
    field without boosts, [docnum, frequency, ...] under the term as a string (its weight and
    value bytes follow from the frequency when the segment is written). Two appends a posting.
    """

    def __init__(self) -> None:
        self.fields: dict[str, dict[bytes, list[Any]]] = {}
        self.counts: dict[str, dict[str, list[int]]] = {}
        # True in a process that ends once its segment is written: freeing millions of
        # postings one by one (about 2% of a shard's time) is left to the process's exit.
        self.left_to_exit = False

    def add_items(self, fieldname: str, docnum: int, items: Items) -> None:
        """Add a document's postings in one field."""
        terms = self.fields.get(fieldname)
        if terms is None:
            if fieldname in self.counts:  # a boosted document in a field of counts
                self._counts_to_items(fieldname)
                return self.add_items(fieldname, docnum, items)
            terms = self.fields[fieldname] = {}
        get = terms.get
        for item in items:
            found = get(item[0])
            if found is None:
                terms[item[0]] = [docnum, item]
            else:
                found.append(docnum)
                found.append(item)
        return None

    def add_counts(self, fieldname: str, docnum: int, counts: dict[str, int]) -> None:
        """Add a document's term frequencies in a Frequency field (weights unboosted)."""
        terms = self.counts.get(fieldname)
        if terms is None:
            if fieldname in self.fields:
                return self.add_items(fieldname, docnum, _count_items(counts.items()))
            terms = self.counts[fieldname] = {}
        get = terms.get
        for word, n in counts.items():
            found = get(word)
            if found is None:
                terms[word] = [docnum, n]
            else:
                found.append(docnum)
                found.append(n)
        return None

    def _counts_to_items(self, fieldname: str) -> None:
        terms = self.fields[fieldname] = {}
        for word, flat in self.counts.pop(fieldname).items():
            tbytes = word.encode("utf-8")
            pairs = zip(flat[0::2], flat[1::2], strict=True)
            terms[tbytes] = [x for d, n in pairs for x in (d, _count_item(tbytes, n))]

    def count(self, fieldname: str) -> int:
        """Return the number of postings in a field."""
        terms = self.fields.get(fieldname) or self.counts.get(fieldname) or {}
        return sum(map(len, terms.values())) // 2

    def names(self) -> set[str]:
        return set(self.fields) | set(self.counts)

    def postings(self, fieldname: str) -> Iterator[tuple[bytes, int, Postings]]:
        """Yield (term bytes, 0, postings) for a field's terms, in order."""
        if fieldname in self.counts:
            counts = self.counts[fieldname]
            # Strings sort as their UTF-8 bytes do (code point order).
            for word in sorted(counts):
                flat = counts[word]
                ns = flat[1::2]
                weights = [_FLOATS[n] if n < SMALL else float(n) for n in ns]
                values = [_UINTS[n] if n < SMALL else _UINT(n) for n in ns]
                yield word.encode("utf-8"), 0, (flat[0::2], weights, values)
            return
        terms = self.fields.get(fieldname, {})
        for tbytes in sorted(terms):
            postings = terms[tbytes]
            items = postings[1::2]
            yield tbytes, 0, (postings[0::2], [i[2] for i in items], [i[3] for i in items])

    def cleanup(self) -> None:
        if self.left_to_exit:
            return
        self.fields.clear()
        self.counts.clear()


def _count_item(tbytes: bytes, n: int) -> tuple[bytes, int, float, bytes]:
    """The item formats.Frequency.word_values makes for a frequency (field boost 1)."""
    return tbytes, n, float(n), _UINT(n)


def _count_items(counts: Iterable[tuple[str, int]]) -> Items:
    return [_count_item(word.encode("utf-8"), n) for word, n in counts]


class SegmentPostings:
    """The postings of a segment being written: the pool's, then each merged segment's."""

    def __init__(self, storage: Any, schema: Any, pool: TermPool, sources: list[Source]) -> None:
        self.storage = storage
        self.schema = schema
        self.pool = pool
        self.sources = sources

    def field_sizes(self) -> dict[str, int]:
        """Return the fields that have postings, each with a rough cost of writing them.

        The cost is the number of postings, times POSITIONS_COST where values are pickled.
        """
        sizes = {name: self.pool.count(name) for name in self.pool.names()}
        with self.readers() as readers:
            for reader in readers:
                for name in reader.indexed_field_names():
                    if name in self.schema:
                        extra = reader.field_length(name) or reader.doc_count_all()
                        sizes[name] = sizes.get(name, 0) + extra
        for name in sizes:
            if _pickled(self.schema[name]):
                sizes[name] *= POSITIONS_COST
        return sizes

    @contextmanager
    def readers(self) -> Iterator[list[Any]]:
        """Open the merged segments (each process its own file handles)."""
        with ExitStack() as stack:
            yield [
                stack.enter_context(SegmentReader(self.storage, self.schema, seg))
                for seg, _, _ in self.sources
            ]

    def write_field(
        self,
        fw: Any,
        fieldname: str,
        lengths: list[int] | None,
        readers: list[Any],
        dense: DenseWriter | None = None,
    ) -> None:
        """Write a field's terms through fw (a W3FieldWriter or a _PartWriter), and the
        common ones to dense too (whoosh_dense.py)."""
        fieldobj = self.schema[fieldname]
        fixed = fieldobj.format.fixed_value_size()
        positional = type(fieldobj.format) is formats.Positions
        lookup = _Lengths(lengths)
        started = False
        for tbytes, (ids, weights, values), deltas in self._terms(fieldname, fieldobj, readers):
            if not ids:  # every posting was of a deleted document
                continue
            if not started:
                fw.start_field(fieldname, fieldobj)
                started = True
            write_term(fw, tbytes, ids, weights, values, lookup, fixed, deltas)
            if dense is not None and dense.wants(len(ids)):
                dense.add(fieldname, tbytes, ids, weights, values if positional else None)
        if started:
            fw.finish_field()

    def _terms(
        self, fieldname: str, fieldobj: Any, readers: list[Any]
    ) -> Iterator[tuple[bytes, Postings, list[int] | None]]:
        """Yield a field's terms in order: (term bytes, postings, the docnums as Whoosh's
        blocks keep them, first absolute then gaps, where already known, else None).

        The values are one bytes object a posting, except for a merged term of a field
        with fixed-size values, whose values come joined (as Whoosh's blocks keep them)."""
        streams = [self.pool.postings(fieldname)]
        streams += [_source_terms(r, fieldname, i) for i, r in enumerate(readers, start=1)]
        if len(streams) == 1:
            for tbytes, _, postings in streams[0]:
                yield tbytes, postings, None
            return
        fixed = fieldobj.format.fixed_value_size()
        for tbytes, group in itertools.groupby(heapq.merge(*streams), key=lambda x: x[0]):
            term = _MergedTerm(fixed)
            for _, source, payload in group:  # in source order, so docnums ascend
                if source == 0:
                    term.add_pool(*payload)
                else:
                    _, basedoc, docmap = self.sources[source - 1]
                    postfile = readers[source - 1]._terms._postfile
                    for block in _read_blocks(postfile, payload, fixed):
                        term.add_block(block, basedoc, docmap)
            yield tbytes, term.postings(), term.deltas()


class _MergedTerm:
    """A term's postings gathered from the pool and merged segments' blocks, renumbered.

    Values are kept as the blocks keep them: fixed-size ones joined (one bytes object a
    block, joined again at the end), none at all for a size of 0, else one a posting."""

    def __init__(self, fixed: int | None) -> None:
        self.ids: list[int] = []
        self.gaps: list[int] | None = []  # ids as blocks keep them, while every piece has them
        self.weights: list[float] = []
        self.size = fixed if fixed is not None and fixed >= 0 else -1  # -1: one a posting
        self.values: list[Any] = []

    def add_pool(self, ids: list[int], weights: list[float], values: list[bytes]) -> None:
        self.gaps = None
        self.ids += ids
        self.weights += weights
        self._add_values(_block_values(values, self.size))

    def add_block(self, block: tuple[Any, Any, Any, int], basedoc: int, docmap: Any) -> None:
        """Add a merged segment's block (its gaps, weights, values and count)."""
        gaps, weights, values, count = block
        if weights is None:
            weights = [1.0] * count
        elif isinstance(weights, float):
            weights = [weights] * count
        if docmap is not None:
            self._add_mapped(gaps, weights, values, docmap)
            return
        ids = self.ids
        shifted = list(gaps)
        shifted[0] += basedoc
        first = shifted[0]
        before = len(ids)
        ids += itertools.accumulate(shifted)
        if self.gaps is not None:
            if before:
                shifted[0] = first - ids[before - 1]
            self.gaps += shifted
        self.weights += weights
        self._add_values(values)

    def _add_values(self, values: Any) -> None:
        if self.size > 0:
            self.values.append(values)
        elif self.size < 0:
            self.values += values

    def _add_mapped(self, gaps: Any, weights: Any, values: Any, docmap: dict[int, int]) -> None:
        self.gaps = None
        kept = []
        for i, old in enumerate(itertools.accumulate(gaps)):
            new = docmap.get(old)
            if new is not None:  # deleted documents are not in the map
                self.ids.append(new)
                self.weights.append(weights[i])
                kept.append(i)
        size = self.size
        if size > 0:
            self.values.append(b"".join(values[i * size : (i + 1) * size] for i in kept))
        elif size < 0:
            self.values += [values[i] for i in kept]

    def postings(self) -> Postings:
        values = b"".join(self.values) if self.size > 0 else self.values
        return self.ids, self.weights, values

    def deltas(self) -> list[int] | None:
        return self.gaps


def write_postings(
    postings: SegmentPostings,
    fw: Any,
    pdr: Any,
    tempstorage: Any,
    codec: Any,
    child_setup: Callable[[], None] | None,
    dense: DenseWriter | None = None,
) -> None:
    """Write every field's postings into fw, the new segment's W3FieldWriter, and the
    common terms' into dense (closed here, also on failure)."""
    sizes = postings.field_sizes()
    names = sorted(sizes)
    lengths = {name: field_lengths(pdr, name) for name in names}
    cuts: list[int] = []
    if child_setup is not None and sum(sizes.values()) >= SPLIT_MIN_POSTINGS:
        parts_wanted = PARTS_MERGING if postings.sources else PARTS
        cuts = _split_points([sizes[n] for n in names], parts_wanted)
    bounds = [0, *cuts, len(names)]
    groups = [names[a:b] for a, b in zip(bounds, bounds[1:], strict=False)]
    parts: list[tuple[list[str], _Part]] = []
    try:
        if child_setup is not None:  # else there is one group
            for group in groups[1:]:
                part = _Part.start(postings, group, lengths, tempstorage, codec, child_setup, dense)
                parts.append((group, part))
        with postings.readers() as readers:
            for name in groups[0]:
                postings.write_field(fw, name, lengths[name], readers, dense)
            # In field order: a part that failed has its fields written here, in its place.
            for group, part in parts:
                if part.wait():
                    part.append_to(fw, postings.schema, dense)
                else:
                    for name in group:
                        postings.write_field(fw, name, lengths[name], readers, dense)
    finally:
        for _, part in parts:
            part.discard()
        if dense is not None:
            dense.close()


def _pickled(fieldobj: Any) -> bool:
    """Tell whether a field's block values are a pickled tuple (positions), not joined bytes."""
    fixed = fieldobj.format.fixed_value_size()
    return fixed is None or fixed < 0


def _split_points(sizes: list[int], parts: int) -> list[int]:
    """Return ascending cuts (0 < k < len) splitting sizes into at most parts runs of
    nearly equal sums: each cut where the running sum comes closest to its share."""
    total = sum(sizes)
    running = list(itertools.accumulate(sizes))[:-1]  # the sum before each possible cut
    cuts: list[int] = []
    for n in range(1, parts):
        target = total * n / parts
        k = min(range(len(running)), key=lambda i: abs(running[i] - target), default=None)
        if k is not None and (not cuts or k + 1 > cuts[-1]):
            cuts.append(k + 1)
    return cuts


class _PartWriter:
    """The FieldWriter interface write_term uses, writing postings to a file of their own
    and each term's info, as bytes, to termsfile for the parent to add to the segment's term
    table: in pickled chunks of TERMS_CHUNK terms, each after its length (8 bytes), so that
    neither process ever holds the whole list (at a million decisions, millions of terms
    whose info objects took the parent 2 GB)."""

    def __init__(self, codec: Any, postfile: Any, termsfile: Any) -> None:
        self._codec = codec
        self._postfile = postfile
        self._termsfile = termsfile
        self._chunk: list[tuple[str, bytes, bytes]] = []

    def start_field(self, fieldname: str, fieldobj: Any) -> None:
        self._fieldname = fieldname
        self._format = fieldobj.format
        self._postwriter = self._codec.postings_writer(self._postfile)

    def start_term(self, tbytes: bytes) -> None:
        self._tbytes = tbytes
        self._postwriter.start_postings(self._format, W3TermInfo())

    def finish_term(self) -> None:
        terminfo = self._postwriter.finish_postings()
        self._chunk.append((self._fieldname, self._tbytes, terminfo.to_bytes()))
        if len(self._chunk) >= TERMS_CHUNK:
            self.flush()

    def finish_field(self) -> None:
        self._postwriter = None

    def flush(self) -> None:
        """Write the terms kept so far to termsfile."""
        if self._chunk:
            data = pickle.dumps(self._chunk, pickle.HIGHEST_PROTOCOL)
            self._termsfile.write(_CHUNK_SIZE.pack(len(data)) + data)
            self._chunk = []


def _read_terms(handle: Any) -> Iterator[tuple[str, bytes, bytes]]:
    """Yield the (field, term bytes, term info bytes) a _PartWriter wrote, chunk by chunk."""
    while header := handle.read(_CHUNK_SIZE.size):
        (size,) = _CHUNK_SIZE.unpack(header)
        yield from pickle.loads(handle.read(size))


def _moved(info: bytes, base: int) -> bytes:
    """Return a W3TermInfo's bytes with its postings' offset moved by base (unless inlined)."""
    if info[0]:  # the inlined flag: the postings are in the info itself
        return info
    (offset,) = unpack_long(info[_INFO_SIZE : _INFO_SIZE + _LONG_SIZE])
    moved: bytes = pack_long(int(offset) + base)
    return info[:_INFO_SIZE] + moved + info[_INFO_SIZE + _LONG_SIZE :]


class _Part:
    """A forked process writing some fields' postings to a temporary file."""

    def __init__(self, pid: int, stem: str, storage: Any) -> None:
        self.pid = pid
        self.postname = f"{stem}.postings"
        self.termsname = f"{stem}.terms"
        self.densename = f"{stem}.dense"
        self.storage = storage

    @classmethod
    def start(
        cls,
        postings: SegmentPostings,
        names: list[str],
        lengths: dict[str, list[int] | None],
        storage: Any,
        codec: Any,
        child_setup: Callable[[], None],
        dense: DenseWriter | None,
    ) -> _Part:
        made = cls(0, random_name(), storage)
        parent = os.getpid()
        pid = os.fork()
        if pid:
            made.pid = pid
            return made
        status = 1  # the child: whatever happens, leave through os._exit (no cleanup of
        try:  # the parent's files, buffers or atexit handlers)
            child_setup()
            if os.getppid() == parent:
                postfile = storage.create_file(made.postname)
                termsfile = storage.create_file(made.termsname)
                part = _PartWriter(codec, postfile, termsfile)
                own = None
                if dense is not None:
                    own = DenseWriter(
                        storage.create_file(made.densename), dense.doccount, dense.minimum
                    )
                with postings.readers() as readers:
                    for name in names:
                        postings.write_field(part, name, lengths[name], readers, own)
                postfile.close()
                part.flush()
                termsfile.close()
                if own is not None:
                    own.close()
                status = 0
        finally:
            os._exit(status)

    def wait(self) -> bool:
        """Wait for the process; tell whether it wrote its fields."""
        _, status = os.waitpid(self.pid, 0)
        self.pid = 0
        return status == 0

    def append_to(self, fw: Any, schema: Any, dense: DenseWriter | None = None) -> None:
        """Append the part's postings to fw's file and its terms to fw's term table (and
        its dense postings to dense), reading its terms a chunk at a time."""
        if dense is not None:
            handle = self.storage.open_file(self.densename)
            try:
                dense.append(handle)
            finally:
                handle.close()
        postfile = fw._postfile
        base = postfile.tell()
        source = self.storage.open_file(self.postname)
        try:
            while chunk := source.read(COPY_BYTES):
                postfile.write(chunk)
        finally:
            source.close()
        handle = self.storage.open_file(self.termsname)
        try:
            for fieldname, group in itertools.groupby(_read_terms(handle), key=lambda t: t[0]):
                fw.start_field(fieldname, schema[fieldname])  # numbers the field as in one pass
                for _, tbytes, info in group:
                    fw._tindex.add(pack_ushort(fw._fieldid) + tbytes, _moved(info, base))
                fw.finish_field()
        finally:
            handle.close()

    def discard(self) -> None:
        """End the process if it still runs and remove its files."""
        if self.pid:
            with suppress(OSError):
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
            self.pid = 0
        for name in (self.postname, self.termsname, self.densename):
            with suppress(Exception):
                self.storage.delete_file(name)


def field_lengths(pdr: Any, fieldname: str) -> list[int] | None:
    """Every document's length in a field as the segment stores it (0: none), or None.

    This is what FieldWriter.add_postings asks doc_field_length for once per posting.
    """
    reader = pdr._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
    if reader is None:
        return None
    raw = reader._dbfile.get(reader._basepos, reader._count) if reader._count else b""
    table = _LENGTHS
    lengths = [table[b] for b in raw]
    lengths += [table[reader._default]] * (reader._doccount - len(lengths))
    return lengths


def _source_terms(reader: Any, fieldname: str, source: int) -> Iterator[tuple[bytes, int, Any]]:
    """Yield (term bytes, source, term info) for a field's terms in a segment, in order."""
    if fieldname not in reader.indexed_field_names():
        return
    for (name, tbytes), terminfo in reader._terms.items_from(fieldname, b""):
        if name != fieldname:
            return
        yield tbytes, source, terminfo


def _read_blocks(
    postfile: Any, terminfo: Any, fixed: int | None
) -> Iterator[tuple[Any, Any, Any, int]]:
    """Yield a segment term's blocks as Whoosh keeps them: (docnums, first absolute then
    gaps; weights: None for all 1.0, one float for all the same, or one a posting; values:
    joined bytes for a fixed size, else one a posting; the number of postings)."""
    if terminfo.is_inlined():  # Whoosh 2.7.5 never writes them (set_inline is missing)
        raise ValueError("inlined postings: not a segment Whoosh 2.7.5 wrote")
    offset, length = terminfo.extent()
    if isinstance(length, tuple):  # W3TermInfo.from_bytes keeps unpack_int's tuple
        (length,) = length
    data = postfile.get(offset, length)
    if data[:_MAGIC_SIZE] != WHOOSH3_HEADER_MAGIC:
        raise ValueError(f"no postings header at {offset}")
    handle = io.BytesIO(data)
    at = _MAGIC_SIZE
    while True:
        (size,) = _INT.unpack_from(data, at)
        handle.seek(at + _INT.size)
        count, _, _, compression, _, _ = pickle.load(handle)
        end = at + _INT.size + abs(size)
        raw = data[handle.tell() : end]
        gaps, weights, values = pickle.loads(zlib.decompress(raw) if compression else raw)
        yield gaps, weights, values, count
        if size < 0:  # the last block
            return
        at = end


def _block_values(values: list[Any], fixed: int | None) -> Any:
    """A list of values (one a posting) as W3PostingsWriter._mini_values keeps them."""
    if fixed is None or fixed < 0:
        return tuple(v for v in values if v)
    if fixed == 0:
        return None
    return b"".join(v for v in values if v)


class _Lengths:
    """A field's document lengths in the new segment (0: none) as a list and an array, or
    None for a field without lengths."""

    __slots__ = ("items", "array")

    def __init__(self, lengths: list[int] | None) -> None:
        self.items = lengths
        self.array = None if lengths is None else np.asarray(lengths, dtype=np.int64)

    def of_blocks(self, ids: list[int], limit: int) -> tuple[list[Any], list[int]]:
        """Return each block's shortest and longest document (None and 0 where none has a
        length), as the postings writer finds them posting by posting."""
        count = -(-len(ids) // limit)
        if self.items is None or self.array is None:
            return [None] * count, [0] * count
        if count == 1:  # most terms: plain Python beats numpy's setup for one block
            sizes = [n for n in map(self.items.__getitem__, ids) if n]
            return [min(sizes) if sizes else None], [max(sizes) if sizes else 0]
        found = self.array[ids]
        starts = np.arange(0, len(ids), limit)
        longest = np.maximum.reduceat(found, starts).tolist()
        shortest = np.minimum.reduceat(np.where(found > 0, found, _NO_LENGTH), starts).tolist()
        return [None if n == _NO_LENGTH else n for n in shortest], longest


def write_term(
    fw: Any,
    tbytes: bytes,
    ids: list[int],
    weights: list[float],
    values: Any,
    lengths: _Lengths,
    fixed: int | None,
    deltas: list[int] | None = None,
) -> None:
    """Write one term's postings, byte for byte as FieldWriter.add_postings would.

    ids ascend; values are one bytes object a posting, or for a fixed size (fixed > 0)
    possibly joined; deltas, when given, are the ids as blocks keep them (first absolute,
    then gaps). Each block is pickled and compressed here as W3PostingsWriter._write_block
    does, and its statistics added to the term's info as W3TermInfo.add_block adds them,
    without the writer's per-posting Python work.
    """
    fw.start_term(tbytes)
    pw = fw._postwriter
    total = len(ids)
    _check_values(values, total, fixed)
    each = fixed is None or fixed < 0
    limit = pw._blocklimit
    compression = pw._compression
    postfile = pw._postfile
    info = pw._terminfo
    stored = array("f", weights).tolist()  # the weights a block keeps, 32-bit
    if deltas is None:
        deltas = [ids[0], *map(sub, ids[1:], ids)]
    repeats = each and len(set(map(id, values))) < total
    shortest, longest = lengths.of_blocks(ids, limit)
    last = len(shortest) - 1
    if not pw._blockcount:
        postfile.write(WHOOSH3_HEADER_MAGIC)
    for k, start in enumerate(range(0, total, limit)):
        end = min(start + limit, total)
        count = end - start
        gaps = deltas[start:end]
        gaps[0] = ids[start]
        block = stored[start:end]
        if each:
            kept: Any = values[start:end]
            kept = tuple(_distinct(kept) if repeats else kept)
        elif not fixed:
            kept = None
        elif isinstance(values, bytes):
            kept = values[start * fixed : end * fixed]
        else:
            kept = b"".join(values[start:end])
        data = pickle.dumps((tuple(gaps), _kept_weights(block), kept), 2)
        if compression:
            data = zlib.compress(data, compression)
        top = max(weights[start:end])
        top = top if top > 0 else 0  # add_posting's running maximum from 0
        low, high = shortest[k], longest[k]
        head = pickle.dumps(
            (count, ids[end - 1], top, compression, length_to_byte(low), length_to_byte(high)),
            2,
        )
        size = len(head) + len(data)
        postfile.write(_INT.pack(-size if k == last else size))  # the last block: negative
        postfile.write(head)
        postfile.write(data)
        info._weight += sum(block)  # W3TermInfo.add_block
        info._df += count
        info._minlength = low if info._minlength is None else min(info._minlength, low)
        info._maxlength = max(info._maxlength, high)
        info._maxweight = max(info._maxweight, top)
        if info._minid is None:
            info._minid = ids[start]
        info._maxid = ids[end - 1]
    pw._blockcount += last + 1
    fw.finish_term()


def _check_values(values: Any, total: int, fixed: int | None) -> None:
    """Raise ValueError unless every posting has its value: joined ones total values long,
    none empty (Whoosh's block would drop an empty one; its formats never make one)."""
    if isinstance(values, bytes):
        if fixed is None or fixed <= 0 or len(values) != total * fixed:
            raise ValueError(f"{len(values)} bytes of values for {total} postings")
    elif fixed != 0 and not all(values):
        raise ValueError("an empty value: Whoosh's block would drop it")


def _kept_weights(block: list[float]) -> Any:
    """A block's weights as W3PostingsWriter._mini_weights keeps them."""
    count = len(block)
    if block.count(1.0) == count:
        return None
    if block.count(block[0]) == count:
        return block[0]
    return tuple(block)


def _distinct(values: list[bytes]) -> list[bytes]:
    """Copy values that repeat an object: pickle writes a repeated object as a reference.

    A letter's decisions share their summary postings' value objects; Whoosh's writer never
    repeats one in a block, so this keeps the block bytes the same as Whoosh's.
    """
    seen: set[int] = set()
    out = []
    for v in values:
        if id(v) in seen:
            v = bytes(bytearray(v))
        seen.add(id(v))
        out.append(v)
    return out
