"""The synthetic corpus generator: determinism, realism of the mix, safety, parseability."""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import date
from pathlib import Path

import pypdfium2
import pytest

from indexer.letter import Layout, Outcome
from indexer.synthetic.corpus import (
    MARKER_FILE,
    SYNTHETIC_MARKER,
    GeneratorError,
    SyntheticLetter,
    generate_corpus,
    synthetic_letter,
)
from indexer.synthetic.pdf import text_pdf
from indexer.synthetic.vocab import FAMILY_OF_KIND, KINDS, SITES, SPECIALTIES, STATES

TAXONOMY = json.loads(
    (Path(__file__).resolve().parents[2] / "indexer" / "data" / "taxonomy.json").read_text()
)
SAMPLE = 1500  # letters for the statistical checks
CASE_NUMBER_RE = re.compile(r"^CM\d{2}-[89]\d{6}$")


@pytest.fixture(scope="module")
def sample() -> list[SyntheticLetter]:
    return [synthetic_letter(11, i) for i in range(SAMPLE)]


def _files(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def _pdf_lines(path: Path) -> list[str]:
    pdf = pypdfium2.PdfDocument(str(path))
    try:
        text = "\r\n".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    finally:
        pdf.close()
    return text.replace("\r\n", "\n").split("\n")


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path: Path) -> None:
    assert generate_corpus(tmp_path / "a", 40, seed=5, pdf_count=2) == 40
    assert generate_corpus(tmp_path / "b", 40, seed=5, pdf_count=2) == 40
    generate_corpus(tmp_path / "c", 40, seed=6, pdf_count=2)
    first, second, other = (_files(tmp_path / n) for n in "abc")
    assert first == second
    assert len(first) == 41  # 40 letters and the marker file
    letters = [name for name in first if name != MARKER_FILE]
    assert sum(first[n] != other[n] for n in letters) == len(letters)


def test_folders_of_a_thousand_and_marker_everywhere(tmp_path: Path) -> None:
    generate_corpus(tmp_path, 1005, seed=1, pdf_count=3)
    batches = sorted(p.name for p in tmp_path.iterdir() if p.is_dir())
    assert batches == ["batch-0000", "batch-0001"]
    assert len(list((tmp_path / "batch-0001").iterdir())) == 5
    assert SYNTHETIC_MARKER in (tmp_path / MARKER_FILE).read_text()
    for path in tmp_path.glob("batch-*/*.txt"):
        assert path.read_text().split("\n", 1)[0] == SYNTHETIC_MARKER, path
    pdfs = sorted(tmp_path.glob("batch-*/*.pdf"))
    assert [p.stem for p in pdfs] == ["syn-0000000", "syn-0000001", "syn-0000002"]


def test_pdf_text_reads_back_as_the_letter_lines(tmp_path: Path) -> None:
    generate_corpus(tmp_path, 4, seed=3, pdf_count=4)
    for index in range(4):
        letter = synthetic_letter(3, index)
        lines = _pdf_lines(tmp_path / "batch-0000" / f"{letter.file_stem}.pdf")
        assert [line.rstrip() for line in lines] == [line.rstrip() for line in letter.lines]


def test_pdf_writer_escapes_and_paginates() -> None:
    lines = ["a (paren) and back\\slash"] + [f"line {n}" for n in range(130)]
    data = text_pdf(lines)
    assert data.startswith(b"%PDF-1.4") and data.rstrip().endswith(b"%%EOF")
    pdf = pypdfium2.PdfDocument(data)
    try:
        assert len(pdf) == 3
        assert pdf[0].get_textpage().get_text_range().startswith("a (paren) and back\\slash")
    finally:
        pdf.close()


def test_refuses_a_folder_of_real_letters(tmp_path: Path, corpus_dir: Path) -> None:
    with pytest.raises(GeneratorError, match="refusing"):
        generate_corpus(corpus_dir / "letters", 2, seed=1)
    assert not (corpus_dir / "letters" / MARKER_FILE).exists()
    (tmp_path / "nested").mkdir()
    (tmp_path / "nested" / "letter.TXT").write_text("not ours")
    with pytest.raises(GeneratorError, match=f"no {MARKER_FILE} marker"):
        generate_corpus(tmp_path, 2, seed=1)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["nested"]


def test_rerun_replaces_an_earlier_synthetic_corpus(tmp_path: Path) -> None:
    generate_corpus(tmp_path, 30, seed=1)
    generate_corpus(tmp_path, 10, seed=2)
    assert len(list(tmp_path.glob("batch-*/*"))) == 10
    assert "seed 2, 10 letters" in (tmp_path / MARKER_FILE).read_text()


@pytest.mark.parametrize(
    ("letters", "pdf_count", "message"),
    [
        (0, 0, "letters must be between 1"),
        (-5, 0, "letters must be between 1"),
        (3_000_000, 0, "letters must be between 1"),
        (5, 6, "pdf_count must be between 0"),
        (5, -1, "pdf_count must be between 0"),
    ],
)
def test_bad_counts_are_refused(tmp_path: Path, letters: int, pdf_count: int, message: str) -> None:
    with pytest.raises(GeneratorError, match=message):
        generate_corpus(tmp_path / "out", letters, seed=1, pdf_count=pdf_count)
    assert not (tmp_path / "out").exists()


