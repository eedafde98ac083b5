"""Parsing letters: the corpus against golden files, tables per find_*, samples, bad input."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indexer.letter import Layout, Letter, Outcome, UnreadableLetter
from indexer.read.clean import clean_text, join_pdf_hyphens
from indexer.read.parse import (
    find_age,
    find_application_received,
    find_case_number,
    find_clinical_case_summary,
    find_date_assigned,
    find_date_of_injury,
    find_decision_date,
    find_decisions,
    find_layout,
    find_priority,
    find_reviewer_specialties,
    find_reviewer_states,
    find_sex,
    find_ur_denial_date,
    iter_letter_files,
    parse_file,
    parse_letter,
)
from tests.conftest import CORPUS

HERE = Path(__file__).resolve().parent
GOLDEN = HERE / "golden"
SAMPLES = HERE.parent / "samples"
EDGE_WORDS = 6


def _corpus_files() -> list[Path]:
    if not CORPUS.is_dir():
        return []
    return list(iter_letter_files([CORPUS / "letters", CORPUS / "seeds"]))


def digest(text: str) -> dict[str, Any]:
    """Describe a long text without copying it: length, sha256, first and last words."""
    words = text.split()
    return {
        "chars": len(text),
        "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
        "first": " ".join(words[:EDGE_WORDS]),
        "last": " ".join(words[-EDGE_WORDS:]),
    }


def golden_view(letter: Letter) -> dict[str, Any]:
    """Return the letter's JSON with the summary and rationales replaced by digests."""
    view = letter.to_json()
    view["source"] = letter.source.name
    view["clinical_case_summary"] = digest(letter.clinical_case_summary)
    for item in view["items"]:
        item["rationale"] = digest(item["rationale"])
    return view


def test_corpus_is_present(corpus_dir: Path) -> None:
    files = list(iter_letter_files([corpus_dir / "letters", corpus_dir / "seeds"]))
    assert len(files) >= 2
    assert {p.suffix for p in files} == {".pdf", ".txt"}


# Without the real letters the list is one None case, which the real_corpus fixture skips.
@pytest.mark.parametrize("path", _corpus_files() or [None], ids=lambda p: p.stem if p else "none")
def test_golden(path: Path, real_corpus: Path, request: pytest.FixtureRequest) -> None:
    view = golden_view(parse_file(path))
    golden = GOLDEN / f"{path.stem}.json"
    rendered = json.dumps(view, indent=2, ensure_ascii=False) + "\n"
    if request.config.getoption("--update-golden") or not golden.exists():
        existed = golden.exists()
        golden.write_text(rendered, encoding="utf-8")
        if not existed:
            pytest.fail(f"wrote {golden.relative_to(HERE.parents[1])}: review and commit")
        return
    assert view == json.loads(golden.read_text(encoding="utf-8"))


def test_every_corpus_letter_has_items_and_no_missing_reviewer(corpus_dir: Path) -> None:
    for path in iter_letter_files([corpus_dir]):
        letter = parse_file(path)
        assert letter.decisions, path.name
        assert letter.reviewer_specialties and letter.reviewer_states, path.name
        assert all(d.rationale and d.treatment for d in letter.decisions), path.name


# Characters XML 1.0 allows (section 2.2); anything else breaks an Atom feed.
NOT_XML_RE = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list | tuple):
        return [s for v in value for s in _strings(v)]
    return []


def test_no_text_field_of_a_corpus_letter_holds_a_character_xml_cannot(corpus_dir: Path) -> None:
    for path in iter_letter_files([corpus_dir]):
        for text in _strings(parse_file(path).to_json()):
            assert not NOT_XML_RE.search(text), (path.name, NOT_XML_RE.findall(text))
            assert "\ufffe" not in text, path.name


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # PDFium writes U+FFFE where a line ended in a hyphen (snippets from the letters).
        pytest.param("electro\ufffemyography", "electromyography", id="table-word"),
        pytest.param(
            "the radicul\ufffeopathy, radiculopathy",
            "the radiculopathy, radiculopathy",
            id="letter-word",
        ),
        pytest.param("documen\ufffetation", "documentation", id="cut-mid-word"),
        pytest.param("anti\ufffeinflammatories", "anti-inflammatories", id="prefix"),
        pytest.param("non\ufffecertified", "non-certified", id="prefix-non"),
        pytest.param("x\uffferays", "x-rays", id="letter-prefix"),
        pytest.param("follow\ufffeup visit", "follow-up visit", id="compound"),
        pytest.param(
            "skilled\ufffenursing: skilled, nursing",
            "skilled-nursing: skilled, nursing",
            id="two-words",
        ),
        pytest.param("L4\ufffe5", "L4-5", id="level"),
        pytest.param("Regulations-and\ufffeGuidance", "Regulations-and-Guidance", id="title"),
        pytest.param("x-ray and x\uffferay", "x-ray and x-ray", id="letter-hyphenates"),
        pytest.param("hyphen\ufffe\nbroke", "hyphenbroke", id="line-break-after"),
        pytest.param("stray \ufffe mark", "stray - mark", id="stray"),
    ],
)
def test_pdf_hyphen_marks(text: str, expected: str) -> None:
    assert join_pdf_hyphens(text) == expected
    assert clean_text(text) == expected


