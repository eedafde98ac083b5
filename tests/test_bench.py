"""bench/run.py end to end on a tiny corpus: it must finish and print a complete table.

No timing is asserted: the numbers depend on the machine.
"""

from __future__ import annotations

import importlib
import re
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CLASSES = (
    "single term",
    "several terms",
    "phrase",
    "phrase + facet filters",
    "reason filter",
    "browse, no query",
    "page 5",
    "sort by date",
    "similar decisions",
    "like my case",
    "statistics",
)
MS = r"\d+\.\d / \d+\.\d"  # "p50 / p95"


def _run(out: Path, corpus_dir: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "run.py"),
            "--size", "200",
            "--repeat", "3",
            "--load-seconds", "2",
            "--threads", "4",
            "--out", str(out),
            "--pdf-corpus", str(corpus_dir),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=ROOT,
    )  # fmt: skip


def test_bench_prints_a_complete_table(tmp_path: Path, corpus_dir: Path) -> None:
    done = _run(tmp_path, corpus_dir)
    assert done.returncode == 0, done.stderr[-2000:]
    text = done.stdout
    assert text == (tmp_path / "last.md").read_text()
    assert re.search(
        r"200 letters, \d+ decisions in [\d.]+ s = \*\*[\d,]+ decisions/s\*\*; 0 failed", text
    )
    for label in ("Index size", "SQLite FTS5 build", "Peak RSS, build", "Cold start, library",
                  "Cold start, HTTP", "PDF text extraction"):  # fmt: skip
        assert f"| {label}" in text, label
    assert re.search(r"PDF text extraction.*ms over [1-9]\d* letters", text)
    own = r"of it their own memory \(RssAnon, sampled every 0.5 s\): [1-9]\d* and \d+ MB"
    build_row = rf"\| Peak RSS, build \| \d+ MB main process, \d+ MB largest worker; {own}"
    assert re.search(build_row, text)
    for cls in CLASSES:
        cells = r" \| ".join(["(.+)"] * 5)
        row = re.search(rf"^\| {re.escape(cls)} \| {cells} \|$", text, re.M)
        assert row, cls
        library, http, sqlite, ratio, cached = row.groups()
        assert re.fullmatch(MS, cached), (cls, cached)
        assert re.fullmatch(MS, library), (cls, library)
        assert re.fullmatch(MS, http) or http == "n/a (not built)", (cls, http)
        assert re.fullmatch(MS, sqlite), (cls, sqlite)
        assert re.fullmatch(r"\d+\.\d{1,2}x", ratio), (cls, ratio)
    assert re.search(
        r"\| Peak memory, HTTP server .*\| \d+ MB its own \(RssAnon\); \d+ MB of mapped", text
    )
    load = re.search(r"^\| ([\d,]+) \| (\d+) \| [\d.]+ req/s \| \d+ ms \| \d+ ms \|$", text, re.M)
    assert load, text
    assert int(load[1].replace(",", "")) > 0
    assert load[2] == "0"
    # A second run reuses the cached corpus, index and FTS5 database.
    again = _run(tmp_path, corpus_dir)
    assert again.returncode == 0, again.stderr[-2000:]
    assert "cached" in again.stdout


def test_replicated_index_is_benchmarked_as_given(tmp_path: Path, corpus_dir: Path) -> None:
    from search_app.search import service as search

    replicate = _bench_module("replicate")
    built = _run(tmp_path, corpus_dir)
    assert built.returncode == 0, built.stderr[-2000:]
    source, copies = tmp_path / "index-200-s1", tmp_path / "copies"
    segments, docs = replicate.replicate(source, 3, copies)
    assert "3 copies" in (copies / replicate.MARKER).read_text()
    request = search.parse_request([("q", "treatment")])

    def sizes(folder: Path) -> tuple[int, int]:
        index = search.open_index(folder, check_seconds=0)
        try:
            with index.searcher() as searcher:
                return searcher.doc_count(), search.run_search(index, request).total
        finally:
            index.close()

    original, copied = sizes(source), sizes(copies)
    assert original[1] > 0 and copied == (3 * original[0], 3 * original[1]) == (docs, copied[1])
    assert segments >= 3
    try:
        replicate.replicate(source, 2, copies)
    except SystemExit as refused:
        assert "exists" in str(refused)
    else:
        raise AssertionError("replicate wrote into an existing folder")
    given = subprocess.run(
        [
            sys.executable, str(ROOT / "bench" / "run.py"),
            "--index", str(copies), "--repeat", "1", "--load-seconds", "1", "--threads", "2",
            "--out", str(tmp_path), "--pdf-corpus", str(corpus_dir),
        ],
        capture_output=True, text=True, timeout=600, cwd=ROOT,
    )  # fmt: skip
    assert given.returncode == 0, given.stderr[-2000:]
    assert f"the index {copies}, {docs:,} decisions" in given.stdout
    assert "not run: the index was given" in given.stdout and "3 copies" in given.stdout


