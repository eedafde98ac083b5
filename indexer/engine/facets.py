"""Facet tables: each facet's values and (document, value) pairs as numpy arrays.

An engine fills them once per committed generation; the search layer counts over them with a
mask of matching documents, so counting costs the same whatever engine found the matches.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np
import numpy.typing as npt

from indexer.fields import SUBCATEGORY_JOIN

BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]
# Facet pairs are stored as 32-bit document numbers and ordinals: half the memory of 64-bit
# ones, and what the arrays file holds.
PairArray = npt.NDArray[np.int32]
PAIR_TYPE = np.int32

# Date keys sort as unsigned integers; an undated document has the largest one.
MISSING_DATE = np.iinfo(np.uint64).max


@dataclass(frozen=True, slots=True)
class FacetTable:
    """One facet's values and its (document, value ordinal) pairs.

    Single- and multi-valued facets share this shape, so counting is one bincount over the
    pairs whose document is in the mask, whatever the facet.
    """

    name: str
    values: tuple[str, ...]
    ordinals: Mapping[str, int]
    pair_docs: PairArray
    pair_values: PairArray

    def count(self, mask: BoolArray) -> IntArray:
        """Count the documents in mask per value ordinal."""
        if not len(self.pair_docs):
            return np.zeros(len(self.values), dtype=np.int64)
        chosen = self.pair_values[mask[self.pair_docs]]
        return np.bincount(chosen, minlength=len(self.values)).astype(np.int64)

    def mask_for(self, selected: Iterable[str], size: int) -> BoolArray:
        """Return the documents having any of the selected values (unknown ones match nothing)."""
        ords = [self.ordinals[v] for v in selected if v in self.ordinals]
        mask = np.zeros(size, dtype=np.bool_)
        if ords:
            mask[self.pair_docs[np.isin(self.pair_values, ords)]] = True
        return mask

    def per_doc(self, size: int) -> IntArray:
        """Return one ordinal per document (-1 when none; the first value when several)."""
        out = np.full(size, -1, dtype=np.int64)
        out[self.pair_docs[::-1]] = self.pair_values[::-1]
        return out


@lru_cache(maxsize=1)
def guideline_families() -> dict[str, str]:
    """Map each guideline source to its family, from indexer/data/taxonomy.json."""
    data = json.loads(
        resources.files("indexer").joinpath("data/taxonomy.json").read_text(encoding="utf-8")
    )
    families: dict[str, str] = {}
    for family, body in data["guideline"].items():
        for source in body.get("sources", ()):
            families.setdefault(source, family)
    return families


def parent_of(facet: str, value: str) -> str | None:
    """Return a hierarchical value's parent: a subcategory's category, a source's family."""
    if facet == "subcategory":
        category, sep, _ = value.partition(SUBCATEGORY_JOIN)
        return category if sep else None
    if facet == "guideline_source":
        return guideline_families().get(value)
    return None


# The postal codes of the states, the usual short names of the state facet's values.
STATE_CODES = dict(
    pair.split("=")
    for pair in (
        "AL=Alabama AK=Alaska AZ=Arizona AR=Arkansas CA=California CO=Colorado CT=Connecticut"
        " DE=Delaware DC=District_of_Columbia FL=Florida GA=Georgia HI=Hawaii ID=Idaho"
        " IL=Illinois IN=Indiana IA=Iowa KS=Kansas KY=Kentucky LA=Louisiana ME=Maine"
        " MD=Maryland MA=Massachusetts MI=Michigan MN=Minnesota MS=Mississippi MO=Missouri"
        " MT=Montana NE=Nebraska NV=Nevada NH=New_Hampshire NJ=New_Jersey NM=New_Mexico"
        " NY=New_York NC=North_Carolina ND=North_Dakota OH=Ohio OK=Oklahoma OR=Oregon"
        " PA=Pennsylvania RI=Rhode_Island SC=South_Carolina SD=South_Dakota TN=Tennessee"
        " TX=Texas UT=Utah VT=Vermont VA=Virginia WA=Washington WV=West_Virginia"
        " WI=Wisconsin WY=Wyoming"
    )
    .replace("_", " ")
    .split(" ")
    if "=" in pair
)
# A value's words, for short names: split at spaces, parentheses, slashes, commas and '&' (not
# at hyphens: "ACOEM (non-MTUS)" is no MTUS guideline).
_VALUE_WORDS_RE = re.compile(r"[\s()/,&>]+")


def _words(value: str) -> set[str]:
    return {w for w in _VALUE_WORDS_RE.split(value.casefold()) if w}


def resolve_value(table: FacetTable, raw: str) -> tuple[str, ...]:
    """Find the facet values a user means: the value in any case, a subcategory's own name,
    a state's postal code (CA), or a short name: every value holding all its words (ODG is
    "Official Disability Guidelines (ODG)", MTUS each MTUS guideline, neck Cervical/Neck)."""
    wanted = " ".join(raw.split()).casefold()
    exact = tuple(v for v in table.values if v.casefold() == wanted)
    if exact:
        return exact
    if table.name == "subcategory":
        own = tuple(
            v for v in table.values if v.partition(SUBCATEGORY_JOIN)[2].casefold() == wanted
        )
        if own:
            return own
    if table.name == "state" and raw.strip().upper() in STATE_CODES:
        state = STATE_CODES[raw.strip().upper()]
        return tuple(v for v in table.values if v == state)
    words = _words(wanted)
    if not words:
        return ()
    return tuple(v for v in table.values if words <= _words(v))
