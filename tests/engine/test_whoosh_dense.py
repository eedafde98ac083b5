"""Dense postings (indexer/engine/whoosh/dense.py): written with each segment, read by the engine.

The engine reads a common term's postings from the segment's dense file instead of its
blocks; everything it answers must stay what Whoosh answers.
"""

from __future__ import annotations

import io
import logging
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from whoosh import formats
from whoosh import index as whoosh_index
from whoosh import query as wq
from whoosh.filedb.filestore import FileStorage
from whoosh.matching import WrappingMatcher

import indexer.engine.whoosh.dense as whoosh_dense
import indexer.engine.whoosh.segment as whoosh_segment
from indexer.build import build_index
from indexer.engine.whoosh import evaluate as search_engine
from indexer.engine.whoosh.dense import DENSE_EXT, DenseError, DenseReader, DenseWriter, open_dense
from indexer.engine.whoosh.evaluate import Engine, evaluate
from indexer.engine.whoosh.files import INDEX_NAME
from indexer.engine.whoosh.index_writer import open_writer
from indexer.engine.whoosh.schema import SCHEMA, to_documents
from indexer.read.parse import parse_file
from search_app.search import service as search
from tests.conftest import add_segment, corpus_sample, delete_and_commit
from tests.engine.test_search_engine import QUERIES, compare
from tests.helpers import no_synonyms

LOW = 10  # DENSE_MIN in these tests, so the small corpus has many dense terms


class _Sink(io.BytesIO):
    """A file DenseWriter can write and close, whose bytes stay readable."""

    def close(self) -> None:
        self.kept = self.getvalue()
        super().close()


def written(doccount: int, terms: dict[tuple[str, bytes], tuple[list[int], list[float]]]) -> bytes:
    sink = _Sink()
    writer = DenseWriter(sink, doccount, minimum=1)
    for (fieldname, tbytes), (ids, weights) in terms.items():
        writer.add(fieldname, tbytes, ids, weights)
    writer.close()
    return sink.kept


def dense_terms(index_dir: Path) -> list[tuple[Any, DenseReader | None]]:
    """Each segment of the index, with its dense postings (None: the segment has none)."""
    ix = whoosh_index.open_dir(str(index_dir), indexname=INDEX_NAME)
    with ix.reader() as reader:
        return [
            (leaf.segment(), open_dense(leaf.storage(), leaf.segment()))
            for leaf, _ in reader.leaf_readers()
        ]


def assert_dense_equals_blocks(index_dir: Path, minimum: int) -> int:
    """Every term with at least minimum postings is dense, with the blocks' documents and
    weights, and in a field with positions their positions; return how many dense terms
    were checked."""
    ix = whoosh_index.open_dir(str(index_dir), indexname=INDEX_NAME)
    checked = checked_positions = 0
    with ix.reader() as reader:
        for leaf, _ in reader.leaf_readers():
            dense = open_dense(leaf.storage(), leaf.segment())
            assert dense is not None
            common = {k for k in leaf.all_terms() if leaf.doc_frequency(*k) >= minimum}
            assert set(dense.keys()) == common
            for fieldname, tbytes in sorted(common):
                found = dense.postings(fieldname, tbytes)
                assert found is not None
                matcher = leaf.postings(fieldname, tbytes)
                while isinstance(matcher, WrappingMatcher):  # deleted documents included
                    matcher = matcher.child
                positional = type(SCHEMA[fieldname].format) is formats.Positions
                ids, weights, spots = [], [], []
                while matcher.is_active():
                    ids.append(matcher.id())
                    weights.append(matcher.weight())
                    if positional:
                        spots.append(list(matcher.value_as("positions")))
                    matcher.next()
                assert found[0].tolist() == ids, (fieldname, tbytes)
                assert found[1].tolist() == weights, (fieldname, tbytes)
                kept = dense.positions(fieldname, tbytes)
                assert (kept is not None) == positional, (fieldname, tbytes)
                if kept is not None:
                    assert kept[0].tolist() == ids and kept[1].tolist() == weights
                    assert kept[2].tolist() == [len(p) for p in spots], (fieldname, tbytes)
                    assert kept[3].tolist() == [n for p in spots for n in p], (fieldname, tbytes)
                    checked_positions += 1
                checked += 1
    assert checked_positions > 0
    return checked


