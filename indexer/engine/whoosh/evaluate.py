"""Whoosh queries evaluated in numpy, straight from the posting blocks.

Whoosh walks its matchers one document at a time in Python, scoring each document and
checking each phrase's positions there, so a common word or phrase over 100k decisions takes
about a second. Here every leaf of the query reads its postings block by block into
arrays, BM25F is computed on whole arrays (the same formula and the same quantized field
lengths as Whoosh's BM25F, so word queries rank exactly as Whoosh ranks them), and
And / Or / AndNot become mask operations. A phrase is checked on whole arrays of positions,
read only for the documents that hold all its words (or, on the catch-all field, all its
word pairs, see schema.PAIR_FIELDS; a catch-all phrase then scores as its pairs, not as
its separate words the way Whoosh scores a phrase). The catch-all's exact field keeps no
positions (schema.POSITION_PARTS): a longer phrase there is checked in each of its parts, and a
NEAR becomes one NEAR per part, any of which may match.

What the engine does not know (prefixes, NEAR, date ranges...) runs through Whoosh for its
matching set; NEAR scores its words' BM25F as Whoosh does, the rest a constant, as Whoosh's
own prefix query does.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt
from whoosh import formats, scoring
from whoosh import query as wq
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3LeafMatcher, _lenfield
from whoosh.matching import WrappingMatcher
from whoosh.query import spans
from whoosh.util.numeric import byte_to_length

from indexer.engine.facets import BoolArray, IntArray
from indexer.engine.whoosh.dense import DenseError, DenseReader, PositionsFound, open_dense
from indexer.engine.whoosh.generation import Generation
from indexer.engine.whoosh.positions import decode as decode_positions
from indexer.engine.whoosh.positions import flatten
from indexer.engine.whoosh.schema import PAIR_FIELDS, POSITION_PARTS, STEMMED_SIBLINGS, pair_terms

FloatArray = npt.NDArray[np.float64]
_LENGTHS = np.array([byte_to_length(b) for b in range(256)], dtype=np.float64)
_POSITION_BITS = 32
# Reading one of a term's dense positions costs nanoseconds, decoding a posting block with
# positions a fraction of a millisecond (at most one block a wanted document): so the blocks
# are read instead only when the dense numbers outnumber the wanted documents 20,000 times
# over, the ratio where both cost about the same (bench/RESULTS.md).
DENSE_POSITIONS_WORK = 20_000
_NONE = np.zeros(0, dtype=np.int64)
_T = TypeVar("_T")
_LOG = logging.getLogger(__name__)


@dataclass(slots=True)
class Scored:
    """A query's matching documents (a mask over the generation) and their scores."""

    mask: BoolArray
    scores: FloatArray


@dataclass(slots=True)
class _Postings:
    docs: IntArray
    weights: FloatArray


def _raw(matcher: Any) -> Any:
    """Return the matcher under Whoosh's deleted-documents filter (deletions are masked later)."""
    while isinstance(matcher, WrappingMatcher):
        matcher = matcher.child
    return matcher


def _blocks(matcher: W3LeafMatcher, wanted: IntArray | None) -> Iterator[tuple[IntArray, Any]]:
    """Yield each posting block's document numbers (segment-local) and its raw data tuple.

    With wanted (sorted local document numbers), blocks holding none of them are skipped
    before they are decompressed.
    """
    previous_max = -1
    while True:
        block_max = int(matcher._maxid)
        skip = False
        if wanted is not None:
            low = np.searchsorted(wanted, previous_max + 1)
            high = np.searchsorted(wanted, block_max, side="right")
            skip = bool(low == high)
        if not skip:
            if matcher._data is None:
                matcher._read_data()
            data = matcher._data
            ids = np.asarray(data[0], dtype=np.int64)
            yield (ids if matcher._byteids else np.cumsum(ids)), data
        if matcher._lastblock:
            return
        previous_max = block_max
        matcher._goto(matcher._nextoffset)


