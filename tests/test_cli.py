"""imr-index parse | build | stats | generate: output formats and exit codes."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
from pathlib import Path

import pytest

from indexer import build
from indexer.build import MAX_DEFAULT_PROCS, BuildReport, build_lock, default_procs, index_stats
from indexer.cli import main, progress_bar
from indexer.engine.whoosh.schema import FACETS
from indexer.synthetic.corpus import MARKER_FILE


class Terminal(io.StringIO):
    """A captured stream that claims to be a terminal."""

    def isatty(self) -> bool:
        return True


@pytest.fixture(scope="module")
def seeds_index(corpus_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    index_dir = tmp_path_factory.mktemp("cli") / "index"
    assert main(["build", str(corpus_dir / "seeds"), "--index", str(index_dir), "--quiet"]) == 0
    return index_dir


def test_parse_prints_one_json_line_per_letter(
    corpus_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["parse", str(corpus_dir / "seeds")]) == 0
    out, err = capsys.readouterr()
    rows = [json.loads(line) for line in out.splitlines()]
    assert len(rows) == 5 and err == ""
    assert all(row["letter_id"].startswith("NOCASE-") and row["items"] for row in rows)


def test_parse_reports_a_bad_file_and_goes_on(
    corpus_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seed = sorted((corpus_dir / "seeds").glob("*.txt"))[0]
    shutil.copy(seed, tmp_path / "good.txt")
    (tmp_path / "bad.txt").write_bytes(b"")
    assert main(["parse", str(tmp_path)]) == 1
    out, err = capsys.readouterr()
    assert len(out.splitlines()) == 1
    assert err.startswith(f"{tmp_path / 'bad.txt'}: ") and len(err.splitlines()) == 1


def test_usage_errors_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["parse", str(tmp_path / "missing.txt")]) == 2
    assert "no such file or directory" in capsys.readouterr().err
    for argv in (
        ["build", str(tmp_path)],
        ["build", str(tmp_path), "--index", "x", "--procs", "0"],
    ):
        with pytest.raises(SystemExit) as caught:
            main(argv)
        assert caught.value.code == 2
    assert main(["stats", "--index", str(tmp_path / "none")]) == 2
    assert "no index in" in capsys.readouterr().err


def test_build_summary_and_second_run(
    corpus_dir: Path, seeds_index: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert main(["build", str(corpus_dir / "seeds"), "--index", str(seeds_index)]) == 0
    out, err = capsys.readouterr()
    assert out.startswith("letters: 0 added, 0 updated, 5 unchanged, 0 removed, 0 failed; 0 ")
    assert "decisions/s" in out and err == ""  # no progress bar in a pipe


def test_build_with_a_failed_file_exits_1(
    corpus_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "src"
    shutil.copytree(corpus_dir / "seeds", src)
    (src / "empty.txt").write_bytes(b"")
    assert main(["build", str(src), "--index", str(tmp_path / "ix"), "--procs", "1"]) == 1
    out = capsys.readouterr().out
    assert "5 added" in out and "1 failed" in out
    assert f"failed {src / 'empty.txt'}: " in out


@pytest.mark.parametrize(("cpus", "expected"), [(1, 1), (4, 4), (64, MAX_DEFAULT_PROCS)])
def test_default_procs_follow_the_cpus_up_to_a_cap(
    monkeypatch: pytest.MonkeyPatch, cpus: int, expected: int
) -> None:
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(cpus)), raising=False)
    assert default_procs() == expected


@pytest.mark.parametrize(("count", "expected"), [(3, 3), (None, 1)])
def test_default_procs_without_an_affinity_call(
    monkeypatch: pytest.MonkeyPatch, count: int | None, expected: int
) -> None:
    monkeypatch.delattr(os, "sched_getaffinity", raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: count)
    assert default_procs() == expected


def test_build_uses_default_procs_unless_told(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    asked: list[int] = []

    def fake_build(*args: object, procs: int, **kwargs: object) -> BuildReport:
        asked.append(procs)
        return BuildReport()

    monkeypatch.setattr(build, "build_index", fake_build)
    monkeypatch.setattr(build, "default_procs", lambda: 5)
    assert main(["build", str(tmp_path), "--index", str(tmp_path / "ix")]) == 0
    assert main(["build", str(tmp_path), "--index", str(tmp_path / "ix"), "--procs", "3"]) == 0
    assert asked == [5, 3]
    with pytest.raises(SystemExit):
        main(["build", "--help"])
    assert f"at most {MAX_DEFAULT_PROCS}" in " ".join(capsys.readouterr().out.split())


def test_build_refused_while_locked(
    corpus_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    index_dir = tmp_path / "ix"
    index_dir.mkdir()
    with build_lock(index_dir):
        code = main(["build", str(corpus_dir / "seeds"), "--index", str(index_dir)])
    assert code == 2
    assert "another build is running on" in capsys.readouterr().err


def test_progress_bar_only_on_a_terminal(
    corpus_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for quiet, expect_bar in ((False, True), (True, False)):
        terminal = Terminal()
        monkeypatch.setattr("sys.stderr", terminal)
        argv = ["build", str(corpus_dir / "seeds"), "--index", str(tmp_path / f"ix{quiet}")]
        assert main(argv + (["--quiet"] if quiet else [])) == 0
        drawn = terminal.getvalue()
        assert ("indexing" in drawn) is expect_bar
        if expect_bar:
            last = drawn.rstrip("\n").split("\r")[-1]
            assert "100%" in last and "5/5" in last and " letters/s]" in last, last


def test_progress_bar_shows_rate_and_time_left() -> None:
    stream = Terminal()
    with progress_bar(stream, False, "indexing") as update:
        assert update is not None
        update(0, 4)
        update(4, 4)
    last = stream.getvalue().rstrip("\n").split("\r")[-1]
    assert stream.getvalue().endswith("\n")  # the finished bar stays on its own line
    assert re.search(r"100%\|[^|]+\| 4/4 \[\d\d:\d\d<\d\d:\d\d, [\d.]+ letters/s\]$", last), last
    for quiet, stream in ((True, Terminal()), (False, io.StringIO())):
        with progress_bar(stream, quiet, "indexing") as update:
            assert update is None
        assert stream.getvalue() == ""


def test_generate_draws_a_bar_on_a_terminal_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name, quiet, terminal in (("a", False, True), ("b", True, True), ("c", False, False)):
        stream = Terminal() if terminal else io.StringIO()
        monkeypatch.setattr("sys.stderr", stream)
        argv = ["generate", "--letters", "3", "--out", str(tmp_path / name)]
        assert main(argv + (["--quiet"] if quiet else [])) == 0
        drawn = stream.getvalue()
        assert ("generating: 100%" in drawn and "3/3" in drawn) is (terminal and not quiet)
    assert capsys.readouterr().out.count("wrote 3 files") == 3


def test_stats_json_is_exact(seeds_index: Path, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert main(["stats", "--index", str(seeds_index), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) == {"letters", "decisions", "facets"}
    assert list(data["facets"]) == list(FACETS)
    stats = index_stats(seeds_index)
    assert data == stats.to_json() and data["letters"] == 5
    assert sum(data["facets"]["outcome"].values()) == data["decisions"]


def test_stats_table(seeds_index: Path, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert main(["stats", "--index", str(seeds_index)]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].split() == ["letters", "5"]
    assert all(facet in lines for facet in FACETS)


def test_generate_writes_a_corpus_that_builds(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_dir = tmp_path / "synthetic"
    argv = ["generate", "--letters", "6", "--seed", "3", "--out", str(out_dir), "--pdf", "2"]
    assert main(argv) == 0
    assert capsys.readouterr().out.startswith("wrote ")
    assert len(list(out_dir.rglob("*.pdf"))) == 2
    code = main(["build", str(out_dir), "--index", str(tmp_path / "ix"), "--quiet"])
    out = capsys.readouterr().out
    assert "6 added" in out
    # The generator's marker file is not read as a letter, so nothing fails.
    assert code == 0 and "failed " not in out and MARKER_FILE not in out
    assert main(["generate", "--letters", "1", "--out", str(tmp_path / "g"), "--pdf", "2"]) == 2


def test_build_on_an_index_of_another_schema_exits_3(
    corpus_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from whoosh import fields, index

    from indexer.engine.whoosh.files import INDEX_NAME

    index_dir = tmp_path / "old"
    index_dir.mkdir()
    index.create_in(str(index_dir), fields.Schema(text=fields.TEXT()), indexname=INDEX_NAME)
    code = main(["build", str(corpus_dir / "seeds"), "--index", str(index_dir), "--quiet"])
    assert code == 3
    assert "built with a different schema" in capsys.readouterr().err
    assert index.open_dir(str(index_dir), indexname=INDEX_NAME).doc_count() == 0
