"""The JSON API over the corpus index: status codes, shapes, errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from search_app import create_app

RESULT_KEYS = {
    "letter_id",
    "case_number",
    "decision_index",
    "reasons",
    "treatment",
    "outcome",
    "category",
    "subcategory",
    "guideline_families",
    "guideline_sources",
    "decision_date",
    "reviewer_specialties",
    "reviewer_states",
    "snippet",
}
PAGE_KEYS = {
    "query",
    "notice",
    "suggestion",
    "also_searched",
    "total",
    "page",
    "per_page",
    "results",
    "facets",
}


def test_search_shape(client: Any) -> None:
    answer = client.get("/api/search?q=therapy&per_page=5")
    assert answer.status_code == 200
    body = answer.get_json()
    # An index of synthetic letters adds its notice (tests/web/test_synthetic.py).
    assert set(body) - {"synthetic"} == PAGE_KEYS
    assert body["total"] > 0 and len(body["results"]) <= 5
    assert set(body["results"][0]) == RESULT_KEYS
    assert "<mark>" in "".join(r["snippet"] for r in body["results"])
    assert set(body["facets"]) >= {"outcome", "category", "subcategory", "guideline", "year"}
    assert set(body["facets"]["outcome"][0]) >= {"value", "count", "selected"}


def test_search_filters_and_selected(client: Any) -> None:
    body = client.get("/api/search?outcome=Upheld&outcome=Overturned&sort=newest").get_json()
    everything = client.get("/api/search").get_json()
    assert body["total"] == everything["total"]
    assert {f["value"] for f in body["facets"]["outcome"] if f["selected"]} == {
        "Upheld",
        "Overturned",
    }


def test_search_bad_params_are_400(client: Any) -> None:
    for query in (
        "page=x",
        "page=0",
        "per_page=5000",
        "decided_from=2016-02-30",
        "sort=best",
        "q=" + "x" * 500,
    ):
        answer = client.get(f"/api/search?{query}")
        assert answer.status_code == 400, query
        assert "error" in answer.get_json()


def test_malformed_query_is_200_with_notice(client: Any) -> None:
    body = client.get('/api/search?q=("return to work').get_json()
    assert body["notice"]


def test_script_query_comes_back_escaped(client: Any) -> None:
    answer = client.get("/api/search?q=<script>alert(1)</script> therapy")
    assert answer.status_code == 200
    assert "<script>" not in "".join(r["snippet"] for r in answer.get_json()["results"])


def test_letter_and_similar(client: Any) -> None:
    first = client.get("/api/search?per_page=1&sort=newest").get_json()["results"][0]
    letter = client.get(f"/api/letters/{first['letter_id']}").get_json()
    assert letter["letter_id"] == first["letter_id"] and letter["items"]
    similar = client.get(f"/api/similar/{first['letter_id']}/0")
    assert similar.status_code == 200
    for hit in similar.get_json()["results"]:
        assert (hit["letter_id"], hit["decision_index"]) != (first["letter_id"], 0)
    assert client.get(f"/api/similar/{first['letter_id']}/99").status_code == 404
    assert client.get("/api/letters/CM00-0000000").status_code == 404


def test_like(client: Any) -> None:
    answer = client.post(
        "/api/like", json={"text": "Lumbar epidural steroid injection denied by UR."}
    )
    assert answer.status_code == 200
    assert answer.get_json()["total"] > 0
    assert client.post("/api/like", data={"text": "knee arthroscopy"}).status_code == 200
    assert client.post("/api/like", data={"text": "   "}).status_code == 400
    assert client.post("/api/like", json={"text": "word " * 6000}).status_code == 400
    assert client.post("/api/like", json={}).status_code == 400


def test_missing_index_is_503(tmp_path: Path) -> None:
    app = create_app({"INDEX": str(tmp_path / "none"), "TESTING": True})
    answer = app.test_client().get("/api/search?q=knee")
    assert answer.status_code == 503
    assert "imr-index build" in answer.get_json()["error"]