def _block_weights(data: Any, count: int) -> FloatArray:
    weights = data[1]
    if weights is None:
        return np.ones(count, dtype=np.float64)
    if isinstance(weights, float | int):
        return np.full(count, float(weights), dtype=np.float64)
    return np.asarray(weights, dtype=np.float64)


def _picked(values: list[bytes], picked: list[int]) -> list[bytes]:
    """Return values at the picked indexes (ascending), in C where it can."""
    if len(picked) == len(values):
        return values
    if len(picked) > 1:
        return list(itemgetter(*picked)(values))
    return [values[i] for i in picked]


class Engine:
    """Evaluates one query over one generation and its searcher."""

    def __init__(self, gen: Generation, searcher: Any) -> None:
        weighting = searcher.weighting
        if type(weighting) is not scoring.BM25F:
            raise TypeError(f"the engine scores BM25F only, not {type(weighting).__name__}")
        self.gen = gen
        self.searcher = searcher
        self.schema = searcher.schema
        self.size = gen.size
        self.K1 = float(weighting.K1)
        self.weighting = weighting
        self.leaves = [(leaf.reader(), int(offset)) for leaf, offset in searcher.leaf_searchers()]

    # --- leaves ------------------------------------------------------------------------

    def postings(self, fieldname: str, text: bytes, wanted: IntArray | None = None) -> _Postings:
        """Read a term's postings (deleted documents included) into global arrays.

        With wanted (sorted global document numbers) only those documents' postings are
        kept, and blocks holding none of them are not decoded.
        """
        if wanted is None:
            key = ("postings", fieldname, text)
            cached = self.gen.postings.get(key)
            if isinstance(cached, _Postings):
                return cached
            found = self._read(fieldname, text, None)
            found.docs.flags.writeable = found.weights.flags.writeable = False
            self.gen.postings.put(key, found, found.docs.nbytes + found.weights.nbytes)
            return found
        return self._read(fieldname, text, wanted)

    def _read(self, fieldname: str, text: bytes, wanted: IntArray | None) -> _Postings:
        docs: list[IntArray] = []
        weights: list[FloatArray] = []
        for reader, offset in self.leaves:
            if (fieldname, text) not in reader:
                continue
            local = None if wanted is None else wanted[wanted >= offset] - offset
            if local is not None and not len(local):
                continue
            for ids, found in self._chunks(reader, fieldname, text, local):
                if local is not None:
                    keep = _members(local, ids)
                    ids, found = ids[keep], found[keep]
                docs.append(ids + offset)
                weights.append(found)
        if not docs:
            return _Postings(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64))
        return _Postings(np.concatenate(docs), np.concatenate(weights))

    def _chunks(
        self, reader: Any, fieldname: str, text: bytes, local: IntArray | None
    ) -> Iterator[tuple[IntArray, FloatArray]]:
        """Yield a term's postings in one segment as arrays of (local) documents and weights:
        its dense postings if it has them, else block by block, skipping blocks that hold
        none of local (when given)."""
        dense = self._dense_postings(reader, fieldname, text)
        if dense is not None:  # a common term: two arrays, no blocks to decode
            yield dense
            return
        matcher = _raw(reader.postings(fieldname, text))
        if isinstance(matcher, W3LeafMatcher):
            for ids, data in _blocks(matcher, local):
                yield ids, _block_weights(data, len(ids))
            return
        found, found_weights = [], []  # another codec's matcher: one posting at a time
        while matcher.is_active():
            found.append(matcher.id())
            found_weights.append(matcher.weight())
            matcher.next()
        yield np.asarray(found, dtype=np.int64), np.asarray(found_weights, dtype=np.float64)

    def _dense(self, reader: Any) -> DenseReader | None:
        """Return a segment's dense postings (dense.py), or None when it has none."""
        segment = reader.segment()
        segid = segment.segment_id()
        if segid not in self.gen.dense:
            self.gen.dense[segid] = open_dense(reader.storage(), segment)
        found: DenseReader | None = self.gen.dense[segid]
        return found

    def _dense_postings(
        self, reader: Any, fieldname: str, text: bytes
    ) -> tuple[IntArray, FloatArray] | None:
        """Return a term's dense postings in a segment, or None (read its blocks instead)."""
        return self._from_dense(reader, lambda dense: dense.postings(fieldname, text))

    def _from_dense(self, reader: Any, read: Callable[[DenseReader], _T | None]) -> _T | None:
        """Return what read finds in a segment's dense postings, or None when it has none.

        A damaged entry is logged and the segment's dense postings are not used again.
        """
        dense = self._dense(reader)
        if dense is None:
            return None
        try:
            return read(dense)
        except DenseError as exc:
            segid = reader.segment().segment_id()
            _LOG.warning("dense postings of segment %s are not used: %s", segid, exc)
            self.gen.dense[segid] = None
            return None

    def positions(
        self, fieldname: str, text: bytes, wanted: IntArray
    ) -> tuple[IntArray, _Postings]:
        """Return a term's (document << 32 | position) keys in the wanted documents only,
        and its postings there (the documents that have it, and their weights). A segment's
        dense positions are read as arrays where they are kept (dense.py) and worth
        it; else each posting block is decoded once for both.
        """
        fast = type(self.schema[fieldname].format) is formats.Positions
        keys: list[IntArray] = []
        found_docs: list[IntArray] = []
        found_weights: list[FloatArray] = []
        for reader, offset in self.leaves:
            if (fieldname, text) not in reader:
                continue
            local = wanted[(wanted >= offset)] - offset
            if not len(local):
                continue
            dense = self._dense_positions(reader, fieldname, text, len(local)) if fast else None
            spots: npt.NDArray[np.integer[Any]]
            if dense is not None:
                docs, weights, counts, kept = dense
                keep = _members(local, docs)
                docs, weights, spots = docs[keep], weights[keep], kept[np.repeat(keep, counts)]
                counts = counts[keep]
            else:
                docs, weights, counts, spots = self._block_positions(
                    reader, fieldname, text, local, fast
                )
            docs = docs + offset
            keys.append((np.repeat(docs, counts) << _POSITION_BITS) | spots)
            found_docs.append(docs)
            found_weights.append(weights)
        if not keys:
            empty = np.zeros(0, dtype=np.int64)
            return empty, _Postings(empty, np.zeros(0, dtype=np.float64))
        postings = _Postings(np.concatenate(found_docs), np.concatenate(found_weights))
        return np.concatenate(keys), postings

    def _block_positions(
        self, reader: Any, fieldname: str, text: bytes, local: IntArray, fast: bool
    ) -> tuple[IntArray, FloatArray, IntArray, IntArray]:
        """Read a term's postings in the local documents of one segment from its blocks:
        the documents that have it, their weights, their counts of positions and the
        positions (absolute, in document order). Fast: the values are formats.Positions'."""
        matcher = _raw(reader.postings(fieldname, text))
        docs: list[IntArray] = []
        weights: list[FloatArray] = []
        if isinstance(matcher, W3LeafMatcher) and fast:
            values: list[bytes] = []
            for ids, data in _blocks(matcher, local):
                picked = np.flatnonzero(_members(local, ids))
                values += _picked(data[2], picked.tolist())
                docs.append(ids[picked])
                weights.append(_block_weights(data, len(ids))[picked])
            counts, spots = decode_positions(values)
        else:  # another codec's matcher: one posting at a time
            chosen = set(local.tolist())
            lists: list[list[int]] = []
            ones: list[int] = []
            found: list[float] = []
            while matcher.is_active():
                if matcher.id() in chosen:
                    lists.append(list(matcher.value_as("positions")))
                    ones.append(matcher.id())
                    found.append(matcher.weight())
                matcher.next()
            counts, spots = flatten(lists)
            docs.append(np.asarray(ones, dtype=np.int64))
            weights.append(np.asarray(found, dtype=np.float64))
        if not docs:
            return _NONE, np.zeros(0, dtype=np.float64), _NONE, _NONE
        return np.concatenate(docs), np.concatenate(weights), counts, spots

    def _dense_positions(
        self, reader: Any, fieldname: str, text: bytes, wanted: int
    ) -> PositionsFound | None:
        """Return a term's dense positions in a segment, or None: none are kept, or reading
        them all costs more than reading the blocks of wanted documents
        (DENSE_POSITIONS_WORK)."""

        def read(dense: DenseReader) -> PositionsFound | None:
            numbers = dense.position_count(fieldname, text)
            if numbers is None or wanted * DENSE_POSITIONS_WORK < numbers:
                return None
            return dense.positions(fieldname, text)

        return self._from_dense(reader, read)

    def _positional(
        self, fieldname: str, words: list[str]
    ) -> tuple[list[IntArray], IntArray, FloatArray]:
        """Read the words' positions in the live documents that have all of them.

        Return each word's position keys there, those documents (sorted), and the sum of the
        words' BM25F scores in them. Candidates come first from the stemmed sibling field's
        postings (no positions to decode, and cached); then the words are read rarest first,
        each only in the documents that had every word read before it.
        """
        field = self.schema[fieldname]
        btexts = [field.to_bytes(w) for w in words]
        docs = np.flatnonzero(self._candidates(fieldname, words) & self.gen.live)
        keys, postings, docs = self._rarest_first(fieldname, btexts, docs)
        scores = np.zeros(len(docs), dtype=np.float64)
        for i, found in postings.items():
            if not len(docs):
                break  # _members needs a document to look in
            keep = _members(docs, found.docs)
            kept = _Postings(found.docs[keep], found.weights[keep])
            scores += self.bm25(fieldname, btexts[i], kept)
        return [keys[i] for i in range(len(words))], docs, scores

    def _rarest_first(
        self, fieldname: str, btexts: list[bytes], docs: IntArray
    ) -> tuple[dict[int, IntArray], dict[int, _Postings], IntArray]:
        """Read each term's positions (and postings) rarest first, each only in the documents
        (sorted) that held every term read before it; return them by term index, and the
        documents that hold every term."""
        order = sorted(
            range(len(btexts)), key=lambda i: self.searcher.doc_frequency(fieldname, btexts[i])
        )
        keys: dict[int, IntArray] = {}
        postings: dict[int, _Postings] = {}
        for i in order:
            keys[i], postings[i] = self.positions(fieldname, btexts[i], docs)
            docs = postings[i].docs
        return keys, postings, docs

    def _candidates(self, fieldname: str, words: list[str]) -> BoolArray:
        """Return documents that may hold every word (a superset), without reading positions.

        Where the field has a stemmed sibling with the same value (schema.STEMMED_SIBLINGS),
        a document with a word has the word's stem there; a word that stems to nothing (a
        stop word) or to several terms doesn't narrow the set.
        """
        mask = np.ones(self.size, dtype=np.bool_)
        sibling = STEMMED_SIBLINGS.get(fieldname)
        if sibling is None or sibling not in self.schema:
            return mask
        stemmed = self.schema[sibling]
        for word in words:
            stems = list(stemmed.process_text(word, mode="query"))
            if len(stems) == 1:
                btext = self._bytes(sibling, stems[0])
                if btext is not None:
                    narrowed = np.zeros(self.size, dtype=np.bool_)
                    narrowed[self.postings(sibling, btext).docs] = True
                    mask &= narrowed
        return mask

    def lengths(self, fieldname: str) -> FloatArray:
        """Return every document's length in a field as BM25F sees it (quantized), cached."""
        key = ("field-length", fieldname)
        found = self.gen.arrays.get(key)
        if found is not None:
            return found  # type: ignore[no-any-return]
        out = np.zeros(self.size, dtype=np.float64)
        for reader, offset in self.leaves:
            count = reader.doc_count_all()
            out[offset : offset + count] = _LENGTHS[_length_bytes(reader, fieldname, count)]
        out.flags.writeable = False
        self.gen.arrays[key] = out
        return out

    def bm25(self, fieldname: str, text: bytes, postings: _Postings) -> FloatArray:
        """Score postings as Whoosh's BM25FScorer does."""
        field = self.schema[fieldname]
        if not field.scorable:
            return postings.weights  # Whoosh's WeightScorer
        B = float(self.weighting._field_B.get(fieldname, self.weighting.B))
        idf = float(self.searcher.idf(fieldname, text))
        avg = float(self.searcher.avg_field_length(fieldname) or 1)
        length = self.lengths(fieldname)[postings.docs]
        tf = postings.weights
        return idf * ((tf * (self.K1 + 1)) / (tf + self.K1 * ((1 - B) + B * length / avg)))

    # --- the tree ----------------------------------------------------------------------

    def run(self, query: wq.Query) -> Scored:
        """Return the live documents the query matches and their scores."""
        if not self.size:
            return self._empty()  # BM25F's idf is undefined over no documents
        found = self._eval(query)
        return Scored(found.mask & self.gen.live, found.scores)

    def _empty(self) -> Scored:
        return Scored(np.zeros(self.size, dtype=np.bool_), np.zeros(self.size, dtype=np.float64))

    def _eval(self, query: wq.Query) -> Scored:
        if isinstance(query, wq.Term):
            result = self._term(query.fieldname, query.text)
        elif isinstance(query, wq.And):
            result = self._all([self._eval(q) for q in query.subqueries])
        elif isinstance(query, wq.Or) and not query.minmatch and query.scale is None:
            result = self._any([self._eval(q) for q in query.subqueries])
        elif isinstance(query, wq.AndNot):
            result = self._eval(query.a)
            result.mask &= ~self._eval(query.b).mask
        elif isinstance(query, wq.Every) and not query.fieldname:
            result = Scored(self.gen.live.copy(), np.zeros(self.size, dtype=np.float64))
        elif query is wq.NullQuery:
            result = self._empty()
        elif isinstance(query, wq.Phrase) and query.slop == 1:
            result = self._phrase(query.fieldname, list(query.words))
        elif parts := self._near_in_parts(query):
            result = self._any([self._eval(q) for q in parts])
        elif _two_sided_near(query):
            result = self._near(query)
        else:
            result = self._through_whoosh(query)
            return result  # its constant score already carries the boost
        boost = float(getattr(query, "boost", 1.0))
        if boost != 1.0:
            result.scores *= boost
        return result

    def _bytes(self, fieldname: str, text: str | bytes) -> bytes | None:
        if fieldname not in self.schema:
            return None
        try:
            return self.schema[fieldname].to_bytes(text)  # type: ignore[no-any-return]
        except ValueError:
            return None

    def _term(self, fieldname: str, text: str | bytes) -> Scored:
        result = self._empty()
        btext = self._bytes(fieldname, text)
        if btext is None:
            return result
        postings = self.postings(fieldname, btext)
        result.mask[postings.docs] = True
        result.scores[postings.docs] = self.bm25(fieldname, btext, postings)
        return result

    def _scores_at(self, terms: Sequence[tuple[str, str | bytes]], docs: IntArray) -> FloatArray:
        """Sum the (field, word) terms' BM25F scores over docs (sorted), as Whoosh's spans do."""
        scores = np.zeros(self.size, dtype=np.float64)
        for fieldname, word in terms:
            btext = self._bytes(fieldname, word)
            if btext is not None:
                postings = self.postings(fieldname, btext, docs)
                scores[postings.docs] += self.bm25(fieldname, btext, postings)
        return scores

    def _all(self, parts: Sequence[Scored]) -> Scored:
        if not parts:
            return self._empty()
        mask, scores = parts[0].mask, parts[0].scores
        for part in parts[1:]:
            mask &= part.mask
            scores += part.scores
        return Scored(mask, scores)

    def _any(self, parts: Sequence[Scored]) -> Scored:
        if not parts:
            return self._empty()
        mask, scores = parts[0].mask, parts[0].scores
        for part in parts[1:]:
            mask |= part.mask
            scores += part.scores
        return Scored(mask, scores)

    def _phrase(self, fieldname: str, words: list[str]) -> Scored:
        """Match a phrase; score it by its word pairs' BM25F, or its words' where no pairs.

        On the catch-all a phrase is scored as a term of its own (a two-word phrase is one
        pair term; a longer one the sum of its pairs): how often the phrase itself occurs,
        and how rare it is. Other fields score as Whoosh does, by the phrase's words.
        """
        if fieldname not in self.schema or not words:
            return self._empty()
        field = self.schema[fieldname]
        positional = field.format.supports("positions")
        if not positional and fieldname not in POSITION_PARTS:
            return self._through_whoosh(wq.Phrase(fieldname, words))
        if len(words) == 1:
            return self._term(fieldname, words[0])
        pairs_field = PAIR_FIELDS.get(fieldname)
        if not pairs_field or pairs_field not in self.schema:
            # Scored as Whoosh scores a phrase: its words' BM25F sum.
            keys, docs, scores = self._positional(fieldname, words)
            hits = _phrase_starts(keys)
            result = self._empty()
            result.mask[hits] = True
            result.scores[hits] = scores[_members_at(docs, hits)]
            return result
        # Word pairs narrow the candidates to (nearly) the documents with the phrase, and
        # settle a two-word phrase without reading any position.
        parts = self._all([self._term(str(pairs_field), p) for p in pair_terms(words)])
        docs = np.flatnonzero(parts.mask & self.gen.live)
        if len(words) > 2 and positional:
            keys = [self.positions(fieldname, field.to_bytes(w), docs)[0] for w in words]
            docs = _phrase_starts(keys)
        elif len(words) > 2:
            docs = self._in_a_row_in_parts(POSITION_PARTS[fieldname], words, docs)
        result = self._empty()
        result.mask[docs] = True
        result.scores[docs] = parts.scores[docs]
        return result

    def _in_a_row_in_parts(
        self, parts: Sequence[str], words: list[str], docs: IntArray
    ) -> IntArray:
        """Return which of docs (sorted) hold the words in a row in one of parts.

        The parts holding the most text go first, and a document found in one is not
        looked for in the next.
        """
        present = [part for part in parts if part in self.schema]
        present.sort(key=lambda part: -self.searcher.field_length(part))
        found: list[IntArray] = []
        for part in present:
            if not len(docs):
                break
            hits = self._in_a_row(part, words, docs)
            found.append(hits)
            docs = docs[~_members(hits, docs)] if len(hits) else docs
        # Each part's documents are left out of the next ones: no document comes twice.
        return np.sort(np.concatenate(found)) if found else docs[:0]

    def _in_a_row(self, fieldname: str, words: list[str], docs: IntArray) -> IntArray:
        """Return which of docs (sorted) hold the words in a row in fieldname (positional).

        The words' positions are read rarest first, each only in the documents that held
        every word read before it. (Narrowing docs first by the part's stems, as _positional
        does, cost more than it saved: the word pairs have narrowed them already.)
        """
        field = self.schema[fieldname]
        btexts = [field.to_bytes(w) for w in words]
        keys, _, _ = self._rarest_first(fieldname, btexts, docs)
        return _phrase_starts([keys[i] for i in range(len(words))])

    def _near_in_parts(self, query: wq.Query) -> list[wq.Query]:
        """Split a NEAR on a field without positions into a NEAR on each of its parts."""
        if not isinstance(query, spans.SpanNear2) or not query.qs:
            return []
        fieldname = _span_field(query)
        parts = POSITION_PARTS.get(fieldname or "")
        if not fieldname or not parts:
            return []
        if fieldname not in self.schema or self.schema[fieldname].format.supports("positions"):
            return []
        return [_in_field(query, part) for part in parts if part in self.schema]

    def _near(self, query: spans.SpanNear2) -> Scored:
        """Match two sides within slop positions (the second after the first when ordered),
        each side a word or any of several (a word's forms, an OR).

        As Whoosh's SpanNear2: some occurrence of each, 1 to slop positions apart; scored as
        Whoosh scores it, by the BM25F of every one of its words a document holds.
        """
        first, second = (_side_words(q) for q in query.qs)
        fieldname = _span_field(query)
        slop, ordered = int(query.slop), bool(query.ordered)
        if fieldname is None or fieldname not in self.schema:
            return self._empty()
        if not self.schema[fieldname].format.supports("positions"):
            return self._through_whoosh(query)
        docs = np.flatnonzero(
            self._side_candidates(fieldname, first)
            & self._side_candidates(fieldname, second)
            & self.gen.live
        )
        starts, docs = self._side_positions(fieldname, first, docs)
        others, docs = self._side_positions(fieldname, second, docs)
        found = np.zeros(len(starts), dtype=np.bool_)
        if len(others) and len(starts):
            # The nearest occurrence after each start, and (unordered) the nearest before it;
            # keys of another document differ by far more than any slop.
            after = np.searchsorted(others, starts, side="right")
            has_after = after < len(others)
            gap = others[np.minimum(after, len(others) - 1)] - starts
            found |= has_after & (gap <= slop)
            if not ordered:
                before = np.searchsorted(others, starts, side="left") - 1
                gap = starts - others[np.maximum(before, 0)]
                found |= (before >= 0) & (gap <= slop)
        hits = np.unique(starts[found] >> _POSITION_BITS)
        result = self._empty()
        result.mask[hits] = True
        # As Whoosh sums its sides' matchers: a word on both sides counts twice.
        result.scores = self._scores_at([(fieldname, w) for w in (*first, *second)], hits)
        return result

    def _side_candidates(self, fieldname: str, words: Sequence[str]) -> BoolArray:
        """Documents that may hold any of words (a superset), from their stems' postings."""
        if len(words) == 1:
            return self._candidates(fieldname, list(words))
        mask = np.zeros(self.size, dtype=np.bool_)
        for word in words:
            mask |= self._candidates(fieldname, [word])
        return mask

    def _side_positions(
        self, fieldname: str, words: Sequence[str], docs: IntArray
    ) -> tuple[IntArray, IntArray]:
        """Return the (document << 32 | position) keys of any of words in docs (sorted), and
        the documents among docs that hold one."""
        field = self.schema[fieldname]
        keys: list[IntArray] = []
        held: list[IntArray] = []
        for word in words:
            found, postings = self.positions(fieldname, field.to_bytes(word), docs)
            keys.append(found)
            held.append(postings.docs)
        if not keys:
            return _NONE, _NONE
        return np.sort(np.concatenate(keys)), np.unique(np.concatenate(held))

    def _through_whoosh(self, query: wq.Query) -> Scored:
        """Let Whoosh find the matches; score NEAR as Whoosh does (its terms' BM25F sum)."""
        result = self._empty()
        docs = np.fromiter(self.searcher.docs_for_query(query), dtype=np.int64)
        result.mask[docs] = True
        terms = _span_terms(query) if isinstance(query, spans.SpanQuery) else []
        if terms:
            result.scores = self._scores_at([(t.fieldname, t.text) for t in terms], docs)
            result.scores *= getattr(query, "boost", 1.0)
        else:
            # A constant, as Whoosh scores its prefix queries.
            result.scores[docs] = float(getattr(query, "boost", 1.0))
        return result


