"""Nothing a letter holds garbles a page, a feed or an export (issue 21, item 1).

The Atom feed of every query the tests run parses with a real feed parser, and arbitrary
letter text goes through parse, index, page, feed and exports.
"""

from __future__ import annotations

import csv
import io
import json
import re
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import urlencode
from xml.etree import ElementTree as ET

import feedparser
import pytest
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from whoosh import index as whoosh_index

from indexer.engine.whoosh.schema import SCHEMA, to_documents
from indexer.letter import UnreadableLetter
from indexer.read.parse import iter_letter_files, parse_file, parse_letter
from search_app import create_app
from tests.search.test_query import ISSUE_QUERIES
from tests.search.test_search import CACHE_REQUESTS

NOT_XML_RE = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _test_queries() -> list[str]:
    """The queries the search tests run, and the issue's examples."""
    from search_app.search.query import QUERY_EXAMPLES

    queries = [value for pairs in CACHE_REQUESTS for key, value in pairs if key == "q"]
    queries += ISSUE_QUERIES
    queries += [example for example, _ in QUERY_EXAMPLES]
    return list(dict.fromkeys(["", *queries]))


def assert_feed_parses(body: bytes) -> Any:
    """Parse an Atom document with feedparser (strict: no bozo) and with ElementTree."""
    assert not NOT_XML_RE.search(body.decode("utf-8"))
    ET.fromstring(body)
    parsed = feedparser.parse(body)
    assert not parsed.bozo, parsed.get("bozo_exception")
    return parsed


@pytest.mark.parametrize("query", _test_queries())
def test_the_feed_of_every_test_query_parses(client: FlaskClient, query: str) -> None:
    response = client.get("/feed.atom?" + urlencode({"q": query}))
    assert response.status_code == 200
    assert_feed_parses(response.get_data())


def test_the_feed_of_every_corpus_letter_parses(client: FlaskClient, corpus_dir: Path) -> None:
    """Each letter's decisions are in the feed of its case number, so every hit is fed once."""
    for path in iter_letter_files([corpus_dir]):
        letter = parse_file(path)
        response = client.get("/feed.atom?" + urlencode({"q": f'case:"{letter.letter_id}"'}))
        parsed = assert_feed_parses(response.get_data())
        assert len(parsed.entries) == len(letter.decisions), path.name


def test_a_query_with_control_characters_still_feeds(client: FlaskClient) -> None:
    response = client.get("/feed.atom?" + urlencode({"q": "knee\x01\x0b\ufffe pain"}))
    assert response.status_code in (200, 400)
    if response.status_code == 200:
        assert_feed_parses(response.get_data())


TEMPLATE = """MEDICAL PROFESSIONAL REVIEW

Case Number: CM14-0008080
Date of Injury: 05/22/2009
Decision Date: 02/14/2014
Priority: Standard

ISSUE AT DISPUTE:
Home health aide zyxquux {treatment} was medically necessary.

CASE SUMMARY:
Invented summary zyxquux {summary}

DOCUMENTS REVIEWED FOR DETERMINATION:
Invented discharge summary.

RATIONALE FOR WHY THE REQUESTED TREATMENT/SERVICE IS MEDICALLY NECESSARY:
Invented rationale zyxquux {rationale}

MEDICAL REVIEWER QUALIFICATIONS:
The reviewer is Board Certified in Internal Medicine, and is licensed in Arizona.
"""

ODD = [
    "\ufffe",
    "\uffff",
    "\ud800",
    "\udfff",
    "\x00",
    "\x01",
    "\x0b",
    "\x0c",
    "\x1b",
    "\x7f",
    "\x85",
    "\x9b",
    "\u2028",
    "\ufdd0",
    "\U0001fffe",
    "\U0010ffff",
    "\u00ad",
    "\ufeff",
    "<script>",
    "&amp;",
    "]]>",
    '"',
    "anti\ufffeinflammatory",
    "=cmd",
]
PROSE = st.lists(
    st.one_of(
        st.text(st.characters(codec=None), max_size=12),
        st.sampled_from(ODD),
        st.sampled_from(["knee", "pain", "MRI", "x", "-", " ", "\n"]),
    ),
    max_size=30,
).map("".join)


def _web_responses(client: FlaskClient, letter_id: str, query: str) -> dict[str, bytes]:
    found: dict[str, bytes] = {}
    for name, url in {
        "page": "/?" + urlencode({"q": query}),
        "word": "/?q=zyxquux",
        "letter": f"/letters/{letter_id}?q=zyxquux",
        "feed": "/feed.atom?q=zyxquux",
        "csv": "/export.csv?q=zyxquux",
        "json": "/export.json?q=zyxquux",
        "api": "/api/search?q=zyxquux",
    }.items():
        response = client.get(url)
        assert response.status_code == 200, (name, response.status_code)
        found[name] = response.get_data()
    return found


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(treatment=PROSE, rationale=PROSE, summary=PROSE, query=PROSE)
def test_arbitrary_letter_text_reaches_every_output_clean(
    treatment: str, rationale: str, summary: str, query: str
) -> None:
    text = TEMPLATE.format(treatment=treatment, rationale=rationale, summary=summary)
    try:
        letter = parse_letter(text, Path("fuzz.txt"), "f" * 64)
    except UnreadableLetter:
        return
    with tempfile.TemporaryDirectory() as folder:
        ix = whoosh_index.create_in(folder, SCHEMA)
        writer = ix.writer()
        for document in to_documents(letter):
            for value in document.values():
                assert not (isinstance(value, str) and NOT_XML_RE.search(value))
            writer.add_document(**document)
        writer.commit()
        app = create_app({"INDEX": folder, "TESTING": True, "INDEX_CHECK_SECONDS": 0})
        with app.test_client() as client:
            # A browser sends no lone surrogate: the query is what a URL can carry.
            typed = query.encode("utf-8", "ignore").decode("utf-8")[:300]
            bodies = _web_responses(client, letter.letter_id, typed)
    for name, body in bodies.items():
        assert not NOT_XML_RE.search(body.decode("utf-8")), name
    assert len(assert_feed_parses(bodies["feed"]).entries) == len(letter.decisions)
    rows = list(csv.reader(io.StringIO(bodies["csv"].decode("utf-8-sig"))))
    assert len(rows) == 1 + len(letter.decisions)
    assert len(json.loads(bodies["json"])["results"]) == len(letter.decisions)
    assert json.loads(bodies["api"])["total"] == len(letter.decisions)
