"""Decision items: the disputed treatments, their outcomes, guideline lines and rationales.

Current and older letters head each item '<treatment>: Upheld|Overturned' followed by
'Claims Administrator guideline:', 'MAXIMUS guideline:' and 'Decision rationale:'. An item
heading starts on its own line and may wrap, so it is read backwards from the outcome word
to the line after the previous sentence end or blank line.

The 2013-2014 layouts state outcomes in words; these choices are made here:

- MAXIMUS FEDERAL SERVICES (2013): numbered items '1. <treatment> is|was [not] medically
  necessary [and appropriate].' 'not' means the denial stands: Upheld; otherwise Overturned.
  'The Claims Administrator based its decision on ...' is the claims administrator guideline
  line, 'The Expert|Physician|Professional Reviewer based his/her decision on ...' the
  MAXIMUS guideline line, and the rationale follows '... decision rationale:' or
  'Rationale for the Decision:'. Current-style headings in that layout are read as above.
- MEDICAL PROFESSIONAL REVIEW (2013): the items are the 'ISSUE AT DISPUTE:' block, split on
  item numbers ('1.', '2)') when it has them, else one item. An item that says 'is|was [not]
  medically necessary' gets its outcome from that; otherwise the rationale heading decides:
  'RATIONALE FOR WHY THE REQUESTED TREATMENT/SERVICE IS/WAS NOT MEDICALLY NECESSARY' means
  Upheld, the same heading without NOT means Overturned. The guideline section is the
  MAXIMUS guideline line (there is no claims administrator line). When the rationale has as
  many numbered paragraphs as there are items, each item gets its own; else all share it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from indexer.classify.taxonomy import (
    classify_guideline,
    classify_reasons,
    classify_treatment,
    find_body_regions,
    find_citations,
)
from indexer.letter import Decision, Layout, Outcome

SECTION_RE = re.compile(
    r"IMR\s+ISSUES?,\s+DECISIONS?\s+AND\s+RATIONALES?"
    r"|IMR\s+DECISION\(S\)\s+AND\s+RATIONALE\(S\)\s*:?"
)
BOILERPLATE_RE = re.compile(
    r"The\s+Final\s+Determination\s+was\s+based\s+on\s+decisions\s+for\s+the\s+disputed\s+"
    r"items\s*/\s*services\s+set\s+forth\s+below\s*:?"
)
CA_LABEL = r"Claims\s+Administrator\s+guideline\s*:"
MAXIMUS_LABEL = r"MAXIMUS\s+guideline\s*:"
RATIONALE_LABEL = r"Decision\s+rationale\s*:"
ANY_LABEL = rf"(?:{CA_LABEL}|{MAXIMUS_LABEL}|{RATIONALE_LABEL})"
# The 2013 MAXIMUS wording, read only in numbered items (current letters quote similar
# sentences inside their guideline lines).
REVIEWER = r"(?:Expert|Physician|Professional|Medical)\s+Reviewer"
CA_2013 = rf"{CA_LABEL}|The\s+Claims\s+Administrator\s+based\s+its\s+decision\s+on"
MAXIMUS_2013 = rf"{MAXIMUS_LABEL}|The\s+{REVIEWER}\s+based\s+his\s*/\s*her\s+decision\s+on"
RATIONALE_2013 = (
    rf"{RATIONALE_LABEL}|The\s+{REVIEWER}'s\s+decision\s+rationale\s*:"
    r"|Rationale\s+for\s+the\s+Decision\s*:"
)
ANY_2013 = rf"(?:{CA_2013}|{MAXIMUS_2013}|{RATIONALE_2013})"
# ': Upheld' at a line end, the colon and the word possibly on different lines, and an item
# label right after it (so a sentence in a rationale ending ': Upheld' is no heading).
OUTCOME_RE = re.compile(
    rf":[ ]*\n?(?:[ ]*\n)*[ ]*(?P<outcome>Upheld|Overturned)\b[ .]*(?:\n\s*|$)(?={ANY_LABEL})",
    re.IGNORECASE,
)
NECESSITY = r"(?:is|was)\s+(?P<not>not\s+)?medically\s+necessary(?:\s+and\s+appropriate)?"
NUMBERED_ITEM_RE = re.compile(
    rf"^[ ]*\d{{1,2}}[.)][ ]+(?P<heading>(?:(?!\n[ ]*\n).){{2,500}}?)\s+{NECESSITY}\s*[.:]?"
    rf"\s*(?={ANY_2013})",
    re.MULTILINE | re.DOTALL | re.IGNORECASE,
)
NECESSITY_TAIL_RE = re.compile(rf"\s+{NECESSITY}\s*[.:]?\s*$", re.IGNORECASE)
SENTENCE_END_RE = re.compile(r"[.!?][\"')\]]*$")
RESTATED_RE = re.compile(
    r"remaining\s+IMR\s+eligible|the\s+original\s+request\s*,|leaving\s+the\s+original",
    re.IGNORECASE,
)
ORIGINAL_RE = re.compile(r"was\s+the\s+original\s+request", re.IGNORECASE)
MAX_HEADING_LINES = 8
# What may follow the last rationale: the reviewer's credentials sentence (2013 layouts),
# a closing, copies.
TRAILER_RE = re.compile(
    r"^[ ]*(?:The\s+(?:expert|physician|professional|medical)\s+reviewer\s+is\s+Board"
    r"|Sincerely\b|cc:|MEDICAL\s+REVIEWER\s+QUALIFICATIONS)",
    re.MULTILINE | re.IGNORECASE,
)

MPR_ISSUE_RE = re.compile(r"ISSUES?\s+AT\s+DISPUTE\s*:")
MPR_GUIDELINE_RE = re.compile(
    r"MEDICAL\s+TREATMENT\s+GUIDELINE\(S\)\s+RELIED\s+UPON\s+BY\s+PROFESSIONAL\s+REVIEWER"
    r"\s+AND\s+WHY\s*:"
)
MPR_RATIONALE_RE = re.compile(
    r"RATIONALE\s+FOR\s+WHY\s+THE\s+REQUESTED\s+TREATMENT\s*/\s*SERVICE\s+"
    r"(?P<verb>IS\s*/\s*WAS|IS|WAS)\s+(?P<not>NOT\s+)?MEDICALLY\s+NECESSARY\s*:"
)
MPR_SECTION_RE = re.compile(
    r"^[ ]*(?:ISSUES?\s+AT\s+DISPUTE|CASE\s+SUMMARY|DOCUMENTS\s+REVIEWED\s+FOR\s+DETERMINATION"
    r"|MEDICAL\s+TREATMENT\s+GUIDELINE\(S\)|RATIONALE\s+FOR\s+WHY|MEDICAL\s+REVIEWER"
    r"\s+QUALIFICATIONS)\b",
    re.MULTILINE,
)
ITEM_NUMBER_RE = re.compile(r"(?m)^[ ]*\d{1,2}[.)][ ]+")


@dataclass(frozen=True, slots=True)
class RawItem:
    """An item as written, before taxonomy labels are attached."""

    treatment: str
    outcome: Outcome
    claims_admin_guideline: str
    maximus_guideline: str
    rationale: str


def flatten_prose(text: str) -> str:
    """Join hard-wrapped lines ('post-\\noperative' -> 'post-operative'), collapse spaces."""
    text = re.sub(r"(\w)-[ ]*\n\s*(\w)", r"\1-\2", text)
    return " ".join(text.split())


def _outcome(word: str) -> Outcome:
    return Outcome.UPHELD if word.lower() == "upheld" else Outcome.OVERTURNED


def decision_section(text: str) -> str:
    """Return the text after the decisions heading and its boilerplate, before any trailer."""
    match = SECTION_RE.search(text)
    section = text[match.end() :] if match else text
    boiler = BOILERPLATE_RE.search(section)
    if boiler:
        section = section[boiler.end() :]
    first = re.search(RATIONALE_2013, section, re.IGNORECASE)
    trailer = TRAILER_RE.search(section, first.end()) if first else None
    return section[: trailer.start()] if trailer else section


def _label_value(block: str, label: str, any_label: str) -> str:
    """Return the text after `label` up to the next item label, flattened."""
    match = re.search(label, block, re.IGNORECASE)
    if not match:
        return ""
    rest = block[match.end() :]
    stop = re.search(any_label, rest, re.IGNORECASE)
    return flatten_prose(rest[: stop.start()] if stop else rest)


def _rationale(block: str, label: str) -> str:
    match = re.search(label, block, re.IGNORECASE)
    return flatten_prose(block[match.end() :]) if match else ""


def _heading_lines_back(lines: list[str], limit: int) -> int:
    """Return how many trailing lines of `lines` form the heading (the last one included)."""
    taken = 1
    while taken < min(len(lines), limit):
        previous = lines[-taken - 1]
        if not previous.strip() or SENTENCE_END_RE.search(previous.rstrip()):
            break
        taken += 1
    return taken


def heading_start(before: str) -> int:
    """Return the offset in `before` (text up to an outcome colon) where the heading starts."""
    lines = before.split("\n")
    if len(lines) > 1 and not lines[-1].strip():
        lines = lines[:-1]  # the colon opened its own line
    taken = _heading_lines_back(lines, MAX_HEADING_LINES)
    heading = " ".join(lines[-taken:])
    if RESTATED_RE.search(heading) and not ORIGINAL_RE.search(heading):
        # 'X was the original request. Y was authorized ... The remaining IMR eligible
        # portion of the original request, Z is: Upheld' may break after a full stop.
        for extra in range(taken + 1, min(len(lines), taken + MAX_HEADING_LINES) + 1):
            if not lines[-extra].strip():
                break
            if ORIGINAL_RE.search(" ".join(lines[-extra:])):
                taken = extra
                break
    return len("\n".join(lines[: len(lines) - taken])) + (1 if len(lines) > taken else 0)


def _spans(section: str, matches: list[re.Match[str]]) -> list[tuple[int, int]]:
    """Return (heading start, colon offset) for each outcome match."""
    spans: list[tuple[int, int]] = []
    floor = 0
    for match in matches:
        window = section[floor : match.start()]
        previous_rationale = re.search(RATIONALE_LABEL, window, re.IGNORECASE)
        if spans and previous_rationale:
            # The heading cannot start before the previous item's rationale does.
            label_end = floor + previous_rationale.end()
            start = label_end + heading_start(section[label_end : match.start()])
        else:
            start = floor + heading_start(window)
        spans.append((start, match.start()))
        floor = match.end()
    return spans


def find_heading_items(text: str) -> list[RawItem]:
    """Read '<treatment>: Upheld|Overturned' items from the decisions section."""
    section = decision_section(text)
    matches = list(OUTCOME_RE.finditer(section))
    spans = _spans(section, matches)
    items: list[RawItem] = []
    for index, (match, (start, colon)) in enumerate(zip(matches, spans, strict=True)):
        end = spans[index + 1][0] if index + 1 < len(spans) else len(section)
        block = section[match.end() : end]
        treatment = flatten_prose(section[start:colon])
        if not treatment:
            continue
        items.append(
            RawItem(
                treatment=treatment,
                outcome=_outcome(match["outcome"]),
                claims_admin_guideline=_label_value(block, CA_LABEL, ANY_LABEL),
                maximus_guideline=_label_value(block, MAXIMUS_LABEL, ANY_LABEL),
                rationale=_rationale(block, RATIONALE_LABEL),
            )
        )
    return items


def find_numbered_items(text: str) -> list[RawItem]:
    """Read 2013 items '1. <treatment> is not medically necessary and appropriate.'."""
    section = decision_section(text)
    matches = list(NUMBERED_ITEM_RE.finditer(section))
    items: list[RawItem] = []
    for index, match in enumerate(matches):
        end = matches[index + 1].start() if index + 1 < len(matches) else len(section)
        block = section[match.end() : end]
        items.append(
            RawItem(
                treatment=flatten_prose(match["heading"]),
                outcome=Outcome.UPHELD if match["not"] else Outcome.OVERTURNED,
                claims_admin_guideline=_label_value(block, CA_2013, ANY_2013),
                maximus_guideline=_label_value(block, MAXIMUS_2013, ANY_2013),
                rationale=_rationale(block, RATIONALE_2013),
            )
        )
    return items


def mpr_block(text: str, heading: re.Pattern[str]) -> str:
    """Return an MPR section's body: after `heading` up to the next MPR section heading."""
    match = heading.search(text)
    if not match:
        return ""
    rest = text[match.end() :]
    stop = MPR_SECTION_RE.search(rest)
    return rest[: stop.start()] if stop else rest


