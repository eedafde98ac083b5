"""Per-generation numpy tables of facet values, and counting over sets of documents."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np
import numpy.typing as npt
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.columns import NumericColumn
from whoosh.matching import WrappingMatcher

from indexer.engine.whoosh.schema import FACETS, SUBCATEGORY_JOIN

BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]
# Facet pairs are stored as 32-bit document numbers and ordinals: half the memory of 64-bit
# ones (83 MB instead of 165 MB at 970k decisions), and what the sidecar file holds.
PairArray = npt.NDArray[np.int32]
PAIR_TYPE = np.int32

# Whoosh stores a missing sortable DATETIME as the largest unsigned 64-bit value.
MISSING_DATE = np.iinfo(np.uint64).max


@dataclass(frozen=True, slots=True)
class FacetTable:
    """One facet's values and its (document, value ordinal) pairs.

    Single- and multi-valued facets share this shape, so counting is one bincount over the
    pairs whose document is in the mask, whatever the facet.
    """

    name: str
    values: tuple[str, ...]
    ordinals: Mapping[str, int]
    pair_docs: PairArray
    pair_values: PairArray

    def count(self, mask: BoolArray) -> IntArray:
        """Count the documents in mask per value ordinal."""
        if not len(self.pair_docs):
            return np.zeros(len(self.values), dtype=np.int64)
        chosen = self.pair_values[mask[self.pair_docs]]
        return np.bincount(chosen, minlength=len(self.values)).astype(np.int64)

    def mask_for(self, selected: Iterable[str], size: int) -> BoolArray:
        """Return the documents having any of the selected values (unknown ones match nothing)."""
        ords = [self.ordinals[v] for v in selected if v in self.ordinals]
        mask = np.zeros(size, dtype=np.bool_)
        if ords:
            mask[self.pair_docs[np.isin(self.pair_values, ords)]] = True
        return mask

    def per_doc(self, size: int) -> IntArray:
        """Return one ordinal per document (-1 when none; the first value when several)."""
        out = np.full(size, -1, dtype=np.int64)
        out[self.pair_docs[::-1]] = self.pair_values[::-1]
        return out


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


def build_tables(reader: Any, live: BoolArray | None = None) -> dict[str, FacetTable]:
    """Build a FacetTable for every facet in schema.FACETS."""
    if live is None:
        live = live_mask(reader)
    return {facet: build_table(reader, facet, live) for facet in FACETS}


@lru_cache(maxsize=1)
def guideline_families() -> dict[str, str]:
    """Map each guideline source to its family, from indexer/data/taxonomy.json."""
    data = json.loads(
        resources.files("indexer").joinpath("data/taxonomy.json").read_text(encoding="utf-8")
    )
    families: dict[str, str] = {}
    for family, body in data["guideline"].items():
        for source in body.get("sources", ()):
            families.setdefault(source, family)
    return families


def parent_of(facet: str, value: str) -> str | None:
    """Return a hierarchical value's parent: a subcategory's category, a source's family."""
    if facet == "subcategory":
        category, sep, _ = value.partition(SUBCATEGORY_JOIN)
        return category if sep else None
    if facet == "guideline_source":
        return guideline_families().get(value)
    return None


def resolve_value(table: FacetTable, raw: str) -> tuple[str, ...]:
    """Find facet values a user typed: exact, any case, or a subcategory's own name."""
    wanted = " ".join(raw.split()).casefold()
    exact = tuple(v for v in table.values if v.casefold() == wanted)
    if exact:
        return exact
    if table.name == "subcategory":
        return tuple(
            v for v in table.values if v.partition(SUBCATEGORY_JOIN)[2].casefold() == wanted
        )
    return ()


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
