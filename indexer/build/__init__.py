"""build_index(sources, index_dir) -> BuildReport: plan, manifest, lock, shards, report."""

from indexer.build.errors import BuildError, SchemaChanged
from indexer.build.lock import LOCK_FILE, BuildLocked, build_lock
from indexer.build.manifest import letter_files
from indexer.build.report import BuildReport, Duplicate, IndexStats, index_stats
from indexer.build.run import CHUNK_LETTERS, MAX_DEFAULT_PROCS, Progress, build_index, default_procs

__all__ = [
    "CHUNK_LETTERS",
    "LOCK_FILE",
    "MAX_DEFAULT_PROCS",
    "BuildError",
    "BuildLocked",
    "BuildReport",
    "Duplicate",
    "IndexStats",
    "Progress",
    "SchemaChanged",
    "build_index",
    "build_lock",
    "default_procs",
    "index_stats",
    "letter_files",
]
