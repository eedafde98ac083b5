"""Result sets as CSV rows, JSON text and an Atom feed (no Flask, no Whoosh)."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, date, datetime
from typing import Any
from xml.etree import ElementTree as ET

from search_app.search.models import Hit

CSV_COLUMNS = (
    "letter_id",
    "case_number",
    "decision_index",
    "decision_date",
    "treatment",
    "outcome",
    "case_outcome",
    "category",
    "subcategory",
    "guideline_families",
    "guideline_sources",
    "body_regions",
    "reasons",
    "reviewer_specialties",
    "reviewer_states",
    "url",
)
LIST_SEPARATOR = "; "
# A cell starting with one of these is run as a formula by spreadsheet programs.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
ATOM_NS = "http://www.w3.org/2005/Atom"
REASON_SCHEME = "reason"  # Atom category scheme of the reviewer's reasons
# Characters XML 1.0 does not allow (controls but tab and newlines, surrogates, U+FFFE and
# U+FFFF). The parser drops them from letters; a query typed with one must not break a feed.
NOT_XML_RE = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

UrlFor = Callable[[Hit], str]


def hit_record(hit: Hit, url: str) -> dict[str, Any]:
    """One decision as plain JSON values (the snippet as text without marks)."""
    return {
        "letter_id": hit.letter_id,
        "case_number": hit.case_number,
        "decision_index": hit.decision_index,
        "decision_date": hit.decision_date.isoformat() if hit.decision_date else None,
        "treatment": hit.treatment,
        "outcome": hit.outcome,
        "case_outcome": hit.case_outcome,
        "category": hit.category,
        "subcategory": hit.subcategory,
        "guideline_families": list(hit.guideline_families),
        "guideline_sources": list(hit.guideline_sources),
        "body_regions": list(hit.body_regions),
        "reasons": list(hit.reasons),
        "reviewer_specialties": list(hit.reviewer_specialties),
        "reviewer_states": list(hit.reviewer_states),
        "url": url,
    }


def spreadsheet_safe(text: str) -> str:
    """Prefix an apostrophe to text a spreadsheet program would run as a formula."""
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def _cell(value: object) -> str:
    if value is None:
        return ""
    return spreadsheet_safe(LIST_SEPARATOR.join(value) if isinstance(value, list) else str(value))


def _csv_line(values: Iterable[object]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow([_cell(v) for v in values])
    return buffer.getvalue()


def truncation_message(exported: int, total: int) -> str:
    return (
        f"Truncated: this export holds the first {exported:,} of {total:,} decisions. "
        "Narrow the search (filters or dates) to export the rest."
    )


def csv_lines(hits: Iterable[Hit], url_for: UrlFor, total: int) -> Iterator[str]:
    """Yield the CSV header, one line per decision and, when capped, a final '#' comment row."""
    yield "\ufeff" + _csv_line(CSV_COLUMNS)  # BOM: spreadsheet programs then read UTF-8
    exported = 0
    for hit in hits:
        record = hit_record(hit, url_for(hit))
        yield _csv_line(record[c] for c in CSV_COLUMNS)
        exported += 1
    if total > exported:
        yield _csv_line([f"# {truncation_message(exported, total)}"])


def json_chunks(
    hits: Iterable[Hit], url_for: UrlFor, head: dict[str, Any], total: int, cap: int
) -> Iterator[str]:
    """Yield one JSON object: head fields, total, truncated, then the results array."""
    exported = min(total, cap)
    meta = {**head, "total": total, "exported": exported, "truncated": total > cap, "cap": cap}
    if total > cap:
        meta["message"] = truncation_message(exported, total)
    yield json.dumps(meta, ensure_ascii=False)[:-1] + ', "results": ['
    for number, hit in enumerate(hits):
        yield ("," if number else "") + "\n" + json.dumps(hit_record(hit, url_for(hit)))
    yield "\n]}\n"


def _stamp(value: date | None, fallback: datetime) -> str:
    if value is None:
        return fallback.strftime("%Y-%m-%dT%H:%M:%SZ")
    return f"{value.isoformat()}T00:00:00Z"


def xml_text(text: str) -> str:
    """Return text without the characters XML 1.0 cannot hold."""
    return NOT_XML_RE.sub("", text)


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    safe = {name: xml_text(value) for name, value in attrs.items()}
    element = ET.SubElement(parent, f"{{{ATOM_NS}}}{tag}", safe)
    if text is not None:
        element.text = xml_text(text)
    return element


def atom_feed(
    hits: Iterable[Hit], url_for: UrlFor, title: str, self_url: str, html_url: str
) -> bytes:
    """An Atom 1.0 document for the hits (newest first as given); ElementTree escapes text."""
    ET.register_namespace("", ATOM_NS)
    items = list(hits)
    newest = max((h.decision_date for h in items if h.decision_date), default=None)
    fallback = datetime(1970, 1, 1, tzinfo=UTC)
    feed = ET.Element(f"{{{ATOM_NS}}}feed")
    _sub(feed, "title", title)
    _sub(feed, "id", self_url)
    _sub(feed, "updated", _stamp(newest, fallback))
    _sub(feed, "link", rel="self", href=self_url, type="application/atom+xml")
    _sub(feed, "link", rel="alternate", href=html_url, type="text/html")
    author = _sub(feed, "author")
    _sub(author, "name", "IMR Search")
    for hit in items:
        url = url_for(hit)
        entry = _sub(feed, "entry")
        case = hit.case_number or "No case number"
        _sub(entry, "title", f"{case}: {hit.treatment} - {hit.outcome}")
        _sub(entry, "id", url)
        _sub(entry, "link", rel="alternate", href=url, type="text/html")
        _sub(entry, "updated", _stamp(hit.decision_date or newest, fallback))
        labels = [hit.category or "", hit.subcategory or "", *hit.guideline_families]
        details = LIST_SEPARATOR.join(x for x in labels if x)
        reasons = f"Reasons: {LIST_SEPARATOR.join(hit.reasons)}." if hit.reasons else ""
        parts = (details + ".", reasons, hit.snippet.striptags())
        summary = " ".join(x for x in parts if x and x != ".")
        _sub(entry, "summary", summary, type="text")
        for label in (hit.outcome, hit.category):
            if label:
                _sub(entry, "category", term=label)
        for reason in hit.reasons:
            _sub(entry, "category", term=reason, scheme=REASON_SCHEME)
    return bytes(ET.tostring(feed, encoding="utf-8", xml_declaration=True))
