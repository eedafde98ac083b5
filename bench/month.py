"""Time adding a month of letters to a built index, next to SQLite FTS5 taking the same month.

    .venv/bin/python bench/month.py --base bench/out/index-60000-s2 [--letters 12000]
        [--seed 101] [--runs 3] [--months 1] [--procs 2] [--fts bench/out/fts-60000-s2.sqlite]

The issue's target: 12,000 letters (a month of the DWC's letters) added in under a minute on
top of a built index. The month is a synthetic corpus (cached in <out> by size and seed, text
letters, a seed other than the base's so that its letters are new). Each run copies the base
index to a scratch folder and runs `imr-index build` on it in a process of its own, which is
timed from start to exit: the wall time, the CPU time of the build and its workers, and their
peak memory. The runs' median is the figure. With an FTS5 database of the base (bench/run.py
writes one beside the index), a copy of it then takes the same decisions in one transaction:
their rows, facets and full text, with the documents made beforehand (parsing is ours, not
the peer's, and is left out of its time). With --months K, the last run's copy then takes
K - 1 more months (the next seeds), one after another: the merges the build chooses as
segments pile up (indexer/merging.py), and their cost, month by month. Prints Markdown tables;
writes them to <out>/month.md.
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import fts  # bench/fts.py, next to this script

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from run import machine  # noqa: E402 - bench/run.py, next to this script

STAMP = ".complete"
MONTH = 12_000  # letters the DWC issues in a month
TARGET_SECONDS = 60


def ensure_month(out: Path, letters: int, seed: int) -> tuple[Path, str]:
    """Generate the month (text letters), or reuse it when an earlier run completed it."""
    from indexer.synthetic.corpus import generate_corpus

    corpus = out / f"month-{letters}-s{seed}"
    done = corpus / STAMP
    if done.is_file():
        return corpus, f"cached ({done.read_text().strip()})"
    started = time.perf_counter()
    count = generate_corpus(corpus, letters, seed)
    note = f"{count} letters generated in {time.perf_counter() - started:.1f} s"
    done.write_text(note + "\n")
    return corpus, note


def children_usage() -> tuple[float, float]:
    """CPU seconds and peak RSS (MB) of the waited-for processes so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def one_run(base: Path | None, corpus: Path, scratch: Path, procs: int) -> dict[str, Any]:
    """Copy the base index to scratch (none: add to scratch as it is) and add the month to
    it in a child process."""
    if base is not None:
        shutil.rmtree(scratch, ignore_errors=True)
        shutil.copytree(base, scratch)
    subprocess.run(["sync"], check=False)  # the copy's writeback is not the build's time
    cpu_before, _ = children_usage()
    command = [sys.executable, str(Path(__file__).resolve()), "--child"]
    command += [str(corpus), str(scratch), str(procs)]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"the build failed:\n{done.stderr[-3000:]}")
    cpu_after, peak = children_usage()
    found: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return {**found, "wall": wall, "cpu": cpu_after - cpu_before, "peak_mb": peak}


def child(corpus: Path, index_dir: Path, procs: int) -> int:
    """Run the build itself (in the process one_run times) and print its report as JSON."""
    from whoosh.filedb.filestore import FileStorage
    from whoosh.index import TOC

    from indexer.build import build_index
    from indexer.engine.whoosh.files import INDEX_NAME

    report = build_index([corpus], index_dir, procs=procs)
    segments = len(TOC.read(FileStorage(str(index_dir)), INDEX_NAME).segments)
    print(
        json.dumps(
            {
                "added": report.added,
                "updated": report.updated,
                "failed": len(report.failed),
                "decisions": report.decisions,
                "decisions_total": report.decisions_total,
                "commits": report.commits,
                "optimized": report.optimized,
                "merged": report.merged,
                "merge_seconds": report.merge_seconds,
                "segments": segments,
                "build_seconds": report.seconds,
            }
        )
    )
    return 0


def month_documents(corpus: Path) -> list[dict[str, Any]]:
    """The month's decision documents, as the index gets them (for the FTS5 peer)."""
    from indexer.build import letter_files
    from indexer.engine.whoosh.schema import to_documents
    from indexer.read.parse import parse_file

    return [doc for path in letter_files([corpus]) for doc in to_documents(parse_file(path))]


def peer_run(db: Path, scratch_db: Path, docs: list[dict[str, Any]]) -> float:
    shutil.copyfile(db, scratch_db)
    subprocess.run(["sync"], check=False)
    _, seconds = fts.append(scratch_db, docs)
    return seconds


def base_fts(base: Path) -> Path | None:
    """bench/run.py's FTS5 database of the base index, when it sits beside it."""
    match = re.fullmatch(r"index-(.+)", base.name)
    if match is None:
        return None
    db = base.parent / f"fts-{match.group(1)}.sqlite"
    return db if db.is_file() else None


