"""Make a scale proxy: an index whose segments are copies of a built index's segments.

    .venv/bin/python bench/replicate.py --source bench/out/index-60000-s1 --times 10 --out DIR

Building a million synthetic decisions takes over two hours on the 2-core benchmark machine,
longer than a working session. Query cost grows with the number of postings to read, score and
count, so N copies of a built index's segments give the query path N times the postings of the
same shape (every term's document frequency and every facet count times N, idf unchanged).
What that does not reproduce: a larger vocabulary of rare words, and one merged segment (the
copies stay separate segments, as after an incremental run). Every segment file is copied, not
linked, so the page cache holds N times the bytes, as it would for a real index of that size.
The result says in its own folder (REPLICATED.txt) that it is a proxy; never serve it as data.
"""

from __future__ import annotations

import argparse
import copy
import shutil
import sys
import time
from pathlib import Path

from whoosh.filedb.compound import CompoundStorage
from whoosh.filedb.filestore import FileStorage
from whoosh.filedb.structfile import StructFile
from whoosh.index import TOC

from indexer.engine.whoosh.files import INDEX_NAME

MARKER = "REPLICATED.txt"


def replicate(source: Path, times: int, out: Path) -> tuple[int, int]:
    """Write out as an index of times copies of source's segments; return (segments, docs)."""
    if out.exists():
        raise SystemExit(f"{out} exists: choose a new folder")
    toc = TOC.read(FileStorage(str(source)), INDEX_NAME)
    if any(not segment.is_compound() for segment in toc.segments):
        raise SystemExit(f"{source} has segments of several files: optimize it first")
    out.mkdir(parents=True)
    segments = []
    for _ in range(times):
        for segment in toc.segments:
            twin = copy.deepcopy(segment)  # its own set of deleted documents
            twin.segid = twin._random_id()
            name = f"{INDEX_NAME}_{segment.segid}.seg"
            target = out / f"{INDEX_NAME}_{twin.segid}.seg"
            shutil.copyfile(source / name, target)
            _rename_inside(target, segment.segid, twin.segid)
            segments.append(twin)
    TOC(toc.schema, segments, toc.generation + 1).write(FileStorage(str(out)), INDEX_NAME)
    docs = sum(segment.doc_count_all() for segment in segments)
    (out / MARKER).write_text(
        f"A benchmark proxy: {times} copies of the segments of {source.resolve()}.\n"
        f"Every document appears {times} times. Not an index of real or distinct letters.\n",
        encoding="utf-8",
    )
    return len(segments), docs


def _rename_inside(path: Path, old: str, new: str) -> None:
    """Rename the files inside a compound segment file (their names carry the segment id)."""
    with open(path, "r+b") as raw:
        dbfile = StructFile(raw)
        dirpos = dbfile.read_long()
        dbfile.seek(dirpos)
        directory = dbfile.read_pickle()
        options = dbfile.read_pickle()
        renamed = {name.replace(old, new, 1): info for name, info in directory.items()}
        dbfile.seek(dirpos)
        raw.truncate()
        CompoundStorage.write_dir(dbfile, 0, renamed, options)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", type=Path, required=True, help="a built index folder")
    parser.add_argument("--times", type=int, required=True, help="how many copies")
    parser.add_argument("--out", type=Path, required=True, help="a new folder")
    args = parser.parse_args(argv)
    if args.times < 1:
        parser.error("--times must be at least 1")
    started = time.perf_counter()
    count, docs = replicate(args.source, args.times, args.out)
    seconds = time.perf_counter() - started
    print(f"{args.out}: {count} segments, {docs:,} documents, copied in {seconds:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