@pytest.mark.parametrize(
    "char", ["\x01", "\x1b", "\x7f", "\x9b", "\ufdd0", "\uffff", "\U0001fffe", "\ud800"]
)
def test_cleaning_drops_controls_and_noncharacters(char: str) -> None:
    assert clean_text(f"knee{char} pain") == "knee pain"


# --- header fields --------------------------------------------------------------------

HEADER = (
    "Case Number: CM16-0213037\r\n"
    "Date Assigned: 11/09/2016 Date of Injury: 10/13/2016\r\n"
    "Decision Date: 12/09/2016 UR Denial Date: 11/03/2016\r\n"
    "Priority: Standard Application \r\nReceived: \r\n11/03/2016\r\n"
    "HOW THE IMR FINAL DETERMINATION WAS MADE\r\n"
)


def test_header_fields() -> None:
    assert find_case_number(HEADER) == "CM16-0213037"
    assert find_date_assigned(HEADER) == date(2016, 11, 9)
    assert find_date_of_injury(HEADER) == date(2016, 10, 13)
    assert find_decision_date(HEADER) == date(2016, 12, 9)
    assert find_ur_denial_date(HEADER) == date(2016, 11, 3)
    assert find_application_received(HEADER) == date(2016, 11, 3)
    assert find_priority(HEADER) == "Standard"


@pytest.mark.parametrize(
    ("snippet", "expected"),
    [
        # The label and its date spread over three lines in the PDF text layer.
        pytest.param("Application \nReceived: \n11/03/2016", date(2016, 11, 3), id="split-label"),
        pytest.param("Application Received:  1/3/2017", date(2017, 1, 3), id="one-digit"),
        pytest.param("Application Received: 13/45/2016", None, id="impossible-date"),
        pytest.param("Application Received:\n", None, id="empty-value"),
    ],
)
def test_find_application_received(snippet: str, expected: date | None) -> None:
    assert find_application_received(snippet) == expected


@pytest.mark.parametrize(
    ("snippet", "expected"),
    [
        pytest.param("Case Number: CM16-0213037", "CM16-0213037", id="plain"),
        pytest.param("IMR Case Number:   cm13-0004711", "CM13-0004711", id="lowercase"),
        pytest.param("Case Number: CM 17 - 0002181", "CM17-0002181", id="spaced"),
        pytest.param("Case Number:\n", None, id="empty"),
        pytest.param("case number CM16-0213037 was cited", "CM16-0213037", id="no-colon"),
    ],
)
def test_find_case_number(snippet: str, expected: str | None) -> None:
    assert find_case_number(snippet) == expected


def test_header_date_wins_over_summary_date() -> None:
    text = (
        "Date of Injury: 10/13/2016\nCLINICAL CASE SUMMARY\n"
        "Date of Injury: 01/02/2003 per an old report\n"
    )
    assert find_date_of_injury(text) == date(2016, 10, 13)


@pytest.mark.parametrize(
    ("snippet", "expected"),
    [
        pytest.param("Priority: Standard Application", "Standard", id="standard"),
        pytest.param("Priority:  EXPEDITED", "Expedited", id="upper"),
        pytest.param("Priority: Urgent", None, id="unknown-word"),
    ],
)
def test_find_priority(snippet: str, expected: str | None) -> None:
    assert find_priority(snippet) == expected


