"""The index's note of synthetic letters: written by the build, kept true by every build."""

from __future__ import annotations

import shutil
from pathlib import Path

from indexer.build.run import build_index
from indexer.synthetic.corpus import generate_corpus
from indexer.synthetic.marker import (
    MARKER_FILE,
    NOTE_FILE,
    SyntheticNote,
    count_synthetic,
    read_note,
)

SAMPLES = Path(__file__).resolve().parents[1] / "samples"  # invented letters, no marker


def test_count_synthetic_looks_for_the_marker_in_every_parent_folder(tmp_path: Path) -> None:
    marked = tmp_path / "demo" / "batch-0000"
    marked.mkdir(parents=True)
    (tmp_path / "demo" / MARKER_FILE).write_text("synthetic\n")
    plain = tmp_path / "real"
    plain.mkdir()
    sources = [marked / "a.txt", marked / "b.txt", tmp_path / "demo" / "c.pdf", plain / "d.pdf"]
    assert count_synthetic(sources) == 3
    assert count_synthetic([plain / "d.pdf"]) == 0


def test_a_generated_corpus_leaves_a_note_in_its_index(tmp_path: Path) -> None:
    generate_corpus(tmp_path / "demo", 4, seed=5)
    build_index([tmp_path / "demo"], tmp_path / "index", procs=1)
    assert read_note(tmp_path / "index") == SyntheticNote(synthetic=4, letters=4)


def test_an_index_of_letters_without_the_marker_has_no_note(tmp_path: Path) -> None:
    build_index([SAMPLES], tmp_path / "index", procs=1)
    assert not (tmp_path / "index" / NOTE_FILE).exists()
    assert read_note(tmp_path / "index") is None


def test_every_build_counts_again_and_the_note_goes_with_the_last_synthetic_letter(
    tmp_path: Path,
) -> None:
    generate_corpus(tmp_path / "demo", 3, seed=6)
    shutil.copytree(SAMPLES, tmp_path / "real")
    index = tmp_path / "index"
    build_index([tmp_path / "demo", tmp_path / "real"], index, procs=1)
    assert read_note(index) == SyntheticNote(synthetic=3, letters=7)
    build_index([tmp_path / "real"], index, procs=1)  # no prune: the synthetic ones stay
    assert read_note(index) == SyntheticNote(synthetic=3, letters=7)
    build_index([tmp_path / "real"], index, procs=1, prune=True)
    assert read_note(index) is None


def test_a_note_that_cannot_be_read_still_says_synthetic(tmp_path: Path) -> None:
    (tmp_path / NOTE_FILE).write_text("{not json")
    assert read_note(tmp_path) == SyntheticNote(synthetic=0, letters=0)
