"""Read the guideline families and sources of one guideline line (TAXONOMY.md section 3).

A line is a sequence of 'Decision based on MTUS ...' and 'Decision based on Non-MTUS
Citation ...' sentences. An MTUS sentence names one or more MTUS guidelines joined by
', and ', each optionally followed by ', Section(s): ...'; a Non-MTUS sentence may go on
with 'and Other Medical Treatment Guidelines ...', a further citation.
"""

from __future__ import annotations

import re
from functools import cache

from indexer.classify.vocabulary import vocabulary

CHRONIC_PAIN = "MTUS Chronic Pain Medical Treatment Guidelines"
OPIOIDS = "MTUS Opioids Treatment Guidelines"
ACOEM_MTUS = "MTUS ACOEM Practice Guidelines"
ACUPUNCTURE = "MTUS Acupuncture Medical Treatment Guidelines"
POSTSURGICAL = "MTUS Postsurgical Treatment Guidelines"
DEFINITIONS = "MTUS Definitions/General"
ODG = "Official Disability Guidelines (ODG)"
ACOEM_OTHER = "ACOEM (non-MTUS)"
OTHER = "Other evidence"
NONE_CITED = "None cited"

Citation = tuple[tuple[str, ...], tuple[str, ...]]

NONE_CITED_RE = re.compile(r"did\s+not\s+cite\s+any\s+medical\s+evidence", re.IGNORECASE)
SENTENCE_RE = re.compile(r"Decision\s+based\s+on\s+", re.IGNORECASE)
NON_MTUS_RE = re.compile(r"^Non-?\s*MTUS(?:\s+Citation)?\s*[:,]?\s*", re.IGNORECASE)
MTUS_RE = re.compile(r"^(?:the\s+)?(?:CA\s+)?MTUS\s*", re.IGNORECASE)
OTHER_GUIDELINES_RE = re.compile(r"\band\s+Other\s+Medical\s+Treatment\s+Guidelines\b\s*", re.I)
SECTIONS_RE = re.compile(r"Section\(?s?\)?\s*:\s*", re.IGNORECASE)
REGULATION_RE = re.compile(r"9792\.(?P<sec>2\d)(?:\.(?P<sub>\d))?")
OPIOID_SECTION_RE = re.compile(r"(?:^|[,;]\s*)(?P<part>[1-4])(?:\.\d+)*\.?\s+(?=[A-Z])")

# MTUS guideline names as the letters write them, in the order they are tried.
MTUS_NAMES: tuple[tuple[str, str], ...] = (
    (r"Chronic\s+Pain\s+(?:Medical\s+)?Treatment(?:\s+Guidelines)?(?:\s+\d{4})?", CHRONIC_PAIN),
    (r"Opioids?\s+Treatment(?:\s+Guidelines)?(?:\s+\d{4})?", OPIOIDS),
    (
        r"(?:9792\.24\.1\s*,?\s*)?Acupuncture\s+(?:Medical\s+)?Treatment(?:\s+Guidelines)?"
        r"(?:\s+\d{4})?",
        ACUPUNCTURE,
    ),
    (r"Post-?\s*surgical\s+Treatment(?:\s+Guidelines)?(?:\s+\d{4})?", POSTSURGICAL),
    (r"General\s+Approaches(?:\s+\d{4})?", ACOEM_MTUS),
)
ACOEM_CHAPTERS: tuple[tuple[str, str], ...] = (
    ("Neck and Upper Back Complaints", "Neck and Upper Back Complaints"),
    ("Shoulder Complaints", "Shoulder Complaints"),
    ("Elbow Complaints", "Elbow Complaints"),
    ("Elbow Disorders", "Elbow Complaints"),
    ("Forearm, Wrist, and Hand Complaints", "Forearm, Wrist, and Hand Complaints"),
    ("Low Back Complaints", "Low Back Complaints"),
    ("Knee Complaints", "Knee Complaints"),
    ("Ankle and Foot Complaints", "Ankle and Foot Complaints"),
    ("Stress-Related Conditions", "Stress-Related Conditions"),
)
# Chapters of the 'General Approaches 2004' group, named under its Section(s) or on their own
# ('Decision based on MTUS Independent Medical Examinations and Consultations 2004').
GENERAL_APPROACH_CHAPTERS = (
    "Prevention",
    "General Approach to Initial Assessment and Documentation",
    "Initial Approaches to Treatment",
    "Cornerstones of Disability Prevention and Management",
    "Pain, Suffering, and the Restoration of Function",
    "Independent Medical Examinations and Consultations",
)

