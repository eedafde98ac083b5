"""Hardening: any request answers without a 5xx, caps answer 400/413, bad files never stop a build.

The request tests are property-based (hypothesis) over every route of the HTML UI and the
JSON API, on the session's real corpus index; example counts stay small so the default run
stays fast. The letter tests build a corpus salted with broken and hostile files in tmp.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_from_bytes

import pypdfium2 as pdfium
import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indexer.build import build_index, letter_files
from indexer.letter import UnreadableLetter
from indexer.read.parse import parse_file
from indexer.read.pdf import MAX_FILE_BYTES, MAX_TEXT_BYTES, extract_text, read_text_file
from search_app.web.views import MAX_BODY_BYTES
from tests.conftest import first_pdf_id

LETTER_ID = first_pdf_id()  # a corpus letter with a PDF (CM16-0213037 in the real corpus)
SEARCH_ROUTES = (
    "/",
    "/export.csv",
    "/export.json",
    "/feed.atom",
    "/stats",
    "/stats.csv",
    "/like",
    "/api/search",
    "/api/stats",
    f"/letters/{LETTER_ID}",
    f"/letters/{LETTER_ID}/pdf",
    f"/api/letters/{LETTER_ID}",
    f"/api/similar/{LETTER_ID}/0",
)
PARAMS = (
    "q",
    "page",
    "per_page",
    "sort",
    "category",
    "subcategory",
    "outcome",
    "body_region",
    "guideline_family",
    "decided_from",
    "decided_to",
    "injured_from",
    "injured_to",
    "limit",
    "table",
    "text",
)
EDGE_VALUES = (
    "",
    " ",
    "\x00",
    "0",
    "-1",
    "1e3",
    "NaN",
    "9" * 40,
    "2016-02-30",
    "0001-01-01",
    "9999-12-31",
    '"',
    "(((",
    "treatment:",
    "decision_date:[2016 TO",
    "*",
    "~2",
    "\u202e",
    "\ufeff",
    "<script>alert(1)</script>",
    "x" * 401,
)
SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

values = st.one_of(
    st.text(max_size=40),  # any unicode but surrogates (the test client cannot encode those)
    st.integers(min_value=-(10**40), max_value=10**40).map(str),
    st.sampled_from(EDGE_VALUES),
    st.text(alphabet='ab()":*-~ORNTAD', max_size=500),
)
keys = st.one_of(st.sampled_from(PARAMS), st.text(max_size=8))
pairs = st.lists(st.tuples(keys, values), max_size=6)
repeated = st.sampled_from(PARAMS).flatmap(
    lambda key: st.lists(values, min_size=2, max_size=60).map(lambda vs: [(key, v) for v in vs])
)


def assert_answered(response: Any, path: str) -> None:
    """No 5xx, security headers present, and a readable reason on every 4xx."""
    body = response.get_data()  # runs a streamed export to its end
    response.close()  # a sent PDF holds its file open until closed
    assert response.status_code < 500, (path, response.status_code, body[:300])
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    if response.status_code < 400:
        return
    text = body.decode("utf-8")
    assert "Traceback" not in text
    if path.startswith("/api/"):
        assert response.is_json, (path, text[:200])
        error = json.loads(text)["error"]
        assert isinstance(error, str) and error, (path, text[:200])
    else:
        assert len(text.strip()) > 10, (path, text)


# ---- requests -------------------------------------------------------------------------------


@SETTINGS
@given(path=st.sampled_from(SEARCH_ROUTES), query=st.one_of(pairs, repeated))
def test_any_parameters_on_any_route(app: Flask, path: str, query: list[tuple[str, str]]) -> None:
    with app.test_client() as client:
        assert_answered(client.get(path, query_string=query), path)


@SETTINGS
@given(
    route=st.sampled_from(
        ("/letters/{}", "/letters/{}/pdf", "/api/letters/{}", "/api/similar/{}/{}")
    ),
    segment=st.one_of(st.text(min_size=1, max_size=60), st.sampled_from(("..", ".", "%00", "\\"))),
    number=st.one_of(st.integers(min_value=0, max_value=10**30), st.integers(-5, 5)),
)
def test_any_path_segment(app: Flask, route: str, segment: str, number: int) -> None:
    path = route.format(quote(segment, safe=""), number)
    with app.test_client() as client:
        assert_answered(client.get(path), path)


@SETTINGS
@given(path=st.sampled_from(SEARCH_ROUTES), raw=st.binary(max_size=40), key=st.sampled_from(PARAMS))
def test_undecodable_query_bytes(app: Flask, path: str, raw: bytes, key: str) -> None:
    """Percent-encoded bytes that are no UTF-8 (lone surrogates, overlong forms, 0xFF)."""
    encoded = quote_from_bytes(raw, safe="")
    with app.test_client() as client:
        assert_answered(client.get(f"{path}?{key}={encoded}&{encoded}=1"), path)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=6,
)


@SETTINGS
@given(
    path=st.sampled_from(("/like", "/api/like")),
    form=st.dictionaries(st.sampled_from(("text", "page", "x")), values, max_size=3),
    document=st.one_of(json_values, st.fixed_dictionaries({"text": json_values})),
    raw=st.binary(max_size=200),
    page=values,
)
def test_like_accepts_any_body(
    app: Flask, path: str, form: dict[str, str], document: Any, raw: bytes, page: str
) -> None:
    with app.test_client() as client:
        for response in (
            client.post(path, data=form, query_string={"page": page}),
            client.post(path, json=document),
            client.post(path, data=raw, content_type="application/json"),
            client.post(path, data=raw, content_type="application/x-www-form-urlencoded"),
        ):
            assert_answered(response, path)


CAPS = [
    pytest.param("/api/search?q=" + "a" * 401, 400, "the limit is 400", id="api-query-length"),
    pytest.param("/api/search?page=501", 400, "between 1 and 500", id="api-page-number"),
    pytest.param("/api/search?page=" + "9" * 30, 400, "between 1 and 500", id="api-huge-page"),
    pytest.param("/api/search?page=0", 400, "between 1 and 500", id="api-page-zero"),
    pytest.param("/api/search?per_page=101", 400, "between 1 and 100", id="api-page-size"),
    pytest.param("/api/search?per_page=-3", 400, "between 1 and 100", id="api-negative-size"),
    pytest.param("/api/stats?q=" + "a" * 401, 400, "the limit is 400", id="api-stats-query"),
    pytest.param(
        f"/api/similar/{LETTER_ID}/0?limit=51", 400, "from 1 to 50", id="api-similar-limit"
    ),
    pytest.param(f"/api/similar/{LETTER_ID}/{10**30}", 404, "", id="api-similar-huge-decision"),
    # The search page answers an over-long query with a notice (and "Like my case").
    pytest.param("/?q=" + "a" * 401, 200, "only the filters were applied", id="html-query-length"),
    pytest.param("/?page=501", 400, "between 1 and 500", id="html-page-number"),
    pytest.param("/?per_page=1000", 400, "between 1 and 100", id="html-page-size"),
    pytest.param("/export.csv?per_page=1000", 400, "between 1 and 100", id="csv-page-size"),
    pytest.param("/export.json?q=" + "a" * 401, 400, "the limit is 400", id="json-query"),
    pytest.param("/feed.atom?page=" + "9" * 30, 400, "between 1 and 500", id="feed-page"),
    pytest.param("/stats?q=" + "a" * 401, 400, "the limit is 400", id="stats-query"),
    pytest.param("/stats.csv?table=month&q=" + "a" * 401, 400, "limit is 400", id="stats-csv"),
]


@pytest.mark.parametrize(("url", "status", "message"), CAPS)
def test_caps_answer_a_clear_error(app: Flask, url: str, status: int, message: str) -> None:
    with app.test_client() as client:
        response = client.get(url)
    assert response.status_code == status
    assert message in response.get_data(as_text=True)
    assert_answered(response, url)


@pytest.mark.parametrize("path", ["/like", "/api/like"])
def test_oversized_bodies_are_refused_unread(app: Flask, path: str) -> None:
    """A body over the cap answers 413 from its Content-Length (test_load sends a chunked one)."""
    big = "tramadol " * (MAX_BODY_BYTES // 9 + 10)
    with app.test_client() as client:
        as_form = client.post(path, data={"text": big})
        as_json = client.post(path, json={"text": big})
    for response in (as_form, as_json):
        assert response.status_code == 413, response.get_data(as_text=True)[:200]
        assert_answered(response, path)
    assert "larger than" in as_json.get_data(as_text=True)


# ---- letters --------------------------------------------------------------------------------


def _no_text_pdf(path: Path) -> None:
    document = pdfium.PdfDocument.new()
    document.new_page(612, 792)
    document.save(path)
    document.close()


def _salted_corpus(corpus_dir: Path, root: Path) -> tuple[Path, dict[str, str]]:
    """Copy the corpus and add broken files; return it and {bad file name: reason start}."""
    corpus = root / "corpus"
    shutil.copytree(corpus_dir, corpus)
    bad = corpus / "bad"
    bad.mkdir()
    rng = random.Random(9)
    real = sorted((corpus_dir / "letters").glob("*.pdf"))[0].read_bytes()
    expected = {
        "random.pdf": "not a PDF",
        "random-with-header.pdf": "corrupt PDF",
        "random.txt": "undecodable text",
        "empty.pdf": "empty file",
        "empty.txt": "empty file",
        "blank.txt": "empty file",
        "truncated.pdf": "truncated PDF",
        "no-text.pdf": "no text layer",
        "prose.txt": "not an IMR determination letter",
        "headings-only.txt": "no decision items found",
        "huge.txt": "file too large",
        "huge.pdf": "file too large",
    }
    (bad / "random.pdf").write_bytes(rng.randbytes(4000))
    (bad / "random-with-header.pdf").write_bytes(b"%PDF-1.7\n" + rng.randbytes(9000) + b"%%EOF\n")
    (bad / "random.txt").write_bytes(b"\x00" + rng.randbytes(3000))
    (bad / "empty.pdf").write_bytes(b"")
    (bad / "empty.txt").write_bytes(b"")
    (bad / "blank.txt").write_bytes(b" \n\t\r\n")
    (bad / "truncated.pdf").write_bytes(real[: len(real) // 2])
    _no_text_pdf(bad / "no-text.pdf")
    (bad / "prose.txt").write_text("Minutes of the meeting.\n" * 50, encoding="utf-8")
    (bad / "headings-only.txt").write_text(
        "CLINICAL CASE SUMMARY\nnothing here\nIMR ISSUES, DECISIONS AND RATIONALES\n", "utf-8"
    )
    with (bad / "huge.txt").open("wb") as handle:  # 30 MB: over the text cap
        block = b"Upheld: words and more words\n" * 4096
        while handle.tell() < 30 * 1024 * 1024:
            handle.write(block)
    with (bad / "huge.pdf").open("wb") as handle:  # over the file cap, written sparse
        handle.write(b"%PDF-1.7\n")
        handle.truncate(MAX_FILE_BYTES + 1)
    # Salt: bytes a scanner or a bad copy leaves around, under letter-like names.
    for number in range(4):
        (bad / f"salt-{number}.pdf").write_bytes(rng.randbytes(rng.randint(1, 20000)))
        expected[f"salt-{number}.pdf"] = "not a PDF"
    return corpus, expected


def test_a_salted_corpus_indexes_every_good_letter(corpus_dir: Path, tmp_path: Path) -> None:
    good: dict[str, Path] = {}
    for path in letter_files([corpus_dir]):
        good[parse_file(path).letter_id] = path  # the real corpus parses completely
    corpus, expected = _salted_corpus(corpus_dir, tmp_path)
    # Duplicates: a second copy of a real letter (same case number) after the original.
    original = sorted((corpus / "letters").glob("*.pdf"))[0]
    duplicate = corpus / "zz-copy" / original.name
    duplicate.parent.mkdir()
    shutil.copy(original, duplicate)

    started = time.monotonic()
    report = build_index([corpus], tmp_path / "index", procs=2)
    elapsed = time.monotonic() - started

    reasons = {path.name: reason for path, reason in report.failed}
    assert set(reasons) == set(expected)
    for name, start in expected.items():
        assert reasons[name].startswith(start), (name, reasons[name])
    assert [(d.kept.name, d.dropped.name) for d in report.duplicates] == [
        (original.name, original.name)
    ]
    assert report.duplicates[0].kept == duplicate
    assert report.letters_total == report.added == len(good)
    assert elapsed < 60, f"the salted build took {elapsed:.0f} s"


def test_a_large_file_is_refused_before_it_is_read(tmp_path: Path) -> None:
    big = tmp_path / "big.pdf"
    with big.open("wb") as handle:
        handle.write(b"%PDF-1.7\n")
        handle.truncate(MAX_FILE_BYTES + 1)
        handle.seek(MAX_FILE_BYTES - 10)
        handle.write(b"\n%%EOF\n")
    text = tmp_path / "big.txt"
    text.write_bytes(b"a" * (MAX_TEXT_BYTES + 1))
    for path, reader in ((big, extract_text), (text, read_text_file), (big, parse_file)):
        started = time.monotonic()
        with pytest.raises(UnreadableLetter, match="file too large") as caught:
            reader(path)
        assert time.monotonic() - started < 1.0
        assert "the limit is" in caught.value.reason
    # a file just under the cap is read as usual
    text.write_bytes(b"a" * 100)
    assert read_text_file(text) == "a" * 100


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_file_that_is_no_regular_file_is_skipped(tmp_path: Path) -> None:
    """A named pipe with a letter's suffix must not block the build forever."""
    source = tmp_path / "src"
    source.mkdir()
    os.mkfifo(source / "pipe.txt")
    with pytest.raises(Exception, match="no .pdf or .txt letters"):
        build_index([source], tmp_path / "index")
