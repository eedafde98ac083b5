"""Outcome rates for a SearchRequest: overturn rates per facet value, per month, by citation.

Counting works on numpy arrays: one boolean mask of the matching decisions, and per
dimension the (document, value) pairs of the index, cached once per index generation.
A dimension is counted the way the search page counts its facet: with every filter except
its own, so the numbers here equal the sidebar's counts.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from indexer.engine import FacetTable, Index, Snapshot
from search_app.search.models import SearchPage, SearchRequest
from search_app.search.service import matching_sets

# Values with fewer decisions than this get no rank: their rate is too noisy to order.
MIN_RANKED = 5
# The 97.5th percentile of the standard normal distribution (two-sided 95%).
Z_95 = 1.959963984540054
TOP_CITATIONS = 15
OVERTURNED = "Overturned"
UPHELD = "Upheld"

# Dimensions in the order the stats page shows them: (facet name, heading).
DIMENSIONS: tuple[tuple[str, str], ...] = (
    ("subcategory", "Treatment subcategory"),
    ("guideline", "Guideline family"),
    ("guideline_source", "Guideline source"),
    ("specialty", "Reviewer specialty"),
    ("state", "Reviewer state"),
    ("body_region", "Body region"),
    ("year", "Decision year"),
)
DIMENSION_NAMES = tuple(name for name, _ in DIMENSIONS)
# Dimensions shown on a time axis keep their natural order instead of a ranking.
CHRONOLOGICAL = frozenset({"year"})
CITATION_KINDS = ("guideline_source", "mtus_page")

IntArray = NDArray[np.int64]
AnyIntArray = NDArray[np.signedinteger[Any]]
BoolArray = NDArray[np.bool_]


def wilson_interval(successes: int, trials: int, z: float = Z_95) -> tuple[float, float]:
    """Return the Wilson score interval for a binomial proportion.

    Unlike the normal approximation it stays inside [0, 1] and is sensible for 0 of n and
    n of n, which are common here (most small groups have no overturned decision).
    """
    if trials < 0 or successes < 0 or successes > trials:
        raise ValueError(f"need 0 <= successes <= trials, got {successes} of {trials}")
    if trials == 0:
        return (0.0, 1.0)
    p = successes / trials
    z2n = z * z / trials
    centre = (p + z2n / 2) / (1 + z2n)
    half = z / (1 + z2n) * math.sqrt(p * (1 - p) / trials + z2n / (4 * trials))
    # In exact arithmetic low <= p <= high, and low is 0 for 0 of n; keep that in floats.
    low = 0.0 if successes == 0 else min(p, centre - half)
    high = 1.0 if successes == trials else max(p, centre + half)
    return (max(0.0, low), min(1.0, high))


@dataclass(frozen=True, slots=True)
class RateRow:
    """Decisions and overturn rate for one facet value (or for the whole result set)."""

    value: str
    decisions: int
    overturned: int
    rate: float | None  # None when there are no decisions
    low: float
    high: float
    ranked: bool  # False when decisions < MIN_RANKED

    @property
    def upheld(self) -> int:
        return self.decisions - self.overturned


@dataclass(frozen=True, slots=True)
class Breakdown:
    """Rate rows of one dimension: ranked rows first, then the small ones."""

    dimension: str
    title: str
    rows: tuple[RateRow, ...]

    @property
    def small_count(self) -> int:
        return sum(1 for row in self.rows if not row.ranked)


@dataclass(frozen=True, slots=True)
class MonthRow:
    month: str  # "2016-12"
    decisions: int
    overturned: int

    @property
    def rate(self) -> float | None:
        return self.overturned / self.decisions if self.decisions else None


@dataclass(frozen=True, slots=True)
class CitationCount:
    value: str
    count: int
    kind: str  # one of CITATION_KINDS


@dataclass(frozen=True, slots=True)
class ShareRow:
    """How many decisions of one outcome give a reason, and that share with its interval."""

    value: str
    count: int
    of: int
    share: float
    low: float
    high: float


@dataclass(frozen=True, slots=True)
class ReasonShares:
    """The reviewer's reasons among the Upheld (or the Overturned) decisions of a search.

    A decision can give several reasons, so the shares of one outcome add up to more than 1.
    """

    outcome: str
    decisions: int
    rows: tuple[ShareRow, ...]


@dataclass(frozen=True, slots=True)
class Stats:
    """Everything the stats page and /api/stats show for one request."""

    request: SearchRequest
    overall: RateRow
    breakdowns: tuple[Breakdown, ...]
    by_month: tuple[MonthRow, ...]
    undated: int  # matching decisions without a decision date (not in by_month)
    cited_overturned: tuple[CitationCount, ...]
    cited_upheld: tuple[CitationCount, ...]
    reasons: tuple[ReasonShares, ...] = ()  # Upheld, then Overturned

    @property
    def total(self) -> int:
        return self.overall.decisions

    @property
    def overturned(self) -> int:
        return self.overall.overturned

    def breakdown(self, dimension: str) -> Breakdown:
        """Return the breakdown of one dimension."""
        for item in self.breakdowns:
            if item.dimension == dimension:
                return item
        raise KeyError(dimension)


@dataclass(frozen=True, slots=True)
class PairColumn:
    """A facet as (document, value ordinal) pairs; a document may have several values."""

    labels: tuple[str, ...]
    docs: AnyIntArray  # 32-bit from the search facet tables
    ordinals: AnyIntArray

    def __post_init__(self) -> None:
        if self.docs.shape != self.ordinals.shape:
            raise ValueError("docs and ordinals must have the same length")


@dataclass(frozen=True, slots=True)
class StatsColumns:
    """Per-document arrays of one index generation that compute_stats counts over."""

    doc_count: int
    overturned: BoolArray  # per document
    month: IntArray  # per document: year * 12 + month - 1, or -1 when undated
    dimensions: Mapping[str, PairColumn]  # every name in DIMENSION_NAMES
    citations: Mapping[str, PairColumn]  # every kind in CITATION_KINDS
    reason: PairColumn | None = None  # the reviewer's reasons (None: an index without them)


def rate_row(value: str, decisions: int, overturned: int) -> RateRow:
    """Build a RateRow with its rate, Wilson interval and small-number mark."""
    low, high = wilson_interval(overturned, decisions)
    return RateRow(
        value=value,
        decisions=decisions,
        overturned=overturned,
        rate=overturned / decisions if decisions else None,
        low=low,
        high=high,
        ranked=decisions >= MIN_RANKED,
    )


def order_rows(rows: list[RateRow], chronological: bool = False) -> tuple[RateRow, ...]:
    """Order rows: ranked by rate (then decisions), small ones after by decisions."""
    if chronological:
        return tuple(sorted(rows, key=lambda row: row.value))
    ranked = sorted(
        (row for row in rows if row.ranked),
        key=lambda row: (-(row.rate or 0.0), -row.decisions, row.value),
    )
    small = sorted(
        (row for row in rows if not row.ranked), key=lambda row: (-row.decisions, row.value)
    )
    return tuple(ranked + small)


def count_pairs(column: PairColumn, mask: BoolArray) -> IntArray:
    """Count the masked documents per value of a column."""
    hit = mask[column.docs]
    return np.bincount(column.ordinals[hit], minlength=len(column.labels)).astype(np.int64)


def count_breakdown(
    column: PairColumn, mask: BoolArray, overturned: BoolArray, dimension: str, title: str
) -> Breakdown:
    """Count decisions and overturned decisions per value of one dimension."""
    decisions = count_pairs(column, mask)
    reversed_ = count_pairs(column, mask & overturned)
    rows = [
        rate_row(column.labels[i], int(decisions[i]), int(reversed_[i]))
        for i in np.flatnonzero(decisions)
    ]
    return Breakdown(dimension, title, order_rows(rows, dimension in CHRONOLOGICAL))


def count_months(month: IntArray, mask: BoolArray, overturned: BoolArray) -> tuple[MonthRow, ...]:
    """Count decisions per calendar month, every month from the first to the last."""
    dated = mask & (month >= 0)
    if not dated.any():
        return ()
    months = month[dated]
    first = int(months.min())
    decisions = np.bincount(months - first)
    reversed_ = np.bincount(month[dated & overturned] - first, minlength=decisions.size)
    return tuple(
        MonthRow(f"{(first + i) // 12:04d}-{(first + i) % 12 + 1:02d}", int(n), int(reversed_[i]))
        for i, n in enumerate(decisions)
    )


def top_citations(
    citations: Mapping[str, PairColumn], mask: BoolArray, limit: int = TOP_CITATIONS
) -> tuple[CitationCount, ...]:
    """Return the most cited guideline sources and MTUS pages among the masked documents."""
    found: list[CitationCount] = []
    for kind in CITATION_KINDS:
        column = citations[kind]
        counts = count_pairs(column, mask)
        found.extend(
            CitationCount(column.labels[i], int(counts[i]), kind) for i in np.flatnonzero(counts)
        )
    found.sort(key=lambda item: (-item.count, item.value))
    return tuple(found[:limit])


def reason_shares(column: PairColumn, mask: BoolArray, outcome: str) -> ReasonShares:
    """Count each reason among the masked decisions (all of one outcome), with intervals."""
    decisions = int(mask.sum())
    counts = count_pairs(column, mask)
    rows = []
    for i in np.flatnonzero(counts):
        count = int(counts[i])
        low, high = wilson_interval(count, decisions)
        rows.append(ShareRow(column.labels[i], count, decisions, count / decisions, low, high))
    rows.sort(key=lambda row: (-row.count, row.value))
    return ReasonShares(outcome, decisions, tuple(rows))


def _without(base: BoolArray, filters: Mapping[str, BoolArray], dimension: str) -> BoolArray:
    """The base mask with every filter but the dimension's own."""
    mask = base.copy()
    for other, other_mask in filters.items():
        if other != dimension:
            mask &= other_mask
    return mask


