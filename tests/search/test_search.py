"""run_search and friends: a hand-made index for behaviours, the corpus for exact counts."""

from __future__ import annotations

import re
import threading
from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from whoosh import index as whoosh_index

from indexer.engine.whoosh.compile import Highlights
from indexer.engine.whoosh.schema import EXACT, SCHEMA, STEMMED, to_documents
from indexer.fields import FACETS, split_values
from indexer.letter import Decision, Layout, Letter, Outcome
from search_app.search import service as search
from search_app.search.models import MAX_PAGE, BadRequest, SearchPage, SearchRequest
from search_app.search.service import parse_request, run_search
from search_app.search.snippets import make_highlighter, snippet
from tests.conftest import add_segment
from tests.helpers import no_synonyms

SYNONYMS = [
    frozenset({"gabapentin", "neurontin"}),
    frozenset({"tens", "transcutaneous electrical nerve stimulation"}),
]


def fake_expand(term: str) -> frozenset[str]:
    for group in SYNONYMS:
        if term.lower() in group:
            return group
    return frozenset({term})


def make_letter(number: int, items: list[Decision], decided: date | None, **kw: object) -> Letter:
    fields: dict[str, object] = {
        "source": Path(f"letter{number}.txt"),
        "layout": Layout.CURRENT,
        "case_number": f"CM16-{number:07d}",
        "date_assigned": None,
        "date_of_injury": date(2012, 1, number % 28 + 1),
        "decision_date": decided,
        "ur_denial_date": None,
        "application_received": None,
        "priority": "Standard",
        "age": 50,
        "sex": "Female",
        "reviewer_specialties": ("Orthopedic Surgery",),
        "reviewer_states": ("California",),
        "clinical_case_summary": "The injured worker has chronic low back pain after a fall.",
        "decisions": tuple(items),
        "content_hash": f"{number:064x}",
    }
    fields.update(kw)
    return Letter(**fields)  # type: ignore[arg-type]


def item(
    treatment: str, outcome: Outcome, rationale: str, category: str, sub: str, **kw: object
) -> Decision:
    return Decision(treatment, outcome, "", "", rationale, category, sub, **kw)  # type: ignore[arg-type]


LETTERS = [
    make_letter(
        1,
        [
            item(
                "Neurontin 600mg #90",
                Outcome.UPHELD,
                "Gabapentin is recommended for neuropathic pain. "
                "There was no documented functional improvement.",
                "Pharmaceuticals",
                "Anti-epilepsy drugs",
                guideline_families=("MTUS Chronic Pain Medical Treatment Guidelines",),
                guideline_sources=("Antiepilepsy drugs (AEDs) for pain",),
            ),
            item(
                "TENS unit rental",
                Outcome.OVERTURNED,
                "A one-month trial of transcutaneous electrical nerve stimulation is reasonable.",
                "DMEPOS",
                "Electrical Stimulation",
                body_regions=("Lumbar/Low back",),
            ),
        ],
        date(2016, 3, 1),
    ),
    make_letter(
        2,
        [
            item(
                "Physical therapy 12 sessions",
                Outcome.OVERTURNED,
                "The patient should return to work "
                "after therapy. <script>alert(1)</script> Injections were not helpful.",
                "Rehabilitation",
                "PT/OT",
            )
        ],
        date(2015, 7, 9),
        reviewer_states=("California", "Nevada"),
    ),
    make_letter(
        3,
        [
            item(
                "Lumbar epidural steroid injection",
                Outcome.UPHELD,
                "Work restrictions continue; the "
                "return of pain after the prior injection argues against repeating it.",
                "Injection",
                "Injection",
                body_regions=("Lumbar/Low back",),
            )
        ],
        None,
        reviewer_specialties=("Anesthesiology", "Pain Medicine"),
    ),
]


def write_index(path: Path, letters: list[Letter]) -> None:
    ix = (
        whoosh_index.create_in(str(path), SCHEMA)
        if not whoosh_index.exists_in(str(path))
        else whoosh_index.open_dir(str(path))
    )
    writer = ix.writer()
    for letter in letters:
        for doc in to_documents(letter):
            writer.update_document(**doc)
    writer.commit()


