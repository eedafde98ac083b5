"""Synthetic letters are announced on every page and API answer, and real ones never are."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from indexer.build.run import build_index
from indexer.synthetic.corpus import generate_corpus
from search_app import create_app
from search_app.web.synthetic import HEADER, NOTICE, REAL_LETTERS_COMMAND, TITLE_PREFIX

SAMPLES = Path(__file__).resolve().parents[1] / "samples"  # invented letters, no marker
BANNER = 'id="synthetic-banner"'
PAGES = ("/", "/?q=therapy", "/stats", "/like", "/no-such-page")
API = ("/api/search?q=therapy", "/api/stats", "/api/letters/NO-SUCH-LETTER", "/api/search?page=x")


def _client(index_dir: Path) -> FlaskClient:
    return create_app({"INDEX": str(index_dir), "TESTING": True}).test_client()


def _letter_ids(client: FlaskClient) -> list[str]:
    found = client.get("/api/search?per_page=50").get_json()
    return sorted({hit["letter_id"] for hit in found["results"]})


@pytest.fixture(scope="module")
def demo_client(tmp_path_factory: pytest.TempPathFactory) -> FlaskClient:
    root = tmp_path_factory.mktemp("demo")
    generate_corpus(root / "letters", 8, seed=11)
    build_index([root / "letters"], root / "index", procs=1)
    return _client(root / "index")


@pytest.fixture(scope="module")
def samples_client(tmp_path_factory: pytest.TempPathFactory) -> FlaskClient:
    root = tmp_path_factory.mktemp("samples")
    build_index([SAMPLES], root / "index", procs=1)
    return _client(root / "index")


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    text: str  # whitespace collapsed, so wrapped template lines read as one
    data: Any  # the JSON, or None


def _get(client: FlaskClient, url: str) -> Answer:
    response = client.get(url)
    try:
        body = response.get_data(as_text=True)  # streamed exports are read to the end
        data = json.loads(body) if response.is_json else None
        return Answer(response.status_code, dict(response.headers), " ".join(body.split()), data)
    finally:
        response.close()


def _every_answer(client: FlaskClient) -> dict[str, Answer]:
    """Return each page, API answer, export and feed of the index, by URL."""
    letter = _letter_ids(client)[0]
    urls = [*PAGES, *API, "/export.csv", "/export.json", "/feed.atom", "/stats.csv?table=month"]
    urls += [f"/letters/{letter}", f"/api/letters/{letter}", f"/api/similar/{letter}/0"]
    return {url: _get(client, url) for url in urls}


def test_every_page_of_a_synthetic_index_shows_the_banner(demo_client: FlaskClient) -> None:
    letter = _letter_ids(demo_client)[0]
    for url in (*PAGES, f"/letters/{letter}"):
        page = _get(demo_client, url).text
        assert BANNER in page and NOTICE in page and REAL_LETTERS_COMMAND in page, url
        assert "<title>" + TITLE_PREFIX in page, url
        assert "public records of the California" not in page, url
    assert "This index holds 8 synthetic letters." in _get(demo_client, "/").text


def test_every_api_answer_of_a_synthetic_index_carries_the_field(
    demo_client: FlaskClient,
) -> None:
    letter = _letter_ids(demo_client)[0]
    field = {
        "notice": NOTICE,
        "synthetic_letters": 8,
        "letters": 8,
        "index_real_letters": REAL_LETTERS_COMMAND,
    }
    for url in (*API, f"/api/letters/{letter}", f"/api/similar/{letter}/0"):
        assert _get(demo_client, url).data["synthetic"] == field, url
    assert _get(demo_client, "/export.json").data["synthetic"] == field
    assert TITLE_PREFIX in _get(demo_client, "/feed.atom").text


def test_every_answer_of_a_synthetic_index_has_the_header(demo_client: FlaskClient) -> None:
    for url, answer in _every_answer(demo_client).items():
        assert answer.headers[HEADER] == (
            "8 of 8 letters are synthetic demonstration data, not real decisions"
        ), url


def _assert_no_word_of_it(answers: dict[str, Answer]) -> None:
    for url, answer in answers.items():
        assert HEADER not in answer.headers, url
        for words in (BANNER, NOTICE, TITLE_PREFIX, REAL_LETTERS_COMMAND):
            assert words not in answer.text, (url, words)
        if isinstance(answer.data, dict):
            assert "synthetic" not in answer.data, url


def test_an_index_of_letters_without_the_marker_says_nothing(
    samples_client: FlaskClient,
) -> None:
    answers = _every_answer(samples_client)
    assert answers["/"].status == 200 and answers["/export.json"].status == 200
    _assert_no_word_of_it(answers)
    assert "public records of the California" in answers["/"].text


def test_the_real_corpus_index_says_nothing(real_corpus: Path, corpus_index: Path) -> None:
    # With the real letters here, corpus_index is built from them (tests/conftest.py).
    _assert_no_word_of_it(_every_answer(_client(corpus_index)))


def test_the_banner_follows_a_rebuild_without_a_restart(tmp_path: Path) -> None:
    generate_corpus(tmp_path / "demo", 2, seed=12)
    shutil.copytree(SAMPLES, tmp_path / "real")
    index = tmp_path / "index"
    build_index([tmp_path / "demo", tmp_path / "real"], index, procs=1)
    client = _client(index)
    assert "This index holds 2 synthetic letters among 6." in _get(client, "/").text
    build_index([tmp_path / "real"], index, procs=1, prune=True)
    assert BANNER not in _get(client, "/").text
    assert "synthetic" not in _get(client, "/api/search").data
