"""Shards (writing.Shard): letters a worker writes as the one segment of a private index.

The private index lives in a folder inside the index directory (files.SHARD_DIR), so the
build's index takes the segment in by a rename and one commit (WhooshIndex.take_in), with
nothing analysed crossing between processes.
"""

from __future__ import annotations

import gc
from pathlib import Path
from typing import Any

from whoosh.index import TOC, FileIndex
from whoosh.writing import NO_MERGE

from indexer.engine.whoosh.files import INDEX_NAME
from indexer.engine.whoosh.index_writer import cancel, open_writer
from indexer.engine.whoosh.schema import SCHEMA, to_documents
from indexer.engine.whoosh.storage import writable_storage
from indexer.engine.writing import ChildSetup, Shard
from indexer.letter import Letter

_LEFT_TO_EXIT: list[Any] = []  # what a shard worker keeps until its process exits


def open_shard_writer(folder: Path, child_setup: ChildSetup | None = None) -> WhooshShardWriter:
    """Make folder and open a writer of a shard's segment in it."""
    folder.mkdir()
    ix = FileIndex.create(writable_storage(str(folder)), SCHEMA, INDEX_NAME)
    return WhooshShardWriter(folder, ix, open_writer(ix, child_setup))


class WhooshShardWriter:
    """Writes a shard (writing.ShardWriter), with Python's cyclic collector held off until
    it ends, as writing a commit does (index_writer._LetterWriter)."""

    def __init__(self, folder: Path, ix: Any, writer: Any) -> None:
        self._gc_was_enabled = gc.isenabled()
        gc.disable()
        self._folder = folder
        self._ix = ix
        self._writer: Any = writer

    def add(self, letter: Letter) -> int:
        documents = to_documents(letter)
        try:
            for doc in documents:
                self._writer.add_document(**doc)
        except BaseException:
            self.cancel()
            raise
        return len(documents)

    def finish(self) -> Shard | None:
        writer = self._writer
        if not writer.docnum:
            self.cancel()
            return None
        self._writer = None
        try:
            # The worker ends with its task (maxtasksperchild=1), through os._exit, which
            # frees the pool's postings at once; so the pool stays referenced until then.
            writer.pool.left_to_exit = True
            _LEFT_TO_EXIT.append(writer.pool)
            writer.commit(mergetype=NO_MERGE)
        except BaseException:
            cancel(writer)
            raise
        finally:
            self._resume_gc()
        (segment,) = TOC.read(self._ix.storage, INDEX_NAME).segments
        return Shard(self._folder, segment)

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
