"""Find the body regions of a disputed item (TAXONOMY.md section 7).

The item's own text comes first; only when it names no region does the rationale count,
and then only sentences about the patient, not those quoting a guideline. Multiple/
Unspecified stands alone.
"""

from __future__ import annotations

import re
from functools import cache

from indexer.classify import drugs
from indexer.classify.treatment import classify_treatment, remaining_request

UNSPECIFIED = "Multiple/Unspecified"
PSYCHOLOGICAL = "Psychological"

# Region -> term patterns. Longer phrases are tried first, so 'radial head' is Elbow and
# not Head, and 'lower leg' is Knee. Case-sensitive abbreviations are marked (?-i:...).
REGION_TERMS: dict[str, tuple[str, ...]] = {
    "Cervical/Neck": (
        r"cervical",
        r"cervico\w*",
        r"necks?",
        r"(?-i:C-?spine)",
        r"(?-i:C\d(?:\s*-\s*C?\d)?)",
        r"trapezi(?:us|al|i)",
        r"upper\s+back",
    ),
    "Thoracic": (
        r"thoracic",
        r"thoraco\w*",
        r"mid[\s-]*back",
        r"middle\s+back",
        r"(?-i:T-?spine)",
        r"(?-i:TS)",
        r"(?-i:T\d{1,2}(?:\s*-\s*T?\d{1,2})?)",
        r"ribs?",
    ),
    "Lumbar/Low back": (
        r"lumbar",
        r"lumbosacral",
        r"low(?:er)?\s+back",
        r"(?-i:LS)",
        r"(?-i:L-?spine)",
        r"(?-i:L\d(?:\s*-\s*[LS]?\d)?)",
        r"(?-i:S1)",
        r"sacroiliac",
        r"(?-i:SI)\s+joints?",
        r"sacrum",
        r"sacral",
        r"coccyx",
        r"back",
    ),
    "Shoulder": (
        r"shoulders?",
        r"rotator\s+cuff",
        r"labr(?:um|al)",
        r"(?-i:SLAP)",
        r"bankart",
        r"acromi\w*",
        r"subacromial",
        r"scapula\w*",
        r"brachial\s+plex\w*",
        r"glenohumeral",
        r"humeral\s+head",
        r"clavic\w*",
        r"(?-i:AC)\s+joint",
    ),
    "Elbow": (
        r"elbows?",
        r"upper\s+arms?",
        r"radial\s+head",
        r"cubital\s+tunnel",
        r"epicondyl\w*",
        r"olecranon",
        r"humer(?:us|al)",
    ),
    "Wrist/Hand": (
        r"forearms?",
        r"wrists?",
        r"hands?",
        r"fingers?",
        r"thumbs?",
        r"digits?",
        r"carpal\s+tunnel",
        r"distal\s+radius",
        r"palms?",
        r"metacarp\w*",
        r"de\s*quervain\w*",
        r"trigger\s+finger",
    ),
    "Hip": (
        r"hips?",
        r"pelvis",
        r"pelvic",
        r"groin",
        r"thighs?",
        r"femur",
        r"femoral",
        r"femoral\s+head",
    ),
    "Knee": (
        r"knees?",
        r"lower\s+legs?",
        r"menisc\w*",
        r"(?-i:ACL|PCL|MCL)",
        r"patell\w*",
        r"tibia\w*",
        r"fibula\w*",
        r"shins?",
        r"calf",
        r"calves",
    ),
    "Ankle/Foot": (
        r"ankles?",
        r"foot",
        r"feet",
        r"heels?",
        r"toes?",
        r"plantar",
        r"achilles",
        r"metatars\w*",
        r"calcane\w*",
        r"lisfranc",
    ),
    "Head": (
        r"head",
        r"brain",
        r"face",
        r"facial",
        r"jaw",
        r"(?-i:TMJ)",
        r"temporomandibular",
        r"ears?",
        r"hearing",
        r"eyes?",
        r"headaches?",
        r"concussion\w*",
        r"(?-i:EEG)",
        r"electroencephalogra\w*",
        r"cranial",
        r"skull",
        r"migraines?",
    ),
    PSYCHOLOGICAL: (
        r"psycholog\w*",
        r"psychiatr\w*",
        r"psychotherap\w*",
        r"(?-i:CBT)",
        r"cognitive\s+behavio\w*",
        r"depressi\w*",
        r"anxiety",
        r"mental\s+health",
        r"PTSD",
        r"post-?traumatic\s+stress",
    ),
}
# Phrases that name a device or a place rather than a body site, and phrases whose
# region word means something else ('head' of a bone, 'back' to work).
NOT_A_SITE = (
    r"knee\s+scooters?",
    r"knee\s+walkers?",
    r"hip\s+pads?",
    r"hospital\s+bed",
    r"head\s+of\s+the\s+\w+",
    r"back\s+to\s+(?:work|normal)",
    r"\d[\d,.]*\s*(?:feet|foot|ft)\b",
    r"(?:come|came|go|went|get|got|call(?:ed)?)\s+back",
    r"back\s+(?:in|on)\s+\w+\s+\d",
    r"hand(?:s|ed)?\s+(?:over|in|out)",
    r"on\s+the\s+other\s+hand",
    r"at\s+hand",
    r"hand\s+surgeon",
    r"feedback",
    r"pelvic\s+(?:floor|organ|ultrasound|exam)",
    r"eye\s+contact",
    r"face[\s-]+to[\s-]+face",
    r"upper\s+extremit\w*",
    r"lower\s+extremit\w*",
    r"(?-i:RUE|LUE|RLE|LLE|BUE|BLE)",
)
# Sentences of a rationale that quote or paraphrase a guideline rather than describe the
# patient: their body parts do not count. A sentence naming a guideline is one; a sentence
# in the language of recommendations is one unless it is about the patient or the records
# ('According to the medical record, this worker has back pain' is about the patient).
GUIDELINE_NAME_RE = re.compile(
    r"\bMTUS\b|\bODG\b|\bACOEM\b|guidelines?\b|Official\s+Disability|"
    r"Chronic\s+Pain\s+Medical\s+Treatment|\bstud(?:y|ies)\s+(?:show|found|suggest)",
    re.IGNORECASE,
)
RECOMMENDATION_RE = re.compile(
    r"recommend|criteria|indicated\s+(?:for|when|in)|\bsupports?\b|\bevidence\b|"
    r"\beffective(?:ness)?\b|\bmay\s+be\s+(?:used|useful|considered|appropriate)",
    re.IGNORECASE,
)
PATIENT_RE = re.compile(
    r"\b(?:patient|applicant|injured\s+worker|claimant|worker|employee|he|she|his|her|"
    r"this\s+case|medical\s+records?|documentation|provider|physician|progress\s+notes?|"
    r"reports?|complain\w*|diagnos\w*|presented|underwent|status\s+post)\b",
    re.IGNORECASE,
)
# Sentences about this request or the operation it accompanies: when they name a site, the
# other sites of the patient's history do not count.
REQUEST_SENTENCE_RE = re.compile(
    r"\brequest(?:ed|s)?\b|\bplanned\b|\bproposed\b|\bscheduled\b|\bsurg\w+|\boperati\w+|"
    r"\bpost-?\s*op\w*|\barthroscop\w+|\brepair\b|\breconstruct\w+|\bauthori[sz]ed\b|"
    r"\bcertified\b|\bstatus\s+post\b|\bs/p\b|\bunderwent\b",
    re.IGNORECASE,
)
QUOTED_RE = re.compile(r"\"[^\"]*\"|\u201c[^\u201d]*\u201d")
SENTENCE_SPLIT_RE = re.compile(r"(?<=[.!?])[\"'\u201d)]*\s+(?=[A-Z\"(\u201c])")
ELECTRODIAGNOSTIC_RE = re.compile(
    r"\b(?:EMG|NCV|NCS|SSEP)\b|electrodiagnos|nerve\s+conduction|electromyogra", re.I
)
# Suspected sites for extremity electrodiagnostic studies.
SUSPECTED_SITES: tuple[tuple[str, str], ...] = (
    (r"cervical\s+radicul\w*|radicul\w*\s+(?:of|in)\s+the\s+(?:cervical|neck)", "Cervical/Neck"),
    (
        r"(?:lumbar|lumbosacral|L\d\s*-\s*S?\d)\s+radicul\w*|radicul\w*\s+(?:of|in)\s+the\s+"
        r"(?:lumbar|low\s+back)|sciatica",
        "Lumbar/Low back",
    ),
    (r"carpal\s+tunnel", "Wrist/Hand"),
    (r"brachial\s+plex\w*", "Shoulder"),
    (r"cubital\s+tunnel|ulnar\s+neuropathy", "Elbow"),
    (r"tarsal\s+tunnel", "Ankle/Foot"),
)
MENTAL_TARGET_RE = re.compile(
    r"\bfor\s+(?:\w+\s+){0,2}(?:anxiety|depression|depressive|panic|PTSD|psych\w*|mood)\b",
    re.IGNORECASE,
)
# Items whose site is not a body region even when the rationale names the patient's pain:
# medications, tests before an operation, home health and transport (TAXONOMY.md 7).
NO_RATIONALE_FALLBACK = frozenset(
    {
        "Pharmaceuticals",
        "Home Health",
        "Transportation",
        "Lab & Pathology",
        "Adjunct Surgical Services",
    }
)
# Tests and visits before an operation are not aimed at a body site (TAXONOMY.md 7).
PRE_OPERATIVE_RE = re.compile(
    r"\bpre-?\s*(?:op|operative|surgical)\b|\bpreop\w*|\bclearance\b", re.IGNORECASE
)
PRE_OPERATIVE_CATEGORIES = frozenset({"Diagnostic Testing", "Evaluation & Management"})
MENTAL_DRUG_CLASSES = frozenset(
    {"Antidepressant", "AntiAnxiety", "Atypical Antipsychotic", "Benzodiazepines"}
)


