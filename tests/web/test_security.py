"""Security: hostile letter text shown as text everywhere, headers on every answer, PDF route
confined to indexed files, no debug mode when served, and an app that never writes its index.

The hostile letter is made at test time from a current-layout letter of the corpus (a real
one when the real letters are here, else one of the synthetic stand-in's): its text is
extracted to a .txt in tmp and a payload is put into a treatment heading, the case summary
and a rationale. No letter text is stored in the repository.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import shutil
import stat
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import pytest
from flask import Flask
from flask.testing import FlaskClient

from indexer.build.run import build_index
from indexer.read.parse import parse_file
from indexer.read.pdf import extract_text
from search_app import cli as serve_cli
from search_app import create_app
from search_app.web.exports import spreadsheet_safe
from tests.conftest import first_pdf_id

HOSTILE_ID = first_pdf_id()  # CM16-0213037 in the real corpus
PAYLOAD = (
    '=HYPERLINK("http://evil.example") <script>alert(1)</script>'
    '<img src=x onerror=alert(2)> "onload="alert(3)" javascript:alert(4)'
)
# What must never appear in an HTML answer once the payload is in the index.
RAW_MARKUP = ("<script>alert", "<img src=x", '"onload="', 'href="javascript:', '=alert(3)"')
ISSUES_RE = re.compile(r"IMR\s+ISSUES")
ITEM_RE = re.compile(r"^([^\n:]{3,200}?)\s*:\s*(?:Upheld|Overturned)\b", re.MULTILINE)
FORMULA_STARTS = ("=", "+", "-", "@")


def hostile_text(corpus_dir: Path) -> str:
    """A real letter's text with PAYLOAD before its first treatment, in summary and rationale."""
    text = extract_text(corpus_dir / "letters" / f"{HOSTILE_ID}.pdf")
    issues = ISSUES_RE.search(text)
    assert issues, "the letter layout changed: no IMR ISSUES heading"
    item = ITEM_RE.search(text, issues.end())
    assert item, "the letter layout changed: no '<item>: Upheld' line"
    text = f"{text[: item.start()]}{PAYLOAD} {text[item.start() :]}"
    # The summary's anchor in the real letters, then the heading the synthetic ones have.
    for anchors in (
        (r"medical\s+records\s*:", r"CLINICAL\s+CASE\s+SUMMARY[^\n]*\n"),
        (r"Decision\s+rationale\s*:",),
    ):
        for anchor in anchors:
            text, found = re.subn(anchor, lambda m: f"{m[0]} {PAYLOAD}.", text, count=1)
            if found:
                break
    return text


@pytest.fixture(scope="module")
def hostile_index(corpus_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("hostile")
    shutil.copytree(corpus_dir / "seeds", root / "corpus" / "seeds")
    letter = root / "corpus" / f"{HOSTILE_ID}.txt"
    letter.write_text(hostile_text(corpus_dir), encoding="utf-8")
    parsed = parse_file(letter)
    assert parsed.decisions[0].treatment.startswith(PAYLOAD)
    assert PAYLOAD in parsed.clinical_case_summary
    assert PAYLOAD in parsed.decisions[0].rationale
    report = build_index([root / "corpus"], root / "index", procs=1)
    assert not report.failed
    return root / "index"


@pytest.fixture(scope="module")
def hostile_app(hostile_index: Path) -> Flask:
    return create_app({"INDEX": str(hostile_index), "TESTING": True, "INDEX_CHECK_SECONDS": 0})


@pytest.fixture()
def hostile(hostile_app: Flask) -> FlaskClient:
    return hostile_app.test_client()


def assert_no_markup(html: str, where: str) -> None:
    for raw in RAW_MARKUP:
        assert raw not in html, f"{where}: {raw!r} reached the page unescaped"


# ---- hostile letter text ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/?q=alert",
        "/?q=script+onload",
        "/?q=javascript",
        f"/letters/{HOSTILE_ID}",
        f"/letters/{HOSTILE_ID}?q=alert+script",
        "/stats",
        "/stats?q=alert",
    ],
)
def test_html_pages_show_the_payload_as_text(hostile: FlaskClient, url: str) -> None:
    response = hostile.get(url)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert_no_markup(html, url)
    if url.startswith(("/?", "/letters/")):
        visible = html.replace("<mark>", "").replace("</mark>", "")
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in visible, url


def test_letter_page_escapes_summary_treatment_and_rationale(hostile: FlaskClient) -> None:
    html = hostile.get(f"/letters/{HOSTILE_ID}").get_data(as_text=True)
    assert html.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 3
    assert "&lt;img src=x onerror=alert(2)&gt;" in html


def test_like_page_escapes_letter_text(hostile: FlaskClient) -> None:
    response = hostile.post("/like", data={"text": "MRI of the right shoulder alert script"})
    assert response.status_code == 200
    assert_no_markup(response.get_data(as_text=True), "/like")