def _numbered_parts(block: str) -> list[str]:
    starts = [m.end() for m in ITEM_NUMBER_RE.finditer(block)]
    if not starts:
        return [flatten_prose(block)] if block.strip() else []
    ends = [m.start() for m in ITEM_NUMBER_RE.finditer(block)][1:] + [len(block)]
    return [flatten_prose(block[s:e]) for s, e in zip(starts, ends, strict=True)]


def find_mpr_items(text: str) -> list[RawItem]:
    """Read MEDICAL PROFESSIONAL REVIEW items from 'ISSUE AT DISPUTE:' and the rationale."""
    issues = [part for part in _numbered_parts(mpr_block(text, MPR_ISSUE_RE)) if part]
    heading = MPR_RATIONALE_RE.search(text)
    if not issues or not heading:
        return []
    default = Outcome.UPHELD if heading["not"] else Outcome.OVERTURNED
    rationales = _numbered_parts(mpr_block(text, MPR_RATIONALE_RE))
    shared = " ".join(rationales)
    guideline = flatten_prose(mpr_block(text, MPR_GUIDELINE_RE))
    items: list[RawItem] = []
    for index, issue in enumerate(issues):
        tail = NECESSITY_TAIL_RE.search(issue)
        outcome = default
        if tail:
            outcome = Outcome.UPHELD if tail["not"] else Outcome.OVERTURNED
            issue = issue[: tail.start()]
        own = rationales[index] if len(rationales) == len(issues) else shared
        items.append(RawItem(issue.rstrip(" .,:;"), outcome, "", guideline, own))
    return items


