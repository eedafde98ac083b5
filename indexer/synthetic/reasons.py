"""The reasons of synthetic decisions (TAXONOMY.md section 8): which ones an item rests on.

Each decision gets one to three reasons that fit its outcome and its kind of request, drawn by
weights that follow what IMR letters give most often. Decisions made here:

- An Overturned item always rests on the indications the guideline asks for being documented:
  finding the request medically necessary is finding them met. Its other grounds come on top.
- Grounds that need earlier treatment of the same kind (its results, its limits) go only to
  requests that are continued: drugs, sessions, procedures, devices, not studies or visits.
- Depends on a non-certified service goes only to items that exist for another service (an
  assistant surgeon, post-operative therapy or equipment, a stomach protector for an NSAID).
- A request for a repeat study has Duplicate therapy among its grounds: the heading says so.
- Reasons are listed most decisive first, in the order of REASON_ORDER.

The wording of each ground is indexer.synthetic.grounds.
"""

from __future__ import annotations

import enum
import random
from collections.abc import Sequence

from indexer.classify.reason_cues import (
    CONSERVATIVE_FAILED,
    DEPENDS,
    DUPLICATE,
    EXCEEDS,
    IMPROVEMENT,
    INDICATIONS,
    INSUFFICIENT,
    NO_CONSERVATIVE,
    NO_IMPROVEMENT,
    NO_INDICATIONS,
    NOT_RECOMMENDED,
    SAFETY,
    WITHIN,
)
from indexer.classify.reasons import OVERTURNED_ORDER, UPHELD_ORDER
from indexer.synthetic.vocab import Kind

# The generator writes what the classifier reads: its labels and its order, most decisive
# first (a non-certified primary service, the guideline's position, its limits, the results of
# earlier treatment, the findings, and last the gaps of the paperwork).
REASON_ORDER = UPHELD_ORDER + OVERTURNED_ORDER
UPHELD_WEIGHTS = (
    (NO_INDICATIONS, 26),
    (NO_IMPROVEMENT, 22),
    (INSUFFICIENT, 18),
    (NO_CONSERVATIVE, 16),
    (NOT_RECOMMENDED, 8),
    (EXCEEDS, 8),
    (SAFETY, 6),
    (DUPLICATE, 4),
    (DEPENDS, 40),  # only items that exist for another service: their usual ground
)
# Grounds added to Indications documented for an Overturned item.
OVERTURNED_WEIGHTS = ((WITHIN, 60), (IMPROVEMENT, 20), (CONSERVATIVE_FAILED, 20))
UPHELD_COUNTS = ((1, 50), (2, 35), (3, 15))
OVERTURNED_EXTRAS = ((0, 35), (1, 50), (2, 15))


class Group(enum.Enum):
    """What a request is, for the grounds that fit it and how a sentence names it."""

    DRUG = "drug"
    SESSIONS = "sessions"
    STUDY = "study"
    PROCEDURE = "procedure"
    DEVICE = "device"
    VISIT = "visit"


GROUP_OF_CATEGORY = {
    "Pharmaceuticals": Group.DRUG,
    "Rehabilitation": Group.SESSIONS,
    "Therapies": Group.SESSIONS,
    "Programs": Group.SESSIONS,
    "Home Health": Group.SESSIONS,
    "Diagnostic Testing": Group.STUDY,
    "Injection": Group.PROCEDURE,
    "Surgery": Group.PROCEDURE,
    "DMEPOS": Group.DEVICE,
}
SESSION_SUBCATEGORIES = frozenset({"Therapies"})  # psychotherapy, unlike a psych evaluation
# The grounds each group of requests can rest on (all of them take the rest).
ONLY_FOR = {
    NO_IMPROVEMENT: frozenset({Group.DRUG, Group.SESSIONS, Group.PROCEDURE, Group.DEVICE}),
    IMPROVEMENT: frozenset({Group.DRUG, Group.SESSIONS, Group.PROCEDURE, Group.DEVICE}),
    EXCEEDS: frozenset({Group.DRUG, Group.SESSIONS, Group.DEVICE}),
    WITHIN: frozenset({Group.DRUG, Group.SESSIONS, Group.PROCEDURE, Group.DEVICE}),
    SAFETY: frozenset({Group.DRUG, Group.PROCEDURE}),
    DUPLICATE: frozenset({Group.DRUG, Group.SESSIONS, Group.STUDY, Group.DEVICE}),
    NO_CONSERVATIVE: frozenset(
        {Group.DRUG, Group.SESSIONS, Group.STUDY, Group.PROCEDURE, Group.DEVICE}
    ),
    CONSERVATIVE_FAILED: frozenset(
        {Group.DRUG, Group.SESSIONS, Group.STUDY, Group.PROCEDURE, Group.DEVICE}
    ),
}
DEPENDENT_SUBCATEGORIES = frozenset({"Adjunct Surgical Services", "Proton Pump Inhibitors", "DME"})
NO_SCREEN_SUBCATEGORIES = frozenset({"Lab & Pathology"})  # the drug screen is the request


def group_of(kind: Kind) -> Group:
    """Return the group of requests a kind belongs to, for its grounds and their wording."""
    if kind.category == "Psych Services":
        return Group.SESSIONS if kind.subcategory in SESSION_SUBCATEGORIES else Group.VISIT
    return GROUP_OF_CATEGORY.get(kind.category, Group.VISIT)


def _fits(reason: str, kind: Kind, treatment: str) -> bool:
    group = group_of(kind)
    if reason == DEPENDS:
        return kind.subcategory in DEPENDENT_SUBCATEGORIES or treatment.startswith("Post-op")
    if reason == SAFETY and kind.subcategory in NO_SCREEN_SUBCATEGORIES:
        return False
    return group in ONLY_FOR.get(reason, frozenset({group}))


def _draw(rng: random.Random, table: Sequence[tuple[str, int]], count: int) -> list[str]:
    chosen: list[str] = []
    pool = list(table)
    while pool and len(chosen) < count:
        value = rng.choices([v for v, _ in pool], weights=[w for _, w in pool])[0]
        chosen.append(value)
        pool = [(v, w) for v, w in pool if v != value]
    return chosen


def pick_reasons(rng: random.Random, kind: Kind, treatment: str, upheld: bool) -> tuple[str, ...]:
    """Pick 1-3 reasons for a decision on this request, most decisive first."""
    if upheld:
        forced = [DUPLICATE] if "repeat" in treatment.lower() else []
        table = [(r, w) for r, w in UPHELD_WEIGHTS if _fits(r, kind, treatment) and r not in forced]
        count = rng.choices(*zip(*UPHELD_COUNTS, strict=True))[0] - len(forced)
        chosen = forced + _draw(rng, table, count)
    else:
        table = [(r, w) for r, w in OVERTURNED_WEIGHTS if _fits(r, kind, treatment)]
        count = rng.choices(*zip(*OVERTURNED_EXTRAS, strict=True))[0]
        chosen = [INDICATIONS, *_draw(rng, table, count)]
    return tuple(r for r in REASON_ORDER if r in chosen)
