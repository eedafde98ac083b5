"""What a build did (BuildReport) and what an index holds (IndexStats, index_stats)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from indexer.build.errors import BuildError, open_for_build


@dataclass(frozen=True, slots=True)
class Duplicate:
    """Two files carry the same letter id: the later file is kept."""

    letter_id: str
    kept: Path
    dropped: Path


@dataclass(slots=True)
class BuildReport:
    """What a build did, counted in letters unless named otherwise."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    failed: list[tuple[Path, str]] = field(default_factory=list)
    duplicates: list[Duplicate] = field(default_factory=list)
    decisions: int = 0  # decision documents written by this build
    seconds: float = 0.0
    commits: int = 0
    optimized: bool = False  # a merge left the index in one segment
    merged: int = 0  # segments the build's merges rewrote (indexer/engine/merging.py)
    merge_seconds: float = 0.0  # part of seconds: merging after the commits
    generation: int = -1  # the committed generation the build ended on
    letters_total: int = 0  # in the index after the build
    decisions_total: int = 0


@dataclass(frozen=True, slots=True)
class IndexStats:
    """Counts of an index: letters, decision documents, and documents per facet value."""

    letters: int
    decisions: int
    facets: dict[str, dict[str, int]]
    generation: int

    def to_json(self) -> dict[str, Any]:
        """Return the counts as `imr-index stats --json` prints them."""
        return {"letters": self.letters, "decisions": self.decisions, "facets": self.facets}


def index_stats(index_dir: Path) -> IndexStats:
    """Count letters, decision documents and documents per facet value in an index."""
    index_dir = Path(index_dir)
    if not index_dir.is_dir():
        raise BuildError(f"no index in {index_dir}; build one with: imr-index build")
    index = open_for_build(index_dir, create=False)
    facets = {
        facet: dict(sorted(counts.items(), key=_by_count))
        for facet, counts in index.facet_counts().items()
    }
    counts = index.counts()
    return IndexStats(counts.letters, counts.decisions, facets, index.generation())


def _by_count(item: tuple[str, int]) -> tuple[int, str]:
    return -item[1], item[0]
