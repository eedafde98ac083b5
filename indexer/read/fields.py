"""Letter-level fields: header dates, priority, patient age and sex, reviewer credentials.

Every `find_*` is pure and returns None (or an empty tuple) when the letter does not state
the field. Labels are matched on whitespace-collapsed text, because PDF text wraps a label
and its value over lines ('Application \\nReceived: \\n11/03/2016').
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import date

from indexer.classify.taxonomy import normalize_specialty, normalize_state

DATE = r"(?P<date>\d{1,2}\s*[/-]\s*\d{1,2}\s*[/-]\s*\d{4})"
# The header block ends where the first section starts; header labels are looked up only
# before it, so a date quoted in the case summary never replaces the header's.
HEADER_END_RE = re.compile(
    r"HOW THE IMR FINAL DETERMINATION WAS MADE|CLINICAL CASE SUMMARY|DOCUMENTS REVIEWED"
    r"|ISSUES? AT DISPUTE|CASE SUMMARY:|IMR ISSUES, DECISIONS AND RATIONALES"
)
CASE_NUMBER_RE = re.compile(
    r"Case\s+(?:Number|No\.?)\s*:?\s*(?P<case>CM\s*\d{2}\s*-\s*\d{4,8})\b", re.IGNORECASE
)
DATE_ASSIGNED_RE = re.compile(r"Date\s+Assigned\s*:\s*" + DATE, re.IGNORECASE)
DATE_OF_INJURY_RE = re.compile(r"Date\s+of\s+Injury\s*:\s*" + DATE, re.IGNORECASE)
DECISION_DATE_RE = re.compile(r"Decision\s+Date\s*:\s*" + DATE, re.IGNORECASE)
UR_DENIAL_DATE_RE = re.compile(r"UR\s+Denial\s+Date\s*:\s*" + DATE, re.IGNORECASE)
APPLICATION_RECEIVED_RE = re.compile(r"Application\s+Received\s*:\s*" + DATE, re.IGNORECASE)
PRIORITY_RE = re.compile(r"Priority\s*:\s*(?P<priority>Standard|Expedited)\b", re.IGNORECASE)

# 'a 48 year old', 'a now 36-year-old', 'an 80-year old'; the article makes it the patient's.
AGE_WITH_ARTICLE_RE = re.compile(
    r"\ban?\s+(?:now\s+)?(?P<age>\d{1,3})\s*-?\s*(?:years?|yrs?)\s*-?\s*old\b", re.IGNORECASE
)
AGE_BARE_RE = re.compile(
    r"(?<![\d.,/-])(?P<age>\d{1,3})\s*-?\s*(?:years?|yrs?)\s*-?\s*old\b", re.IGNORECASE
)
AGE_RANGE = range(14, 101)
SEX_WORDS = {"male": "Male", "man": "Male", "female": "Female", "woman": "Female"}
SEX_RE = re.compile(r"\b(?P<sex>male|female|man|woman)\b", re.IGNORECASE)
# How far after the age phrase the sex word is looked for first ('a 48 year old male').
SEX_NEAR_AGE_CHARS = 60

STATES_LABEL = r"State\(s\)\s+of\s+Licensure\s*:"
SPECIALTY_LABEL = r"Certification\(s\)\s*/\s*Specialty\s*:"
# A credential list ends at the other label, at an all-capitals heading or at the end.
CREDENTIAL_STOP = (
    rf"(?={STATES_LABEL}|{SPECIALTY_LABEL}|\b[A-Z]{{3,}}(?:\s+[A-Z(),]{{2,}})+\b|\.\s|$)"
)
STATES_RE = re.compile(rf"{STATES_LABEL}\s*(?P<value>.{{0,300}}?)\s*{CREDENTIAL_STOP}")
SPECIALTY_RE = re.compile(rf"{SPECIALTY_LABEL}\s*(?P<value>.{{0,300}}?)\s*{CREDENTIAL_STOP}")
# 'The expert reviewer is Board Certified in Family Medicine, and is licensed to practice
# in Colorado.' (older letters; some say 'licensed in').
BOARD_SENTENCE_RE = re.compile(
    r"Board[\s-]+Certified\s+in\s+(?P<specialty>[^.;]{2,200}?),?\s+and\s+(?:is\s+)?"
    r"licensed\s+(?:to\s+practice\s+)?in\s+(?P<state>[A-Za-z ,]{2,200}?)\s*(?:[.;]|$)",
    re.IGNORECASE,
)
LIST_SPLIT_RE = re.compile(r"\s*[,;]\s*")


def flatten(text: str) -> str:
    """Collapse every run of whitespace, line breaks included, into one space."""
    return " ".join(text.split())


def header_part(text: str) -> str:
    """Return the text before the first section heading, whitespace collapsed."""
    match = HEADER_END_RE.search(text)
    return flatten(text[: match.start()] if match else text)


def us_date(raw: str) -> date | None:
    """Return the date written MM/DD/YYYY (or with dashes), None if it is not a real date."""
    month, day, year = (int(part) for part in re.split(r"\s*[/-]\s*", raw.strip()))
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _header_date(pattern: re.Pattern[str], text: str) -> date | None:
    match = pattern.search(header_part(text))
    return us_date(match["date"]) if match else None


def find_case_number(text: str) -> str | None:
    """Return the 'Case Number:' value such as CM16-0213037."""
    match = CASE_NUMBER_RE.search(header_part(text))
    return re.sub(r"\s+", "", match["case"]).upper() if match else None


def find_date_assigned(text: str) -> date | None:
    """Return the header's 'Date Assigned:'."""
    return _header_date(DATE_ASSIGNED_RE, text)


