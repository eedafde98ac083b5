"""Outcome analytics: the Wilson interval, counting over arrays, and agreement with search."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from whoosh import index as whoosh_index

from indexer.fields import split_values
from search_app.search.analytics import (
    CITATION_KINDS,
    DIMENSION_NAMES,
    MIN_RANKED,
    OVERTURNED,
    TOP_CITATIONS,
    UPHELD,
    Breakdown,
    MonthRow,
    PairColumn,
    StatsColumns,
    compute_stats,
    count_breakdown,
    count_months,
    order_rows,
    rate_row,
    stats_from_masks,
    wilson_interval,
)
from search_app.search.models import SearchPage, SearchRequest
from search_app.search.service import Index as LetterIndex
from search_app.search.service import open_index, parse_request, run_search
from search_app.web.charts import month_chart, rate_chart


# Hand-computed with p = k/n, z = 1.95996: centre = (p + z^2/2n) / (1 + z^2/n),
# half width = z / (1 + z^2/n) * sqrt(p(1-p)/n + z^2/4n^2).
@pytest.mark.parametrize(
    ("successes", "trials", "low", "high"),
    [
        pytest.param(0, 10, 0.0, 0.2775, id="none-of-ten"),
        pytest.param(5, 10, 0.2366, 0.7634, id="half-of-ten"),
        pytest.param(10, 10, 0.7225, 1.0, id="all-of-ten"),
        pytest.param(1, 100, 0.0018, 0.0545, id="one-in-a-hundred"),
        pytest.param(1, 1, 0.2065, 1.0, id="one-of-one"),
        pytest.param(50, 100, 0.4038, 0.5962, id="half-of-hundred"),
    ],
)
def test_wilson_interval_known_values(successes: int, trials: int, low: float, high: float) -> None:
    got_low, got_high = wilson_interval(successes, trials)
    assert got_low == pytest.approx(low, abs=5e-5)
    assert got_high == pytest.approx(high, abs=5e-5)


def test_wilson_interval_ends_exactly_at_zero_and_one() -> None:
    # Floating-point rounding once put the low end of 0 of 18 at 1e-17, above the rate.
    for trials in range(1, 200):
        assert wilson_interval(0, trials)[0] == 0.0
        assert wilson_interval(trials, trials)[1] == 1.0
        for successes in range(trials + 1):
            low, high = wilson_interval(successes, trials)
            assert low <= successes / trials <= high


def test_wilson_interval_without_trials_is_uninformative() -> None:
    assert wilson_interval(0, 0) == (0.0, 1.0)


@pytest.mark.parametrize(("successes", "trials"), [(3, 2), (-1, 4), (0, -1)])
def test_wilson_interval_rejects_impossible_counts(successes: int, trials: int) -> None:
    with pytest.raises(ValueError, match="successes <= trials"):
        wilson_interval(successes, trials)


def test_wilson_interval_contains_the_rate_and_narrows_with_more_trials() -> None:
    widths = []
    for trials in (10, 100, 1000, 10000):
        low, high = wilson_interval(trials // 10, trials)
        assert low < 0.1 < high
        widths.append(high - low)
    assert widths == sorted(widths, reverse=True)


def test_small_numbers_are_not_ranked_and_come_last() -> None:
    rows = [
        rate_row("tiny but all overturned", 2, 2),
        rate_row("large", 100, 10),
        rate_row("just enough", MIN_RANKED, 1),
        rate_row("just short", MIN_RANKED - 1, 4),
        rate_row("largest, lowest", 400, 4),
    ]
    ordered = order_rows(rows)
    assert [row.value for row in ordered] == [
        "just enough",  # 20%
        "large",  # 10%
        "largest, lowest",  # 1%
        "just short",  # unranked, 4 decisions
        "tiny but all overturned",  # unranked, 2 decisions
    ]
    assert [row.ranked for row in ordered] == [True, True, True, False, False]
    small = ordered[-1]
    assert (small.decisions, small.overturned, small.rate) == (2, 2, 1.0)
    assert small.low == pytest.approx(wilson_interval(2, 2)[0])


def test_chronological_dimensions_keep_their_order() -> None:
    rows = [rate_row("2016", 10, 1), rate_row("2014", 2, 1), rate_row("2015", 50, 40)]
    assert [row.value for row in order_rows(rows, chronological=True)] == ["2014", "2015", "2016"]


def _column(labels: tuple[str, ...], pairs: list[tuple[int, int]]) -> PairColumn:
    docs = np.array([doc for doc, _ in pairs], dtype=np.int64)
    ordinals = np.array([value for _, value in pairs], dtype=np.int64)
    return PairColumn(labels, docs, ordinals)


def test_count_breakdown_counts_multi_valued_documents_once_per_value() -> None:
    # Documents 0-3; doc 1 carries both values; doc 3 is outside the mask.
    column = _column(("A", "B"), [(0, 0), (1, 0), (1, 1), (2, 1), (3, 1)])
    mask = np.array([True, True, True, False])
    overturned = np.array([False, True, False, True])
    breakdown = count_breakdown(column, mask, overturned, "specialty", "Specialty")
    got = {row.value: (row.decisions, row.overturned) for row in breakdown.rows}
    assert got == {"A": (2, 1), "B": (2, 1)}


def test_count_months_fills_empty_months_and_skips_undated() -> None:
    month = np.array([2016 * 12 + 10, 2017 * 12 + 0, -1, 2016 * 12 + 10], dtype=np.int64)
    mask = np.array([True, True, True, True])
    overturned = np.array([True, False, True, False])
    rows = count_months(month, mask, overturned)
    assert [(row.month, row.decisions, row.overturned) for row in rows] == [
        ("2016-11", 2, 1),
        ("2016-12", 0, 0),
        ("2017-01", 1, 0),
    ]
    assert rows[1].rate is None
    assert count_months(month, np.zeros(4, dtype=np.bool_), overturned) == ()


def _tiny_columns() -> StatsColumns:
    pairs = [(doc, doc % 2) for doc in range(6)]
    dims = {name: _column(("even", "odd"), pairs) for name in DIMENSION_NAMES}
    cites = {kind: _column((f"{kind} one",), [(0, 0), (1, 0)]) for kind in CITATION_KINDS}
    return StatsColumns(
        doc_count=6,
        overturned=np.array([True, True, False, False, False, False]),
        month=np.full(6, 2016 * 12, dtype=np.int64),
        dimensions=dims,
        citations=cites,
    )


def test_stats_from_masks_counts_each_dimension_without_its_own_filter() -> None:
    columns = _tiny_columns()
    base = np.ones(6, dtype=np.bool_)  # the query matches every document
    odd = np.array([False, True, False, True, False, True])
    req = SearchRequest(filters=(("state", ("odd",)),))
    stats = stats_from_masks(columns, base, {"state": odd}, req)
    assert (stats.total, stats.overturned) == (3, 1)
    state = {row.value: row.decisions for row in stats.breakdown("state").rows}
    assert state == {"even": 3, "odd": 3}  # counted as if the state filter were off
    specialty = {row.value: row.decisions for row in stats.breakdown("specialty").rows}
    assert specialty == {"odd": 3}
    assert [(c.value, c.count) for c in stats.cited_overturned] == [
        ("guideline_source one", 1),
        ("mtus_page one", 1),
    ]
    assert stats.cited_upheld == ()
    assert stats.by_month[0].decisions == 3


def test_charts_escape_labels_and_carry_text_alternatives() -> None:
    rows = order_rows([rate_row("<script>x</script>", 10, 3), rate_row("few & far", 2, 0)])
    svg = str(rate_chart(Breakdown("specialty", "Reviewer specialty", rows), "c1"))
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert '<title id="c1-title">' in svg and '<desc id="c1-desc">' in svg
    assert "few &amp; far *" in svg
    assert "fewer than 5 decisions" in svg
    months = (MonthRow("2016-12", 4, 1), MonthRow("2017-01", 0, 0))
    line = str(month_chart(months, "m"))
    assert "<polyline" not in line and "<circle" in line  # one month with a rate: a dot
    assert "2016-12 to 2017-01" in line


# ---- Over the real corpus index: the numbers equal run_search's facet counts exactly ----


@pytest.fixture(scope="module")
def letter_index(corpus_index: Path) -> LetterIndex:
    return open_index(corpus_index)


def _requests(index: LetterIndex) -> list[list[tuple[str, str]]]:
    """A few requests built from values that exist in the corpus."""
    browse = run_search(index, parse_request([]))
    top = {facet: values[0].value for facet, values in browse.facets.items() if values}
    second = {facet: values[1].value for facet, values in browse.facets.items() if len(values) > 1}
    return [
        [],
        [("q", "pain")],
        [("q", '"medically necessary"'), ("year", top["year"])],
        [("specialty", top["specialty"]), ("specialty", second["specialty"])],
        [("subcategory", top["subcategory"]), ("body_region", top["body_region"])],
        [("guideline", top["guideline"]), ("state", top["state"]), ("q", "treatment")],
    ]


def _counts(page: SearchPage, facet: str) -> dict[str, int]:
    return {value.value: value.count for value in page.facets[facet] if value.count}


def test_stats_equal_search_facet_counts(letter_index: LetterIndex) -> None:
    for pairs in _requests(letter_index):
        req = parse_request(pairs)
        stats = compute_stats(letter_index, req)
        page = run_search(letter_index, req)
        reversed_page = run_search(letter_index, parse_request([*pairs, ("outcome", OVERTURNED)]))
        assert stats.total == page.total, pairs
        assert stats.overturned == reversed_page.total, pairs
        for dimension in DIMENSION_NAMES:
            rows = stats.breakdown(dimension).rows
            assert {r.value: r.decisions for r in rows} == _counts(page, dimension), (
                pairs,
                dimension,
            )
            overturned = {r.value: r.overturned for r in rows if r.overturned}
            assert overturned == _counts(reversed_page, dimension), (pairs, dimension)
        dated = sum(m.decisions for m in stats.by_month)
        assert dated + stats.undated == stats.total


def test_stats_over_the_corpus_are_not_trivial(letter_index: LetterIndex) -> None:
    stats = compute_stats(letter_index, parse_request([]))
    assert stats.total > 50
    assert 0 < stats.overturned < stats.total
    for dimension in DIMENSION_NAMES:
        assert stats.breakdown(dimension).rows, dimension
    assert stats.by_month and stats.cited_overturned and stats.cited_upheld


def test_month_counts_equal_year_counts(letter_index: LetterIndex) -> None:
    stats = compute_stats(letter_index, parse_request([]))
    per_year: dict[str, int] = {}
    for month in stats.by_month:
        per_year[month.month[:4]] = per_year.get(month.month[:4], 0) + month.decisions
    assert {y: n for y, n in per_year.items() if n} == {
        row.value: row.decisions for row in stats.breakdown("year").rows
    }


def test_citations_equal_a_scan_of_stored_fields(
    corpus_index: Path, letter_index: LetterIndex
) -> None:
    expected: dict[str, Counter[tuple[str, str]]] = {OVERTURNED: Counter(), UPHELD: Counter()}
    with whoosh_index.open_dir(str(corpus_index)).reader() as reader:
        for _, fields in reader.iter_docs():
            counter = expected[fields["outcome"]]
            counter.update(
                ("guideline_source", v) for v in split_values(fields.get("guideline_source"))
            )
            counter.update(
                ("mtus_page", v)
                for v in split_values(fields.get("citation"))
                if v.startswith("MTUS")
            )
    stats = compute_stats(letter_index, parse_request([]))
    for outcome, cited in ((OVERTURNED, stats.cited_overturned), (UPHELD, stats.cited_upheld)):
        ranked = sorted(expected[outcome].items(), key=lambda item: (-item[1], item[0][1]))
        assert [(c.kind, c.value, c.count) for c in cited] == [
            (kind, value, count) for (kind, value), count in ranked[:TOP_CITATIONS]
        ]


def test_the_real_letters_cite_mtus_pages(real_corpus: Path, letter_index: LetterIndex) -> None:
    # With the real letters here, letter_index is theirs (tests/conftest.py corpus_index).
    stats = compute_stats(letter_index, parse_request([]))
    assert any(c.kind == "mtus_page" for c in stats.cited_overturned + stats.cited_upheld)


def test_small_numbers_are_marked_over_the_corpus(letter_index: LetterIndex) -> None:
    stats = compute_stats(letter_index, parse_request([]))
    seen_small = False
    for breakdown in stats.breakdowns:
        flags = [row.ranked for row in breakdown.rows]
        for row in breakdown.rows:
            assert row.ranked == (row.decisions >= MIN_RANKED)
            assert row.low <= (row.rate or 0.0) <= row.high
        if breakdown.dimension != "year":
            assert flags == sorted(flags, reverse=True), breakdown.dimension  # ranked first
            rates = [row.rate for row in breakdown.rows if row.ranked]
            assert rates == sorted(rates, reverse=True), breakdown.dimension
        seen_small = seen_small or not all(flags)
    assert seen_small, "the corpus should have some values with fewer than MIN_RANKED decisions"
