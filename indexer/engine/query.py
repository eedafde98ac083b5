"""The project's query syntax tree: what the search layer hands the engine.

The parser (search_app/search/query.py) builds it from what a user typed; an engine compiles it
to its own queries. Field names are those of indexer.fields, `None` meaning every text part.
"""

from __future__ import annotations

from dataclasses import dataclass

CASE_FIELD = "case"  # FacetTerm(CASE_FIELD, ...): one case number


@dataclass(frozen=True, slots=True)
class Word:
    text: str
    field: str | None = None  # None: the catch-all text field


@dataclass(frozen=True, slots=True)
class Phrase:
    text: str
    field: str | None = None
    slop: int | None = None  # "a b"~N: within N positions, any order


@dataclass(frozen=True, slots=True)
class Prefix:
    text: str
    field: str | None = None


@dataclass(frozen=True, slots=True)
class Fuzzy:
    text: str
    edits: int
    field: str | None = None


@dataclass(frozen=True, slots=True)
class FacetTerm:
    facet: str  # a name in FACETS, or CASE_FIELD
    value: str


@dataclass(frozen=True, slots=True)
class Not:
    child: Node


@dataclass(frozen=True, slots=True)
class AllOf:
    children: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class AnyOf:
    children: tuple[Node, ...]


Node = Word | Phrase | Prefix | Fuzzy | FacetTerm | Not | AllOf | AnyOf
