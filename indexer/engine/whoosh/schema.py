"""The Whoosh schema: one document per decision item, carrying its letter's fields."""

from __future__ import annotations

import json
import sys
from datetime import date, datetime
from typing import Any

from whoosh import analysis, fields

from indexer.fields import (
    FACETS,
    MULTI_FACETS,
    SINGLE_FACETS,
    SUBCATEGORY_JOIN,
    TEXT_FIELDS,
    join_values,
    split_values,
)
from indexer.letter import Letter

# A Whoosh TOC file pickles the schema, and with it this module's classes (PairFilter) under
# their module's name. Indexes written before the engine package had its own folder name
# indexer.schema; the alias lets them open without a rebuild.
sys.modules.setdefault("indexer.schema", sys.modules[__name__])

__all__ = [
    "FACETS",
    "MULTI_FACETS",
    "SINGLE_FACETS",
    "SUBCATEGORY_JOIN",
    "TEXT_FIELDS",
    "split_values",
]

# The index's version, bumped when what a build writes changes while the fields stay the same
# (the parser reads the letters' text differently, say): the version is a field's name, so
# an index of another version has another schema, which the build refuses (SchemaChanged:
# `imr-index build` exits 3 and `make index` rebuilds from the letters). The field holds
# nothing. 2: PDFium's hyphen marks read as hyphens, noncharacters dropped (issue 21).
SCHEMA_VERSION = 2
VERSION_FIELD = f"schema_{SCHEMA_VERSION}"

# Text fields. The stemmed ones serve plain words (no positions); the *_exact ones (no
# stemming, no stop words dropped) serve quoted phrases and NEAR, so "return to work"
# matches exactly as written.
EXACT_SUFFIX = "_exact"
CATCH_ALL = "text"  # treatment + rationale + summary, unstored: the default search field

# The catch-all's word pairs ("return to", "to work"): a quoted phrase on the catch-all reads
# its pairs' postings instead of checking every candidate's positions (evaluate.py).
PAIR_FIELDS = {f"{CATCH_ALL}{EXACT_SUFFIX}": f"{CATCH_ALL}_pairs"}
PAIR_JOIN = " "
# Each *_exact field and the stemmed field given the same value (to_documents): a document
# with a word in the one has the word's stem in the other, which lets a phrase or NEAR take
# its candidates from the stems' postings before it reads any position (evaluate.py).
STEMMED_SIBLINGS = {f"{name}{EXACT_SUFFIX}": name for name in (*TEXT_FIELDS, CATCH_ALL)}
# The catch-all's exact field keeps no positions: its part fields already hold them, and
# keeping them twice cost a sixth of a build's time. A catch-all phrase of three words or
# more, or a NEAR, is checked in each part (evaluate.py), so it matches within the
# treatment, the rationale or the summary, never across the seam where two parts meet.
POSITION_PARTS = {f"{CATCH_ALL}{EXACT_SUFFIX}": tuple(f"{n}{EXACT_SUFFIX}" for n in TEXT_FIELDS)}


class PairFilter(analysis.Filter):  # type: ignore[misc]
    """Turn a token stream into its adjacent pairs, each joined by PAIR_JOIN."""

    def __call__(self, tokens: Any) -> Any:
        previous: str | None = None
        for token in tokens:
            word = token.text
            if previous is not None:
                token.text = f"{previous}{PAIR_JOIN}{word}"
                yield token
            previous = word


def pair_terms(words: list[str] | tuple[str, ...]) -> list[str]:
    """Return the pair-field terms of a phrase's words (already analyzed as EXACT does)."""
    return [f"{a}{PAIR_JOIN}{b}" for a, b in zip(words, words[1:], strict=False)]


STEMMED = analysis.StemmingAnalyzer()
EXACT = analysis.RegexTokenizer() | analysis.LowercaseFilter()
PAIRS = EXACT | PairFilter()
FACET_TOKENS = analysis.RegexTokenizer(r"[^|]+")


def _stemmed(stored: bool) -> fields.TEXT:
    # No positions: phrases run on the *_exact fields, and reading a word's postings without
    # them is several times faster (and so is indexing).
    return fields.TEXT(analyzer=STEMMED, stored=stored, phrase=False)


