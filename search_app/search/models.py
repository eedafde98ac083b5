"""Plain values that cross from search into views and templates (no Whoosh, no Flask)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from markupsafe import Markup

SORTS = ("relevance", "newest", "oldest")
DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
MAX_PAGE = 500
MAX_QUERY_CHARS = 400


class BadRequest(ValueError):
    """A request parameter that cannot be used (the API answers 400 with this message)."""


@dataclass(frozen=True, slots=True)
class SearchRequest:
    """Everything a search needs, parsed from URL parameters."""

    query: str = ""
    filters: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (facet, selected values)
    decided_from: date | None = None
    decided_to: date | None = None
    injured_from: date | None = None
    injured_to: date | None = None
    sort: str = "relevance"
    page: int = 1
    per_page: int = DEFAULT_PAGE_SIZE

    def selected(self, facet: str) -> tuple[str, ...]:
        """Return the values selected for a facet."""
        for name, values in self.filters:
            if name == facet:
                return values
        return ()


@dataclass(frozen=True, slots=True)
class FacetValue:
    value: str
    count: int
    selected: bool
    parent: str | None = None  # for subcategory / guideline_source: its category / family


@dataclass(frozen=True, slots=True)
class Hit:
    letter_id: str
    case_number: str | None
    decision_index: int
    treatment: str
    outcome: str
    case_outcome: str
    category: str | None
    subcategory: str | None
    guideline_families: tuple[str, ...]
    guideline_sources: tuple[str, ...]
    body_regions: tuple[str, ...]
    decision_date: date | None
    reviewer_specialties: tuple[str, ...]
    reviewer_states: tuple[str, ...]
    snippet: Markup  # escaped letter text with <mark> around matches
    score: float = 0.0
    reasons: tuple[str, ...] = ()  # the reviewer's reasons, most decisive first


@dataclass(frozen=True, slots=True)
class SearchPage:
    request: SearchRequest
    total: int
    hits: tuple[Hit, ...]
    facets: dict[str, tuple[FacetValue, ...]] = field(default_factory=dict)
    notice: str | None = None  # what happened to a malformed query
    suggestion: str | None = None  # "did you mean"
    # (what was typed, what was searched besides it): synonyms, the values a short facet
    # name stands for
    also_searched: tuple[tuple[str, tuple[str, ...]], ...] = ()

    @property
    def also_searched_text(self) -> str | None:
        """Say what the search added to the words typed: 'PT: physical therapy, physiotherapy'."""
        if not self.also_searched:
            return None
        return "; ".join(f"{typed}: {', '.join(added)}" for typed, added in self.also_searched)

    @property
    def page_count(self) -> int:
        size = self.request.per_page
        return max(1, -(-self.total // size))