def test_round_trip_of_each_kind() -> None:
    terms = {
        ("text", b"every"): (list(range(0, 1000, 2)), [float(n % 7 + 1) for n in range(500)]),
        ("text", b"rare"): ([3, 999], [1.0, 1.0]),  # ids: smaller than a bitmap
        ("treatment", b"boosted"): ([1, 2, 3], [2.5, 0.75, 300.0]),  # float32 weights
        ("text", b"big"): ([5], [256.0]),  # a whole number over 255: float32
    }
    data = written(1000, terms)
    reader = DenseReader(data, 1000)
    for key, (ids, weights) in terms.items():
        found = reader.postings(*key)
        assert found is not None
        assert found[0].dtype == np.int64 and found[0].tolist() == ids
        assert found[1].dtype == np.float64 and found[1].tolist() == weights
    kinds = {key: (entry[0], entry[3]) for key, entry in reader.directory.items()}
    assert kinds == {
        ("text", b"every"): ("bits", "u8"),
        ("text", b"rare"): ("ids", "one"),
        ("treatment", b"boosted"): ("ids", "f4"),
        ("text", b"big"): ("ids", "f4"),
    }
    assert reader.postings("text", b"absent") is None


def test_positions_round_trip_in_both_widths() -> None:
    narrow = [[0], [3, 10, 200], [65535]]
    wide = [[1, 70000], [5]]
    sink = _Sink()
    writer = DenseWriter(sink, 10, minimum=1)
    encode = formats.Positions().encode
    writer.add("body", b"narrow", [0, 4, 9], [1.0, 3.0, 1.0], [encode(p) for p in narrow])
    writer.add("body", b"wide", [2, 3], [2.0, 1.0], [encode(p) for p in wide])
    writer.add("body", b"none", [1], [1.0])
    writer.close()
    reader = DenseReader(sink.kept, 10)
    cases = ((b"narrow", [0, 4, 9], narrow, "u2"), (b"wide", [2, 3], wide, "u4"))
    for tbytes, ids, lists, kind in cases:
        found = reader.positions("body", tbytes)
        assert found is not None and reader.directory[("body", tbytes)][6] == kind
        docs, _, counts, spots = found
        assert docs.tolist() == ids
        assert counts.tolist() == [len(p) for p in lists]
        assert spots.tolist() == [n for p in lists for n in p]
        assert reader.position_count("body", tbytes) == len(ids) + len(spots)
    assert reader.positions("body", b"none") is None
    assert reader.position_count("body", b"none") is None
    assert reader.postings("body", b"none") is not None


def test_positions_that_do_not_add_up_are_refused() -> None:
    sink = _Sink()
    writer = DenseWriter(sink, 10, minimum=1)
    with pytest.raises(ValueError, match="2 documents but 1 position lists"):
        writer.add("body", b"w", [1, 2], [1.0, 1.0], [formats.Positions().encode([4])])
    writer.add("body", b"w", [1, 2], [1.0, 1.0], [formats.Positions().encode([4])] * 2)
    writer.close()
    reader = DenseReader(sink.kept, 10)
    kind, at, size = reader.directory[("body", b"w")][6:]
    reader.directory[("body", b"w")] = (*reader.directory[("body", b"w")][:6], kind, at, size - 2)
    with pytest.raises(DenseError, match="do not add up"):
        reader.positions("body", b"w")