def test_csv_export_neutralizes_formulas(hostile: FlaskClient) -> None:
    body = hostile.get("/export.csv?q=alert").get_data(as_text=True).lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(body)))
    treatments = [row[4] for row in rows[1:]]
    assert f"'{PAYLOAD}".split(" ")[0] in " ".join(treatments)
    for row in rows[1:]:
        for cell in row:
            assert not cell.startswith(FORMULA_STARTS), cell


@pytest.mark.parametrize(
    ("value", "safe"),
    [
        ("=1+1", "'=1+1"),
        ("+SUM(A1)", "'+SUM(A1)"),
        ("-2+3", "'-2+3"),
        ("@cmd", "'@cmd"),
        ("\t=1", "'\t=1"),
        ("MRI = yes", "MRI = yes"),
        ("", ""),
    ],
)
def test_spreadsheet_safe(value: str, safe: str) -> None:
    assert spreadsheet_safe(value) == safe


def test_json_answers_carry_the_payload_as_data(hostile: FlaskClient) -> None:
    exported = hostile.get("/export.json?q=alert")
    assert exported.mimetype == "application/json"
    treatments = [r["treatment"] for r in json.loads(exported.get_data(as_text=True))["results"]]
    assert any(t.startswith(PAYLOAD) for t in treatments)
    api = hostile.get("/api/search?q=alert")
    assert api.mimetype == "application/json"
    for result in api.get_json()["results"]:
        assert "<script>" not in result["snippet"]
    letter = hostile.get(f"/api/letters/{HOSTILE_ID}").get_json()
    assert PAYLOAD in letter["clinical_case_summary"]


def test_atom_feed_keeps_the_payload_as_text(hostile: FlaskClient) -> None:
    raw = hostile.get("/feed.atom?q=alert").get_data()
    assert b"<script" not in raw and b"<img" not in raw
    root = ET.fromstring(raw)
    assert not [e for e in root.iter() if e.tag.rsplit("}", 1)[-1] in {"script", "img"}]
    titles = [e.text or "" for e in root.iter("{http://www.w3.org/2005/Atom}title")]
    assert any(PAYLOAD in title for title in titles)


def test_stats_csv_tables_have_no_formula_cells(hostile: FlaskClient) -> None:
    for table in ("subcategory", "month", "citations"):
        response = hostile.get(f"/stats.csv?table={table}")
        assert response.status_code == 200, table
        for row in csv.reader(io.StringIO(response.get_data(as_text=True))):
            assert not any(cell.startswith(FORMULA_STARTS) for cell in row), row


# ---- headers on every answer ------------------------------------------------------------------


def assert_security_headers(response: Any, where: str) -> None:
    policy = response.headers.get("Content-Security-Policy", "")
    assert "default-src 'self'" in policy, where
    assert "frame-ancestors 'none'" in policy, where
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy, where
    assert response.headers.get("X-Content-Type-Options") == "nosniff", where
    assert response.headers.get("X-Frame-Options") == "DENY", where
    assert response.headers.get("Referrer-Policy"), where


@pytest.mark.parametrize(
    ("method", "url", "status"),
    [
        ("GET", "/", 200),
        ("GET", f"/letters/{HOSTILE_ID}", 200),
        ("GET", "/letters/CM00-0000000", 404),
        ("GET", f"/letters/{HOSTILE_ID}/pdf", 404),
        ("GET", "/nowhere", 404),
        ("GET", "/?page=0", 400),
        ("POST", "/", 405),
        ("POST", "/like", 400),
        ("GET", "/stats?decided_from=x", 400),
        ("GET", "/stats.csv?table=nope", 400),
        ("GET", "/api/search?per_page=0", 400),
        ("GET", "/api/nowhere", 404),
        ("GET", "/api/letters/CM00-0000000", 404),
        ("GET", "/export.csv", 200),
        ("GET", "/feed.atom", 200),
        ("GET", "/static/site.css", 200),
        ("GET", "/static/nothing.css", 404),
    ],
)
def test_headers_on_pages_and_errors(
    hostile: FlaskClient, method: str, url: str, status: int
) -> None:
    response = hostile.open(url, method=method)
    response.get_data()
    response.close()
    assert response.status_code == status
    assert_security_headers(response, url)


@pytest.mark.parametrize(
    "url", ["/", "/api/search", "/stats", "/stats.csv?table=month", "/feed.atom"]
)
def test_headers_on_the_503_page(tmp_path: Path, url: str) -> None:
    app = create_app({"INDEX": str(tmp_path / "missing"), "TESTING": True})
    response = app.test_client().get(url)
    assert response.status_code == 503
    assert_security_headers(response, url)


def test_headers_and_no_details_on_a_500(hostile_index: Path) -> None:
    app = create_app({"INDEX": str(hostile_index)})

    def broken() -> str:
        raise RuntimeError("secret detail /etc/shadow")

    app.add_url_rule("/broken", "broken", broken)
    app.add_url_rule("/api/broken", "api_broken", broken)
    client = app.test_client()
    for url in ("/broken", "/api/broken"):
        response = client.get(url)
        assert response.status_code == 500
        assert "secret detail" not in response.get_data(as_text=True)
        assert_security_headers(response, url)


