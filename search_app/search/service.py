"""SearchRequest -> SearchPage over an engine Index (no Flask here).

The query is run once; the set of matching documents is a numpy mask that serves the exact
total, the facet counts (each facet counted with every filter except its own) and the date
sorts. Only the page's hits load stored fields and get highlighted.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np
from markupsafe import Markup, escape

from indexer.engine import (
    MISSING_DATE,
    BoolArray,
    Highlights,
    Index,
    IndexMissing,
    IntArray,
    Snapshot,
    open_index,
)
from indexer.fields import FACETS
from indexer.letter import Letter, letter_from_json
from search_app.search.hits import facet_values, to_hit
from search_app.search.models import Hit, SearchPage, SearchRequest
from search_app.search.query import QUERY_HELP, parse_query
from search_app.search.request import parse_request
from search_app.search.similar import UnknownDecision, like_my_case, similar
from search_app.search.snippets import make_highlighter
from search_app.search.suggest import suggest, suggest_for

FloatArray = np.ndarray[Any, np.dtype[np.float64]]
ArrayT = TypeVar("ArrayT", bound=np.ndarray[Any, Any])
BROWSE_COUNTS = "browse counts"  # Snapshot.memo key

__all__ = [
    "QUERY_HELP",
    "UnknownDecision",
    "like_my_case",
    "similar",
    "suggest",
    "Index",
    "IndexMissing",
    "export_hits",
    "get_letter",
    "mark_texts",
    "matching_sets",
    "open_index",
    "parse_request",
    "run_search",
    "warm",
]


def _date_mask(snap: Snapshot, req: SearchRequest) -> BoolArray | None:
    mask: BoolArray | None = None
    if req.decided_from or req.decided_to:
        mask = snap.date_mask("decision_date", req.decided_from, req.decided_to)
    if req.injured_from or req.injured_to:
        injured = snap.date_mask("date_of_injury", req.injured_from, req.injured_to)
        mask = injured if mask is None else mask & injured
    return mask


def _facet_masks(snap: Snapshot, req: SearchRequest) -> dict[str, BoolArray]:
    return {
        facet: snap.tables[facet].mask_for(values, snap.size)
        for facet, values in req.filters
        if facet in snap.tables and values
    }


@dataclass(slots=True)
class Matches:
    """One request's matching sets, cached per generation and shared: never modify them.

    base holds the query and date matches, final adds the facet filters, ranked is the
    final set best first (document order when browsing) with its scores; counts are filled
    in when first asked for.
    """

    every: bool  # an empty query: relevance order is document order
    highlights: Highlights
    notices: tuple[str, ...]
    expansions: tuple[tuple[str, tuple[str, ...]], ...]
    base: BoolArray
    final: BoolArray
    masks: dict[str, BoolArray]
    ranked: IntArray
    scores: FloatArray
    counts: dict[str, IntArray] | None = None


def _cache_key(req: SearchRequest) -> tuple[object, ...]:
    filters = tuple(sorted((facet, tuple(sorted(values))) for facet, values in req.filters))
    dates = (req.decided_from, req.decided_to, req.injured_from, req.injured_to)
    return (" ".join(req.query.split()), dates, filters)


def _frozen(array: ArrayT) -> ArrayT:
    array.flags.writeable = False
    return array


def _matches(snap: Snapshot, req: SearchRequest) -> Matches:
    """Return the request's matching sets, from the snapshot's cache or computed.

    The engine finds the matching set and every match's score in one pass, so the relevance
    order comes with the set.
    """
    key = _cache_key(req)
    found = snap.cache.get(key)
    if isinstance(found, Matches):
        return found
    parsed = parse_query(req.query)
    matched = snap.match(parsed.node)
    base = matched.mask
    dates = _date_mask(snap, req)
    if dates is not None:
        base &= dates
    masks = {facet: _frozen(mask) for facet, mask in _facet_masks(snap, req).items()}
    final = base.copy()
    for mask in masks.values():
        final &= mask
    docs = np.flatnonzero(final)
    if matched.every:
        order, scores = docs, np.zeros(len(docs), dtype=np.float64)
    else:
        scores = matched.scores[docs]
        rank = np.lexsort((docs, -scores))  # equal scores keep document order
        order, scores = docs[rank], scores[rank]
    notices = tuple(dict.fromkeys((*parsed.notices, *matched.notices)))
    result = Matches(
        matched.every,
        matched.highlights,
        notices,
        matched.expansions,
        _frozen(base),
        _frozen(final),
        masks,
        _frozen(order),
        _frozen(scores),
    )
    snap.cache.put(key, result)
    return result


def _facet_counts(snap: Snapshot, found: Matches, browsing: bool) -> dict[str, IntArray]:
    if browsing:
        cached: dict[str, IntArray] | None = snap.memo.get(BROWSE_COUNTS)
        if cached is not None:
            return cached
    if found.counts is not None:
        return found.counts
    counts: dict[str, IntArray] = {}
    for facet in FACETS:
        mask = found.base
        for other, other_mask in found.masks.items():
            if other != facet:
                mask = mask & other_mask
        counts[facet] = snap.tables[facet].count(mask)
    found.counts = counts
    if browsing:
        snap.memo[BROWSE_COUNTS] = counts
    return counts


def _ordered(
    snap: Snapshot, found: Matches, sort: str, start: int, end: int
) -> list[tuple[int, float]]:
    """Return the (document, score) pairs from start to end in the order sort asks for."""
    if sort == "relevance" and not found.every:
        page = zip(found.ranked[start:end].tolist(), found.scores[start:end].tolist(), strict=True)
        return [(int(d), float(s)) for d, s in page]
    docs = np.flatnonzero(found.final)
    if start >= len(docs):
        return []
    keys = snap.decided[docs]
    if sort == "oldest":
        order = np.lexsort((docs, keys))
    else:
        dated = keys != MISSING_DATE
        order = np.lexsort((docs, -keys.astype(np.float64), ~dated))
    return [(int(d), 0.0) for d in docs[order[start:end]]]


def _ordered_page(snap: Snapshot, found: Matches, req: SearchRequest) -> list[tuple[int, float]]:
    start = (req.page - 1) * req.per_page
    return _ordered(snap, found, req.sort, start, start + req.per_page)


def _is_browsing(req: SearchRequest, found: Matches) -> bool:
    dated = req.decided_from or req.decided_to or req.injured_from or req.injured_to
    return not (req.query or found.masks or dated)


def run_search(index: Index, req: SearchRequest) -> SearchPage:
    """Run a request: exact total, disjunctive facet counts, one page of highlighted hits."""
    with index.snapshot() as snap:
        found = _matches(snap, req)
        counts = _facet_counts(snap, found, _is_browsing(req, found))
        highlighter = make_highlighter(found.highlights)
        hits = tuple(
            to_hit(snap.stored(docnum), highlighter, score)
            for docnum, score in _ordered_page(snap, found, req)
        )
        total = int(np.count_nonzero(found.final))
        suggestion = suggest_for(snap, req.query) if req.query else None
        return SearchPage(
            request=req,
            total=total,
            hits=hits,
            facets=facet_values(snap, counts, req),
            notice="; ".join(found.notices) or None,
            suggestion=suggestion,
            also_searched=found.expansions,
        )


def export_hits(index: Index, req: SearchRequest, cap: int) -> tuple[int, Iterator[Hit]]:
    """Return the total and an iterator over the first cap hits in the request's order.

    Exports print no snippets, so none are made. The iterator reads stored fields through a
    detached snapshot of the generation the set was computed on (closed when it ends), so a
    build committing meanwhile cannot renumber the documents under it.
    """
    with index.snapshot() as snap:
        found = _matches(snap, req)
        rows = _ordered(snap, found, req.sort, 0, max(0, cap))
        total = int(np.count_nonzero(found.final))
        detached = snap.detached()

    def hits() -> Iterator[Hit]:
        with detached as reader:
            for docnum, score in rows:
                yield to_hit(reader.stored(docnum), None, score)

    return total, hits()


def mark_texts(index: Index, query: str, texts: Sequence[str]) -> tuple[Markup, ...]:
    """Escape each text and mark what the query matches in it, exactly as snippets do."""
    if not query.strip():
        return tuple(Markup(escape(text)) for text in texts)
    with index.snapshot() as snap:
        highlighter = make_highlighter(snap.highlights(parse_query(query).node))
    return tuple(highlighter.mark(text) for text in texts)


def warm(index: Index) -> None:
    """Fill the current generation's caches (browse counts, a searcher) before serving."""
    run_search(index, SearchRequest())


def matching_sets(index: Index, req: SearchRequest) -> tuple[BoolArray, dict[str, BoolArray]]:
    """Return the query-and-dates mask and one mask per filtered facet (shared: read only).

    They come from the same per-generation cache as run_search, so the statistics of the
    search on screen do not run its query again.
    """
    with index.snapshot() as snap:
        found = _matches(snap, req)
        return found.base, dict(found.masks)


def get_letter(index: Index, letter_id: str) -> Letter | None:
    """Return a letter as the parser read it (from letter_json), or None if unknown."""
    with index.snapshot() as snap:
        for docnum in snap.docs_with("letter_id", letter_id):
            stored = snap.stored(docnum).get("letter_json")
            if stored:
                return letter_from_json(json.loads(stored))
    return None
