"""WhooshSnapshot: the engine interface's Snapshot over one generation and its searcher."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from itertools import islice
from typing import Any

import numpy as np
from whoosh import query as wq
from whoosh.util.times import datetime_to_long

from indexer.engine.caches import MatchCache
from indexer.engine.facets import BoolArray, FacetTable, IntArray, resolve_value
from indexer.engine.interface import DateKeys, FloatArray, Highlights, Match, StoredFields
from indexer.engine.query import Node
from indexer.engine.whoosh.compile import compile_query, stem_tokens
from indexer.engine.whoosh.evaluate import Engine, evaluate
from indexer.engine.whoosh.facets import build_table
from indexer.engine.whoosh.generation import Generation
from indexer.engine.whoosh.schema import CATCH_ALL, EXACT_SUFFIX
from indexer.fields import FACETS

DECIDED_FIELD = "decision_date"  # its keys are in the generation's `decided` array
MAX_FUZZY_TERMS = 50
# A word's forms in a NEAR are the letters' words that share its stem: those starting with
# the part of the word its stem keeps, at most MAX_FORMS of them, found among at most
# MAX_FORM_CANDIDATES words with that start (a short start like "ten" has a few hundred).
MAX_FORMS = 50
MAX_FORM_CANDIDATES = 5000
MAX_PREFIX_TERMS = 200
_NO_SCORES = np.zeros(0, dtype=np.float64)
# Whoosh's DATETIME keys count microseconds from 0001-01-01.
_MICROS_PER_DAY = 86_400_000_000
_EPOCH_MONTH = 1970 * 12
_DAY_ONE = np.datetime64("0001-01-01", "D")


class QueryContext:
    """What compiling a query needs from one generation: synonyms, facet values, vocabulary."""

    def __init__(
        self, expand: Callable[[str], frozenset[str]], generation: Generation, searcher: Any
    ) -> None:
        self._expand = expand
        self.generation = generation
        self.searcher = searcher

    def expand(self, term: str) -> frozenset[str]:
        return self._expand(term)

    def resolve_facet(self, facet: str, raw: str) -> tuple[str, ...]:
        if facet not in FACETS:
            return ()
        return resolve_value(self.generation.tables[facet], raw)

    def fuzzy_terms(self, fieldname: str, word: str, edits: int) -> tuple[str, ...]:
        reader = self.searcher.reader()
        found = reader.terms_within(fieldname, word, edits, prefix=1)
        return tuple(sorted(found))[:MAX_FUZZY_TERMS]

    def word_forms(self, fieldname: str, word: str) -> tuple[str, ...]:
        """The words of the field that share word's stem (word itself first, if there)."""
        stems = stem_tokens(word)
        if len(stems) != 1:
            return (word,)
        start = _common_start(word, stems[0]) or word
        forms: list[str] = []
        candidates = self.searcher.reader().expand_prefix(fieldname, start)
        for raw in islice(candidates, MAX_FORM_CANDIDATES):
            text = raw.decode("utf-8") if isinstance(raw, bytes) else str(raw)
            if stem_tokens(text) == stems:
                forms.append(text)
        forms.sort(key=lambda w: (w != word, w))
        return tuple(forms[:MAX_FORMS]) or (word,)

    def prefix_terms(self, fieldname: str, prefix: str) -> tuple[str, ...]:
        found = islice(self.searcher.reader().expand_prefix(fieldname, prefix), MAX_PREFIX_TERMS)
        return tuple(t.decode("utf-8") if isinstance(t, bytes) else str(t) for t in found)


def _common_start(a: str, b: str) -> str:
    size = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        size += 1
    return a[:size]