def _two_sided_near(query: wq.Query) -> bool:
    """Tell whether query is a NEAR of two sides of one field, each a word or an OR of
    words (SpanOr), as we compile it."""
    if not isinstance(query, spans.SpanNear2) or len(query.qs) != 2 or query.mindist != 1:
        return False
    if float(getattr(query, "boost", 1.0)) != 1.0 or _span_field(query) is None:
        return False
    return all(_side_words(q) for q in query.qs)


def _side_words(query: wq.Query) -> tuple[str, ...]:
    """The words of a NEAR's side: a plain Term's, or a SpanOr of plain Terms' (else none)."""
    terms = query.subqs if isinstance(query, spans.SpanOr) else [query]
    if not all(type(t) is wq.Term and t.boost == 1.0 for t in terms):
        return ()
    return tuple(str(t.text) for t in terms)


def _span_terms(query: wq.Query) -> list[wq.Term]:
    """Every Term of a span query, through its SpanOr and SpanNear2 parts."""
    if isinstance(query, wq.Term):
        return [query]
    if isinstance(query, spans.SpanOr):
        return [t for q in query.subqs for t in _span_terms(q)]
    if isinstance(query, spans.SpanNear2):
        return [t for q in query.qs for t in _span_terms(q)]
    return [q for q in query.leaves() if isinstance(q, wq.Term)]


