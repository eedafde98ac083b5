"""URL parameters -> SearchRequest, with a precise BadRequest for unusable values."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date

from indexer.fields import FACETS
from search_app.search.models import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE,
    MAX_PAGE_SIZE,
    MAX_QUERY_CHARS,
    SORTS,
    BadRequest,
    SearchRequest,
)

NOT_TEXT_RE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff]")

DATE_PARAMS = ("decided_from", "decided_to", "injured_from", "injured_to")
MAX_FACET_VALUES = 50


def _int_param(name: str, raw: str, low: int, high: int) -> int:
    try:
        value = int(raw.strip())
    except ValueError:
        raise BadRequest(f"{name} must be a whole number, not {raw[:40]!r}") from None
    if value < low or value > high:
        raise BadRequest(f"{name} must be between {low} and {high}, not {value}")
    return value


def _date_param(name: str, raw: str) -> date:
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        raise BadRequest(f"{name} must be a date written YYYY-MM-DD, not {raw[:40]!r}") from None


def parse_request(pairs: Iterable[tuple[str, str]]) -> SearchRequest:
    """Build a SearchRequest from (key, value) pairs; repeated facet keys select several values.

    Unknown keys are ignored, empty values count as absent, and unknown facet values are
    kept (they match nothing). Scalar keys use their first non-empty value.
    """
    scalars: dict[str, str] = {}
    selected: dict[str, list[str]] = {}
    for key, raw in pairs:
        value = raw.strip()
        if not value:
            continue
        if key in FACETS:
            values = selected.setdefault(key, [])
            if value not in values:
                values.append(value)
        else:
            scalars.setdefault(key, value)
    # Control characters and noncharacters typed or pasted into the box are no search text,
    # and would garble the page and the feed that echo the query.
    query = " ".join(NOT_TEXT_RE.sub(" ", scalars.get("q", "")).split())
    if len(query) > MAX_QUERY_CHARS:
        raise BadRequest(f"q is {len(query)} characters; the limit is {MAX_QUERY_CHARS}")
    sort = scalars.get("sort", "relevance")
    if sort not in SORTS:
        raise BadRequest(f"sort must be one of {', '.join(SORTS)}, not {sort[:40]!r}")
    for facet, values in selected.items():
        if len(values) > MAX_FACET_VALUES:
            raise BadRequest(f"at most {MAX_FACET_VALUES} values of {facet} can be selected")
    dates = {name: _date_param(name, scalars[name]) for name in DATE_PARAMS if name in scalars}
    for low, high in (("decided_from", "decided_to"), ("injured_from", "injured_to")):
        if low in dates and high in dates and dates[low] > dates[high]:
            raise BadRequest(f"{low} ({dates[low]}) is after {high} ({dates[high]})")
    page = _int_param("page", scalars["page"], 1, MAX_PAGE) if "page" in scalars else 1
    per_page = (
        _int_param("per_page", scalars["per_page"], 1, MAX_PAGE_SIZE)
        if "per_page" in scalars
        else DEFAULT_PAGE_SIZE
    )
    return SearchRequest(
        query=query,
        filters=tuple((f, tuple(selected[f])) for f in FACETS if f in selected),
        decided_from=dates.get("decided_from"),
        decided_to=dates.get("decided_to"),
        injured_from=dates.get("injured_from"),
        injured_to=dates.get("injured_to"),
        sort=sort,
        page=page,
        per_page=per_page,
    )
