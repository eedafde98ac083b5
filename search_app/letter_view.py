"""What the letter page prints: header fields, citations, query terms marked in the text."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date

from markupsafe import Markup, escape

from indexer.letter import Decision, Letter
from search_app.view_models import long_date


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


# ---- highlighting the letter page ---------------------------------------------------------

_PHRASE_RE = re.compile(r'"([^"]*)"?')
_QUERY_WORD_RE = re.compile(r"(?:[A-Za-z_]+:)?([A-Za-z0-9][A-Za-z0-9'/.-]*)")
_OPERATORS = frozenset(("and", "or", "not"))
# Words too common to be worth marking when they stand alone (they still count in a phrase).
_COMMON = frozenset((
    "a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "had", "has", "have", "he",
    "her", "his", "in", "is", "it", "its", "of", "on", "or", "she", "that", "the", "their",
    "this", "to", "was", "were", "which", "will", "with",
))  # fmt: skip
MIN_TERM_CHARS = 2
SHORT_TERM_CHARS = 3  # terms this short are marked as whole words only (PT, not ptosis)


def query_terms(query: str) -> tuple[str, ...]:
    """The phrases and words of a query worth marking on the letter page, lowercase."""
    terms: list[str] = []

    def add(term: str) -> None:
        if term and term not in terms:
            terms.append(term)

    for phrase in _PHRASE_RE.findall(query):
        add(" ".join(w.lower() for w in phrase.split()))
    for match in _QUERY_WORD_RE.finditer(_PHRASE_RE.sub(" ", query)):
        word = match.group(1).strip(".-'/").lower()
        if len(word) >= MIN_TERM_CHARS and word not in _OPERATORS and word not in _COMMON:
            add(word)
    return tuple(terms)


def expand_terms(terms: Sequence[str], expand: Callable[[str], frozenset[str]]) -> tuple[str, ...]:
    """Add each term's synonyms (brand and generic names, abbreviations), as search does."""
    out = list(terms)
    for term in terms:
        out.extend(sorted(t for t in expand(term) if t not in out))
    return tuple(out)


def _stem(word: str) -> str:
    """A crude stem so a query word also marks its plural and -ing/-ed forms."""
    for suffix in ("ations", "ation", "ions", "ion", "ings", "ing", "ies", "es", "ed", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def _term_pattern(term: str) -> str:
    words = term.split()
    last = _stem(words[-1])
    ending = r"s?(?![\w])" if len(last) <= SHORT_TERM_CHARS else r"[\w'-]*"
    head = "".join(re.escape(w) + r"\s+" for w in words[:-1])
    return head + re.escape(last) + ending


def highlight(text: str, terms: Sequence[str]) -> Markup:
    """Escape text, then wrap the words and phrases of terms (any ending) in <mark>."""
    if not terms:
        return Markup(escape(text))
    ordered = sorted(set(terms), key=len, reverse=True)  # longest first: phrases win
    pattern = re.compile(
        r"(?<![\w])(?:" + "|".join(_term_pattern(t) for t in ordered) + ")", re.IGNORECASE
    )
    parts: list[str] = []
    position = 0
    for match in pattern.finditer(text):
        parts.append(escape(text[position : match.start()]))
        parts.append(Markup("<mark>%s</mark>") % match.group(0))
        position = match.end()
    parts.append(escape(text[position:]))
    return Markup("").join(parts)