# --- patient --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("snippet", "expected"),
    [
        pytest.param("The injured worker is a 48 year old male", 48, id="spaced"),
        pytest.param("This case involves a now 36-year-old female", 36, id="now-hyphen"),
        pytest.param("The applicant is a represented 45-year-old who", 45, id="hyphen-bare"),
        pytest.param("57 year old male with date of injury", 57, id="no-article"),
        pytest.param("The injured worker is a 48 \nyear old male", 48, id="wrapped"),
        pytest.param("an 80-year old woman", 80, id="mixed-hyphens"),
        pytest.param("injured 5 years ago; she is a 61 year old", 61, id="years-ago"),
        pytest.param("a 3 year old injury in a 44 year old man", 44, id="implausible-first"),
        pytest.param("The applicant has chronic pain.", None, id="absent"),
    ],
)
def test_find_age(snippet: str, expected: int | None) -> None:
    assert find_age(snippet) == expected


@pytest.mark.parametrize(
    ("snippet", "expected"),
    [
        pytest.param("is a 48 year old male who", "Male", id="male"),
        pytest.param("a now 36-year-old female with", "Female", id="female"),
        pytest.param("The 38 year old male injured worker", "Male", id="before-noun"),
        pytest.param("a 52-year-old woman with", "Female", id="woman"),
        pytest.param("a 61 year old man said to", "Male", id="man"),
        # Pronouns alone do not state sex.
        pytest.param("She reported pain. Her doctor said he would", None, id="pronouns"),
        pytest.param("femoral, manual, Mann, romance, humanity", None, id="no-whole-word"),
        # The word right after the age is preferred over an earlier mention.
        pytest.param("A male coworker saw a 30 year old female fall", "Female", id="near-age"),
    ],
)
def test_find_sex(snippet: str, expected: str | None) -> None:
    assert find_sex(snippet) == expected


# --- reviewer -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("snippet", "expected"),
    [
        pytest.param(
            "State(s) of Licensure: California,North Carolina\nCertification(s)/Specialty: X",
            ("California", "North Carolina"),
            id="no-space-after-comma",
        ),
        pytest.param(
            "State(s) of Licensure: Texas, New \nYork, California\nCLINICAL CASE SUMMARY",
            ("Texas", "New York", "California"),
            id="wrapped",
        ),
        pytest.param(
            "State(s) of Licensure: Ohio, Ohio, Utopia\nCertification(s)/Specialty: X",
            ("Ohio",),
            id="duplicate-and-unknown",
        ),
        pytest.param(
            "The expert reviewer is Board Certified in Family Medicine, and is licensed to "
            "practice in Colorado. He/she has been",
            ("Colorado",),
            id="older-sentence",
        ),
        pytest.param(
            "is Board Certified in Surgery and is licensed to practice in California and Nevada.",
            ("California", "Nevada"),
            id="sentence-two-states",
        ),
        pytest.param("No credentials here.", (), id="absent"),
    ],
)
def test_find_reviewer_states(snippet: str, expected: tuple[str, ...]) -> None:
    assert find_reviewer_states(snippet) == expected


@pytest.mark.parametrize(
    ("snippet", "expected"),
    [
        pytest.param(
            "Certification(s)/Specialty: Preventive Medicine, Occupational Medicine, Public "
            "Health & \nGeneral Preventive Medicine\nCLINICAL CASE SUMMARY\nThe expert",
            (
                "Preventive Medicine",
                "Occupational Medicine",
                "Public Health & General Preventive Medicine",
            ),
            id="wrapped-onto-next-line",
        ),
        pytest.param(
            "Certification(s)/Specialty: Chiropractor\n\nCLINICAL CASE SUMMARY",
            ("Chiropractic",),
            id="alias",
        ),
        pytest.param(
            "Certification(s)/Specialty: Surgery, Surgical Critical Care \nCLINICAL CASE",
            ("Surgery", "Surgical Critical Care"),
            id="trailing-space",
        ),
        pytest.param(
            "The expert reviewer is Board Certified in Family Medicine, and is licensed to "
            "practice in Colorado.",
            ("Family Practice",),
            id="older-sentence-alias",
        ),
        pytest.param(
            "The reviewer is Board Certified in Physical Medicine and Rehabilitation and is "
            "licensed in Oregon.",
            ("Physical Medicine & Rehabilitation",),
            id="and-inside-name",
        ),
        pytest.param(
            "The reviewer is Board Certified in Internal Medicine and Nephrology, and is "
            "licensed in Oregon.",
            ("Internal Medicine", "Nephrology"),
            id="two-joined-by-and",
        ),
    ],
)
def test_find_reviewer_specialties(snippet: str, expected: tuple[str, ...]) -> None:
    assert find_reviewer_specialties(snippet) == expected


