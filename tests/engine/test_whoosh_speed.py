"""FastWriter (whoosh_speed, whoosh_segment) writes the index Whoosh's own writer writes.

Each test builds the same input twice, through Whoosh's SegmentWriter (index_writer.FAST_WRITER off)
and through FastWriter, and compares everything a reader can see (segments, stored fields,
columns, field lengths, every term's statistics and postings) plus the bytes of the postings
and term files.
"""

from __future__ import annotations

import hashlib
import random
import shutil
from pathlib import Path
from typing import Any

import pytest
from whoosh import index

import indexer.engine.whoosh.index_writer as index_writer
import indexer.engine.whoosh.segment as whoosh_segment
import indexer.engine.whoosh.writer as whoosh_speed
from indexer.build import build_index
from indexer.engine.whoosh.files import INDEX_NAME
from indexer.engine.whoosh.schema import SCHEMA, to_documents
from indexer.engine.whoosh.writer import FastWriter
from indexer.read.parse import parse_file
from tests.conftest import corpus_sample


def index_dump(index_dir: Path) -> list[dict[str, Any]]:
    """Everything a reader sees in each segment, and digests of its postings and terms files."""
    ix = index.open_dir(str(index_dir), indexname=INDEX_NAME)
    segments = []
    with ix.reader() as reader:
        for leaf, _ in reader.leaf_readers():
            segments.append(_segment_dump(ix, leaf))
    return segments


def _segment_dump(ix: Any, leaf: Any) -> dict[str, Any]:
    docs = range(leaf.doc_count_all())
    dump: dict[str, Any] = {
        "docs": (leaf.doc_count_all(), sorted(leaf.all_doc_ids())),
        "stored": [leaf.stored_fields(d) for d in docs],
    }
    for name, field in ix.schema.items():
        if field.column_type and leaf.has_column(name):
            dump[f"column {name}"] = list(leaf.column_reader(name, translate=False))
        if field.scorable:
            lengths = [leaf.doc_field_length(d, name) for d in docs]
            dump[f"lengths {name}"] = (lengths, leaf.field_length(name))
    terms = []
    for fieldname, tbytes in leaf.all_terms():
        info = leaf.term_info(fieldname, tbytes)
        stats = (info._weight, info._df, info._minlength, info._maxlength, info._maxweight)
        m = leaf._terms.matcher(fieldname, tbytes, ix.schema[fieldname].format)
        blocks = []
        while m.is_active():  # a block at a time: docnums, weights, values, block statistics
            m._read_ids()
            m._read_weights()
            m._read_values()
            stats_of_block = (m.block_max_weight(), m.block_min_length(), m.block_max_length())
            blocks.append((tuple(m._ids), tuple(m._weights), tuple(m._values), stats_of_block))
            m._next_block()
        terms.append((fieldname, tbytes, stats, info._minid, info._maxid, blocks))
    dump["terms"] = terms
    segment = leaf.segment()
    storage = segment.open_compound_file(ix.storage) if segment.is_compound() else ix.storage
    for ext in (".pst", ".trm"):
        handle = segment.open_file(storage, ext)
        dump[f"bytes {ext}"] = hashlib.sha256(handle.read()).hexdigest()
        handle.close()
    return dump


def first_difference(a: list[dict[str, Any]], b: list[dict[str, Any]]) -> str | None:
    """Describe where two dumps first differ, or None when they are the same."""
    if len(a) != len(b):
        return f"{len(a)} segments against {len(b)}"
    for n, (x, y) in enumerate(zip(a, b, strict=True)):
        for key in sorted(set(x) | set(y)):
            if x.get(key) == y.get(key):
                continue
            p, q = x.get(key), y.get(key)
            if isinstance(p, list) and isinstance(q, list):
                for i, (u, v) in enumerate(zip(p, q, strict=False)):
                    if u != v:
                        return f"segment {n} {key}[{i}]: {str(u)[:200]} != {str(v)[:200]}"
                return f"segment {n} {key}: {len(p)} entries against {len(q)}"
            return f"segment {n} {key}: {str(p)[:200]} != {str(q)[:200]}"
    return None


