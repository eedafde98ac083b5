"""Facet tables: each facet's values and (document, value) pairs as numpy arrays.

An engine fills them once per committed generation; the search layer counts over them with a
mask of matching documents, so counting costs the same whatever engine found the matches.
"""

from __future__ import annotations

import json
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


def _holds_run(words: list[str], run: list[str]) -> bool:
    """Whether run occurs in words as consecutive words."""
    width = len(run)
    return any(words[i : i + width] == run for i in range(len(words) - width + 1))


def resolve_value(table: FacetTable, raw: str) -> tuple[str, ...]:
    """Find facet values a user typed: exact, any case, or a short form.

    A subcategory may be named without its category; a reason by any run of its words
    (`reason:exceeds`, `reason:"functional improvement"`), which may name several reasons.
    """
    wanted = " ".join(raw.split()).casefold()
    exact = tuple(v for v in table.values if v.casefold() == wanted)
    if exact:
        return exact
    if table.name == "subcategory":
        return tuple(
            v for v in table.values if v.partition(SUBCATEGORY_JOIN)[2].casefold() == wanted
        )
    if table.name == "reason" and wanted:
        run = wanted.split()
        return tuple(v for v in table.values if _holds_run(v.casefold().split(), run))
    return ()