@cache
def _region_re() -> tuple[re.Pattern[str], dict[str, str]]:
    terms = [(t, r) for r, ts in REGION_TERMS.items() for t in ts]
    terms.sort(key=lambda tr: len(tr[0]), reverse=True)
    groups = {f"r{i}": region for i, (_, region) in enumerate(terms)}
    alternation = "|".join(f"(?P<r{i}>{term})" for i, (term, _) in enumerate(terms))
    ignored = "|".join(NOT_A_SITE)
    pattern = rf"(?P<ignored>(?<!\w)(?:{ignored})(?!\w))|(?<![\w-])(?:{alternation})(?![\w])"
    return re.compile(pattern, re.IGNORECASE), groups


def regions_named(text: str) -> list[str]:
    """Return the regions a text names, in order of first mention."""
    pattern, groups = _region_re()
    found: list[str] = []
    for match in pattern.finditer(text):
        if match.lastgroup is None or match.lastgroup == "ignored":
            continue
        region = groups[match.lastgroup]
        if region not in found:
            found.append(region)
    return found


def _is_guideline_sentence(sentence: str) -> bool:
    if GUIDELINE_NAME_RE.search(sentence):
        return True
    return bool(RECOMMENDATION_RE.search(sentence)) and not PATIENT_RE.search(sentence)


