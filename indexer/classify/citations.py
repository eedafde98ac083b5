"""Find the guideline and statute citations in a rationale, in normal form.

Normal forms, in the order of their first mention, without duplicates:

- MTUS pages: 'MTUS Chronic Pain p. 99', 'MTUS Chronic Pain pp. 78-80'; likewise
  'MTUS Acupuncture p. 13', 'MTUS Postsurgical p. 10', 'MTUS Opioids p. 5', and 'MTUS p. 58'
  when the page is given for the MTUS without naming a guideline. A page that belongs to
  an ACOEM chapter ('ACOEM Chapter 3, page 48') is not an MTUS page.
- Regulations: '8 CCR 9792.20(e)', '8 CCR 9792.24.2', '8 CCR 9792.2' (written as in the
  letter: 'MTUS 9792.20e', '8 C.C.R. 9792.24.2', 'Section 9792.20(e)', even when the letter
  calls it a labor code section).
- Labor Code: 'Labor Code 4610.5', 'Labor Code 4604.5(c)' (from 'Labor Code Section
  4610.5', 'LC 4610.5', 'California Labor Code section 4604.5(c)', 'LC §4610.5').
- ODG: 'ODG Low Back', 'ODG Pain (Chronic)' ... when a chapter from the vocabulary is named
  right after the mention, otherwise 'ODG'.
- ACOEM: 'ACOEM <chapter>' with the chapter's vocabulary name ('ACOEM Low Back Complaints'
  for 'ACOEM Chapter 12', 'ACOEM Low Back Disorders' for the 3rd edition chapter), or
  'ACOEM Chapter <n>' for a numbered chapter outside the vocabulary; 'ACOEM' when none is
  named.
"""

from __future__ import annotations

import re
from functools import cache

from indexer.classify.guidelines import ACOEM_CHAPTER_NUMBERS, ACOEM_OTHER, ODG, flexible_pattern
from indexer.classify.vocabulary import vocabulary

PAGE_RE = re.compile(
    r"\b(?:pages?|pgs?\.?|pp?\.)\s*(?P<first>\d{1,4})"
    r"(?:\s*(?:-|–|to|and|&|through)\s*(?P<last>\d{1,4})(?!\s*(?:%|mg|weeks?|visits?)))?",
    re.IGNORECASE,
)
# Guideline mentions that may own a page number, with their normal-form prefix.
PAGE_OWNERS: tuple[tuple[str, str | None], ...] = (
    (
        r"(?:MTUS\s+)?Chronic\s+Pain(?:\s+Medical)?(?:\s+Treatment)?(?:\s+Guidelines?)?",
        "MTUS Chronic Pain",
    ),
    (r"(?:MTUS\s+)?Acupuncture\s+(?:Medical\s+)?Treatment(?:\s+Guidelines?)?", "MTUS Acupuncture"),
    (r"(?:MTUS\s+)?Post-?\s*surgical\s+(?:Treatment\s+)?Guidelines?", "MTUS Postsurgical"),
    (r"(?:MTUS\s+)?Opioids?\s+Treatment\s+Guidelines?", "MTUS Opioids"),
    (r"\bACOEM\b(?:\s+Chapter\s+\d+)?(?:,?\s+Table\s+[\d-]+)?", None),
    (r"\bODG\b|Official\s+Disability\s+Guidelines?", None),
    (r"\bMTUS\b(?:\s+guidelines?)?", "MTUS"),
)
OWNER_RE = re.compile("|".join(f"(?P<o{i}>{p})" for i, (p, _) in enumerate(PAGE_OWNERS)), re.I)
REGULATION_RE = re.compile(
    r"\b9792\.(?P<num>\d{1,2}(?:\.\d{1,2})?)(?:\s*\((?P<paren>[a-z])\)|(?P<bare>[a-z])(?![a-z]))?",
    re.IGNORECASE,
)
LABOR_CODE_RE = re.compile(
    r"(?:\bLabor\s+Code|\bL\.?C\.?)(?:\s+(?:Section|sec\.?))?\s*§*\s*"
    r"(?P<num>(?!9792)\d{4}(?:\.\d+)?)(?P<sub>(?:\s*\([a-z0-9]+\))*)",
    re.IGNORECASE,
)
ODG_RE = re.compile(r"\bODG\b|Official\s+Disability\s+Guidelines?(?:\s*\(ODG\))?", re.I)
ACOEM_RE = re.compile(
    r"\bACOEM\b|American\s+College\s+of\s+Occupational\s+(?:and|&)\s+Environmental\s+Medicine",
    re.IGNORECASE,
)
CHAPTER_NUMBER_RE = re.compile(r"\s*(?:Guidelines?,?\s*)?Chapter\s+(?P<n>\d{1,2})\b", re.I)
THIRD_EDITION_RE = re.compile(r"(?:3rd|third)\s+ed", re.IGNORECASE)
SENTENCE_END_RE = re.compile(r"[.;](?:\s|$)")
WINDOW = 90  # characters after a mention in which its chapter may be named
# The chapter is named before the guideline is quoted: body parts after 'ODG states ...'
# belong to the quoted text, not to a chapter name.
QUOTING_VERB_RE = re.compile(
    r"\b(?:states?|stated|indicates?|notes?|recommends?|writes|specifies|says|supports?|"
    r"supporting|allows?|advises?|acknowledges?|stipulates?|is|are|was|were|has|have|does)\b",
    re.IGNORECASE,
)