# Chapters of the ACOEM Practice Guidelines, 2nd edition, as adopted into the MTUS (2013-2014
# letters cite them by number: 'ACOEM ... Chapter 12, pages 303-305').
ACOEM_CHAPTER_NUMBERS = {
    1: "Prevention",
    2: "General Approach to Initial Assessment and Documentation",
    3: "Initial Approaches to Treatment",
    5: "Cornerstones of Disability Prevention and Management",
    6: "Pain, Suffering, and the Restoration of Function",
    7: "Independent Medical Examinations and Consultations",
    8: "Neck and Upper Back Complaints",
    9: "Shoulder Complaints",
    10: "Elbow Complaints",
    11: "Forearm, Wrist, and Hand Complaints",
    12: "Low Back Complaints",
    13: "Knee Complaints",
    14: "Ankle and Foot Complaints",
    15: "Stress-Related Conditions",
}
CHAPTER_NUMBER_RE = re.compile(r"\bChapter\s+(?P<n>\d{1,2})\b", re.IGNORECASE)
# 2013-2014 guideline lines carry no 'Decision based on'; they say where a guideline stands.
NOT_PART_OF_MTUS_RE = re.compile(
    r"\b(?:which|that)\s+(?:is|are)\s+not\s+(?:a\s+)?part\s+of\s+(?:the\s+)?(?:CA\s+)?MTUS"
    r"|\boutside\s+(?:of\s+)?(?:the\s+)?MTUS|\bnon-?\s*MTUS\b",
    re.IGNORECASE,
)
PART_OF_MTUS_RE = re.compile(
    r"\b(?:which|that)\s+(?:is|are)\s+(?:a\s+)?part\s+of\s+(?:the\s+)?(?:CA\s+)?MTUS",
    re.IGNORECASE,
)
THIRD_EDITION_RE = re.compile(r"(?:3rd|third)\s+ed", re.IGNORECASE)
# Why the reviewer chose a guideline ('..., because it addresses ...'): not a citation.
REASON_RE = re.compile(r",?\s+(?:because|as\s+it|since\s+it)\b.*$", re.IGNORECASE | re.DOTALL)
# Sentences that introduce a line ('The Expert Reviewer based their decision on
# recommendation(s) outside of the MTUS Guidelines.') carry no family.
INTRODUCTION_RE = re.compile(
    r"\b(?:based|base)\s+(?:their|his|her|its|his\s*/\s*her)\s+decision|"
    r"\bfound\s+(?:that\s+)?(?:no|the)\b",
    re.IGNORECASE,
)
BARE_SPLIT_RE = re.compile(r"(?<=[.;])\s+(?=(?:the\s+)?[A-Z])")

# Other evidence: source -> patterns (TAXONOMY.md 'Other evidence'; 'any other URL' last).
OTHER_SOURCES: tuple[tuple[str, str], ...] = (
    ("UpToDate", r"up\s*to\s*date"),
    (
        "Drug references and FDA labeling",
        r"drugs\.com|\bFDA\b|\bPDR\b|physicians'?\s+desk\s+reference|package\s+insert|"
        r"prescribing\s+information|medscape|epocrates|rxlist|dailymed|micromedex|"
        r"lexicomp|drug\s+facts",
    ),
    (
        "Payer and Medicare/CMS policies",
        r"aetna|cms\.gov|medicare|medicaid|\bCMS\b|cigna|anthem|blue\s+cross|"
        r"blue\s+shield|humana|united\s*healthcare|clinical\s+policy\s+bulletin",
    ),
    (
        "Medical textbooks",
        r"green'?s\s+operative|campbell'?s|rockwood|textbook|\bsurgery,?\s+\d+(?:st|nd|rd|th)\s+ed",
    ),
    ("MDGuidelines", r"mdguidelines|medical\s+disability\s+advisor|reed\s+group"),
    (
        "Professional society and institutional guidelines",
        r"\bAANEM\b|university\s+of\s+michigan|american\s+(?:academy|association|society|college)|"
        r"\bAAOS\b|\bNASS\b|\bASIPP\b|\bAAN\b|\bAPA\b|society|guideline\s+clearinghouse|"
        r"institute\s+for\s+clinical\s+systems|\bICSI\b|\bNICE\b|work\s+loss\s+data",
    ),
    (
        "Government health information",
        r"nih\.gov|\bNIH\b|nhlbi|national\s+(?:heart|institute|library)|\bCDC\b|cdc\.gov|"
        r"medlineplus|\bAHRQ\b",
    ),
    (
        "Peer-reviewed literature",
        r"journal|\bet\s+al\b|pubmed|\bdoi\b|\bJ\s+\w|\bspine\s*\(?\d{4}|"
        r"\b(?:19|20)\d\d\s*;\s*\d+|lancet|\bBMJ\b|\bJAMA\b|\bNEJM\b|cochrane",
    ),
    ("Other websites", r"https?://|www\.|\.com\b|\.org\b|\.net\b"),
)

