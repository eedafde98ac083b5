"""Cold start: segments read through maps without copies, and each generation's arrays kept
in a sidecar file that is used only for its own generation and rebuilt when damaged."""

from __future__ import annotations

import io
import mmap
import os
import pickle
import random
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from whoosh import index as whoosh_index

from indexer.build import build_index
from indexer.engine.facets import MISSING_DATE
from indexer.engine.whoosh import arrays as search_sidecar
from indexer.engine.whoosh.arrays import (
    EXTRA_TABLES,
    Arrays,
    GenerationKey,
    compute_arrays,
    generation_key,
    load_arrays,
)
from indexer.engine.whoosh.files import INDEX_NAME
from indexer.engine.whoosh.generation import Generation
from indexer.engine.whoosh.index import _load
from indexer.engine.whoosh.schema import SCHEMA, to_documents
from indexer.engine.whoosh.snapshot import WhooshSnapshot
from indexer.engine.whoosh.storage import _MapReader, open_mapped
from indexer.fields import FACETS
from indexer.read.parse import parse_file
from search_app.search import analytics
from search_app.search.service import open_index, parse_request, run_search
from tests.conftest import add_segment, delete_and_commit
from tests.helpers import no_synonyms

TABLES = (*FACETS, *EXTRA_TABLES)


def _delete_outcome(index_dir: Path, outcome: str) -> GenerationKey:
    """Commit the deletion of every decision with outcome; return the new generation's key."""
    delete_and_commit(whoosh_index.open_dir(str(index_dir)), "outcome", outcome)
    with open_mapped(str(index_dir)).reader() as reader:
        return generation_key(reader)


def _sidecars(directory: Path) -> list[str]:
    return sorted(n for n in os.listdir(directory) if n.startswith(("arrays-", ".arrays-")))


