"""The engine's write side (indexer/engine/writing.py) over a Whoosh index directory.

Commits go through FastWriter (writer.py), or with FAST_WRITER off through Whoosh's own
SegmentWriter, the reference the tests compare FastWriter with. Every commit merges nothing:
a build merges once, after its last commit, as its policy chooses (merge).
"""

from __future__ import annotations

import functools
import gc
import io
import os
import shutil
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, cast

from whoosh import index, query
from whoosh.index import TOC, FileIndex, clean_files
from whoosh.reading import SegmentReader
from whoosh.writing import NO_MERGE

from indexer.engine.merging import SegmentSize
from indexer.engine.whoosh.arrays import read_arrays
from indexer.engine.whoosh.files import INDEX_NAME, SHARD_DIR, SHARD_RE, TEMP_TOC_RE
from indexer.engine.whoosh.schema import (
    CATCH_ALL,
    EXACT_SUFFIX,
    FACETS,
    PAIR_FIELDS,
    SCHEMA,
    TEXT_FIELDS,
    to_documents,
)
from indexer.engine.whoosh.storage import writable_storage
from indexer.engine.whoosh.writer import ANALYSED, Analysis, new_writer
from indexer.engine.writing import (
    ChildSetup,
    Counts,
    IndexedLetter,
    IndexUnusable,
    LetterWriter,
    Merged,
    MergePolicy,
    NoIndex,
    Prepared,
    SchemaMismatch,
    Shard,
)
from indexer.letter import Letter

# False: commits go through Whoosh's own SegmentWriter, the reference the tests compare with.
FAST_WRITER = True
WRITER_MB = 256  # Whoosh's posting pool size before it spills sorted runs to disk
# The catch-all fields' values are the text fields joined by newlines (schema.to_documents).
JOINED = {
    name: TEXT_FIELDS for name in (CATCH_ALL, f"{CATCH_ALL}{EXACT_SUFFIX}", *PAIR_FIELDS.values())
}
_ANALYSIS: list[Analysis] = []  # a parse worker's Analysis, made on its first letter


def open_writable(
    directory: Path, *, create: bool, child_setup: ChildSetup | None = None
) -> WhooshIndex:
    """Open (or create) the index in directory, refusing one written with another schema."""
    if directory.exists() and not directory.is_dir():
        raise IndexUnusable(f"{directory} is not a directory")
    try:
        # Readers a build opens (deletions, merges, counts) map segments, never copy them.
        storage = writable_storage(str(directory))
        if index.exists_in(str(directory), indexname=INDEX_NAME):
            ix = FileIndex(storage, indexname=INDEX_NAME)
        elif create:
            ix = FileIndex.create(storage, SCHEMA, INDEX_NAME)
        else:
            raise NoIndex(f"no index in {directory}")
    except IndexUnusable:
        raise
    except Exception as exc:
        raise IndexUnusable(f"cannot open the index in {directory}: {exc}") from exc
    if not same_schema(ix.schema, SCHEMA):
        raise SchemaMismatch(f"the index in {directory} was built with a different schema")
    return WhooshIndex(ix, directory, child_setup)


def same_schema(stored: Any, wanted: Any) -> bool:
    """Tell whether an index's schema matches ours, field by field.

    Whoosh's own equality fails after a round trip through the TOC: column types have no __eq__.
    """

    def signature(schema: Any) -> list[tuple[object, ...]]:
        return [
            (
                name,
                type(f),
                type(f.format),
                f.stored,
                f.unique,
                f.scorable,
                type(f.column_type),
                getattr(f, "analyzer", None),
            )
            for name, f in schema.items()
        ]

    return signature(stored) == signature(wanted)


