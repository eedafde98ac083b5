"""The SQLite FTS5 baseline: the same decision documents and the same requests, in sqlite3.

Each request does what run_search does: match, total, counts of every facet over the
matching set (GROUP BY over a facet table), and one page with snippet() highlights.
"""

from __future__ import annotations

import re
import sqlite3
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from indexer.fields import FACETS, split_values

MULTI = {"guideline", "guideline_source", "specialty", "state", "body_region"}
PAGE_SIZE = 20
WORD_RE = re.compile(r"[a-z]{5,}")
COMMON = frozenset(
    {
        "which", "there", "their", "these", "those", "would", "could", "should", "about",
        "after", "before", "other", "being", "under", "request", "requested", "records",
        "guidelines", "guideline", "patient", "claimant", "treatment", "medically",
        "necessary", "review",
    }
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class FtsRequest:
    """One request in FTS5 terms: a MATCH expression (or none), filters, page, order."""

    match: str | None
    filters: tuple[tuple[str, str], ...] = ()
    page: int = 1
    newest: bool = False


def documents(searcher: Any) -> Iterator[dict[str, Any]]:
    """Yield every stored decision document of a Whoosh index, in document order."""
    reader = searcher.reader()
    for docnum in range(reader.doc_count_all()):
        if not reader.is_deleted(docnum):
            yield reader.stored_fields(docnum)


def build(db_path: Path, docs: Iterable[dict[str, Any]]) -> tuple[int, float]:
    """Write the FTS5 database; return (documents, seconds)."""
    db_path.unlink(missing_ok=True)
    started = time.perf_counter()
    con = sqlite3.connect(db_path)
    con.executescript(
        """
        PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;
        CREATE TABLE docs(rowid INTEGER PRIMARY KEY, doc_id TEXT, letter_id TEXT,
                          treatment TEXT, rationale TEXT, summary TEXT, decided TEXT,
                          outcome TEXT);
        CREATE VIRTUAL TABLE fts USING fts5(treatment, rationale, summary, content='docs',
                                            content_rowid='rowid', tokenize='porter unicode61');
        CREATE TABLE facets(rowid INTEGER, facet TEXT, value TEXT);
        """
    )
    count, facet_rows = _insert(con, docs, 1)
    con.executemany("INSERT INTO facets VALUES (?, ?, ?)", facet_rows)
    con.execute("INSERT INTO fts(fts) VALUES ('rebuild')")
    con.executescript(
        "CREATE INDEX facets_value ON facets(facet, value, rowid);"
        "CREATE INDEX facets_row ON facets(rowid); CREATE INDEX docs_decided ON docs(decided);"
    )
    con.commit()
    con.close()
    return count, time.perf_counter() - started


def _insert(
    con: sqlite3.Connection, docs: Iterable[dict[str, Any]], first: int
) -> tuple[int, list[tuple[int, str, str]]]:
    """Insert documents into docs from rowid first on; return their count and facet rows."""
    count = 0
    facet_rows: list[tuple[int, str, str]] = []
    for rowid, doc in enumerate(docs, start=first):
        decided = doc.get("decision_date")
        con.execute(
            "INSERT INTO docs VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                rowid,
                doc.get("doc_id"),
                doc.get("letter_id"),
                doc.get("treatment", ""),
                doc.get("rationale", ""),
                doc.get("summary", ""),
                decided.isoformat() if decided else "",
                doc.get("outcome", ""),
            ),
        )
        for facet in FACETS:
            raw = doc.get(facet)
            values = split_values(raw) if facet in MULTI else ((raw,) if raw else ())
            facet_rows.extend((rowid, facet, value) for value in values)
        count += 1
    return count, facet_rows


def append(db_path: Path, docs: Iterable[dict[str, Any]]) -> tuple[int, float]:
    """Add documents to a database build() wrote, as an update would: their rows, their
    facets and their full text, in one transaction; return (documents, seconds)."""
    started = time.perf_counter()
    con = sqlite3.connect(db_path)
    con.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;")
    first = con.execute("SELECT coalesce(max(rowid), 0) + 1 FROM docs").fetchone()[0]
    with con:
        count, facet_rows = _insert(con, docs, first)
        con.executemany("INSERT INTO facets VALUES (?, ?, ?)", facet_rows)
        con.execute(
            "INSERT INTO fts(rowid, treatment, rationale, summary) "
            "SELECT rowid, treatment, rationale, summary FROM docs WHERE rowid >= ?",
            (first,),
        )
    con.close()
    return count, time.perf_counter() - started


