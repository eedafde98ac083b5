"""A generation's arrays (live mask, date keys, facet tables), kept in a file beside the index.

Computing them reads every facet's postings, which grows with the index; reading them back
is one file. The file is named after the generation it was
computed from (TOC number, digest of the segments) and carries that key inside, so a file of
another generation is never used, and a damaged one (zip CRC, shapes, ranges) is ignored and
rebuilt. Writing is best effort and atomic: a temporary file renamed into place, nothing at
all when the directory is read-only.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import tempfile
import time
import zlib
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from indexer.engine.facets import PAIR_TYPE, BoolArray, FacetTable
from indexer.engine.whoosh.facets import build_table, date_keys, live_mask
from indexer.engine.whoosh.files import toc_name
from indexer.fields import FACETS

LOG = logging.getLogger(__name__)
# Bump when what the arrays hold or how they are computed changes: older files are ignored.
FORMAT = 1
DATE_FIELD = "decision_date"
# Tables beyond the facets: the statistics count citations too.
EXTRA_TABLES = ("citation",)
SIDECAR_RE = re.compile(r"^arrays-(-?\d+)-[0-9a-f]{16}\.npz$")
PARTIAL_PREFIX = ".arrays-"
PARTIAL_SUFFIX = ".partial"
PARTIAL_MAX_AGE = 3600.0  # seconds before a partial file left by a killed process is removed

DateArray = npt.NDArray[np.uint64]


@dataclass(frozen=True, slots=True)
class GenerationKey:
    """What identifies a committed generation: its TOC number and its segments' states."""

    number: int
    text: str

    @property
    def filename(self) -> str:
        digest = hashlib.sha256(self.text.encode("utf-8")).hexdigest()[:16]
        return f"arrays-{self.number}-{digest}.npz"


@dataclass(frozen=True, slots=True)
class Arrays:
    """Per-generation arrays: shared by every request of the generation, read only."""

    size: int
    live: BoolArray
    decided: DateArray
    tables: dict[str, FacetTable]  # every facet in FACETS and every name in EXTRA_TABLES


def generation_key(reader: Any) -> GenerationKey:
    """Key the generation a reader reads: TOC number, segment ids, sizes and deletions."""
    number = reader.generation()
    number = -1 if number is None else int(number)
    parts = [f"format={FORMAT}", f"generation={number}", "tables=" + ",".join(_table_names())]
    for leaf, offset in reader.leaf_readers():
        segment = leaf.segment()
        if segment is None:  # the reader of an index without segments
            continue
        deleted = sorted(segment.deleted_docs()) if leaf.has_deletions() else []
        crc = zlib.crc32(np.asarray(deleted, dtype=np.int64).tobytes())
        parts.append(
            f"{segment.segment_id()}@{offset}:{leaf.doc_count_all()}-{len(deleted)}/{crc:08x}"
        )
    return GenerationKey(number, "|".join(parts))


def _table_names() -> tuple[str, ...]:
    return (*FACETS, *EXTRA_TABLES)


def compute_arrays(reader: Any) -> Arrays:
    """Read the arrays of a generation from its index reader."""
    size = reader.doc_count_all()
    live = live_mask(reader)
    tables = {name: build_table(reader, name, live) for name in _table_names()}
    return Arrays(size, live, date_keys(reader, DATE_FIELD, size), tables)


def load_arrays(directory: Path, key: GenerationKey, size: int) -> Arrays | None:
    """Return the arrays saved for exactly this generation, or None (missing or unusable)."""
    path = directory / key.filename
    try:
        # Opened here, not by np.load, which leaks the file when it is no zip at all.
        with path.open("rb") as handle, np.load(handle, allow_pickle=False) as data:
            return _checked(data, key, size)
    except FileNotFoundError:
        return None
    except Exception as error:  # noqa: BLE001 - any damage means: compute them again
        LOG.warning("ignoring %s: %s", path, error)
        return None


