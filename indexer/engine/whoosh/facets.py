"""Reading a Whoosh generation's facet values and dates into the engine's numpy tables."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.columns import NumericColumn
from whoosh.matching import WrappingMatcher

from indexer.engine.facets import (
    MISSING_DATE,
    PAIR_TYPE,
    BoolArray,
    FacetTable,
    IntArray,
    PairArray,
)


def live_mask(reader: Any) -> BoolArray:
    """Return the documents that are not deleted, read from each segment's deletion set."""
    live = np.ones(reader.doc_count_all(), dtype=np.bool_)
    for leaf, offset in reader.leaf_readers():
        if leaf.has_deletions():
            deleted = np.fromiter(leaf.segment().deleted_docs(), dtype=np.int64)
            live[deleted + offset] = False
    return live


def _leaf_ids(matcher: Any) -> IntArray:
    """Read one segment's posting list, block by block where the codec allows it.

    A W3 posting block is one pickled tuple whose first item holds the block's document
    numbers (delta-coded unless the ids are bytes): decoding it with numpy instead of
    stepping the matcher per document is about three times faster. Deletion filters are
    looked through; callers drop deleted documents with the live mask.
    """
    while isinstance(matcher, WrappingMatcher):
        matcher = matcher.child
    if not isinstance(matcher, W3LeafMatcher):
        return np.fromiter(matcher.all_ids(), dtype=np.int64)
    blocks: list[IntArray] = []
    while matcher.is_active():
        if matcher._data is None:
            matcher._read_data()
        ids = np.asarray(matcher._data[0], dtype=np.int64)
        blocks.append(ids if matcher._byteids else np.cumsum(ids))
        if matcher._lastblock:
            break
        matcher._goto(matcher._nextoffset)
    return np.concatenate(blocks) if blocks else np.zeros(0, dtype=np.int64)


def _term_ids(reader: Any, facet: str, raw: bytes) -> IntArray:
    parts = [
        _leaf_ids(leaf.postings(facet, raw)) + offset
        for leaf, offset in reader.leaf_readers()
        if (facet, raw) in leaf
    ]
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)


def build_table(reader: Any, facet: str, live: BoolArray | None = None) -> FacetTable:
    """Read a facet field's terms and postings into a FacetTable (live documents only)."""
    if live is None:
        live = live_mask(reader)
    values: list[str] = []
    if facet not in reader.schema:  # an index written before the facet existed: no values
        empty = np.zeros(0, dtype=PAIR_TYPE)
        return FacetTable(facet, (), {}, empty, empty)
    docs: list[PairArray] = []
    vals: list[PairArray] = []
    for ordinal, raw in enumerate(reader.lexicon(facet)):
        value = raw.decode("utf-8") if isinstance(raw, bytes) else str(raw)
        ids = _term_ids(reader, facet, raw)
        ids = ids[live[ids]]
        values.append(value)
        docs.append(ids.astype(PAIR_TYPE))
        vals.append(np.full(len(ids), ordinal, dtype=PAIR_TYPE))
    pair_docs = np.concatenate(docs) if docs else np.zeros(0, dtype=PAIR_TYPE)
    pair_values = np.concatenate(vals) if vals else np.zeros(0, dtype=PAIR_TYPE)
    return FacetTable(
        facet, tuple(values), {v: i for i, v in enumerate(values)}, pair_docs, pair_values
    )


def date_keys(reader: Any, fieldname: str, size: int) -> npt.NDArray[np.uint64]:
    """Read a sortable DATETIME column as raw integers (MISSING_DATE where absent)."""
    out = np.full(size, MISSING_DATE, dtype=np.uint64)
    for leaf, offset in reader.leaf_readers():
        count = leaf.doc_count_all()
        if not count:
            continue
        column = leaf.column_reader(fieldname, translate=False)
        out[offset : offset + count] = _column_values(column, count)
    return out


def _column_values(column: Any, count: int) -> npt.NDArray[np.uint64]:
    """Return a segment's column values; a fixed-width numeric column is read in one slice."""
    if isinstance(column, NumericColumn.Reader) and column._typecode == "Q":
        # Whoosh packs each value as a big-endian "!Q"; documents after the last value
        # written take the column's default.
        stored = min(column._count, count)
        raw = column._dbfile.get(column._basepos, stored * column._fixedlen)
        values = np.full(count, column._default, dtype=np.uint64)
        values[:stored] = np.frombuffer(raw, dtype=">u8", count=stored)
        return values
    return np.fromiter((column[i] for i in range(count)), dtype=np.uint64, count=count)
