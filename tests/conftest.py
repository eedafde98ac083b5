"""Shared fixtures: the letters the tests run on, real when they are here, else synthetic.

The real letters are in ../shared/corpus (or $IMR_TEST_CORPUS). `real_corpus` gives them; a
test that needs them is skipped with the one reason NEEDS_REAL_LETTERS when they are absent,
and with IMR_REQUIRE_CORPUS=1 (CI) the whole run fails instead. `corpus_dir` gives the real
corpus when it is here and otherwise a synthetic stand-in of the same shape (letters/ of PDFs
named by case number, seeds/ of five .txt letters without one), so every test that does not
depend on what the real letters say runs on a fresh clone as well.
"""

from __future__ import annotations

import os
import shutil
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = Path(os.environ.get("IMR_TEST_CORPUS", ROOT.parent / "shared" / "corpus"))
REQUIRE_CORPUS = os.environ.get("IMR_REQUIRE_CORPUS", "") not in ("", "0")
HAVE_CORPUS = CORPUS.is_dir()
NEEDS_REAL_LETTERS = f"needs the real letters in {CORPUS} (set IMR_TEST_CORPUS)"
# The stand-in mirrors the real corpus: 64 PDFs of the current layout, 5 seeds of the older.
STAND_IN_SEED = 2024
STAND_IN_PDFS = 64
STAND_IN_SEEDS = 5


def pytest_configure(config: pytest.Config) -> None:
    if REQUIRE_CORPUS and not HAVE_CORPUS:
        raise pytest.UsageError(
            f"IMR_REQUIRE_CORPUS is set but there is no corpus at {CORPUS}: "
            "the tests that need the real letters would be skipped"
        )


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Print each reason for skipping once, with how many tests it skipped."""
    reasons: Counter[str] = Counter()
    for report in terminalreporter.stats.get("skipped", []):
        longrepr = report.longrepr
        reason = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
        reasons[reason.removeprefix("Skipped: ")] += 1
    for reason, count in reasons.most_common():
        tests = "test" if count == 1 else "tests"
        terminalreporter.write_line(f"skipped {count} {tests}: {reason}")


def need_real_letters() -> Path:
    """Return the real corpus, or skip the calling test (fail when IMR_REQUIRE_CORPUS=1)."""
    if not HAVE_CORPUS:
        if REQUIRE_CORPUS:
            pytest.fail(f"IMR_REQUIRE_CORPUS is set but there is no corpus at {CORPUS}")
        pytest.skip(NEEDS_REAL_LETTERS)
    return CORPUS


def _stand_in_letters() -> Iterator[tuple[str, Any]]:
    """Yield ("letters" or "seeds", SyntheticLetter) for the stand-in corpus, in order."""
    from indexer.letter import Layout
    from indexer.synthetic.corpus import synthetic_letter

    pdfs = seeds = index = 0
    while pdfs < STAND_IN_PDFS or seeds < STAND_IN_SEEDS:
        letter = synthetic_letter(STAND_IN_SEED, index)
        index += 1
        if letter.layout is Layout.CURRENT and pdfs < STAND_IN_PDFS:
            pdfs += 1
            yield "letters", letter
        elif letter.layout is Layout.OLDER and seeds < STAND_IN_SEEDS:
            seeds += 1
            yield "seeds", letter


def first_pdf_id() -> str:
    """Return the id of a current-layout PDF letter in corpus_dir/letters, real or stand-in."""
    if HAVE_CORPUS:
        return sorted((CORPUS / "letters").glob("*.pdf"))[0].stem
    return str(next(letter.case_number for folder, letter in _stand_in_letters()))


def write_stand_in(root: Path) -> Path:
    """Write the synthetic stand-in corpus into root (a generated corpus: marker and all)."""
    from indexer.synthetic.marker import MARKER_FILE, SYNTHETIC_MARKER
    from indexer.synthetic.pdf import text_pdf

    (root / "letters").mkdir(parents=True)
    (root / "seeds").mkdir()
    (root / MARKER_FILE).write_text(f"{SYNTHETIC_MARKER}\nA stand-in for the real corpus.\n")
    for number, (folder, letter) in enumerate(_stand_in_letters()):
        if folder == "letters":
            pdf = root / folder / f"{letter.case_number}.pdf"
            pdf.write_bytes(text_pdf(list(letter.lines)))
        else:
            seed = root / folder / f"{number:03d}_{letter.file_stem}.txt"
            seed.write_text(letter.text, encoding="utf-8")
    return root


def corpus_sample(corpus_dir: Path, root: Path, pdfs: int) -> Path:
    """Copy the corpus's seeds and its first pdfs PDF letters into root; return root."""
    shutil.copytree(corpus_dir / "seeds", root / "seeds")
    (root / "letters").mkdir()
    for pdf in sorted((corpus_dir / "letters").glob("*.pdf"))[:pdfs]:
        shutil.copy(pdf, root / "letters" / pdf.name)
    return root


def add_segment(ix: Any, documents: Iterable[dict[str, Any]]) -> None:
    """Commit documents with Whoosh's own writer as a segment of their own (no merge)."""
    writer = ix.writer()
    for doc in documents:
        writer.add_document(**doc)
    writer.commit(merge=False)


def delete_and_commit(ix: Any, fieldname: str, value: str) -> None:
    """Delete the documents with value in fieldname, in a commit that merges nothing."""
    writer = ix.writer()
    writer.delete_by_term(fieldname, value)
    writer.commit(merge=False)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden", action="store_true", help="rewrite tests/golden from the parser"
    )


@pytest.fixture(scope="session")
def real_corpus() -> Path:
    """The real letters; skipped without them (see need_real_letters)."""
    return need_real_letters()


@pytest.fixture(scope="session")
def corpus_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real corpus when it is here, else the synthetic stand-in (write_stand_in)."""
    if HAVE_CORPUS:
        return CORPUS
    if REQUIRE_CORPUS:
        pytest.fail(f"IMR_REQUIRE_CORPUS is set but there is no corpus at {CORPUS}")
    return write_stand_in(tmp_path_factory.mktemp("stand-in-corpus"))


@pytest.fixture(scope="session")
def corpus_index(corpus_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the corpus into a fresh index once per session; return its directory."""
    from indexer.build.run import build_index

    index_dir = tmp_path_factory.mktemp("corpus-index")
    report = build_index([corpus_dir], index_dir)
    if report.failed:
        pytest.fail(f"corpus letters failed to index: {report.failed}")
    return index_dir


@pytest.fixture(scope="session")
def app(corpus_index: Path) -> Any:
    """The Flask app over the corpus index (index changes are checked on every request)."""
    from search_app import create_app

    return create_app({"INDEX": str(corpus_index), "TESTING": True, "INDEX_CHECK_SECONDS": 0})


@pytest.fixture()
def client(app: Any) -> Any:
    return app.test_client()
