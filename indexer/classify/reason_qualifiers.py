"""What decides whether a reason's cue counts: negations, the verdict, a guideline's
conditions and limits, and what the item's heading says (a partial certification, a study, a
drug test, the words a guideline must share with it).
"""

from __future__ import annotations

import re

from indexer.classify.phrases import any_of

# Negations. The broad list also takes the words of a normal finding ('intact reflexes', 'only
# mild swelling'), which deny the indication as much as a 'no' does.
STRICT_NEGATIONS = any_of(
    r"no\b", r"not\b", r"lack\w*", r"without\b", r"absence\b", r"neither\b", r"nor\b",
    r"never\b", r"fail\w*", r"unclear\b", r"uncertain\b", r"unknown\b", r"inadequate\b",
    r"insufficient\b",
)  # fmt: skip
NEGATIONS = any_of(
    r"no\b", r"not\b", r"lack\w*", r"without\b", r"absence\b", r"absent\b", r"neither\b",
    r"nor\b", r"never\b", r"fail\w*", r"unclear\b", r"negative\b", r"normal\b",
    r"unremarkable\b", r"intact\b", r"well-preserved\b", r"undermin\w*", r"minimal\b", r"mild\b",
    r"only\b", r"against\b", r"nothing\b", r"inadequate\b", r"insufficient\b", r"unable\b",
    r"cannot\b",
)  # fmt: skip
# The verdict, whose 'not' negates nothing the cues look for.
CONCLUSION_RE = re.compile(
    r"\b(?:is|are|was|were|be|been)\s+(?:deemed\s+|considered\s+|determined\s+to\s+be\s+|"
    r"therefore\s+|also\s+|thus\s+|likewise\s+)?not[\s-]+(?:medically\s+)?(?:necessary|"
    r"appropriate|reasonable)(?:,?\s+(?:and|or)?\s*(?:medically\s+)?(?:necessary|appropriate|"
    r"reasonable))*|\bmedical\s+necessity\s+(?:has|is|was)\s+not\s+(?:been\s+)?established"
)

