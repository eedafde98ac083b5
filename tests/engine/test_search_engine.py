"""The numpy engine against Whoosh itself: the same matches and the same BM25F scores."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from whoosh import index as whoosh_index
from whoosh import query as wq
from whoosh.query import spans

from indexer.engine.whoosh.evaluate import _phrase_starts, evaluate
from indexer.engine.whoosh.files import INDEX_NAME
from indexer.engine.whoosh.schema import (
    POSITION_PARTS,
    SCHEMA,
    STEMMED_SIBLINGS,
    pair_terms,
    to_documents,
)
from indexer.read.parse import parse_file
from search_app.search import service as search
from tests.conftest import add_segment, delete_and_commit
from tests.helpers import no_synonyms


def T(field: str, text: str) -> wq.Term:
    return wq.Term(field, text)


QUERIES: list[tuple[str, wq.Query]] = [
    ("one word", T("text", "acupunctur")),
    ("two words", wq.And([T("text", "physic"), T("text", "therapi")])),
    ("or", wq.Or([T("text", "tramadol"), T("text", "gabapentin"), T("text", "unknownword")])),
    ("and not", wq.AndNot(T("text", "knee"), T("text", "surgeri"))),
    ("field word", T("rationale", "function")),
    ("facet term", T("outcome", "Overturned")),
    ("boosted", wq.Or([wq.Term("treatment", "mri", boost=3.0), T("rationale", "mri")])),
    ("pair phrase", wq.Phrase("text_exact", ["functional", "improvement"])),
    ("long phrase", wq.Phrase("text_exact", ["return", "to", "work"])),
    ("phrase, no pairs", wq.Phrase("rationale_exact", ["medically", "necessary"])),
    (
        "phrase and word",
        wq.And([wq.Phrase("text_exact", ["physical", "therapy"]), T("text", "lumbar")]),
    ),
    ("near", spans.SpanNear2([T("text_exact", "pain"), T("text_exact", "management")], slop=2)),
    (
        "near, unordered",
        spans.SpanNear2([T("text_exact", "therapy"), T("text_exact", "physical")], 3, False),
    ),
    ("near, wide", spans.SpanNear2([T("text_exact", "knee"), T("text_exact", "pain")], slop=40)),
    ("near, one word twice", spans.SpanNear2([T("text_exact", "the"), T("text_exact", "the")], 4)),
    ("near, three words", spans.SpanNear2([T("text_exact", w) for w in ("low", "back", "pain")])),
    (
        "near, no pairs",
        spans.SpanNear2([T("rationale_exact", "functional"), T("rationale_exact", "improvement")]),
    ),
    ("long phrase, no pairs", wq.Phrase("rationale_exact", ["return", "to", "work"])),
    ("near, a stop word", spans.SpanNear2([T("text_exact", "to"), T("text_exact", "work")], 2)),
    (
        "near, word forms",
        spans.SpanNear2(
            [
                spans.SpanOr([T("text_exact", w) for w in ("opioid", "opioids")]),
                spans.SpanOr([T("text_exact", w) for w in ("taper", "tapering", "tapered")]),
            ],
            slop=5,
            ordered=False,
        ),
    ),
    (
        "near, a word and forms, ordered",
        spans.SpanNear2(
            [
                T("text_exact", "physical"),
                spans.SpanOr([T("text_exact", "therapy"), T("text_exact", "therapies")]),
            ],
            slop=3,
        ),
    ),
    (
        "near, a phrase",
        spans.SpanNear2(
            [
                spans.SpanNear2([T("text_exact", "physical"), T("text_exact", "therapy")]),
                T("text_exact", "lumbar"),
            ],
            slop=10,
            ordered=False,
        ),
    ),
    ("missing field", T("nosuchfield", "x")),
    ("no match", wq.Phrase("text_exact", ["zzz", "qqq"])),
]


def span_field(query: wq.Query) -> str:
    """The field of a span query's first word."""
    while not isinstance(query, wq.Term):
        query = query.subqs[0] if isinstance(query, spans.SpanOr) else query.qs[0]
    return str(query.fieldname)


def on_field(query: wq.Query, part: str) -> wq.Query:
    """A NEAR of words and ORs of words (SpanOr), on another field."""
    if isinstance(query, spans.SpanOr):
        return spans.SpanOr([on_field(q, part) for q in query.subqs])
    if isinstance(query, spans.SpanNear2):
        subqueries = [on_field(q, part) for q in query.qs]
        return spans.SpanNear2(subqueries, query.slop, query.ordered, query.mindist)
    return T(part, query.text)


