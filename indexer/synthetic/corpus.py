"""Synthetic IMR letters for tests and benchmarks, written from templates in our own words.

Every letter starts with SYNTHETIC_MARKER and the output folder gets a SYNTHETIC-CORPUS.marker file,
so generated letters can never pass for real ones; the generator refuses to write into a
folder that already holds letters without that marker. Letter i depends only on (seed, i),
so the same seed always gives the same bytes, and any letter can be rebuilt on its own.
"""

from __future__ import annotations

import random
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path
from typing import TypeVar

from indexer.letter import Layout, Outcome
from indexer.synthetic.marker import MARKER_FILE, SYNTHETIC_MARKER
from indexer.synthetic.pdf import text_pdf
from indexer.synthetic.reasons import pick_reasons
from indexer.synthetic.text import Patient, rationale_text, summary_text
from indexer.synthetic.vocab import (
    DECISION_COUNT_WEIGHTS,
    FAMILY_OF_KIND,
    KINDS,
    LAYOUT_WEIGHTS,
    LEVELS,
    OTHER_SOURCES,
    SITES,
    SPECIALTIES,
    SPECIALTY_ALIASES,
    STATES,
    Kind,
    Site,
    Spec,
)

BATCH_SIZE = 1000
MAX_LETTERS = 2_000_000  # case numbers CMyy-8nnnnnn / 9nnnnnn stay unique up to here
UPHELD_SHARE = 0.9
T = TypeVar("T")
CURRENT_DATES = (date(2015, 7, 1), date(2025, 12, 31))
OLDER_DATES = (date(2014, 1, 1), date(2015, 12, 31))
EARLY_DATES = (date(2013, 6, 1), date(2014, 12, 31))
NO_EVIDENCE = "The Claims Administrator did not cite any medical evidence for its decision."
HOW_MADE = (
    "An independent reviewer with no ties to the employer, the injured worker, the treating "
    "providers or the claims administrator examined the full case file. The reviewer has "
    "practiced clinically for more than five years, still sees patients at least 24 hours a "
    "week, and was chosen for training and experience in a specialty that treats the condition "
    "and the disputed items. The reviewer knows the laws and rules that govern Independent "
    "Medical Review, including the order of strength of medical evidence.",
    "The case file went to a practicing clinician who is independent of every party to the "
    "dispute. The clinician has more than five years of active practice, works with patients "
    "at least 24 hours each week, and was matched to the case by specialty and experience "
    "with the condition under review. The clinician applied the evidence hierarchy that "
    "California law sets for Independent Medical Review.",
)
SUMMARY_INTROS = (
    "The reviewer prepared this summary after reading the case file and the medical records.",
    "This summary was written by the reviewer from the records in the case file.",
)
DECISIONS_INTRO = "Each disputed item and the reviewer's decision on it are set out below."


class GeneratorError(ValueError):
    """The generator cannot write where, or what, it was asked to."""


@dataclass(frozen=True, slots=True)
class SyntheticItem:
    """What the generator meant one item to say: the answers a parser should find."""

    treatment: str
    outcome: Outcome
    category: str
    subcategory: str
    body_region: str
    guideline_family: str
    reasons: tuple[str, ...]  # TAXONOMY.md section 8, most decisive first


@dataclass(frozen=True, slots=True)
class SyntheticLetter:
    """One generated letter with the fields a parser should recover from its text."""

    index: int
    layout: Layout
    case_number: str | None
    decision_date: date | None
    date_of_injury: date | None
    specialties: tuple[str, ...]
    states: tuple[str, ...]
    age: int | None
    sex: str | None
    items: tuple[SyntheticItem, ...]
    lines: tuple[str, ...]  # the letter's lines as a PDF would show them
    text: str  # the .txt file's content

    @property
    def file_stem(self) -> str:
        """Return the file name without extension, unique within a corpus."""
        return f"syn-{self.index:07d}"


@dataclass(frozen=True, slots=True)
class _Item:
    expected: SyntheticItem
    kind: Kind
    site: Site | None
    claims_line: str
    maximus_line: str
    rationale: str


@dataclass(frozen=True, slots=True)
class _Dates:
    injured: date
    denied: date
    received: date
    assigned: date
    decided: date


def _weighted(rng: random.Random, table: Sequence[tuple[T, int]]) -> T:
    return rng.choices([v for v, _ in table], weights=[w for _, w in table])[0]