@pytest.fixture()
def small(tmp_path: Path) -> Iterator[search.Index]:
    write_index(tmp_path, LETTERS)
    index = search.open_index(tmp_path, expand=fake_expand, check_seconds=0)
    yield index
    index.close()


def ids(page: SearchPage) -> set[str]:
    return {f"{h.letter_id}#{h.decision_index}" for h in page.hits}


def find(index: search.Index, q: str, **params: str) -> SearchPage:
    return run_search(index, parse_request([("q", q), *params.items()]))


# ---- hand-made index -------------------------------------------------------------------


def test_brand_name_finds_generic_and_marks_it(small: search.Index) -> None:
    page = find(small, "neurontin")
    assert ids(page) == {"CM16-0000001#0"}
    assert "<mark>Gabapentin</mark>" in page.hits[0].snippet


def test_abbreviation_expands_to_phrase(small: search.Index) -> None:
    page = find(small, "TENS")
    assert ids(page) == {"CM16-0000001#1"}
    assert "<mark>transcutaneous electrical nerve stimulation</mark>" in page.hits[0].snippet


def test_stemmed_word_matches_forms(small: search.Index) -> None:
    page = find(small, "injections")
    assert ids(page) == {"CM16-0000002#0", "CM16-0000003#0"}


def test_phrase_is_exact_and_keeps_stop_words(small: search.Index) -> None:
    assert ids(find(small, '"return to work"')) == {"CM16-0000002#0"}
    # "return of pain ... work" has both words but not the phrase
    assert ids(find(small, "return work")) == {"CM16-0000002#0", "CM16-0000003#0"}


def test_letter_text_script_is_escaped(small: search.Index) -> None:
    page = find(small, "helpful")
    snippet = str(page.hits[0].snippet)
    assert "<script>" not in snippet
    assert "&lt;script&gt;" in snippet
    assert "<mark>helpful</mark>" in snippet


def test_mark_texts_marks_as_snippets_do(small: search.Index) -> None:
    forms, phrase, brand = search.mark_texts(
        small,
        'injection "return to work" neurontin',
        ["<b>Injections</b> & injected", "may Return\nto work; returns", "Gabapentin 600mg"],
    )
    assert str(forms) == "&lt;b&gt;<mark>Injections</mark>&lt;/b&gt; &amp; <mark>injected</mark>"
    assert str(phrase) == "may <mark>Return\nto work</mark>; returns"
    assert str(brand) == "<mark>Gabapentin</mark> 600mg"
    (plain,) = search.mark_texts(small, "", ["<i>as is</i>"])
    assert str(plain) == "&lt;i&gt;as is&lt;/i&gt;"


def test_query_script_is_not_echoed_raw(small: search.Index) -> None:
    page = find(small, "<script>alert(1)</script>")
    for hit in page.hits:
        assert "<script>" not in str(hit.snippet)


def test_disjunctive_counts(small: search.Index) -> None:
    page = run_search(small, parse_request([("outcome", "Upheld"), ("state", "California")]))
    counts = {f.value: f.count for f in page.facets["outcome"]}
    assert counts == {"Upheld": 2, "Overturned": 2}  # outcome's own filter ignored
    assert page.total == 2
    states = {f.value: f.count for f in page.facets["state"]}
    assert states == {"California": 2}


def test_values_of_one_facet_are_ored(small: search.Index) -> None:
    page = run_search(small, parse_request([("category", "Injection"), ("category", "DMEPOS")]))
    assert ids(page) == {"CM16-0000001#1", "CM16-0000003#0"}


def test_unknown_facet_value_matches_nothing(small: search.Index) -> None:
    page = run_search(small, parse_request([("category", "Nope")]))
    assert page.total == 0
    assert [(f.value, f.count, f.selected) for f in page.facets["category"] if f.selected] == [
        ("Nope", 0, True)
    ]


def test_hierarchy_parents(small: search.Index) -> None:
    page = run_search(small, SearchRequest())
    subs = {f.value: f.parent for f in page.facets["subcategory"]}
    assert subs["Pharmaceuticals > Anti-epilepsy drugs"] == "Pharmaceuticals"
    sources = {f.value: f.parent for f in page.facets["guideline_source"]}
    assert sources == {
        "Antiepilepsy drugs (AEDs) for pain": "MTUS Chronic Pain Medical Treatment Guidelines"
    }


