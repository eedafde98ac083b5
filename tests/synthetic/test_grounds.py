"""The grounds of synthetic decisions: taxonomy labels the reasons classifier reads back."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from indexer.classify.reason_cues import (
    CONSERVATIVE_FAILED,
    IMPROVEMENT,
    INDICATIONS,
    INSUFFICIENT,
    NO_CONSERVATIVE,
    NO_IMPROVEMENT,
    NO_INDICATIONS,
    WITHIN,
)
from indexer.classify.reasons import classify_reasons
from indexer.classify.vocabulary import vocabulary
from indexer.letter import Outcome
from indexer.read.parse import parse_letter
from indexer.synthetic.corpus import SyntheticItem, synthetic_letter
from indexer.synthetic.reasons import OVERTURNED_WEIGHTS, REASON_ORDER, UPHELD_WEIGHTS

SEED = 17
LETTERS = 400  # about 640 decisions, 60 of them Overturned


@pytest.fixture(scope="module")
def decisions() -> list[tuple[SyntheticItem, tuple[str, ...]]]:
    """Each generated item with the reasons classify_reasons reads from its parsed rationale."""
    read: list[tuple[SyntheticItem, tuple[str, ...]]] = []
    for index in range(LETTERS):
        letter = synthetic_letter(SEED, index)
        parsed = parse_letter(letter.text, Path(f"{letter.file_stem}.txt"))
        for decision, item in zip(parsed.decisions, letter.items, strict=True):
            got = classify_reasons(decision.outcome, decision.treatment, decision.rationale)
            read.append((item, got))
    return read


def test_the_generator_knows_only_taxonomy_reasons() -> None:
    upheld = set(vocabulary().reason_labels(Outcome.UPHELD.value))
    overturned = set(vocabulary().reason_labels(Outcome.OVERTURNED.value))
    assert {label for label, _ in UPHELD_WEIGHTS} <= upheld
    assert {label for label, _ in OVERTURNED_WEIGHTS} <= overturned
    assert set(REASON_ORDER) == (upheld | overturned) - {"Other"}


def test_intended_reasons_fit_the_outcome(
    decisions: list[tuple[SyntheticItem, tuple[str, ...]]],
) -> None:
    for item, _ in decisions:
        allowed = vocabulary().reason_labels(item.outcome.value)
        assert 1 <= len(item.reasons) <= 3, item
        assert len(set(item.reasons)) == len(item.reasons), item
        assert set(item.reasons) <= set(allowed) - {"Other"}, item
        ranked = sorted(item.reasons, key=REASON_ORDER.index)
        assert list(item.reasons) == ranked, item
        if item.outcome is Outcome.OVERTURNED:
            assert INDICATIONS in item.reasons, item


def test_the_classifier_reads_the_intended_reasons(
    decisions: list[tuple[SyntheticItem, tuple[str, ...]]],
) -> None:
    same = sum(got == item.reasons for item, got in decisions)
    first = sum(got[0] == item.reasons[0] for item, got in decisions)
    misread = [
        (item.treatment, item.reasons, got) for item, got in decisions if got != item.reasons
    ]
    assert same / len(decisions) >= 0.9, misread[:10]
    assert first / len(decisions) >= 0.9, misread[:10]


def test_the_mix_of_reasons_is_plausible(
    decisions: list[tuple[SyntheticItem, tuple[str, ...]]],
) -> None:
    upheld = Counter(
        r for item, _ in decisions if item.outcome is Outcome.UPHELD for r in item.reasons
    )
    overturned = Counter(
        r for item, _ in decisions if item.outcome is Outcome.OVERTURNED for r in item.reasons
    )
    assert set(upheld) == {label for label, _ in UPHELD_WEIGHTS}
    assert set(overturned) == {INDICATIONS, WITHIN, IMPROVEMENT, CONSERVATIVE_FAILED}
    common = {NO_INDICATIONS, INSUFFICIENT, NO_CONSERVATIVE, NO_IMPROVEMENT}
    assert {label for label, _ in upheld.most_common(4)} == common
    # Indications documented on every Overturned item, Within guideline limits on many.
    assert overturned[WITHIN] >= 0.2 * overturned[INDICATIONS]
    assert overturned[WITHIN] > max(overturned[IMPROVEMENT], overturned[CONSERVATIVE_FAILED])