# --- layout and summary ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("snippet", "expected"),
    [
        pytest.param(HEADER + "CLINICAL CASE SUMMARY\n", Layout.CURRENT, id="current"),
        pytest.param(
            "HOW THE IMR FINAL DETERMINATION WAS MADE\nMAXIMUS Federal Services sent",
            Layout.OLDER,
            id="older",
        ),
        pytest.param("MAXIMUS FEDERAL SERVICES, INC.\nDear", Layout.MAXIMUS_2013, id="maximus"),
        pytest.param("MEDICAL PROFESSIONAL REVIEW\nISSUE AT DISPUTE:", Layout.MPR_2013, id="mpr"),
        pytest.param("Dear tenant, your rent is due.", None, id="not-a-letter"),
        pytest.param("Case Number: 12\nInvoice", None, id="case-number-alone"),
    ],
)
def test_find_layout(snippet: str, expected: Layout | None) -> None:
    assert find_layout(snippet) == expected


def test_summary_drops_boilerplate_and_joins_wraps() -> None:
    text = clean_text(
        "CLINICAL CASE SUMMARY\nThe expert reviewer developed the following clinical case "
        "summary based on a \ncase file, including all medical records:\nThe injured "
        "worker is a 40 \nyear old post-\noperative patient.\nIMR ISSUES, DECISIONS AND "
        "RATIONALES\nMRI: Upheld\n"
    )
    # 'based on a case file' is not the exact boilerplate: only the heading is dropped.
    assert find_clinical_case_summary(text).startswith("The expert reviewer developed")
    exact = text.replace("based on a\ncase file", "based on a review of the\ncase file")
    assert find_clinical_case_summary(exact) == (
        "The injured worker is a 40 year old post-operative patient."
    )


# --- decision items -------------------------------------------------------------------

ITEM_LABELS = (
    "Claims Administrator guideline: Decision based on MTUS Knee Complaints 2004.\n"
    "MAXIMUS guideline: Decision based on MTUS Knee Complaints 2004, Section(s): \n"
    "Special Studies.\n"
    "Decision rationale: Imaging is not indicated here. The request is not medically \n"
    "necessary.\n"
)
SECTION = (
    "IMR ISSUES, DECISIONS AND RATIONALES\n"
    "The Final Determination was based on decisions for the disputed items/services set "
    "forth below:\n"
)


@pytest.mark.parametrize(
    ("heading", "treatment", "outcome"),
    [
        pytest.param("MRI of the right knee: Upheld", "MRI of the right knee", "Upheld", id="one"),
        pytest.param("Diazepam 5mg #10: Upheld ", "Diazepam 5mg #10", "Upheld", id="trailing-sp"),
        pytest.param(
            "Physical therapy for the neck, 2 times a \nweek for 4 weeks:  Overturned",
            "Physical therapy for the neck, 2 times a week for 4 weeks",
            "Overturned",
            id="wrapped-heading",
        ),
        pytest.param(
            "Acupuncture treatments (unspecified quantity) is:\nUpheld",
            "Acupuncture treatments (unspecified quantity) is",
            "Upheld",
            id="outcome-next-line",
        ),
        pytest.param(
            "Pre-op labs: CBC\n: Overturned",
            "Pre-op labs: CBC",
            "Overturned",
            id="colon-next-line",
        ),
        pytest.param(
            "Cyclobenzaprine 7.5mg #90 was the original request.\nCyclobenzaprine 7.5mg #63 "
            "was authorized by the Claims Administrator. The remaining IMR eligible portion "
            "of the \noriginal request, Cyclobenzaprine 7.5mg #27 is: Upheld",
            "Cyclobenzaprine 7.5mg #90 was the original request. Cyclobenzaprine 7.5mg #63 "
            "was authorized by the Claims Administrator. The remaining IMR eligible portion "
            "of the original request, Cyclobenzaprine 7.5mg #27 is",
            "Upheld",
            id="restated-request-breaks-after-full-stop",
        ),
    ],
)
def test_find_decisions_headings(heading: str, treatment: str, outcome: str) -> None:
    previous = "Cane: Upheld\n" + ITEM_LABELS
    decisions = find_decisions(clean_text(SECTION + previous + heading + "\n" + ITEM_LABELS))
    assert [d.treatment for d in decisions] == ["Cane", treatment]
    assert decisions[1].outcome == Outcome(outcome)
    assert decisions[0].rationale.endswith("not medically necessary.")
    assert decisions[1].maximus_guideline == (
        "Decision based on MTUS Knee Complaints 2004, Section(s): Special Studies."
    )
    assert decisions[1].claims_admin_guideline.startswith("Decision based on MTUS Knee")


