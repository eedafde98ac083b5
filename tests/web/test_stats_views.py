"""The /stats page, /stats.csv and /api/stats over the corpus index (Flask test client)."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest

from search_app import create_app
from search_app.search.analytics import DIMENSION_NAMES, MIN_RANKED
from search_app.web.stats import CSV_TABLES

ROW_KEYS = {"value", "decisions", "overturned", "rate", "low", "high", "ranked"}


def _top_value(client: Any, facet: str) -> str:
    body = client.get("/api/search").get_json()
    return str(body["facets"][facet][0]["value"])


def test_api_stats_shape(client: Any) -> None:
    response = client.get("/api/stats")
    assert response.status_code == 200
    body = response.get_json()
    assert {"total", "overturned", "by", "by_month", "citations"} <= set(body)
    assert set(body["by"]) == set(DIMENSION_NAMES)
    for dimension, rows in body["by"].items():
        assert rows, dimension
        for row in rows:
            assert set(row) == ROW_KEYS
            assert 0 <= row["overturned"] <= row["decisions"]
            assert 0.0 <= row["low"] <= row["rate"] <= row["high"] <= 1.0
            assert row["ranked"] == (row["decisions"] >= MIN_RANKED)
    for month in body["by_month"]:
        assert set(month) == {"month", "decisions", "overturned"}
        assert re.fullmatch(r"\d{4}-\d{2}", month["month"])
    assert sum(m["decisions"] for m in body["by_month"]) + body["undated"] == body["total"]
    for side in ("overturned", "upheld"):
        for item in body["citations"][side]:
            assert {"value", "count"} <= set(item) and item["count"] > 0


def test_api_stats_totals_equal_api_search(client: Any) -> None:
    specialty = _top_value(client, "specialty")
    query = urlencode([("q", "pain"), ("specialty", specialty)])
    stats = client.get(f"/api/stats?{query}").get_json()
    search = client.get(f"/api/search?{query}").get_json()
    reversed_ = client.get(f"/api/search?{query}&outcome=Overturned").get_json()
    assert stats["total"] == search["total"] > 0
    assert stats["overturned"] == reversed_["total"]
    counts = {f["value"]: f["count"] for f in search["facets"]["specialty"] if f["count"]}
    assert {r["value"]: r["decisions"] for r in stats["by"]["specialty"]} == counts


@pytest.mark.parametrize(
    "query",
    [
        pytest.param("decided_from=2016-13-01", id="bad-date"),
        pytest.param("q=" + "x" * 5000, id="query-too-long"),
        pytest.param("injured_to=yesterday", id="bad-injury-date"),
    ],
)
def test_bad_params_answer_400(client: Any, query: str) -> None:
    api = client.get(f"/api/stats?{query}")
    assert api.status_code == 400
    assert api.get_json()["error"]
    assert client.get(f"/stats?{query}").status_code == 400
    assert client.get(f"/stats.csv?table=year&{query}").status_code == 400


def test_missing_index_answers_503(tmp_path: Path) -> None:
    app = create_app({"INDEX": str(tmp_path / "no-index"), "TESTING": True})
    client = app.test_client()
    api = client.get("/api/stats")
    assert api.status_code == 503
    assert "imr-index build" in api.get_json()["error"]
    assert client.get("/stats").status_code == 503
    assert client.get("/stats.csv?table=year").status_code == 503


def test_stats_page_has_charts_with_text_alternatives_and_tables(client: Any) -> None:
    response = client.get("/stats?q=pain")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    svgs = re.findall(r"<svg\b.*?</svg>", html, flags=re.S)
    # One per dimension, the monthly chart, and the reasons of upheld and of overturned decisions.
    assert len(svgs) == len(DIMENSION_NAMES) + 3
    for svg in svgs:
        ids = re.search(r'aria-labelledby="([^" ]+) ([^" ]+)"', svg)
        assert ids, svg[:200]
        assert f'<title id="{ids[1]}">' in svg and f'<desc id="{ids[2]}">' in svg
    for dimension in DIMENSION_NAMES:
        assert f'id="by-{dimension}"' in html
    assert html.count("<table") >= len(DIMENSION_NAMES) + 2  # + month and citation tables
    assert 'href="/?q=pain"' in html  # back to the same search


def test_stats_page_escapes_the_query(client: Any) -> None:
    html = client.get("/stats?q=%3Cscript%3Ealert(1)%3C/script%3E").get_data(as_text=True)
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(1)" in html


def test_table_rows_link_to_a_filtered_search(client: Any) -> None:
    html = client.get("/stats?q=pain").get_data(as_text=True)
    section = html.split('id="by-specialty"', 1)[1].split("</table>", 1)[0]
    links = re.findall(r'<th scope="row"><a href="([^"]+)">', section)
    assert links
    params = parse_qsl(urlsplit(links[0].replace("&amp;", "&")).query)
    assert ("q", "pain") in params and any(name == "specialty" for name, _ in params)


@pytest.mark.parametrize("table", CSV_TABLES)
def test_csv_tables_parse_and_match_the_api(client: Any, table: str) -> None:
    response = client.get(f"/stats.csv?table={table}&q=pain")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert f"imr-stats-{table}.csv" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert rows
    api = client.get("/api/stats?q=pain").get_json()
    if table in DIMENSION_NAMES:
        assert [(r[table], int(r["decisions"]), int(r["overturned"])) for r in rows] == [
            (r["value"], r["decisions"], r["overturned"]) for r in api["by"][table]
        ]
    elif table == "month":
        assert [r["month"] for r in rows] == [m["month"] for m in api["by_month"]]
    elif table == "reasons":
        expected = [
            (outcome.capitalize(), r["value"], r["decisions"])
            for outcome in ("upheld", "overturned")
            for r in api["reasons"][outcome]["rows"]
        ]
        assert [(r["outcome"], r["reason"], int(r["decisions"])) for r in rows] == expected
    else:
        expected = [("Overturned", c["value"]) for c in api["citations"]["overturned"]]
        expected += [("Upheld", c["value"]) for c in api["citations"]["upheld"]]
        assert [(r["outcome"], r["value"]) for r in rows] == expected


def test_csv_rejects_an_unknown_table(client: Any) -> None:
    response = client.get("/stats.csv?table=../../etc/passwd")
    assert response.status_code == 400
    assert "choose one of" in response.get_data(as_text=True)


def test_small_numbers_are_marked_on_the_page(client: Any) -> None:
    body = client.get("/api/stats").get_json()
    small = [(d, r) for d, rows in body["by"].items() for r in rows if not r["ranked"]]
    assert small, "the corpus should have values with fewer than MIN_RANKED decisions"
    for dimension, rows in body["by"].items():
        if dimension == "year":
            continue
        flags = [row["ranked"] for row in rows]
        assert flags == sorted(flags, reverse=True), dimension  # ranked first, small ones after
    html = client.get("/stats").get_data(as_text=True)
    assert f"fewer than {MIN_RANKED} decisions, not ranked" in html
    assert 'class="small"' in html


def test_search_page_shows_the_outcome_bar_with_a_stats_link(client: Any) -> None:
    html = client.get("/?q=pain").get_data(as_text=True)
    assert 'class="outcome-bar"' in html
    stats = client.get("/api/stats?q=pain").get_json()
    upheld = stats["total"] - stats["overturned"]
    assert f"Upheld {upheld:,}" in html and f"Overturned {stats['overturned']:,}" in html
    assert 'href="/stats?q=pain"' in html