ODG_MARK_RE = re.compile(r"\bODG\b|Official\s+Disability\s+Guidelines?", re.IGNORECASE)
ACOEM_MARK_RE = re.compile(
    r"\bACOEM\b|American\s+College\s+of\s+Occupational\s+(?:and|&)\s+Environmental\s+Medicine",
    re.IGNORECASE,
)


def flexible_pattern(text: str) -> str:
    """Turn a variant into a pattern tolerant of '&'/'and', commas and spacing."""
    words = re.escape(text)
    words = re.sub(r"(?:\\?,)?\\ (?:\\&|and)\\ ", r",?\\s*(?:&|and)\\s*", words)
    words = words.replace(r"\ ", r"\s+").replace(r"\-", r"\s*-\s*")
    return words


def _variant_pattern(variant: str) -> str:
    # Placeholders of TAXONOMY.md: 'Pain, <topic>' and 'Pain (<topic>)'.
    if "<" in variant:
        head = variant.split("<")[0]
        return flexible_pattern(head.rstrip(" (,")) + (r"\s*\(" if "(" in head else r"\s*,")
    head = re.sub(r"\s*\([^)]*\)\s*$", "", variant).strip() if variant.endswith(")") else variant
    # 'Bupropion (Wellbutrin)' is written with and without its parenthesis.
    return flexible_pattern(head)


@cache
def _source_re(family: str) -> tuple[re.Pattern[str], dict[str, str]]:
    """Return one alternation over a family's source variants, and group -> source."""
    variants: list[tuple[str, str]] = []
    for source, matches in vocabulary().source_match[family].items():
        names = {source, *matches} if family == CHRONIC_PAIN else set(matches)
        variants.extend((_variant_pattern(m), source) for m in names)
    variants.sort(key=lambda v: len(v[0]), reverse=True)
    groups = {f"s{i}": source for i, (_, source) in enumerate(variants)}
    alternation = "|".join(f"(?P<s{i}>{pattern})" for i, (pattern, _) in enumerate(variants))
    return re.compile(rf"(?<!\w)(?:{alternation})(?!\w)", re.IGNORECASE), groups


def _sources_in(family: str, text: str) -> list[str]:
    pattern, groups = _source_re(family)
    found: list[str] = []
    for match in pattern.finditer(text):
        source = groups[str(match.lastgroup)]
        if source not in found:
            found.append(source)
    return found


@cache
def _mtus_name_re() -> re.Pattern[str]:
    chapters = [c for c, _ in ACOEM_CHAPTERS] + list(GENERAL_APPROACH_CHAPTERS)
    names = [p for p, _ in MTUS_NAMES] + [
        flexible_pattern(c) + r"(?:\s+\d{4})?" for c in sorted(chapters, key=len, reverse=True)
    ]
    return re.compile("|".join(f"(?:{n})" for n in names), re.IGNORECASE)


@cache
def _general_chapter_re() -> re.Pattern[str]:
    """Return one alternation over the General Approaches chapters, longest first.

    One alternation, so 'Prevention' inside 'Cornerstones of Disability Prevention and
    Management' is not read as the Prevention chapter too.
    """
    chapters = sorted(GENERAL_APPROACH_CHAPTERS, key=len, reverse=True)
    return re.compile("|".join(flexible_pattern(c) for c in chapters), re.IGNORECASE)


@cache
def _chapter_re(chapter: str, whole: bool) -> re.Pattern[str]:
    """Match a chapter's name at the start of a text (the whole text, with a year or not)."""
    tail = r"(?:\s+\d{4})?$" if whole else ""
    return re.compile(flexible_pattern(chapter) + tail, re.IGNORECASE)


