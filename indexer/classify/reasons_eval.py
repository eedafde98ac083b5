"""Measure the reasons classifier against hand labels: python -m indexer.classify.reasons_eval.

The labels file has one JSON object a line: {"id": case number or file stem, "index": item
position from 0, "reasons": [...]}. Every labelled item is matched to the item the parser
finds at that position of that letter; a labelled item the parser does not find counts as
missed (all its labels are false negatives), so a parsing regression shows up here too.

Nothing is learned from the labels, so there is nothing to cross-validate; but the rules of
indexer.classify.reason_cues were written with the dev labels in view, so on them this is a
fit, not an estimate for unseen letters, and the report says so.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from indexer.classify.reasons import classify_reasons
from indexer.letter import Decision
from indexer.read.parse import iter_letter_files, parse_file

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus"
DEFAULT_LABELS = ROOT.parent / "shared" / "reasons-dev.jsonl"
CORPUS_ENV = "IMR_TEST_CORPUS"
LABELS_ENV = "IMR_REASON_LABELS"

TIMING_PASSES = 3
ItemKey = tuple[str, int]  # (case number or file stem, item index)


@dataclass(frozen=True, slots=True)
class LabelScore:
    """Counts and scores of one label."""

    label: str
    support: int  # items the readers gave this label
    true_positives: int
    predicted: int

    @property
    def precision(self) -> float:
        return self.true_positives / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.true_positives / self.support if self.support else 0.0

    @property
    def f1(self) -> float:
        return _f1(self.true_positives, self.predicted, self.support)


@dataclass(frozen=True, slots=True)
class Evaluation:
    """Per-label scores over the matched items, with micro and macro F1."""

    items: int
    missing: tuple[ItemKey, ...]  # labelled items the parser did not find
    labels: tuple[LabelScore, ...]
    exact: int = 0  # items whose label set equals the readers'
    first: int = 0  # items whose first label equals the readers' first
    seconds_per_item: float = field(default=0.0, compare=False)

    @property
    def micro_f1(self) -> float:
        tp = sum(s.true_positives for s in self.labels)
        return _f1(tp, sum(s.predicted for s in self.labels), sum(s.support for s in self.labels))

    @property
    def macro_f1(self) -> float:
        scores = [s.f1 for s in self.labels]
        return sum(scores) / len(scores) if scores else 0.0


def _f1(true_positives: int, predicted: int, support: int) -> float:
    total = predicted + support
    return 2 * true_positives / total if total else 0.0


def read_labels(path: Path) -> dict[ItemKey, tuple[str, ...]]:
    """Read the labels file: (id, index) -> the readers' reasons, in their order."""
    labels: dict[ItemKey, tuple[str, ...]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            labels[(str(row["id"]), int(row["index"]))] = tuple(row["reasons"])
    return labels


def corpus_decisions(corpus: Path) -> dict[ItemKey, Decision]:
    """Parse every letter of a corpus folder: (case number or file stem, index) -> item."""
    decisions: dict[ItemKey, Decision] = {}
    for path in iter_letter_files([corpus]):
        letter = parse_file(path)
        key = letter.case_number or path.stem
        for index, decision in enumerate(letter.decisions):
            decisions[(key, index)] = decision
    return decisions


def evaluate(
    decisions: Mapping[ItemKey, Decision], gold: Mapping[ItemKey, Sequence[str]]
) -> Evaluation:
    """Score classify_reasons on the labelled items (the parser's items that have labels)."""
    items = [(key, decisions[key]) for key in gold if key in decisions]
    predicted: dict[ItemKey, tuple[str, ...]] = {}
    elapsed = float("inf")
    for _ in range(TIMING_PASSES):  # the fastest pass: the others met a busy machine
        started = time.perf_counter()
        for key, d in items:
            predicted[key] = classify_reasons(d.outcome, d.treatment, d.rationale)
        elapsed = min(elapsed, time.perf_counter() - started)
    names = sorted({label for labels in (*gold.values(), *predicted.values()) for label in labels})
    scores = tuple(_score(name, gold, predicted) for name in names)
    return Evaluation(
        items=len(predicted),
        missing=tuple(key for key in gold if key not in decisions),
        labels=scores,
        exact=sum(set(predicted[k]) == set(gold[k]) for k in predicted),
        first=sum(predicted[k][:1] == tuple(gold[k][:1]) for k in predicted),
        seconds_per_item=elapsed / len(predicted) if predicted else 0.0,
    )


def _score(
    label: str, gold: Mapping[ItemKey, Sequence[str]], predicted: Mapping[ItemKey, Sequence[str]]
) -> LabelScore:
    return LabelScore(
        label=label,
        support=sum(label in labels for labels in gold.values()),
        true_positives=sum(label in labels and label in gold[k] for k, labels in predicted.items()),
        predicted=sum(label in labels for labels in predicted.values()),
    )


def format_report(evaluation: Evaluation) -> str:
    """Return the scores as text: summary lines, then a Markdown table per label."""
    lines = [
        f"items: {evaluation.items} matched, {len(evaluation.missing)} labelled but not found",
        f"micro-F1: {evaluation.micro_f1:.3f}",
        f"macro-F1: {evaluation.macro_f1:.3f}",
        f"exact label set: {evaluation.exact}/{evaluation.items}; "
        f"same first label: {evaluation.first}/{evaluation.items}",
        f"classify_reasons: {evaluation.seconds_per_item * 1e6:.0f} µs per item",
        "",
        "| Reason | Support | Precision | Recall | F1 |",
        "|---|---:|---:|---:|---:|",
    ]
    for s in sorted(evaluation.labels, key=lambda s: (-s.support, s.label)):
        lines.append(
            f"| {s.label} | {s.support} | {s.precision:.2f} | {s.recall:.2f} | {s.f1:.2f} |"
        )
    return "\n".join(lines)


NOTE = (
    "note: the rules were written reading the dev labels; on them this is a fit, not an"
    " estimate for unseen letters"
)


def _default_path(env: str, default: Path) -> Path:
    return Path(os.environ.get(env, default))


def main(argv: Iterable[str] | None = None) -> int:
    """Parse the corpus, classify its labelled items and print the scores."""
    parser = argparse.ArgumentParser(prog="python -m indexer.classify.reasons_eval")
    parser.add_argument("--corpus", type=Path, default=_default_path(CORPUS_ENV, DEFAULT_CORPUS))
    parser.add_argument("--labels", type=Path, default=_default_path(LABELS_ENV, DEFAULT_LABELS))
    args = parser.parse_args(list(argv) if argv is not None else None)
    for path in (args.corpus, args.labels):
        if not path.exists():
            print(f"not found: {path}", file=sys.stderr)
            return 2
    evaluation = evaluate(corpus_decisions(args.corpus), read_labels(args.labels))
    print(format_report(evaluation))
    if args.labels.resolve() == DEFAULT_LABELS.resolve():
        print(f"\n{NOTE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
