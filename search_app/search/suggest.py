"""Did you mean: correct probably misspelled query words from the index vocabulary."""

from __future__ import annotations

import re

from indexer.engine import Index, Snapshot
from search_app.search.query import parse_query, plain_words

SUGGEST_MAX_DF = 1  # a word in at most this many documents may be a misspelling
SUGGEST_MIN_GAIN = 3  # the correction must be in at least this many times more documents


def _distance(a: str, b: str) -> int:
    """Levenshtein distance (small words only)."""
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def _correction(snap: Snapshot, word: str) -> str | None:
    """Return a likelier word of the letters, or None.

    A name of the synonym and drug tables (Soma, LESI) is never "corrected": it is rare in
    the letters because it is a name, not because it is misspelled.
    """
    lowered = word.lower()
    if len(lowered) < 4 or not lowered.isalpha():
        return None
    if snap.synonyms(lowered) - {lowered}:
        return None
    df = snap.doc_frequency(lowered, exact=True)
    if df > SUGGEST_MAX_DF:
        return None
    edits = 2 if len(lowered) >= 7 else 1
    best: tuple[int, int, str] | None = None
    for candidate in snap.words_near(lowered, edits):
        if candidate == lowered or not candidate.isalpha():
            continue
        cdf = snap.doc_frequency(candidate, exact=True)
        if cdf < max(SUGGEST_MIN_GAIN, SUGGEST_MIN_GAIN * df):
            continue
        rank = (_distance(lowered, candidate), -cdf, candidate)
        if best is None or rank < best:
            best = rank
    return best[2] if best else None


def suggest_for(snap: Snapshot, query: str) -> str | None:
    """Return the query with probably misspelled words corrected, or None."""
    corrected = query
    changed = False
    for word in dict.fromkeys(plain_words(parse_query(query).node)):
        fix = _correction(snap, word)
        if fix:
            corrected = re.sub(rf"(?<![\w:]){re.escape(word)}(?!\w)", fix, corrected, count=1)
            changed = True
    return corrected if changed and corrected != query else None


def suggest(index: Index, query: str) -> str | None:
    """Return a "did you mean" query from the index vocabulary, or None."""
    with index.snapshot() as snap:
        return suggest_for(snap, query)