def to_decision(item: RawItem) -> Decision:
    """Attach the taxonomy's labels to an item."""
    category, subcategory = classify_treatment(item.treatment, item.rationale)
    families, sources = classify_guideline(item.maximus_guideline)
    claims_families, _ = classify_guideline(item.claims_admin_guideline)
    return Decision(
        treatment=item.treatment,
        outcome=item.outcome,
        claims_admin_guideline=item.claims_admin_guideline,
        maximus_guideline=item.maximus_guideline,
        rationale=item.rationale,
        category=category,
        subcategory=subcategory,
        guideline_families=families,
        guideline_sources=sources,
        claims_admin_families=claims_families,
        body_regions=find_body_regions(item.treatment, item.rationale),
        citations=find_citations(item.rationale),
        reasons=classify_reasons(item.outcome, item.treatment, item.rationale),
    )


def find_decisions(text: str, layout: Layout = Layout.CURRENT) -> tuple[Decision, ...]:
    """Return the letter's decision items with their taxonomy labels, in letter order."""
    if layout is Layout.MPR_2013:
        items = find_mpr_items(text)
    else:
        items = find_heading_items(text)
        if not items and layout is Layout.MAXIMUS_2013:
            items = find_numbered_items(text)
    return tuple(to_decision(item) for item in items)