def _us(day: date) -> str:
    return f"{day.month:02d}/{day.day:02d}/{day.year}"


def _between(rng: random.Random, span: tuple[date, date]) -> date:
    first, last = span
    return first + timedelta(days=rng.randrange((last - first).days + 1))


def _dates(rng: random.Random, layout: Layout) -> _Dates:
    span = {Layout.CURRENT: CURRENT_DATES, Layout.OLDER: OLDER_DATES}.get(layout, EARLY_DATES)
    decided = _between(rng, span)
    assigned = decided - timedelta(days=rng.randint(10, 40))
    received = assigned - timedelta(days=rng.randint(1, 20))
    denied = received - timedelta(days=rng.randint(0, 30))
    injured = denied - timedelta(days=rng.randint(60, 5000))
    return _Dates(injured, denied, received, assigned, decided)


def case_number(seed: int, index: int, year: int) -> str:
    """Return a CMyy-nnnnnnn number unique per (seed, index) for index < MAX_LETTERS.

    Real case numbers stay far below 8,000,000 within a year, so 8nnnnnn and 9nnnnnn
    cannot collide with them.
    """
    offset = (seed * 7_919) % MAX_LETTERS
    serial = 8_000_000 + (index * 1_234_567 + offset) % MAX_LETTERS
    return f"CM{year % 100:02d}-{serial:07d}"


def _site_for(rng: random.Random, kind: Kind, sites: list[Site]) -> Site | None:
    if not kind.sites:
        return None
    fits = [s for s in sites if kind.sites == "any" or s.spine == (kind.sites == "spine")]
    if fits:
        return rng.choice(fits)
    site = _weighted(rng, [(s, w) for s, w in SITES if s.spine == (kind.sites == "spine")])
    sites.append(site)
    return site


def _heading(rng: random.Random, kind: Kind, site: Site | None) -> str:
    values = {
        "n": rng.randint(2, 3),
        "m": rng.randint(3, 6),
        "k": rng.choice((6, 8, 10, 12, 16, 24, 30)),
        "q": rng.choice((30, 60, 90, 120)),
        "site": site.phrase if site else "",
        "level": rng.choice(LEVELS.get(site.region, ("L4-5",))) if site else "",
        "limbs": (
            "upper extremities" if site and site.region == "Cervical/Neck" else "lower extremities"
        ),
    }
    return rng.choice(kind.headings).format(**values)


def _spec_text(rng: random.Random, spec: Spec, site: Site | None, year: int, early: bool) -> Spec:
    """Return (kind actually used, citation text without 'Decision based on ')."""
    kind, arg = spec
    if kind == "op" and year < 2017:
        kind, arg = "cp", "Opioids"
    if kind == "ps" and site is None:
        kind, arg = "cp", "Physical medicine treatment"
    chapter = arg if arg[-4:].isdigit() else (site.mtus if site else "")
    if kind == "acoem" and not chapter:
        kind, arg = "odg", arg
    if kind == "cp":
        if early and rng.random() < 0.5:
            first = rng.randint(8, 120)
            return (
                kind,
                f"MTUS Chronic Pain Treatment Guidelines {arg} Page(s): {first}-{first + 2}",
            )
        edition = 2016 if year >= 2016 and rng.random() < 0.6 else 2009
        return kind, f"MTUS Chronic Pain Medical Treatment {edition}, Section(s): {arg}"
    if kind == "op":
        return kind, (
            "MTUS Opioid Treatment 2016, Section(s): "
            "4.0 Opioids for Chronic Pain and Chronic Opioid Treatment"
        )
    if kind == "acoem":
        section = "" if arg == chapter else f", Section(s): {arg}"
        return kind, f"MTUS {chapter}{section}"
    if kind == "ps":
        return (
            kind,
            f"MTUS Postsurgical Treatment 2009, Section(s): {site.postsurgical if site else ''}",
        )
    if kind == "acu":
        return kind, "MTUS Acupuncture Treatment 2007"
    if kind == "other":
        return kind, f"Non-MTUS Citation {OTHER_SOURCES[arg]}"
    if arg.startswith("chapter:"):
        odg_chapter, _, topic = arg.removeprefix("chapter:").partition("|")
    else:
        odg_chapter, topic = (site.odg if site else "Pain (Chronic)"), arg
    tail = f", {topic}" if topic else ""
    return "odg", f"Non-MTUS Citation Official Disability Guidelines (ODG) {odg_chapter}{tail}"