def connect(db_path: Path) -> sqlite3.Connection:
    """Open the database read-only for one thread."""
    return sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, check_same_thread=False)


def _matching_sql(req: FtsRequest) -> tuple[str, list[str]]:
    parts: list[str] = []
    args: list[str] = []
    if req.match is not None:
        parts.append("SELECT rowid FROM fts WHERE fts MATCH ?")
        args.append(req.match)
    for facet, value in req.filters:
        parts.append("SELECT rowid FROM facets WHERE facet = ? AND value = ?")
        args += [facet, value]
    if not parts:
        return "SELECT rowid FROM docs", args
    return " INTERSECT ".join(parts), args


def run(con: sqlite3.Connection, req: FtsRequest) -> tuple[int, int]:
    """Answer a request fully; return (total, hits on the page)."""
    matching, args = _matching_sql(req)
    total = con.execute(f"SELECT count(*) FROM ({matching})", args).fetchone()[0]
    con.execute(
        f"SELECT facet, value, count(*) FROM facets WHERE rowid IN ({matching}) "
        "GROUP BY facet, value",
        args,
    ).fetchall()
    offset = (req.page - 1) * PAGE_SIZE
    if req.match is not None and not req.newest:
        # Rank the MATCH once, then filter: joining filters to MATCH made SQLite re-run the
        # full-text query per filter row (seconds at 8k documents). Snippets for the page only.
        where = f" WHERE rowid IN ({_filters_sql(req)})" if req.filters else ""
        ids = [
            row[0]
            for row in con.execute(
                "WITH hits AS MATERIALIZED (SELECT rowid, rank FROM fts WHERE fts MATCH ?) "
                f"SELECT rowid FROM hits{where} ORDER BY rank LIMIT ? OFFSET ?",
                [req.match, *_filter_args(req), PAGE_SIZE, offset],
            )
        ]
        marks = ",".join("?" * len(ids)) or "NULL"
        rows = con.execute(
            "SELECT rowid, snippet(fts, 1, '<mark>', '</mark>', '...', 16) FROM fts "
            f"WHERE fts MATCH ? AND rowid IN ({marks})",
            [req.match, *ids],
        ).fetchall()
    elif req.match is not None:
        rows = con.execute(
            "SELECT fts.rowid, snippet(fts, 1, '<mark>', '</mark>', '...', 16) FROM fts "
            f"JOIN docs ON docs.rowid = fts.rowid WHERE fts MATCH ? AND fts.rowid IN ({matching})"
            " ORDER BY docs.decided DESC LIMIT ? OFFSET ?",
            [req.match, *args, PAGE_SIZE, offset],
        ).fetchall()
    else:
        rows = con.execute(
            f"SELECT rowid, substr(rationale, 1, 200) FROM docs WHERE rowid IN ({matching}) "
            "ORDER BY decided DESC LIMIT ? OFFSET ?",
            [*args, PAGE_SIZE, offset],
        ).fetchall()
    return int(total), len(rows)


def _filters_sql(req: FtsRequest) -> str:
    return " INTERSECT ".join(
        "SELECT rowid FROM facets WHERE facet = ? AND value = ?" for _ in req.filters
    )


def _filter_args(req: FtsRequest) -> list[str]:
    return [part for facet, value in req.filters for part in (facet, value)]


def stats(con: sqlite3.Connection, req: FtsRequest) -> int:
    """Outcome counts per facet value over the matching set (what /api/stats computes)."""
    matching, args = _matching_sql(req)
    rows = con.execute(
        "SELECT f.facet, f.value, d.outcome, count(*) FROM facets f JOIN docs d "
        f"ON d.rowid = f.rowid WHERE f.rowid IN ({matching}) GROUP BY f.facet, f.value, d.outcome",
        args,
    ).fetchall()
    return len(rows)


def key_terms_match(text: str, limit: int = 15) -> str:
    """An OR query of a text's most frequent longer words (the FTS5 'more like this')."""
    counts = Counter(w for w in WORD_RE.findall(text.lower()) if w not in COMMON)
    return " OR ".join(word for word, _ in counts.most_common(limit)) or "pain"


def doc_text(con: sqlite3.Connection, doc_id: str) -> str:
    """Treatment and rationale of one decision (the 'similar decisions' input)."""
    row = con.execute(
        "SELECT treatment, rationale FROM docs WHERE doc_id = ?", (doc_id,)
    ).fetchone()
    return " ".join(row) if row else ""
