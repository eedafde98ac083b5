"""imr-index: parse letters, build the index, show its counts, generate synthetic letters."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from indexer.build import BuildReport

EXIT_OK = 0
EXIT_FAILED_FILES = 1
EXIT_USAGE = 2  # bad arguments, or the build could not run at all
EXIT_SCHEMA = 3  # the index was built with another schema: rebuild it
Progress = Callable[[int, int], None]  # (letters done, letters in all)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="imr-index", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    parse = commands.add_parser("parse", help="print each letter as one JSON line")
    parse.add_argument("paths", nargs="+", type=Path, metavar="PATH")

    build = commands.add_parser("build", help="index new and changed letters")
    build.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    build.add_argument("--index", required=True, type=Path, metavar="DIR")
    build.add_argument("--prune", action="store_true", help="remove letters whose file is gone")
    build.add_argument(
        "--procs",
        type=_positive,
        default=None,
        metavar="N",
        help="processes (default: the CPUs, at most 8)",
    )
    build.add_argument("--quiet", action="store_true", help="no progress bar")
    build.add_argument("--chunk", type=_positive, default=None, metavar="N", help="letters/commit")

    stats = commands.add_parser("stats", help="count letters, decisions and facet values")
    stats.add_argument("--index", required=True, type=Path, metavar="DIR")
    stats.add_argument("--json", action="store_true", help="print one JSON object")

    generate = commands.add_parser("generate", help="write a synthetic corpus for tests")
    generate.add_argument("--letters", required=True, type=_positive, metavar="N")
    generate.add_argument("--seed", type=int, default=0, metavar="S")
    generate.add_argument("--out", required=True, type=Path, metavar="DIR")
    generate.add_argument("--pdf", type=_count, default=0, metavar="N", help="how many as PDF")
    generate.add_argument("--quiet", action="store_true", help="no progress bar")
    return parser


def _positive(text: str) -> int:
    value = _count(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {text!r}")
    return value


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 0, got {text!r}")
    return value


def _missing(paths: Sequence[Path]) -> list[Path]:
    return [p for p in paths if not p.exists()]


def run_parse(paths: Sequence[Path], out: TextIO, err: TextIO) -> int:
    """Print one JSON line per letter; report each unreadable file on err."""
    from indexer.letter import UnreadableLetter
    from indexer.read.parse import iter_letter_files, parse_file

    failed = 0
    for path in iter_letter_files(paths):
        try:
            letter = parse_file(path)
        except UnreadableLetter as exc:
            print(f"{path}: {exc.reason}", file=err)
            failed += 1
            continue
        except Exception as exc:  # one file's parser bug must not hide the others
            print(f"{path}: parser error: {type(exc).__name__}: {exc}", file=err)
            failed += 1
            continue
        print(json.dumps(letter.to_json(), ensure_ascii=False), file=out)
    return EXIT_FAILED_FILES if failed else EXIT_OK


@contextmanager
def progress_bar(stream: TextIO, quiet: bool, what: str) -> Iterator[Progress | None]:
    """Yield a (done, total) callback that draws a tqdm bar with rate and time left on stream.

    None in a pipe or with --quiet, so logs and captured output get only the summary line.
    """
    if quiet or not stream.isatty():
        yield None
        return
    from tqdm import tqdm

    bars: list[Any] = []  # drawn at the first call: a build that fails at once draws none

    def update(done: int, total: int) -> None:
        if not bars:
            bars.append(
                tqdm(total=total, file=stream, desc=what, unit=" letters", dynamic_ncols=True)
            )
        bar = bars[0]
        if bar.total != total:
            bar.total = total
            bar.refresh()
        bar.update(done - bar.n)

    try:
        yield update
    finally:
        for bar in bars:
            bar.close()


def summary_line(report: BuildReport) -> str:
    """Return the one-line account of a build."""
    rate = report.decisions / report.seconds if report.seconds > 0 else 0.0
    merged = ""
    if report.merged:
        merged = f" ({report.merged} segments merged in {report.merge_seconds:.1f} s)"
    return (
        f"letters: {report.added} added, {report.updated} updated, "
        f"{report.unchanged} unchanged, {report.removed} removed, {len(report.failed)} failed; "
        f"{report.decisions} decisions in {report.seconds:.1f} s ({rate:.1f} decisions/s){merged}; "
        f"index now {report.letters_total} letters, {report.decisions_total} decisions"
    )


def run_build(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Build or update the index and print what happened."""
    from indexer.build import (
        CHUNK_LETTERS,
        BuildError,
        SchemaChanged,
        build_index,
        default_procs,
    )

    try:
        with progress_bar(err, args.quiet, "indexing") as progress:
            report = build_index(
                args.paths,
                args.index,
                prune=args.prune,
                procs=args.procs or default_procs(),
                progress=progress,
                chunk_letters=args.chunk or CHUNK_LETTERS,
            )
    except SchemaChanged as exc:
        print(f"imr-index: {exc}", file=err)
        return EXIT_SCHEMA
    except BuildError as exc:
        print(f"imr-index: {exc}", file=err)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("\nimr-index: interrupted; the index keeps its last commit", file=err)
        return 130
    print(summary_line(report), file=out)
    for dup in report.duplicates:
        print(f"duplicate {dup.letter_id}: kept {dup.kept}, ignored {dup.dropped}", file=out)
    for path, reason in report.failed:
        print(f"failed {path}: {reason}", file=out)
    return EXIT_FAILED_FILES if report.failed else EXIT_OK


def run_stats(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Print the counts of an index, as a table or as JSON."""
    from indexer.build import BuildError, index_stats

    try:
        stats = index_stats(args.index)
    except BuildError as exc:
        print(f"imr-index: {exc}", file=err)
        return EXIT_USAGE
    if args.json:
        print(json.dumps(stats.to_json(), ensure_ascii=False), file=out)
        return EXIT_OK
    print(f"{'letters':<12}{stats.letters:>8}", file=out)
    print(f"{'decisions':<12}{stats.decisions:>8}", file=out)
    for facet, counts in stats.facets.items():
        print(f"\n{facet}", file=out)
        width = max((len(v) for v in counts), default=0)
        for value, count in counts.items():
            print(f"  {value:<{width}}  {count:>7}", file=out)
        if not counts:
            print("  (no values)", file=out)
    return EXIT_OK


def run_generate(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Write a synthetic corpus (imported here: the generator is not needed to index)."""
    from indexer.synthetic.corpus import generate_corpus

    if args.pdf > args.letters:
        print(f"imr-index: --pdf {args.pdf} is more than --letters {args.letters}", file=err)
        return EXIT_USAGE
    try:
        with progress_bar(err, args.quiet, "generating") as progress:
            written = generate_corpus(args.out, args.letters, args.seed, args.pdf, progress)
    except (OSError, ValueError) as exc:
        print(f"imr-index: cannot generate into {args.out}: {exc}", file=err)
        return EXIT_USAGE
    print(f"wrote {written} files to {args.out}", file=out)
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """Run imr-index with argv (default: the command line) and return the exit status."""
    args = _parser().parse_args(argv)
    out, err = sys.stdout, sys.stderr
    paths: list[Path] = getattr(args, "paths", [])
    missing = _missing(paths)
    if missing:
        for path in missing:
            print(f"imr-index: no such file or directory: {path}", file=err)
        return EXIT_USAGE
    if args.command == "parse":
        return run_parse(paths, out, err)
    if args.command == "build":
        return run_build(args, out, err)
    if args.command == "stats":
        return run_stats(args, out, err)
    return run_generate(args, out, err)


if __name__ == "__main__":
    raise SystemExit(main())