def _guideline_lines(
    rng: random.Random, kind: Kind, site: Site | None, year: int, early: bool
) -> tuple[str, str, str]:
    """Return (claims administrator line, MAXIMUS line, family the MAXIMUS line names first)."""
    primary = kind.specs[0] if rng.random() < 0.7 else rng.choice(kind.specs)
    used, citation = _spec_text(rng, primary, site, year, early)
    maximus = f"Decision based on {citation}."
    if used != "odg" and rng.random() < 0.2:
        _, extra = _spec_text(rng, ("odg", kind.topic.capitalize()), site, year, early)
        maximus += f" Decision based on {extra}."
    if rng.random() < 0.1:
        claims = NO_EVIDENCE
    else:
        claims = (
            f"Decision based on {_spec_text(rng, rng.choice(kind.specs), site, year, early)[1]}."
        )
    return claims, maximus, FAMILY_OF_KIND[used]


def _items(rng: random.Random, sites: list[Site], year: int, early: bool) -> list[_Item]:
    count = _weighted(rng, DECISION_COUNT_WEIGHTS)
    items: list[_Item] = []
    seen: set[str] = set()
    for _ in range(count * 4):
        if len(items) == count:
            break
        kind = _weighted(rng, KINDS)
        site = _site_for(rng, kind, sites)
        treatment = _heading(rng, kind, site)
        if treatment.lower() in seen:
            continue
        seen.add(treatment.lower())
        upheld = rng.random() < UPHELD_SHARE
        claims, maximus, family = _guideline_lines(rng, kind, site, year, early)
        reasons = pick_reasons(rng, kind, treatment, upheld)
        expected = SyntheticItem(
            treatment=treatment,
            outcome=Outcome.UPHELD if upheld else Outcome.OVERTURNED,
            category=kind.category,
            subcategory=kind.subcategory,
            body_region=site.region if site else kind.region,
            guideline_family=family,
            reasons=reasons,
        )
        rationale = rationale_text(rng, treatment, kind, upheld, site, reasons)
        items.append(_Item(expected, kind, site, claims, maximus, rationale))
    return items


def _reviewer(rng: random.Random) -> tuple[tuple[str, ...], tuple[str, ...]]:
    specialties = _distinct(rng, SPECIALTIES, _weighted(rng, ((1, 75), (2, 20), (3, 5))))
    states = _distinct(rng, STATES, _weighted(rng, ((1, 60), (2, 30), (3, 10))))
    return specialties, states


def _distinct(rng: random.Random, table: Sequence[tuple[str, int]], count: int) -> tuple[str, ...]:
    chosen: list[str] = []
    while len(chosen) < count:
        value = _weighted(rng, table)
        if value not in chosen:
            chosen.append(value)
    return tuple(chosen)


def _spelled(rng: random.Random, specialty: str) -> str:
    alias = SPECIALTY_ALIASES.get(specialty)
    return alias if alias and rng.random() < 0.3 else specialty


Entry = tuple[str, str]  # ("line", text) kept as is, ("para", text) wrapped, ("break", "")
BREAK: Entry = ("break", "")


def _wrap(text: str, width: int) -> list[str]:
    lines: list[str] = []
    current: list[str] = []
    size = 0
    for word in text.split():
        if current and size + 1 + len(word) > width:
            lines.append(" ".join(current) + " ")  # PDF text keeps the space before a wrap
            current, size = [word], len(word)
        else:
            size += len(word) + (1 if current else 0)
            current.append(word)
    if current:
        lines.append(" ".join(current))
    return lines


def _lines(entries: list[Entry], width: int) -> list[str]:
    """Lay entries out as lines; '' marks a paragraph break."""
    lines: list[str] = []
    for kind, text in entries:
        if kind == "break":
            if lines and lines[-1]:
                lines.append("")
        elif kind == "line":
            lines.append(text)
        else:
            lines.extend(_wrap(text, width))
    return lines


def _as_text(lines: list[str], style: str) -> str:
    """Render lines the way the plain-text letters come: tight, spaced or double spaced."""
    if style == "double":
        out = [part for line in lines for part in ((line, " ") if line else (" ",))]
    elif style == "spaced":
        out = [line if line else " " for line in lines]
    else:
        out = lines
    return "\n".join(out) + "\n"