def _exact(positions: bool = True) -> fields.TEXT:
    return fields.TEXT(analyzer=EXACT, stored=False, phrase=positions)


def _multi() -> fields.KEYWORD:
    return fields.KEYWORD(stored=True, analyzer=FACET_TOKENS, scorable=False)


SCHEMA = fields.Schema(
    doc_id=fields.ID(stored=True, unique=True),  # "<letter_id>#<decision_index>"
    letter_id=fields.ID(stored=True),
    case_number=fields.ID(stored=True),
    decision_index=fields.NUMERIC(stored=True),
    source=fields.STORED(),
    content_hash=fields.ID(stored=True),
    layout=fields.ID(stored=True),
    treatment=_stemmed(stored=True),
    treatment_exact=_exact(),
    rationale=_stemmed(stored=True),
    rationale_exact=_exact(),
    summary=_stemmed(stored=True),
    summary_exact=_exact(),
    text=_stemmed(stored=False),
    text_exact=_exact(positions=False),
    text_pairs=fields.TEXT(analyzer=PAIRS, stored=False, phrase=False),
    outcome=fields.ID(stored=True, sortable=True),
    case_outcome=fields.ID(stored=True, sortable=True),
    category=fields.ID(stored=True, sortable=True),
    subcategory=fields.ID(stored=True, sortable=True),
    year=fields.ID(stored=True, sortable=True),
    guideline=_multi(),
    guideline_source=_multi(),
    claims_admin_guideline=_multi(),
    specialty=_multi(),
    state=_multi(),
    body_region=_multi(),
    reason=_multi(),  # the reviewer's reasons (TAXONOMY.md section 8)
    citation=_multi(),
    decision_date=fields.DATETIME(stored=True, sortable=True),
    date_of_injury=fields.DATETIME(stored=True),
    letter_json=fields.STORED(),  # the whole letter, on decision 0 only
    **{VERSION_FIELD: fields.STORED()},
)


def _when(value: date | None) -> datetime | None:
    return datetime(value.year, value.month, value.day) if value else None


def to_documents(letter: Letter) -> list[dict[str, Any]]:
    """Map a letter to one Whoosh document per decision item."""
    documents: list[dict[str, Any]] = []
    letter_json = json.dumps(letter.to_json(), ensure_ascii=False)
    for index, item in enumerate(letter.decisions):
        text = "\n".join((item.treatment, item.rationale, letter.clinical_case_summary))
        doc: dict[str, Any] = {
            "doc_id": f"{letter.letter_id}#{index}",
            "letter_id": letter.letter_id,
            "case_number": letter.case_number or "",
            "decision_index": index,
            "source": str(letter.source),
            "content_hash": letter.content_hash,
            "layout": letter.layout.value,
            "treatment": item.treatment,
            "treatment_exact": item.treatment,
            "rationale": item.rationale,
            "rationale_exact": item.rationale,
            "summary": letter.clinical_case_summary,
            "summary_exact": letter.clinical_case_summary,
            "text": text,
            "text_exact": text,
            "text_pairs": text,
            "outcome": item.outcome.value,
            "case_outcome": letter.case_outcome.value,
            "category": item.category or "",
            "subcategory": (
                f"{item.category}{SUBCATEGORY_JOIN}{item.subcategory}"
                if item.category and item.subcategory
                else ""
            ),
            "year": str(letter.decision_date.year) if letter.decision_date else "",
            "guideline": join_values(item.guideline_families),
            "guideline_source": join_values(item.guideline_sources),
            "claims_admin_guideline": join_values(item.claims_admin_families),
            "specialty": join_values(letter.reviewer_specialties),
            "state": join_values(letter.reviewer_states),
            "body_region": join_values(item.body_regions),
            "reason": join_values(item.reasons),
            "citation": join_values(item.citations),
        }
        decided = _when(letter.decision_date)
        if decided:
            doc["decision_date"] = decided
        injured = _when(letter.date_of_injury)
        if injured:
            doc["date_of_injury"] = injured
        if index == 0:
            doc["letter_json"] = letter_json
        documents.append({k: v for k, v in doc.items() if v != ""})
    return documents