def test_rationale_mentioning_upheld_is_not_an_item() -> None:
    text = SECTION + "Cane: Upheld\n" + ITEM_LABELS + "The earlier denial was:\nUpheld\n"
    decisions = find_decisions(clean_text(text))
    assert len(decisions) == 1
    assert decisions[0].rationale.endswith("The earlier denial was: Upheld")


def test_boilerplate_line_is_not_part_of_a_treatment() -> None:
    decisions = find_decisions(clean_text(SECTION + "TENS unit: Overturned\n" + ITEM_LABELS))
    assert [d.treatment for d in decisions] == ["TENS unit"]


# --- the 2013-2014 samples (invented letters) -------------------------------------------


def _sample(name: str) -> Letter:
    return parse_file(SAMPLES / name)


def test_sample_maximus_2013_numbered_items() -> None:
    letter = _sample("sample_maximus_2013_a.txt")
    assert letter.layout is Layout.MAXIMUS_2013
    assert letter.case_number == "CM13-0004711"
    assert letter.decision_date == date(2013, 11, 20)
    assert (letter.age, letter.sex) == (52, "Female")
    assert letter.reviewer_specialties == ("Orthopedic Surgery",)
    assert letter.reviewer_states == ("California", "Nevada")
    assert [(d.treatment, d.outcome) for d in letter.decisions] == [
        ("Twelve additional physical therapy sessions for the right shoulder", Outcome.UPHELD),
        ("One shoulder sling", Outcome.OVERTURNED),
    ]
    first = letter.decisions[0]
    assert first.claims_admin_guideline.startswith("the MTUS Chronic Pain")
    assert first.maximus_guideline.endswith("pages 98-99.")
    assert first.rationale.startswith("The invented record")
    assert letter.case_outcome is Outcome.PARTIALLY_OVERTURNED
    assert letter.gaps == ("date_assigned",)


def test_sample_maximus_2013_heading_items_and_trailing_credentials() -> None:
    letter = _sample("sample_maximus_2013_b.txt")
    assert letter.layout is Layout.MAXIMUS_2013
    assert letter.priority == "Expedited"
    assert [d.outcome for d in letter.decisions] == [Outcome.UPHELD, Outcome.OVERTURNED]
    assert letter.decisions[1].rationale.endswith("The request is medically necessary.")
    assert letter.reviewer_specialties == ("Physical Medicine & Rehabilitation",)
    assert letter.reviewer_states == ("Oregon",)
    assert letter.clinical_case_summary.startswith("This is a now 61 year old man")


def test_sample_mpr_2013_numbered_issues_get_their_own_rationale() -> None:
    letter = _sample("sample_mpr_2013_a.txt")
    assert letter.layout is Layout.MPR_2013
    assert [d.treatment for d in letter.decisions] == [
        "Electromyography of both lower extremities",
        "Nerve conduction study of both lower extremities",
    ]
    assert {d.outcome for d in letter.decisions} == {Outcome.UPHELD}
    assert letter.decisions[1].rationale.startswith("Without signs of a peripheral nerve")
    assert letter.decisions[0].maximus_guideline.startswith("MTUS Low Back Complaints, page 303")
    assert letter.decisions[0].claims_admin_guideline == ""
    assert letter.clinical_case_summary.endswith("found normal reflexes.")
    assert letter.reviewer_specialties == ("Physical Medicine & Rehabilitation",)


def test_sample_mpr_2013_single_issue_overturned() -> None:
    letter = _sample("sample_mpr_2013_b.txt")
    assert [(d.treatment, d.outcome) for d in letter.decisions] == [
        ("Home health aide, four hours a day for six weeks", Outcome.OVERTURNED)
    ]
    assert letter.case_outcome is Outcome.OVERTURNED
    assert (letter.age, letter.sex) == (71, "Male")
    assert letter.reviewer_states == ("Arizona",)