def _board_sentence(specialty: str, state: str) -> str:
    return (
        f"The expert reviewer is Board Certified in {specialty}, and is licensed to practice "
        f"in {state}."
    )


def _credentials(
    rng: random.Random, specialties: tuple[str, ...], states: tuple[str, ...]
) -> list[Entry]:
    joiner = "," if rng.random() < 0.2 else ", "
    return [
        ("line", "The Expert Reviewer has the following credentials:"),
        ("para", f"State(s) of Licensure: {joiner.join(states)}"),
        ("para", "Certification(s)/Specialty: " + ", ".join(_spelled(rng, s) for s in specialties)),
    ]


def _heading_items(items: list[_Item]) -> list[Entry]:
    entries: list[Entry] = []
    for item in items:
        expected = item.expected
        entries += [
            BREAK,
            ("para", f"{expected.treatment}: {expected.outcome.value}"),
            ("para", f"Claims Administrator guideline: {item.claims_line}"),
            ("para", f"MAXIMUS guideline: {item.maximus_line}"),
            ("para", f"Decision rationale: {item.rationale}"),
        ]
    return entries


def _numbered_items(items: list[_Item]) -> list[Entry]:
    entries: list[Entry] = []
    for number, item in enumerate(items, start=1):
        expected = item.expected
        negation = "not " if expected.outcome is Outcome.UPHELD else ""
        claims = item.claims_line.removeprefix("Decision based on ")
        if item.claims_line == NO_EVIDENCE:
            claims = "no cited guideline; it did not cite any medical evidence for its decision."
        entries += [
            BREAK,
            (
                "para",
                f"{number}. {expected.treatment} is {negation}medically necessary and appropriate.",
            ),
            ("para", f"The Claims Administrator based its decision on the {claims}"),
            (
                "para",
                "The Physician Reviewer based his/her decision on the "
                + item.maximus_line.removeprefix("Decision based on "),
            ),
            ("line", "The Physician Reviewer's decision rationale:"),
            ("para", item.rationale),
        ]
    return entries


@dataclass(frozen=True, slots=True)
class _Case:
    layout: Layout
    case_number: str | None
    dates: _Dates
    priority: str
    specialties: tuple[str, ...]
    states: tuple[str, ...]
    summary: str
    items: list[_Item]


def _current(rng: random.Random, case: _Case) -> list[Entry]:
    d = case.dates
    entries: list[Entry] = [
        ("line", f"Case Number: {case.case_number}"),
        ("line", f"Date Assigned: {_us(d.assigned)} Date of Injury: {_us(d.injured)}"),
        ("line", f"Decision Date: {_us(d.decided)} UR Denial Date: {_us(d.denied)}"),
        ("line", f"Priority: {case.priority} Application "),
        ("line", "Received: "),
        ("line", _us(d.received)),
    ]
    return entries + _body(rng, case, board=False)


def _body(rng: random.Random, case: _Case, board: bool) -> list[Entry]:
    how = rng.choice(HOW_MADE)
    if board:
        first, _, rest = how.partition(". ")
        sentence = _board_sentence(case.specialties[0], case.states[0])
        how = f"{first}. {sentence} {rest}"
    entries: list[Entry] = [("line", "HOW THE IMR FINAL DETERMINATION WAS MADE"), ("para", how)]
    if not board:
        entries += _credentials(rng, case.specialties, case.states)
    entries += [BREAK, ("line", "CLINICAL CASE SUMMARY")]
    if rng.random() < 0.5:
        entries.append(("para", rng.choice(SUMMARY_INTROS)))
    entries += [("para", case.summary), BREAK, ("line", "IMR ISSUES, DECISIONS AND RATIONALES")]
    entries.append(("para", DECISIONS_INTRO))
    return entries + _heading_items(case.items)


def _documents(rng: random.Random, d: _Dates) -> list[Entry]:
    visit = d.injured + timedelta(days=rng.randrange(max(1, (d.denied - d.injured).days)))
    return [
        ("line", f"Application for Independent Medical Review, {_us(d.received)}"),
        ("line", f"Utilization review determination, {_us(d.denied)}"),
        ("line", f"Treating physician progress notes, {_us(visit)} to {_us(d.denied)}"),
    ]