def build_both(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, sources: list[Path], **kwargs: Any
) -> tuple[Path, Path]:
    """Build sources with Whoosh's writer and with FastWriter; return both index folders."""
    plain, fast = tmp_path / "plain", tmp_path / "fast"
    monkeypatch.setattr(index_writer, "FAST_WRITER", False)
    build_index(sources, plain, **kwargs)
    monkeypatch.setattr(index_writer, "FAST_WRITER", True)
    build_index(sources, fast, **kwargs)
    return plain, fast


@pytest.fixture(scope="module")
def some_letters(corpus_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seeds and 25 of the PDF letters: several commits' worth, built in seconds."""
    return corpus_sample(corpus_dir, tmp_path_factory.mktemp("some"), 25)


def test_one_commit_writes_the_same_index(
    corpus_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The corpus in one commit: over SPLIT_MIN_POSTINGS, so two processes write the postings.
    calls: list[list[str]] = []
    start = whoosh_segment._Part.start.__func__  # type: ignore[attr-defined]

    def counted(cls: Any, postings: Any, names: list[str], *args: Any) -> Any:
        calls.append(names)
        return start(cls, postings, names, *args)

    monkeypatch.setattr(whoosh_segment._Part, "start", classmethod(counted))
    # The second process's term list in many chunks, some ending inside a field.
    monkeypatch.setattr(whoosh_segment, "TERMS_CHUNK", 97)
    plain, fast = build_both(monkeypatch, tmp_path, [corpus_dir], procs=2)
    assert len(calls) == 1 and calls[0]  # the fast build split its postings once
    assert first_difference(index_dump(plain), index_dump(fast)) is None


def test_merged_segments_are_the_same(
    some_letters: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Commits of 8 letters, then the optimize that merges them: merged postings are read a
    # block at a time instead of through Whoosh's pool.
    plain, fast = build_both(monkeypatch, tmp_path, [some_letters], procs=2, chunk_letters=8)
    dump = index_dump(fast)
    assert len(dump) == 1
    assert first_difference(index_dump(plain), dump) is None


def test_a_merge_skips_deleted_documents_the_same_way(some_letters: Path, tmp_path: Path) -> None:
    base = tmp_path / "base"
    build_index([some_letters], base, procs=2, chunk_letters=10)
    ix = index.open_dir(str(base), indexname=INDEX_NAME)
    with ix.searcher() as searcher:
        letter_ids = sorted({f["letter_id"] for f in searcher.all_stored_fields()})
    writer = ix.writer()
    for letter_id in letter_ids[::3]:
        writer.delete_by_term("letter_id", letter_id)
    writer.commit()
    dumps = []
    for fast in (False, True):
        copy = shutil.copytree(base, tmp_path / f"copy-{fast}")
        ix = index.open_dir(str(copy), indexname=INDEX_NAME)
        writer = FastWriter(ix, index_writer.JOINED, split=True) if fast else ix.writer()
        writer.commit(optimize=True)
        dumps.append(index_dump(copy))
    assert dumps[0][0]["docs"][0] < len(index_dump(base)[0]["stored"])
    assert first_difference(*dumps) is None


def test_a_merge_in_three_processes_writes_the_same_bytes(
    some_letters: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The final merge (in this process; the shards' commits run in workers) splits its
    # fields into three runs.
    made: list[tuple[int, list[int]]] = []
    split_points = whoosh_segment._split_points

    def recorded(sizes: list[int], parts: int) -> list[int]:
        found = split_points(sizes, parts)
        made.append((parts, found))
        return found

    monkeypatch.setattr(whoosh_segment, "SPLIT_MIN_POSTINGS", 0)
    monkeypatch.setattr(whoosh_segment, "_split_points", recorded)
    plain, fast = build_both(monkeypatch, tmp_path, [some_letters], procs=2, chunk_letters=8)
    assert [cuts for parts, cuts in made if parts == 3 and len(cuts) == 2]
    assert first_difference(index_dump(plain), index_dump(fast)) is None


def test_a_failed_middle_process_has_its_fields_written_in_their_place(
    some_letters: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Three runs: [body_region], [case_number, case_outcome], the rest. The second run's
    # process fails; the third's succeeds and is appended after the second run's fields.
    def fixed(sizes: list[int], parts: int) -> list[int]:
        return [1, 3] if parts == 3 else []

    start_field = whoosh_segment._PartWriter.start_field

    def failing(self: Any, fieldname: str, fieldobj: Any) -> None:
        if fieldname in ("case_number", "case_outcome"):
            raise OSError("the middle process fails")
        start_field(self, fieldname, fieldobj)

    monkeypatch.setattr(whoosh_segment, "SPLIT_MIN_POSTINGS", 0)
    monkeypatch.setattr(whoosh_segment, "_split_points", fixed)
    monkeypatch.setattr(whoosh_segment._PartWriter, "start_field", failing)  # in the child
    plain, fast = build_both(monkeypatch, tmp_path, [some_letters], procs=2, chunk_letters=8)
    assert first_difference(index_dump(plain), index_dump(fast)) is None


def test_split_points_cut_runs_of_nearly_equal_cost() -> None:
    assert whoosh_segment._split_points([1, 1, 1, 1, 1, 1], 3) == [2, 4]
    assert whoosh_segment._split_points([10, 1, 1, 10, 1, 1], 2) == [3]
    assert whoosh_segment._split_points([10, 1], 3) == [1]  # never an empty run
    assert whoosh_segment._split_points([5], 3) == []


def test_boosts_lists_and_odd_catch_alls_match_whoosh(tmp_path: Path) -> None:
    # Documents outside what to_documents makes: boosts, a catch-all that is not the join of
    # its parts, empty parts, and a text field given as a list of words.
    docs: list[dict[str, Any]] = [
        {"doc_id": "a", "treatment": "Physical therapy x8", "summary": "The knee. The knee!"},
        {"doc_id": "b", "_boost": 2.0, "rationale": "Not medically necessary", "text": "x"},
        {"doc_id": "c", "_summary_boost": 0.5, "summary": "The knee.", "summary_exact": "knee"},
        {"doc_id": "d", "treatment": "", "rationale": "MRI", "text": "\nMRI\n", "year": "2016"},
        {"doc_id": "e", "text_pairs": "return to work", "text_exact": "return to work"},
        {"doc_id": "f", "treatment": ["physical", "therapy"], "citation": "a|b|a"},
    ]
    dumps = []
    for fast in (False, True):
        folder = tmp_path / str(fast)
        folder.mkdir()
        ix = index.create_in(str(folder), SCHEMA, indexname=INDEX_NAME)
        writer = FastWriter(ix, index_writer.JOINED) if fast else ix.writer()
        for doc in docs:
            writer.add_document(**doc)
        writer.commit()
        dumps.append(index_dump(folder))
    assert first_difference(*dumps) is None


def test_the_comparison_sees_a_change_only_in_the_bytes(
    corpus_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Without _distinct, a letter's decisions share their summary positions' value objects
    # and pickle writes the repeats as references: postings read back the same, the postings
    # file does not. The comparison must see that.
    monkeypatch.setattr(whoosh_segment, "_distinct", lambda values: values)
    plain, fast = build_both(monkeypatch, tmp_path, [corpus_dir / "seeds"], procs=1)
    difference = first_difference(index_dump(plain), index_dump(fast))
    assert difference is not None and "bytes .pst" in difference


def test_a_failed_second_process_leaves_the_work_to_the_first(
    corpus_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(*args: Any) -> None:
        raise OSError("the second process fails")

    monkeypatch.setattr(whoosh_segment, "SPLIT_MIN_POSTINGS", 0)
    monkeypatch.setattr(whoosh_segment._PartWriter, "start_field", fail)  # runs in the child
    plain, fast = build_both(monkeypatch, tmp_path, [corpus_dir / "seeds"], procs=1)
    assert first_difference(index_dump(plain), index_dump(fast)) is None
    assert not (fast / "MAIN.tmp").exists()


def test_stored_fields_are_copied_as_bytes_only_within_one_schema(
    some_letters: Path, tmp_path: Path
) -> None:
    build_index([some_letters], tmp_path / "ix", procs=1)
    ix = index.open_dir(str(tmp_path / "ix"), indexname=INDEX_NAME)
    with ix.reader() as reader:
        perdoc = reader._perdoc
        assert whoosh_speed._raw_stored(perdoc, reader, SCHEMA) is not None
        other = SCHEMA.copy()
        other.remove("layout")  # Whoosh would drop its stored values: no copying as bytes
        assert whoosh_speed._raw_stored(perdoc, reader, other) is None


def test_ascii_text_is_tokenized_as_whoosh_tokenizes_it() -> None:
    # ASCII text is lowercased before its tokens are found (whoosh_speed._DEFAULT_WORDS);
    # the tokens must be those of Whoosh's RegexTokenizer | LowercaseFilter.
    from whoosh.analysis.tokenizers import default_pattern

    assert whoosh_speed._DEFAULT_WORDS.pattern == default_pattern.pattern.replace("(", "(?:")
    analysis = whoosh_speed.Analysis(SCHEMA)
    kind = analysis._kinds["rationale_exact"]
    rng = random.Random(5)
    alphabet = "aZ9_*. .-'\n\tQx"
    texts = ["".join(rng.choice(alphabet) for _ in range(rng.randrange(60))) for _ in range(500)]
    texts += ["U.S. Dr. SMITH's *NOT* 8.5mg q.d. 1.2.3 a..b *.* "]
    texts += ["Caf\u00e9 \u0130stanbul \u2013 x"]  # not ASCII: Whoosh's own way
    for text in texts:
        expected = [t.text for t in SCHEMA["rationale_exact"].analyzer(text)]
        assert analysis._tokens(kind, text) == expected, text


def test_inlined_postings_and_empty_values_are_refused() -> None:
    # Whoosh 2.7.5 cannot inline postings (its finish_postings calls a missing set_inline),
    # and its formats never make an empty value; were either met, the writer says so.
    from whoosh.codec.whoosh3 import W3TermInfo

    info = W3TermInfo()
    info.set_inlined([3], [1.0], [b"x"])
    with pytest.raises(ValueError, match="inlined"):
        list(whoosh_segment._read_blocks(None, info, None))
    with pytest.raises(ValueError, match="empty"):
        whoosh_segment._check_values([b"\x00", b""], 2, None)
    with pytest.raises(ValueError, match="bytes of values"):
        whoosh_segment._check_values(b"\x00" * 7, 2, 4)
    whoosh_segment._check_values(b"\x00" * 8, 2, 4)  # as many bytes as the values need
    whoosh_segment._check_values([], 2, 0)  # a field without values


def test_new_documents_and_merged_segments_in_one_commit(
    corpus_dir: Path, some_letters: Path, tmp_path: Path
) -> None:
    # A commit that both adds documents and merges segments (optimize): each term's
    # postings come from the pool and from the merged segments' blocks.
    base = tmp_path / "base"
    build_index([some_letters], base, procs=1, chunk_letters=10)
    letters = [parse_file(p) for p in sorted((corpus_dir / "seeds").glob("*.txt"))[:6]]
    dumps = []
    for fast in (False, True):
        copy = shutil.copytree(base, tmp_path / f"copy-{fast}")
        ix = index.open_dir(str(copy), indexname=INDEX_NAME)
        writer = FastWriter(ix, index_writer.JOINED, split=True) if fast else ix.writer()
        for letter in letters:
            for doc in to_documents(letter):
                writer.add_document(**doc)
        writer.commit(optimize=True)
        dumps.append(index_dump(copy))
    assert len(dumps[1]) == 1 and len(dumps[1][0]["stored"]) > len(index_dump(base)[0]["stored"])
    assert first_difference(*dumps) is None
