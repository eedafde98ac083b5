"""Brand <-> generic drug names and their Pharmaceuticals subcategory (data/drugs.json).

The table maps each generic (lowercase) to its drug class, which is a Pharmaceuticals
subcategory of the taxonomy, and to the brand and alternative names the letters use.
Compounded oral suspension kits (Synapryn, Tabradol, ...) are brands of their active drug.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "data" / "drugs.json"

# Drugs sold ready-made as a patch, gel, cream or ointment, and the class such a product
# takes. A drug not listed here named in a cream or gel is a pharmacy compound
# (TAXONOMY.md section 2); a listed drug keeps the class given here (a fentanyl patch is
# an opioid, diclofenac gel a topical analgesic).
MANUFACTURED_TOPICALS = {
    "lidocaine": "Topical Analgesics",
    "diclofenac": "Topical Analgesics",
    "diclofenac topical": "Topical Analgesics",
    "capsaicin": "Topical Analgesics",
    "methyl salicylate/menthol": "Topical Analgesics",
    "trolamine salicylate": "Topical Analgesics",
    "fentanyl": "Opioids",
    "buprenorphine": "Opioids",
    "testosterone": "Androgens & Anabolic Steroids",
    "estradiol": "Hormones",
    "clonidine": "Antihypertensive",
}


@dataclass(frozen=True, slots=True)
class Drug:
    """One generic drug: its class (a Pharmaceuticals subcategory) and its other names."""

    generic: str
    drug_class: str
    brands: tuple[str, ...]

    @property
    def names(self) -> frozenset[str]:
        """Return the generic and brand names, lowercase."""
        return frozenset({self.generic, *(b.lower() for b in self.brands)})


@cache
def drug_table() -> dict[str, Drug]:
    """Return the table keyed by generic name, loaded once."""
    raw = json.loads(DATA.read_text(encoding="utf-8"))["drugs"]
    return {
        generic: Drug(generic, entry["class"], tuple(entry["brands"]))
        for generic, entry in raw.items()
    }


@cache
def _name_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for drug in drug_table().values():
        for name in sorted(drug.names):
            index.setdefault(name, drug.generic)
    return index


def _name_pattern(name: str) -> str:
    parts = [re.escape(p) for p in re.split(r"\s+", name)]
    joined = r"\s+".join(parts)
    return joined.replace(r"/", r"\s*/\s*").replace(r"\-", r"[\s-]?")


@cache
def _names_re() -> re.Pattern[str]:
    # Longest names first, so 'Voltaren Gel' wins over 'Voltaren' at the same position.
    names = sorted(_name_index(), key=len, reverse=True)
    alternation = "|".join(_name_pattern(n) for n in names)
    return re.compile(rf"(?<![\w-])(?:{alternation})(?![\w-])", re.IGNORECASE)


def _canonical(matched: str) -> str:
    return re.sub(r"\s*/\s*", "/", re.sub(r"\s+", " ", matched.lower()))


def _generic_of_match(matched: str) -> str | None:
    index = _name_index()
    key = _canonical(matched)
    if key in index:
        return index[key]
    # A hyphen matched as a space or vice versa ('Gel One' for 'Gel-One').
    squashed = key.replace("-", "").replace(" ", "")
    for name, generic in index.items():
        if name.replace("-", "").replace(" ", "") == squashed:
            return generic
    return None


def find_drugs(text: str) -> tuple[str, ...]:
    """Return the generics of every drug named in a text, in order, without duplicates."""
    found: list[str] = []
    for match in _names_re().finditer(text):
        generic = _generic_of_match(match.group(0))
        if generic is not None and generic not in found:
            found.append(generic)
    return tuple(found)


def find_drug(text: str) -> str | None:
    """Return the generic of the first drug named in a text, brand or generic."""
    drugs = find_drugs(text)
    return drugs[0] if drugs else None


def drug_class(name: str) -> str | None:
    """Return the Pharmaceuticals subcategory of a drug given by brand or generic name."""
    generic = _name_index().get(_canonical(name.strip()))
    if generic is None:
        generic = find_drug(name)
    return drug_table()[generic].drug_class if generic else None


def synonyms_of(term: str) -> frozenset[str]:
    """Return the brand and generic names that find each other, lowercase.

    A term that names no drug gives the empty set.
    """
    generic = _name_index().get(_canonical(term.strip()))
    return drug_table()[generic].names if generic else frozenset()


def topical_class(generic: str) -> str:
    """Return the Pharmaceuticals subcategory of a drug named as a cream, gel or patch."""
    return MANUFACTURED_TOPICALS.get(generic, "Topical Compounds")