def _maximus_2013(rng: random.Random, case: _Case) -> list[Entry]:
    d = case.dates
    numbered = rng.random() < 0.6
    board = ("para", _board_sentence(_spelled(rng, case.specialties[0]), case.states[0]))
    entries: list[Entry] = [
        ("line", "MAXIMUS FEDERAL SERVICES, INC."),
        ("line", "Independent Medical Review"),
        ("line", "Final Determination Letter"),
        BREAK,
        ("line", f"Case Number: {case.case_number}"),
        ("line", f"Date of Injury: {_us(d.injured)}"),
        ("line", f"Decision Date: {_us(d.decided)}"),
        ("line", f"UR Denial Date: {_us(d.denied)}"),
        ("line", f"Priority: {case.priority}"),
        ("line", f"Application Received: {_us(d.received)}"),
        BREAK,
        (
            "para",
            "This letter gives the final determination of the Independent Medical Review "
            "requested for the case above, with the reasons for each decision.",
        ),
        BREAK,
    ]
    if numbered:
        entries += [board, BREAK]
    entries += [("line", "DOCUMENTS REVIEWED"), *_documents(rng, d), BREAK]
    entries += [("line", "CLINICAL CASE SUMMARY"), ("para", case.summary), BREAK]
    entries.append(("line", "IMR DECISION(S) AND RATIONALE(S)"))
    if numbered:
        return entries + _numbered_items(case.items)
    return entries + _heading_items(case.items) + [BREAK, board]


def _mpr_2013(rng: random.Random, case: _Case) -> list[Entry]:
    d = case.dates
    outcomes = {item.expected.outcome for item in case.items}
    mixed = len(outcomes) > 1
    entries: list[Entry] = [
        ("line", "MEDICAL PROFESSIONAL REVIEW"),
        ("line", "Independent Medical Review Determination"),
        BREAK,
        ("line", f"Case Number: {case.case_number}"),
        ("line", f"Date of Injury: {_us(d.injured)}"),
        ("line", f"Decision Date: {_us(d.decided)}"),
    ]
    if rng.random() < 0.5:
        entries.append(("line", f"Priority: {case.priority}"))
    entries += [
        BREAK,
        ("para", "An independent professional reviewer prepared this determination."),
        BREAK,
        ("line", "ISSUE AT DISPUTE:"),
    ]
    several = len(case.items) > 1
    for number, item in enumerate(case.items, start=1):
        text = item.expected.treatment
        if mixed:
            negation = "not " if item.expected.outcome is Outcome.UPHELD else ""
            text += f" is {negation}medically necessary."
        entries.append(("para", f"{number}. {text}" if several else text))
    first = case.items[0]
    citation = first.maximus_line.removeprefix("Decision based on ").rstrip(".")
    verdict = (
        "IS MEDICALLY NECESSARY"
        if outcomes == {Outcome.OVERTURNED}
        else ("IS/WAS NOT MEDICALLY NECESSARY")
    )
    entries += [
        BREAK,
        ("line", "CASE SUMMARY:"),
        ("para", case.summary),
        BREAK,
        ("line", "DOCUMENTS REVIEWED FOR DETERMINATION:"),
        *_documents(rng, d),
        BREAK,
        ("line", "MEDICAL TREATMENT GUIDELINE(S) RELIED UPON BY PROFESSIONAL REVIEWER AND WHY:"),
        ("para", f"{citation}, because it addresses {first.kind.topic}."),
        BREAK,
        ("line", f"RATIONALE FOR WHY THE REQUESTED TREATMENT/SERVICE {verdict}:"),
    ]
    for number, item in enumerate(case.items, start=1):
        entries.append(("para", f"{number}. {item.rationale}" if several else item.rationale))
    entries += [
        BREAK,
        ("line", "MEDICAL REVIEWER QUALIFICATIONS:"),
        (
            "para",
            f"The reviewer is Board Certified in {case.specialties[0]}, and is licensed to "
            f"practice in {case.states[0]}.",
        ),
    ]
    return entries


