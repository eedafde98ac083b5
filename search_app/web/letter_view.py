"""What the letter page prints: header fields and the citation of each decision."""

from __future__ import annotations

from datetime import date

from indexer.letter import Decision, Letter
from search_app.web.view_models import long_date


def citation(letter: Letter, decision: Decision, number: int, url: str = "") -> str:
    """Return the pinpoint citation an attorney pastes into a brief, the decision's URL last.

    IMR Case No. CM17-0010885, Decision 1 (Feb. 14, 2017) (acupuncture, 8 sessions:
    Overturned), https://.../letters/CM17-0010885#d0. A letter without a case number is cited
    by its id: IMR Determination, Letter ab12cd, Decision 2 (n.d.) (...). number is 1-based.
    """
    who = (
        f"IMR Case No. {letter.case_number}"
        if letter.case_number
        else f"IMR Determination, Letter {letter.letter_id}"
    )
    when = long_date(letter.decision_date) or "n.d."
    title = " ".join(decision.title.split())
    text = f"{who}, Decision {number} ({when}) ({title}: {decision.outcome.value})"
    return f"{text}, {url}" if url else text


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
