"""The facet vocabulary and the classifiers the parser calls (TAXONOMY.md sections 2-8).

Each normalize_* is idempotent and returns None for a value outside the vocabulary, so a
typo never becomes a facet value. The classifiers live in sibling modules along the
pipeline and are re-exported here.
"""

from __future__ import annotations

import re
from functools import cache

from indexer.classify.citations import find_citations
from indexer.classify.guidelines import classify_guideline
from indexer.classify.reasons import classify_reasons
from indexer.classify.regions import find_body_regions
from indexer.classify.treatment import classify_treatment
from indexer.classify.vocabulary import Vocabulary, vocabulary
from indexer.letter import Outcome

__all__ = [
    "Vocabulary",
    "classify_guideline",
    "classify_reasons",
    "classify_treatment",
    "find_body_regions",
    "find_citations",
    "normalize_outcome",
    "normalize_specialty",
    "normalize_state",
    "normalize_subcategory",
    "vocabulary",
]

# Postal codes of the vocabulary's states, for letters that abbreviate a licensure state.
STATE_CODES = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California",
    "CO": "Colorado", "CT": "Connecticut", "DE": "Delaware", "DC": "District of Columbia",
    "FL": "Florida", "GA": "Georgia", "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois",
    "IN": "Indiana", "IA": "Iowa", "KS": "Kansas", "KY": "Kentucky", "LA": "Louisiana",
    "ME": "Maine", "MD": "Maryland", "MA": "Massachusetts", "MI": "Michigan",
    "MN": "Minnesota", "MS": "Mississippi", "MO": "Missouri", "MT": "Montana",
    "NE": "Nebraska", "NV": "Nevada", "NH": "New Hampshire", "NJ": "New Jersey",
    "NM": "New Mexico", "NY": "New York", "NC": "North Carolina", "ND": "North Dakota",
    "OH": "Ohio", "OK": "Oklahoma", "OR": "Oregon", "PA": "Pennsylvania",
    "RI": "Rhode Island", "SC": "South Carolina", "SD": "South Dakota", "TN": "Tennessee",
    "TX": "Texas", "UT": "Utah", "VT": "Vermont", "VA": "Virginia", "WA": "Washington",
    "WV": "West Virginia", "WI": "Wisconsin", "WY": "Wyoming",
}  # fmt: skip
OUTCOME_WORDS = {
    "upheld": Outcome.UPHELD,
    "overturned": Outcome.OVERTURNED,
    "partially overturned": Outcome.PARTIALLY_OVERTURNED,
    "partially upheld": Outcome.PARTIALLY_OVERTURNED,
}


def _key(raw: str) -> str:
    """Fold case, spacing and stray punctuation so variants of a name compare equal."""
    text = re.sub(r"\s+", " ", raw).strip(" \t.,;:*()[]\"'")
    return text.replace("&", "and").casefold()


@cache
def _specialty_index() -> dict[str, str]:
    vocab = vocabulary()
    index = {_key(s): s for s in vocab.specialties}
    index.update({_key(alias): value for alias, value in vocab.specialty_aliases.items()})
    return index


@cache
def _state_index() -> dict[str, str]:
    index = {_key(s): s for s in vocabulary().states}
    index.update({code.casefold(): name for code, name in STATE_CODES.items()})
    index[_key("Washington D.C.")] = "District of Columbia"
    index[_key("Washington, DC")] = "District of Columbia"
    return index


def normalize_specialty(raw: str) -> str | None:
    """Return the vocabulary name of a reviewer specialty, or None if it is not one."""
    key = _key(raw)
    found = _specialty_index().get(key)
    if found is None and key.startswith("board certified in "):
        found = _specialty_index().get(key.removeprefix("board certified in "))
    return found


def normalize_state(raw: str) -> str | None:
    """Return the full vocabulary name of a state of licensure, or None."""
    return _state_index().get(_key(raw))


def normalize_outcome(raw: str) -> Outcome | None:
    """Return the outcome a word names ('Upheld', 'overturned.'), or None."""
    return OUTCOME_WORDS.get(_key(raw))


def normalize_subcategory(category: str, raw: str) -> str | None:
    """Return a treatment subcategory of a category, mapping DWC spellings; None otherwise."""
    vocab = vocabulary()
    name = re.sub(r"\s+", " ", raw).strip()
    name = vocab.treatment_aliases.get(name, name)
    return name if vocab.has_treatment(category, name) else None