class WhooshIndex:
    """A Whoosh index directory opened by the build that holds its lock (WritableIndex)."""

    def __init__(self, ix: Any, directory: Path, child_setup: ChildSetup | None) -> None:
        self.ix = ix
        self._directory = directory
        self._child_setup = child_setup

    @property
    def directory(self) -> Path:
        return self._directory

    def generation(self) -> int:
        generation: int = self.ix.latest_generation()
        return generation

    def counts(self) -> Counts:
        with self.ix.searcher() as searcher:
            return Counts(_count_letters(searcher), searcher.doc_count())

    def stored_letters(self) -> dict[str, IndexedLetter]:
        """Read each letter's record from the stored fields of its first decision document."""
        found: dict[str, IndexedLetter] = {}
        with self.ix.searcher() as searcher:
            for docnum in searcher.docs_for_query(query.Term("decision_index", 0)):
                stored = searcher.stored_fields(docnum)
                letter_id = stored["letter_id"]
                found[letter_id] = IndexedLetter(
                    letter_id, stored.get("source", ""), stored.get("content_hash", "")
                )
        return found

    def facet_counts(self) -> dict[str, dict[str, int]]:
        facets: dict[str, dict[str, int]] = {}
        with self.ix.searcher() as searcher:
            reader = searcher.reader()
            for facet in FACETS:
                counts = {
                    value: sum(1 for _ in reader.postings(facet, value).all_ids())
                    for value in reader.field_terms(facet)
                }
                facets[facet] = {value: n for value, n in counts.items() if n}
        return facets

    def writer(self) -> LetterWriter:
        return _LetterWriter(open_writer(self.ix, self._child_setup))

    def shard_folder(self, number: int) -> Path:
        return self._directory / SHARD_DIR.format(os.getpid(), number)

    def take_in(
        self, shard: Shard, dropped: Sequence[range], deletions: Sequence[str] = ()
    ) -> None:
        """Move the shard's segment in, drop documents from it, and commit it as it is."""
        segment: Any = shard.segment
        name = segment.make_filename(segment.COMPOUND_EXT)
        os.replace(shard.folder / name, self._directory / name)
        for documents in dropped:
            for docnum in documents:
                segment.delete_document(docnum)
        with _gc_paused():
            writer = open_writer(self.ix, self._child_setup)
            try:
                for letter_id in deletions:
                    writer.delete_by_term("letter_id", letter_id)
                writer.commit(mergetype=functools.partial(_appending, [segment]))
            except BaseException:
                cancel(writer)
                raise

    def merge(self, policy: MergePolicy) -> Merged:
        merged, whole = 0, False
        while True:
            segments = TOC.read(self.ix.storage, INDEX_NAME).segments
            sizes = [SegmentSize(seg.doc_count_all(), seg.deleted_count()) for seg in segments]
            chosen = policy(sizes)
            if not chosen:
                return Merged(merged, whole)
            ids = {segments[i].segment_id() for i in chosen}
            with _gc_paused():
                writer = open_writer(self.ix, self._child_setup)
                try:
                    writer.commit(mergetype=functools.partial(_merging, ids))
                except BaseException:
                    cancel(writer)
                    raise
            merged += len(chosen)
            whole = len(chosen) == len(segments)

    def tidy(self) -> None:
        toc = TOC.read(self.ix.storage, INDEX_NAME)
        clean_files(self.ix.storage, INDEX_NAME, toc.generation, toc.segments)
        for name in os.listdir(self._directory):
            if TEMP_TOC_RE.match(name):
                (self._directory / name).unlink(missing_ok=True)
            elif SHARD_RE.match(name):  # a killed build's shard worker
                shutil.rmtree(self._directory / name, ignore_errors=True)

    def prepare_search(self) -> None:
        with self.ix.reader() as reader:
            read_arrays(reader, self._directory)