def _patient_sentences(rationale: str) -> list[str]:
    """Return the rationale's sentences about the patient, quoted passages removed."""
    sentences = SENTENCE_SPLIT_RE.split(re.sub(r"\s+", " ", rationale))
    kept = (s for s in sentences if not _is_guideline_sentence(s))
    return [QUOTED_RE.sub(" ", s) for s in kept]


def _sites(sentences: list[str]) -> list[str]:
    found = (r for s in sentences for r in regions_named(s))
    return [r for r in dict.fromkeys(found) if r != PSYCHOLOGICAL]


def _rationale_regions(item: str, rationale: str) -> list[str]:
    patient = _patient_sentences(rationale)
    if ELECTRODIAGNOSTIC_RE.search(item):
        text = " ".join(patient)
        suspected = [r for p, r in SUSPECTED_SITES if re.search(p, text, re.IGNORECASE)]
        if suspected:
            return suspected
    about_request = _sites([s for s in patient if REQUEST_SENTENCE_RE.search(s)])
    return about_request or _sites(patient)


def _is_psychological(item: str, rationale: str) -> bool:
    category, subcategory = classify_treatment(item, rationale)
    if category == "Psych Services":
        return True
    if MENTAL_TARGET_RE.search(item):
        return True
    generic = drugs.find_drug(item)
    return (
        category == "Pharmaceuticals"
        and generic is not None
        and drugs.drug_table()[generic].drug_class in MENTAL_DRUG_CLASSES
        and bool(MENTAL_TARGET_RE.search(" ".join(_patient_sentences(rationale))))
    )


def _rationale_counts(item: str) -> bool:
    """Tell whether an item's site may come from its rationale."""
    category, subcategory = classify_treatment(item, "")
    if NO_RATIONALE_FALLBACK.intersection((category, subcategory)):
        return False
    return not (PRE_OPERATIVE_RE.search(item) and category in PRE_OPERATIVE_CATEGORIES)


def _ordered(regions: list[str]) -> tuple[str, ...]:
    order = list(REGION_TERMS)
    return tuple(sorted(dict.fromkeys(regions), key=order.index))


def find_body_regions(treatment: str, rationale: str) -> tuple[str, ...]:
    """Return the body regions of an item; ('Multiple/Unspecified',) when none is named."""
    item = re.sub(r"\s+", " ", treatment)
    regions = regions_named(item)
    if _is_psychological(remaining_request(item), rationale) and PSYCHOLOGICAL not in regions:
        regions.append(PSYCHOLOGICAL)
    if not regions and _rationale_counts(item):
        regions = _rationale_regions(item, rationale)
    return _ordered(regions) if regions else (UNSPECIFIED,)
