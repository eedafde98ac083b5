"""Searches built from text rather than a query: similar decisions and "like my case"."""

from __future__ import annotations

import math
import re
from collections import Counter
from typing import Any

import numpy as np

from indexer.engine import Highlights, Index, Snapshot, exact_tokens, stem_tokens
from search_app.search.hits import facet_values, to_hit
from search_app.search.models import BadRequest, Hit, SearchPage, SearchRequest
from search_app.search.snippets import make_highlighter

KEY_TERMS = 30
SIMILAR_TERMS = 20
MIN_TERM_CHARS = 3
MAX_DF_SHARE = 0.3  # see key_terms
MAX_LIKE_WORDS = 5000
MAX_LIKE_CHARS = 60000
_NUMBERISH = re.compile(r"^[\d.]+\w{0,2}$")


class UnknownDecision(LookupError):
    """No decision with this letter id and index."""


def key_terms(
    snap: Snapshot, text: str, fieldname: str | None, limit: int
) -> list[tuple[str, float]]:
    """Return text's most distinctive stems in the index (tf x idf), best first.

    Stems in more than MAX_DF_SHARE of the decisions are left out, as Lucene's MoreLikeThis
    can leave out frequent terms: they hardly tell decisions apart, and their postings are
    the longest to read (bench/RESULTS.md has what 0.3 instead of 0.5 changed). fieldname
    None is every text part at once.
    """
    counts = Counter(
        t for t in stem_tokens(text) if len(t) >= MIN_TERM_CHARS and not _NUMBERISH.match(t)
    )
    total = max(1, snap.doc_count())
    scored: list[tuple[str, float]] = []
    for term, tf in counts.items():
        df = snap.doc_frequency(term, fieldname)
        if df == 0 or df > total * MAX_DF_SHARE:
            continue  # unknown to the index, or too common to tell decisions apart
        scored.append((term, (1 + math.log(tf)) * math.log((total + 1) / df)))
    scored.sort(key=lambda item: (-item[1], item[0]))
    return scored[:limit]


def _highlights_for(terms: list[tuple[str, float]], text: str) -> Highlights:
    """Mark the words of text whose stems are key terms."""
    wanted = {t for t, _ in terms}
    highlights = Highlights(stems=set(wanted))
    for word in set(exact_tokens(text)):
        if set(stem_tokens(word)) & wanted:
            highlights.words.add(word)
    return highlights


def similar(index: Index, letter_id: str, decision_index: int, limit: int = 10) -> tuple[Hit, ...]:
    """Return decisions most like one decision's treatment and rationale, excluding itself."""
    with index.snapshot() as snap:
        docs = snap.docs_with("doc_id", f"{letter_id}#{decision_index}")
        if not docs:
            raise UnknownDecision(f"no decision {decision_index} in letter {letter_id}")
        stored = snap.stored(docs[0])
        treatment, rationale = stored.get("treatment", ""), stored.get("rationale", "")
        treatment_terms = key_terms(snap, treatment, "treatment", SIMILAR_TERMS)
        rationale_terms = key_terms(snap, rationale, "rationale", SIMILAR_TERMS)
        weighted = [("treatment", t, 2.0 * w) for t, w in treatment_terms]
        weighted += [("rationale", t, w) for t, w in rationale_terms]
        if not weighted:
            return ()
        mask, scores = snap.rank_terms(weighted)
        mask[docs[0]] = False
        matching = np.flatnonzero(mask)
        best = matching[np.lexsort((matching, -scores[matching]))][:limit]
        terms = treatment_terms + rationale_terms
        highlighter = make_highlighter(_highlights_for(terms, f"{treatment}\n{rationale}"))
        return tuple(to_hit(snap.stored(int(doc)), highlighter, float(scores[doc])) for doc in best)


def like_my_case(index: Index, text: str, page: int = 1, per_page: int = 20) -> SearchPage:
    """Rank decisions by the key terms of a pasted UR denial or case summary.

    A decision scores the summed weights (tf x idf in the pasted text) of the key terms it
    contains, summed in numpy over each term's postings: an engine's relevance scoring of an
    OR of 30 terms would score every one of the many matching decisions.
    """
    words = len(text.split())
    if not words:
        raise BadRequest("text is empty: paste a UR denial or a case summary")
    if words > MAX_LIKE_WORDS or len(text) > MAX_LIKE_CHARS:
        raise BadRequest(f"text is too long: at most {MAX_LIKE_WORDS} words")
    req = SearchRequest(page=page, per_page=per_page)
    with index.snapshot() as snap:
        terms = key_terms(snap, text, None, KEY_TERMS)
        if not terms:
            notice = "None of the words of this text occur in the letters"
            return SearchPage(req, 0, (), facet_values(snap, _empty_counts(snap), req), notice)
        scores = np.zeros(snap.size, dtype=np.float64)
        for term, weight in terms:
            scores[snap.term_docs(term)] += weight
        mask = (scores > 0) & snap.live
        counts = {facet: table.count(mask) for facet, table in snap.tables.items()}
        matching = np.flatnonzero(mask)
        order = matching[np.lexsort((matching, -scores[matching]))]
        start = (page - 1) * per_page
        highlighter = make_highlighter(_highlights_for(terms, text))
        hits = tuple(
            to_hit(snap.stored(int(doc)), highlighter, float(scores[doc]))
            for doc in order[start : start + per_page]
        )
        shown = ", ".join(t for t, _ in terms[:10])
        notice = f"Ranked by {len(terms)} key terms of your text ({shown}, …)"
        return SearchPage(req, len(matching), hits, facet_values(snap, counts, req), notice)


def _empty_counts(snap: Snapshot) -> dict[str, Any]:
    return {
        facet: np.zeros(len(table.values), dtype=np.int64) for facet, table in snap.tables.items()
    }
