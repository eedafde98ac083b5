"""The reasons classifier (TAXONOMY.md section 8): rules on hand-written rationales, the phrase
index it runs on, invariants over the corpus, and its score on the dev labels."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indexer.classify import reason_cues, reason_qualifiers
from indexer.classify.phrases import Phrases, fold, phrases
from indexer.classify.rationale import Voice, read_clauses
from indexer.classify.reasons import (
    MAX_REASONS,
    OVERTURNED_ORDER,
    UPHELD_ORDER,
    classify_reasons,
)
from indexer.classify.reasons_eval import (
    DEFAULT_LABELS,
    LABELS_ENV,
    Evaluation,
    corpus_decisions,
    evaluate,
    read_labels,
)
from indexer.classify.taxonomy import vocabulary
from indexer.cli import main
from indexer.letter import Decision, Outcome, decision_from_json
from tests.conftest import CORPUS, need_real_letters

LABELS = Path(os.environ.get(LABELS_ENV, DEFAULT_LABELS))
# micro-F1 reached on the dev labels when the rules were written (0.981), less 0.03.
DEV_MICRO_F1_FLOOR = 0.951
# The targets for unseen letters, which the dev set must meet too.
LABEL_F1_FLOOR = 0.70
LABEL_F1_MIN_SUPPORT = 15

UP, OVER = Outcome.UPHELD, Outcome.OVERTURNED
NFI = reason_cues.NO_IMPROVEMENT
EXC = reason_cues.EXCEEDS
NR = reason_cues.NOT_RECOMMENDED
IND = reason_cues.NO_INDICATIONS
CONS = reason_cues.NO_CONSERVATIVE
INS = reason_cues.INSUFFICIENT
SAF = reason_cues.SAFETY
DEP = reason_cues.DEPENDS
DUP = reason_cues.DUPLICATE
FIS = reason_cues.IMPROVEMENT
WGL = reason_cues.WITHIN
IDOC = reason_cues.INDICATIONS
CCF = reason_cues.CONSERVATIVE_FAILED


def test_labels_are_the_vocabulary() -> None:
    reasons = vocabulary().reasons
    assert set(UPHELD_ORDER) == set(reasons["Upheld"])
    assert set(OVERTURNED_ORDER) == set(reasons["Overturned"])
    assert reasons["any"] == (reason_cues.OTHER,)
    assert vocabulary().reason_labels("Upheld")[-1] == reason_cues.OTHER


# Rationales written for these tests, in the manner of IMR letters (none is taken from one).
@pytest.mark.parametrize(
    ("outcome", "treatment", "rationale", "expected"),
    [
        pytest.param(
            UP,
            "Norco 10/325mg #120",
            "The MTUS requires ongoing review of pain relief, functional status and side effects."
            " In this case the patient has used Norco for over a year. There is no documentation"
            " of objective functional improvement, and no urine drug screen was provided."
            " Weaning is recommended. Therefore the request is not medically necessary.",
            (NFI, SAF),
            id="opioid-no-improvement-no-monitoring",
        ),
        pytest.param(
            UP,
            "Physical therapy 12 sessions for the lumbar spine",
            "The MTUS allows 9-10 visits over 8 weeks. The patient has completed 24 sessions. The"
            " request for 12 more sessions exceeds the guideline recommendation, and there is no"
            " documentation of functional improvement from the therapy already provided.",
            (EXC, NFI),
            id="sessions-beyond-the-limit",
        ),
        pytest.param(
            UP,
            "Compound cream: flurbiprofen 20%, lidocaine 5%",
            "According to the MTUS, topical analgesics are largely experimental. Any compounded"
            " product that contains at least one drug that is not recommended is not recommended."
            " Therefore the compounded cream is not medically necessary.",
            (NR,),
            id="guideline-says-the-treatment-is-not-recommended",
        ),
        pytest.param(
            UP,
            "Soma 350mg #60",
            "The MTUS states that carisoprodol is not recommended. The request is not medically"
            " necessary.",
            (NR,),
            id="brand-in-heading-generic-in-guideline",
        ),
        pytest.param(
            UP,
            "Cyclobenzaprine 10mg #90",
            "Cyclobenzaprine is not recommended for longer than 2-3 weeks. The records show the"
            " patient has taken it for at least six months. There is no documented benefit.",
            (EXC, NFI),
            id="conditional-not-recommended-is-a-limit",
        ),
        pytest.param(
            UP,
            "Lumbar epidural steroid injection L4-L5",
            "The MTUS criteria require radiculopathy documented on physical examination. In this"
            " case, the examination shows normal strength, sensation and reflexes, and the MRI"
            " shows no nerve root impingement. The criteria are not met.",
            (IND,),
            id="criteria-not-met",
        ),
        pytest.param(
            UP,
            "MRI of the left knee",
            "The ACOEM guidelines state that special studies are not needed until after a period"
            " of conservative care. The patient was injured two weeks ago and has not yet started"
            " physical therapy. No plain radiographs were obtained. There are no red flags.",
            (IND, CONS),
            id="imaging-before-conservative-care-and-films",
        ),
        pytest.param(
            UP,
            "Acupuncture, unspecified number of sessions",
            "The request does not specify the number of sessions or the body part to be treated."
            " The request is not medically necessary.",
            (INS,),
            id="request-does-not-specify",
        ),
        pytest.param(
            UP,
            "Post-operative physical therapy 12 visits",
            "Since the requested knee arthroscopy was not found to be medically necessary, the"
            " associated post-operative physical therapy is also not medically necessary.",
            (DEP,),
            id="depends-on-a-non-certified-operation",
        ),
        pytest.param(
            UP,
            "Repeat MRI of the cervical spine",
            "The patient had a cervical MRI in March showing degenerative changes. There has been"
            " no change in symptoms and no new neurological findings since. A repeat study is not"
            " indicated.",
            (IND, DUP),
            id="repeat-study",
        ),
        pytest.param(
            UP,
            "Naproxen 550mg #60",
            "The patient is already taking ibuprofen, and no reason was given for adding a second"
            " NSAID. There is no assessment of gastrointestinal or cardiovascular risk.",
            (DUP, SAF, INS),
            id="second-drug-of-a-class",
        ),
        pytest.param(
            UP,
            "Acupuncture 12 sessions was the original request. Acupuncture 6 sessions was"
            " authorized by the Claims Administrator. The remaining IMR eligible portion of the"
            " original request, Acupuncture 6 sessions is",
            "An initial trial of acupuncture is 6 sessions. The patient was authorized 6 sessions,"
            " and further treatment is contingent upon the response to those sessions.",
            (EXC,),
            id="partial-certification-awaiting-the-trial",
        ),
        pytest.param(
            UP,
            "Hydrocodone 10/325 #90",
            "The utilization review denied the request, noting no urine drug screen. In this case"
            " the records document the absence of any objective improvement in function.",
            (NFI,),
            id="ur-reasons-are-not-the-reviewers",
        ),
        pytest.param(
            UP,
            "TENS unit purchase",
            'The ODG states: "A TENS unit is not recommended as a primary modality; a trial may be'
            ' considered as an adjunct to a program of functional restoration." The patient is not'
            " participating in a functional restoration program.",
            (CONS,),
            id="quoted-guideline-and-adjunct-program",
        ),
        pytest.param(
            OVER,
            "Physical therapy 6 sessions for the shoulder",
            "The MTUS allows up to 10 visits for myalgia. The patient has not had any prior"
            " physical therapy for the shoulder. The requested 6 sessions are within the"
            " guideline recommendation. The request is medically necessary.",
            (IDOC, WGL),
            id="overturned-within-limits",
        ),
        pytest.param(
            OVER,
            "Norco 5/325 #60",
            "The records document that with Norco her pain decreased from 8/10 to 4/10 and she"
            " returned to modified work. The request is medically necessary.",
            (FIS, IDOC),
            id="overturned-improvement-shown",
        ),
        pytest.param(
            OVER,
            "MRI of the lumbar spine",
            "The patient has radicular pain with a positive straight leg raise. Six weeks of"
            " physical therapy and medications have failed. The criteria are met.",
            (IDOC, CCF),
            id="overturned-conservative-care-failed",
        ),
        pytest.param(UP, "Orthotics", "", ("Other",), id="no-words-of-the-reviewer"),
    ],
)
def test_classify_reasons(
    outcome: Outcome, treatment: str, rationale: str, expected: tuple[str, ...]
) -> None:
    assert classify_reasons(outcome, treatment, rationale) == expected


def test_voices_of_a_rationale() -> None:
    clauses = read_clauses(
        "The ODG states that the patient should try exercise first. The utilization review"
        " denied it based on the lack of therapy notes. In this case, there is no"
        " documentation of a home exercise program; the request is not medically necessary."
    )
    assert [c.voice for c in clauses] == [Voice.GUIDELINE, Voice.UR, Voice.OWN, Voice.OWN]


def test_soft_hyphen_and_abbreviations_do_not_split_words_or_sentences() -> None:
    clauses = read_clauses("Per p. 99 of the MTUS, e.g. the documen\ufffetation is incomplete.")
    assert len(clauses) == 1 and "documentation" in clauses[0].text


def test_opioid_advisory_is_not_read() -> None:
    advisory = (
        "This decision addresses the medical necessity of opioids as they have been prescribed."
        " This medical necessity decision should not be interpreted as a recommendation to stop"
        " long-term opioids abruptly."
    )
    assert read_clauses(advisory) == ()


@pytest.mark.parametrize("outcome", [Outcome.PARTIALLY_OVERTURNED])
def test_an_item_outcome_is_required(outcome: Outcome) -> None:
    with pytest.raises(ValueError, match="Upheld or Overturned"):
        classify_reasons(outcome, "MRI", "There are no red flags.")


def _assert_valid(outcome: Outcome, reasons: tuple[str, ...]) -> None:
    allowed = set(vocabulary().reason_labels(outcome.value))
    assert 1 <= len(reasons) <= MAX_REASONS
    assert len(set(reasons)) == len(reasons)
    assert set(reasons) <= allowed
    assert "Other" not in reasons or reasons == ("Other",)


CUE_WORDS = sorted(
    {
        word
        for cue in (*reason_cues.UPHELD_CUES, *reason_cues.OVERTURNED_CUES)
        for phrasing in cue.wording.by_stem.values()
        for p in phrasing
        for word in re.findall(r"[a-z]{2,}", p.regex.pattern)
    }
    | {"the", "patient", "guidelines", "mtus", "states", "in", "this", "case", "request", "is"}
)
words = st.lists(st.sampled_from(CUE_WORDS), max_size=60)
texts = st.lists(
    st.builds(" ".join, words).map(lambda s: s.capitalize() + "."), min_size=0, max_size=6
).map(" ".join)


@settings(max_examples=300, deadline=None)
@given(outcome=st.sampled_from([UP, OVER]), treatment=st.builds(" ".join, words), rationale=texts)
def test_any_text_gets_valid_reasons(outcome: Outcome, treatment: str, rationale: str) -> None:
    _assert_valid(outcome, classify_reasons(outcome, treatment, rationale))


def _plain(listed: Phrases) -> list[re.Pattern[str]]:
    """The phrasings as ordinary regexes that run on every text, from any word start."""
    found = {p.regex.pattern for group in listed.by_stem.values() for p in group}
    found |= {p.regex.pattern for p in listed.always}
    return [re.compile(rf"(?<!\w)(?:{pattern})") for pattern in sorted(found)]


ALL_PHRASES = [
    *(cue.wording for cue in (*reason_cues.UPHELD_CUES, *reason_cues.OVERTURNED_CUES)),
    reason_qualifiers.NEGATIONS,
    reason_qualifiers.CONDITIONS,
    *reason_qualifiers.STUDIES.values(),
]


PLAIN = [_plain(listed) for listed in ALL_PHRASES]


@settings(max_examples=300, deadline=None)
@given(text=texts, number=st.integers(0, len(ALL_PHRASES) - 1))
def test_skipping_by_stems_never_misses_a_match(text: str, number: int) -> None:
    folded = fold(text)
    found = ALL_PHRASES[number].search(folded) is not None
    assert found == any(p.search(folded.lower) for p in PLAIN[number])


@pytest.mark.parametrize(
    ("pattern", "text", "found"),
    [
        pytest.param(r"not\s+recommended", "It is NOT recommended.", True, id="ignores-case"),
        pytest.param(r"no\b", "piano notes", False, id="starts-a-word"),
        pytest.param(r"(?:do|does)\s+not\s+support", "It does not support", True, id="group"),
        pytest.param(r"emgs?\b", "two EMGs were done", True, id="optional-letter"),
        pytest.param(r"\d+\s+more", "12 more visits", True, id="unknown-first-word-runs"),
        pytest.param(r"x-rays?\b", "prior x-ray", True, id="short-word-with-hyphen"),
    ],
)
def test_phrases(pattern: str, text: str, found: bool) -> None:
    assert (phrases(pattern).search(fold(text)) is not None) is found


def test_a_phrasing_is_indexed_by_its_rarest_word() -> None:
    listed = phrases(r"there\s+is\s+no\s+rationale")
    assert set(listed.by_stem) == {"rati"}
    assert listed.search(fold("there is no plan")) is None


def test_decision_json_round_trip_keeps_reasons() -> None:
    decision = Decision("MRI", UP, "", "", "No red flags.", reasons=(IND, CONS))
    data = decision.to_json()
    assert data["reasons"] == [IND, CONS]
    assert decision_from_json(data).reasons == (IND, CONS)
    del data["reasons"]
    assert decision_from_json(data).reasons == ()


def test_parse_output_carries_reasons(corpus_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["parse", str(corpus_dir / "seeds")]) == 0
    items = [
        item for line in capsys.readouterr().out.splitlines() for item in json.loads(line)["items"]
    ]
    assert items
    for item in items:
        _assert_valid(Outcome(item["outcome"]), tuple(item["reasons"]))


@pytest.fixture(scope="module")
def dev() -> Evaluation:
    need_real_letters()  # the dev labels are of the real letters
    if not LABELS.is_file():
        pytest.skip(f"dev labels absent ({LABELS}); set {LABELS_ENV}")
    decisions = corpus_decisions(CORPUS)
    for decision in decisions.values():
        _assert_valid(decision.outcome, decision.reasons)
    return evaluate(decisions, read_labels(LABELS))


def test_dev_labels_all_match_parsed_items(dev: Evaluation) -> None:
    assert dev.missing == ()


def test_dev_micro_f1_floor(dev: Evaluation) -> None:
    assert dev.micro_f1 >= DEV_MICRO_F1_FLOOR


def test_dev_per_label_f1_floor(dev: Evaluation) -> None:
    low = {
        s.label: round(s.f1, 2)
        for s in dev.labels
        if s.support >= LABEL_F1_MIN_SUPPORT and s.f1 < LABEL_F1_FLOOR
    }
    assert low == {}
