"""What the letter page prints: header fields and the citation of each decision."""

from __future__ import annotations

from datetime import date

from indexer.letter import Decision, Letter
from search_app.web.view_models import long_date


def citation(letter: Letter, decision: Decision) -> str:
    """Return the "Cite this decision" text: IMR Case No. CM16-0213037 (Dec. 9, 2016): X - Upheld"""
    who = f"IMR Case No. {letter.case_number}" if letter.case_number else "IMR Determination"
    when = long_date(letter.decision_date) or "n.d."
    return f"{who} ({when}): {decision.treatment} - {decision.outcome.value}"


def header_fields(letter: Letter) -> list[tuple[str, str]]:
    """The letter's header block as (label, text) rows, "Not stated" where the letter is silent."""

    def shown(value: date | str | None) -> str:
        if isinstance(value, date):
            return long_date(value)
        return value or "Not stated"

    patient = " ".join(
        part for part in (f"{letter.age}-year-old" if letter.age else "", letter.sex or "") if part
    )
    return [
        ("Decision date", shown(letter.decision_date)),
        ("Date assigned", shown(letter.date_assigned)),
        ("Date of injury", shown(letter.date_of_injury)),
        ("UR denial date", shown(letter.ur_denial_date)),
        ("Application received", shown(letter.application_received)),
        ("Priority", shown(letter.priority)),
        ("Patient", patient.lower().capitalize() if patient else "Not stated"),
    ]
