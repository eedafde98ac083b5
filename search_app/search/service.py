"""SearchRequest -> SearchPage over a LetterIndex (no Flask here).

The query is compiled once; the set of matching documents becomes a numpy mask that serves
the exact total, the facet counts (each facet counted with every filter except its own) and
the date sorts. Whoosh scores only when relevance order is asked for, and only the page's
hits load stored fields and get highlighted.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar

import numpy as np
from markupsafe import Markup, escape
from whoosh import query as wq
from whoosh.util.times import datetime_to_long

from indexer.engine.whoosh.compile import Compiled, compile_query
from indexer.engine.whoosh.evaluate import evaluate
from indexer.engine.whoosh.facets import MISSING_DATE, BoolArray, IntArray
from indexer.engine.whoosh.schema import FACETS
from indexer.engine.whoosh.snapshot import (
    Generation,
    IndexContext,
    IndexMissing,
    LetterIndex,
    open_index,
)
from indexer.letter import Letter, letter_from_json
from search_app.search.hits import facet_values, to_hit
from search_app.search.models import Hit, SearchPage, SearchRequest
from search_app.search.query import QUERY_HELP, parse_query
from search_app.search.request import parse_request
from search_app.search.similar import UnknownDecision, key_terms, like_my_case, similar
from search_app.search.snippets import make_highlighter
from search_app.search.suggest import suggest, suggest_for

FloatArray = np.ndarray[Any, np.dtype[np.float64]]
ArrayT = TypeVar("ArrayT", bound=np.ndarray[Any, Any])

__all__ = [
    "QUERY_HELP",
    "UnknownDecision",
    "key_terms",
    "like_my_case",
    "similar",
    "suggest",
    "IndexMissing",
    "LetterIndex",
    "cross_counts",
    "export_hits",
    "count_values",
    "get_letter",
    "mark_texts",
    "matching_docnums",
    "matching_sets",
    "open_index",
    "parse_request",
    "run_search",
    "warm",
]


def _date_key(value: date) -> int:
    return int(datetime_to_long(datetime(value.year, value.month, value.day)))


def _query_mask(gen: Generation, searcher: Any, query: wq.Query) -> BoolArray:
    if isinstance(query, wq.Every):
        return gen.live.copy()
    mask = np.zeros(gen.size, dtype=np.bool_)
    docs = np.fromiter(searcher.docs_for_query(query), dtype=np.int64)
    mask[docs] = True
    return mask & gen.live


def _date_mask(gen: Generation, searcher: Any, req: SearchRequest) -> BoolArray | None:
    mask: BoolArray | None = None
    if req.decided_from or req.decided_to:
        low = _date_key(req.decided_from) if req.decided_from else 0
        high = _date_key(req.decided_to) if req.decided_to else int(MISSING_DATE) - 1
        keys = gen.decided
        mask = (keys >= np.uint64(low)) & (keys <= np.uint64(high))
    if req.injured_from or req.injured_to:
        start = (
            datetime.combine(req.injured_from, datetime.min.time()) if req.injured_from else None
        )
        end = datetime.combine(req.injured_to, datetime.min.time()) if req.injured_to else None
        injured = _query_mask(gen, searcher, wq.DateRange("date_of_injury", start, end))
        mask = injured if mask is None else mask & injured
    return mask


def _facet_masks(gen: Generation, req: SearchRequest) -> dict[str, BoolArray]:
    return {
        facet: gen.tables[facet].mask_for(values, gen.size)
        for facet, values in req.filters
        if facet in gen.tables and values
    }


@dataclass(slots=True)
class Matches:
    """One request's matching sets, cached per generation and shared: never modify them.

    base holds the query and date matches, final adds the facet filters, ranked is the
    final set best first (document order when browsing) with its scores; counts are filled
    in when first asked for.
    """

    compiled: Compiled
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


def _matches(index: LetterIndex, gen: Generation, searcher: Any, req: SearchRequest) -> Matches:
    """Return the request's matching sets, from the cache or computed.

    The numpy engine (search_engine.py) finds the matching set and every match's score in
    one pass over the postings, so the relevance order comes with the set.
    """
    key = _cache_key(req)
    found = gen.matches.get(key)
    if isinstance(found, Matches):
        return found
    compiled = compile_query(parse_query(req.query), IndexContext(index, gen, searcher))
    browsing = isinstance(compiled.query, wq.Every)
    scored = None if browsing else evaluate(gen, searcher, compiled.query)
    base = gen.live.copy() if scored is None else scored.mask
    dates = _date_mask(gen, searcher, req)
    if dates is not None:
        base &= dates
    masks = {facet: _frozen(mask) for facet, mask in _facet_masks(gen, req).items()}
    final = base.copy()
    for mask in masks.values():
        final &= mask
    docs = np.flatnonzero(final)
    if scored is None:
        order, scores = docs, np.zeros(len(docs), dtype=np.float64)
    else:
        scores = scored.scores[docs]
        rank = np.lexsort((docs, -scores))  # equal scores keep document order, as Whoosh does
        order, scores = docs[rank], scores[rank]
    result = Matches(
        compiled, _frozen(base), _frozen(final), masks, _frozen(order), _frozen(scores)
    )
    gen.matches.put(key, result)
    return result


def _facet_counts(gen: Generation, found: Matches, browsing: bool) -> dict[str, IntArray]:
    if browsing and gen.browse_counts is not None:
        return gen.browse_counts
    if found.counts is not None:
        return found.counts
    counts: dict[str, IntArray] = {}
    for facet in FACETS:
        mask = found.base
        for other, other_mask in found.masks.items():
            if other != facet:
                mask = mask & other_mask
        counts[facet] = gen.tables[facet].count(mask)
    found.counts = counts
    if browsing:
        gen.browse_counts = counts
    return counts


def _ordered(
    gen: Generation, found: Matches, sort: str, start: int, end: int
) -> list[tuple[int, float]]:
    """Return the (document, score) pairs from start to end in the order sort asks for."""
    if sort == "relevance" and not isinstance(found.compiled.query, wq.Every):
        page = zip(found.ranked[start:end].tolist(), found.scores[start:end].tolist(), strict=True)
        return [(int(d), float(s)) for d, s in page]
    docs = np.flatnonzero(found.final)
    if start >= len(docs):
        return []
    keys = gen.decided[docs]
    if sort == "oldest":
        order = np.lexsort((docs, keys))
    else:
        dated = keys != MISSING_DATE
        order = np.lexsort((docs, -keys.astype(np.float64), ~dated))
    return [(int(d), 0.0) for d in docs[order[start:end]]]


def _ordered_page(gen: Generation, found: Matches, req: SearchRequest) -> list[tuple[int, float]]:
    start = (req.page - 1) * req.per_page
    return _ordered(gen, found, req.sort, start, start + req.per_page)


def _is_browsing(req: SearchRequest, found: Matches) -> bool:
    dated = req.decided_from or req.decided_to or req.injured_from or req.injured_to
    return not (req.query or found.masks or dated)


def run_search(index: LetterIndex, req: SearchRequest) -> SearchPage:
    """Run a request: exact total, disjunctive facet counts, one page of highlighted hits."""
    with index.searcher() as searcher:
        gen = index.generation
        found = _matches(index, gen, searcher, req)
        counts = _facet_counts(gen, found, _is_browsing(req, found))
        highlighter = make_highlighter(found.compiled.highlights)
        hits = tuple(
            to_hit(searcher.stored_fields(docnum), highlighter, score)
            for docnum, score in _ordered_page(gen, found, req)
        )
        total = int(np.count_nonzero(found.final))
        suggestion = suggest_for(searcher, req.query) if req.query else None
        return SearchPage(
            request=req,
            total=total,
            hits=hits,
            facets=facet_values(gen, counts, req),
            notice="; ".join(found.compiled.notices) or None,
            suggestion=suggestion,
        )


def export_hits(index: LetterIndex, req: SearchRequest, cap: int) -> tuple[int, Iterator[Hit]]:
    """Return the total and an iterator over the first cap hits in the request's order.

    Exports print no snippets, so none are made. The iterator reads stored fields through
    its own searcher of the generation the set was computed on (closed when it ends), so a
    build committing meanwhile cannot renumber the documents under it.
    """
    with index.searcher():
        gen = index.generation
        with gen.ix.searcher() as searcher:
            found = _matches(index, gen, searcher, req)
        rows = _ordered(gen, found, req.sort, 0, max(0, cap))
        total = int(np.count_nonzero(found.final))

    def hits() -> Iterator[Hit]:
        with gen.ix.searcher() as reader:
            for docnum, score in rows:
                yield to_hit(reader.stored_fields(docnum), None, score)

    return total, hits()


def mark_texts(index: LetterIndex, query: str, texts: Sequence[str]) -> tuple[Markup, ...]:
    """Escape each text and mark what the query matches in it, exactly as snippets do."""
    if not query.strip():
        return tuple(Markup(escape(text)) for text in texts)
    with index.searcher() as searcher:
        context = IndexContext(index, index.generation, searcher)
        highlighter = make_highlighter(compile_query(parse_query(query), context).highlights)
    return tuple(highlighter.mark(text) for text in texts)


def warm(index: LetterIndex) -> None:
    """Fill the current generation's caches (browse counts, a searcher) before serving."""
    run_search(index, SearchRequest())