def test_bench_rejects_bad_arguments(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run.py"), "--size", "0", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "--size must be at least 1" in done.stderr


def _base_with_fts(corpus: Path, index_dir: Path, db: Path, letters: int) -> int:
    """Generate letters into corpus, index them, and write bench/fts.py's database of the
    index (as bench/run.py does); return the index's decisions."""
    from indexer.build import build_index
    from indexer.synthetic.corpus import generate_corpus
    from search_app.search import service as search

    fts = _bench_module("fts")
    generate_corpus(corpus, letters, 7)
    decisions = build_index([corpus], index_dir, procs=1).decisions_total
    index = search.open_index(index_dir)
    with index.searcher() as searcher:
        fts.build(db, fts.documents(searcher))
    index.close()
    return decisions


def _bench_module(name: str) -> Any:
    """Import a script of bench/ (they import each other as plain modules)."""
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        return importlib.import_module(name)
    finally:
        sys.path.remove(str(ROOT / "bench"))


def test_month_adds_letters_to_copies_of_the_base_and_prints_a_table(tmp_path: Path) -> None:
    base = tmp_path / "index-40-s7"
    before = _base_with_fts(tmp_path / "corpus", base, tmp_path / "fts-40-s7.sqlite", 40)
    files = sorted(p.name for p in base.iterdir())
    done = subprocess.run(
        [
            sys.executable, str(ROOT / "bench" / "month.py"), "--base", str(base),
            "--letters", "30", "--runs", "2", "--months", "3", "--out", str(tmp_path / "out"),
        ],
        capture_output=True, text=True, timeout=600, cwd=ROOT,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    text = done.stdout
    assert text == (tmp_path / "out" / "month.md").read_text()
    assert "| Letters added / updated / failed | 30 / 0 / 0 |" in text
    added = re.search(r"\| Decisions added \| (\d+) \(index after: ([\d,]+)\) \|", text)
    assert added and int(added[2].replace(",", "")) == before + int(added[1])
    assert re.search(r"\| Wall time, median \(runs\) \| \*\*[\d.]+ s\*\* \([\d.]+, [\d.]+\); "
                     r"the target is for 12,000 letters \|", text)  # fmt: skip
    # 30 letters onto 40 are more than a quarter of the index: all of it merged into one
    merged = r"\| Commits; segments merged after them; segments after \| 1; 2 \(into one\); 1 \|"
    assert re.search(merged, text)
    row = r"^\| (\d) \| [\d.]+ s \| [\d.]+ s \| (\d+) \| (\d+) \| ([\d,]+) \|$"
    months = re.findall(row, text, re.M)
    totals = [int(m[3].replace(",", "")) for m in months]
    assert [m[0] for m in months] == ["1", "2", "3"] and totals[0] == int(added[2].replace(",", ""))
    assert totals[0] < totals[1] < totals[2]  # each month's seed brings new letters
    assert re.search(r"^\| all \| [\d.]+ s, [\d.]+ s a month \| [\d.]+ s \|", text, re.M)
    assert re.search(r"\| SQLite FTS5, same decisions .* \| [\d.]+ s \([\d.]+, [\d.]+\); ", text)
    assert re.search(r"\| Ours / FTS5 \| [\d.]+x", text)
    assert re.search(r"\| Parsing the month into documents, one process .* \| [\d.]+ s \|", text)
    assert sorted(p.name for p in base.iterdir()) == files, "the base index was changed"
    assert not (tmp_path / "out" / "month-scratch").exists()
    peer = sqlite3.connect(tmp_path / "fts-40-s7.sqlite")
    assert peer.execute("SELECT count(*) FROM docs").fetchone()[0] == before
    peer.close()


def test_fts_append_indexes_the_new_documents_for_match(tmp_path: Path) -> None:
    from indexer.synthetic.corpus import generate_corpus

    fts, month = _bench_module("fts"), _bench_module("month")
    base_docs = _base_with_fts(tmp_path / "base", tmp_path / "index", tmp_path / "fts.sqlite", 20)
    generate_corpus(tmp_path / "month", 20, 8)
    docs = month.month_documents(tmp_path / "month")
    assert fts.append(tmp_path / "fts.sqlite", docs)[0] == len(docs) > 0
    con = sqlite3.connect(tmp_path / "fts.sqlite")
    rows = con.execute("SELECT count(*), min(rowid), max(rowid) FROM docs").fetchone()
    assert rows == (base_docs + len(docs), 1, base_docs + len(docs))
    word = docs[-1]["treatment"].split()[0].strip("\"'(),.:;")
    new = con.execute(
        "SELECT count(*) FROM fts WHERE fts MATCH ? AND rowid > ?", (f'"{word}"', base_docs)
    ).fetchone()[0]
    assert new >= 1, word  # at least the decision whose treatment starts with it
    facets = con.execute("SELECT count(DISTINCT rowid) FROM facets WHERE rowid > ?", (base_docs,))
    assert facets.fetchone()[0] == len(docs)
    con.close()


def test_a_cached_index_of_another_schema_is_built_again(tmp_path: Path) -> None:
    from whoosh import fields
    from whoosh import index as whoosh_index

    from indexer.engine.whoosh.files import INDEX_NAME
    from indexer.synthetic.corpus import generate_corpus

    run = _bench_module("run")
    corpus = tmp_path / "corpus"
    generate_corpus(corpus, 5, 3)
    stale = tmp_path / "index-5-s3"
    stale.mkdir()
    whoosh_index.create_in(str(stale), fields.Schema(old=fields.ID()), indexname=INDEX_NAME)
    (tmp_path / "index-5-s3.json").write_text('{"seconds": 1.0, "decisions": 0}')
    assert not run.built_with_schema(stale)
    index, info = run.ensure_index(tmp_path, corpus, 5, 3, 1)
    assert index == stale and not info["cached"] and info["decisions"] > 0
    assert run.built_with_schema(index)
    again = run.ensure_index(tmp_path, corpus, 5, 3, 1)[1]
    assert again["cached"] and again["decisions"] == info["decisions"]