def _general_chapter(name: str) -> str | None:
    """Return the General Approaches chapter a name starts with, or None."""
    for chapter in GENERAL_APPROACH_CHAPTERS:
        if _chapter_re(chapter, True).match(name):
            return chapter
    return None


def _mtus_family(name: str) -> tuple[str, str | None]:
    """Return (family, chapter source or None) for an MTUS guideline name."""
    for pattern, family in MTUS_NAMES:
        if re.fullmatch(pattern, name, re.IGNORECASE):
            return family, None
    for chapter, source in ACOEM_CHAPTERS:
        if _chapter_re(chapter, False).match(name):
            return ACOEM_MTUS, source
    return ACOEM_MTUS, _general_chapter(name)


def _mtus_part(family: str, chapter: str | None, text: str) -> list[tuple[str, str | None]]:
    """Return (family, source) pairs for one named MTUS guideline and its trailing text."""
    sections = SECTIONS_RE.split(text, maxsplit=1)
    detail = sections[1] if len(sections) > 1 else text
    if family == ACOEM_MTUS and chapter is None:
        found = (_general_chapter(m.group(0)) for m in _general_chapter_re().finditer(detail))
        named = list(dict.fromkeys(c for c in found if c is not None))
        return [(family, c) for c in named] or [(family, "General Approaches")]
    if family == ACOEM_MTUS:
        return [(family, chapter)]
    if family == OPIOIDS:
        parts = dict.fromkeys(m["part"] for m in OPIOID_SECTION_RE.finditer(detail))
        sources = vocabulary().guideline[OPIOIDS]
        return [(family, sources[int(p) - 1]) for p in parts] or [(family, None)]
    if family in (CHRONIC_PAIN, POSTSURGICAL):
        # Older letters put the topic before 'Page(s):'; keep what precedes it.
        topic = re.split(r"Page\(?s?\)?\s*:", detail, maxsplit=1)[0]
        return [(family, s) for s in _sources_in(family, topic)] or [(family, None)]
    return [(family, None)]


def _regulations(text: str) -> list[tuple[str, str | None]]:
    """Return families for bare MTUS regulation numbers (9792.20 ... 9792.26)."""
    found: list[tuple[str, str | None]] = []
    by_guideline = {"1": ACUPUNCTURE, "2": CHRONIC_PAIN, "3": POSTSURGICAL, "4": OPIOIDS}
    definitions = vocabulary().guideline[DEFINITIONS]
    for match in REGULATION_RE.finditer(text):
        sec, sub = int(match["sec"]), match["sub"]
        if sec == 24 and sub in by_guideline:
            found.append((by_guideline[sub], None))
        elif sec == 20:
            found.append((DEFINITIONS, definitions[0]))
        elif 21 <= sec <= 23:
            found.append((DEFINITIONS, definitions[1]))
        elif 25 <= sec <= 26:
            found.append((DEFINITIONS, definitions[2]))
    return found


def _top_level(body: str, match: re.Match[str]) -> bool:
    """Tell whether a guideline name heads its own citation, not a Section(s) entry.

    A General Approaches chapter may be a Section(s) entry of 'General Approaches 2004'; on
    its own it starts the sentence or follows ', and '.
    """
    if _general_chapter(match.group(0)) is None:
        return True
    before = body[: match.start()]
    return match.group(0)[0].isupper() and (
        not before.strip() or bool(re.search(r"\band\s*$", before))
    )


def _mtus_sentence(text: str) -> list[tuple[str, str | None]]:
    body = MTUS_RE.sub("", text, count=1)
    names = [m for m in _mtus_name_re().finditer(body) if _top_level(body, m)]
    found: list[tuple[str, str | None]] = []
    for i, match in enumerate(names):
        end = names[i + 1].start() if i + 1 < len(names) else len(body)
        family, chapter = _mtus_family(match.group(0))
        if family == CHRONIC_PAIN and re.search(r"9792\.24\.1|Acupuncture", body[:end], re.I):
            continue  # '... Chronic Pain Treatment Guidelines 9792.24.1, Acupuncture ...'
        found.extend(_mtus_part(family, chapter, body[match.end() : end]))
    return found + _regulations(body)


def _odg_chapter_only(text: str) -> bool:
    """Tell whether a Non-MTUS citation is just an ODG chapter name ('Low Back (...)')."""
    pattern, _ = _source_re(ODG)
    match = pattern.match(text.strip())
    return bool(match) and not any(re.search(p, text, re.I) for _, p in OTHER_SOURCES)