def matching_sets(index: LetterIndex, req: SearchRequest) -> tuple[BoolArray, dict[str, BoolArray]]:
    """Return the query-and-dates mask and one mask per filtered facet (shared: read only).

    They come from the same per-generation cache as run_search, so the statistics of the
    search on screen do not run its query again.
    """
    with index.searcher() as searcher:
        found = _matches(index, index.generation, searcher, req)
        return found.base, dict(found.masks)


def matching_docnums(index: LetterIndex, req: SearchRequest) -> IntArray:
    """Return the document numbers matching a request's query, dates and filters (sorted)."""
    with index.searcher() as searcher:
        found = _matches(index, index.generation, searcher, req)
        return np.flatnonzero(found.final).astype(np.int64)


def count_values(
    index: LetterIndex, facet: str, docnums: Sequence[int] | IntArray
) -> dict[str, int]:
    """Count documents per value of a facet among docnums (values with no documents left out)."""
    gen = index.generation
    mask = np.zeros(gen.size, dtype=np.bool_)
    mask[np.asarray(docnums, dtype=np.int64)] = True
    table = gen.tables[facet]
    return {v: int(c) for v, c in zip(table.values, table.count(mask).tolist(), strict=True) if c}


def cross_counts(
    index: LetterIndex, facet: str, docnums: Sequence[int] | IntArray, by: str = "outcome"
) -> dict[str, dict[str, int]]:
    """Count docnums per (facet value, value of `by`), e.g. outcomes per guideline family.

    `by` should be a single-valued facet; a document with several values counts once per
    value of `facet`.
    """
    gen = index.generation
    table, by_table = gen.tables[facet], gen.tables[by]
    mask = np.zeros(gen.size, dtype=np.bool_)
    mask[np.asarray(docnums, dtype=np.int64)] = True
    by_doc = by_table.per_doc(gen.size)
    keep = mask[table.pair_docs] & (by_doc[table.pair_docs] >= 0)
    rows, cols = table.pair_values[keep], by_doc[table.pair_docs[keep]]
    grid = np.zeros((len(table.values), len(by_table.values)), dtype=np.int64)
    np.add.at(grid, (rows, cols), 1)
    out: dict[str, dict[str, int]] = {}
    for i, value in enumerate(table.values):
        row = {by_table.values[j]: int(n) for j, n in enumerate(grid[i].tolist()) if n}
        if row:
            out[value] = row
    return out


def get_letter(index: LetterIndex, letter_id: str) -> Letter | None:
    """Return a letter as the parser read it (from letter_json), or None if unknown."""
    with index.searcher() as searcher:
        for docnum in searcher.docs_for_query(wq.Term("letter_id", letter_id)):
            stored = searcher.stored_fields(docnum).get("letter_json")
            if stored:
                return letter_from_json(json.loads(stored))
    return None