def _span_field(query: wq.Query) -> str | None:
    """The one field of a span query of Terms, SpanOrs and SpanNear2s (else None)."""
    if isinstance(query, wq.Term):
        return str(query.fieldname) if type(query) is wq.Term else None
    if isinstance(query, spans.SpanOr):
        parts = query.subqs
    elif isinstance(query, spans.SpanNear2):
        parts = query.qs
    else:
        return None
    fields = {_span_field(q) for q in parts}
    return fields.pop() if len(fields) == 1 and parts else None


def _in_field(query: wq.Query, fieldname: str) -> wq.Query:
    """The same span query of Terms, SpanOrs and SpanNear2s, on another field."""
    if isinstance(query, spans.SpanOr):
        return spans.SpanOr([_in_field(q, fieldname) for q in query.subqs])
    if isinstance(query, spans.SpanNear2):
        return spans.SpanNear2(
            [_in_field(q, fieldname) for q in query.qs],
            slop=query.slop,
            ordered=query.ordered,
            mindist=query.mindist,
        )
    return wq.Term(fieldname, query.text, boost=query.boost)


def _phrase_starts(keys: list[IntArray]) -> IntArray:
    """Return the documents (sorted) where the words' positions run consecutively.

    Keys come sorted (documents in order, positions in order within each). The phrase's
    possible starts come from its rarest word's keys, and each other word, the rarer
    first, keeps those it follows: so the fewest keys are looked up in the most. A start
    before position 0 wraps into an impossible key (a position of 2**32 - k) and matches
    nothing; membership is a binary search, and the documents are distinct where they change.
    """
    order = sorted(range(len(keys)), key=lambda i: len(keys[i]))
    first = order[0]
    starts = keys[first] - first
    for step in order[1:]:
        following = keys[step]
        starts = starts[_members(following, starts + step)] if len(following) else starts[:0]
    docs = starts >> _POSITION_BITS
    return docs[np.r_[True, docs[1:] != docs[:-1]]] if len(docs) else docs