def _sentence_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    left = max((m.end() for m in SENTENCE_END_RE.finditer(text, 0, start)), default=0)
    right_match = SENTENCE_END_RE.search(text, end)
    return left, right_match.start() if right_match else len(text)


def _page_owner(text: str, page: re.Match[str]) -> str | None:
    left, right = _sentence_bounds(text, page.start(), page.end())
    best: tuple[int, str | None] | None = None
    for match in OWNER_RE.finditer(text, left, right):
        if match.end() <= page.start():
            distance = page.start() - match.end()
        elif match.start() >= page.end():
            distance = match.start() - page.end()
        else:
            continue
        prefix = PAGE_OWNERS[int(str(match.lastgroup)[1:])][1]
        if best is None or distance < best[0]:
            best = (distance, prefix)
    return best[1] if best else None


def _pages(text: str) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    for page in PAGE_RE.finditer(text):
        owner = _page_owner(text, page)
        if owner is None:
            continue
        first, last = page["first"], page["last"]
        if last and int(last) > int(first):
            found.append((page.start(), f"{owner} pp. {first}-{last}"))
        else:
            found.append((page.start(), f"{owner} p. {first}"))
    return found


def _regulations(text: str) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    for match in REGULATION_RE.finditer(text):
        sub = (match["paren"] or match["bare"] or "").lower()
        suffix = f"({sub})" if sub else ""
        found.append((match.start(), f"8 CCR 9792.{match['num']}{suffix}"))
    return found


def _labor_code(text: str) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    for match in LABOR_CODE_RE.finditer(text):
        sub = re.sub(r"\s+", "", match["sub"]).lower()
        found.append((match.start(), f"Labor Code {match['num']}{sub}"))
    return found


@cache
def _chapter_re(family: str) -> tuple[re.Pattern[str], dict[str, str]]:
    variants: list[tuple[str, str]] = []
    for source, matches in vocabulary().source_match[family].items():
        name = source.removeprefix("ACOEM: ")
        for variant in {name, *matches}:
            if "<" not in variant and not variant.startswith("Chapter"):
                variants.append((flexible_pattern(variant), name))
    if family == ACOEM_OTHER:
        variants.extend((flexible_pattern(name), name) for name in ACOEM_CHAPTER_NUMBERS.values())
    variants.sort(key=lambda v: len(v[0]), reverse=True)
    groups = {f"c{i}": name for i, (_, name) in enumerate(variants)}
    alternation = "|".join(f"(?P<c{i}>{p})" for i, (p, _) in enumerate(variants))
    return re.compile(rf"(?<!\w)(?:{alternation})(?!\w)", re.IGNORECASE), groups


def _chapter_after(family: str, text: str, end: int) -> str | None:
    pattern, groups = _chapter_re(family)
    _, right = _sentence_bounds(text, end, end)
    right = min(right, end + WINDOW)
    verb = QUOTING_VERB_RE.search(text, end, right)
    match = pattern.search(text, end, verb.start() if verb else right)
    return groups[str(match.lastgroup)] if match else None


def _odg(text: str) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    for match in ODG_RE.finditer(text):
        chapter = _chapter_after(ODG, text, match.end())
        found.append((match.start(), f"ODG {chapter}" if chapter else "ODG"))
    return found


def _acoem(text: str) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    for match in ACOEM_RE.finditer(text):
        numbered = CHAPTER_NUMBER_RE.match(text, match.end())
        third = THIRD_EDITION_RE.search(text, max(0, match.start() - 40), match.end() + 40)
        if numbered and not third:
            number = int(numbered["n"])
            name = ACOEM_CHAPTER_NUMBERS.get(number, f"Chapter {number}")
            found.append((match.start(), f"ACOEM {name}"))
            continue
        chapter = _chapter_after(ACOEM_OTHER, text, match.end())
        found.append((match.start(), f"ACOEM {chapter}" if chapter else "ACOEM"))
    return found


def find_citations(rationale: str) -> tuple[str, ...]:
    """Return the normalized citations of a rationale, in order of first mention."""
    text = re.sub(r"\s+", " ", rationale)
    found = _pages(text) + _regulations(text) + _labor_code(text) + _odg(text) + _acoem(text)
    found.sort(key=lambda pc: pc[0])
    return tuple(dict.fromkeys(citation for _, citation in found))
