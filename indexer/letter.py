"""The structured form of an IMR final determination letter."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any


class Outcome(enum.StrEnum):
    """The outcome of one disputed item, or of a whole letter."""

    UPHELD = "Upheld"
    OVERTURNED = "Overturned"
    PARTIALLY_OVERTURNED = "Partially Overturned"  # letters only


class Layout(enum.StrEnum):
    """The letter layouts described in TAXONOMY.md."""

    CURRENT = "current"  # header block; 2016-2017
    OLDER = "older"  # no header block; 2014-2015
    MAXIMUS_2013 = "maximus-2013"  # 'MAXIMUS FEDERAL SERVICES, INC.'
    MPR_2013 = "mpr-2013"  # 'MEDICAL PROFESSIONAL REVIEW'


class UnreadableLetter(Exception):
    """A file that yields no letter: no text, not an IMR letter, or no decisions."""

    def __init__(self, path: Path | str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = Path(path)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Decision:
    """One disputed item and how the reviewer decided it."""

    treatment: str  # heading as written, without ': Upheld'
    outcome: Outcome  # UPHELD or OVERTURNED
    claims_admin_guideline: str  # the 'Claims Administrator guideline:' line
    maximus_guideline: str  # the 'MAXIMUS guideline:' line
    rationale: str
    category: str | None = None  # taxonomy labels, never free text
    subcategory: str | None = None
    guideline_families: tuple[str, ...] = ()
    guideline_sources: tuple[str, ...] = ()
    claims_admin_families: tuple[str, ...] = ()
    body_regions: tuple[str, ...] = ()
    citations: tuple[str, ...] = ()  # normalized, e.g. 'MTUS Chronic Pain p. 99'
    reasons: tuple[str, ...] = ()  # TAXONOMY.md section 8, most decisive first

    def to_json(self) -> dict[str, Any]:
        """Return the item as the `parse` CLI prints it."""
        return {
            "treatment": self.treatment,
            "outcome": self.outcome.value,
            "category": self.category,
            "subcategory": self.subcategory,
            "guideline_families": list(self.guideline_families),
            "guideline_sources": list(self.guideline_sources),
            "claims_admin_families": list(self.claims_admin_families),
            "body_regions": list(self.body_regions),
            "citations": list(self.citations),
            "reasons": list(self.reasons),
            "claims_admin_guideline": self.claims_admin_guideline,
            "maximus_guideline": self.maximus_guideline,
            "rationale": self.rationale,
        }


@dataclass(frozen=True, slots=True)
class Letter:
    """One letter: its header fields, reviewer, summary and decisions."""

    source: Path
    layout: Layout
    case_number: str | None  # CM16-0213037; None in layouts without a header
    date_assigned: date | None
    date_of_injury: date | None
    decision_date: date | None
    ur_denial_date: date | None
    application_received: date | None
    priority: str | None
    age: int | None
    sex: str | None
    reviewer_specialties: tuple[str, ...]
    reviewer_states: tuple[str, ...]
    clinical_case_summary: str
    decisions: tuple[Decision, ...]
    gaps: tuple[str, ...] = ()  # fields the parser could not find
    content_hash: str = ""  # sha256 of the file's bytes

    @property
    def case_outcome(self) -> Outcome:
        """Upheld or Overturned when all items agree, else Partially Overturned."""
        outcomes = {d.outcome for d in self.decisions}
        if outcomes == {Outcome.UPHELD}:
            return Outcome.UPHELD
        if outcomes == {Outcome.OVERTURNED}:
            return Outcome.OVERTURNED
        return Outcome.PARTIALLY_OVERTURNED

    @property
    def letter_id(self) -> str:
        """The case number, or for letters without one a stable id from the content."""
        if self.case_number:
            return self.case_number
        return f"NOCASE-{self.content_hash[:12].upper()}"

    def to_json(self) -> dict[str, Any]:
        """Return the letter as the `parse` CLI prints it (one JSON Lines object)."""

        def iso(value: date | None) -> str | None:
            return value.isoformat() if value else None

        return {
            "source": str(self.source),
            "layout": self.layout.value,
            "letter_id": self.letter_id,
            "case_number": self.case_number,
            "date_assigned": iso(self.date_assigned),
            "date_of_injury": iso(self.date_of_injury),
            "decision_date": iso(self.decision_date),
            "ur_denial_date": iso(self.ur_denial_date),
            "application_received": iso(self.application_received),
            "priority": self.priority,
            "age": self.age,
            "sex": self.sex,
            "reviewer_specialties": list(self.reviewer_specialties),
            "reviewer_states": list(self.reviewer_states),
            "case_outcome": self.case_outcome.value,
            "clinical_case_summary": self.clinical_case_summary,
            "items": [d.to_json() for d in self.decisions],
            "gaps": list(self.gaps),
            "content_hash": self.content_hash,
        }


def _date_or_none(value: object) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) and value else None


def decision_from_json(data: dict[str, Any]) -> Decision:
    """Rebuild a Decision from `Decision.to_json` output."""
    return Decision(
        treatment=data["treatment"],
        outcome=Outcome(data["outcome"]),
        claims_admin_guideline=data.get("claims_admin_guideline", ""),
        maximus_guideline=data.get("maximus_guideline", ""),
        rationale=data.get("rationale", ""),
        category=data.get("category"),
        subcategory=data.get("subcategory"),
        guideline_families=tuple(data.get("guideline_families", ())),
        guideline_sources=tuple(data.get("guideline_sources", ())),
        claims_admin_families=tuple(data.get("claims_admin_families", ())),
        body_regions=tuple(data.get("body_regions", ())),
        citations=tuple(data.get("citations", ())),
        reasons=tuple(data.get("reasons", ())),
    )


def letter_from_json(data: dict[str, Any]) -> Letter:
    """Rebuild a Letter from `Letter.to_json` output (the index stores letters this way)."""
    return Letter(
        source=Path(data["source"]),
        layout=Layout(data["layout"]),
        case_number=data.get("case_number"),
        date_assigned=_date_or_none(data.get("date_assigned")),
        date_of_injury=_date_or_none(data.get("date_of_injury")),
        decision_date=_date_or_none(data.get("decision_date")),
        ur_denial_date=_date_or_none(data.get("ur_denial_date")),
        application_received=_date_or_none(data.get("application_received")),
        priority=data.get("priority"),
        age=data.get("age"),
        sex=data.get("sex"),
        reviewer_specialties=tuple(data.get("reviewer_specialties", ())),
        reviewer_states=tuple(data.get("reviewer_states", ())),
        clinical_case_summary=data.get("clinical_case_summary", ""),
        decisions=tuple(decision_from_json(item) for item in data.get("items", ())),
        gaps=tuple(data.get("gaps", ())),
        content_hash=data.get("content_hash", ""),
    )
