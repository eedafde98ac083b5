"""The names of the files Whoosh keeps in an index directory, parsed in this one place.

A commit writes its segments under fresh names, then writes the table of contents to a
temporary file (`_MAIN_<gen>.toc.<suffix>`) and renames it to `_MAIN_<gen>.toc`. A reader
opens the highest generation, so until that rename it sees the previous commit, and a build
killed at any moment leaves the last committed generation intact.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

INDEX_NAME = "MAIN"  # Whoosh's name for the one index a directory holds
TOC_RE = re.compile(rf"^_{INDEX_NAME}_([0-9]+)\.toc$")
TEMP_TOC_RE = re.compile(rf"^_{INDEX_NAME}_[0-9]+\.toc\.[0-9.]+$")  # a commit cut short
# A shard worker's private index, inside the index directory (the same disk, so its segment
# is moved in by a rename).
SHARD_DIR = "shard-{}-{}"  # process id, shard number
SHARD_RE = re.compile(r"^shard-[0-9]+-[0-9]+$")


def toc_name(generation: int) -> str:
    """Return the name of a generation's table of contents."""
    return f"_{INDEX_NAME}_{generation}.toc"


def toc_generation(name: str) -> int | None:
    """Return the generation whose table of contents a file name is, or None."""
    match = TOC_RE.match(name)
    return int(match[1]) if match else None


def is_toc(name: str) -> bool:
    """Tell whether a file name is a committed table of contents."""
    return TOC_RE.match(name) is not None


def latest_generation(directory: Path) -> int:
    """Return the latest committed generation in directory, or -1 when there is no index."""
    try:
        names = os.listdir(directory)
    except OSError:
        return -1
    generations = [g for g in map(toc_generation, names) if g is not None]
    return max(generations, default=-1)