def months_from_keys(keys: Iterable[int]) -> IntArray:
    """Turn decision date keys into year * 12 + month - 1, or -1 where undated."""
    values = np.fromiter(keys, dtype=np.uint64)
    month = np.full(values.shape, -1, dtype=np.int64)
    dated = values < np.uint64(2**63)
    days = (values[dated] // np.uint64(_MICROS_PER_DAY)).astype(np.int64)
    stamps = _DAY_ONE + days.astype("timedelta64[D]")
    month[dated] = stamps.astype("datetime64[M]").astype(np.int64) + _EPOCH_MONTH
    return month


def _field(fieldname: str | None, exact: bool = False) -> str:
    return (fieldname or CATCH_ALL) + (EXACT_SUFFIX if exact else "")


class WhooshSnapshot:
    """One committed generation of a Whoosh index, read through one searcher."""

    def __init__(
        self, expand: Callable[[str], frozenset[str]], generation: Generation, searcher: Any
    ) -> None:
        self._expand = expand
        self.generation = generation
        self.searcher = searcher

    @property
    def size(self) -> int:
        return self.generation.size

    @property
    def live(self) -> BoolArray:
        return self.generation.live

    @property
    def tables(self) -> Mapping[str, FacetTable]:
        return self.generation.tables

    @property
    def decided(self) -> DateKeys:
        return self.generation.decided

    @property
    def cache(self) -> MatchCache:
        return self.generation.matches

    @property
    def memo(self) -> dict[Hashable, Any]:
        return self.generation.memo

    def _compile(self, node: Node | None) -> Any:
        return compile_query(node, QueryContext(self._expand, self.generation, self.searcher))

    def match(self, node: Node | None) -> Match:
        compiled = self._compile(node)
        expansions = tuple(compiled.expansions)
        if isinstance(compiled.query, wq.Every):
            live = self.generation.live.copy()
            return Match(live, _NO_SCORES, compiled.highlights, compiled.notices, True, expansions)
        scored = evaluate(self.generation, self.searcher, compiled.query)
        return Match(
            scored.mask, scored.scores, compiled.highlights, compiled.notices, False, expansions
        )

    def highlights(self, node: Node | None) -> Highlights:
        highlights: Highlights = self._compile(node).highlights
        return highlights

    def date_key(self, value: date) -> int:
        return int(datetime_to_long(datetime(value.year, value.month, value.day)))

    def date_mask(self, fieldname: str, start: date | None, end: date | None) -> BoolArray:
        gen = self.generation
        if fieldname == DECIDED_FIELD:
            low = self.date_key(start) if start else 0
            high = self.date_key(end) if end else int(np.iinfo(np.uint64).max) - 1
            keys = gen.decided
            found: BoolArray = (keys >= np.uint64(low)) & (keys <= np.uint64(high))
            return found & gen.live
        first = datetime.combine(start, datetime.min.time()) if start else None
        last = datetime.combine(end, datetime.min.time()) if end else None
        query = wq.DateRange(fieldname, first, last)
        mask = np.zeros(gen.size, dtype=np.bool_)
        mask[np.fromiter(self.searcher.docs_for_query(query), dtype=np.int64)] = True
        return mask & gen.live

    def stored(self, docnum: int) -> StoredFields:
        fields: StoredFields = self.searcher.stored_fields(docnum)
        return fields

    def docs_with(self, fieldname: str, value: str) -> list[int]:
        return [int(d) for d in self.searcher.docs_for_query(wq.Term(fieldname, value))]

    def doc_count(self) -> int:
        return int(self.searcher.doc_count())

    def doc_frequency(self, term: str, fieldname: str | None = None, exact: bool = False) -> int:
        return int(self.searcher.doc_frequency(_field(fieldname, exact), term))

    def synonyms(self, term: str) -> frozenset[str]:
        return self._expand(term)

    def words_near(self, word: str, edits: int) -> tuple[str, ...]:
        reader = self.searcher.reader()
        return tuple(sorted(reader.terms_within(_field(None, True), word, edits, prefix=1)))

    def term_docs(self, term: str, fieldname: str | None = None) -> IntArray:
        engine = Engine(self.generation, self.searcher)
        return engine.postings(_field(fieldname), term.encode("utf-8")).docs

    def rank_terms(self, terms: Sequence[tuple[str, str, float]]) -> tuple[BoolArray, FloatArray]:
        query = wq.Or([wq.Term(fieldname, stem, boost=weight) for fieldname, stem, weight in terms])
        scored = evaluate(self.generation, self.searcher, query)
        return scored.mask, scored.scores

    def extra_table(self, name: str) -> FacetTable:
        found = self.generation.extra_tables.get(name)
        if found is None:  # a generation opened without its arrays file's tables
            found = self.generation.extra_tables[name] = build_table(self.searcher.reader(), name)
        return found

    def decision_months(self) -> IntArray:
        months = self.generation.memo.get("decision_months")
        if months is None:
            months = self.generation.memo["decision_months"] = months_from_keys(self.decided)
        result: IntArray = months
        return result

    @contextmanager
    def detached(self) -> Iterator[WhooshSnapshot]:
        with self.generation.ix.searcher() as searcher:
            yield WhooshSnapshot(self._expand, self.generation, searcher)
