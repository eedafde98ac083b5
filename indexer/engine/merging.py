"""Which segments a build merges once its letters are committed: a log-structured policy.

Every query reads every segment, so many segments slow it down (bench/RESULTS.md: thirty
shard segments answered several times slower than one). But a merge rewrites every posting it
takes, so merging the whole index after each month would rewrite the whole index every month,
which at a million decisions takes longer than the month's letters themselves.

So segments are sorted into tiers by their live decisions: tier 0 holds fewer than
TIER_FLOOR * MERGE_FACTOR, and each tier above holds MERGE_FACTOR times more. When a tier
fills up to MERGE_FACTOR segments, they are merged into one, which usually lands in the next
tier up. A decision is rewritten once per tier it climbs, about log10(index / 2,000) times in
all. No segment is rewritten merely because small ones arrived next to it.

There are two exceptions:

- A change of at least a quarter of the index (a first build, say) merges everything into
  one segment. The change is rewritten once either way, and queries get the fastest layout.
- A segment that has lost a quarter of its decisions to deletions is rewritten, to purge
  them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

MERGE_FACTOR = 10  # segments of one tier merged together
TIER_FLOOR = 2_000  # decisions; tier 0 is below TIER_FLOOR * MERGE_FACTOR (a shard: ~3,200)
WORN_SHARE = 0.25  # a segment with this share of its documents deleted is rewritten
CHANGED_SHARE = 0.25  # a build that wrote this share of the index merges all of it


@dataclass(frozen=True, slots=True)
class SegmentSize:
    """A segment's documents, deleted ones included, and how many of them are deleted."""

    documents: int
    deleted: int = 0

    @property
    def live(self) -> int:
        return self.documents - self.deleted


def tier(live: int) -> int:
    """Return the tier of a segment with this many live documents."""
    level, bound = 0, TIER_FLOOR * MERGE_FACTOR
    while live >= bound:
        level += 1
        bound *= MERGE_FACTOR
    return level


def choose_merge(sizes: Sequence[SegmentSize], written: int) -> list[int]:
    """Return the positions of the segments one merge should combine (empty: merge none).

    written is the number of documents the build wrote. Call again after each merge: one
    merge can fill the tier above.
    """
    documents = sum(s.documents for s in sizes)
    deleted = sum(s.deleted for s in sizes)
    if not documents or (len(sizes) == 1 and not deleted):
        return []
    live = documents - deleted
    if written >= CHANGED_SHARE * live or deleted >= WORN_SHARE * documents:
        return list(range(len(sizes)))
    worn = [i for i, s in enumerate(sizes) if s.deleted and s.deleted >= WORN_SHARE * s.documents]
    tiers: dict[int, list[int]] = {}
    for i, size in enumerate(sizes):
        if i not in worn:
            tiers.setdefault(tier(size.live), []).append(i)
    for level in sorted(tiers):
        if len(tiers[level]) >= MERGE_FACTOR:
            return sorted(tiers[level] + worn)
    return worn