# ---- the PDF route ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/letters/..%2F..%2F..%2Fetc%2Fpasswd/pdf",
        "/letters/%2Fetc%2Fpasswd/pdf",
        "/letters//etc/passwd/pdf",
        "/letters/%252e%252e%252f%252e%252e%252fetc%252fpasswd/pdf",
        "/letters/..%5c..%5cetc%5cpasswd/pdf",
        "/letters/%2e%2e/%2e%2e/etc/passwd/pdf",
        "/letters/CM16-0213037%00/pdf",
        "/letters/CM16-0213037.pdf/pdf",
        "/letters/CM16-0213037/pdf/../../../../etc/passwd",
        "/letters/CM16-0213037/pdf%2F..%2F..%2Fpyproject.toml",
        "/letters/file:%2F%2F%2Fetc%2Fpasswd/pdf",
        "/static/../pyproject.toml",
        "/static/%2e%2e/pyproject.toml",
        "/static/..%2Fpyproject.toml",
    ],
)
def test_pdf_and_static_routes_refuse_paths(client: FlaskClient, url: str) -> None:
    response = client.get(url)
    body = response.get_data()
    response.close()
    assert response.status_code == 404, url
    assert b"root:" not in body and b"[project]" not in body


def test_pdf_route_refuses_the_source_path_as_an_id(client: FlaskClient, corpus_dir: Path) -> None:
    source = (corpus_dir / "letters" / f"{HOSTILE_ID}.pdf").resolve()
    for letter_id in (str(source), source.name, source.stem.lower()):
        encoded = letter_id.replace("/", "%2F")
        response = client.get(f"/letters/{encoded}/pdf")
        response.close()
        assert response.status_code == 404, letter_id
    served = client.get(f"/letters/{HOSTILE_ID}/pdf")
    assert served.get_data() == source.read_bytes()
    served.close()


# ---- no debug mode ------------------------------------------------------------------------------


def test_create_app_is_not_in_debug_mode(tmp_path: Path) -> None:
    app = create_app({"INDEX": str(tmp_path)})
    assert app.debug is False
    assert app.testing is False


def test_serve_ignores_debug_and_testing_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import waitress

    served: dict[str, Any] = {}

    def fake_serve(wsgi: Any, **options: Any) -> None:
        served.update(options, wsgi=wsgi)

    monkeypatch.setenv("IMR_DEBUG", "true")
    monkeypatch.setenv("IMR_TESTING", "true")
    monkeypatch.setenv("IMR_PROPAGATE_EXCEPTIONS", "true")
    monkeypatch.setattr(waitress, "serve", fake_serve)
    assert serve_cli.main(["serve", "--index", str(tmp_path / "none"), "--port", "0"]) == 0
    app = served["wsgi"].app.__self__  # RequestLog(app.wsgi_app)
    assert isinstance(app, Flask)
    assert app.debug is False
    assert app.testing is False
    assert app.config["PROPAGATE_EXCEPTIONS"] is False
    assert served["host"] == "127.0.0.1"
    assert served["max_request_body_size"] > 0


# ---- the app never writes to its index --------------------------------------------------------


def snapshot(directory: Path) -> dict[str, tuple[int, int, str]]:
    found: dict[str, tuple[int, int, str]] = {}
    for path in sorted(directory.rglob("*")):
        info = path.stat()
        digest = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else ""
        found[str(path.relative_to(directory))] = (info.st_size, info.st_mtime_ns, digest)
    return found


def _set_writable(directory: Path, writable: bool) -> None:
    write = stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH
    for path in [directory, *directory.rglob("*")]:
        mode = path.stat().st_mode
        os.chmod(path, (mode | stat.S_IWUSR) if writable else (mode & ~write))


def test_requests_leave_the_index_untouched(corpus_index: Path, tmp_path: Path) -> None:
    """Every route over a read-only copy of the index; no file changes, none appears."""
    index_dir = tmp_path / "index"
    shutil.copytree(corpus_index, index_dir)
    _set_writable(index_dir, False)
    try:
        before = snapshot(index_dir)
        app = create_app({"INDEX": str(index_dir), "TESTING": True, "INDEX_CHECK_SECONDS": 0})
        client = app.test_client()
        letter_id = HOSTILE_ID
        for url in (
            "/",
            "/?q=mri&category=Diagnostic+Testing&sort=newest",
            "/?q=tramadl",
            f"/letters/{letter_id}?q=mri",
            f"/letters/{letter_id}/pdf",
            "/export.csv?q=pain",
            "/export.json",
            "/feed.atom",
            "/stats",
            "/stats.csv?table=month",
            "/api/search?q=physical+therapy",
            f"/api/letters/{letter_id}",
            f"/api/similar/{letter_id}/0",
            "/api/stats",
        ):
            response = client.get(url)
            response.get_data()
            response.close()
            assert response.status_code == 200, url
        assert client.post("/like", data={"text": "lumbar MRI denied"}).status_code == 200
        assert client.post("/api/like", json={"text": "lumbar MRI denied"}).status_code == 200
        assert snapshot(index_dir) == before
    finally:
        _set_writable(index_dir, True)
