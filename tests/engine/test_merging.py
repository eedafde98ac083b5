"""The build's merge policy (indexer/merging.py): tiers of segments, and what a build merges."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from whoosh.filedb.filestore import FileStorage
from whoosh.index import TOC

from indexer.build import BuildReport, build_index
from indexer.cli import summary_line
from indexer.engine import merging
from indexer.engine.merging import MERGE_FACTOR, TIER_FLOOR, SegmentSize, choose_merge, tier
from indexer.engine.whoosh.files import INDEX_NAME
from indexer.synthetic.corpus import generate_corpus
from search_app.search.service import open_index, parse_request, run_search

SHARD = SegmentSize(3_200)  # what a shard of 2,000 letters holds
BIG = SegmentSize(1_000_000)


def test_tiers_grow_by_the_merge_factor() -> None:
    bound = TIER_FLOOR * MERGE_FACTOR
    assert [tier(n) for n in (0, 1, bound - 1)] == [0, 0, 0]
    assert [tier(n) for n in (bound, bound * MERGE_FACTOR - 1)] == [1, 1]
    assert tier(bound * MERGE_FACTOR) == 2


def test_nothing_to_merge() -> None:
    assert choose_merge([], 0) == []
    assert choose_merge([SegmentSize(0)], 0) == []
    assert choose_merge([BIG], 1_000_000) == []  # one segment and nothing deleted


def test_a_large_change_merges_everything() -> None:
    fresh = [SHARD] * 30
    assert choose_merge(fresh, 30 * SHARD.documents) == list(range(30))
    # a quarter of the index written: everything; just under a quarter: tiers only
    base = [SegmentSize(30_000), SegmentSize(10_000)]
    assert choose_merge(base, 10_000) == [0, 1]
    assert choose_merge(base, 9_999) == []


def test_a_full_tier_is_merged_and_nothing_else() -> None:
    month = [SHARD] * 6
    assert choose_merge([BIG, *month], 6 * SHARD.documents) == []
    two_months = [BIG, *month, SegmentSize(50_000), *month]
    chosen = choose_merge(two_months, 6 * SHARD.documents)
    assert chosen == [i for i, size in enumerate(two_months) if size is SHARD]
    assert len(chosen) == 12


def test_the_lowest_full_tier_goes_first() -> None:
    middle = SegmentSize(TIER_FLOOR * MERGE_FACTOR)  # tier 1
    sizes = [*([middle] * MERGE_FACTOR), *([SHARD] * MERGE_FACTOR)]
    assert choose_merge(sizes, 0) == list(range(MERGE_FACTOR, 2 * MERGE_FACTOR))
    assert choose_merge([*([middle] * MERGE_FACTOR), SHARD], 0) == list(range(MERGE_FACTOR))


def test_a_worn_segment_is_rewritten() -> None:
    worn = SegmentSize(100_000, deleted=25_000)
    assert worn.live == 75_000
    assert choose_merge([BIG, worn], 0) == [1]
    assert choose_merge([BIG, SegmentSize(100_000, deleted=24_999)], 0) == []
    # with a full tier, the worn segment joins that merge
    assert choose_merge([BIG, worn, *([SHARD] * MERGE_FACTOR)], 0) == list(range(1, 12))
    # deletions of a quarter of the whole index merge all of it
    assert choose_merge([SegmentSize(100, deleted=50), SegmentSize(100)], 0) == [0, 1]


def segments(index_dir: Path) -> list[Any]:
    return list(TOC.read(FileStorage(str(index_dir)), INDEX_NAME).segments)


def segment_ids(index_dir: Path) -> list[str]:
    return [s.segment_id() for s in segments(index_dir)]


@pytest.fixture
def small_tiers(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tiers of a few documents: 0 below 30 live, 1 below 90, 2 below 270."""
    monkeypatch.setattr(merging, "TIER_FLOOR", 10)
    monkeypatch.setattr(merging, "MERGE_FACTOR", 3)


@pytest.mark.usefixtures("small_tiers")
def test_builds_merge_a_full_tier_and_leave_the_base(tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    generate_corpus(tmp_path / "base", 40, 3)
    first = build_index([tmp_path / "base"], index_dir, procs=1)
    (base,) = segment_ids(index_dir)
    assert merging.tier(first.decisions_total) == 1
    seen: list[list[str]] = []
    reports = []
    for n in range(5):  # five small builds, each well under a quarter of the index
        generate_corpus(tmp_path / f"batch{n}", 2, 100 + n)
        reports.append(build_index([tmp_path / f"batch{n}"], index_dir, procs=1))
        seen.append(segment_ids(index_dir))
    assert [len(ids) for ids in seen] == [2, 3, 2, 3, 2]
    assert all(ids[0] == base for ids in seen)  # the base segment is never rewritten
    assert [r.merged for r in reports] == [0, 0, 3, 0, 3]
    assert not any(r.optimized for r in reports)
    assert reports[2].merge_seconds > 0 and reports[0].merge_seconds < reports[2].merge_seconds
    # every letter is still there, once, and found
    index = open_index(index_dir)
    page = run_search(index, parse_request([]))
    assert (
        page.total
        == reports[-1].decisions_total
        == first.decisions_total + sum(r.decisions for r in reports)
    )
    index.close()


@pytest.mark.usefixtures("small_tiers")
def test_replacing_most_of_a_segment_rewrites_it(tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    generate_corpus(tmp_path / "base", 40, 3)
    generate_corpus(tmp_path / "batch", 8, 200)
    build_index([tmp_path / "base"], index_dir, procs=1)
    build_index([tmp_path / "batch"], index_dir, procs=1)
    base, batch = segment_ids(index_dir)
    # the batch's letters again, edited: its segment loses all of them to deletions
    for path in sorted((tmp_path / "batch").rglob("*.txt")):
        path.write_text(path.read_text(encoding="utf-8") + "\nEdited.\n", encoding="utf-8")
    report = build_index([tmp_path / "batch"], index_dir, procs=1)
    assert report.updated == 8 and report.merged == 1  # the worn segment, alone
    ids = segment_ids(index_dir)
    assert base in ids and batch not in ids and len(ids) == 2
    assert sum(s.deleted_count() for s in segments(index_dir)) == 0


def test_the_summary_line_tells_of_merges() -> None:
    assert "merged" not in summary_line(BuildReport(decisions=5, seconds=1.0))
    line = summary_line(BuildReport(decisions=5, seconds=2.0, merged=12, merge_seconds=1.5))
    assert "5 decisions in 2.0 s (2.5 decisions/s) (12 segments merged in 1.5 s);" in line