# --- bad input ------------------------------------------------------------------------


def _unreadable(path: Path) -> str:
    with pytest.raises(UnreadableLetter) as caught:
        parse_file(path)
    return caught.value.reason


def test_parse_file_empty(tmp_path: Path) -> None:
    (tmp_path / "e.txt").write_bytes(b"")
    (tmp_path / "e.pdf").write_bytes(b"")
    assert _unreadable(tmp_path / "e.txt") == "empty file"
    assert _unreadable(tmp_path / "e.pdf") == "empty file"


def test_parse_file_truncated_pdf(corpus_dir: Path, tmp_path: Path) -> None:
    data = next(iter_letter_files([corpus_dir / "letters"])).read_bytes()
    (tmp_path / "cut.pdf").write_bytes(data[: len(data) // 2])
    assert _unreadable(tmp_path / "cut.pdf").startswith("truncated PDF")


def test_parse_file_unsupported_suffix(tmp_path: Path) -> None:
    (tmp_path / "letter.docx").write_bytes(b"PK\x03\x04")
    assert _unreadable(tmp_path / "letter.docx") == "unsupported file type '.docx'"


def test_parse_file_undecodable(tmp_path: Path) -> None:
    (tmp_path / "u.txt").write_bytes(b"IMR \x81\x8d letter")
    assert _unreadable(tmp_path / "u.txt").startswith("undecodable text")


def test_non_letter_text(tmp_path: Path) -> None:
    (tmp_path / "memo.txt").write_text("Quarterly budget memo.\nNothing to see.\n")
    assert _unreadable(tmp_path / "memo.txt").startswith("not an IMR determination letter")


def test_letter_with_item_headings_removed(corpus_dir: Path) -> None:
    seed = next(iter_letter_files([corpus_dir / "seeds"]))
    text = seed.read_text(encoding="utf-8")
    for outcome in (": Upheld", ":  Upheld", ": Overturned", ":  Overturned"):
        text = text.replace(outcome, "")
    with pytest.raises(UnreadableLetter) as caught:
        parse_letter(text, seed)
    assert caught.value.reason.startswith("no decision items found")


def test_parse_file_sets_hash_and_gaps(corpus_dir: Path) -> None:
    path = next(iter_letter_files([corpus_dir / "seeds"]))
    letter = parse_file(path)
    assert letter.content_hash == hashlib.sha256(path.read_bytes()).hexdigest()
    assert letter.layout is Layout.OLDER
    assert "case_number" in letter.gaps and "decision_date" in letter.gaps
    assert letter.letter_id.startswith("NOCASE-")


def test_iter_letter_files(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    for name in ("b/z.PDF", "b/a.txt", "c.Txt", "notes.md", "b/x.pdf.bak"):
        (tmp_path / name).write_text("x")
    single = tmp_path / "single.pdf"
    single.write_text("x")
    found = list(iter_letter_files([tmp_path / "b", tmp_path / "c.Txt", single, tmp_path]))
    names = [p.relative_to(tmp_path).as_posix() for p in found]
    assert names == ["b/a.txt", "b/z.PDF", "c.Txt", "single.pdf"]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.text(max_size=80),
            st.sampled_from(
                [
                    "IMR ISSUES, DECISIONS AND RATIONALES\n",
                    "CLINICAL CASE SUMMARY\n",
                    ": Upheld\n",
                    ":\nOverturned\n",
                    "Decision rationale:",
                    "MAXIMUS guideline:",
                    "Claims Administrator guideline:",
                    "MAXIMUS FEDERAL SERVICES, INC.\n",
                    "MEDICAL PROFESSIONAL REVIEW\n",
                    "ISSUE AT DISPUTE:\n1. ",
                    "RATIONALE FOR WHY THE REQUESTED TREATMENT/SERVICE IS/WAS NOT MEDICALLY "
                    "NECESSARY:\n",
                    "State(s) of Licensure:",
                    "Application Received: 99/99/2016",
                    " is not medically necessary.\n",
                    "\n\n",
                    "\f\u00a0\r",
                ]
            ),
        ),
        max_size=25,
    )
)
def test_arbitrary_text_raises_only_unreadable_letter(parts: list[str]) -> None:
    try:
        letter = parse_letter("".join(parts), Path("fuzz.txt"))
    except UnreadableLetter:
        return
    assert letter.decisions