def test_sorts(small: search.Index) -> None:
    newest = run_search(small, SearchRequest(sort="newest"))
    assert [h.decision_date for h in newest.hits] == [
        date(2016, 3, 1),
        date(2016, 3, 1),
        date(2015, 7, 9),
        None,
    ]
    oldest = run_search(small, SearchRequest(sort="oldest"))
    assert [h.decision_date for h in oldest.hits][:2] == [date(2015, 7, 9), date(2016, 3, 1)]


def test_date_ranges(small: search.Index) -> None:
    page = run_search(small, parse_request([("decided_from", "2016-01-01")]))
    assert {h.letter_id for h in page.hits} == {"CM16-0000001"}
    page = run_search(small, parse_request([("decided_to", "2015-12-31")]))
    assert {h.letter_id for h in page.hits} == {"CM16-0000002"}
    page = run_search(
        small, parse_request([("injured_from", "2012-01-03"), ("injured_to", "2012-01-04")])
    )
    assert {h.letter_id for h in page.hits} == {"CM16-0000002", "CM16-0000003"}


def test_paging(small: search.Index) -> None:
    first = run_search(small, SearchRequest(per_page=3))
    second = run_search(small, SearchRequest(per_page=3, page=2))
    assert first.total == second.total == 4
    assert len(first.hits) == 3 and len(second.hits) == 1
    assert run_search(small, SearchRequest(page=9)).hits == ()


def test_malformed_query_runs_with_notice(small: search.Index) -> None:
    page = find(small, '("return to work')
    assert ids(page) == {"CM16-0000002#0"}
    assert page.notice and "quote" in page.notice and "'('" in page.notice


def test_facet_in_query(small: search.Index) -> None:
    assert ids(find(small, "subcategory:injection")) == {"CM16-0000003#0"}
    assert ids(find(small, "case:cm16-0000002")) == {"CM16-0000002#0"}
    assert ids(find(small, 'specialty:"pain medicine"')) == {"CM16-0000003#0"}


def test_refresh_sees_a_new_commit(small: search.Index) -> None:
    extra = make_letter(
        4,
        [
            item(
                "Knee MRI",
                Outcome.UPHELD,
                "Imaging is indicated.",
                "Diagnostic Testing",
                "Imaging/Radiology",
            )
        ],
        date(2017, 1, 1),
    )
    assert find(small, "imaging").total == 0
    write_index(small.path, [extra])
    assert find(small, "imaging").total == 1


def _in_new_thread(index: search.Index, q: str) -> int:
    """Search from a thread of its own, which opens a searcher of the current generation."""
    found: list[int | BaseException] = []

    def run() -> None:
        try:
            found.append(find(index, q).total)
        except BaseException as error:  # noqa: BLE001 - handed back to the test
            found.append(error)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if isinstance(found[0], BaseException):
        raise found[0]
    return found[0]


MRI = item(
    "Knee MRI", Outcome.UPHELD, "Imaging is indicated.", "Diagnostic Testing", "Imaging/Radiology"
)


def test_a_generation_searches_the_version_it_opened(tmp_path: Path) -> None:
    """A searcher opened after a commit still numbers the documents its generation's arrays
    describe; the next check moves on to the new commit."""
    write_index(tmp_path, LETTERS)
    index = search.open_index(tmp_path, expand=fake_expand, check_seconds=3600)
    size = index.generation.size
    ix = whoosh_index.open_dir(str(tmp_path))
    add_segment(ix, to_documents(make_letter(4, [MRI], date(2017, 1, 1))))
    assert _in_new_thread(index, "imaging") == 0
    assert _in_new_thread(index, "injection") == find(index, "injection").total > 0
    assert index.generation.size == size
    assert index.refresh()
    assert _in_new_thread(index, "imaging") == 1
    index.close()