def by_pairs(query: wq.Query) -> wq.Query:
    """Whoosh's query for our scores: a catch-all phrase scores as its word pairs."""
    if isinstance(query, wq.Phrase) and query.fieldname == "text_exact":
        return wq.And([wq.Term("text_pairs", t) for t in pair_terms(list(query.words))])
    if isinstance(query, wq.And | wq.Or):
        return type(query)([by_pairs(q) for q in query.subqueries])
    return query


def in_parts(query: wq.Query, phrases: bool = True) -> wq.Query:
    """Whoosh's query for our matches: the catch-all keeps no positions (POSITION_PARTS).

    A NEAR there is a NEAR in any of its parts; a phrase of two words is its pair, a longer
    one (unless not phrases) the phrase in any of its parts.
    """
    if isinstance(query, wq.Phrase) and query.fieldname in POSITION_PARTS and phrases:
        words = list(query.words)
        if len(words) == 2:
            return wq.Term("text_pairs", pair_terms(words)[0])
        return wq.Or([wq.Phrase(part, words) for part in POSITION_PARTS[query.fieldname]])
    if isinstance(query, spans.SpanNear2) and span_field(query) in POSITION_PARTS:
        return wq.Or([on_field(query, part) for part in POSITION_PARTS[span_field(query)]])
    if isinstance(query, wq.And | wq.Or):
        return type(query)([in_parts(q, phrases) for q in query.subqueries])
    return query


def compare(index_dir: Path, query: wq.Query) -> None:
    """Assert the engine matches exactly Whoosh's documents, with Whoosh's scores.

    The matches are those of in_parts(query). The scores are those of the same query with
    catch-all phrases as their word pairs and catch-all NEARs as NEARs in its parts.
    """
    index = search.open_index(index_dir, expand=no_synonyms, check_seconds=0, cache_size=0)
    try:
        with index.searcher() as searcher:
            scored = evaluate(index.generation, searcher, query)
            matched = set(searcher.docs_for_query(in_parts(query)))
            assert sorted(np.flatnonzero(scored.mask).tolist()) == sorted(matched)
            results = searcher.search(by_pairs(in_parts(query, phrases=False)), limit=None)
            expected = {h.docnum: float(h.score or 0.0) for h in results if h.docnum in matched}
            assert set(expected) == matched
            for docnum, score in expected.items():
                assert scored.scores[docnum] == pytest.approx(score, rel=1e-6), docnum
    finally:
        index.close()


@pytest.mark.parametrize(("name", "query"), QUERIES, ids=[name for name, _ in QUERIES])
def test_engine_equals_whoosh_on_the_corpus(corpus_index: Path, name: str, query: Any) -> None:
    compare(corpus_index, query)


def test_prefix_matches_as_whoosh_with_a_constant_score(corpus_index: Path) -> None:
    query = wq.Prefix("text_exact", "acupunct")
    index = search.open_index(corpus_index, expand=no_synonyms, check_seconds=0, cache_size=0)
    try:
        with index.searcher() as searcher:
            scored = evaluate(index.generation, searcher, query)
            assert set(np.flatnonzero(scored.mask).tolist()) == set(searcher.docs_for_query(query))
            assert set(scored.scores[scored.mask].tolist()) == {1.0}
    finally:
        index.close()


def test_exact_fields_and_their_stemmed_siblings_get_the_same_text(corpus_dir: Path) -> None:
    """The engine takes phrase and NEAR candidates from the sibling's stems: same value."""
    letter = parse_file(sorted((corpus_dir / "letters").glob("*.pdf"))[0])
    for doc in to_documents(letter):
        for exact, stemmed in STEMMED_SIBLINGS.items():
            positional = SCHEMA[exact].format.supports("positions")
            assert positional == (exact not in POSITION_PARTS)
            assert not SCHEMA[stemmed].format.supports("positions")
            assert doc[exact] == doc[stemmed] != ""
    for parts in POSITION_PARTS.values():
        assert all(SCHEMA[part].format.supports("positions") for part in parts)


