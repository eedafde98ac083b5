"""The fields of a decision document, as every stage names them.

A letter becomes one document per decision item, carrying its letter's fields. These names are
the contract between the build, the engine, the search layer and the pages: a stored document
is a dict with the keys below (text parts, facets, `doc_id` "<letter_id>#<index>", `letter_id`,
`case_number`, `decision_index`, `source`, `decision_date`, `date_of_injury`, and on decision 0
`letter_json`). How a field is indexed is the engine's business.
"""

from __future__ import annotations

# Multi-valued facet values are joined with this character; no taxonomy value contains it,
# while several contain commas ("Forearm, Wrist, & Hand").
FACET_SEPARATOR = "|"

# Facets in the order the UI shows them. A document has at most one value of a single-valued
# facet; a multi-valued one is stored joined with FACET_SEPARATOR.
SINGLE_FACETS = ("outcome", "case_outcome", "category", "subcategory", "year")
MULTI_FACETS = ("reason", "guideline", "guideline_source", "specialty", "state", "body_region")
FACETS = (
    "outcome",
    "reason",
    "case_outcome",
    "category",
    "subcategory",
    "guideline",
    "guideline_source",
    "specialty",
    "state",
    "body_region",
    "year",
)
# Hierarchical facets: child facet -> parent facet. A subcategory value is written
# "Category > Subcategory" because some subcategory names repeat across categories.
FACET_PARENTS = {"subcategory": "category", "guideline_source": "guideline"}
SUBCATEGORY_JOIN = " > "

# The text parts of a decision, each searchable alone (treatment:, rationale:, summary:).
TEXT_FIELDS = ("treatment", "rationale", "summary")


def join_values(values: tuple[str, ...] | list[str]) -> str:
    """Join multi-valued facet values into the one string a document stores."""
    return FACET_SEPARATOR.join(values)


def split_values(stored: str | None) -> tuple[str, ...]:
    """Split a stored multi-valued facet back into its values."""
    return tuple(v for v in (stored or "").split(FACET_SEPARATOR) if v)
