"""The engine's read side as the search layer sees it: an Index of committed Snapshots.

An Index is an index directory kept open; each `snapshot()` block pins the newest committed
generation for the calling thread, so every number a request reads (documents, arrays, stored
fields) belongs to one version of the index even while a build commits. A Snapshot answers in
the engine's terms only: document numbers, numpy masks and scores, stored-field dicts (keys of
indexer.fields), facet tables, and the project's own query syntax tree (indexer.engine.query).
Nothing here names Whoosh, so another engine can stand behind the same methods.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from indexer.engine.caches import MatchCache
from indexer.engine.facets import BoolArray, FacetTable, IntArray
from indexer.engine.query import Node

FloatArray = npt.NDArray[np.float64]
DateKeys = npt.NDArray[np.uint64]
StoredFields = dict[str, Any]


class IndexMissing(Exception):
    """The index directory holds no index (the message says how to build one)."""

    def __init__(self, path: Path | str, reason: str = "no index found") -> None:
        super().__init__(f"{reason} at {path}; build it with `imr-index build <corpus> {path}`")
        self.path = Path(path)


@dataclass(slots=True)
class Highlights:
    """What a snippet marks for a query: stems, exact words, phrases and prefixes."""

    stems: set[str] = field(default_factory=set)
    words: set[str] = field(default_factory=set)
    phrases: set[tuple[str, ...]] = field(default_factory=set)
    prefixes: set[str] = field(default_factory=set)

    def is_empty(self) -> bool:
        return not (self.stems or self.words or self.phrases or self.prefixes)


@dataclass(slots=True)
class Match:
    """A query's matching live documents, their scores, and what to mark and to tell.

    `every` is set for an empty query: every live document matches, unscored, and relevance
    order is document order.
    """

    mask: BoolArray
    scores: FloatArray
    highlights: Highlights
    notices: list[str]
    every: bool = False
    # (what was typed, what was searched besides: synonyms, facet values a short name means)
    expansions: tuple[tuple[str, tuple[str, ...]], ...] = ()


class Snapshot(Protocol):
    """One committed generation of the index."""

    @property
    def size(self) -> int:
        """Document numbers run from 0 to size - 1 (deleted ones included)."""

    @property
    def live(self) -> BoolArray:
        """The documents not deleted (read only)."""

    @property
    def tables(self) -> Mapping[str, FacetTable]:
        """A table per facet of indexer.fields.FACETS."""

    @property
    def decided(self) -> DateKeys:
        """Each document's decision date as a sortable key; MISSING_DATE when undated."""

    @property
    def cache(self) -> MatchCache:
        """A per-generation LRU for the search layer's results (size set when opened)."""

    @property
    def memo(self) -> dict[Hashable, Any]:
        """Per-generation values computed once (browse counts, statistics columns)."""

    def match(self, node: Node | None) -> Match:
        """Find and score the documents matching a syntax tree (None: every document)."""

    def highlights(self, node: Node | None) -> Highlights:
        """What a snippet should mark for the query, without running it."""

    def date_key(self, value: date) -> int:
        """The key of a date in `decided`'s order."""

    def date_mask(self, fieldname: str, start: date | None, end: date | None) -> BoolArray:
        """The live documents whose date field lies within [start, end] (either open)."""

    def stored(self, docnum: int) -> StoredFields:
        """A document's stored fields."""

    def docs_with(self, fieldname: str, value: str) -> list[int]:
        """The live documents whose untokenized field (doc_id, letter_id, ...) equals value."""

    def doc_count(self) -> int:
        """How many live documents there are."""

    def doc_frequency(self, term: str, fieldname: str | None = None, exact: bool = False) -> int:
        """How many documents hold a term: a stem, or with exact a word as written.

        fieldname None is every text part at once.
        """

    def synonyms(self, term: str) -> frozenset[str]:
        """The words and phrases a term is searched together with (itself included)."""

    def words_near(self, word: str, edits: int) -> tuple[str, ...]:
        """Words of the letters within edits of word (same first letter), for corrections."""

    def term_docs(self, term: str, fieldname: str | None = None) -> IntArray:
        """The documents holding a stem (deleted ones included: mask with `live`)."""

    def rank_terms(self, terms: Sequence[tuple[str, str, float]]) -> tuple[BoolArray, FloatArray]:
        """Score documents on weighted stems, (fieldname, stem, weight) each, as the engine's
        relevance ranking scores an OR of them; return the matching mask and the scores."""

    def extra_table(self, name: str) -> FacetTable:
        """A value table of a field the statistics count that is not a facet (citation)."""

    def decision_months(self) -> IntArray:
        """Each document's decision month as year * 12 + month - 1, or -1 when undated."""

    def detached(self) -> AbstractContextManager[Snapshot]:
        """The same generation with readers of its own, for work that outlives a request
        (an export streaming its rows); close it by leaving the block."""


class Index(Protocol):
    """An index directory kept open, refreshed when a build commits."""

    path: Path

    def snapshot(self) -> AbstractContextManager[Snapshot]:
        """Pin this thread to the newest committed generation for the block."""

    def refresh(self) -> bool:
        """Look for a newer committed generation now; return whether one was opened."""

    def close(self) -> None:
        """Release this thread's readers."""