@pytest.fixture(scope="module")
def segmented_index(corpus_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three unmerged segments of the corpus letters, and a deleted document."""
    index_dir = tmp_path_factory.mktemp("segments")
    letters = [parse_file(path) for path in sorted((corpus_dir / "letters").glob("*.pdf"))]
    ix = whoosh_index.create_in(str(index_dir), SCHEMA, indexname=INDEX_NAME)
    for part in (letters[0::3], letters[1::3], letters[2::3]):
        add_segment(ix, (doc for letter in part for doc in to_documents(letter)))
    with ix.searcher() as searcher:
        victim = searcher.stored_fields(1)["doc_id"]
    delete_and_commit(ix, "doc_id", victim)
    with ix.reader() as reader:
        assert len(list(reader.leaf_readers())) == 3 and reader.has_deletions()
    return index_dir


@pytest.mark.parametrize(("name", "query"), QUERIES, ids=[name for name, _ in QUERIES])
def test_engine_equals_whoosh_over_segments_and_deletions(
    segmented_index: Path, name: str, query: Any
) -> None:
    compare(segmented_index, query)


@pytest.fixture()
def tiny_index(tmp_path: Path) -> Path:
    """Hand-made decisions: a phrase's pairs present but apart, single postings (inlined)."""
    texts = {
        "apart#0": "a home exercise plan and an exercise program",
        "together#0": "continue the home exercise program daily",
        "twice#0": "home exercise program, then home exercise program again",
        "other#0": "a program of exercise at home",
        "inflected#0": "plans nightly",  # the stem "plan", not the word
    }
    return hand_made(tmp_path, {doc_id: ("", text) for doc_id, text in texts.items()})


def hand_made(index_dir: Path, parts: dict[str, tuple[str, str]]) -> Path:
    """An index of doc id -> (treatment, rationale), each part and the catch-all written as
    to_documents writes them (an empty treatment left out)."""
    ix = whoosh_index.create_in(str(index_dir), SCHEMA, indexname=INDEX_NAME)
    writer = ix.writer()
    for doc_id, (treatment, rationale) in parts.items():
        text = f"{treatment}\n{rationale}" if treatment else rationale
        fields = {"treatment": treatment, "treatment_exact": treatment} if treatment else {}
        writer.add_document(
            doc_id=doc_id,
            rationale=rationale,
            rationale_exact=rationale,
            text=text,
            text_exact=text,
            text_pairs=text,
            **fields,
        )
    writer.commit()
    return index_dir


def found_ids(index_dir: Path, query: wq.Query) -> set[str]:
    """The doc ids the engine matches."""
    index = search.open_index(index_dir, expand=no_synonyms, check_seconds=0, cache_size=0)
    try:
        with index.searcher() as searcher:
            scored = evaluate(index.generation, searcher, query)
            return {searcher.stored_fields(d)["doc_id"] for d in np.flatnonzero(scored.mask)}
    finally:
        index.close()


def test_a_phrase_needs_its_words_in_a_row_not_just_its_pairs(tiny_index: Path) -> None:
    query = wq.Phrase("text_exact", ["home", "exercise", "program"])
    compare(tiny_index, query)
    assert found_ids(tiny_index, query) == {"together#0", "twice#0"}


def test_phrase_starts_from_any_word_and_never_across_documents() -> None:
    def keys(*pairs: tuple[int, int]) -> np.ndarray:
        return np.array([(doc << 32) | spot for doc, spot in pairs], dtype=np.int64)

    # "a b c": doc 1 has it at 7; doc 0 ends with "a b" and doc 2 starts with "c" (the
    # rarest word, at position 0: its phrase would start at -2, in no document).
    a = keys((0, 98), (1, 7), (2, 3))
    b = keys((0, 99), (1, 8), (2, 9))
    c = keys((1, 9), (2, 0))
    assert _phrase_starts([a, b, c]).tolist() == [1]
    assert _phrase_starts([c, a]).tolist() == []  # "c a": never in a row
    assert _phrase_starts([b, c]).tolist() == [1]
    assert _phrase_starts([a, b, c[:0]]).tolist() == []


def test_catch_all_phrases_and_near_stay_within_one_part(tmp_path: Path) -> None:
    """Words on either side of the seam between the treatment and the rationale are not a
    phrase, nor near each other, though the catch-all holds them one after the other."""
    index_dir = hand_made(
        tmp_path,
        {
            "seam#0": ("home exercise", "program daily"),
            "inside#0": ("a request", "a home exercise program daily"),
        },
    )
    phrase = wq.Phrase("text_exact", ["home", "exercise", "program"])
    near = spans.SpanNear2([T("text_exact", w) for w in ("exercise", "daily")], 3, False)
    assert found_ids(index_dir, phrase) == found_ids(index_dir, near) == {"inside#0"}
    compare(index_dir, phrase)
    compare(index_dir, near)


@pytest.mark.parametrize(
    "words", [["exercise", "program"], ["exercise", "at", "home"], ["plan", "and", "an"]]
)
def test_tiny_phrases_equal_whoosh(tiny_index: Path, words: list[str]) -> None:
    compare(tiny_index, wq.Phrase("text_exact", words))


def test_similar_ranks_as_whoosh_would(corpus_index: Path) -> None:
    from search_app.search.similar import SIMILAR_TERMS, key_terms, similar

    index = search.open_index(corpus_index, expand=no_synonyms, check_seconds=0, cache_size=0)
    try:
        with index.snapshot() as snap, index.searcher() as searcher:
            stored = searcher.stored_fields(3)
            treatment = key_terms(snap, stored["treatment"], "treatment", SIMILAR_TERMS)
            rationale = key_terms(snap, stored["rationale"], "rationale", SIMILAR_TERMS)
            clauses = [wq.Term("treatment", t, boost=2.0 * w) for t, w in treatment]
            clauses += [wq.Term("rationale", t, boost=w) for t, w in rationale]
            results = searcher.search(wq.Or(clauses), limit=10, mask={3})
            expected = [(hit["doc_id"], round(float(hit.score or 0.0), 6)) for hit in results]
        letter_id, _, decision = str(stored["doc_id"]).rpartition("#")
        hits = similar(index, letter_id, int(decision), limit=10)
        got = [(f"{h.letter_id}#{h.decision_index}", round(h.score, 6)) for h in hits]
        # 10 on the real letters; the stand-in's rarest words are shared by fewer decisions.
        assert got == expected and len(got) >= 5
    finally:
        index.close()


@pytest.mark.parametrize("sort", ["relevance", "newest", "oldest"])
def test_export_hits_follow_the_pages_without_snippets(corpus_index: Path, sort: str) -> None:
    index = search.open_index(corpus_index, expand=no_synonyms, check_seconds=0, cache_size=0)
    try:
        pairs = [("q", "therapy"), ("sort", sort), ("per_page", "10")]
        pages = [
            search.run_search(index, search.parse_request([*pairs, ("page", str(n))]))
            for n in (1, 2, 3)
        ]
        paged = [(h.letter_id, h.decision_index, h.score) for p in pages for h in p.hits]
        total, hits = search.export_hits(index, search.parse_request(pairs), 25)
        exported = list(hits)
        assert total == pages[0].total > 25
        assert [(h.letter_id, h.decision_index, h.score) for h in exported] == paged[:25]
        assert all(h.snippet == "" for h in exported)
    finally:
        index.close()


def test_a_query_on_an_empty_index_finds_nothing(tmp_path: Path) -> None:
    whoosh_index.create_in(str(tmp_path), SCHEMA, indexname=INDEX_NAME)
    index = search.open_index(tmp_path, expand=no_synonyms, check_seconds=0, cache_size=0)
    try:
        page = search.run_search(index, search.parse_request([("q", '"home exercise" knee')]))
        assert page.total == 0 and page.hits == ()
    finally:
        index.close()


NEARS = [
    (["home", "program"], 1, True),
    (["home", "program"], 2, True),
    (["program", "home"], 2, True),
    (["program", "home"], 2, False),
    (["exercise", "exercise"], 3, False),
    (["exercise", "exercise"], 1, True),
    (["plan", "program"], 4, False),
    (["a", "home"], 6, False),
    (["continue", "program"], 4, True),  # "continue" is stemmed "continu"
    (["nightly", "plan"], 2, False),  # a candidate by stems, without the word "plan"
]


@pytest.mark.parametrize(("words", "slop", "ordered"), NEARS)
def test_tiny_near_equals_whoosh(
    tiny_index: Path, words: list[str], slop: int, ordered: bool
) -> None:
    compare(tiny_index, spans.SpanNear2([T("text_exact", w) for w in words], slop, ordered))


def test_byte_cache_keeps_the_most_recent_within_its_limit() -> None:
    from indexer.engine.caches import ByteCache

    cache = ByteCache(100)
    cache.put("a", 1, 40)
    cache.put("b", 2, 40)
    assert cache.get("a") == 1  # now the most recent
    cache.put("c", 3, 40)  # drops b, the least recently used
    assert (cache.get("a"), cache.get("b"), cache.get("c")) == (1, None, 3)
    assert cache.used == 80
    cache.put("huge", 4, 101)  # bigger than the whole cache: not kept
    assert cache.get("huge") is None and len(cache) == 2
    assert ByteCache(0).get("x") is None


def test_cached_postings_give_the_same_answers(corpus_index: Path) -> None:
    cold = search.open_index(corpus_index, expand=no_synonyms, cache_size=0, postings_mb=0)
    warm = search.open_index(corpus_index, expand=no_synonyms, cache_size=0, postings_mb=8)
    try:
        for _ in range(2):  # the second round reads the warm index's postings from memory
            for _, query in QUERIES:
                with cold.searcher() as a, warm.searcher() as b:
                    one = evaluate(cold.generation, a, query)
                    two = evaluate(warm.generation, b, query)
                assert np.array_equal(one.mask, two.mask)
                assert np.array_equal(one.scores[one.mask], two.scores[two.mask])
        assert len(warm.generation.postings) > 0 and len(cold.generation.postings) == 0
        assert warm.generation.postings.used <= 8 * 2**20
    finally:
        cold.close()
        warm.close()
