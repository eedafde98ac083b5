"""Decoding Whoosh's Positions values many at a time.

A word's positions in one document's field are stored by whoosh.formats.Positions as a
count (four bytes) and then a pickled list of deltas: the first position, then each gap.
The search engine reads them from posting blocks and the dense postings writer
(dense.py) from the postings it writes; both turn a whole list of values into
arrays at once instead of unpickling each value.
"""

from __future__ import annotations

import pickle
from itertools import chain

import numpy as np
import numpy.typing as npt
from whoosh.system import _INT_SIZE

IntArray = npt.NDArray[np.int64]

_PICKLE_HEAD = b"\x80\x02"  # protocol 2, as Positions.encode writes each value
_STOP = ord(".")
# After a value's count: the protocol header, EMPTY_LIST, BINPUT 0 (the list's memo).
_FRAME_HEAD = _PICKLE_HEAD + b"]q\x00"
_FRAME = _INT_SIZE + len(_FRAME_HEAD)
_FRAME_ARRAY = np.frombuffer(_FRAME_HEAD, dtype=np.uint8)
_MARK, _APPENDS, _APPEND = ord("("), ord("e"), ord("a")
_BATCH = 1000  # the pickler's APPENDS batch: a longer list has a MARK ... APPENDS per batch
_BININT1 = ord("K")
_WIDTHS = np.zeros(256, dtype=np.int64)  # an integer opcode's bytes, the opcode's included
_WIDTHS[[_BININT1, ord("M"), ord("J")]] = [2, 3, 5]


def deltas(value: bytes) -> list[int]:
    """Decode one Positions value (a count, then the pickled position deltas)."""
    body = value[_INT_SIZE:]
    return pickle.loads(body if body.endswith(b".") else body + b".")  # type: ignore[no-any-return]


def all_deltas(values: list[bytes]) -> list[list[int]]:
    """Decode many Positions values with one unpickling instead of one per value.

    Each value's pickle, without its count, protocol header and STOP, builds one list;
    inside a MARK ... LIST they build the list of those lists. The headers and STOPs are cut
    out of the joined values with one numpy mask, not value by value. Values of another shape
    (not written by Positions.encode) are decoded one by one.
    """
    if not values:
        return []
    head = _INT_SIZE + len(_PICKLE_HEAD)
    sizes = np.fromiter(map(len, values), dtype=np.int64, count=len(values))
    if int(sizes.min()) < head:
        return [deltas(v) for v in values]
    raw = np.frombuffer(b"".join(values), dtype=np.uint8)
    ends = np.cumsum(sizes)
    starts = ends - sizes
    protocol = raw[starts + _INT_SIZE] == _PICKLE_HEAD[0]
    protocol &= raw[starts + _INT_SIZE + 1] == _PICKLE_HEAD[1]
    if not protocol.all():
        return [deltas(v) for v in values]
    keep = np.ones(len(raw), dtype=np.bool_)
    keep[(starts[:, None] + np.arange(head)).ravel()] = False
    last = ends - 1
    keep[last[raw[last] == _STOP]] = False
    whole = b"".join((_PICKLE_HEAD, b"(", raw[keep].tobytes(), b"l."))
    try:
        found = pickle.loads(whole)
    except (pickle.UnpicklingError, EOFError, ValueError, IndexError, TypeError):
        found = None
    if not isinstance(found, list) or len(found) != len(values):
        return [deltas(v) for v in values]
    return found


def absolute(counts: IntArray, flat: IntArray) -> IntArray:
    """Turn the documents' deltas, one document's after another (counts of each), into
    their positions."""
    if not len(flat):
        return flat
    total = np.cumsum(flat)
    had = counts > 0
    starts = (np.cumsum(counts) - counts)[had]
    # Each document's deltas start from position 0: subtract what came before it.
    return total - np.repeat(total[starts] - flat[starts], counts[had])  # type: ignore[no-any-return]


def decode(values: list[bytes]) -> tuple[IntArray, IntArray]:
    """Decode many Positions values into each one's count of positions and the positions
    themselves (absolute), all values' one after another.

    Values of the shape Positions.encode writes are read by _framed, the rest by
    unpickling each one's list (all_deltas).
    """
    if not values:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    sizes = np.fromiter(map(len, values), dtype=np.int64, count=len(values))
    if int(sizes.min()) >= _FRAME + 4:  # the frame, one integer, APPEND and STOP
        found = _framed(np.frombuffer(b"".join(values), dtype=np.uint8), sizes)
        if found is not None:
            return found
    counts, flat = flatten(all_deltas(values))
    return counts, absolute(counts, flat)


