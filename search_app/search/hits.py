"""Plain dataclasses from a document's stored fields and facet counts: hits and facet values."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from markupsafe import Markup

from indexer.engine import IntArray, Snapshot, parent_of
from indexer.fields import FACETS, SUBCATEGORY_JOIN, split_values
from search_app.search.models import FacetValue, Hit, SearchRequest
from search_app.search.snippets import Highlighter, snippet


def to_hit(fields: Mapping[str, Any], highlighter: Highlighter | None, score: float = 0.0) -> Hit:
    """Build a Hit from a document's stored fields, with a snippet unless highlighter is None."""
    subcategory = fields.get("subcategory") or None
    decided = fields.get("decision_date")
    return Hit(
        letter_id=fields["letter_id"],
        case_number=fields.get("case_number") or None,
        decision_index=int(fields.get("decision_index", 0)),
        treatment=fields.get("treatment", ""),
        outcome=fields.get("outcome", ""),
        case_outcome=fields.get("case_outcome", ""),
        category=fields.get("category") or None,
        subcategory=subcategory.partition(SUBCATEGORY_JOIN)[2] or subcategory
        if subcategory
        else None,
        guideline_families=split_values(fields.get("guideline")),
        guideline_sources=split_values(fields.get("guideline_source")),
        body_regions=split_values(fields.get("body_region")),
        decision_date=decided.date() if isinstance(decided, datetime) else None,
        reviewer_specialties=split_values(fields.get("specialty")),
        reviewer_states=split_values(fields.get("state")),
        reasons=split_values(fields.get("reason")),
        snippet=Markup("")
        if highlighter is None
        else snippet(
            highlighter,
            (fields.get("rationale", ""), fields.get("summary", ""), fields.get("treatment", "")),
        ),
        score=score,
    )


def facet_values(
    snap: Snapshot, counts: Mapping[str, IntArray], req: SearchRequest
) -> dict[str, tuple[FacetValue, ...]]:
    """List each facet's values with counts (selected ones always), most frequent first."""
    out: dict[str, tuple[FacetValue, ...]] = {}
    for facet in FACETS:
        table = snap.tables[facet]
        chosen = set(req.selected(facet))
        values = [
            FacetValue(value, int(count), value in chosen, parent_of(facet, value))
            for value, count in zip(table.values, counts[facet].tolist(), strict=True)
            if count or value in chosen
        ]
        values.extend(
            FacetValue(v, 0, True, parent_of(facet, v)) for v in chosen - set(table.values)
        )
        if facet == "year":
            values.sort(key=lambda fv: fv.value, reverse=True)
        else:
            values.sort(key=lambda fv: (-fv.count, fv.value))
        out[facet] = tuple(values)
    return out
