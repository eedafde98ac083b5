"""Benchmark IMR Search on a synthetic corpus, next to SQLite FTS5 on the same documents.

    .venv/bin/python bench/run.py --size 5000 [--seed 1] [--load-seconds 20] [--threads 20]

Generates the corpus (cached in bench/out/ by size and seed), builds the index, runs a fixed
query mix through the library and over HTTP (waitress on a free 127.0.0.1 port), runs the
same requests on SQLite FTS5, a bounded load test, and PDF text extraction over the real
letters. Prints a Markdown report and writes it to <out>/last.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import fts  # bench/fts.py, next to this script

ROOT = Path(__file__).resolve().parent.parent
# The query mix repeats its queries, so the library and the server run with their caches of
# matching sets and decoded postings off: every timed request does the whole work (cold
# numbers). One more library column runs with the default caches, as `make run` serves.
MATCH_CACHE = 0
POSTINGS_MB = 0
TERMS = ("tramadol", "acupuncture", "mri", "chiropractic", "gabapentin", "knee", "injection")
SEVERAL = (
    "physical therapy lumbar",
    "opioid functional improvement",
    "mri shoulder surgery",
    "topical compound cream",
    "epidural injection radiculopathy",
)
PHRASES = (
    '"functional improvement"',
    '"home exercise program"',
    '"utilization review"',
    '"red flag"',
    '"medically necessary"',
)
FILTERS = (
    (("outcome", "Overturned"),),
    (("category", "Pharmaceuticals"),),
    (("state", "California"),),
    (("body_region", "Lumbar/Low back"),),
    (("outcome", "Upheld"), ("category", "Rehabilitation")),
)
# The reviewer's reasons a "reason filter" request narrows to, with one of TERMS.
REASONS = (
    "No functional improvement",
    "Indications not documented",
    "Exceeds guideline limits",
    "Conservative care not tried",
    "Indications documented",
)
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


@dataclass(frozen=True, slots=True)
class Request:
    """One benchmark request, as the library, HTTP and FTS5 each express it."""

    cls: str
    pairs: tuple[tuple[str, str], ...] = ()
    similar: tuple[str, int] | None = None
    like: str | None = None
    stats: bool = False
    fts: fts.FtsRequest = field(default_factory=lambda: fts.FtsRequest(None))

    def http(self) -> tuple[str, bytes | None]:
        """Return (path and query string, POST body or None)."""
        if self.similar:
            letter_id, index = self.similar
            return f"/api/similar/{urllib.parse.quote(letter_id)}/{index}", None
        if self.like is not None:
            return "/api/like", urllib.parse.urlencode({"text": self.like}).encode()
        route = "/api/stats" if self.stats else "/api/search"
        return f"{route}?{urllib.parse.urlencode(self.pairs)}", None


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile of a non-empty list."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def timing(values: list[float]) -> str:
    """'p50 / p95' in milliseconds."""
    if not values:
        return "n/a"
    return f"{percentile(values, 0.5) * 1000:.1f} / {percentile(values, 0.95) * 1000:.1f}"


def dir_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6


def machine() -> str:
    mem_kb = 0
    with open("/proc/meminfo", encoding="ascii") as meminfo:
        for line in meminfo:
            if line.startswith("MemTotal:"):
                mem_kb = int(line.split()[1])
    return (
        f"{os.cpu_count()} CPUs ({platform.machine()}), {mem_kb / 1e6:.1f} GB RAM, "
        f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, {platform.system()}"
    )


def rss_mb(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024


# --- corpus, index, FTS5 database -------------------------------------------------------


def ensure_corpus(out: Path, size: int, seed: int) -> tuple[Path, str]:
    from indexer.synthetic.corpus import generate_corpus

    corpus = out / f"corpus-{size}-s{seed}"
    done = corpus / ".complete"
    if done.is_file():
        return corpus, f"cached ({done.read_text().strip()})"
    started = time.perf_counter()
    count = generate_corpus(corpus, size, seed, pdf_count=min(50, size // 100))
    seconds = time.perf_counter() - started
    note = f"{count} letters in {seconds:.1f} s ({count / seconds:,.0f} letters/s)"
    done.write_text(note + "\n")
    return corpus, note


def built_with_schema(index: Path) -> bool:
    """Tell whether a cached index was built with the schema the indexer now writes."""
    from indexer.engine.writing import schema_matches

    return schema_matches(index)  # a damaged cache is rebuilt, whatever the damage


def ensure_index(
    out: Path, corpus: Path, size: int, seed: int, procs: int
) -> tuple[Path, dict[str, Any]]:
    from indexer.build import build_index

    index = out / f"index-{size}-s{seed}"
    stamp = out / f"index-{size}-s{seed}.json"
    if stamp.is_file() and index.is_dir():
        if built_with_schema(index):
            return index, {**json.loads(stamp.read_text()), "cached": True}
        print(f"{index} was built with another schema: building it again", file=sys.stderr)
        shutil.rmtree(index)
    rss_before = rss_mb(resource.RUSAGE_SELF)
    watch = MemoryWatch(os.getpid(), every=0.5, tree=True)
    try:
        report = build_index([corpus], index, procs=procs)
    finally:
        own = watch.stop()
    info = {
        "seconds": report.seconds,
        "letters": report.letters_total,
        "decisions": report.decisions_total,
        "failed": [str(p.name) for p, _ in report.failed],
        "rss_self_mb": max(rss_before, rss_mb(resource.RUSAGE_SELF)),
        "rss_children_mb": rss_mb(resource.RUSAGE_CHILDREN),
        "anon_self_mb": own.get("RssAnon", 0.0),
        "anon_children_mb": own.get("child RssAnon", 0.0),
        "merged": report.merged,
        "merge_seconds": report.merge_seconds,
        "procs": procs,
        "cached": False,
    }
    stamp.write_text(json.dumps(info))
    return index, info


def ensure_fts(out: Path, index: Any, key: str) -> tuple[Path, dict[str, Any]]:
    db = out / f"fts-{key}.sqlite"
    stamp = out / f"fts-{key}.json"
    if stamp.is_file() and db.is_file():
        return db, {**json.loads(stamp.read_text()), "cached": True}
    with index.searcher() as searcher:
        count, seconds = fts.build(db, fts.documents(searcher))
    info = {"documents": count, "seconds": seconds, "cached": False}
    stamp.write_text(json.dumps(info))
    return db, info


# --- the query mix ----------------------------------------------------------------------


def query_mix(index: Any, seed: int, per_class: int) -> list[Request]:
    from indexer.synthetic.corpus import synthetic_letter

    rng = random.Random(seed)
    with index.searcher() as searcher:
        reader = searcher.reader()
        total = reader.doc_count_all()
        picks = [rng.randrange(total) for _ in range(per_class)]
        doc_ids = [str(reader.stored_fields(d)["doc_id"]) for d in picks]
    requests: list[Request] = []
    for n in range(per_class):
        term, several, phrase = TERMS[n % len(TERMS)], SEVERAL[n % len(SEVERAL)], PHRASES[n % 5]
        filters = FILTERS[n % len(FILTERS)]
        letter_id, _, decision = doc_ids[n].rpartition("#")
        like = synthetic_letter(seed + 7919, n).text[:3000]
        requests += [
            Request("single term", (("q", term),), fts=fts.FtsRequest(term)),
            Request("several terms", (("q", several),), fts=fts.FtsRequest(several)),
            Request("phrase", (("q", phrase),), fts=fts.FtsRequest(phrase)),
            Request(
                "phrase + facet filters",
                (("q", phrase), *filters),
                fts=fts.FtsRequest(phrase, filters),
            ),
            Request(
                "reason filter",
                (("q", term), ("reason", REASONS[n % len(REASONS)])),
                fts=fts.FtsRequest(term, (("reason", REASONS[n % len(REASONS)]),)),
            ),
            Request("browse, no query", (), fts=fts.FtsRequest(None)),
            Request("page 5", (("q", term), ("page", "5")), fts=fts.FtsRequest(term, page=5)),
            Request(
                "sort by date",
                (("q", several), ("sort", "newest")),
                fts=fts.FtsRequest(several, newest=True),
            ),
            Request("similar decisions", similar=(letter_id, int(decision))),
            Request("like my case", like=like, fts=fts.FtsRequest(fts.key_terms_match(like))),
            Request("statistics", (("q", term),), stats=True, fts=fts.FtsRequest(term)),
        ]
    return requests


def run_library(index: Any, req: Request) -> None:
    from search_app.search import analytics
    from search_app.search import service as search

    if req.similar:
        search.similar(index, req.similar[0], req.similar[1], 10)
    elif req.like is not None:
        search.like_my_case(index, req.like, 1)
    elif req.stats:
        analytics.compute_stats(index, search.parse_request(req.pairs))
    else:
        search.run_search(index, search.parse_request(req.pairs))


def run_fts(con: sqlite3.Connection, req: Request) -> None:
    if req.similar:
        doc_id = f"{req.similar[0]}#{req.similar[1]}"
        fts.run(con, fts.FtsRequest(fts.key_terms_match(fts.doc_text(con, doc_id))))
    elif req.stats:
        fts.stats(con, req.fts)
    else:
        fts.run(con, req.fts)


def http_get(base: str, req: Request, timeout: float = 120) -> int:
    path, body = req.http()
    with urllib.request.urlopen(base + path, data=body, timeout=timeout) as response:
        response.read()
        return int(response.status)


def measure(requests: list[Request], call: Callable[[Request], object]) -> dict[str, list[float]]:
    """Time each request once, after one untimed warm-up request per class."""
    warmed: set[str] = set()
    times: dict[str, list[float]] = {cls: [] for cls in CLASSES}
    for req in requests:
        if req.cls not in warmed:
            call(req)
            warmed.add(req.cls)
        started = time.perf_counter()
        call(req)
        times[req.cls].append(time.perf_counter() - started)
    return times


# --- processes: cold start, server, load ------------------------------------------------


COLD_START = """
import sys, time
t = time.perf_counter()
from search_app.search.service import open_index, parse_request, run_search
index = open_index(sys.argv[1])
run_search(index, parse_request([("q", "physical therapy")]))
print(time.perf_counter() - t)
"""


def cold_start_library(index_dir: Path) -> tuple[float, float]:
    """(wall seconds for a fresh interpreter to answer, seconds from import to answer)."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", COLD_START, str(index_dir)],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    return time.perf_counter() - started, float(done.stdout.strip().splitlines()[-1])


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(index_dir: Path, threads: int) -> tuple[subprocess.Popen[bytes], str, float]:
    """Start waitress in a subprocess; return it, its base URL and seconds to first answer."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "search_app.cli", "serve", "--index", str(index_dir),
         "--host", "127.0.0.1", "--port", str(port), "--threads", str(threads)],
        cwd=ROOT,
        env={
            **os.environ,
            "IMR_MATCH_CACHE": str(MATCH_CACHE),
            "IMR_POSTINGS_CACHE_MB": str(POSTINGS_MB),
        },
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    probe = Request("single term", (("q", "physical therapy"),))
    while time.perf_counter() - started < 300:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited with status {proc.returncode}")
        try:
            http_get(base, probe, timeout=30)
            return proc, base, time.perf_counter() - started
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.05)
    proc.terminate()
    raise RuntimeError("the server did not answer within 300 s")


class MemoryWatch:
    """Sample a process's resident memory (Linux /proc) until stopped; keep the peaks in MB.

    RssAnon is the process's own memory; RssFile is pages of mapped files (the index), shared
    with the page cache and dropped by the kernel under memory pressure. With tree, the peaks
    of the process's descendants (a build's workers) are kept too, under "child <field>".
    """

    FIELDS = ("VmRSS", "RssAnon", "RssFile")

    def __init__(self, pid: int, every: float = 0.1, tree: bool = False) -> None:
        self.pid = pid
        self.tree = tree
        self.peaks: dict[str, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(every,), daemon=True)
        self._thread.start()

    def _run(self, every: float) -> None:
        while not self._stop.is_set():
            if not self._sample(self.pid, ""):
                return
            if self.tree:
                for child in descendants(self.pid):
                    self._sample(child, "child ")
            self._stop.wait(every)

    def _sample(self, pid: int, prefix: str) -> bool:
        try:
            status = Path(f"/proc/{pid}/status").read_text(encoding="ascii")
        except OSError:
            return False
        for line in status.splitlines():
            name, _, rest = line.partition(":")
            if name in self.FIELDS:
                mb = int(rest.split()[0]) / 1024
                key = prefix + name
                self.peaks[key] = max(self.peaks.get(key, 0.0), mb)
        return True

    def stop(self) -> dict[str, float]:
        self._stop.set()
        self._thread.join()
        return dict(self.peaks)


def descendants(pid: int) -> list[int]:
    """The process ids of a process's children, theirs, and so on (Linux /proc)."""
    found: list[int] = []
    todo = [pid]
    while todo:
        parent = todo.pop()
        for task in Path(f"/proc/{parent}/task").glob("*"):
            try:
                children = [int(c) for c in (task / "children").read_text().split()]
            except OSError:
                continue
            found += children
            todo += children
    return found


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def stats_route_exists(base: str) -> bool:
    try:
        return http_get(base, Request("statistics", (("q", "knee"),), stats=True)) == 200
    except urllib.error.HTTPError as error:
        return error.code != 404


