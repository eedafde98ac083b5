"""Letters into commits: which file wins a letter id, and what each commit adds and deletes.

Each commit holds whole letters: a letter's old documents are deleted in the commit that
adds its new ones, so every committed generation has each letter once, whole.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from pathlib import Path

from indexer.build.manifest import FileToIndex, plan, read_indexed
from indexer.build.report import BuildReport, Duplicate
from indexer.build.shards import ShardLetter, WrittenShard
from indexer.engine.writing import IndexedLetter, LetterWriter, Prepared, WritableIndex
from indexer.letter import Letter


class Commits:
    """The state of one build run: what the index holds and what this run claims."""

    def __init__(self, index: WritableIndex, report: BuildReport, chunk_letters: int) -> None:
        self.index = index
        self.report = report
        self.chunk_letters = max(1, chunk_letters)
        self.by_id = read_indexed(index)
        self.now = dict(self.by_id)  # what the index holds after the commits so far
        self.by_source = {rec.source: rec for rec in self.by_id.values()}
        self.committed = set(self.by_id)
        self.kept: dict[str, tuple[int, Path]] = {}  # unchanged files: letter id -> position
        self.written: dict[str, Path] = {}
        self.pending: dict[str, Letter] = {}
        self.orphans: set[str] = set()
        self.docs_written = 0
        # The writer takes each letter as it is parsed, so writing overlaps parsing; a letter
        # seen twice in one chunk sends that chunk back to being written at commit.
        self.writer: LetterWriter | None = None
        self.eager = True

    def plan(self, files: Sequence[Path]) -> list[FileToIndex]:
        """Hash every file; return those that are new or changed, with their positions."""
        found = plan(files, self.by_source)
        self.kept = found.kept
        self.report.failed += found.unreadable
        return found.todo

    def take(
        self, position: int, path: Path, letter: Letter, prepared: Prepared | None = None
    ) -> None:
        """Queue a parsed letter; the later of two files with one letter id wins."""
        letter_id = letter.letter_id
        if not self._claim(letter_id, position, path):
            return
        again = letter_id in self.pending
        self.pending[letter_id] = letter
        if again and self.writer is not None:
            self.close_writer()
            self.eager = False
        elif self.eager:
            self._write(letter, prepared)
        if len(self.pending) >= self.chunk_letters:
            self.commit()

    def take_shard(self, written: WrittenShard) -> None:
        """Commit a shard: its letters, less those a later file replaces, as take() would
        have queued them, and the deletion of what they replace."""
        shard = written.shard
        if shard is None:
            return
        here: dict[str, ShardLetter] = {}  # letter id -> its documents in this shard
        replaced: set[str] = set()  # letter ids whose committed documents go
        dropped: list[range] = []  # the shard's documents not to commit
        for item in written.letters:
            letter_id = item.letter_id
            if not self._claim(letter_id, item.position, item.path):
                dropped.append(item.documents)
                continue
            earlier = here.get(letter_id)
            if earlier is not None:
                dropped.append(earlier.documents)
            elif letter_id in self.committed:
                replaced.add(letter_id)
            here[letter_id] = item
        self.index.take_in(shard, dropped, sorted(replaced))
        records = {
            letter_id: IndexedLetter(letter_id, str(item.path), item.content_hash)
            for letter_id, item in here.items()
        }
        self._committed(records, sum(len(item.documents) for item in here.values()))

    def _claim(self, letter_id: str, position: int, path: Path) -> bool:
        """Count a parsed letter as take() does; False when an unchanged later file wins."""
        known = self.by_source.get(str(path))
        if known and known.letter_id != letter_id:
            self.orphans.add(known.letter_id)
        kept = self.kept.get(letter_id)
        if kept:
            if kept[0] > position:
                self.report.duplicates.append(Duplicate(letter_id, kept[1], path))
                return False
            del self.kept[letter_id]
            self.report.duplicates.append(Duplicate(letter_id, path, kept[1]))
        earlier = self.written.get(letter_id)
        if earlier:
            self.report.duplicates.append(Duplicate(letter_id, path, earlier))
        elif known or letter_id in self.by_id:
            self.report.updated += 1
        else:
            self.report.added += 1
        self.written[letter_id] = path
        return True

    def _write(self, letter: Letter, prepared: Prepared | None) -> None:
        """Add a letter's documents (prepared ones when given) to this chunk's writer."""
        if self.writer is None:
            self.writer = self.index.writer()
        try:
            if letter.letter_id in self.committed:
                self.writer.delete(letter.letter_id)
            self.writer.add(letter, prepared)
        except BaseException:
            self.close_writer()
            raise

    def close_writer(self) -> None:
        """Abandon the chunk's writer (after a failure, or to write the chunk at commit)."""
        writer, self.writer = self.writer, None
        if writer is not None:
            writer.cancel()

    def finish(self, files: Sequence[Path], prune: bool) -> None:
        """Commit the rest, deleting letters replaced in their file and (prune) lost files'."""
        pruned: set[str] = set()
        if prune:
            present = {str(p) for p in files}
            pruned = {i for i, rec in self.by_id.items() if rec.source not in present}
        pruned -= self.written.keys()
        replaced = self.orphans - self.written.keys() - pruned
        self.commit(sorted(pruned | replaced))
        self.report.removed += len(pruned)

    def commit(self, deletions: Collection[str] = ()) -> None:
        """Write the pending letters and deletions as one commit (nothing when idle)."""
        if not self.pending and not deletions:
            return
        writer, self.writer = self.writer, None
        if writer is None:
            writer = self._writer_for_chunk()
        decisions = sum(len(letter.decisions) for letter in self.pending.values())
        try:
            for letter_id in deletions:
                if letter_id in self.committed:
                    writer.delete(letter_id)
            # No merge at a commit: the build merges once at the end.
            writer.commit()
        except BaseException:
            writer.cancel()
            raise
        records = {
            letter_id: IndexedLetter(letter_id, str(letter.source), letter.content_hash)
            for letter_id, letter in self.pending.items()
        }
        self._committed(records, decisions, deletions)
        self.pending.clear()
        self.eager = True

    def _committed(
        self, written: dict[str, IndexedLetter], decisions: int, deletions: Collection[str] = ()
    ) -> None:
        """Note a commit: the letters it wrote (decisions documents), the ones it deleted."""
        self.report.commits += 1
        self.report.decisions += decisions
        self.docs_written += decisions
        self.committed.update(written)
        self.committed.difference_update(deletions)
        for letter_id in deletions:
            self.now.pop(letter_id, None)
        self.now.update(written)

    def _writer_for_chunk(self) -> LetterWriter:
        """Open a writer and add every pending letter to it (the chunk was not written yet)."""
        writer = self.index.writer()
        try:
            for letter_id in self.pending:
                if letter_id in self.committed:
                    writer.delete(letter_id)
            for letter in self.pending.values():
                writer.add(letter)
        except BaseException:
            writer.cancel()
            raise
        return writer