def test_a_generation_whose_segments_were_merged_away_moves_to_the_newest(
    tmp_path: Path,
) -> None:
    write_index(tmp_path, LETTERS)
    index = search.open_index(tmp_path, expand=fake_expand, check_seconds=3600)
    before = {p.name for p in tmp_path.glob("*.seg")}
    write_index(tmp_path, [make_letter(4, [MRI], date(2017, 1, 1))])
    whoosh_index.open_dir(str(tmp_path)).optimize()
    assert not before & {p.name for p in tmp_path.glob("*.seg")}, "the old segment is still there"
    assert _in_new_thread(index, "imaging") == 1
    index.close()


def test_get_letter(small: search.Index) -> None:
    letter = search.get_letter(small, "CM16-0000002")
    assert letter is not None and letter.reviewer_states == ("California", "Nevada")
    assert search.get_letter(small, "CM00-0000000") is None


def test_similar_excludes_itself(small: search.Index) -> None:
    hits = search.similar(small, "CM16-0000003", 0)
    assert all((h.letter_id, h.decision_index) != ("CM16-0000003", 0) for h in hits)
    with pytest.raises(search.UnknownDecision):
        search.similar(small, "CM16-0000003", 5)


def test_like_my_case(small: search.Index) -> None:
    page = search.like_my_case(small, "Request for lumbar epidural steroid injection was denied.")
    assert page.hits[0].letter_id == "CM16-0000003"
    assert page.notice and "key terms" in page.notice
    with pytest.raises(BadRequest):
        search.like_my_case(small, "   ")
    with pytest.raises(BadRequest):
        search.like_my_case(small, "word " * 6000)


def test_key_terms_leave_out_stems_too_common_to_tell_decisions_apart(
    corpus: search.Index, monkeypatch: pytest.MonkeyPatch
) -> None:
    from search_app.search import similar as search_more

    with corpus.snapshot() as snap:
        total = snap.doc_count()
        common = [
            stem
            for stem in ("medic", "treatment", "request", "patient")
            if snap.doc_frequency(stem) > total * search_more.MAX_DF_SHARE
        ]
        assert common  # the corpus has such stems
        # A stem rare enough to keep: acupuncture in the real letters; the synthetic stand-in
        # (tests/conftest.py) cites the acupuncture guidelines too often, so a later one there.
        word, rare = next(
            (word, stem)
            for word, stem in (("acupuncture", "acupunctur"), ("laminectomy", "laminectomi"))
            if 0 < snap.doc_frequency(stem) <= total * search_more.MAX_DF_SHARE
        )
        text = " ".join(common) + " " + word
        kept = {t for t, _ in search_more.key_terms(snap, text, None, 30)}
        assert rare in kept and not kept & set(common)
        monkeypatch.setattr(search_more, "MAX_DF_SHARE", 1.0)
        kept = {t for t, _ in search_more.key_terms(snap, text, None, 30)}
        assert set(common) <= kept


def test_suggest_misspelled_word(tmp_path: Path) -> None:
    letters = [
        make_letter(
            n,
            [item("Gabapentin", Outcome.UPHELD, "Gabapentin helps.", "Pharmaceuticals", "x")],
            None,
        )
        for n in range(1, 6)
    ]
    write_index(tmp_path, letters)
    index = search.open_index(tmp_path, expand=no_synonyms, check_seconds=0)
    assert search.suggest(index, "gabapentn") == "gabapentin"
    page = find(index, "gabapentn")
    assert page.suggestion == "gabapentin"
    assert search.suggest(index, "gabapentin") is None


def test_open_index_missing(tmp_path: Path) -> None:
    with pytest.raises(search.IndexMissing, match="imr-index build"):
        search.open_index(tmp_path / "nowhere", expand=no_synonyms)
    with pytest.raises(search.IndexMissing):
        search.open_index(tmp_path, expand=no_synonyms)


@pytest.mark.parametrize(
    ("pairs", "message"),
    [
        ([("page", "x")], "page must be a whole number"),
        ([("page", "0")], "between 1"),
        ([("page", str(MAX_PAGE + 1))], "between 1"),
        ([("per_page", "1000")], "per_page"),
        ([("decided_from", "2016-13-01")], "YYYY-MM-DD"),
        ([("decided_from", "2017-01-01"), ("decided_to", "2016-01-01")], "after"),
        ([("sort", "random")], "sort must be"),
        ([("q", "x" * 401)], "limit is 400"),
    ],
)
def test_parse_request_rejects(pairs: list[tuple[str, str]], message: str) -> None:
    with pytest.raises(BadRequest, match=message):
        parse_request(pairs)