def find_date_of_injury(text: str) -> date | None:
    """Return the header's 'Date of Injury:' (not a date quoted in the case summary)."""
    return _header_date(DATE_OF_INJURY_RE, text)


def find_decision_date(text: str) -> date | None:
    """Return the header's 'Decision Date:'."""
    return _header_date(DECISION_DATE_RE, text)


def find_ur_denial_date(text: str) -> date | None:
    """Return the header's 'UR Denial Date:'."""
    return _header_date(UR_DENIAL_DATE_RE, text)


def find_application_received(text: str) -> date | None:
    """Return 'Application Received:', whose label and date may sit on three lines."""
    return _header_date(APPLICATION_RECEIVED_RE, text)


def find_priority(text: str) -> str | None:
    """Return 'Standard' or 'Expedited' from the header's 'Priority:'."""
    match = PRIORITY_RE.search(header_part(text))
    return match["priority"].capitalize() if match else None


def _age_match(summary: str) -> re.Match[str] | None:
    for pattern in (AGE_WITH_ARTICLE_RE, AGE_BARE_RE):
        for match in pattern.finditer(summary):
            if int(match["age"]) in AGE_RANGE:
                return match
    return None


def find_age(summary: str) -> int | None:
    """Return the patient's age in years as the case summary states it."""
    match = _age_match(flatten(summary))
    return int(match["age"]) if match else None


def find_sex(summary: str) -> str | None:
    """Return 'Male' or 'Female' from a word such as male or woman; pronouns do not count."""
    flat = flatten(summary)
    age = _age_match(flat)
    if age:
        near = SEX_RE.search(flat, age.end(), age.end() + SEX_NEAR_AGE_CHARS)
        if near:
            return SEX_WORDS[near["sex"].lower()]
    match = SEX_RE.search(flat)
    return SEX_WORDS[match["sex"].lower()] if match else None


def _normalized(raws: Iterable[str], normalize: Callable[[str], str | None]) -> tuple[str, ...]:
    """Normalize list items in order, without duplicates; try ' and ' splits for unknowns."""
    found: list[str] = []
    for raw in raws:
        value = normalize(raw)
        parts = [value] if value else [normalize(p) for p in re.split(r"\s+and\s+", raw)]
        for part in parts:
            if part and part not in found:
                found.append(part)
    return tuple(found)


def _split_list(value: str) -> list[str]:
    return [item.strip(" .") for item in LIST_SPLIT_RE.split(value) if item.strip(" .")]


def find_reviewer_states(text: str) -> tuple[str, ...]:
    """Return the reviewer's states of licensure, full names, in the letter's order."""
    flat = flatten(text)
    raws = [item for m in STATES_RE.finditer(flat) for item in _split_list(m["value"])]
    if not raws:
        raws = [i for m in BOARD_SENTENCE_RE.finditer(flat) for i in _split_list(m["state"])]
    return _normalized(raws, normalize_state)


def find_reviewer_specialties(text: str) -> tuple[str, ...]:
    """Return the reviewer's board certifications, mapped to the vocabulary, in order."""
    flat = flatten(text)
    raws = [item for m in SPECIALTY_RE.finditer(flat) for item in _split_list(m["value"])]
    if not raws:
        raws = [i for m in BOARD_SENTENCE_RE.finditer(flat) for i in _split_list(m["specialty"])]
    return _normalized(raws, normalize_specialty)