def load_test(base: str, requests: list[Request], threads: int, seconds: float) -> dict[str, Any]:
    """N client threads loop over the mix until the deadline; count, errors, latencies."""
    deadline = time.perf_counter() + seconds
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()

    def client(offset: int) -> None:
        n = offset
        while time.perf_counter() < deadline:
            req = requests[n % len(requests)]
            n += threads
            started = time.perf_counter()
            try:
                ok = http_get(base, req, timeout=60) == 200
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                ok = False
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                errors[0] += not ok

    started = time.perf_counter()
    workers = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    wall = time.perf_counter() - started
    return {
        "requests": len(latencies),
        "errors": errors[0],
        "wall": wall,
        "throughput": len(latencies) / wall,
        "p50": percentile(latencies, 0.5) if latencies else 0.0,
        "p95": percentile(latencies, 0.95) if latencies else 0.0,
    }


def pdf_extraction(corpus: Path) -> tuple[int, list[float]]:
    from indexer.read.pdf import extract_text

    times: list[float] = []
    files = sorted((corpus / "letters").glob("*.pdf"))
    for path in files:
        started = time.perf_counter()
        extract_text(path)
        times.append(time.perf_counter() - started)
    return len(files), times


# --- the report -------------------------------------------------------------------------


def ratio(ours: list[float], theirs: list[float]) -> str:
    if not ours or not theirs:
        return "n/a"
    base = percentile(theirs, 0.5)
    if base <= 0:
        return "n/a"
    value = percentile(ours, 0.5) / base
    return f"{value:.1f}x" if value >= 1 else f"{value:.2f}x"