def test_parse_request_values() -> None:
    req = parse_request(
        [
            ("q", "  knee   mri "),
            ("state", "Nevada"),
            ("state", "Ohio"),
            ("state", ""),
            ("page", "2"),
            ("unknown", "x"),
            ("sort", "newest"),
        ]
    )
    assert req.query == "knee mri"
    assert req.selected("state") == ("Nevada", "Ohio")
    assert (req.page, req.sort) == (2, "newest")


# ---- the corpus, against a brute-force scan of the parsed letters ------------------------


@pytest.fixture(scope="module")
def corpus_docs(corpus_dir: Path) -> dict[str, dict[str, object]]:
    from indexer.read.parse import iter_letter_files, parse_file

    docs: dict[str, dict[str, object]] = {}
    for path in iter_letter_files([corpus_dir]):
        for doc in to_documents(parse_file(path)):
            docs[str(doc["doc_id"])] = doc
    return docs


@pytest.fixture(scope="module")
def corpus(corpus_index: Path) -> Iterator[search.Index]:
    index = search.open_index(corpus_index, expand=no_synonyms, check_seconds=0)
    yield index
    index.close()


def all_ids(index: search.Index, pairs: list[tuple[str, str]]) -> tuple[int, set[str]]:
    found: set[str] = set()
    page_number = 1
    while True:
        page = run_search(
            index, parse_request([*pairs, ("per_page", "100"), ("page", str(page_number))])
        )
        found |= ids(page)
        if page_number >= page.page_count:
            return page.total, found
        page_number += 1


def exact_words(doc: dict[str, object]) -> list[str]:
    return [t.text for t in EXACT(str(doc["text"]))]


def stems(doc: dict[str, object]) -> set[str]:
    return {t.text for t in STEMMED(str(doc["text"]))}


def has_run(words: list[str], run: list[str]) -> bool:
    size = len(run)
    return any(words[i : i + size] == run for i in range(len(words) - size + 1))


def doc_values(doc: dict[str, object], facet: str) -> tuple[str, ...]:
    return split_values(str(doc.get(facet, "")))


def test_corpus_browse_total_and_counts(
    corpus: search.Index, corpus_docs: dict[str, dict[str, object]]
) -> None:
    total, found = all_ids(corpus, [])
    assert total == len(corpus_docs)
    assert found == set(corpus_docs)
    page = run_search(corpus, SearchRequest())
    for facet in FACETS:
        expected = Counter(v for doc in corpus_docs.values() for v in doc_values(doc, facet))
        assert {f.value: f.count for f in page.facets[facet]} == dict(expected), facet


@pytest.mark.parametrize(
    "phrase",
    [
        "return to work",
        "not medically necessary",
        "functional improvement",
        "physical therapy",
        "the patient",
    ],
)
def test_corpus_phrase_matches_brute_force(
    corpus: search.Index, corpus_docs: dict[str, dict[str, object]], phrase: str
) -> None:
    run = phrase.split()
    expected = {key for key, doc in corpus_docs.items() if has_run(exact_words(doc), run)}
    total, found = all_ids(corpus, [("q", f'"{phrase}"')])
    assert found == expected
    assert total == len(expected)


@pytest.mark.parametrize(
    "words", ["injections", "opioids tapering", "knee", "guidelines recommend"]
)
def test_corpus_words_match_brute_force(
    corpus: search.Index, corpus_docs: dict[str, dict[str, object]], words: str
) -> None:
    wanted = [t.text for t in STEMMED(words)]
    expected = {key for key, doc in corpus_docs.items() if set(wanted) <= stems(doc)}
    assert all_ids(corpus, [("q", words)]) == (len(expected), expected)


def test_corpus_boolean_matches_brute_force(
    corpus: search.Index, corpus_docs: dict[str, dict[str, object]]
) -> None:
    knee, shoulder, surgery = ("knee",), ("shoulder",), ("surgeri",)
    expected = {
        key
        for key, doc in corpus_docs.items()
        if (set(knee) <= stems(doc) or set(shoulder) <= stems(doc))
        and not set(surgery) <= stems(doc)
    }
    assert all_ids(corpus, [("q", "(knee OR shoulder) -surgery")]) == (len(expected), expected)


