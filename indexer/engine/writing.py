"""The engine's write side, in the project's terms: what a build asks of an index directory.

A build opens the directory (open_index), reads what it holds (its letters, counts and
generation), and adds and deletes whole letters through a LetterWriter, one commit at a time.
With several processes, workers write shards of letters (open_shard), which the index takes in
one commit each. After its last commit the build merges as its policy chooses, tidies what a
killed build left behind, and prepares the read side. Every commit is atomic: a build killed
at any moment leaves the last committed generation readable.

Nothing here names the engine's types or files. The functions below hand the work to the
Whoosh implementation (indexer/engine/whoosh/index_writer.py and shards.py), the only engine
today.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from indexer.engine.merging import SegmentSize
from indexer.letter import Letter

ChildSetup = Callable[[], None]  # run first in any process the engine forks
MergePolicy = Callable[[Sequence[SegmentSize]], Sequence[int]]  # segment positions to merge


class IndexUnusable(Exception):
    """The index directory cannot be opened for writing."""


class NoIndex(IndexUnusable):
    """The directory holds no index, and none was to be created."""


class SchemaMismatch(IndexUnusable):
    """The index was written with another schema than the engine writes now."""


@dataclass(frozen=True, slots=True)
class IndexedLetter:
    """What the index holds of a letter: the file it was read from and that file's digest."""

    letter_id: str
    source: str
    content_hash: str


@dataclass(frozen=True, slots=True)
class Counts:
    """How much a committed generation holds."""

    letters: int
    decisions: int  # decision documents


@dataclass(frozen=True, slots=True)
class Prepared:
    """A letter's documents, made ahead in a parse worker for a LetterWriter to add.

    The contents are the engine's own; they only travel from the worker to the writer.
    """

    documents: tuple[object, ...]


@dataclass(frozen=True, slots=True)
class Shard:
    """What a shard worker wrote into a folder of its own, not in the index yet."""

    folder: Path
    segment: object  # the engine's own record of it


@dataclass(frozen=True, slots=True)
class Merged:
    """What the merges after a build did."""

    segments: int = 0  # segments rewritten
    whole: bool = False  # the last merge left the index in one segment


class LetterWriter(Protocol):
    """Adds and deletes whole letters; nothing is seen until commit, all of it then."""

    def add(self, letter: Letter, prepared: Prepared | None = None) -> int:
        """Add a letter's documents (prepared ones when given); return how many."""
        ...

    def delete(self, letter_id: str) -> None:
        """Delete the committed documents of a letter."""
        ...

    def commit(self) -> None:
        """Commit what was added and deleted, as one new generation, merging nothing."""
        ...

    def cancel(self) -> None:
        """Abandon what was written; the last committed generation stays as it was."""
        ...


class ShardWriter(Protocol):
    """Writes letters into a shard worker's own folder, for the index to take in later."""

    def add(self, letter: Letter) -> int:
        """Add a letter's documents after those added before; return how many."""
        ...

    def finish(self) -> Shard | None:
        """Write the shard and return it (None, and nothing written, when it is empty)."""
        ...

    def cancel(self) -> None:
        """Abandon the shard."""
        ...


class WritableIndex(Protocol):
    """An index directory opened by the one build that holds its lock."""

    @property
    def directory(self) -> Path: ...

    def generation(self) -> int:
        """Return the latest committed generation."""
        ...

    def counts(self) -> Counts:
        """Count the letters and decision documents committed."""
        ...

    def stored_letters(self) -> dict[str, IndexedLetter]:
        """Read every committed letter's record from the index itself (letter id -> it)."""
        ...

    def facet_counts(self) -> dict[str, dict[str, int]]:
        """Count the committed documents per value of each facet (values with none left out)."""
        ...

    def writer(self) -> LetterWriter:
        """Open a writer for the next commit."""
        ...

    def shard_folder(self, number: int) -> Path:
        """Return the folder (not made yet) in which a worker writes this build's shard."""
        ...

    def take_in(
        self, shard: Shard, dropped: Sequence[range], deletions: Sequence[str] = ()
    ) -> None:
        """Commit a shard, less its documents in dropped, and delete the letters named."""
        ...

    def merge(self, policy: MergePolicy) -> Merged:
        """Merge the segments the policy chooses, one commit a merge, until it chooses none."""
        ...

    def tidy(self) -> None:
        """Remove what killed builds left behind (the caller holds the build lock)."""
        ...

    def prepare_search(self) -> None:
        """Save the read side's arrays of the committed generation beside the index."""
        ...


def open_index(
    directory: Path, *, create: bool, child_setup: ChildSetup | None = None
) -> WritableIndex:
    """Open (or, with create, make) the index in directory, refusing another schema.

    Raises NoIndex, SchemaMismatch or IndexUnusable. child_setup runs first in any process
    the index's writers fork.
    """
    from indexer.engine.whoosh.index_writer import open_writable

    return open_writable(directory, create=create, child_setup=child_setup)


def open_shard(folder: Path, child_setup: ChildSetup | None = None) -> ShardWriter:
    """Make folder and open a writer of a shard in it (in a worker process)."""
    from indexer.engine.whoosh.shards import open_shard_writer

    return open_shard_writer(folder, child_setup)


def prepares_ahead() -> bool:
    """Tell whether documents made in parse workers (prepare) spare the writer work.

    Only then do worker processes pay: parse workers prepare, or shard workers write.
    """
    from indexer.engine.whoosh.index_writer import prepares_ahead as whoosh_prepares_ahead

    return whoosh_prepares_ahead()


def prepare(letter: Letter) -> Prepared:
    """Make a letter's documents for a LetterWriter, in the process that parsed it."""
    from indexer.engine.whoosh.index_writer import prepare as whoosh_prepare

    return whoosh_prepare(letter)


def index_generation(directory: Path) -> int:
    """Return the latest committed generation in directory, or -1 when there is no index."""
    from indexer.engine.whoosh.files import latest_generation

    return latest_generation(directory)


def schema_matches(directory: Path) -> bool:
    """Tell whether the index in directory opens and has the schema the engine writes."""
    try:
        open_index(directory, create=False)
    except IndexUnusable:
        return False
    return True


def usable_cpus() -> int:
    """Return the CPUs this process may run on (the engine's writers split work by it)."""
    from indexer.engine.whoosh.writer import usable_cpus as whoosh_cpus

    return whoosh_cpus()