def stats_from_masks(
    columns: StatsColumns, base: BoolArray, filters: Mapping[str, BoolArray], req: SearchRequest
) -> Stats:
    """Compute Stats from cached columns, the query's mask and one mask per facet filter."""
    final = base.copy()
    for mask in filters.values():
        final &= mask
    breakdowns = []
    for dimension, title in DIMENSIONS:
        # Disjunctive like the facet sidebar: a dimension ignores its own filter.
        mask = _without(base, filters, dimension) if dimension in filters else final
        breakdowns.append(
            count_breakdown(
                columns.dimensions[dimension], mask, columns.overturned, dimension, title
            )
        )
    overturned = final & columns.overturned
    reasons: tuple[ReasonShares, ...] = ()
    if columns.reason is not None:
        # Counted like the sidebar's reason facet: without the reason filter itself.
        scope = _without(base, filters, "reason") if "reason" in filters else final
        reasons = (
            reason_shares(columns.reason, scope & ~columns.overturned, UPHELD),
            reason_shares(columns.reason, scope & columns.overturned, OVERTURNED),
        )
    return Stats(
        request=req,
        overall=rate_row("All matching decisions", int(final.sum()), int(overturned.sum())),
        breakdowns=tuple(breakdowns),
        by_month=count_months(columns.month, final, columns.overturned),
        undated=int((final & (columns.month < 0)).sum()),
        cited_overturned=top_citations(columns.citations, overturned),
        cited_upheld=top_citations(columns.citations, final & ~columns.overturned),
        reasons=reasons,
    )


