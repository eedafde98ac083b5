"""What is kept for one committed generation of a Whoosh index."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from indexer.engine.caches import ByteCache, MatchCache
from indexer.engine.facets import BoolArray, FacetTable


@dataclass(slots=True)
class Generation:
    """What is cached for one committed version of the index."""

    ix: Any
    signature: tuple[tuple[str, int, int], ...]
    size: int
    live: BoolArray
    tables: dict[str, FacetTable]
    decided: np.ndarray[Any, np.dtype[np.uint64]]
    matches: MatchCache = field(default_factory=lambda: MatchCache(0))
    postings: ByteCache = field(default_factory=lambda: ByteCache(0))
    # Lazily filled per-generation arrays of the scoring engine (field lengths, ...).
    arrays: dict[Hashable, Any] = field(default_factory=dict)
    # Values the search layer computes once per generation (Snapshot.memo).
    memo: dict[Hashable, Any] = field(default_factory=dict)
    # Tables the statistics count besides the facets (citations), by field name.
    extra_tables: dict[str, FacetTable] = field(default_factory=dict)
    # Segment id -> its dense postings (dense.DenseReader) or None, opened on first use.
    # A segment's files never change, so the next generation keeps its segments' entries.
    dense: dict[str, Any] = field(default_factory=dict)
