"""Reading a decision rationale: its clauses, and whose voice each one is.

A rationale mixes three voices: the guideline the reviewer quotes or paraphrases, the
utilization review (UR) it reports, and the reviewer's own view of the case. Reasons are read
from the reviewer's own view (TAXONOMY.md section 8), so this module splits a rationale into
clauses and labels each one:

- a clause that reports what the UR or the claims administrator said is the UR's;
- a clause that turns to the case or concludes ('In this case', 'Therefore', 'this request',
  'there is no', 'not medically necessary') is the reviewer's own, even inside a quotation
  that was never closed;
- a clause inside a quotation, or one that attributes its content to a guideline ('The MTUS
  states...', 'According to ODG, ...'), is the guideline's;
- a clause that speaks of the patient, the records, a dated visit or what a study showed is
  the reviewer's own, unless a guideline is its subject before that ('The ODG states that the
  patient ...'); guideline talk of evidence ('There is limited evidence ...') is not;
- any other clause continues the voice of the one before it, so a guideline paraphrase that
  runs over several sentences stays the guideline's, and a rationale opens in the guideline's.

The opioid advisory paragraph that ends many opioid decisions ('should not be interpreted as a
recommendation to stop long-term opioids abruptly') is boilerplate, not a ground, and is dropped.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

from indexer.classify.phrases import Folded, fold, phrases


class Voice(enum.Enum):
    """Who is speaking in a clause."""

    OWN = "own"  # the reviewer, about this case
    GUIDELINE = "guideline"  # quoted or paraphrased guideline text
    UR = "ur"  # the utilization review's reasons, as the reviewer reports them


@dataclass(frozen=True, slots=True)
class Clause:
    """One clause of a rationale and its voice."""

    text: str
    voice: Voice
    folded: Folded  # the text, for Phrases.search


# pdfium renders a soft hyphen at a line break as U+FFFE ('documen\ufffetation').
NORMALIZE = str.maketrans({"\ufffe": None, "\u00ad": None, "\u201c": '"', "\u201d": '"'})
# A sentence ends at . ! ? (and any closing quotes or brackets) before a capital, a digit or an
# opening quote, unless the word before the stop is a single letter ('e.g.', 'i.e.', an
# initial) or an abbreviation ('p. 99', 'Dr.').
SENTENCE_END_RE = re.compile(r"[.!?][\"')\]]*(?=\s+[\"'(\[]?[A-Z0-9])")
LAST_WORD_RE = re.compile(r"(\w*)$")
ABBREVIATIONS = frozenset({"dr", "vs", "no", "pp", "st", "inc", "al", "approx", "fig"})
# Clause breaks inside a sentence: semicolons, and the turn from a guideline to the case
# ('While ACOEM notes ..., here, however, the applicant ...').
CLAUSE_BREAK_RE = re.compile(
    r";\s+|,\s+(?=(?:here|however|but|whereas|in\s+this\s+case)\b,?\s)", re.IGNORECASE
)
GUIDELINE_NOUNS = (
    r"MTUS|ACOEM|ODG|guidelines?|official\s+disability|medicare|chapter(?:\s+\d+)?|table\s+[\d-]+"
    r"|pages?\s+\d+|literature|studies|evidence|cigna"
)
REPORTING_VERB = (
    r"\b(?:\s*\([^)]{0,40}\))?(?:,|\s+(?:on|for|of|in|regarding|about)(?:\s+[\w-]+){1,4}?)?"
    r"(?:\s+(?:also|further|go\s+on\s+to|only|[a-z]+ly)){0,2}\s+(?:states?|"
    r"stated|stipulates?|recommends?|indicates?|notes?|supports?|allows?|says?|outlines?|"
    r"specif(?:y|ies)|refers?|advises?|writes|discuss(?:es)?|defines?|suggests?|requires?|"
    r"encourages?|limits?|address(?:es)?|reserves?|deems?|acknowledges?|quantif(?:y|ies)|"
    r"endorses?|shows?|showed|reveals?|found|concluded|is\s+silent|are\s+silent|(?:do|does)\s+"
    r"not\s+(?:\w+ly\s+)?(?:recommend|support|address))\b"
)
# A guideline as the subject of a reporting verb: 'The ODG states', 'MTUS guidelines page 13
# allow', 'The guidelines also state', 'ACOEM additionally recommends against'. One phrasing
# per noun, so that each starts with its word.
ATTRIBUTION = phrases("|".join(noun + REPORTING_VERB for noun in GUIDELINE_NOUNS.split("|")))
ATTRIBUTION_LEAD_RE = re.compile(
    rf"(?:according\s+to|per|pursuant\s+to|as\s+(?:noted|stated|outlined)\s+(?:in|on|by))"
    rf"\b[^,]{{0,80}}\b(?:{GUIDELINE_NOUNS})\b",
    re.IGNORECASE,
)
# The reviewer turning to the case, or concluding: such a clause is the reviewer's even inside
# a quotation left open or when it cites a guideline ('Given that the guidelines limit ...').
OWN_LEAD_RE = re.compile(
    r"(?:\d+\.\s*)?(?:in\s+this\s+case|in\s+the\s+case\s+of|here\b|given\b|therefore|thus\b|"
    r"as\s+such|consequently|based\s+on\s+the\s+(?:above|clinical|records?|documentation|"
    r"submitted)|as\s+the\b|since\b|because\b|without\b|under\s+these|in\s+light\s+of|"
    r"no,|yes,)",
    re.IGNORECASE,
)
STRONG_OWN = phrases(
    r"in\s+this\s+case|this\s+request|the\s+requested|this\s+(?:claimant|patient|worker|"
    r"injured\s+worker|individual|applicant|employee|IW)\b|the\s+applicant|the\s+(?:available|"
    r"submitted|provided)\s+(?:medical\s+)?(?:records?|documentation|notes)|not\s+medically\s+"
    r"necessary|criteria\s+(?:are|were|have|has)\s+not\s+(?:been\s+)?met|at\s+issue|in\s+question|"
    r"not\s+recommended\s+by\s+(?:the\s+)?(?:guidelines?|MTUS|ODG|ACOEM)|"
    r"present\s+here|here,"
)
# Weaker signs of the case ('the patient' is also the guidelines' generic patient, so it does
# not count after 'if', 'when' or 'unless').
CASE_VERBS = (
    r"certified|authorized|approved|denied|modified|performed|obtained|noted|documented|reported|"
    r"prescribed|seen|evaluated|treated|injured|given|provided|submitted|done|completed|ordered|"
    r"requested"
)
RECORD_NOUNS = r"films?|x-rays?|radiographs?|mri|ct|scan|imaging|emg|exam|examination"
MONTHS = r"january|february|march|april|may|june|july|august|september|october|november|december"
CASE = phrases(
    r"here,|the\s+(?:patient|claimant|injured\s+worker|IW|employee|worker|individual)\b|"
    r"he\b|she\b|his\b|her\b|"
    r"the\s+medical\s+(?:records?|documentation|documents|notes?|reports?)\b|"
    r"the\s+(?:records?|documentation|documents|notes?|reports?|progress\s+notes?)\b|"
    r"the\s+clinical\s+(?:notes?|documentation|information|records?)\b|"
    r"the\s+(?:treating|requesting|attending|treater|provider|physician|doctor|surgeon|"
    r"prescriber|therapist|clinician)\b|"
    rf"(?:{RECORD_NOUNS}|studies|study)\s+(?:showed|revealed|demonstrated|documented)\b|"
    rf"(?:{RECORD_NOUNS})\s+(?:shows?|reveals?|demonstrates?|documents?)\b|"
    rf"(?:{RECORD_NOUNS})\s+(?:does|did)\s+not\s+(?:show|reveal|demonstrate|document)\b|"
    r"the\s+most\s+recent\b|\d{1,2}/\d{1,2}/\d{2,4}|"
    rf"(?:{MONTHS})\s+\d{{1,2}},\s+\d{{4}}|"
    r"there\s+(?:is|was|were|are|has\s+been|have\s+been)\s+(?:no|a\s+lack|lack|not)\b|"
    r"medical\s+necessity|the\s+request\b|this\s+is\s+a\s+request\b|a\s+request\s+for\b|"
    rf"(?:was|were)\s+(?:{CASE_VERBS})\b|(?:was|were)\s+not\s+(?:{CASE_VERBS})\b|"
    r"(?:the|this)\s+(?:injury|accident)\s+(?:occurred|happened)|"
    r"requested\s+(?:is|was|are|were|has|does|did)\b"
)
CASE_LEAD_RE = re.compile(
    r"(?:submitted\s+|available\s+)?medical\s+(?:records?|notes?|documentation)\b", re.IGNORECASE
)
GENERIC_PATIENT = ("if ", "when ", "unless ")
# How guidelines speak of evidence: 'There is no quality evidence of effectiveness ...'.
EVIDENCE_RE = re.compile(
    r"there\s+(?:is|are)\s+(?:little|limited|insufficient|inconclusive|conflicting|some|moderate|"
    r"strong|no\s+(?:quality|good|strong|high[- ]quality|sufficient|convincing|reliable|"
    r"scientific|published))\s+(?:\w+\s+)?evidence\b|there\s+is\s+no\s+evidence\s+(?:of|for)\s+"
    r"(?:its\s+|the\s+)?(?:effectiveness|efficacy|benefit)",
    re.IGNORECASE,
)
UR_SUBJECTS = (
    r"utilization\s+review(?:er)?|UR\b|the\s+prior\s+review(?:er)?|the\s+previous\s+review(?:er)?|"
    r"the\s+initial\s+(?:review(?:er)?|determination)|claims\s+administrator|peer\s+review(?:er)?"
)
UR_VERB = (
    r"[^.]{0,80}?\b(?:stated|states|stating|noted|notes|denied|non-?certified|modified|"
    r"indicated|indicates|based|determined|reasoned|opined|cited|comment\w*|felt|concluded|said|"
    r"letter)\b"
)
UR = phrases("|".join(subject + UR_VERB for subject in UR_SUBJECTS.split("|")))
OPIOID_ADVISORY_RE = re.compile(
    r"addresses\s+the\s+medical\s+necessity\s+of\s+opioids|should\s+not\s+be\s+interpreted\s+"
    r"as\s+a\s+recommendation\s+to\s+stop|advised\s+to\s+consult\s+the\s+mtus\s+opioids"
)


def normalize_rationale(text: str) -> str:
    """Join soft-hyphenated words, straighten double quotes and collapse spaces."""
    return " ".join(text.translate(NORMALIZE).split())


def split_sentences(text: str) -> list[str]:
    """Split prose into sentences, each keeping its stop and closing quotes."""
    sentences: list[str] = []
    start = 0
    for match in SENTENCE_END_RE.finditer(text):
        last = LAST_WORD_RE.search(text, max(start, match.start() - 12), match.start())
        word = last[1].lower() if last else ""
        if len(word) == 1 or word in ABBREVIATIONS:
            continue
        sentences.append(text[start : match.end()].strip())
        start = match.end()
    sentences.append(text[start:].strip())
    return [s for s in sentences if s]


def _speaks_of_case(clause: str, folded: Folded, end: int | None = None) -> bool:
    """Tell whether the clause speaks of the case (before position end of folded.lower)."""
    if CASE_LEAD_RE.match(clause):
        return True
    lower = folded.lower
    return any(
        (end is None or m.start() < end)
        and not lower[max(0, m.start() - 7) : m.start()].endswith(GENERIC_PATIENT)
        for m in CASE.finditer(folded)
    )


def _attribution_start(clause: str, folded: Folded) -> int | None:
    """Return where a guideline is named as the subject of a reporting verb, or None."""
    if ATTRIBUTION_LEAD_RE.match(clause):
        return 0
    return min((m.start() for m in ATTRIBUTION.finditer(folded)), default=None)


def _voice(clause: str, folded: Folded, quoted: bool, previous: Voice) -> Voice:
    """Tell a clause's voice; a clause with no sign of its own continues the previous one."""
    if UR.search(folded):
        return Voice.UR
    if OWN_LEAD_RE.match(clause) or STRONG_OWN.search(folded):
        return Voice.OWN
    if quoted or clause.startswith('"') or EVIDENCE_RE.match(clause):
        return Voice.GUIDELINE
    attribution = _attribution_start(clause, folded)
    if attribution is not None:
        # Whichever comes first is the subject: 'The ODG states that the patient ...' is the
        # guideline's, 'There was no documentation, as the ODG states, ...' the reviewer's.
        return Voice.OWN if _speaks_of_case(clause, folded, attribution) else Voice.GUIDELINE
    return Voice.OWN if _speaks_of_case(clause, folded) else previous


def read_clauses(rationale: str) -> tuple[Clause, ...]:
    """Split a rationale into clauses, each with its voice, dropping the opioid advisory."""
    clauses: list[Clause] = []
    quotes = 0  # double quotes seen so far: odd means a quotation is open
    previous = Voice.GUIDELINE  # rationales open with the guideline, if with anything
    for sentence in split_sentences(normalize_rationale(rationale)):
        if OPIOID_ADVISORY_RE.search(sentence.lower()):
            continue
        for part in CLAUSE_BREAK_RE.split(sentence):
            part = part.strip()
            if not part:
                continue
            folded = fold(part)
            quoted = quotes % 2 == 1
            voice = _voice(part, folded, quoted, previous)
            if quoted and voice is not Voice.GUIDELINE:
                quotes = 0  # the reviewer speaks: a quotation left open has ended
            quotes += part.count('"')
            previous = voice
            clauses.append(Clause(part, voice, folded))
    return tuple(clauses)