def pair_column(table: FacetTable, keep: Callable[[str], bool] | None = None) -> PairColumn:
    """Turn a search facet table into a PairColumn, keeping only the values keep() accepts."""
    if keep is None:
        return PairColumn(table.values, table.pair_docs, table.pair_values)
    kept = [i for i, label in enumerate(table.values) if keep(label)]
    renumber = np.full(len(table.values), -1, dtype=np.int64)
    renumber[kept] = np.arange(len(kept), dtype=np.int64)
    chosen = renumber[table.pair_values] >= 0
    return PairColumn(
        tuple(table.values[i] for i in kept),
        table.pair_docs[chosen],
        renumber[table.pair_values[chosen]],
    )


def columns_for(snap: Snapshot) -> StatsColumns:
    """Build the arrays compute_stats counts over from one index generation."""
    overturned = np.zeros(snap.size, dtype=np.bool_)
    outcome = pair_column(snap.tables["outcome"], lambda label: label == OVERTURNED)
    overturned[outcome.docs] = True
    return StatsColumns(
        doc_count=snap.size,
        overturned=overturned,
        month=snap.decision_months(),
        dimensions={name: pair_column(snap.tables[name]) for name in DIMENSION_NAMES},
        citations={
            "guideline_source": pair_column(snap.tables["guideline_source"]),
            "mtus_page": pair_column(
                snap.extra_table("citation"), lambda label: label.startswith("MTUS")
            ),
        },
        reason=pair_column(snap.tables["reason"]),
    )


COLUMNS = "statistics columns"  # Snapshot.memo key
_COLUMNS_LOCK = threading.Lock()


def cached_columns(snap: Snapshot) -> StatsColumns:
    """Return the generation's StatsColumns, building them on first use."""
    with _COLUMNS_LOCK:
        found = snap.memo.get(COLUMNS)
        if not isinstance(found, StatsColumns):
            found = snap.memo[COLUMNS] = columns_for(snap)
        return found


def compute_stats(index: Index, req: SearchRequest) -> Stats:
    """Compute overturn rates for everything matching the request's query and filters.

    The query, dates and facet filters come from the search's own matching sets (cached per
    generation), so a dimension can be counted without its own filter exactly as the facet
    sidebar counts it.
    """
    with index.snapshot() as snap:  # one generation for the query and the columns alike
        columns = cached_columns(snap)
        base, filters = matching_sets(index, req)
        return stats_from_masks(columns, base, filters, req)


@dataclass(frozen=True, slots=True)
class OutcomeShare:
    """Upheld vs overturned share of a search page's results, for the outcome bar."""

    upheld: int
    overturned: int

    @property
    def total(self) -> int:
        return self.upheld + self.overturned

    @property
    def overturned_percent(self) -> float:
        return 100.0 * self.overturned / self.total if self.total else 0.0

    @property
    def upheld_percent(self) -> float:
        return 100.0 * self.upheld / self.total if self.total else 0.0


def outcome_share(page: SearchPage) -> OutcomeShare:
    """Read the upheld and overturned counts of a page from its outcome facet."""
    counts = {value.value: value.count for value in page.facets.get("outcome", ())}
    selected = page.request.selected("outcome")
    # The outcome facet is counted without its own filter; honour the selection here.
    if selected:
        counts = {name: count for name, count in counts.items() if name in selected}
    return OutcomeShare(upheld=counts.get(UPHELD, 0), overturned=counts.get(OVERTURNED, 0))


def warm_columns(index: Index) -> None:
    """Build the current generation's statistics columns ahead of the first /stats."""
    with index.snapshot() as snap:
        cached_columns(snap)