def _checked(data: Any, key: GenerationKey, size: int) -> Arrays:
    meta = json.loads(bytes(data["meta"]).decode("utf-8"))
    if meta.get("format") != FORMAT or meta.get("key") != key.text or meta.get("size") != size:
        raise ValueError("written for another generation")
    live = _array(data, "live", np.bool_, size)
    decided = _array(data, "decided", np.uint64, size)
    tables: dict[str, FacetTable] = {}
    for name in _table_names():
        values = tuple(str(v) for v in meta["tables"][name])
        docs = _array(data, f"docs.{name}", PAIR_TYPE)
        ordinals = _array(data, f"values.{name}", PAIR_TYPE, len(docs))
        if len(docs) and (docs.min() < 0 or docs.max() >= size):
            raise ValueError(f"{name}: document number out of range")
        if len(ordinals) and (ordinals.min() < 0 or ordinals.max() >= len(values)):
            raise ValueError(f"{name}: value ordinal out of range")
        ordinal_map = {value: i for i, value in enumerate(values)}
        tables[name] = FacetTable(name, values, ordinal_map, docs, ordinals)
    return Arrays(size, live, decided, tables)


def _array(data: Any, name: str, dtype: Any, length: int | None = None) -> Any:
    stored = data[name]  # reading a member to its end checks its CRC
    if stored.ndim != 1 or (length is not None and len(stored) != length):
        raise ValueError(f"{name}: wrong shape {stored.shape}")
    if dtype is np.bool_ and stored.dtype != np.bool_:
        raise ValueError(f"{name}: wrong type {stored.dtype}")
    if not np.can_cast(stored.dtype, dtype, casting="safe"):
        raise ValueError(f"{name}: wrong type {stored.dtype}")
    out = stored.astype(dtype, copy=False)
    out.flags.writeable = False  # shared by every request of this generation
    return out


def save_arrays(directory: Path, key: GenerationKey, arrays: Arrays) -> Path | None:
    """Write the arrays for key atomically; return the file, or None when it cannot be written.

    Files of older generations are removed afterwards (a process still serving one has read
    its file whole already).
    """
    meta = {
        "format": FORMAT,
        "key": key.text,
        "size": arrays.size,
        "tables": {name: list(table.values) for name, table in arrays.tables.items()},
    }
    members: dict[str, Any] = {
        "meta": np.frombuffer(json.dumps(meta).encode("utf-8"), dtype=np.uint8),
        "live": arrays.live,
        "decided": arrays.decided,
    }
    for name, table in arrays.tables.items():
        members[f"docs.{name}"] = table.pair_docs
        members[f"values.{name}"] = table.pair_values
    target = directory / key.filename
    partial: str | None = None
    try:
        handle, partial = tempfile.mkstemp(
            prefix=PARTIAL_PREFIX, suffix=PARTIAL_SUFFIX, dir=directory
        )
        with os.fdopen(handle, "wb") as out:
            np.savez(out, **members)
        os.chmod(partial, 0o644)
        os.replace(partial, target)
        partial = None
    except Exception as error:  # noqa: BLE001 - a cache that cannot be written is no error
        LOG.info("arrays of %s not saved (kept in memory only): %s", directory, error)
        return None
    finally:
        if partial is not None:
            with suppress(OSError):
                os.unlink(partial)
    remove_stale(directory, key)
    return target


def remove_stale(directory: Path, key: GenerationKey) -> None:
    """Remove sidecars of generations before key (or whose TOC is gone) and old partials."""
    try:
        names = os.listdir(directory)
    except OSError:
        return
    now = time.time()
    for name in names:
        path = directory / name
        match = SIDECAR_RE.match(name)
        if match:
            number = int(match[1])
            newer = number > key.number and (directory / toc_name(number)).exists()
            if name != key.filename and not newer:
                with suppress(OSError):
                    path.unlink()
        elif name.startswith(PARTIAL_PREFIX) and name.endswith(PARTIAL_SUFFIX):
            with suppress(OSError):
                if now - path.stat().st_mtime > PARTIAL_MAX_AGE:
                    path.unlink()


def read_arrays(reader: Any, directory: Path) -> Arrays:
    """Return the reader's generation arrays: from the sidecar, or computed and then saved."""
    key = generation_key(reader)
    size = reader.doc_count_all()
    found = load_arrays(directory, key, size)
    if found is not None:
        return found
    arrays = compute_arrays(reader)
    for array in (arrays.live, arrays.decided):
        array.flags.writeable = False
    save_arrays(directory, key, arrays)
    return arrays