def flatten(lists: list[list[int]]) -> tuple[IntArray, IntArray]:
    """Return each list's length and all their numbers, one list's after another."""
    counts = np.fromiter(map(len, lists), dtype=np.int64, count=len(lists))
    return counts, np.fromiter(chain.from_iterable(lists), dtype=np.int64, count=int(counts.sum()))


def _framed(raw: npt.NDArray[np.uint8], sizes: IntArray) -> tuple[IntArray, IntArray] | None:
    """Decode the joined values (raw) of Positions.encode's shape, or return None.

    A value is its count (four bytes, big-endian), then a pickled list: protocol 2's
    header, EMPTY_LIST, BINPUT 0, the deltas as integer opcodes between MARK and APPENDS
    (one delta: the opcode, then APPEND), and STOP. Most values hold one delta of any
    size (the first position) and then only deltas below 256, each two bytes (BININT1):
    those are read straight from the bytes. The others' integer opcodes are cut out with
    one mask and unpickled together as one flat list.
    """
    ends = np.cumsum(sizes)
    starts = ends - sizes
    counts = raw[starts].astype(np.int64)
    for k in range(1, _INT_SIZE):
        counts = (counts << 8) | raw[starts + k]
    many = counts > 1
    shaped = (raw[starts[:, None] + np.arange(_INT_SIZE, _FRAME)] == _FRAME_ARRAY).all(axis=1)
    shaped &= np.where(many, raw[starts + _FRAME] == _MARK, True)
    shaped &= raw[ends - 2] == np.where(many, _APPENDS, _APPEND)
    shaped &= (raw[ends - 1] == _STOP) & (counts >= 1) & (counts <= _BATCH)
    if not shaped.all():
        return None
    first = starts + _FRAME + many  # each value's first integer opcode
    last = ends - 2  # where its integer opcodes end
    width = _WIDTHS[raw[first]]
    if not width.all():
        return None
    top = len(raw) - 1
    byte = [raw[np.minimum(first + k, top)].astype(np.int64) for k in range(1, 5)]
    head = byte[0] | np.where(width > 2, byte[1] << 8, 0)
    head |= np.where(width > 3, (byte[2] << 16) | (byte[3] << 24), 0)
    rest = counts - 1
    simple = last - (first + width) == 2 * rest
    spots = _runs(first[simple] + width[simple], rest[simple], 2)
    if len(spots):
        owners = np.repeat(np.flatnonzero(simple), rest[simple])
        odd = owners[raw[spots] != _BININT1]
        if len(odd):  # same length, but not all BININT1: unpickle these too
            simple[odd] = False
            spots = _runs(first[simple] + width[simple], rest[simple], 2)
    at = np.cumsum(counts) - counts  # where each value's deltas go
    deltas = np.zeros(int(counts.sum()), dtype=np.int64)
    deltas[at[simple]] = head[simple]
    deltas[_runs(at[simple] + 1, rest[simple], 1)] = raw[spots + 1]
    other = ~simple
    if other.any():
        edges = np.zeros(len(raw) + 1, dtype=np.int64)
        np.add.at(edges, first[other], 1)
        np.add.at(edges, last[other], -1)
        body = raw[np.cumsum(edges[:-1]) > 0].tobytes()
        try:
            flat = pickle.loads(b"".join((_PICKLE_HEAD, b"(", body, b"l.")))
        except (pickle.UnpicklingError, EOFError, ValueError, IndexError, TypeError):
            return None
        if not isinstance(flat, list) or len(flat) != int(counts[other].sum()):
            return None
        deltas[_runs(at[other], counts[other], 1)] = flat
    return counts, absolute(counts, deltas)


def _runs(starts: IntArray, lengths: IntArray, step: int) -> IntArray:
    """Return start, start + step, ... (length numbers) for each start, one run after another."""
    total = int(lengths.sum())
    if not total:
        return np.zeros(0, dtype=np.int64)
    within = np.arange(total, dtype=np.int64) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    return np.repeat(starts, lengths) + step * within
