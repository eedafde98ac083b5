"""The rules an attorney relies on (issue 21), measured on the corpus against the truth.

Each rule is checked against a literal scan of the parsed letters: quoted phrases as written,
synonyms both ways over the whole table, OR before AND, proximity over word forms, facet
short names, case numbers typed as they come, and every example of the search help.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from indexer.classify.synonyms import SYNONYM_GROUPS
from indexer.engine.whoosh.schema import EXACT, STEMMED, to_documents
from indexer.fields import TEXT_FIELDS, split_values
from search_app.search import service as search
from search_app.search.query import QUERY_EXAMPLES, parse_query
from search_app.search.service import parse_request, run_search
from search_app.search.suggest import suggest_for

Doc = dict[str, object]


@pytest.fixture(scope="module")
def docs(corpus_dir: Path) -> dict[str, Doc]:
    from indexer.read.parse import iter_letter_files, parse_file

    found: dict[str, Doc] = {}
    for path in iter_letter_files([corpus_dir]):
        for doc in to_documents(parse_file(path)):
            found[str(doc["doc_id"])] = doc
    return found


@pytest.fixture(scope="module")
def index(corpus_index: Path) -> Iterator[search.Index]:
    """The corpus with the real synonym and drug tables."""
    opened = search.open_index(corpus_index, check_seconds=0)
    yield opened
    opened.close()


def found(index: search.Index, query: str, **params: str) -> set[str]:
    """Every decision a query finds, as doc ids (all pages)."""
    with index.snapshot() as snap:
        match = snap.match(parse_query(query).node)
        docnums = np.flatnonzero(match.mask)
        ids = {str(snap.stored(int(d))["doc_id"]) for d in docnums}
    page = run_search(index, parse_request([("q", query), *params.items()]))
    assert page.total == len(ids), query
    return ids


def words(text: object) -> list[str]:
    return [t.text for t in EXACT(str(text or ""))]


def parts(doc: Doc) -> list[list[str]]:
    """The words of each text part, as the letter has them (a phrase never spans two)."""
    return [words(doc.get(name, "")) for name in TEXT_FIELDS]


def has_run(found_words: list[str], run: list[str]) -> bool:
    size = len(run)
    return any(found_words[i : i + size] == run for i in range(len(found_words) - size + 1))


def literal(docs: dict[str, Doc], phrase: str) -> set[str]:
    """The decisions with the phrase's words in a row in one part (a literal scan)."""
    run = words(phrase)
    return {key for key, doc in docs.items() if any(has_run(p, run) for p in parts(doc))}


def stem_of(word: str) -> tuple[str, ...]:
    return tuple(t.text for t in STEMMED(word))


# ---- item 2: a quoted phrase is exactly its words, in order --------------------------


@pytest.mark.parametrize(
    "phrase",
    [
        "physical therapy",
        "urine drug screening",
        "epidural steroid injection",
        "epidural steroid injections",
        "return to work",
        "not medically necessary",
        "the patient",
        "PT",
        "injections",
        "opioids",
        "MRI of the lumbar spine",
    ],
)
def test_a_quoted_phrase_is_a_literal_scan(
    index: search.Index, docs: dict[str, Doc], phrase: str
) -> None:
    assert found(index, f'"{phrase}"') == literal(docs, phrase)


def test_unquoted_words_keep_forms_and_synonyms_and_say_so(index: search.Index) -> None:
    page = run_search(index, parse_request([("q", "PT")]))
    assert dict(page.also_searched)["PT"] == ("physical therapy", "physiotherapy")
    phrase = run_search(index, parse_request([("q", '"PT"')]))
    assert phrase.also_searched == () and phrase.total < page.total
    unquoted = run_search(index, parse_request([("q", "physical therapy")]))
    assert dict(unquoted.also_searched)["physical therapy"] == ("physiotherapy", "pt")


def test_the_api_says_what_was_also_searched(client: object) -> None:
    response = client.get("/api/search?q=norco")  # type: ignore[attr-defined]
    added = response.get_json()["also_searched"]
    assert added[0]["typed"] == "norco" and "hydrocodone" in added[0]["searched"]
    html = client.get("/?q=norco").get_data(as_text=True)  # type: ignore[attr-defined]
    assert "Also searched:" in html and "hydrocodone" in html


# ---- item 3: every member of a synonym group finds the others' decisions ------------