def synthetic_letter(seed: int, index: int) -> SyntheticLetter:
    """Build letter `index` of the corpus for `seed`; it depends on nothing else."""
    rng = random.Random(f"imr-synthetic:{seed}:{index}")
    layout = _weighted(rng, LAYOUT_WEIGHTS)
    dates = _dates(rng, layout)
    early = layout in (Layout.OLDER, Layout.MAXIMUS_2013, Layout.MPR_2013)
    sites = [_weighted(rng, SITES)]
    items = _items(rng, sites, dates.decided.year, early)
    specialties, states = _reviewer(rng)
    board = layout is Layout.OLDER and rng.random() < 0.5
    if board or layout in (Layout.MAXIMUS_2013, Layout.MPR_2013):
        specialties, states = specialties[:1], states[:1]
    if layout is Layout.MPR_2013:
        family = items[0].expected.guideline_family
        items = [
            _Item(
                replace(i.expected, guideline_family=family),
                i.kind,
                i.site,
                "",
                i.maximus_line,
                i.rationale,
            )
            for i in items
        ]
    age = rng.randint(19, 72) if rng.random() < 0.85 else None
    sex = rng.choice(("Male", "Female")) if rng.random() < 0.8 else None
    patient = Patient(
        age,
        sex,
        dates.injured,
        dates.denied,
        tuple(sites),
        tuple(i.expected.treatment for i in items),
    )
    has_header = layout is not Layout.OLDER
    case = _Case(
        layout=layout,
        case_number=case_number(seed, index, dates.assigned.year) if has_header else None,
        dates=dates,
        priority="Expedited" if rng.random() < 0.05 else "Standard",
        specialties=specialties,
        states=states,
        summary=summary_text(rng, patient),
        items=items,
    )
    if layout is Layout.CURRENT:
        entries = _current(rng, case)
    elif layout is Layout.OLDER:
        entries = _body(rng, case, board)
    elif layout is Layout.MAXIMUS_2013:
        entries = _maximus_2013(rng, case)
    else:
        entries = _mpr_2013(rng, case)
    lines = [SYNTHETIC_MARKER, *_lines(entries, rng.randint(86, 96))]
    style = _weighted(rng, (("tight", 50), ("spaced", 30), ("double", 20)))
    return SyntheticLetter(
        index=index,
        layout=layout,
        case_number=case.case_number,
        decision_date=dates.decided if has_header else None,
        date_of_injury=dates.injured if has_header else None,
        specialties=specialties,
        states=states,
        age=age,
        sex=sex,
        items=tuple(i.expected for i in items),
        lines=tuple(line for line in lines if line),
        text=_as_text(lines, style),
    )


def _check_target(out: Path) -> None:
    """Refuse a folder that holds letters but is not a synthetic corpus."""
    if out.exists() and not out.is_dir():
        raise GeneratorError(f"{out} exists and is not a folder")
    if not out.is_dir() or (out / MARKER_FILE).is_file():
        return
    for path in out.rglob("*"):
        if path.suffix.lower() in (".pdf", ".txt") and path.is_file():
            raise GeneratorError(
                f"refusing to write into {out}: it holds letters ({path.name}) and no "
                f"{MARKER_FILE} marker, so it may be a real corpus"
            )


def generate_corpus(
    out: Path,
    letters: int,
    seed: int,
    pdf_count: int = 0,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Write synthetic letters into `out`, the first `pdf_count` as PDF; return the count.

    progress, if given, is called with (letters written, letters) as the work goes on.

    Letters go into sub-folders of BATCH_SIZE files. Letters from an earlier run into the
    same synthetic folder are removed first, so the folder holds exactly this corpus.
    """
    if not 0 < letters <= MAX_LETTERS:
        raise GeneratorError(f"letters must be between 1 and {MAX_LETTERS:,}, not {letters}")
    if not 0 <= pdf_count <= letters:
        raise GeneratorError(
            f"pdf_count must be between 0 and letters ({letters}), not {pdf_count}"
        )
    out = Path(out)
    _check_target(out)
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("batch-*"):
        if old.is_dir():
            shutil.rmtree(old)
    (out / MARKER_FILE).write_text(
        f"{SYNTHETIC_MARKER}\nEvery letter in this folder was generated by imr-index generate "
        f"(seed {seed}, {letters} letters, {pdf_count} as PDF). None of it is real.\n",
        encoding="utf-8",
    )
    written = 0
    for index in range(letters):
        letter = synthetic_letter(seed, index)
        folder = out / f"batch-{index // BATCH_SIZE:04d}"
        if index % BATCH_SIZE == 0:
            folder.mkdir(exist_ok=True)
        if index < pdf_count:
            (folder / f"{letter.file_stem}.pdf").write_bytes(text_pdf(list(letter.lines)))
        else:
            (folder / f"{letter.file_stem}.txt").write_text(letter.text, encoding="utf-8")
        written += 1
        if progress:
            progress(written, letters)
    return written
