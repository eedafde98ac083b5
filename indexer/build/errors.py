"""Why a build cannot run: the errors the CLI turns into exit codes, and the engine's into them."""

from __future__ import annotations

from pathlib import Path

from indexer.engine.writing import (
    ChildSetup,
    IndexUnusable,
    NoIndex,
    SchemaMismatch,
    WritableIndex,
    open_index,
)


class BuildError(Exception):
    """The build could not run: the index directory is unusable or a source is missing."""


class SchemaChanged(BuildError):
    """The index was written with another schema (an earlier version): rebuild it."""


def open_for_build(
    index_dir: Path, *, create: bool, child_setup: ChildSetup | None = None
) -> WritableIndex:
    """Open (or create) the index in index_dir, as a BuildError when it cannot be used."""
    try:
        return open_index(index_dir, create=create, child_setup=child_setup)
    except NoIndex:
        raise BuildError(f"no index in {index_dir}; build one with: imr-index build") from None
    except SchemaMismatch as exc:
        raise SchemaChanged(
            f"the index in {index_dir} was built with a different schema (an earlier "
            "version); build into a new directory or remove this one and build again"
        ) from exc
    except IndexUnusable as exc:
        raise BuildError(str(exc)) from exc