def test_refuses_a_file_as_target(tmp_path: Path) -> None:
    target = tmp_path / "file"
    target.write_text("x")
    with pytest.raises(GeneratorError, match="not a folder"):
        generate_corpus(target, 1, seed=1)


def test_layout_mix_and_frequencies(sample: list[SyntheticLetter]) -> None:
    layouts = Counter(letter.layout for letter in sample)
    assert set(layouts) == set(Layout)
    assert 0.52 < layouts[Layout.CURRENT] / SAMPLE < 0.68
    assert 0.20 < layouts[Layout.OLDER] / SAMPLE < 0.32
    items = [item for letter in sample for item in letter.items]
    assert 1.45 < len(items) / SAMPLE < 1.75
    upheld = sum(item.outcome is Outcome.UPHELD for item in items) / len(items)
    assert 0.86 < upheld < 0.94
    states = Counter(state for letter in sample for state in letter.states)
    assert states.most_common(1)[0][0] == "California"
    categories = Counter(item.category for item in items)
    assert categories.most_common(1)[0][0] == "Pharmaceuticals"
    assert len(categories) >= 12


def test_dates_and_case_numbers(sample: list[SyntheticLetter]) -> None:
    numbers = [letter.case_number for letter in sample if letter.case_number]
    assert len(numbers) == len(set(numbers))
    assert all(CASE_NUMBER_RE.match(n) for n in numbers)
    years = {letter.decision_date.year for letter in sample if letter.decision_date}
    assert min(years) == 2013 and max(years) == 2025
    for letter in sample:
        assert (letter.case_number is None) == (letter.layout is Layout.OLDER)
        if letter.decision_date and letter.date_of_injury:
            assert date(1999, 1, 1) < letter.date_of_injury < letter.decision_date
            assert letter.case_number is not None
            assert letter.case_number[2:4] in {
                f"{letter.decision_date.year % 100:02d}",
                f"{(letter.decision_date.year - 1) % 100:02d}",
            }


def test_lengths_and_line_wraps(sample: list[SyntheticLetter]) -> None:
    for letter in sample[:300]:
        assert all(len(line) <= 97 for line in letter.lines), letter.file_stem
        words = len(letter.text.split())
        assert 250 < words < 2600, (letter.file_stem, words)


def test_labels_are_taxonomy_values() -> None:
    treatment = TAXONOMY["treatment"]
    for kind, weight in KINDS:
        assert weight > 0
        assert kind.subcategory in treatment[kind.category], kind
        assert kind.region in TAXONOMY["body_region"]
    assert {site.region for site, _ in SITES} <= set(TAXONOMY["body_region"])
    assert {name for name, _ in SPECIALTIES} <= set(TAXONOMY["specialty"])
    assert {name for name, _ in STATES} <= set(TAXONOMY["state"])
    assert set(FAMILY_OF_KIND.values()) <= set(TAXONOMY["guideline"])


def test_every_letter_parses_as_generated(tmp_path: Path) -> None:
    from indexer.read.parse import parse_file

    count = 400
    generate_corpus(tmp_path, count, seed=21, pdf_count=20)
    outcomes: Counter[Outcome] = Counter()
    agree = Counter[str]()
    total_items = 0
    for index in range(count):
        expected = synthetic_letter(21, index)
        suffix = ".pdf" if index < 20 else ".txt"
        letter = parse_file(tmp_path / "batch-0000" / f"{expected.file_stem}{suffix}")
        label = f"{expected.file_stem} ({expected.layout})"
        assert letter.layout is expected.layout, label
        assert letter.case_number == expected.case_number, label
        assert letter.decision_date == expected.decision_date, label
        assert letter.date_of_injury == expected.date_of_injury, label
        assert letter.reviewer_specialties == expected.specialties, label
        assert letter.reviewer_states == expected.states, label
        assert letter.age == expected.age, label
        assert letter.sex == expected.sex, label
        got = [(d.treatment, d.outcome) for d in letter.decisions]
        assert got == [(i.treatment, i.outcome) for i in expected.items], label
        for decision, item in zip(letter.decisions, expected.items, strict=True):
            outcomes[decision.outcome] += 1
            total_items += 1
            agree["category"] += (decision.category, decision.subcategory) == (
                item.category,
                item.subcategory,
            )
            agree["region"] += decision.body_regions == (item.body_region,)
            agree["family"] += item.guideline_family in decision.guideline_families
    assert 0.84 < outcomes[Outcome.UPHELD] / total_items < 0.96
    # The taxonomy classifiers are another module's; most labels must still agree.
    for name, hits in agree.items():
        assert hits / total_items > 0.8, (name, hits, total_items)