def _members_at(docs: IntArray, found: IntArray) -> IntArray:
    """Return where each of found (a subset of docs, both sorted) sits in docs."""
    return np.searchsorted(docs, found)


def _members(wanted: IntArray, ids: IntArray) -> BoolArray:
    """Tell which ids are in wanted (both sorted)."""
    index = np.minimum(np.searchsorted(wanted, ids), len(wanted) - 1)
    return wanted[index] == ids  # type: ignore[no-any-return]


def _length_bytes(reader: Any, fieldname: str, count: int) -> npt.NDArray[np.uint8]:
    """Read a segment's stored field-length bytes in one go (0 where a document has none)."""
    out = np.zeros(count, dtype=np.uint8)
    try:
        column = reader._perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
        if column is None:
            return out
        stored = min(int(column._count), count)
        raw = column._dbfile.get(column._basepos, stored * column._fixedlen)
        out[:stored] = np.frombuffer(raw, dtype=np.uint8)
    except AttributeError:  # another codec: ask document by document
        for docnum in range(count):
            length = reader.doc_field_length(docnum, fieldname, 0)
            out[docnum] = _byte_for(length or 0)
    return out


def _byte_for(length: int) -> int:
    return int(np.searchsorted(_LENGTHS, length))


def evaluate(gen: Generation, searcher: Any, query: wq.Query) -> Scored:
    """Return the query's matching set (live documents only) and its scores."""
    return Engine(gen, searcher).run(query)
