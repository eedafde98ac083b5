"""The facet vocabulary of TAXONOMY.md, loaded once from data/taxonomy.json."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parents[1] / "data" / "taxonomy.json"


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """Every facet value the taxonomy allows, plus the alias and match tables."""

    treatment: dict[str, tuple[str, ...]]  # category -> subcategories
    treatment_aliases: dict[str, str]
    guideline: dict[str, tuple[str, ...]]  # family -> sources
    source_match: dict[str, dict[str, tuple[str, ...]]]  # family -> source -> variants
    specialties: tuple[str, ...]
    specialty_aliases: dict[str, str]
    states: tuple[str, ...]
    body_regions: tuple[str, ...]
    outcomes: tuple[str, ...]
    reasons: dict[str, tuple[str, ...]]  # 'Upheld' / 'Overturned' / 'any' -> reason labels

    def has_treatment(self, category: str, subcategory: str) -> bool:
        """Tell whether category > subcategory is a value of the vocabulary."""
        return subcategory in self.treatment.get(category, ())

    def reason_labels(self, outcome: str) -> tuple[str, ...]:
        """Return the reasons an item with this outcome may take, its own table first."""
        return self.reasons.get(outcome, ()) + self.reasons.get("any", ())

    def family_of(self, source: str) -> str | None:
        """Return the guideline family a source belongs to (source names are unique)."""
        for family, sources in self.guideline.items():
            if source in sources:
                return family
        return None


def _source_match(entry: dict[str, Any]) -> dict[str, tuple[str, ...]]:
    matches = entry.get("source_match") or {}
    return {source: tuple(matches.get(source, (source,))) for source in entry.get("sources", ())}


@cache
def vocabulary() -> Vocabulary:
    """Return the vocabulary, read from data/taxonomy.json on first use."""
    raw = json.loads(DATA.read_text(encoding="utf-8"))
    return Vocabulary(
        treatment={cat: tuple(subs) for cat, subs in raw["treatment"].items()},
        treatment_aliases=dict(raw["treatment_aliases"]),
        guideline={fam: tuple(e.get("sources", ())) for fam, e in raw["guideline"].items()},
        source_match={fam: _source_match(e) for fam, e in raw["guideline"].items()},
        specialties=tuple(raw["specialty"]),
        specialty_aliases=dict(raw["specialty_aliases"]),
        states=tuple(raw["state"]),
        body_regions=tuple(raw["body_region"]),
        outcomes=tuple(raw["outcome"]),
        reasons={outcome: tuple(labels) for outcome, labels in raw["reason"].items()},
    )
