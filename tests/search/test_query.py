"""The query language: parsing, repairs with notices, compiling to Whoosh queries."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indexer.engine.query import (
    AllOf,
    AnyOf,
    FacetTerm,
    Fuzzy,
    Near,
    Not,
    Phrase,
    Prefix,
    Word,
)
from indexer.engine.whoosh.compile import compile_query
from search_app.search.query import parse_query, plain_words

# The issue's examples (issue 21): each is also fed to the Atom feed test.
ISSUE_QUERIES = [
    '"physical therapy"',
    "physiotherapy",
    "PT",
    '"urine drug screening"',
    '"epidural steroid injection"',
    "hydrocodone",
    "norco",
    "oxycodone",
    "percocet",
    "neck",
    "cervical",
    '"SI joint"',
    "sacroiliac",
    "MRI lumbar OR knee",
    "treatment:(MRI OR CT)",
    '"opioid taper"~5',
    "opioid w/5 taper",
    "guideline:ODG",
    "guideline:MTUS",
    "guideline:ACOEM",
    "TENS",
    "Soma",
    "LESI",
    "CM16-0213037",
    "CM16 0213037",
    "CM160213037",
]


class FakeContext:
    """A tiny synonym table and facet vocabulary, standing in for an index."""

    def expand(self, term: str) -> frozenset[str]:
        groups = [{"neurontin", "gabapentin"}, {"pt", "physical therapy"}]
        for group in groups:
            if term.lower() in group:
                return frozenset(group)
        return frozenset({term})

    def resolve_facet(self, facet: str, raw: str) -> tuple[str, ...]:
        return ("Upheld",) if facet == "outcome" and raw.lower() == "upheld" else ()

    def fuzzy_terms(self, fieldname: str, word: str, edits: int) -> tuple[str, ...]:
        return ("gabapentin",) if word.startswith("gaba") else ()

    def word_forms(self, fieldname: str, word: str) -> tuple[str, ...]:
        return {"taper": ("taper", "tapering"), "opioid": ("opioid", "opioids")}.get(word, (word,))

    def prefix_terms(self, fieldname: str, prefix: str) -> tuple[str, ...]:
        return ("gabapentin",) if "gabapentin".startswith(prefix) else ()


@pytest.mark.parametrize(
    ("text", "tree"),
    [
        pytest.param("knee mri", AllOf((Word("knee"), Word("mri"))), id="and"),
        pytest.param('"return to work"', Phrase("return to work"), id="phrase"),
        pytest.param('"opioid taper"~5', Phrase("opioid taper", None, 5), id="near"),
        pytest.param("cream OR gel", AnyOf((Word("cream"), Word("gel"))), id="or"),
        pytest.param("knee -surgery", AllOf((Word("knee"), Not(Word("surgery")))), id="minus"),
        pytest.param("knee NOT surgery", AllOf((Word("knee"), Not(Word("surgery")))), id="not"),
        pytest.param(
            "(esi OR epidural) lumbar",
            AllOf((AnyOf((Word("esi"), Word("epidural"))), Word("lumbar"))),
            id="group",
        ),
        pytest.param("gabapent*", Prefix("gabapent"), id="prefix"),
        pytest.param("gabapentn~", Fuzzy("gabapentn", 1), id="fuzzy"),
        pytest.param("gabapentn~2", Fuzzy("gabapentn", 2), id="fuzzy-2"),
        pytest.param("treatment:mri", Word("mri", "treatment"), id="text-field"),
        pytest.param(
            'Rationale:"not recommended"', Phrase("not recommended", "rationale"), id="field-phrase"
        ),
        pytest.param("outcome:Upheld", FacetTerm("outcome", "Upheld"), id="facet"),
        pytest.param(
            'specialty:"Internal Medicine"',
            FacetTerm("specialty", "Internal Medicine"),
            id="facet-phrase",
        ),
        pytest.param("case:CM16-0213037", FacetTerm("case", "CM16-0213037"), id="case"),
        pytest.param("L5-S1", Word("L5-S1"), id="inner-hyphen"),
        pytest.param("NOT NOT knee", Word("knee"), id="double-not"),
        pytest.param(
            "MRI lumbar OR knee",
            AllOf((Word("MRI"), AnyOf((Word("lumbar"), Word("knee"))))),
            id="or-binds-first",
        ),
        pytest.param(
            "MRI AND lumbar OR knee",
            AllOf((Word("MRI"), AnyOf((Word("lumbar"), Word("knee"))))),
            id="or-before-and",
        ),
        pytest.param(
            "knee -surgery OR injection",
            AllOf((Word("knee"), AnyOf((Not(Word("surgery")), Word("injection"))))),
            id="or-of-a-negation",
        ),
        pytest.param(
            "treatment:(MRI OR CT)",
            AnyOf((Word("MRI", "treatment"), Word("CT", "treatment"))),
            id="field-group",
        ),
        pytest.param(
            'rationale:("medically necessary" -surgery)',
            AllOf((Phrase("medically necessary", "rationale"), Not(Word("surgery", "rationale")))),
            id="field-group-phrase",
        ),
        pytest.param(
            "guideline:(ODG OR MTUS)",
            AnyOf((FacetTerm("guideline", "ODG"), FacetTerm("guideline", "MTUS"))),
            id="facet-group",
        ),
        pytest.param("opioid w/5 taper", Near((Word("opioid"), Word("taper")), 5), id="w-n"),
        pytest.param("opioid W/5 taper", Near((Word("opioid"), Word("taper")), 5), id="w-n-upper"),
        pytest.param(
            "physical pre/2 therapy", Near((Word("physical"), Word("therapy")), 2, True), id="pre-n"
        ),
        pytest.param(
            "(opioid OR narcotic) w/5 taper",
            Near((AnyOf((Word("opioid"), Word("narcotic"))), Word("taper")), 5),
            id="w-n-of-or",
        ),
        pytest.param(
            "opioid OR narcotic w/5 taper",
            Near((AnyOf((Word("opioid"), Word("narcotic"))), Word("taper")), 5),
            id="or-binds-before-w-n",
        ),
        pytest.param(
            "a w/5 b w/3 c",
            AllOf((Near((Word("a"), Word("b")), 5), Near((Word("b"), Word("c")), 3))),
            id="w-n-chain",
        ),
        pytest.param(
            "knee w/3 pain MRI",
            AllOf((Near((Word("knee"), Word("pain")), 3), Word("MRI"))),
            id="w-n-before-and",
        ),
        pytest.param("CM16-0213037", FacetTerm("case", "CM16-0213037"), id="case-number"),
        pytest.param("cm16-0213037", FacetTerm("case", "CM16-0213037"), id="case-lower"),
        pytest.param("CM16 0213037", FacetTerm("case", "CM16-0213037"), id="case-spaced"),
        pytest.param("CM160213037", FacetTerm("case", "CM16-0213037"), id="case-no-dash"),
        pytest.param("CM 16-0213037", FacetTerm("case", "CM16-0213037"), id="case-space-after-cm"),
        pytest.param('"CM16-0213037"', FacetTerm("case", "CM16-0213037"), id="case-quoted"),
        pytest.param('case:"cm16 0213037"', FacetTerm("case", "CM16-0213037"), id="case-field"),
        pytest.param(
            "CM16-0213037 knee",
            AllOf((FacetTerm("case", "CM16-0213037"), Word("knee"))),
            id="case-and-word",
        ),
        pytest.param("nocase-0123456789ab", FacetTerm("case", "NOCASE-0123456789AB"), id="no-case"),
    ],
)
def test_parse_well_formed(text: str, tree: object) -> None:
    parsed = parse_query(text)
    assert parsed.node == tree
    assert parsed.notices == ()


@pytest.mark.parametrize(
    ("text", "tree", "notice"),
    [
        pytest.param(
            '"return to work', Phrase("return to work"), "unbalanced quote", id="open-quote"
        ),
        pytest.param(
            "(knee OR hip", AnyOf((Word("knee"), Word("hip"))), "unbalanced '('", id="open-paren"
        ),
        pytest.param("knee)", Word("knee"), "unmatched ')'", id="close-paren"),
        pytest.param("OR knee", Word("knee"), "OR without", id="leading-or"),
        pytest.param("knee OR", Word("knee"), "OR without", id="trailing-or"),
        pytest.param("knee NOT", Word("knee"), "NOT", id="trailing-not"),
        pytest.param("AND", None, "AND without", id="lone-and"),
        pytest.param(
            "foo:bar", AllOf((Word("foo"), Word("bar"))), "'foo' is not a field", id="unknown-field"
        ),
        pytest.param("treatment:", None, "no value", id="empty-field"),
        pytest.param('""', None, "empty phrase", id="empty-phrase"),
        pytest.param("-knee", Not(Word("knee")), "only excludes", id="only-not"),
        pytest.param("a*", Word("a"), "prefix needs", id="short-prefix"),
        pytest.param("w/5 knee", Word("knee"), "w/5 without", id="leading-w-n"),
        pytest.param("knee w/5", Word("knee"), "w/5 without", id="trailing-w-n"),
        pytest.param(
            "knee w/500 pain", Near((Word("knee"), Word("pain")), 100), "lowered", id="w-n-capped"
        ),
        pytest.param(
            "foo:(knee OR hip)",
            AnyOf((Word("knee"), Word("hip"))),
            "'foo' is not a field",
            id="unknown-group-field",
        ),
    ],
)
def test_parse_repairs_with_notice(text: str, tree: object, notice: str) -> None:
    parsed = parse_query(text)
    assert parsed.node == tree
    assert any(notice in n for n in parsed.notices), parsed.notices


def test_deep_nesting_is_cut_with_notice() -> None:
    parsed = parse_query("(" * 300 + "knee" + ")" * 300)
    assert any("nested" in n for n in parsed.notices)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet='ab "()-:*~OR NOTANDtreatment', max_size=60))
def test_any_text_parses_and_compiles(text: str) -> None:
    compiled = compile_query(parse_query(text).node, FakeContext())
    assert compiled.query is not None


def test_synonyms_expand_words_and_highlights() -> None:
    compiled = compile_query(parse_query("neurontin").node, FakeContext())
    assert "gabapentin" in compiled.highlights.words
    assert "gabapentin" in repr(compiled.query)


def test_multiword_synonym_becomes_phrase() -> None:
    compiled = compile_query(parse_query("PT").node, FakeContext())
    assert ("physical", "therapy") in compiled.highlights.phrases
    assert "Phrase" in repr(compiled.query)


def test_phrase_keeps_stop_words_in_exact_field() -> None:
    compiled = compile_query(parse_query('"return to work"').node, FakeContext())
    assert (
        repr(compiled.query)
        == "Phrase('text_exact', ['return', 'to', 'work'], slop=1, boost=1.000000)"
    )


def test_stop_word_alone_is_reported() -> None:
    compiled = compile_query(parse_query("the").node, FakeContext())
    assert any("common word" in n for n in compiled.notices)


def test_unknown_facet_value_notice() -> None:
    compiled = compile_query(parse_query("outcome:maybe").node, FakeContext())
    assert any("No outcome is called 'maybe'" in n for n in compiled.notices)


def test_negated_words_are_not_highlighted() -> None:
    compiled = compile_query(parse_query("knee -surgery").node, FakeContext())
    assert "knee" in compiled.highlights.words
    assert "surgery" not in compiled.highlights.words


def test_a_quoted_phrase_gets_no_synonyms() -> None:
    compiled = compile_query(parse_query('"physical therapy"').node, FakeContext())
    assert repr(compiled.query) == (
        "Phrase('text_exact', ['physical', 'therapy'], slop=1, boost=1.000000)"
    )
    assert compiled.expansions == []
    quoted = compile_query(parse_query('"PT"').node, FakeContext())
    assert repr(quoted.query) == "Term('text_exact', 'pt')"


def test_a_word_says_what_it_also_searched() -> None:
    compiled = compile_query(parse_query("PT").node, FakeContext())
    assert compiled.expansions == [("PT", ("physical therapy",))]
    together = compile_query(parse_query("physical therapy").node, FakeContext())
    assert together.expansions == [("physical therapy", ("pt",))]


def test_a_table_name_matches_as_written_or_plural_never_by_stem() -> None:
    compiled = compile_query(parse_query("PT").node, FakeContext())
    assert "Term('text_exact', 'pt')" in repr(compiled.query)
    assert "Term('text_exact', 'pts')" in repr(compiled.query)
    assert "Term('text', " not in repr(compiled.query)
    assert "pt" in compiled.highlights.words and not compiled.highlights.stems


def test_proximity_reads_word_forms() -> None:
    compiled = compile_query(parse_query("opioid w/5 taper").node, FakeContext())
    text = repr(compiled.query)
    assert text.startswith("SpanNear2(") and "slop=5" in text and "ordered=False" in text
    assert all(w in text for w in ("'opioids'", "'tapering'", "'opioid'", "'taper'"))
    slop = compile_query(parse_query('"opioid taper"~5').node, FakeContext())
    assert repr(slop.query) == text


def test_proximity_of_something_else_is_and_with_a_notice() -> None:
    compiled = compile_query(parse_query("outcome:Upheld w/5 knee").node, FakeContext())
    assert any("Proximity joins words" in n for n in compiled.notices)


def test_plain_words() -> None:
    assert plain_words(parse_query('knee "a b" (hip OR xy*) -y').node) == ("knee", "hip")