# Conditions that make a guideline's 'not recommended' a matter of limits, of the order of
# treatment or of indications ('for longer than 2-3 weeks', 'as a primary treatment', 'in the
# absence of red flags', 'if the deficit can be resolved by a cane').
CONDITIONS = any_of(
    r"(?:longer|more)\s+than\s+\d", r"beyond\s+\d", r"long[- ]term\b", r"chronic\s+use\b",
    r"absence\s+of\b", r"without\b", r"unless\b",
    r"as\s+(?:a|the)\s+(?:primary|first|sole|stand[- ]?alone|initial)\b", r"first[- ]line\b",
    r"routinely\b", r"until\b", r"addition\s+(?:of|to)\b", r"if\s+(?:the|there|a|an|it)\b",
    r"when\s+(?:the|there|a|an)\b", r"in\s+combination\b", r"combined\s+with\b",
    r"for\s+more\s+than\b",
)  # fmt: skip
# A guideline's limit on how long something is used ('short-term use', 'not recommended for
# longer than 2-3 weeks'), and the patient's use past such a limit ('for more than a year').
DURATION_LIMIT = any_of(
    r"short[- ]term\b", r"short\s+course", r"brief\s+(?:course|period|use)",
    r"long[- ]term\s+use", r"longer\s+than\s+\d", r"no\s+more\s+than\s+\d+\s+(?:days|weeks)",
    r"up\s+to\s+\d+\s+(?:days|weeks)", r"limits?\s+(?:the\s+)?(?:use|duration)",
)  # fmt: skip
USING = r"(?:taking|taken|using|used|utilized|utilizing|on|prescribed)\s+(?:[\w/-]+\s+){0,3}?"
MONTHS = r"january|february|march|april|may|june|july|august|september|october|november|december"
LONG_USE = any_of(
    rf"{USING}(?:for|since)\s+(?:more\s+than\s+|over\s+|at\s+least\s+|greater\s+than\s+)?"
    r"(?:a|one|two|three|four|five|six|seven|eight|nine|ten|twelve|several|many|\d+)\s+"
    r"(?:years?|months?)\b",
    rf"{USING}since\s+(?:at\s+least\s+)?(?:\d{{4}}|\d{{1,2}}/\d{{1,2}}/\d{{2,4}}|{MONTHS})",
)
# A reviewer awaiting the results of sessions already given, not finding them missing.
AWAITING = any_of(r"(?:without|before|until)\s+(?:first\s+)?(?:evaluat|assess|re-?assess)\w*")
EXCEPTIONAL = any_of(r"(?:exceptional|extenuating)\s+(?:factors|circumstances)\b")
# The heading records a partial certification, and the reviewer speaks of it.
PARTIAL_CERTIFICATION = any_of(r"(?:authorized|certified|approved|modified)\b", r"imr\s+eligible")
AUTHORIZED_TRIAL = any_of(
    r"(?:authorized|approved|certified)\b", r"contingent\b", r"initial\s+(?:trial|sessions)\b",
    r"reassess\w*", r"re-assess\w*",
)  # fmt: skip
DRUG_TEST = any_of(r"urine\b", r"drug\s+(?:screen|test)", r"toxicology\b", r"uds\b")
# Studies, for plain films before an MRI and for a repeat of the requested study.
STUDIES = {
    "mri": any_of(r"mris?\b", r"magnetic\s+resonance\b"),
    "ct": any_of(r"ct\b", r"computed\s+tomography\b"),
    "xray": any_of(
        r"x-rays?\b",
        r"xrays?\b",
        r"x\s+rays?\b",
        r"radiograph\w*",
        r"plain\s+films?\b",
        r"films?\b",
    ),  # fmt: skip
    "emg": any_of(r"emgs?\b", r"electromyogra\w*", r"electrodiagnostic\b"),
    "ncs": any_of(r"ncss?\b", r"ncvs?\b", r"nerve\s+conduction\b", r"electrodiagnostic\b"),
    "uds": any_of(r"urine\s+(?:drug\s+)?(?:screens?|tests?|testing|toxicology)\b", r"uds\b"),
}
REPEAT = any_of(
    r"repeat(?:ed)?\s+(?:[\w-]+\s+){0,3}?(?:(?P<generic>study|studies|imaging|test|testing|"
    r"scans?)|\w+)\b(?![^.]{0,20}\b(?:were|was)\s+not\b)"
)
STUDY_DONE = any_of(
    r"had\b", r"has\s+had\b", r"underwent\b", r"undergone\b",
    r"(?:was|were)\s+(?:obtained|performed|done)\b", r"done\s+on\b",
)  # fmt: skip
# Heading words that say nothing about the treatment itself (body parts included: a guideline
# that does not recommend one treatment of the knee says nothing of another).
HEADING_STOPWORDS = frozenset(
    {
        "the", "and", "for", "with", "right", "left", "bilateral", "times", "time", "per",
        "week", "weeks", "month", "months", "day", "days", "session", "sessions", "visit",
        "visits", "treatment", "treatments", "therapy", "therapies", "original", "request",
        "requested", "authorized", "certified", "claims", "administrator", "remaining", "imr",
        "eligible", "portion", "leaving", "unknown", "quantity", "qty", "unit", "units",
        "spine", "lumbar", "cervical", "thoracic", "neck", "back", "low", "lower", "upper",
        "extremity", "extremities", "shoulder", "elbow", "wrist", "hand", "hip", "knee",
        "ankle", "foot",
    }
)  # fmt: skip
WORD_RE = re.compile(r"[a-z][a-z-]{2,}")
# Wordings that name one kind of treatment differently in headings and guidelines.
HEADING_CONCEPTS = {
    "topical": any_of(
        r"cream\b",
        r"gel\b",
        r"ointment\b",
        r"lotion\b",
        r"patch\b",
        r"pad\b",
        r"compound\w*",
        r"topical\w*",
        r"base\b",
    ),  # fmt: skip
    "brace": any_of(
        r"braces?\b",
        r"brac\w+",
        r"splints?\b",
        r"splinting\b",
        r"supports?\b",
        r"immobiliz\w+",
        r"slings?\b",
    ),  # fmt: skip
    "emg": STUDIES["emg"],
    "ncs": STUDIES["ncs"],
}