def test_a_written_file_appends_to_another() -> None:
    first = {("a", b"x"): ([1, 4], [1.0, 2.0])}
    second = {("b", b"y"): (list(range(50)), [3.0] * 50), ("b", b"z"): ([7], [1.0])}
    other = _Sink()
    part = DenseWriter(other, 64, minimum=1)
    for (fieldname, tbytes), (ids, weights) in second.items():
        part.add(fieldname, tbytes, ids, weights)
    part.add("c", b"p", [5, 6], [1.0, 2.0], [formats.Positions().encode(p) for p in ([9], [2, 8])])
    part.close()
    sink = _Sink()
    writer = DenseWriter(sink, 64, minimum=1)
    writer.add("a", b"x", *first[("a", b"x")])
    writer.append(io.BytesIO(other.kept))
    writer.close()
    reader = DenseReader(sink.kept, 64)
    for key, (ids, weights) in {**first, **second}.items():
        found = reader.postings(*key)
        assert found is not None and found[0].tolist() == ids and found[1].tolist() == weights
    moved = reader.positions("c", b"p")
    assert moved is not None
    assert [a.tolist() for a in moved] == [[5, 6], [1.0, 2.0], [1, 2], [9, 2, 8]]


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda data: b"", "not a dense postings file"),
        (lambda data: b"XXXXXXXX" + data[8:], "not a dense postings file"),
        (lambda data: data[:-3], "cut short"),
        (lambda data: data[:20] + data[-16:], "out of the file"),
        (lambda data: data[:-40] + b"\x00" * 24 + data[-16:], "cannot be read"),
    ],
)
def test_a_damaged_file_is_refused(damage: Any, message: str) -> None:
    data = written(100, {("text", b"w"): (list(range(0, 100, 3)), [1.0] * 34)})
    with pytest.raises(DenseError, match=message):
        DenseReader(damage(data), 100)


def test_a_document_outside_the_segment_is_refused() -> None:
    writer = DenseWriter(_Sink(), 10, minimum=1)
    with pytest.raises(ValueError, match="outside"):
        writer.add("text", b"w", [3, 10], [1.0, 1.0])


def test_a_damaged_file_in_a_segment_is_skipped_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    class Segment:
        def make_filename(self, ext: str) -> str:
            return f"seg{ext}"

        def doc_count_all(self) -> int:
            return 100

    storage = FileStorage(str(tmp_path))
    assert open_dense(storage, Segment()) is None  # none written
    (tmp_path / f"seg{DENSE_EXT}").write_bytes(b"not dense postings at all, really")
    with caplog.at_level(logging.WARNING):
        assert open_dense(storage, Segment()) is None
    assert "seg.dns is not used: not a dense postings file" in caplog.text


