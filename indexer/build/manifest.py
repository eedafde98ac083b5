"""What is indexed and what changed: the letters file, file digests, and the plan of a build.

The letters file (LETTERS_FILE) records what the index holds, letter id -> (source, digest),
as of one generation. It is written at the end of a build because reading it back is much
faster than every letter's stored fields. Any commit makes a new generation, so a file of
another one is ignored, and one whose count disagrees with the index is not trusted.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from indexer.build.errors import BuildError
from indexer.engine.writing import IndexedLetter, WritableIndex
from indexer.read.parse import iter_letter_files

LETTERS_FILE = "letters-{}.json"
LETTERS_RE = re.compile(r"^letters-[0-9]+\.json(\.tmp[0-9]+)?$")


class FileToIndex(NamedTuple):
    """A letter file that is new or changed since the last build."""

    position: int  # in the build's order of files: of two with one letter id, the later wins
    path: Path
    digest: str


@dataclass(slots=True)
class Plan:
    """What a build has to do with its files."""

    todo: list[FileToIndex] = field(default_factory=list)
    kept: dict[str, tuple[int, Path]] = field(default_factory=dict)  # unchanged: id -> position
    unreadable: list[tuple[Path, str]] = field(default_factory=list)


def letter_files(paths: Iterable[Path]) -> list[Path]:
    """Return the letter files under paths, each once, in the order a build reads them."""
    return list(dict.fromkeys(Path(os.path.abspath(p)) for p in iter_letter_files(paths)))


def find_files(sources: Sequence[Path]) -> list[Path]:
    """Return the letter files under sources, refusing a missing source or none at all."""
    missing = [str(p) for p in sources if not Path(p).exists()]
    if missing:
        raise BuildError(f"no such file or directory: {', '.join(missing)}")
    files = letter_files(sources)
    if not files:
        names = ", ".join(str(p) for p in sources)
        raise BuildError(f"no .pdf or .txt letters found under {names}")
    return files


def file_digest(path: Path) -> str:
    """Return the sha256 of a file's bytes, the key for what changed since the last build.

    A letter is read whole: hashlib.file_digest fills a fresh 256 KB buffer for every file,
    which made hashing many small letters much slower.
    """
    with path.open("rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()


def plan(files: Sequence[Path], by_source: dict[str, IndexedLetter]) -> Plan:
    """Hash every file; sort them into new or changed (todo) and unchanged (kept)."""
    found = Plan()
    for position, path in enumerate(files):
        try:
            digest = file_digest(path)
        except OSError as exc:
            found.unreadable.append((path, f"cannot read: {exc.strerror or exc}"))
            continue
        known = by_source.get(str(path))
        if known and known.content_hash == digest:
            found.kept[known.letter_id] = (position, path)
        else:
            found.todo.append(FileToIndex(position, path, digest))
    return found


def read_indexed(index: WritableIndex) -> dict[str, IndexedLetter]:
    """Return letter id -> its record for every letter in the index, from the letters file
    when it is of the committed generation and agrees with the index's count."""
    generation = index.generation()
    if generation >= 0:
        saved = load_letters(index.directory / LETTERS_FILE.format(generation))
        if saved is not None and len(saved) == index.counts().letters:
            return saved
    return index.stored_letters()


def load_letters(path: Path) -> dict[str, IndexedLetter] | None:
    """Read a letters file, or None when it is missing or damaged."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {
            k: IndexedLetter(k, str(source), str(digest)) for k, (source, digest) in data.items()
        }
    except (OSError, ValueError, TypeError, AttributeError):
        return None


def save_letters(index_dir: Path, generation: int, letters: dict[str, IndexedLetter]) -> None:
    """Write LETTERS_FILE for generation (atomically) and remove those of other generations."""
    path = index_dir / LETTERS_FILE.format(generation)
    data = {k: [rec.source, rec.content_hash] for k, rec in sorted(letters.items())}
    partial = path.with_name(f"{path.name}.tmp{os.getpid()}")
    try:
        partial.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        os.replace(partial, path)
    except OSError:  # only a shortcut for the next build: it reads the index instead
        partial.unlink(missing_ok=True)
        return
    for name in os.listdir(index_dir):
        if LETTERS_RE.match(name) and name != path.name:
            (index_dir / name).unlink(missing_ok=True)
