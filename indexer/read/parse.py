"""Read IMR letters into `Letter` objects: one small `find_*` per field, applied in order.

Field finders live in `parse_fields` (header, patient, reviewer) and `parse_items`
(decision items); this module picks the layout, cuts out the case summary, and turns
files into letters.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import replace
from pathlib import Path

from indexer.letter import Layout, Letter, UnreadableLetter
from indexer.read.clean import clean_text
from indexer.read.fields import (
    find_age,
    find_application_received,
    find_case_number,
    find_date_assigned,
    find_date_of_injury,
    find_decision_date,
    find_priority,
    find_reviewer_specialties,
    find_reviewer_states,
    find_sex,
    find_ur_denial_date,
)
from indexer.read.items import find_decisions, flatten_prose
from indexer.read.pdf import MAX_FILE_BYTES, check_size, decode_text, pdf_text

__all__ = [
    "find_age",
    "find_application_received",
    "find_case_number",
    "find_clinical_case_summary",
    "find_date_assigned",
    "find_date_of_injury",
    "find_decision_date",
    "find_decisions",
    "find_layout",
    "find_priority",
    "find_reviewer_specialties",
    "find_reviewer_states",
    "find_sex",
    "find_ur_denial_date",
    "iter_letter_files",
    "parse_file",
    "parse_letter",
]

LETTER_SUFFIXES = (".pdf", ".txt")
# The 2013 layouts announce themselves in their first lines.
OPENING_CHARS = 400
MAXIMUS_2013_RE = re.compile(r"MAXIMUS\s+FEDERAL\s+SERVICES,?\s+INC\.?")
MPR_2013_RE = re.compile(r"MEDICAL\s+PROFESSIONAL\s+REVIEW\b")
CURRENT_RE = re.compile(r"Case\s+Number\s*:", re.IGNORECASE)
IMR_MARKS_RE = re.compile(
    r"HOW\s+THE\s+IMR\s+FINAL\s+DETERMINATION\s+WAS\s+MADE|IMR\s+ISSUES?,\s+DECISIONS?\s+AND"
    r"\s+RATIONALES?|CLINICAL\s+CASE\s+SUMMARY"
)
SUMMARY_BOILERPLATE_RE = re.compile(
    r"The\s+expert\s+reviewer\s+developed\s+the\s+following\s+clinical\s+case\s+summary\s+based"
    r"\s+on\s+a\s+review\s+of\s+the\s+case\s+file,\s+including\s+all\s+medical\s+records\s*:",
    re.IGNORECASE,
)
SUMMARY_HEADING_RE = re.compile(r"^[ ]*(?:CLINICAL\s+)?CASE\s+SUMMARY\b[ ]*:?", re.MULTILINE)
SUMMARY_END_RE = re.compile(
    r"IMR\s+ISSUES?,\s+DECISIONS?\s+AND\s+RATIONALES?|IMR\s+DECISION\(S\)\s+AND\s+RATIONALE\(S\)"
    r"|^[ ]*(?:DOCUMENTS\s+REVIEWED|MEDICAL\s+TREATMENT\s+GUIDELINE\(S\)|RATIONALE\s+FOR\s+WHY"
    r"|MEDICAL\s+REVIEWER\s+QUALIFICATIONS|ISSUES?\s+AT\s+DISPUTE)\b",
    re.MULTILINE,
)


def find_layout(text: str) -> Layout | None:
    """Return the letter's layout, or None when the text is no IMR determination letter."""
    opening = text.lstrip()[:OPENING_CHARS]
    if MAXIMUS_2013_RE.search(opening):
        return Layout.MAXIMUS_2013
    if MPR_2013_RE.search(opening):
        return Layout.MPR_2013
    if CURRENT_RE.search(opening) and IMR_MARKS_RE.search(text):
        return Layout.CURRENT
    if IMR_MARKS_RE.search(text):
        return Layout.OLDER
    return None


def find_clinical_case_summary(text: str) -> str:
    """Return the case summary without its boilerplate opening, hard wraps joined."""
    start = SUMMARY_BOILERPLATE_RE.search(text) or SUMMARY_HEADING_RE.search(text)
    if not start:
        return ""
    end = SUMMARY_END_RE.search(text, start.end())
    return flatten_prose(text[start.end() : end.start() if end else len(text)])


def parse_letter(text: str, source: Path, content_hash: str = "") -> Letter:
    """Parse a letter's text; raise UnreadableLetter when it is no IMR letter or has no items."""
    text = clean_text(text)
    if not text:
        raise UnreadableLetter(source, "no text")
    layout = find_layout(text)
    if layout is None:
        raise UnreadableLetter(
            source,
            "not an IMR determination letter: no IMR headings (such as 'CLINICAL CASE SUMMARY' "
            "or 'IMR ISSUES, DECISIONS AND RATIONALES') found",
        )
    decisions = find_decisions(text, layout)
    if not decisions:
        raise UnreadableLetter(
            source, f"no decision items found ({layout.value} layout: no '<item>: Upheld' lines)"
        )
    summary = find_clinical_case_summary(text)
    letter = Letter(
        source=source,
        layout=layout,
        case_number=find_case_number(text),
        date_assigned=find_date_assigned(text),
        date_of_injury=find_date_of_injury(text),
        decision_date=find_decision_date(text),
        ur_denial_date=find_ur_denial_date(text),
        application_received=find_application_received(text),
        priority=find_priority(text),
        age=find_age(summary),
        sex=find_sex(summary),
        reviewer_specialties=find_reviewer_specialties(text),
        reviewer_states=find_reviewer_states(text),
        clinical_case_summary=summary,
        decisions=decisions,
        content_hash=content_hash,
    )
    return _with_gaps(letter)


GAP_FIELDS = (
    "case_number",
    "date_assigned",
    "date_of_injury",
    "decision_date",
    "ur_denial_date",
    "application_received",
    "priority",
    "age",
    "sex",
    "reviewer_specialties",
    "reviewer_states",
    "clinical_case_summary",
)


def _with_gaps(letter: Letter) -> Letter:
    gaps = tuple(name for name in GAP_FIELDS if getattr(letter, name) in (None, "", ()))
    return replace(letter, gaps=gaps)


def letter_text(path: Path, data: bytes) -> str:
    """Return a letter's raw text from its bytes, by the file's suffix (.pdf or .txt)."""
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        return pdf_text(path, data)
    if suffix == ".txt":
        return decode_text(path, data)
    raise UnreadableLetter(path, f"unsupported file type {path.suffix or '(none)'!r}")


def parse_file(path: Path) -> Letter:
    """Read one letter file once, hash and parse it; raise UnreadableLetter if unusable."""
    check_size(path, MAX_FILE_BYTES)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise UnreadableLetter(path, f"cannot read file: {error.strerror or error}") from error
    content_hash = hashlib.sha256(data).hexdigest()
    return parse_letter(letter_text(path, data), path, content_hash)


def iter_letter_files(paths: Iterable[Path]) -> Iterator[Path]:
    """Yield the .pdf and .txt files among `paths`, searching folders recursively, sorted."""
    found: set[Path] = set()
    for path in paths:
        if path.is_dir():
            found.update(
                p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in LETTER_SUFFIXES
            )
        elif path.is_file() and path.suffix.lower() in LETTER_SUFFIXES:
            found.add(path)
    yield from sorted(found)
