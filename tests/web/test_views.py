"""The HTML UI, exports, feed and PDF route through the Flask test client.

Most tests run over a small index of invented letters (built here, in a tmp dir) so that
counts, escaping and the export cap can be asserted exactly; a few run over the real
corpus index when the shared `client` fixture is available.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import logging
import re
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit
from xml.etree import ElementTree as ET

import pytest
from flask import Flask
from flask.testing import FlaskClient
from whoosh import index as whoosh_index

from indexer.engine.whoosh.schema import SCHEMA, to_documents
from indexer.letter import Decision, Layout, Letter, Outcome
from search_app import create_app
from search_app.cli import RequestLog
from search_app.cli import main as cli_main
from search_app.search.service import open_index, parse_request
from search_app.web.app_index import EXTENSION_KEY
from search_app.web.letter_view import citation
from tests.helpers import free_port

ATOM = "{http://www.w3.org/2005/Atom}"
PDF_BYTES = b"%PDF-1.4\n% invented test file\n%%EOF\n"


def _decision(treatment: str, outcome: Outcome, **labels: object) -> Decision:
    return Decision(
        treatment=treatment,
        outcome=outcome,
        claims_admin_guideline="Claims Administrator based its decision on the MTUS.",
        maximus_guideline="Decision based on MTUS Chronic Pain Medical Treatment Guidelines.",
        rationale=str(labels.pop("rationale", f"Invented rationale about {treatment.lower()}.")),
        **labels,  # type: ignore[arg-type]
    )


def _letter(number: int, source: Path, decisions: tuple[Decision, ...], **fields: object) -> Letter:
    values: dict[str, object] = {
        "source": source,
        "layout": Layout.CURRENT,
        "case_number": f"CM16-{number:07d}",
        "date_assigned": date(2016, 11, 1),
        "date_of_injury": date(2012, 3, 4),
        "decision_date": date(2016, 12, min(number, 28)),
        "ur_denial_date": date(2016, 10, 20),
        "application_received": date(2016, 10, 30),
        "priority": "Standard",
        "age": 48,
        "sex": "Female",
        "reviewer_specialties": ("Orthopedic Surgery",),
        "reviewer_states": ("California",),
        "clinical_case_summary": "Invented summary: the injured worker reports shoulder pain.",
        "decisions": decisions,
        "content_hash": f"{number:064x}",
    }
    values.update(fields)
    return Letter(**values)  # type: ignore[arg-type]


def _letters(tmp: Path) -> list[Letter]:
    pdf = tmp / "letter_one.pdf"
    pdf.write_bytes(PDF_BYTES)
    changed = tmp / "changed.pdf"
    changed.write_bytes(PDF_BYTES)
    letters = [
        _letter(
            1,
            pdf,
            (
                _decision(
                    "MRI of the right shoulder",
                    Outcome.UPHELD,
                    category="Diagnostic Testing",
                    subcategory="Imaging/Radiology",
                    guideline_families=("MTUS ACOEM Practice Guidelines",),
                    body_regions=("Shoulder",),
                    citations=("MTUS ACOEM p. 207",),
                    rationale="The shoulder MRI is not supported <script>alert(1)</script> here.",
                ),
                _decision(
                    "Tramadol 50mg #60",
                    Outcome.OVERTURNED,
                    category="Pharmaceuticals",
                    subcategory="Opioids",
                    guideline_families=("MTUS Chronic Pain Medical Treatment Guidelines",),
                    guideline_sources=("Opioids",),
                ),
            ),
            content_hash=hashlib.sha256(PDF_BYTES).hexdigest(),
        ),
        _letter(
            2,
            changed,
            (_decision("Physical therapy 12 sessions", Outcome.UPHELD, category="Rehabilitation"),),
            content_hash="0" * 64,  # not the file's digest: the PDF route must refuse it
        ),
    ]
    for number in range(3, 9):
        letters.append(
            _letter(
                number,
                tmp / f"seed_{number}.txt",
                (_decision(f"Acupuncture visit set {number}", Outcome.UPHELD),),
                reviewer_states=("California", "Oregon"),
            )
        )
    return letters


@pytest.fixture(scope="module")
def small_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("views")
    index_dir = root / "index"
    index_dir.mkdir()
    ix = whoosh_index.create_in(str(index_dir), SCHEMA)
    writer = ix.writer()
    for letter in _letters(root):
        for document in to_documents(letter):
            writer.add_document(**document)
    writer.commit()
    return index_dir


@pytest.fixture(scope="module")
def small_app(small_index: Path) -> Flask:
    app = create_app({"INDEX": str(small_index), "TESTING": True, "EXPORT_CAP": 5})
    # No synonym table: the counts below stay exact whatever the shared table holds.
    app.extensions[EXTENSION_KEY] = open_index(small_index, expand=lambda term: frozenset({term}))
    return app


@pytest.fixture()
def web(small_app: Flask) -> Iterator[FlaskClient]:
    with small_app.test_client() as client:
        yield client


def _links(html: str) -> list[str]:
    return [m.replace("&amp;", "&") for m in re.findall(r'href="([^"]+)"', html)]


# ---- search page --------------------------------------------------------------------------


def test_search_page_lists_all_decisions_with_facets(web: FlaskClient) -> None:
    response = web.get("/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "of 9" in html and "decisions" in html
    assert 'name="outcome" value="Upheld"' in html
    assert re.search(
        r'class="badge badge-upheld"><span class="badge-icon" aria-hidden="true">'
        r".</span> Upheld</span>",
        html,
    )  # text and a shape, not colour alone
    assert re.search(
        r'value="Upheld"[^>]*>\s*<span class="facet-label">Upheld</span>'
        r'<span class="visually-hidden">,</span>\s*<span class="facet-count">8'
        r'<span class="visually-hidden"> decisions</span>',
        html,
    )
    assert '<label for="q"' in html
    assert '<details class="query-help">' in html


def test_query_terms_are_marked(web: FlaskClient) -> None:
    html = web.get("/?q=shoulder").get_data(as_text=True)
    assert "<mark>" in html
    assert "MRI of the right shoulder" in html


def test_script_in_query_and_letter_text_comes_back_escaped(web: FlaskClient) -> None:
    html = web.get("/?q=%3Cscript%3Ealert(1)%3C/script%3E+supported").get_data(as_text=True)
    assert "<script>alert" not in html
    assert "&lt;script&gt;" in html
    letter = web.get("/letters/CM16-0000001?q=%3Cscript%3E").get_data(as_text=True)
    assert "<script>alert" not in letter
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in letter.replace("<mark>", "").replace(
        "</mark>", ""
    )


def test_malformed_query_answers_200_with_notice(web: FlaskClient) -> None:
    response = web.get('/?q="shoulder+MRI')
    assert response.status_code == 200
    assert 'class="notice"' in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "query",
    ["page=0", "page=abc", "sort=sideways", "decided_from=2016-13-45", "per_page=100000"],
)
def test_bad_parameters_answer_400_with_a_message(web: FlaskClient, query: str) -> None:
    response = web.get(f"/?{query}")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "This search cannot be run" in html
    assert query.split("=")[0] in html


def test_facet_toggle_links_round_trip(web: FlaskClient) -> None:
    html = web.get("/?outcome=Upheld&outcome=Overturned&category=Rehabilitation&page=1").get_data(
        as_text=True
    )
    chips = re.findall(r'<a class="chip" href="([^"]+)"', html)
    assert len(chips) == 3
    before = parse_request([("outcome", "Upheld"), ("outcome", "Overturned"),
                            ("category", "Rehabilitation")])  # fmt: skip
    for href in chips:
        pairs = parse_qsl(urlsplit(href.replace("&amp;", "&")).query)
        after = parse_request(pairs)
        removed = {(f, v) for f, vs in before.filters for v in vs} - {
            (f, v) for f, vs in after.filters for v in vs
        }
        assert len(removed) == 1
        assert "page" not in dict(pairs)
        assert web.get(href.replace("&amp;", "&")).status_code == 200
    # The checkboxes carry the same names and values as the URL, so the form round-trips too.
    assert re.search(r'name="outcome" value="Overturned"[^>]*checked', html)


def test_selected_subcategory_shows_under_its_category(web: FlaskClient) -> None:
    html = web.get("/?subcategory=Pharmaceuticals+%3E+Opioids").get_data(as_text=True)
    assert re.search(r'name="subcategory" value="Pharmaceuticals &gt; Opioids"[^>]*checked', html)
    assert "Treatment type: Pharmaceuticals \u203a Opioids" in html
    assert "of 1" in html or "1&ndash;1 of 1" in html


def test_empty_result_page_offers_to_drop_filters(web: FlaskClient) -> None:
    html = web.get("/?q=acupuncture&outcome=Overturned").get_data(as_text=True)
    assert "No decisions found" in html
    assert "Drop the filter Decision outcome: Overturned" in html
    assert "without any filter" in html


def test_pagination_links(web: FlaskClient) -> None:
    html = web.get("/?per_page=2&page=2").get_data(as_text=True)
    assert 'aria-current="page"' in html
    pages = [dict(parse_qsl(urlsplit(h).query)).get("page") for h in _links(html)]
    assert "3" in pages and "5" in pages
    assert "3&ndash;4 of 9" in html


def test_page_past_the_end_links_back(web: FlaskClient) -> None:
    response = web.get("/?q=acupuncture&page=40")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "past the last page" in html
    assert 'href="/?q=acupuncture">Go to the first page' in html


def test_date_range_filters(web: FlaskClient) -> None:
    html = web.get("/?decided_from=2016-12-05&decided_to=2016-12-06").get_data(as_text=True)
    assert "1&ndash;2 of 2" in html
    assert "Decided from Dec. 5, 2016" in html


# ---- letter page and PDF ------------------------------------------------------------------


def test_letter_page_shows_every_decision_with_citation(web: FlaskClient) -> None:
    response = web.get("/letters/CM16-0000001?q=tramadol")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'id="d0"' in html and 'id="d1"' in html
    assert "IMR Case No. CM16-0000001 (Dec. 1, 2016): MRI of the right shoulder - Upheld" in html
    assert "<mark>Tramadol</mark>" in html
    assert "MAXIMUS guideline" in html and "Claims Administrator guideline" in html
    assert "MTUS ACOEM p. 207" in html
    assert "/letters/CM16-0000001/pdf" in html


def test_unknown_letter_is_404_page(web: FlaskClient) -> None:
    response = web.get("/letters/CM99-9999999")
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)


def test_pdf_route_serves_only_indexed_unchanged_files(web: FlaskClient) -> None:
    ok = web.get("/letters/CM16-0000001/pdf")
    assert ok.status_code == 200
    assert ok.mimetype == "application/pdf"
    assert ok.get_data() == PDF_BYTES
    ok.close()
    assert web.get("/letters/CM16-0000002/pdf").status_code == 404  # file changed
    assert web.get("/letters/CM16-0000003/pdf").status_code == 404  # a .txt letter
    for bad in (
        "/letters/CM99-0000000/pdf",
        "/letters/..%2F..%2Fetc%2Fpasswd/pdf",
        "/letters/../../etc/passwd/pdf",
        "/letters/%2e%2e/pdf",
    ):
        assert web.get(bad).status_code == 404, bad


def test_similar_and_like_pages(web: FlaskClient) -> None:
    assert web.get("/like").status_code == 200
    empty = web.post("/like", data={"text": "   "})
    assert empty.status_code == 400
    assert "Paste some text" in empty.get_data(as_text=True)
    found = web.post("/like", data={"text": "The request for tramadol was denied by UR."})
    assert found.status_code == 200
    html = found.get_data(as_text=True)
    assert "Tramadol 50mg #60" in html and "<mark>" in html


# ---- exports and feed ---------------------------------------------------------------------


def test_csv_export_is_whole_result_set_capped_with_message(web: FlaskClient) -> None:
    response = web.get("/export.csv?outcome=Upheld")
    assert response.status_code == 200
    assert response.is_streamed
    assert response.headers["X-IMR-Truncated"] == "true"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:3] == ["letter_id", "case_number", "decision_index"]
    assert len(rows) == 1 + 5 + 1
    assert rows[-1][0].startswith("# Truncated: this export holds the first 5 of 8")
    assert all(r[5] == "Upheld" for r in rows[1:-1])


def test_csv_export_not_truncated(web: FlaskClient) -> None:
    response = web.get("/export.csv?category=Diagnostic+Testing&category=Pharmaceuticals")
    assert response.headers["X-IMR-Truncated"] == "false"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert len(rows) == 3
    assert {r[4] for r in rows[1:]} == {"MRI of the right shoulder", "Tramadol 50mg #60"}
    assert rows[1][-1].startswith("http://localhost/letters/CM16-0000001")


def test_json_export_shape(web: FlaskClient) -> None:
    response = web.get("/export.json?sort=newest")
    assert response.status_code == 200
    data = json.loads(response.get_data(as_text=True))
    assert data["total"] == 9
    assert data["truncated"] is True
    assert data["exported"] == 5 == len(data["results"])
    assert "first 5 of 9" in data["message"]
    assert response.headers["X-IMR-Truncated"] == "true"
    first = data["results"][0]
    assert set(first) >= {"letter_id", "case_number", "treatment", "outcome", "url"}
    dates = [r["decision_date"] for r in data["results"]]
    assert dates == sorted(dates, reverse=True)


def test_feed_parses_as_atom_newest_first(web: FlaskClient) -> None:
    response = web.get("/feed.atom?q=%3Cscript%3E")
    assert response.status_code == 200
    assert response.mimetype == "application/atom+xml"
    root = ET.fromstring(response.get_data())
    assert root.tag == f"{ATOM}feed"
    all_feed = ET.fromstring(web.get("/feed.atom").get_data())
    updated = [e.findtext(f"{ATOM}updated") or "" for e in all_feed.iter(f"{ATOM}entry")]
    assert len(updated) == 9
    assert updated == sorted(updated, reverse=True)
    link = all_feed.find(f"{ATOM}entry/{ATOM}link")
    assert link is not None and "/letters/" in link.get("href", "")


# ---- headers, errors, pure helpers --------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/letters/CM16-0000001", "/nowhere", "/export.csv"])
def test_security_headers_on_every_response(web: FlaskClient, path: str) -> None:
    headers = web.get(path).headers
    assert "default-src 'self'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"]


def test_missing_index_answers_503_with_build_command(tmp_path: Path) -> None:
    app = create_app({"INDEX": str(tmp_path / "none"), "TESTING": True})
    response = app.test_client().get("/")
    assert response.status_code == 503
    html = response.get_data(as_text=True)
    assert "imr-index build PATH --index" in html
    assert "Traceback" not in html


def test_no_inline_script_or_style(web: FlaskClient) -> None:
    html = web.get("/").get_data(as_text=True) + web.get("/letters/CM16-0000001").get_data(
        as_text=True
    )
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)
    assert " style=" not in html and "<style" not in html
    assert not re.search(r'(?:href|src)="(?:https?:)?//', html)


def test_citation_helper() -> None:
    made = _letter(9, Path("x.pdf"), (_decision("MRI of the right shoulder", Outcome.UPHELD),))
    text = citation(made, made.decisions[0])
    assert text == "IMR Case No. CM16-0000009 (Dec. 9, 2016): MRI of the right shoulder - Upheld"


# ---- imr-search serve ---------------------------------------------------------------------


def test_request_log_writes_method_path_status_ms(caplog: pytest.LogCaptureFixture) -> None:
    def tiny(environ: dict[str, object], start_response: Callable[..., object]) -> list[bytes]:
        start_response("404 NOT FOUND", [("Content-Type", "text/plain")])
        return [b"no"]

    logged = RequestLog(tiny)
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/x", "QUERY_STRING": "q=1"}
    with caplog.at_level(logging.INFO, logger="imr_search.requests"):
        body = b"".join(logged(environ, lambda *args: None))
    assert body == b"no"
    assert re.fullmatch(r"GET /x\?q=1 404 \d+\.\dms", caplog.messages[-1])


@pytest.mark.parametrize("flags", [["--port", "70000"], ["--threads", "0"]])
def test_serve_rejects_bad_flags(tmp_path: Path, flags: list[str]) -> None:
    assert cli_main(["serve", "--index", str(tmp_path), *flags]) == 2


def test_serve_without_index_answers_503_page(tmp_path: Path) -> None:
    port = free_port()
    missing = tmp_path / "no-index"
    server = subprocess.Popen(
        [sys.executable, "-m", "search_app.cli", "serve", "--index", str(missing),
         "--port", str(port)],
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2)
            except urllib.error.HTTPError as answer:
                status, page = answer.code, answer.read().decode()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    pytest.fail("imr-search serve did not start")
                time.sleep(0.2)
        assert status == 503
        assert f"imr-index build PATH --index {missing}" in page
    finally:
        server.terminate()
        _, errors = server.communicate(timeout=10)
    assert "imr-index build PATH --index" in errors
    assert re.search(r"GET / 503 \d+\.\dms", errors)
    assert "Traceback" not in errors


# ---- over the real corpus -----------------------------------------------------------------


def test_every_corpus_letter_page_renders(client: FlaskClient) -> None:
    data = json.loads(client.get("/export.json").get_data(as_text=True))
    assert data["total"] == len(data["results"]) > 0
    letters = sorted({r["letter_id"] for r in data["results"]})
    for letter_id in letters:
        response = client.get(f"/letters/{letter_id}?q=pain")
        assert response.status_code == 200, letter_id
        assert 'id="d0"' in response.get_data(as_text=True)


def test_corpus_pdf_route_serves_an_indexed_pdf(client: FlaskClient, corpus_dir: Path) -> None:
    html = client.get("/?q=MRI").get_data(as_text=True)
    served = 0
    for letter_id in dict.fromkeys(re.findall(r'href="/letters/([^"?#/]+)', html)):
        page = client.get(f"/letters/{letter_id}").get_data(as_text=True)
        if f"/letters/{letter_id}/pdf" not in page:
            continue
        response = client.get(f"/letters/{letter_id}/pdf")
        assert response.status_code == 200
        assert response.get_data().startswith(b"%PDF")
        response.close()
        served += 1
    assert served > 0
    assert client.get("/letters/%2e%2e%2fsecret/pdf").status_code == 404


def test_opening_the_index_warms_its_caches_in_the_background(
    corpus_index: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The first request is answered without waiting for the browse counts and the
    # statistics' columns; a thread fills them once it is answered.
    from search_app import create_app
    from search_app.search import analytics
    from search_app.search.service import BROWSE_COUNTS
    from search_app.web import app_index as state

    started = threading.Event()
    release = threading.Event()
    real = analytics.warm_columns

    def slow(index: Any) -> Any:
        started.set()
        if not release.wait(5):  # get_index waited for this: not in the background
            raise AssertionError("get_index warmed the caches before returning")
        return real(index)

    monkeypatch.setattr(state, "warm_columns", slow)
    monkeypatch.setattr(state, "WARM_WAIT_SECONDS", 30.0)
    app = create_app({"INDEX": str(corpus_index), "TESTING": True})
    index = state.get_index(app)
    # The warm thread waits for the first answer, so as not to slow it down.
    assert not started.wait(0.5)
    response = app.test_client().get("/api/search?q=therapy")
    assert response.status_code == 200 and response.get_json()["total"] > 0
    assert started.wait(10)  # then it warms (had get_index waited for it, 5 s more)
    release.set()
    for thread in threading.enumerate():
        if thread.name == "imr-warm":
            thread.join(10)
    assert BROWSE_COUNTS in index.generation.memo
    assert analytics.COLUMNS in index.generation.memo
    index.close()