def test_every_synonym_finds_every_other_members_decisions(index: search.Index) -> None:
    """Walk the whole table: a member, typed, finds what each member of its groups, quoted
    (as written), finds."""
    members = sorted({member for group in SYNONYM_GROUPS for member in group})
    with index.snapshot() as snap:

        def mask(query: str) -> np.ndarray:
            return snap.match(parse_query(query).node).mask

        exact = {m: mask(f'"{m}"') for m in members}
        missing: list[tuple[str, str, int]] = []
        for group in SYNONYM_GROUPS:
            for member in sorted(group):
                typed = mask(member)
                for other in sorted(group):
                    lost = int(np.count_nonzero(exact[other] & ~typed))
                    if lost:
                        missing.append((member, other, lost))
    assert missing == []


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("hydrocodone", "norco"),
        ("norco", "hydrocodone"),
        ("oxycodone", "percocet"),
        ("percocet", "oxycodone"),
        ("neck", "cervical"),
        ("cervical", "neck"),
        ("sacroiliac", "si joint"),
        ("soma", "carisoprodol"),
    ],
)
def test_issue_pairs_find_each_other(index: search.Index, one: str, other: str) -> None:
    assert found(index, f'"{other}"') <= found(index, one)


# ---- item 4: operators as legal researchers expect them -----------------------------


def test_or_binds_tighter_than_and(index: search.Index) -> None:
    assert found(index, "MRI lumbar OR knee") == found(index, "MRI (lumbar OR knee)")
    assert found(index, "MRI AND lumbar OR knee") == found(index, "MRI (lumbar OR knee)")
    assert found(index, "MRI lumbar OR knee") != found(index, "(MRI lumbar) OR knee")


def test_a_field_group(index: search.Index) -> None:
    grouped = found(index, "treatment:(MRI OR CT)")
    assert grouped and grouped == found(index, "treatment:MRI OR treatment:CT")
    assert grouped < found(index, "MRI OR CT")


def forms_near(doc: Doc, one: str, other: str, distance: int) -> bool:
    """Some form of one within distance words of some form of other, in one part."""
    for part in parts(doc):
        first = [i for i, w in enumerate(part) if stem_of(w) == stem_of(one)]
        second = [i for i, w in enumerate(part) if stem_of(w) == stem_of(other)]
        if any(0 < abs(i - j) <= distance for i in first for j in second):
            return True
    return False


@pytest.mark.parametrize(
    ("one", "other", "distance"),
    [("opioid", "taper", 5), ("physical", "therapy", 2), ("knee", "pain", 3), ("pain", "pain", 4)],
)
def test_proximity_matches_word_forms(
    index: search.Index, docs: dict[str, Doc], one: str, other: str, distance: int
) -> None:
    expected = {key for key, doc in docs.items() if forms_near(doc, one, other, distance)}
    assert found(index, f'"{one} {other}"~{distance}') == expected
    assert found(index, f"{one} w/{distance} {other}") == expected
    assert found(index, f"{one} W/{distance} {other}") == expected


def test_opioid_taper_within_five_words_is_found(real_corpus: Path, index: search.Index) -> None:
    assert found(index, '"opioid taper"~5')


def test_pre_n_keeps_the_order(index: search.Index, docs: dict[str, Doc]) -> None:
    def before(doc: Doc) -> bool:
        for part in parts(doc):
            spots = [i for i, w in enumerate(part) if stem_of(w) == stem_of("physical")]
            after = [i for i, w in enumerate(part) if stem_of(w) == stem_of("therapy")]
            if any(0 < j - i <= 2 for i in spots for j in after):
                return True
        return False

    expected = {key for key, doc in docs.items() if before(doc)}
    assert found(index, "physical pre/2 therapy") == expected


@pytest.mark.parametrize(
    ("query", "starts"),
    [
        ("guideline:ODG", ("Official Disability Guidelines (ODG)",)),
        ("guideline:MTUS", ("MTUS ",)),
        ("guideline:ACOEM", ("ACOEM", "MTUS ACOEM")),
        ("state:CA", ("California",)),
        ("body_region:neck", ("Cervical/Neck",)),
    ],
)
def test_facet_short_names(
    index: search.Index, docs: dict[str, Doc], query: str, starts: tuple[str, ...]
) -> None:
    facet = query.partition(":")[0]
    expected = {
        key
        for key, doc in docs.items()
        if any(v.startswith(starts) for v in split_values(str(doc.get(facet, ""))))
    }
    assert expected and found(index, query) == expected
    page = run_search(index, parse_request([("q", query)]))
    assert page.notice is None and page.also_searched


# ---- item 5: abbreviations and names are not common words ---------------------------