def build_memory_note(build: dict[str, Any]) -> str:
    """The build's own memory (RssAnon, sampled) beside its peak RSS, which counts mapped
    index pages too; and what its merges cost."""
    note = ""
    if build.get("anon_self_mb"):
        note += (
            f"; of it their own memory (RssAnon, sampled every 0.5 s): "
            f"{build['anon_self_mb']:.0f} and {build['anon_children_mb']:.0f} MB, the rest "
            "mapped index pages"
        )
    if build.get("merged"):
        note += (
            f"; {build['merged']} segments merged in {build['merge_seconds']:.1f} s after the "
            "commits"
        )
    return note


def server_memory_row(peaks: dict[str, float]) -> str:
    if not peaks.get("RssAnon"):
        return "| Peak memory, HTTP server | not measured (no /proc) |"
    return (
        "| Peak memory, HTTP server (sampled every 0.1 s over the HTTP queries and the load "
        f"test) | {peaks['RssAnon']:.0f} MB its own (RssAnon); {peaks.get('RssFile', 0):.0f} MB "
        f"of mapped index pages (RssFile, page cache); {peaks.get('VmRSS', 0):.0f} MB RSS |"
    )


def report(args: argparse.Namespace, facts: dict[str, Any]) -> str:
    build, fts_info = facts["build"], facts["fts"]
    decisions = build["decisions"]
    cached = " (cached from an earlier run)"
    pdf_count, pdf_times = facts["pdf"]
    pdf_row = (
        f"{statistics.mean(pdf_times) * 1000:.1f} / {timing(pdf_times)} ms over {pdf_count} letters"
        if pdf_times
        else "n/a (no PDFs found)"
    )
    lines = [
        (
            f"# IMR Search benchmark: the index {args.index}, {decisions:,} decisions"
            if args.index
            else f"# IMR Search benchmark: {args.size:,} letters, seed {args.seed}"
        ),
        "",
        f"- Date: {time.strftime('%Y-%m-%d %H:%M')}; machine: {machine()}",
        f"- Corpus: {facts['corpus_note']}",
        "",
        "| Build and start-up | Value |",
        "|---|---|",
        (
            f"| Whoosh build | not run: the index was given ({build['given']}), "
            f"{decisions:,} decisions; {build['note']} |"
            if build.get("given")
            else f"| Whoosh build (procs={build['procs']}){cached if build['cached'] else ''} | "
            f"{build['letters']:,} letters, {decisions:,} decisions in {build['seconds']:.1f} s = "
            f"**{decisions / max(build['seconds'], 1e-9):,.0f} decisions/s**; "
            f"{len(build['failed'])} failed {' '.join(build['failed'][:5])} |"
        ),
        f"| Index size | {facts['index_mb']:.1f} MB |",
        f"| SQLite FTS5 build{cached if fts_info['cached'] else ''} | "
        f"{fts_info['documents']:,} decisions in {fts_info['seconds']:.1f} s = "
        f"{fts_info['documents'] / max(fts_info['seconds'], 1e-9):,.0f} decisions/s; "
        f"{facts['fts_mb']:.1f} MB |",
        (
            f"| Peak RSS, build | {build['rss_self_mb']:.0f} MB main process, "
            f"{build['rss_children_mb']:.0f} MB largest worker{build_memory_note(build)} |"
            if build.get("rss_self_mb")
            else "| Peak RSS, build | not measured (the index was built outside this run) |"
        ),
        f"| Peak RSS, whole run (library queries included) | {facts['rss_end']:.0f} MB |",
        server_memory_row(facts.get("server_memory") or {}),
        f"| Cold start, library (new interpreter to first answer) | "
        f"{facts['cold_wall'] * 1000:.0f} ms wall, {facts['cold_inner'] * 1000:.0f} ms "
        "import + open + query |",
        "| Cold start, HTTP (spawn waitress to first answer) | "
        f"{facts['cold_http'] * 1000:.0f} ms |",
        f"| PDF text extraction, pypdfium2 (mean / p50 / p95) | {pdf_row} |",
        "",
        "Queries (caches of matching sets and postings off: every request does the whole "
        f"work), milliseconds p50 / p95, {args.repeat} requests per class, one client; the "
        "last column is the library with its default caches (the mix repeats its queries):",
        "",
        "| Class | Library | HTTP | SQLite FTS5 | Library / FTS5 (p50) | Library, caches on |",
        "|---|---|---|---|---|---|",
    ]
    lib, http, sql = facts["library"], facts["http"], facts["sqlite"]
    cached = facts["library_cached"]
    for cls in CLASSES:
        http_cell = (
            "n/a (not built)"
            if cls == "statistics" and not facts["stats_route"]
            else (timing(http[cls]))
        )
        lines.append(
            f"| {cls} | {timing(lib[cls])} | {http_cell} | {timing(sql[cls])} | "
            f"{ratio(lib[cls], sql[cls])} | {timing(cached[cls])} |"
        )
    load = facts["load"]
    lines += [
        "",
        f"Load test: {args.threads} client threads for {args.load_seconds:g} s against waitress "
        f"({args.server_threads} threads) on 127.0.0.1, cycling through the same mix:",
        "",
        "| Requests | Errors | Throughput | p50 | p95 |",
        "|---|---|---|---|---|",
        f"| {load['requests']:,} | {load['errors']} | {load['throughput']:.1f} req/s | "
        f"{load['p50'] * 1000:.0f} ms | {load['p95'] * 1000:.0f} ms |",
        "",
        "FTS5 does the same work per request: MATCH, total, GROUP BY counts of every facet over "
        "the matching set, one page with snippet(). 'similar' and 'like my case' run there as "
        "an OR of the text's 15 most frequent longer words. Its facet counts are plain (with "
        "all filters applied), ours are disjunctive (each facet without its own filter).",
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=5000, help="letters in the corpus")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=40, help="timed requests per class")
    parser.add_argument("--load-seconds", type=float, default=20.0)
    parser.add_argument("--threads", type=int, default=20, help="load-test client threads")
    parser.add_argument("--server-threads", type=int, default=8, help="waitress threads")
    parser.add_argument("--procs", type=int, default=2, help="index build processes")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    parser.add_argument(
        "--index",
        type=Path,
        help="benchmark this built index (bench/replicate.py's proxy, say): no corpus, no build",
    )
    default_corpus = Path(os.environ.get("IMR_TEST_CORPUS", ROOT.parent / "shared" / "corpus"))
    parser.add_argument("--pdf-corpus", type=Path, default=default_corpus)
    args = parser.parse_args(argv)
    for name in ("size", "repeat", "threads", "server_threads", "procs"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    if args.load_seconds <= 0:
        parser.error("--load-seconds must be positive")
    args.out.mkdir(parents=True, exist_ok=True)

    from indexer.engine.writing import index_generation
    from search_app.search.service import open_index

    def step(message: str) -> None:
        print(f"[bench] {message}", file=sys.stderr, flush=True)

    if args.index:
        if index_generation(args.index) < 0:
            parser.error(f"--index {args.index}: no Whoosh index there")
        index_dir, corpus_note = args.index, "none: an index built elsewhere was given"
        marker = args.index / "REPLICATED.txt"
        note = (
            " ".join(marker.read_text(encoding="utf-8").split())
            if marker.is_file()
            else "built elsewhere"
        )
        index = open_index(index_dir, cache_size=MATCH_CACHE, postings_mb=POSTINGS_MB)
        with index.searcher() as searcher:
            build = {"given": str(args.index), "note": note, "decisions": searcher.doc_count()}
        fts_key = f"given-{args.index.resolve().name}"
    else:
        step(f"corpus of {args.size:,} letters")
        corpus, corpus_note = ensure_corpus(args.out, args.size, args.seed)
        step("building the Whoosh index")
        index_dir, build = ensure_index(args.out, corpus, args.size, args.seed, args.procs)
        index = open_index(index_dir, cache_size=MATCH_CACHE, postings_mb=POSTINGS_MB)
        fts_key = f"{args.size}-s{args.seed}"
    step("building the SQLite FTS5 database")
    db, fts_info = ensure_fts(args.out, index, fts_key)
    facts: dict[str, Any] = {
        "corpus_note": corpus_note,
        "build": build,
        "fts": fts_info,
        "index_mb": dir_mb(index_dir),
        "fts_mb": db.stat().st_size / 1e6,
    }
    step("cold start")
    facts["cold_wall"], facts["cold_inner"] = cold_start_library(index_dir)
    requests = query_mix(index, args.seed, args.repeat)
    step("library queries")
    facts["library"] = measure(requests, lambda r: run_library(index, r))
    step("library queries, default caches")
    cached = open_index(index_dir)
    facts["library_cached"] = measure(requests, lambda r: run_library(cached, r))
    cached.close()
    step("SQLite FTS5 queries")
    con = fts.connect(db)
    facts["sqlite"] = measure(requests, lambda r: run_fts(con, r))
    con.close()
    facts["rss_end"] = rss_mb(resource.RUSAGE_SELF)
    step("HTTP queries")
    server, base, facts["cold_http"] = start_server(index_dir, args.server_threads)
    watch = MemoryWatch(server.pid)
    try:
        facts["stats_route"] = stats_route_exists(base)
        http_requests = [r for r in requests if facts["stats_route"] or not r.stats]
        facts["http"] = measure(http_requests, lambda r: http_get(base, r))
        step(f"load test: {args.threads} threads for {args.load_seconds:g} s")
        facts["load"] = load_test(base, http_requests, args.threads, args.load_seconds)
    finally:
        facts["server_memory"] = watch.stop()
        stop_server(server)
    step("PDF text extraction")
    facts["pdf"] = pdf_extraction(args.pdf_corpus)
    text = report(args, facts)
    (args.out / "last.md").write_text(text, encoding="utf-8")
    print(text, end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