@pytest.fixture(scope="module")
def layered(corpus_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An index of two segments, one with deleted documents: the seeds, then three PDFs."""
    tmp = tmp_path_factory.mktemp("layered")
    index_dir = tmp / "index"
    build_index([corpus_dir / "seeds"], index_dir, procs=1)
    ix = whoosh_index.open_dir(str(index_dir))
    pdfs = sorted((corpus_dir / "letters").glob("*.pdf"))[:3]
    add_segment(ix, (doc for pdf in pdfs for doc in to_documents(parse_file(pdf))))
    with ix.searcher() as searcher:
        first = searcher.stored_fields(0)["letter_id"]
    delete_and_commit(ix, "letter_id", first)
    return index_dir


@pytest.fixture()
def index_copy(layered: Path, tmp_path: Path) -> Path:
    target = tmp_path / "index"
    shutil.copytree(layered, target, ignore=shutil.ignore_patterns("arrays-*", ".arrays-*"))
    return target


def _reference(index_dir: Path) -> Arrays:
    """The arrays as the app read them before: document by document through Whoosh's API."""
    ix = whoosh_index.open_dir(str(index_dir))
    with ix.reader() as reader:
        size = reader.doc_count_all()
        live = np.zeros(size, dtype=np.bool_)
        live[np.fromiter(reader.all_doc_ids(), dtype=np.int64)] = True
        decided = np.full(size, MISSING_DATE, dtype=np.uint64)
        # Segment by segment: Whoosh's multi-segment column reader fails on a segment
        # without the column (it indexes the previous segment's column with a negative number).
        for leaf, offset in reader.leaf_readers():
            column = leaf.column_reader("decision_date", translate=False)
            for i in range(leaf.doc_count_all()):
                decided[offset + i] = column[i]
        tables = {}
        for name in TABLES:
            values, docs, ordinals = [], [], []
            for ordinal, raw in enumerate(reader.lexicon(name)):
                ids = list(reader.postings(name, raw).all_ids())
                values.append(raw.decode("utf-8"))
                docs.extend(ids)
                ordinals.extend([ordinal] * len(ids))
            tables[name] = (tuple(values), docs, ordinals)
    return Arrays(size, live, decided, tables)  # type: ignore[arg-type]


def _assert_same(found: Arrays | Generation, expected: Arrays) -> None:
    assert found.size == expected.size
    assert np.array_equal(found.live, expected.live)
    assert np.array_equal(found.decided, expected.decided)
    tables = dict(found.tables)
    if isinstance(found, Generation):
        tables.update(found.extra_tables)
    assert sorted(tables) == sorted(TABLES)
    for name in TABLES:
        want = expected.tables[name]
        if isinstance(want, tuple):
            values, docs, ordinals = want
        else:
            values, docs, ordinals = want.values, want.pair_docs, want.pair_values
        assert tables[name].values == tuple(values), name
        assert tables[name].pair_docs.tolist() == list(docs), name
        assert tables[name].pair_values.tolist() == list(ordinals), name
        assert tables[name].pair_docs.dtype == tables[name].pair_values.dtype == np.int32


# --- reading segments through maps -----------------------------------------------------------


def test_map_reader_reads_like_bytesio(tmp_path: Path) -> None:
    rng = random.Random(8)
    data = bytes(rng.choice(b"ab\n\x00\xff") for _ in range(5000))
    path = tmp_path / "data"
    path.write_bytes(b"#" * 100 + data + b"#" * 100)
    with path.open("rb") as handle:
        source = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
    mine, theirs = _MapReader(source, 100, len(data)), io.BytesIO(data)
    for _ in range(500):
        step = rng.randrange(6)
        if step == 0:
            size = rng.choice([-1, None, 0, 1, 7, 300, 9000])
            assert mine.read(size) == theirs.read(size)
        elif step == 1:
            assert mine.readline() == theirs.readline()
        elif step == 2:
            where = rng.randrange(len(data) + 50)
            assert mine.seek(where) == theirs.seek(where)
        elif step == 3:
            where = rng.randrange(-40, 40)
            if theirs.tell() + where >= 0:
                assert mine.seek(where, os.SEEK_CUR) == theirs.seek(where, os.SEEK_CUR)
        elif step == 4:
            where = -rng.randrange(60)
            assert mine.seek(where, os.SEEK_END) == theirs.seek(where, os.SEEK_END)
        else:
            assert mine.peek(5)[:5] == theirs.getvalue()[theirs.tell() : theirs.tell() + 5]
        assert mine.tell() == theirs.tell()


def test_mapped_index_reads_what_whoosh_reads(layered: Path) -> None:
    plain, mapped = whoosh_index.open_dir(str(layered)), open_mapped(str(layered))
    with plain.reader() as expected, mapped.reader() as found:
        assert found.doc_count_all() == expected.doc_count_all() > 0
        for docnum in range(expected.doc_count_all()):
            if not expected.is_deleted(docnum):
                assert found.stored_fields(docnum) == expected.stored_fields(docnum)
        for fieldname in ("rationale", "treatment", "specialty"):
            terms = list(expected.lexicon(fieldname))
            assert list(found.lexicon(fieldname)) == terms
            for term in terms[:: max(1, len(terms) // 40)]:
                want = expected.postings(fieldname, term)
                got = found.postings(fieldname, term)
                assert list(got.items_as("frequency")) == list(want.items_as("frequency"))


def test_search_answers_equal_over_both_storages(layered: Path, monkeypatch: Any) -> None:
    requests = [[], [("q", "pain")], [("q", '"physical therapy"'), ("sort", "newest")]]
    mapped = open_index(layered, check_seconds=3600, cache_size=0)
    pages = [run_search(mapped, parse_request(r)) for r in requests]
    monkeypatch.setattr(
        "indexer.engine.whoosh.index.open_mapped", lambda path: whoosh_index.open_dir(path)
    )
    plain = open_index(layered, check_seconds=3600, cache_size=0)
    assert [run_search(plain, parse_request(r)) for r in requests] == pages
    assert pages[1].total > 0


# --- computing the arrays --------------------------------------------------------------------


def test_arrays_equal_a_document_by_document_reading(layered: Path) -> None:
    with open_mapped(str(layered)).reader() as reader:
        assert len(list(reader.leaf_readers())) == 2 and reader.has_deletions()
        arrays = compute_arrays(reader)
    expected = _reference(layered)
    _assert_same(arrays, expected)
    assert not arrays.live.all() and (arrays.decided != MISSING_DATE).any()


def test_generation_key_changes_with_each_commit(index_copy: Path, corpus_dir: Path) -> None:
    with open_mapped(str(index_copy)).reader() as reader:
        before = generation_key(reader)
    after = _delete_outcome(index_copy, "Upheld")
    assert after.number == before.number + 1
    assert after.filename != before.filename and after.text != before.text


# --- the sidecar -----------------------------------------------------------------------------


def test_sidecar_round_trips(index_copy: Path, monkeypatch: Any) -> None:
    first = _load(index_copy, 0)
    written = _sidecars(index_copy)
    assert len(written) == 1 and written[0].startswith("arrays-")
    expected = _reference(index_copy)
    _assert_same(first, expected)

    def no_compute(reader: Any) -> Arrays:
        raise AssertionError("computed although the sidecar is valid")

    monkeypatch.setattr(search_sidecar, "compute_arrays", no_compute)
    second = _load(index_copy, 0)
    _assert_same(second, expected)
    assert not second.live.flags.writeable and not second.decided.flags.writeable
    assert _sidecars(index_copy) == written


def _damage(path: Path, how: str, inside: bytes) -> None:
    data = bytearray(path.read_bytes())
    if how == "empty":
        data = bytearray()
    elif how == "truncated":
        data = data[: len(data) // 2]
    elif how == "garbage":
        data = bytearray(b"not a zip file" * 10)
    elif how == "flipped":
        # One byte inside a stored array: only the member's CRC tells.
        at = data.find(inside)
        assert at >= 0
        data[at + len(inside) // 2] ^= 0x55
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("how", ["empty", "truncated", "garbage", "flipped"])
def test_a_damaged_sidecar_is_ignored_and_rebuilt(index_copy: Path, how: str) -> None:
    generation = _load(index_copy, 0)
    (name,) = _sidecars(index_copy)
    _damage(index_copy / name, how, generation.decided.tobytes())
    with open_mapped(str(index_copy)).reader() as reader:
        key, size = generation_key(reader), reader.doc_count_all()
    assert load_arrays(index_copy, key, size) is None
    _assert_same(_load(index_copy, 0), _reference(index_copy))
    assert _sidecars(index_copy) == [name]
    assert load_arrays(index_copy, key, size) is not None, "the sidecar was not rewritten"


def test_a_sidecar_of_another_generation_is_never_used(index_copy: Path) -> None:
    _load(index_copy, 0)
    (old,) = _sidecars(index_copy)
    key = _delete_outcome(index_copy, "Overturned")
    # Even under the new generation's own name, the old file's contents are refused.
    shutil.copy(index_copy / old, index_copy / key.filename)
    generation = _load(index_copy, 0)
    expected = _reference(index_copy)
    _assert_same(generation, expected)
    assert generation.tables["outcome"].count(generation.live).tolist() != [0, 0]
    assert "Overturned" not in {
        generation.tables["outcome"].values[int(v)]
        for v in generation.tables["outcome"].pair_values
    }
    assert _sidecars(index_copy) == [key.filename], "the old generation's file was kept"


def test_a_read_only_index_directory_computes_in_memory(index_copy: Path, monkeypatch: Any) -> None:
    def refused(*args: Any, **kwargs: Any) -> Any:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(search_sidecar.tempfile, "mkstemp", refused)
    generation = _load(index_copy, 0)
    _assert_same(generation, _reference(index_copy))
    assert _sidecars(index_copy) == []
    monkeypatch.undo()
    mode = index_copy.stat().st_mode
    index_copy.chmod(0o555)
    try:
        _assert_same(_load(index_copy, 0), _reference(index_copy))
        page = run_search(open_index(index_copy, cache_size=0), parse_request([("q", "pain")]))
        assert page.total > 0
        if os.geteuid() != 0:  # root writes anyway
            assert _sidecars(index_copy) == []
    finally:
        index_copy.chmod(mode)


def test_stale_partial_files_are_removed(index_copy: Path) -> None:
    left = index_copy / ".arrays-killed.partial"
    left.write_bytes(b"half")
    fresh = index_copy / ".arrays-writing.partial"
    fresh.write_bytes(b"half")
    os.utime(left, (1, 1))
    _load(index_copy, 0)
    names = _sidecars(index_copy)
    assert left.name not in names and fresh.name in names


def test_statistics_columns_without_a_reader_equal_those_with_one(index_copy: Path) -> None:
    generation = _load(index_copy, 0)
    with generation.ix.searcher() as searcher:
        from_sidecar = analytics.columns_for(WhooshSnapshot(no_synonyms, generation, searcher))
        generation.extra_tables = {}
        from_reader = analytics.columns_for(WhooshSnapshot(no_synonyms, generation, searcher))
    assert from_sidecar.doc_count == from_reader.doc_count
    assert np.array_equal(from_sidecar.month, from_reader.month)
    for kind in analytics.CITATION_KINDS:
        a, b = from_sidecar.citations[kind], from_reader.citations[kind]
        assert a.labels == b.labels and np.array_equal(a.docs, b.docs)
        assert np.array_equal(a.ordinals, b.ordinals)


def test_an_index_without_documents_opens(tmp_path: Path) -> None:
    whoosh_index.create_in(str(tmp_path), SCHEMA, indexname=INDEX_NAME)
    generation = _load(tmp_path, 0)
    assert generation.size == 0 and all(not t.values for t in generation.tables.values())
    assert run_search(open_index(tmp_path), parse_request([])).total == 0


def test_an_index_written_before_the_engine_package_still_opens() -> None:
    # TOC files of older indexes pickle the schema's classes as indexer.schema.<name>.
    from indexer.engine.whoosh import schema

    old_reference = b"cindexer.schema\nPairFilter\n."
    assert pickle.loads(old_reference) is schema.PairFilter
