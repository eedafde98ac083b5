"""build_index against the real corpus: counts, incremental updates, failures, locking, crashes."""

from __future__ import annotations

import errno
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from whoosh import index, query
from whoosh.filedb.filestore import OverlayStorage
from whoosh.filedb.structfile import StructFile
from whoosh.reading import SegmentReader

from indexer.build import (
    LOCK_FILE,
    BuildError,
    BuildLocked,
    build_index,
    build_lock,
    index_stats,
    letter_files,
    shards,
)
from indexer.build.manifest import LETTERS_FILE, load_letters
from indexer.engine.whoosh.files import INDEX_NAME, SHARD_DIR, SHARD_RE
from indexer.engine.whoosh.storage import _MapFile
from indexer.engine.writing import index_generation, open_index
from indexer.letter import Letter, UnreadableLetter
from indexer.read.parse import parse_file
from indexer.read.pdf import extract_text
from tests.conftest import corpus_sample

ROOT = Path(__file__).resolve().parents[2]
CASE_RE = re.compile(r"CM\s*\d{2}\s*-\s*(\d{4,8})")


# --- helpers -------------------------------------------------------------------------------


def parse_directly(paths: list[Path]) -> tuple[dict[str, Letter], list[Path]]:
    """Parse files the way a reader would, without the index: later files win."""
    letters: dict[str, Letter] = {}
    failed: list[Path] = []
    for path in letter_files(paths):
        try:
            letter = parse_file(path)
        except UnreadableLetter:
            failed.append(path)
            continue
        letters[letter.letter_id] = letter
    return letters, failed


def indexed(index_dir: Path) -> dict[str, dict[str, Any]]:
    """Read every letter in the index: its stored fields and how many decision docs it has."""
    ix = index.open_dir(str(index_dir), indexname=INDEX_NAME)
    found: dict[str, dict[str, Any]] = {}
    doc_ids: list[str] = []
    with ix.searcher() as searcher:
        for fields in searcher.all_stored_fields():
            doc_ids.append(fields["doc_id"])
            entry = found.setdefault(fields["letter_id"], {"docs": 0})
            entry["docs"] += 1
            if "letter_json" in fields:
                entry.update(
                    source=fields["source"],
                    content_hash=fields["content_hash"],
                    items=len(json.loads(fields["letter_json"])["items"]),
                )
    assert len(doc_ids) == len(set(doc_ids)), "a decision is indexed twice"
    for letter_id, entry in found.items():
        assert entry.get("items") == entry["docs"], f"{letter_id} is half indexed"
    return found


def letters_file_agrees(index_dir: Path) -> bool:
    """Tell whether the build's letters file says what the stored fields say."""
    ix = index.open_dir(str(index_dir), indexname=INDEX_NAME)
    path = index_dir / LETTERS_FILE.format(ix.latest_generation())
    saved = load_letters(path)
    return saved is not None and saved == open_index(index_dir, create=False).stored_letters()


def copy_corpus(corpus_dir: Path, dest: Path) -> Path:
    shutil.copytree(corpus_dir, dest)
    return dest


def txt_copy(pdf: Path, dest: Path, case_prefix: str | None = None, pad: int = 0) -> Path:
    """Write a PDF letter's text as a .txt letter, optionally under another case number.

    Trailing newlines change the bytes (so the hash and NOCASE ids) but not the parse.
    """
    text = extract_text(pdf)
    if case_prefix:
        text = CASE_RE.sub(lambda m: f"{case_prefix}-{m[1]}", text)
    dest.write_text(text + "\n" * pad, encoding="utf-8")
    return dest