def test_corpus_disjunctive_counts(
    corpus: search.Index, corpus_docs: dict[str, dict[str, object]]
) -> None:
    docs = list(corpus_docs.values())
    category = Counter(str(d.get("category", "")) for d in docs if d.get("category")).most_common(
        1
    )[0][0]
    page = run_search(corpus, parse_request([("category", category), ("outcome", "Upheld")]))
    both = [d for d in docs if d.get("category") == category and d["outcome"] == "Upheld"]
    assert page.total == len(both)
    outcome_counts = Counter(str(d["outcome"]) for d in docs if d.get("category") == category)
    assert {f.value: f.count for f in page.facets["outcome"]} == dict(outcome_counts)
    category_counts = Counter(
        str(d["category"]) for d in docs if d["outcome"] == "Upheld" and d.get("category")
    )
    assert {f.value: f.count for f in page.facets["category"]} == dict(category_counts)
    states = Counter(v for d in both for v in doc_values(d, "state"))
    assert {f.value: f.count for f in page.facets["state"]} == dict(states)


def test_corpus_decision_date_range(
    corpus: search.Index, corpus_docs: dict[str, dict[str, object]]
) -> None:
    low, high = date(2015, 1, 1), date(2016, 6, 30)
    expected = {
        key
        for key, doc in corpus_docs.items()
        if "decision_date" in doc and low <= doc["decision_date"].date() <= high  # type: ignore[attr-defined]
    }
    pairs = [("decided_from", low.isoformat()), ("decided_to", high.isoformat())]
    assert all_ids(corpus, pairs) == (len(expected), expected)


def test_corpus_every_letter_found_by_its_id(
    corpus: search.Index, corpus_docs: dict[str, dict[str, object]]
) -> None:
    for letter_id in {str(d["letter_id"]) for d in corpus_docs.values()}:
        letter = search.get_letter(corpus, letter_id)
        assert letter is not None and letter.letter_id == letter_id


def test_corpus_newest_sort_is_ordered(corpus: search.Index) -> None:
    page = run_search(corpus, SearchRequest(sort="newest", per_page=100))
    dates = [h.decision_date for h in page.hits if h.decision_date]
    assert dates == sorted(dates, reverse=True)


def test_corpus_snippets_mark_query_words(corpus: search.Index) -> None:
    page = run_search(corpus, parse_request([("q", "functional improvement")]))
    assert page.hits
    for hit in page.hits:
        assert re.search(r"<mark>(functional|improv\w*)</mark>", str(hit.snippet), re.IGNORECASE), (
            hit.snippet
        )


def test_corpus_real_synonyms_brand_finds_generic(corpus_index: Path) -> None:
    index = search.open_index(corpus_index, check_seconds=0)  # indexer.classify.synonyms
    generic = run_search(index, parse_request([("q", "gabapentin")]))
    brand = run_search(index, parse_request([("q", "neurontin")]))
    assert generic.total > 0
    assert brand.total >= generic.total


# ---- speed measures: the per-generation cache and one-pass ranking ---------------------

CACHE_REQUESTS = [
    [("q", '"functional improvement"')],
    [("q", '"functional improvement"'), ("sort", "newest")],
    [("q", '"functional improvement"'), ("page", "2")],
    [("q", '"functional improvement"'), ("outcome", "Upheld")],
    [("q", "physical therapy")],
    [("q", "physical therapy"), ("sort", "oldest"), ("page", "2")],
    [("q", "physical therapy"), ("sort", "newest")],
    [("q", "physical therapy")],
    [("q", '"medically necessary" OR acupuncture'), ("category", "Pharmaceuticals")],
    [("q", "mri -knee"), ("decided_from", "2016-01-01")],
    [],
    [("outcome", "Overturned")],
    [],
]


def page_view(page: SearchPage) -> tuple[object, ...]:
    hits = tuple((h.letter_id, h.decision_index, round(h.score, 6), h.snippet) for h in page.hits)
    facets = {
        name: tuple((v.value, v.count) for v in values) for name, values in page.facets.items()
    }
    return page.total, hits, facets, page.notice