def report(args: argparse.Namespace, facts: dict[str, Any]) -> str:
    runs = facts["runs"]
    wall = [r["wall"] for r in runs]
    median = statistics.median(wall)
    first = runs[0]
    decisions = first["decisions"]
    cpu_ms = statistics.median(r["cpu"] for r in runs) * 1000 / max(1, decisions)
    if args.letters != MONTH:
        target = f"the target is for {MONTH:,} letters"
    elif median < TARGET_SECONDS:
        target = f"under the {TARGET_SECONDS} s target"
    else:
        target = f"over the {TARGET_SECONDS} s target by {median - TARGET_SECONDS:.1f} s"
    peak = max(r["peak_mb"] for r in runs)
    lines = [
        f"# Adding a month: {args.letters:,} letters onto {facts['base_decisions']:,} decisions",
        "",
        f"- Machine: {machine()}",
        f"- Base index: {args.base} ({facts['base_decisions']:,} decisions)",
        f"- Month: {facts['corpus']} ({facts['corpus_note']})",
        f"- Build: `imr-index build` with --procs {args.procs}, {len(runs)} runs, each on a "
        "fresh copy of the base",
        "",
        "| Measure | Value |",
        "|---|---|",
        f"| Letters added / updated / failed | {first['added']:,} / {first['updated']:,} / "
        f"{first['failed']:,} |",
        f"| Decisions added | {decisions:,} (index after: {first['decisions_total']:,}) |",
        f"| Wall time, median (runs) | **{median:.1f} s** "
        f"({', '.join(f'{w:.1f}' for w in wall)}); {target} |",
        f"| Decisions/s, median | {decisions / median:,.0f} |",
        f"| CPU per decision, median (build and workers) | {cpu_ms:.2f} ms |",
        f"| Commits; segments merged after them; segments after | {first['commits']}; "
        f"{first['merged']}{' (into one)' if first['optimized'] else ''}; "
        f"{first['segments']} |",
        f"| Peak RSS of one process (build or worker) | {peak:,.0f} MB |",
    ]
    peer = facts.get("peer")
    if peer:
        seconds = statistics.median(peer)
        lines += [
            f"| SQLite FTS5, same decisions into a copy of the base's database, median "
            f"| {seconds:.1f} s ({', '.join(f'{s:.1f}' for s in peer)}); "
            f"{decisions / seconds:,.0f} decisions/s; parsing not included |",
            f"| Ours / FTS5 | {median / seconds:.1f}x (ours includes parsing the letters) |",
            f"| Parsing the month into documents, one process (the peer's input) "
            f"| {facts['parse_seconds']:.1f} s |",
        ]
    else:
        lines.append("| SQLite FTS5 | not run: no database of the base (bench/run.py writes "
                     "fts-<size>-s<seed>.sqlite beside index-<size>-s<seed>) |")  # fmt: skip
    lines += consecutive_table(facts.get("months", []))
    return "\n".join(lines) + "\n"


def consecutive_table(months: list[dict[str, Any]]) -> list[str]:
    """The rows of consecutive months added to one copy of the base (--months)."""
    if not months:
        return []
    lines = [
        "",
        f"Consecutive months on one copy of the base ({len(months)} months, seeds from "
        "--seed up, one run each): the merges indexer/merging.py chooses, and what they cost.",
        "",
        "| Month | Wall | Of it, merging | Segments merged | Segments after | Decisions after |",
        "|---|---|---|---|---|---|",
    ]
    for number, run in enumerate(months, start=1):
        lines.append(
            f"| {number} | {run['wall']:.1f} s | {run['merge_seconds']:.1f} s | {run['merged']} "
            f"| {run['segments']} | {run['decisions_total']:,} |"
        )
    wall = sum(run["wall"] for run in months)
    lines.append(f"| all | {wall:.1f} s, {wall / len(months):.1f} s a month | "
                 f"{sum(run['merge_seconds'] for run in months):.1f} s | | | |")  # fmt: skip
    return lines


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "--child":
        return child(Path(argv[1]), Path(argv[2]), int(argv[3]))
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", type=Path, required=True, help="a built index (not changed)")
    parser.add_argument("--letters", type=int, default=MONTH, help="letters in the month")
    parser.add_argument("--seed", type=int, default=101, help="the month's seed")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--months",
        type=int,
        default=1,
        help="months in a row on the last run's copy, that run's first",
    )
    parser.add_argument("--procs", type=int, default=2, help="build processes")
    parser.add_argument("--fts", type=Path, help="the base's FTS5 database (default: beside it)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    args = parser.parse_args(argv)
    for name in ("letters", "runs", "procs", "months"):
        if getattr(args, name) < 1:
            parser.error(f"--{name} must be at least 1")
    from indexer.engine.writing import index_generation

    if index_generation(args.base) < 0:
        parser.error(f"--base {args.base}: no Whoosh index there")
    db = args.fts or base_fts(args.base)
    if db is not None and not db.is_file():
        parser.error(f"--fts {db}: no such file")
    args.out.mkdir(parents=True, exist_ok=True)

    def step(message: str) -> None:
        print(f"[month] {message}", file=sys.stderr, flush=True)

    from search_app.search.service import open_index

    index = open_index(args.base)
    with index.searcher() as searcher:
        base_decisions = searcher.doc_count()
    index.close()
    step(f"month of {args.letters:,} letters")
    corpus, note = ensure_month(args.out, args.letters, args.seed)
    facts: dict[str, Any] = {
        "base_decisions": base_decisions,
        "corpus": corpus,
        "corpus_note": note,
        "runs": [],
    }
    scratch = args.out / "month-scratch"
    try:
        for number in range(args.runs):
            step(f"run {number + 1} of {args.runs}")
            facts["runs"].append(one_run(args.base, corpus, scratch, args.procs))
        if args.months > 1:
            facts["months"] = [facts["runs"][-1]]  # the last run's copy holds month 1
            for number in range(1, args.months):
                step(f"consecutive month {number + 1} of {args.months}")
                month, _ = ensure_month(args.out, args.letters, args.seed + number)
                facts["months"].append(one_run(None, month, scratch, args.procs))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    if db is not None:
        step("SQLite FTS5")
        started = time.perf_counter()
        docs = month_documents(corpus)
        facts["parse_seconds"] = time.perf_counter() - started
        scratch_db = args.out / "month-scratch.sqlite"
        try:
            facts["peer"] = [peer_run(db, scratch_db, docs) for _ in range(args.runs)]
        finally:
            scratch_db.unlink(missing_ok=True)
    text = report(args, facts)
    (args.out / "month.md").write_text(text, encoding="utf-8")
    print(text, end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