def _citation(text: str) -> list[tuple[str, str | None]]:
    """Return (family, source) pairs of one Non-MTUS citation."""
    marks = sorted(
        [(m.start(), ODG) for m in ODG_MARK_RE.finditer(text)][:1]
        + [(m.start(), ACOEM_OTHER) for m in ACOEM_MARK_RE.finditer(text)][:1]
    )
    if not marks and _odg_chapter_only(text):
        marks = [(0, ODG)]
    found: list[tuple[str, str | None]] = []
    for _, family in marks:
        found.extend((family, s) for s in _sources_in(family, text))
        found.append((family, None))
    if marks:
        return found
    others = [s for s, p in OTHER_SOURCES if re.search(p, text, re.IGNORECASE)]
    if "Other websites" in others and len(others) > 1:
        others.remove("Other websites")
    return [(OTHER, s) for s in others] or [(OTHER, None)]


def _non_mtus_sentence(text: str) -> list[tuple[str, str | None]]:
    body = NON_MTUS_RE.sub("", text, count=1)
    found: list[tuple[str, str | None]] = []
    for citation in OTHER_GUIDELINES_RE.split(body):
        if citation.strip(" .,;"):
            found.extend(_citation(citation))
    return found


def _acoem_in_mtus(text: str) -> list[tuple[str, str | None]]:
    """Return the MTUS ACOEM chapter a 2013-style ACOEM citation names, by name or number."""
    pairs = [_mtus_family(m.group(0)) for m in _mtus_name_re().finditer(text)]
    chapters: list[tuple[str, str | None]] = [
        (f, c) for f, c in pairs if f == ACOEM_MTUS and c is not None
    ]
    if chapters:
        return chapters
    number = CHAPTER_NUMBER_RE.search(text)
    chapter = ACOEM_CHAPTER_NUMBERS.get(int(number["n"])) if number else None
    return [(ACOEM_MTUS, chapter)]


def _bare_citation(text: str) -> list[tuple[str, str | None]]:
    """Return (family, source) pairs of one guideline named without 'Decision based on'.

    The 2013-2014 layouts write 'the MTUS Chronic Pain Medical Treatment Guidelines, page
    99', 'the ACOEM Guidelines, Chapter 12, ..., which is part of the MTUS' or 'the Official
    Disability Guidelines (ODG), Knee chapter, which is not part of the MTUS'.
    """
    clause = REASON_RE.sub("", text).strip(" .,;")
    clause = re.sub(r"^(?:the|and|also)\s+", "", clause, flags=re.IGNORECASE)
    if not clause or INTRODUCTION_RE.search(clause):
        return []
    if NON_MTUS_RE.match(clause):
        return _non_mtus_sentence(clause)
    outside = bool(NOT_PART_OF_MTUS_RE.search(clause))
    acoem = ACOEM_MARK_RE.search(clause)
    if acoem and not ODG_MARK_RE.search(clause[: acoem.start()]):
        if outside or THIRD_EDITION_RE.search(clause):
            return _citation(clause)
        return _acoem_in_mtus(clause)
    if outside or ODG_MARK_RE.search(clause):
        return _citation(clause)
    if MTUS_RE.match(clause) or _mtus_name_re().search(clause):
        return _mtus_sentence(clause)
    if any(re.search(p, clause, re.IGNORECASE) for _, p in OTHER_SOURCES):
        return _citation(clause)
    return []


def _pairs(text: str) -> list[tuple[str, str | None]]:
    sentences = SENTENCE_RE.split(text)
    # Text before the first 'Decision based on' is an introduction, or a 2013-style line.
    pairs = [p for clause in BARE_SPLIT_RE.split(sentences[0]) for p in _bare_citation(clause)]
    for sentence in sentences[1:]:
        if NON_MTUS_RE.match(sentence):
            pairs.extend(_non_mtus_sentence(sentence))
        elif MTUS_RE.match(sentence):
            pairs.extend(_mtus_sentence(sentence))
    return pairs


def classify_guideline(line: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Return the (families, sources) of one guideline line, in the letter's order."""
    text = re.sub(r"\s+", " ", line).strip()
    if NONE_CITED_RE.search(text):
        return (NONE_CITED,), ()
    families: list[str] = []
    sources: list[str] = []
    for family, source in _pairs(text):
        if family not in families:
            families.append(family)
        if source is not None and source not in sources:
            sources.append(source)
    return tuple(families), tuple(sources)