@pytest.fixture(scope="module")
def small_corpus(corpus_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seeds plus a dozen PDF letters: enough for two commits (build, then optimize)."""
    return corpus_sample(corpus_dir, tmp_path_factory.mktemp("small"), 12)


@pytest.fixture(scope="module")
def expected(corpus_dir: Path) -> tuple[dict[str, Letter], list[Path]]:
    return parse_directly([corpus_dir])


@pytest.fixture(scope="module")
def built(corpus_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Any]:
    index_dir = tmp_path_factory.mktemp("built") / "index"
    return index_dir, build_index([corpus_dir], index_dir, procs=2)


# --- the corpus ------------------------------------------------------------------------------


def test_build_agrees_with_the_parser(
    built: tuple[Path, Any], expected: tuple[dict[str, Letter], list[Path]]
) -> None:
    index_dir, report = built
    letters, failed = expected
    decisions = [d for letter in letters.values() for d in letter.decisions]
    assert [p for p, _ in report.failed] == failed
    assert (report.added, report.updated, report.unchanged, report.removed) == (
        len(letters),
        0,
        0,
        0,
    )
    assert report.decisions == len(decisions) == report.decisions_total
    stats = index_stats(index_dir)
    assert (stats.letters, stats.decisions) == (len(letters), len(decisions))
    assert stats.facets["outcome"] == dict(Counter(d.outcome.value for d in decisions))
    assert stats.facets["case_outcome"] == dict(
        Counter(letter.case_outcome.value for letter in letters.values() for _ in letter.decisions)
    )
    assert stats.generation == index_generation(index_dir) == report.generation >= 1
    assert set(indexed(index_dir)) == set(letters)


def test_a_build_leaves_the_search_arrays_of_its_generation(
    small_corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from indexer.engine.whoosh import arrays as search_sidecar
    from search_app.search import service as search

    index_dir = tmp_path / "index"
    first = build_index([small_corpus / "seeds"], index_dir, procs=1)
    (sidecar,) = index_dir.glob("arrays-*.npz")
    assert sidecar.name.startswith(f"arrays-{first.generation}-")
    second = build_index([small_corpus], index_dir, procs=2, chunk_letters=5)
    assert second.generation > first.generation
    (sidecar,) = index_dir.glob("arrays-*.npz")  # the first generation's file is gone
    assert sidecar.name.startswith(f"arrays-{second.generation}-")

    def computed(reader: Any) -> Any:
        raise AssertionError("the app computed arrays the build should have saved")

    monkeypatch.setattr(search_sidecar, "compute_arrays", computed)
    opened = search.open_index(index_dir)
    try:
        browsed = search.run_search(opened, search.parse_request([]))
        assert browsed.total == second.decisions_total
    finally:
        opened.close()


def test_a_build_succeeds_when_the_search_arrays_fail(
    small_corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: Any
) -> None:
    from indexer.engine.whoosh import arrays as search_sidecar

    def broken(reader: Any) -> Any:
        raise RuntimeError("no arrays today")

    monkeypatch.setattr(search_sidecar, "compute_arrays", broken)
    report = build_index([small_corpus / "seeds"], tmp_path / "index", procs=1)
    assert report.decisions_total > 0 and not list((tmp_path / "index").glob("arrays-*"))
    assert "no arrays today" in caplog.text


def test_every_letter_is_found_by_its_id(
    built: tuple[Path, Any], expected: tuple[dict[str, Letter], list[Path]]
) -> None:
    ix = index.open_dir(str(built[0]), indexname=INDEX_NAME)
    with ix.searcher() as searcher:
        for letter_id, letter in expected[0].items():
            hits = searcher.search(query.Term("letter_id", letter_id), limit=None)
            assert len(hits) == len(letter.decisions), letter_id


def test_commits_of_a_chunk_build_the_same_index(
    corpus_dir: Path, built: tuple[Path, Any], tmp_path: Path
) -> None:
    index_dir = tmp_path / "index"
    # Chunks of 30 letters in one process: three commits by the writer, then one merge.
    report = build_index([corpus_dir], index_dir, procs=1, chunk_letters=30)
    assert report.commits == 3 and report.optimized
    assert index_stats(index_dir).to_json() == index_stats(built[0]).to_json()
    assert indexed(index_dir) == indexed(built[0])
    ix = index.open_dir(str(index_dir), indexname=INDEX_NAME)
    with ix.reader() as reader:
        assert len(reader.leaf_readers()) == 1  # a fresh build merges its segments once
    assert not [n for n in os.listdir(index_dir) if n.endswith((".doclist", ".tmp"))]


def test_the_build_reads_segments_through_maps(
    corpus_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Whoosh's own storage copies each segment into memory for every reader it opens (700 MB
    # at 97k decisions); a build opens readers to delete, merge and count.
    src = corpus_sample(corpus_dir, tmp_path / "src", 10)
    index_dir = tmp_path / "index"
    build_index([src], index_dir, procs=1, chunk_letters=8)
    opened: list[Any] = []
    real = SegmentReader.__init__

    def noted(self: Any, storage: Any, *args: Any, **kwargs: Any) -> None:
        real(self, storage, *args, **kwargs)
        opened.append(self.storage())

    monkeypatch.setattr(SegmentReader, "__init__", noted)
    seed = sorted((src / "seeds").glob("*.txt"))[0]
    seed.write_text(seed.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    report = build_index([src], index_dir, procs=1)
    assert report.updated == 1
    compound = [s.a for s in opened if isinstance(s, OverlayStorage)]
    assert compound and all(isinstance(c._file, _MapFile) for c in compound)


def test_a_sharded_build_equals_the_single_writer(
    corpus_dir: Path, built: tuple[Path, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Workers parse chunks of 20 letters and write each as a segment; this process commits
    # them one by one, then the build merges them.
    sizes: list[int] = []
    real = shards.write_shards

    def counted(*args: Any) -> Any:
        for shard in real(*args):
            sizes.append(len(shard.letters))
            yield shard

    monkeypatch.setattr(shards, "write_shards", counted)
    index_dir = tmp_path / "index"
    progress: list[tuple[int, int]] = []
    report = build_index(
        [corpus_dir], index_dir, procs=2, chunk_letters=20, progress=lambda *p: progress.append(p)
    )
    letters = len(built[1].failed) + built[1].added
    assert sizes == [20, 20, 20, letters - 60] and report.commits == 4 and report.optimized
    assert progress[-1] == (letters, letters) and len(progress) == 5
    assert index_stats(index_dir).to_json() == index_stats(built[0]).to_json()
    assert indexed(index_dir) == indexed(built[0])
    assert letters_file_agrees(index_dir)
    assert not [n for n in os.listdir(index_dir) if SHARD_RE.match(n)]


@pytest.mark.parametrize("chunk", [2, 3])
def test_shards_keep_the_later_of_two_files(
    corpus_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int
) -> None:
    # 1a and 1b carry one letter id. Chunks of 2: 1a is committed with the first shard and
    # replaced by 1b in the second; chunks of 3: both are in one shard, 1a's documents are
    # dropped from it before it is committed.
    pdfs = sorted((corpus_dir / "letters").glob("*.pdf"))[:4]
    src = tmp_path / "src"
    src.mkdir()
    names = ["0a.txt", "1a.txt", "1b.txt", "2a.txt", "3a.txt"]
    for name, pdf in zip(names, [pdfs[0], pdfs[1], pdfs[1], pdfs[2], pdfs[3]], strict=True):
        txt_copy(pdf, src / name)
    index_dir = tmp_path / "index"
    first = build_index([src], index_dir, procs=2, chunk_letters=chunk)
    letter_id = parse_file(src / "1a.txt").letter_id
    assert (first.added, first.letters_total, first.commits) == (4, 4, -(-5 // chunk))
    assert [(d.kept.name, d.dropped.name) for d in first.duplicates] == [("1b.txt", "1a.txt")]
    assert indexed(index_dir)[letter_id]["source"] == str(src / "1b.txt")
    # 1a changes, 1b does not: the unchanged later file still wins, so the shard that wrote
    # 1a again drops it.
    txt_copy(pdfs[1], src / "1a.txt", pad=2)
    second = build_index([src], index_dir, procs=2, chunk_letters=chunk)
    assert (second.added, second.updated, second.unchanged, second.letters_total) == (0, 0, 4, 4)
    assert [(d.kept.name, d.dropped.name) for d in second.duplicates] == [("1b.txt", "1a.txt")]
    assert indexed(index_dir)[letter_id]["source"] == str(src / "1b.txt")
    assert second.decisions_total == first.decisions_total
    assert letters_file_agrees(index_dir)


def test_a_killed_builds_shard_folder_is_removed(
    small_corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    index_dir = tmp_path / "index"
    build_index([small_corpus], index_dir, procs=1)
    stale = index_dir / SHARD_DIR.format(99999, 0)
    stale.mkdir()
    (stale / "MAIN_abc.seg").write_bytes(b"half written")
    seed = sorted((small_corpus / "seeds").glob("*.txt"))[0]
    src = tmp_path / "src"
    shutil.copytree(small_corpus, src)
    (src / "seeds" / seed.name).write_text(seed.read_text(encoding="utf-8") + "\n\n", "utf-8")
    ran: list[int] = []
    real = shards.write_shards

    def counted(*args: Any) -> Any:
        ran.append(1)
        return real(*args)

    monkeypatch.setattr(shards, "write_shards", counted)
    report = build_index([src], index_dir, procs=2, chunk_letters=5)
    assert ran and report.updated + report.added >= 1 and not stale.exists()


def test_a_second_build_changes_nothing(corpus_dir: Path, built: tuple[Path, Any]) -> None:
    index_dir, first = built
    before = sorted(os.listdir(index_dir))
    again = build_index([corpus_dir], index_dir, procs=2)
    assert (again.added, again.updated, again.removed, again.decisions) == (0, 0, 0, 0)
    assert again.unchanged == first.added
    assert again.commits == 0 and again.generation == first.generation
    assert sorted(os.listdir(index_dir)) == before


# --- incremental updates ---------------------------------------------------------------------


def test_change_add_and_remove_files(small_corpus: Path, tmp_path: Path) -> None:
    src = copy_corpus(small_corpus, tmp_path / "corpus")
    index_dir = tmp_path / "index"
    pdfs = sorted((src / "letters").glob("*.pdf"))
    # A case-numbered letter as text, so it can be edited; its PDF goes away.
    edited = txt_copy(pdfs[0], src / "letters" / f"{pdfs[0].stem}.txt")
    pdfs[0].unlink()
    first = build_index([src], index_dir, procs=1)
    assert letters_file_agrees(index_dir)
    total = first.letters_total
    letter_id = parse_file(edited).letter_id
    old_hash = indexed(index_dir)[letter_id]["content_hash"]
    assert letter_id.startswith("CM")

    edited.write_text(edited.read_text(encoding="utf-8") + "\nEdited afterwards.\n", "utf-8")
    seed = sorted((src / "seeds").glob("*.txt"))[0]
    seed.write_text(seed.read_text(encoding="utf-8").replace("the", "THE", 1), "utf-8")
    added = txt_copy(pdfs[1], src / "added.txt", case_prefix="CM77")
    gone = pdfs[2]
    gone_id = parse_file(gone).letter_id
    gone.unlink()

    second = build_index([src], index_dir, procs=2)
    assert letters_file_agrees(index_dir)
    assert (second.added, second.updated, second.removed) == (1, 2, 0)
    assert second.unchanged == total - 3  # minus the edited two and the removed file
    assert second.letters_total == total + 1  # without --prune the removed letter stays
    now = indexed(index_dir)
    assert now[letter_id]["content_hash"] != old_hash
    assert now[letter_id]["source"] == str(edited)
    assert parse_file(added).letter_id in now and gone_id in now

    third = build_index([src], index_dir, prune=True)
    assert letters_file_agrees(index_dir)
    assert (third.added, third.updated, third.removed, third.unchanged) == (0, 0, 1, total)
    letters, _ = parse_directly([src])
    assert set(indexed(index_dir)) == set(letters) and gone_id not in letters
    assert third.decisions_total == sum(len(x.decisions) for x in letters.values())


def test_an_edited_seed_replaces_its_old_letter(corpus_dir: Path, tmp_path: Path) -> None:
    # Seeds have no case number: their id comes from the content, so an edit changes the id
    # and the old letter must not linger next to the new one.
    src = tmp_path / "seeds"
    shutil.copytree(corpus_dir / "seeds", src)
    index_dir = tmp_path / "index"
    first = build_index([src], index_dir, procs=1)
    seed = sorted(src.glob("*.txt"))[0]
    old_id = parse_file(seed).letter_id
    seed.write_text(seed.read_text(encoding="utf-8") + "\n\n", "utf-8")
    new_id = parse_file(seed).letter_id
    assert new_id != old_id
    second = build_index([src], index_dir, procs=1)
    assert (second.updated, second.added, second.removed) == (1, 0, 0)
    assert letters_file_agrees(index_dir)
    letters = indexed(index_dir)
    assert new_id in letters and old_id not in letters
    assert second.letters_total == first.letters_total


def test_a_damaged_letters_file_is_not_trusted(small_corpus: Path, tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    first = build_index([small_corpus], index_dir, procs=1)
    path = index_dir / LETTERS_FILE.format(first.generation)
    path.write_text('{"CM00-0000000": ["x", "y"]}', encoding="utf-8")  # wrong count
    again = build_index([small_corpus], index_dir, procs=1)
    assert (again.unchanged, again.added, again.commits) == (first.added, 0, 0)
    assert letters_file_agrees(index_dir)  # rewritten
    path.write_text("not json", encoding="utf-8")
    assert build_index([small_corpus], index_dir, procs=1).unchanged == first.added
    (index_dir / LETTERS_FILE.format(first.generation - 1)).write_text("{}", "utf-8")
    build_index([small_corpus], index_dir, procs=1)
    assert [n for n in os.listdir(index_dir) if n.startswith("letters-")] == [path.name]


def test_duplicate_letter_ids_keep_the_later_file(corpus_dir: Path, tmp_path: Path) -> None:
    pdf = sorted((corpus_dir / "letters").glob("*.pdf"))[0]
    src = tmp_path / "src"
    src.mkdir()
    shutil.copy(pdf, src / "a.pdf")
    txt_copy(pdf, src / "b.txt")
    report = build_index([src], tmp_path / "index", procs=1)
    letter_id = parse_file(pdf).letter_id
    assert report.letters_total == 1 and report.added == 1
    assert [(d.letter_id, d.kept.name, d.dropped.name) for d in report.duplicates] == [
        (letter_id, "b.txt", "a.pdf")
    ]
    assert indexed(tmp_path / "index")[letter_id]["source"] == str(src / "b.txt")
    # Unchanged on a rebuild, and still reported: the earlier file stays shadowed.
    again = build_index([src], tmp_path / "index", procs=1)
    assert (again.unchanged, again.added, again.updated, again.commits) == (1, 0, 0, 0)
    assert [d.dropped.name for d in again.duplicates] == ["a.pdf"]


@pytest.mark.parametrize(("chunk", "procs"), [(4, 2), (1, 1), (1, 2)])
def test_a_letter_seen_twice_in_a_build_is_written_once(
    corpus_dir: Path, tmp_path: Path, chunk: int, procs: int
) -> None:
    # The single writer takes letters as they come; a letter seen again in the same chunk
    # (chunk 4: the four files are one commit) sends that chunk back to being written at
    # commit, one seen again in a later chunk (chunk 1) deletes the committed copy. With two
    # processes and more letters than a chunk, shards of one letter each do the same.
    pdfs = sorted((corpus_dir / "letters").glob("*.pdf"))[:3]
    src = tmp_path / "src"
    src.mkdir()
    for n, pdf in enumerate(pdfs):
        shutil.copy(pdf, src / f"{n}a.pdf")
    txt_copy(pdfs[1], src / "1b.txt")
    report = build_index([src], tmp_path / "index", procs=procs, chunk_letters=chunk)
    assert report.letters_total == 3 and report.decisions == report.decisions_total + (
        len(parse_file(pdfs[1]).decisions) if chunk == 1 else 0
    )
    assert indexed(tmp_path / "index")[parse_file(pdfs[1]).letter_id]["source"] == str(
        src / "1b.txt"
    )
    assert letters_file_agrees(tmp_path / "index")


def test_failing_files_are_listed_and_good_ones_indexed(small_corpus: Path, tmp_path: Path) -> None:
    src = copy_corpus(small_corpus, tmp_path / "corpus")
    (src / "empty.txt").write_bytes(b"")
    (src / "broken.pdf").write_bytes(b"%PDF-1.4 this is not really a pdf")
    (src / "binary.txt").write_bytes(bytes(range(256)))
    letters, _ = parse_directly([small_corpus])
    report = build_index([src], tmp_path / "index", procs=2)
    failed = {p.name: reason for p, reason in report.failed}
    assert set(failed) == {"empty.txt", "broken.pdf", "binary.txt"}
    assert all(reason.strip() for reason in failed.values())
    assert report.letters_total == len(letters)


def test_missing_source_and_unusable_index_dir(corpus_dir: Path, tmp_path: Path) -> None:
    with pytest.raises(BuildError, match="no such file or directory"):
        build_index([tmp_path / "nowhere"], tmp_path / "index")
    (tmp_path / "empty").mkdir()
    with pytest.raises(BuildError, match="no .pdf or .txt letters"):
        build_index([tmp_path / "empty"], tmp_path / "index")
    (tmp_path / "a-file").write_text("x")
    with pytest.raises(BuildError, match="not a directory"):
        build_index([corpus_dir / "seeds"], tmp_path / "a-file")
    with pytest.raises(BuildError, match="no index"):
        index_stats(tmp_path / "nowhere")


# --- locking ---------------------------------------------------------------------------------


def test_a_second_build_is_refused_while_one_runs(corpus_dir: Path, tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    index_dir.mkdir()
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(index_dir)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        with pytest.raises(BuildLocked) as caught:
            build_index([corpus_dir / "seeds"], index_dir)
        assert str(caught.value) == f"another build is running on {index_dir} (pid {holder.pid})"
    finally:
        holder.kill()
        holder.communicate()
    # The holder died without unlocking: its pid is still in the file, yet nothing blocks.
    assert (index_dir / LOCK_FILE).read_text().strip() == str(holder.pid)
    assert build_index([corpus_dir / "seeds"], index_dir).added == 5


HOLD_LOCK = """
import sys, time
from pathlib import Path
from indexer.build import build_lock
with build_lock(Path(sys.argv[1])):
    print("locked", flush=True)
    time.sleep(60)
"""


def test_the_lock_is_exclusive_within_one_process(tmp_path: Path) -> None:
    refused = pytest.raises(BuildLocked, match=f"pid {os.getpid()}")
    with build_lock(tmp_path), refused, build_lock(tmp_path):
        pass
    with build_lock(tmp_path):  # released again on the way out
        pass


# --- crash safety ----------------------------------------------------------------------------


# Whoosh leaves the column readers of a failed flush to the garbage collector; a failed
# build ends the CLI process anyway, so those warnings are expected here.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.parametrize(
    ("target", "nth", "committed"),
    [
        pytest.param(".pst", 1, False, id="postings"),
        pytest.param(".seg", 1, False, id="compound-segment"),
        pytest.param(".toc.", 1, False, id="table-of-contents"),
        pytest.param(".toc.", 2, True, id="optimize-after-commit"),
    ],
)
def test_a_full_disk_leaves_the_last_commit(
    small_corpus: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    target: str,
    nth: int,
    committed: bool,
) -> None:
    index_dir = tmp_path / "index"
    first = build_index([small_corpus / "seeds"], index_dir, procs=1)
    before = indexed(index_dir)
    files_hit: set[str] = set()
    real_write = StructFile.write

    def write(self: StructFile, data: bytes) -> Any:
        name = str(getattr(self, "_name", None) or getattr(self.file, "name", ""))
        if target in name:
            files_hit.add(name)
            if len(files_hit) >= nth:
                raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(self, data)

    monkeypatch.setattr(StructFile, "write", write)
    with pytest.raises(OSError, match="No space left"):
        build_index([small_corpus], index_dir, procs=1)
    monkeypatch.undo()
    assert not (index_dir / "MAIN.tmp").exists()
    if committed:  # the letters were committed; only the merge that followed failed
        assert index_generation(index_dir) == first.generation + 1
        assert set(indexed(index_dir)) == set(parse_directly([small_corpus])[0])
    else:
        assert index_generation(index_dir) == first.generation
        assert indexed(index_dir) == before
    done = build_index([small_corpus], index_dir, procs=1)
    assert done.unchanged + done.added == done.letters_total == len(indexed(index_dir))
    assert not [n for n in os.listdir(index_dir) if ".toc." in n or n.endswith(".tmp")]


@pytest.fixture(scope="module")
def big_corpus(
    corpus_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, list[str]]:
    """The seeds (under base/) plus text copies of the PDFs under new case numbers.

    Returns the folder and the copies' letter ids in the order a build reads them.
    """
    root = tmp_path_factory.mktemp("big")
    shutil.copytree(corpus_dir / "seeds", root / "base")
    copies = root / "copies"
    copies.mkdir()
    for pdf in sorted((corpus_dir / "letters").glob("*.pdf")):
        txt_copy(pdf, copies / f"{pdf.stem}.txt", "CM80", pad=1)
    order = []
    for path in letter_files([copies]):
        found = CASE_RE.search(path.read_text(encoding="utf-8"))
        assert found, path
        order.append(re.sub(r"\s", "", found[0]))
    return root, order


KILL_CHUNK = 10


def kill_trials(big: Path, order: list[str], tmp_path: Path, trials: int, seed: int) -> None:
    """SIGKILL a CLI build at random moments; each time the index must be a committed state.

    The build commits every KILL_CHUNK letters in file order, so the committed states are
    the base letters plus the first n * KILL_CHUNK copies, or all of them.
    """
    rng = random.Random(seed)
    base_dir, index_dir = tmp_path / "base-index", tmp_path / "index"
    base = build_index([big / "base"], base_dir, procs=1)
    base_ids = set(indexed(base_dir))
    everything = frozenset(base_ids | set(order))
    states = {frozenset(base_ids | set(order[:n])) for n in range(0, len(order), KILL_CHUNK)}
    states.add(everything)
    command = [sys.executable, "-m", "indexer.cli", "build", str(big), "--index", str(index_dir)]
    command += ["--procs", "2", "--quiet", "--chunk", str(KILL_CHUNK)]
    seen: Counter[int] = Counter()
    for _ in range(trials):
        shutil.rmtree(index_dir, ignore_errors=True)
        shutil.copytree(base_dir, index_dir)
        proc = subprocess.Popen(
            command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        time.sleep(rng.uniform(0.4, 2.5))
        os.kill(proc.pid, signal.SIGKILL)  # the parent only: its workers must not block
        proc.wait()
        letters = frozenset(indexed(index_dir))
        assert letters in states, f"not a committed state: {len(letters)} letters"
        seen[len(letters) - len(base_ids)] += 1
        done = build_index([big], index_dir, procs=2)
        assert not done.failed and done.added == len(everything - letters)
        assert frozenset(indexed(index_dir)) == everything
        assert done.letters_total == base.letters_total + len(order)
    print("copies committed when killed:", dict(sorted(seen.items())))


def test_a_killed_build_leaves_a_committed_index(
    big_corpus: tuple[Path, list[str]], tmp_path: Path
) -> None:
    kill_trials(*big_corpus, tmp_path, trials=3, seed=1)


@pytest.mark.slow
def test_twenty_killed_builds(big_corpus: tuple[Path, list[str]], tmp_path: Path) -> None:
    kill_trials(*big_corpus, tmp_path, trials=20, seed=2)