def test_tens_is_not_ten(index: search.Index, docs: dict[str, Doc]) -> None:
    long_form = words("transcutaneous electrical nerve stimulation")
    expected = {
        key
        for key, doc in docs.items()
        if any("tens" in p or has_run(p, long_form) for p in parts(doc))
    }
    assert found(index, "TENS") == expected
    assert not found(index, "TENS") & (literal(docs, "ten") - literal(docs, "tens"))


def test_a_table_name_matches_itself_or_its_plural(
    index: search.Index, docs: dict[str, Doc]
) -> None:
    expected = {
        key for key, doc in docs.items() if any({"mri", "mris"} & set(p) for p in parts(doc))
    }
    expected |= literal(docs, "magnetic resonance imaging")
    assert found(index, "MRI") == expected


def test_did_you_mean_never_replaces_a_table_name(index: search.Index) -> None:
    names = sorted(
        {m for g in SYNONYM_GROUPS for m in g if m.isalpha() and len(m) >= 4} | {"Soma", "LESI"}
    )
    with index.snapshot() as snap:
        offered = {name: suggest_for(snap, name) for name in names}
    assert {name: fix for name, fix in offered.items() if fix} == {}


# ---- item 6: a case number is a query -------------------------------------------------


def test_a_case_number_typed_finds_its_decisions(index: search.Index, docs: dict[str, Doc]) -> None:
    by_case: dict[str, set[str]] = {}
    for key, doc in docs.items():
        if doc.get("case_number"):
            by_case.setdefault(str(doc["case_number"]), set()).add(key)
    assert by_case
    for case, keys in by_case.items():
        year, number = re.fullmatch(r"CM(\d\d)-(\d+)", case).groups()  # type: ignore[union-attr]
        for typed in (case, case.lower(), f"CM{year} {number}", f"CM{year}{number}", f'"{case}"'):
            assert found(index, typed) == keys, typed
        assert found(index, f"case:{case}") == keys


# ---- the search help: every example finds decisions --------------------------------


# The examples are phrased for the real letters (a real case number among them).
@pytest.mark.parametrize(("example", "meaning"), QUERY_EXAMPLES)
def test_every_help_example_finds_decisions(
    real_corpus: Path, index: search.Index, example: str, meaning: str
) -> None:
    page = run_search(index, parse_request([("q", example)]))
    assert page.total > 0, example
    assert page.notice is None, page.notice


# ---- item 7: words, booleans and synonyms against the truth ------------------------


def test_a_synonym_word_equals_a_scan_of_its_group(
    index: search.Index, docs: dict[str, Doc]
) -> None:
    from indexer.classify.synonyms import expand

    expected: set[str] = set()
    for member in expand("hydrocodone"):
        run = words(member)
        if len(run) == 1:
            expected |= {
                k for k, d in docs.items() if any({run[0], run[0] + "s"} & set(p) for p in parts(d))
            }
        else:
            expected |= {k for k, d in docs.items() if has_run(words(d["text"]), run)}
    assert found(index, "hydrocodone") == expected


def test_boolean_precedence_equals_a_scan(index: search.Index, docs: dict[str, Doc]) -> None:
    def stems(doc: Doc) -> set[str]:
        return {t.text for t in STEMMED(str(doc["text"]))}

    expected = {
        key
        for key, doc in docs.items()
        if "request" in stems(doc)
        and ({"shoulder", "hip"} & stems(doc))
        and "surgeri" not in stems(doc)
    }
    assert found(index, "request shoulder OR hip -surgery") == expected


def test_an_abbreviation_never_finds_the_stem_of_an_ordinary_word(tmp_path: Path) -> None:
    """TENS is not "Ten physical therapy visits", nor Soma "some", with the real tables."""
    from indexer.letter import Outcome
    from tests.search.test_search import item, make_letter, write_index

    texts = {
        1: ("Ten physical therapy visits", "Ten visits exceed the guideline."),
        2: ("TENS unit rental", "A TENS unit trial is supported."),
        3: ("Some acupuncture", "Some relief was reported."),
        4: ("Soma 350mg #30", "Soma is not recommended for long-term use."),
    }
    letters = [
        make_letter(n, [item(t, Outcome.UPHELD, r, "Other", "Other")], None)
        for n, (t, r) in texts.items()
    ]
    write_index(tmp_path, letters)
    small = search.open_index(tmp_path, check_seconds=0)
    try:
        assert found(small, "TENS") == {"CM16-0000002#0"}
        assert found(small, "tens") == {"CM16-0000002#0"}
        assert found(small, "Soma") == {"CM16-0000004#0"}
        assert "CM16-0000004#0" not in found(small, "some")
    finally:
        small.close()