def test_fresh_merged_and_split_segments_write_their_common_terms(
    corpus_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(whoosh_dense, "DENSE_MIN", LOW)
    one = tmp_path / "one"
    build_index([corpus_dir], one, procs=2)  # one commit, postings written by two processes
    assert assert_dense_equals_blocks(one, LOW) > 1000
    sample = corpus_sample(corpus_dir, tmp_path / "sample", 25)
    merged = tmp_path / "merged"
    report = build_index([sample], merged, procs=2, chunk_letters=8)
    assert report.commits > 1 and report.optimized  # the merge read segments a block at a time
    assert assert_dense_equals_blocks(merged, LOW) > 100


def test_the_second_process_failing_still_writes_every_dense_term(
    corpus_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(whoosh_dense, "DENSE_MIN", LOW)

    def failing(*args: Any) -> None:
        raise RuntimeError("the second process fails")

    monkeypatch.setattr(whoosh_segment._PartWriter, "start_field", failing)
    build_index([corpus_dir], tmp_path, procs=2)
    assert assert_dense_equals_blocks(tmp_path, LOW) > 1000
    assert not [p for p in tmp_path.iterdir() if p.suffix == ".dense"]


def test_a_merge_leaves_deleted_documents_out(
    corpus_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(whoosh_dense, "DENSE_MIN", LOW)
    sample = corpus_sample(corpus_dir, tmp_path / "sample", 25)
    build_index([sample], tmp_path / "ix", procs=2, chunk_letters=10)
    ix = whoosh_index.open_dir(str(tmp_path / "ix"), indexname=INDEX_NAME)
    with ix.searcher() as searcher:
        victim = searcher.stored_fields(0)["letter_id"]
    delete_and_commit(ix, "letter_id", victim)
    writer = open_writer(ix)
    writer.commit(optimize=True)
    with ix.searcher() as searcher:
        assert not searcher.reader().has_deletions()
    assert assert_dense_equals_blocks(tmp_path / "ix", LOW) > 100


@pytest.fixture(scope="module")
def mixed_index(corpus_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A segment from Whoosh's writer (no dense postings), then one from FastWriter with
    them (so its documents do not start at 0), and a deletion in each."""
    index_dir = tmp_path_factory.mktemp("dense")
    letters = [parse_file(p) for p in sorted((corpus_dir / "letters").glob("*.pdf"))]
    ix = whoosh_index.create_in(str(index_dir), SCHEMA, indexname=INDEX_NAME)
    add_segment(ix, (doc for letter in letters[::3] for doc in to_documents(letter)))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(whoosh_dense, "DENSE_MIN", LOW)
        writer = open_writer(ix)
        for letter in letters:
            for doc in to_documents(letter):
                writer.add_document(**doc)
        writer.commit(merge=False)
    with ix.searcher() as searcher:
        victims = [searcher.stored_fields(n)["doc_id"] for n in (2, searcher.doc_count() - 3)]
    for victim in victims:
        delete_and_commit(ix, "doc_id", victim)
    return index_dir


def test_the_mixed_index_has_one_dense_segment(mixed_index: Path) -> None:
    found = [dense for _, dense in dense_terms(mixed_index)]
    assert len(found) == 2 and found[0] is None and found[1] is not None
    assert ("text", b"therapi") in found[1]


@pytest.mark.parametrize(("name", "query"), QUERIES, ids=[name for name, _ in QUERIES])
def test_engine_equals_whoosh_with_dense_postings(mixed_index: Path, name: str, query: Any) -> None:
    compare(mixed_index, query)


def test_the_engine_reads_dense_terms_without_their_blocks(
    mixed_index: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    index = search.open_index(mixed_index, expand=no_synonyms, check_seconds=0, cache_size=0)
    try:
        with index.searcher() as searcher:
            engine = Engine(index.generation, searcher)
            dense_leaf, offset = engine.leaves[1]
            assert offset > 0
            read = dense_leaf.postings
            asked: list[tuple[str, bytes]] = []

            def counted(fieldname: str, text: bytes, **kwargs: Any) -> Any:
                asked.append((fieldname, text))
                return read(fieldname, text, **kwargs)

            rare = next(
                t
                for f, t in dense_leaf.all_terms()
                if f == "text" and 0 < dense_leaf.doc_frequency(f, t) < LOW
            )
            monkeypatch.setattr(dense_leaf, "postings", counted)
            common = engine.postings("text", b"therapi")
            assert len(engine.postings("text", rare).docs) > 0
            wanted = np.sort(common.docs[::2])
            assert engine.postings("text", b"therapi", wanted).docs.tolist() == wanted.tolist()
    finally:
        index.close()
    assert len(common.docs) > LOW
    assert asked == [("text", rare)]  # only the rare term's blocks were read


def test_an_entry_pointing_outside_the_file_is_refused() -> None:
    reader = DenseReader(written(100, {("text", b"w"): ([1, 2], [1.0, 2.0])}), 100)
    reader.directory[("text", b"w")] = ("ids", 10**6, 8, "u8", 0, 2)
    with pytest.raises(DenseError, match="cannot be read"):
        reader.postings("text", b"w")
    reader.directory[("text", b"w")] = ("ids", 8, 8, "u8", 16, 5)
    with pytest.raises(DenseError, match="2 documents but 5 weights"):
        reader.postings("text", b"w")


def test_the_engine_reads_the_blocks_of_a_damaged_entry(
    mixed_index: Path, caplog: pytest.LogCaptureFixture
) -> None:
    index = search.open_index(
        mixed_index, expand=no_synonyms, check_seconds=0, cache_size=0, postings_mb=0
    )
    try:
        with index.searcher() as searcher:
            engine = Engine(index.generation, searcher)
            good = engine.postings("text", b"therapi")
            dense = engine._dense(engine.leaves[1][0])
            assert dense is not None
            dense.directory[("text", b"therapi")] = ("bits", 10**9, 8, "one", 0, 0)
            with caplog.at_level(logging.WARNING):
                again = engine.postings("text", b"therapi")
            assert again.docs.tolist() == good.docs.tolist()
            assert again.weights.tolist() == good.weights.tolist()
            assert "are not used" in caplog.text and "cannot be read" in caplog.text
            assert engine._dense(engine.leaves[1][0]) is None
    finally:
        index.close()


def test_a_new_generation_keeps_the_dense_postings_of_segments_it_still_has(
    mixed_index: Path, tmp_path: Path
) -> None:
    """A deletion changes no segment file: the next generation reuses the opened dense
    postings, and answers without the deleted document. A merge drops them."""
    index_dir = tmp_path / "ix"
    shutil.copytree(mixed_index, index_dir)
    index = search.open_index(index_dir, expand=no_synonyms, check_seconds=3600, cache_size=0)
    query = wq.Term("text", "therapi")
    try:
        with index.searcher() as searcher:
            Engine(index.generation, searcher).postings("text", b"therapi")
        opened = dict(index.generation.dense)
        assert sorted(v is None for v in opened.values()) == [False, True]
        ix = whoosh_index.open_dir(str(index_dir), indexname=INDEX_NAME)
        with ix.searcher() as searcher:
            victim = searcher.stored_fields(next(searcher.docs_for_query(query)))["doc_id"]
        delete_and_commit(ix, "doc_id", victim)
        assert index.refresh()
        assert all(index.generation.dense[k] is v for k, v in opened.items())
        with index.searcher() as searcher:
            found = evaluate(index.generation, searcher, query)
            assert set(np.flatnonzero(found.mask)) == set(searcher.docs_for_query(query))
            assert victim not in {
                searcher.stored_fields(int(n))["doc_id"] for n in np.flatnonzero(found.mask)
            }
        ix.optimize()
        assert index.refresh()
        assert index.generation.dense == {}
    finally:
        index.close()


def test_dense_positions_and_blocks_give_the_same_keys(
    mixed_index: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A term's positions read from the dense file or from its blocks: the same keys and
    postings; which one is read follows DENSE_POSITIONS_WORK."""
    index = search.open_index(
        mixed_index, expand=no_synonyms, check_seconds=0, cache_size=0, postings_mb=0
    )
    try:
        with index.searcher() as searcher:
            engine = Engine(index.generation, searcher)
            dense = engine._dense(engine.leaves[1][0])
            assert dense is not None
            terms = [k for k, e in dense.directory.items() if len(e) == 9][:25]
            assert len(terms) == 25
            read = engine._block_positions
            blocks: list[bytes] = []

            def counted(reader: Any, fieldname: str, text: bytes, *args: Any) -> Any:
                blocks.append(text)
                return read(reader, fieldname, text, *args)

            monkeypatch.setattr(engine, "_block_positions", counted)
            for fieldname, tbytes in terms:
                wanted = np.sort(engine.postings(fieldname, tbytes).docs)[::2]
                found = []
                for work in (10**9, 0):
                    monkeypatch.setattr(search_engine, "DENSE_POSITIONS_WORK", work)
                    blocks.clear()
                    found.append(engine.positions(fieldname, tbytes, wanted))
                    # the segment without dense postings always reads its blocks
                    assert len(blocks) == (1 if work else 2), (fieldname, tbytes, work)
                (keys, postings), (again, more) = found
                assert len(keys) >= len(postings.docs) > 0
                assert keys.tolist() == again.tolist(), (fieldname, tbytes)
                assert postings.docs.tolist() == more.docs.tolist()
                assert postings.weights.tolist() == more.weights.tolist()
    finally:
        index.close()