def test_cached_pages_equal_cold_pages(corpus_index: Path) -> None:
    cached = search.open_index(corpus_index, expand=no_synonyms, check_seconds=0)
    cold = search.open_index(corpus_index, expand=no_synonyms, check_seconds=0, cache_size=0)
    try:
        for _ in range(2):  # the second round is served from the cache
            for pairs in CACHE_REQUESTS:
                req = parse_request(pairs)
                assert page_view(run_search(cached, req)) == page_view(run_search(cold, req)), pairs
        assert len(cached.generation.matches) > 0
        assert len(cold.generation.matches) == 0
    finally:
        cached.close()
        cold.close()


@pytest.mark.parametrize(
    "q",
    ['"functional improvement"', '"physical therapy" lumbar', "acupuncture", '"pain management"~2'],
)
def test_ranking_equals_whoosh_top_k(corpus_index: Path, q: str) -> None:
    from indexer.engine.whoosh.compile import compile_query
    from indexer.engine.whoosh.snapshot import QueryContext
    from search_app.search.query import parse_query
    from tests.engine.test_search_engine import by_pairs, in_parts

    index = search.open_index(corpus_index, expand=no_synonyms, check_seconds=0, cache_size=0)
    try:
        page = run_search(index, parse_request([("q", q), ("per_page", "50")]))
        with index.searcher() as searcher:
            context = QueryContext(index.expand, index.generation, searcher)
            # Catch-all phrases score as their word pairs (search_engine._phrase), catch-all
            # NEARs as NEARs in its parts (schema.POSITION_PARTS).
            compiled = compile_query(parse_query(q).node, context).query
            query = by_pairs(in_parts(compiled, phrases=False))
            expected = [
                (h.docnum, round(float(h.score), 6)) for h in searcher.search(query, limit=50)
            ]
            got = [
                (
                    next(searcher.document_numbers(doc_id=f"{h.letter_id}#{h.decision_index}")),
                    round(h.score, 6),
                )
                for h in page.hits
            ]
        assert page.hits and got == expected
    finally:
        index.close()


def test_match_cache_keeps_the_most_recent() -> None:
    from indexer.engine.caches import MatchCache

    cache = MatchCache(2)
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.get("a") == 1  # now "b" is the oldest
    cache.put("c", 3)
    assert (cache.get("a"), cache.get("b"), cache.get("c")) == (1, None, 3)
    off = MatchCache(0)
    off.put("a", 1)
    assert off.get("a") is None and len(off) == 0


def test_refresh_drops_the_cache(small: search.Index, tmp_path: Path) -> None:
    before = find(small, "acupuncture").total
    assert len(small.generation.matches) == 1
    extra = item("Acupuncture 6 sessions", Outcome.UPHELD, "Not indicated.", "Other", "Acupuncture")
    write_index(tmp_path, [make_letter(99, [extra], date(2016, 3, 1))])
    assert small.refresh()
    assert len(small.generation.matches) == 0
    assert find(small, "acupuncture").total == before + 1


def test_warm_fills_the_browse_counts(small: search.Index) -> None:
    assert search.BROWSE_COUNTS not in small.generation.memo
    search.warm(small)
    counts = small.generation.memo.get(search.BROWSE_COUNTS)
    assert counts is not None
    assert int(counts["outcome"].sum()) == run_search(small, SearchRequest()).total


def test_snippet_passages_share_one_ellipsis() -> None:
    filler = " ".join(f"w{n}" for n in range(200))
    text = f"{filler} alpha {filler} beta {filler}"
    marked = str(snippet(make_highlighter(Highlights(phrases={("alpha",), ("beta",)})), [text]))
    assert "<mark>alpha</mark>" in marked and "<mark>beta</mark>" in marked
    assert marked.startswith("… ") and marked.endswith(" …")
    assert marked.count("…") == 3 and "… …" not in marked


def test_an_index_with_no_segment_opens_and_answers_nothing(tmp_path: Path) -> None:
    whoosh_index.create_in(str(tmp_path), SCHEMA)
    index = search.open_index(tmp_path, expand=fake_expand, check_seconds=0)
    assert index.generation.size == 0
    assert find(index, "therapy").total == 0
    index.close()
