"""Shared fixtures: the real corpus (../shared/corpus or $IMR_TEST_CORPUS)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = Path(os.environ.get("IMR_TEST_CORPUS", ROOT.parent / "shared" / "corpus"))


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
def corpus_dir() -> Path:
    if not CORPUS.is_dir():
        pytest.fail(f"corpus not found at {CORPUS}; set IMR_TEST_CORPUS")
    return CORPUS


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
