"""Searches keep answering while another process builds into the same index, and the running
app sees the new letters without a restart."""

from __future__ import annotations

import shutil
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from indexer.build import build_index
from search_app import create_app
from search_app.search.service import open_index, parse_request, run_search

ROOT = Path(__file__).resolve().parents[2]
CHUNK = 6  # letters per commit of the background build: several commits while we search
LETTERS = 30  # PDF letters the background build adds


class Hammer:
    """Run a probe in a loop on several threads, recording totals seen and any failure."""

    def __init__(self) -> None:
        self.stop = threading.Event()
        self.errors: list[str] = []
        self.totals: dict[int, list[int]] = {}
        self.calls = 0
        self.first_trace = ""
        self._lock = threading.Lock()

    def run(self, number: int, probe: Callable[[], int]) -> None:
        seen = self.totals.setdefault(number, [])
        while not self.stop.is_set():
            try:
                total = probe()
            except Exception as error:  # any failure of a search is what this test looks for
                with self._lock:
                    if not self.errors:
                        self.first_trace = traceback.format_exc()
                    self.errors.append(f"thread {number}: {type(error).__name__}: {error}")
                continue
            with self._lock:
                self.calls += 1
            if not seen or seen[-1] != total:
                seen.append(total)


def _client_probe(app: object, url: str) -> Callable[[], int]:
    client = app.test_client()  # type: ignore[attr-defined]

    def probe() -> int:
        response = client.get(url)
        if response.status_code != 200:
            raise AssertionError(f"{url} answered {response.status_code}")
        return int(response.get_json()["total"])

    return probe


@dataclass(frozen=True, slots=True)
class Run:
    hammer: Hammer
    start_total: int
    final: int


@pytest.fixture(scope="module")
def hammered(corpus_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Run:
    """Search from four threads while a CLI build adds PDF letters to a seeds index."""
    tmp_path = tmp_path_factory.mktemp("concurrency")
    source = tmp_path / "source"
    shutil.copytree(corpus_dir / "seeds", source / "seeds")
    index_dir = tmp_path / "index"
    build_index([source], index_dir, procs=1)
    (source / "letters").mkdir()
    for pdf in sorted((corpus_dir / "letters").glob("*.pdf"))[:LETTERS]:
        shutil.copy(pdf, source / "letters" / pdf.name)
    app = create_app({"INDEX": str(index_dir), "TESTING": True, "INDEX_CHECK_SECONDS": 0})
    library = open_index(index_dir, check_seconds=0)
    start_total = run_search(library, parse_request([])).total
    hammer = Hammer()

    def library_probe() -> int:
        run_search(library, parse_request([("q", "pain"), ("sort", "newest")]))
        return run_search(library, parse_request([])).total

    probes = [
        _client_probe(app, "/api/search"),
        _client_probe(app, "/api/search?q=mri&per_page=50"),
        _client_probe(app, "/api/stats?q=physical+therapy"),
        library_probe,
    ]
    threads = [
        threading.Thread(target=hammer.run, args=(number, probe), daemon=True)
        for number, probe in enumerate(probes)
    ]
    for thread in threads:
        thread.start()
    command = [sys.executable, "-m", "indexer.cli", "build", str(source), "--index", str(index_dir)]
    command += ["--procs", "2", "--quiet", "--chunk", str(CHUNK)]
    try:
        build = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
        assert build.returncode == 0, build.stderr
        final = build_index([source], index_dir, procs=1).decisions_total  # changes nothing
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not all(
            hammer.totals[n] and hammer.totals[n][-1] == final for n in (0, 3)
        ):
            time.sleep(0.05)
    finally:
        hammer.stop.set()
        for thread in threads:
            thread.join(timeout=30)
        library.close()
    print(f"{hammer.calls} searches during the build, {len(hammer.errors)} failed")
    return Run(hammer, start_total, final)


def test_the_running_app_sees_new_letters_without_a_restart(hammered: Run) -> None:
    totals = hammered.hammer.totals
    assert hammered.final > hammered.start_total
    assert totals[0][0] == hammered.start_total
    assert totals[0][-1] == hammered.final, "the app did not see the new letters"
    assert totals[3][-1] == hammered.final, "run_search did not see the new letters"
    for number, seen in totals.items():
        assert seen == sorted(seen), f"thread {number} saw the index go back: {seen}"


def test_searches_answer_without_errors_while_a_build_commits(hammered: Run) -> None:
    hammer = hammered.hammer
    assert hammer.calls > 0
    assert not hammer.errors, (
        f"{len(hammer.errors)} failed: {hammer.errors[:3]}\n{hammer.first_trace}"
    )


def test_the_app_opens_an_index_built_after_it_started(corpus_dir: Path, tmp_path: Path) -> None:
    """No index at start: 503; once a build has committed, the same app answers 200."""
    index_dir = tmp_path / "index"
    app = create_app({"INDEX": str(index_dir), "TESTING": True, "INDEX_CHECK_SECONDS": 0})
    client = app.test_client()
    assert client.get("/api/search").status_code == 503
    build_index([corpus_dir / "seeds"], index_dir, procs=1)
    answer = client.get("/api/search")
    assert answer.status_code == 200
    assert answer.get_json()["total"] > 0
