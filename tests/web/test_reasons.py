"""The reviewer's reasons as a facet, a query field, a statistic and an export column."""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any
from urllib.parse import urlencode
from xml.etree import ElementTree as ET

from indexer.classify.vocabulary import vocabulary

ATOM = "{http://www.w3.org/2005/Atom}"


def _labels() -> set[str]:
    reasons = vocabulary().reasons
    return {label for labels in reasons.values() for label in labels}


def _search(client: Any, pairs: list[tuple[str, str]]) -> dict[str, Any]:
    response = client.get(f"/api/search?{urlencode(pairs)}")
    assert response.status_code == 200
    body: dict[str, Any] = response.get_json()
    return body


def _reason_counts(body: dict[str, Any]) -> dict[str, int]:
    return {f["value"]: f["count"] for f in body["facets"]["reason"] if f["count"]}


def test_every_decision_has_reasons_from_the_vocabulary(client: Any) -> None:
    body = _search(client, [("per_page", "100")])
    labels = _labels()
    assert body["results"]
    for hit in body["results"]:
        assert 1 <= len(hit["reasons"]) <= 3
        assert set(hit["reasons"]) <= labels
    counts = _reason_counts(body)
    assert set(counts) <= labels and sum(counts.values()) >= body["total"]


def test_the_reason_facet_is_disjunctive(client: Any) -> None:
    everything = _reason_counts(_search(client, []))
    reason, count = max(everything.items(), key=lambda item: item[1])
    chosen = _search(client, [("reason", reason)])
    assert chosen["total"] == count
    # Counted without its own filter: selecting a reason leaves the reason counts as they were.
    assert _reason_counts(chosen) == everything
    assert all(reason in hit["reasons"] for hit in chosen["results"])


def test_reason_in_the_query_with_full_and_short_names(client: Any) -> None:
    counts = _reason_counts(_search(client, []))
    full = _search(client, [("q", 'reason:"No functional improvement"')])
    assert full["total"] == counts["No functional improvement"] > 0 and not full["notice"]
    assert _search(client, [("q", "reason:EXCEEDS")])["total"] == counts["Exceeds guideline limits"]
    both = _search(client, [("q", 'reason:"functional improvement"')])["total"]
    shown = counts.get("Functional improvement shown", 0)
    assert both == counts["No functional improvement"] + shown
    unknown = _search(client, [("q", "reason:sunspots")])
    assert unknown["total"] == 0 and "No reason is called 'sunspots'" in unknown["notice"]


def test_reason_shares_in_the_statistics(client: Any) -> None:
    stats = client.get("/api/stats").get_json()
    upheld, overturned = stats["reasons"]["upheld"], stats["reasons"]["overturned"]
    assert upheld["decisions"] + overturned["decisions"] == stats["total"]
    assert overturned["decisions"] == stats["overturned"]
    for outcome, side in (("Upheld", upheld), ("Overturned", overturned)):
        counts = _reason_counts(_search(client, [("outcome", outcome)]))
        assert {r["value"]: r["decisions"] for r in side["rows"]} == counts
        assert set(counts) <= set(vocabulary().reason_labels(outcome))
        for row in side["rows"]:
            assert 0.0 <= row["low"] <= row["share"] <= row["high"] <= 1.0
            assert row["share"] == row["decisions"] / side["decisions"]
    page = client.get("/stats").get_data(as_text=True)
    assert 'id="chart-reasons-upheld"' in page and 'id="chart-reasons-overturned"' in page
    rows = list(csv.reader(io.StringIO(client.get("/stats.csv?table=reasons").get_data(True))))
    assert rows[0] == ["outcome", "reason", "decisions", "of", "share", "low", "high"]
    assert len(rows) - 1 == len(upheld["rows"]) + len(overturned["rows"])


def test_statistics_narrowed_by_a_reason(client: Any) -> None:
    reason = "Conservative care not tried"
    narrowed = client.get(f"/api/stats?{urlencode([('reason', reason)])}").get_json()
    assert narrowed["total"] == _search(client, [("reason", reason)])["total"] > 0
    assert narrowed["overturned"] == 0  # an Upheld reason
    # The reason section itself ignores the reason filter, as the facet does.
    assert narrowed["reasons"] == client.get("/api/stats").get_json()["reasons"]


def test_reasons_in_exports_and_the_feed(client: Any) -> None:
    text = client.get("/export.csv?q=therapy").get_data(as_text=True).lstrip("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows and all(row["reasons"] for row in rows if not row["letter_id"].startswith("#"))
    data = json.loads(client.get("/export.json?q=therapy").get_data(as_text=True))
    assert all(result["reasons"] for result in data["results"])
    feed = ET.fromstring(client.get("/feed.atom?q=therapy").get_data())
    labels = _labels()
    for entry in feed.iter(f"{ATOM}entry"):
        terms = {c.get("term") for c in entry.iter(f"{ATOM}category") if c.get("scheme")}
        assert terms and terms <= labels


def test_the_letter_page_shows_each_decisions_reasons(client: Any) -> None:
    hit = _search(client, [("q", "therapy")])["results"][0]
    letter = client.get(f"/api/letters/{hit['letter_id']}").get_json()
    page = client.get(f"/letters/{hit['letter_id']}").get_data(as_text=True)
    shown = re.findall(r'<dd class="reasons">([^<]*)</dd>', page)
    assert shown == ["; ".join(item["reasons"]).replace("'", "&#39;") for item in letter["items"]]
