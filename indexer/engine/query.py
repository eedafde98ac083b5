"""The project's query syntax tree: what the search layer hands the engine.

The parser (search_app/search/query.py) builds it from what a user typed; an engine compiles it
to its own queries. Field names are those of indexer.fields, `None` meaning every text part.
"""

from __future__ import annotations

from dataclasses import dataclass

CASE_FIELD = "case"  # FacetTerm(CASE_FIELD, ...): one case number


@dataclass(frozen=True, slots=True)
class Word:
    """A word as typed: any of its forms, and its synonyms."""

    text: str
    field: str | None = None  # None: the catch-all text field


@dataclass(frozen=True, slots=True)
class Phrase:
    """Quoted words: exactly these, in this order (no word forms, no synonyms); with slop
    ("a b"~N) the words, each in any of its forms, within N words of each other."""

    text: str
    field: str | None = None
    slop: int | None = None


@dataclass(frozen=True, slots=True)
class Near:
    """Each child within distance words of the next (w/N), before it when ordered.

    A child is a Word (any of its word forms, no synonyms), a Phrase (as written), a Prefix
    or an AnyOf of those.
    """

    children: tuple[Node, ...]
    distance: int
    ordered: bool = False


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


Node = Word | Phrase | Near | Prefix | Fuzzy | FacetTerm | Not | AllOf | AnyOf