class _LetterWriter:
    """A writer for one commit (LetterWriter); Python's cyclic collector waits until it ends.

    A commit makes millions of small lists and tuples that live until it ends, and each full
    collection would walk all of them.
    """

    def __init__(self, writer: Any) -> None:
        self._gc_was_enabled = gc.isenabled()
        gc.disable()
        self._writer: Any = writer

    def add(self, letter: Letter, prepared: Prepared | None = None) -> int:
        documents = prepared.documents if prepared else tuple(to_documents(letter))
        try:
            for doc in documents:
                self._writer.add_document(**cast(dict[str, Any], doc))
        except BaseException:
            self.cancel()
            raise
        return len(documents)

    def delete(self, letter_id: str) -> None:
        try:
            self._writer.delete_by_term("letter_id", letter_id)
        except BaseException:
            self.cancel()
            raise

    def commit(self) -> None:
        writer, self._writer = self._writer, None
        try:
            writer.commit(mergetype=NO_MERGE)
        except BaseException:
            cancel(writer)
            raise
        finally:
            self._resume_gc()

    def cancel(self) -> None:
        writer, self._writer = self._writer, None
        if writer is None:
            return
        try:
            cancel(writer)
        finally:
            self._resume_gc()

    def _resume_gc(self) -> None:
        if self._gc_was_enabled:
            gc.enable()


def open_writer(ix: Any, child_setup: ChildSetup | None = None) -> Any:
    """Open ix's writer: FastWriter, or Whoosh's own with FAST_WRITER off."""
    if FAST_WRITER:
        return new_writer(ix, JOINED, child_setup=child_setup, limitmb=WRITER_MB)
    return ix.writer(limitmb=WRITER_MB)


def prepares_ahead() -> bool:
    """Tell whether documents prepared in parse workers spare this process work (FastWriter)."""
    return FAST_WRITER


def prepare(letter: Letter) -> Prepared:
    """Make a letter's documents with their postings (ANALYSED), as FastWriter takes them."""
    if not _ANALYSIS:
        _ANALYSIS.append(Analysis(SCHEMA, JOINED))
    documents = to_documents(letter)
    for doc in documents:
        doc[ANALYSED] = _ANALYSIS[0].analyse(doc)
    return Prepared(tuple(documents))


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Hold off Python's cyclic garbage collector while a commit runs (see _LetterWriter)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _count_letters(searcher: Any) -> int:
    return sum(1 for _ in searcher.docs_for_query(query.Term("decision_index", 0)))


def _appending(added: list[Any], writer: Any, segments: list[Any]) -> list[Any]:
    """A merge policy that merges nothing and adds segments written elsewhere."""
    return [*segments, *added]


def _merging(ids: set[str], writer: Any, segments: list[Any]) -> list[Any]:
    """A merge policy that merges the segments with these ids and keeps the others.

    A segment whose documents are all deleted is dropped, not merged: were they all such, the
    writer would otherwise write an empty segment.
    """
    kept = []
    for segment in segments:
        if segment.segment_id() not in ids:
            kept.append(segment)
        elif segment.doc_count():
            with SegmentReader(writer.storage, writer.schema, segment) as reader:
                writer.add_reader(reader)
    return kept


def cancel(writer: Any) -> None:
    """Abandon a writer after a failure; the last committed generation stays as it was."""
    try:
        writer.cancel()
        return
    except Exception:  # cancel writes too, so on a full disk it can fail half way
        pass
    for part in (writer.perdocwriter, writer.fieldwriter, writer.pool):
        close = getattr(part, "cleanup", None) or part.close
        with suppress(Exception):
            close()
        _close_files_in(part)
    with suppress(Exception):
        writer._tempstorage.destroy()
    if writer.writelock is not None:
        writer.writelock.release()


def _close_files_in(root: object, depth: int = 4) -> None:
    """Close the OS files a half-closed Whoosh writer part still holds (they sit a few
    attributes deep), so a failed build does not leak descriptors until garbage collection."""
    seen: set[int] = set()
    layer: list[object] = [root]
    for _ in range(depth):
        following: list[object] = []
        for obj in layer:
            if id(obj) in seen:
                continue
            seen.add(id(obj))
            if isinstance(obj, io.IOBase):
                with suppress(Exception):
                    obj.close()
            elif isinstance(obj, list | tuple):
                following.extend(obj)
            elif isinstance(obj, dict):
                following.extend(obj.values())
            elif hasattr(obj, "__dict__"):
                following.extend(vars(obj).values())
        layer = following
