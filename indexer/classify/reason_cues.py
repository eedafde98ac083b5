"""The wordings that ground each reason (TAXONOMY.md section 8), as phrase lists.

Each Cue is a label and the phrasings that ground it when they occur in one of the reviewer's
own clauses. They follow the taxonomy's 'typical wording' column and are written as general
phrasings of each ground ('no documentation of functional improvement', 'failed conservative
care'), not as sentences of particular letters. Every phrasing is matched from the start of a
word, ignoring case (indexer.classify.phrases). How cues combine is decided in reasons.py.
"""

from __future__ import annotations

from dataclasses import dataclass

from indexer.classify.phrases import Phrases, any_of
from indexer.classify.reason_qualifiers import (
    AWAITING,
    CONDITIONS,
    EXCEPTIONAL,
    NEGATIONS,
    STRICT_NEGATIONS,
)

NO_IMPROVEMENT = "No functional improvement"
EXCEEDS = "Exceeds guideline limits"
NOT_RECOMMENDED = "Not recommended by guideline"
NO_INDICATIONS = "Indications not documented"
NO_CONSERVATIVE = "Conservative care not tried"
INSUFFICIENT = "Insufficient documentation"
SAFETY = "Safety or monitoring concerns"
DEPENDS = "Depends on a non-certified service"
DUPLICATE = "Duplicate therapy"
IMPROVEMENT = "Functional improvement shown"
WITHIN = "Within guideline limits"
INDICATIONS = "Indications documented"
CONSERVATIVE_FAILED = "Conservative care failed"
OTHER = "Other"


@dataclass(frozen=True, slots=True)
class Cue:
    """A wording that grounds a label when it occurs in one of the reviewer's own clauses."""

    label: str
    wording: Phrases
    negation: Phrases | None = None  # the clause must also say one of these
    generic: bool = False  # counts only in a clause no other label's cue has claimed
    unless: Phrases | None = None  # the clause must say none of these


NOT_RECOMMENDED_WORDING = any_of(
    r"not\s+recommended\b",
    r"not\s+be\s+recommended\b",
    r"not\s+been\s+recommended\b",
    r"(?:do|does|did)\s+not\s+recommend\b",
    r"no\s+recommendations?\s+(?:of|for)\b",
    r"recommends?\s+against\b",
    r"not\s+(?:been\s+)?shown\s+to\b",
    r"experimental\b",
    r"investigational\b",
    r"no\s+(?:peer[- ]reviewed\s+)?(?:evidence|literature)\s+to\s+support\s+(?:its|the)\s+"
    r"(?:use|efficacy)\b",
    r"no\s+(?:peer[- ]reviewed\s+)?(?:evidence|literature)\s+for\s+(?:its|the)\s+use\b",
    r"insufficient\s+evidence\b",
    r"(?:do|does|did)\s+not\s+support\s+(?:the\s+use|(?:[\w-]+\s+){1,3}for)\b",
    r"at\s+odds\s+with\b",
    r"should\s+be\s+avoided\b",
    r"not\s+indicated\s+for\b",
    r"use\s+of\s+[\w-]+\s+for\b[^.]{0,60}\bis\s+not\s+indicated\b",
)
# Earlier treatment, and what came of it.
EARLIER = r"(?:the\s+)?(?:prior\s+|previous\s+|earlier\s+|past\s+|initial\s+)?"
TREATMENTS = (
    r"(?:usage|use|treatments?|therapy|therapies|sessions|medications?|acupuncture|injections?|"
    r"care|chiropractic|physical\s+therapy)\b"
)
IMPROVEMENT_WORDS = any_of(
    r"functional\s+(?:improvement|benefit|gains?|progress)",
    r"objective\s+(?:improvement|benefit|gains?|response|decrease|increase|measure\w*|evidence)",
    r"improvement\s+in\s+(?:pain|function\w*)",
    r"increase\s+in\s+function",
    r"benefit\w*\s+from",
    r"(?:is|was)\s+benefiting",
    r"pain\s+relief",
    r"progress\s+in\s+terms",
    r"been\s+helpful",
    r"documented\s+improvement",
    r"subjective\s+or\s+objective\s+improvement",
    rf"(?:response|responded)\s+to\s+{EARLIER}{TREATMENTS}",
    r"relief\s+(?:from|with|after)",
    r"(?:degree|duration|percent\w*|amount|level)\s+of\s+(?:pain\s+)?relief",
    r"(?:documented|objective|significant|clinical|any|measurable)\s+benefit",
    r"benefit\s+(?:was|has\s+been)\s+(?:documented|shown|noted)",
    r"(?:decrease|reduction)\s+in\s+(?:the\s+)?(?:use|need|dose)",
    r"(?:change|improvement|increase|reduction|decrease)\s+in\s+(?:work\s+status|activities|"
    r"adls?|function\w*|medication|pain|the\s+use|pain\s+(?:scores?|levels?|ratings?))",
    r"activities\s+of\s+daily\s+living",
    r"adls?\b",
    r"what\s+activities",
    rf"objective\s+results?\s+of\s+{EARLIER}{TREATMENTS}",
    rf"results?\s+of\s+{EARLIER}{TREATMENTS}",
    r"objective\s+results",
    rf"outcomes?\s+of\s+{EARLIER}{TREATMENTS}",
)
# Risks and the monitoring they call for (opioids, NSAIDs, drugs with known side effects).
MONITORING = any_of(
    r"cures\b",
    r"risk\s+(?:assessment|factors?|stratification)",
    r"aberrant",
    r"pain\s+(?:agreement|contract)",
    r"(?:4|four)\s+a'?s\b",
    r"contraindicat\w*",
    r"side\s+effects?",
    r"adverse\s+(?:effects?|events?|reactions?)",
    r"drug\s+interactions?",
    r"risks?\s+(?:of|associated|with)\b",
    r"(?:chronic|long[- ]term|gastrointestinal|gi|cardiovascular|renal|hepatic|bleeding)\s+"
    r"risks?\b",
    r"wean\w*",
    r"taper\b",
    r"tapered\b",
    r"tapering\b",
    r"dependence\b",
    r"addiction\b",
    r"overdose\b",
    r"sedation\b",
    r"(?:laboratory|lab|liver|renal|kidney|hepatic|blood|drug|opioid)\s+(?:function\s+)?"
    r"monitoring\b",
    r"(?:liver|renal|kidney|hepatic)\s+function\s+tests?\b",
    r"urine\s+(?:drug\s+|toxicology\s+)?(?:screens?|tests?|testing|toxicology)",
    r"toxicology\s+(?:screens?|tests?)",
    r"uds\b",
    r"inconsistent\b",
)
NOT_NECESSARY = (
    r"(?:is|was|are|were|has\s+been|have\s+been)\s+(?:deemed\s+|found\s+|also\s+|determined\s+)?"
    r"(?:to\s+be\s+)?(?:not|non-?)\s*(?:medically\s+necessary|necessary|certified|authorized|"
    r"approved)\b"
)
SINCE = r"(?:as|since|because|given(?:\s+that)?)\s+the\s+"
UPHELD_CUES = (
    Cue(
        DEPENDS,
        any_of(
            # 'As the requested surgery is not medically necessary, the ...'
            rf"{SINCE}(?!request\s)(?:[\w/-]+\s+){{1,6}}?{NOT_NECESSARY}[^.]{{0,20}},",
            rf"{SINCE}(?:[\w/-]+\s+){{0,3}}?(?:nsaids?|anti-?inflammator\w*|opioids?)\s+"
            r"(?:is|was|are|were|has\s+been)\s+not\s+(?:supported|recommended|indicated)\b",
            r"non-certified\b",
            r"noncertified\b",
            r"ancillary\b[^.]{0,60}\bnot\b",
            r"(?:associated|primary|underlying|requested)\s+(?:[\w/-]+\s+){0,4}?(?:was|is|has\s+"
            r"been|were)\s+(?:not|non-?)\s*(?:certified|authorized|approved)\b",
            r"(?:surgery|procedure|operation|surgical\s+intervention)\s+(?:was|is|has\s+been)\s+"
            r"not\s+(?:certified|authorized|approved)\b",
            r"associated\b[^.]{0,60}\balso\s+not\b",
            r"is\s+also\s+not\s+medically\s+necessary",
            r"not\s+(?:medically\s+)?necessary\s+(?:either|as\s+well)\b",
        ),
    ),
    Cue(NOT_RECOMMENDED, NOT_RECOMMENDED_WORDING, unless=CONDITIONS),
    Cue(
        EXCEEDS,
        any_of(
            r"exceed\w*",
            r"in\s+excess\s+of\b",
            r"surpass\w*",
            r"upper\s+limit\b",
            r"limits?\s+(?:the\s+)?(?:use|duration|treatment)\s+to\b",
            r"beyond\s+(?:the\s+)?(?:recommended|guidelines?|allowed|short[- ]term|maximum|"
            r"initial)",
            r"(?:third|fourth|fifth|sixth)\s+(?:injection|block|procedure|course|series)\b",
            r"more\s+than\s+(?:the\s+)?(?:recommended|guidelines?|allowed)",
            r"would\s+allow\s+only\b",
            r"allow\s+only\b",
            r"maximum\s+(?:duration|number)\b",
        ),
        unless=EXCEPTIONAL,  # 'no exceptional factors ... beyond the guidelines' is not a limit
    ),
    Cue(
        EXCEEDS,
        any_of(
            r"(?:extenuating|exceptional)\s+(?:factors|circumstances)\b[^.]*\b(?:(?:additional|"
            r"more)\s+(?:\d+|two|three|four|six|eight|ten|twelve)|\d+\s+(?:more|additional))\b"
        ),
    ),
    Cue(NO_IMPROVEMENT, IMPROVEMENT_WORDS, STRICT_NEGATIONS, unless=AWAITING),
    Cue(
        NO_IMPROVEMENT,
        any_of(
            r"against\b[^.]{0,80}\bfunctional\s+improvement",
            r"(?:transient|temporary|short[- ]lived|minimal|partial|brief)\s+(?:pain\s+)?(?:relief|"
            r"benefit|improvement|response)",
            r"continues\s+to\s+(?:take|use|require|need)\s+(?:the\s+same|similar|\w+\s+)",
            r"no\s+benefit\b",
            r"without\s+(?:any\s+)?benefit\b",
            r"off\s+(?:of\s+)?work\b",
            r"total\s+temporary\s+disability\b",
            r"remains?\s+(?:highly\s+)?(?:reliant|dependent)\b",
            r"not\s+(?:alleviated|helped|improved)\b",
            r"had\s+not\s+alleviated\b",
            r"little\s+changed\b",
            r"unchanged\b[^.]{0,50}\b(?:limitation|restriction)s?\b",
            r"(?:efficacy|functional\s+improvement|benefit|outcome)s?\b[^.]{0,40}?\b(?:not|never)\s+"
            r"(?:been\s+)?(?:documented|established|demonstrated|shown|included|reported)\b",
        ),
    ),
    Cue(
        NO_INDICATIONS,
        any_of(
            r"red[- ]flags?",
            r"neurolog\w*\s+(?:deficits?|findings?|abnormalit\w*|dysfunction|signs?|symptoms?|"
            r"exam\w*|impairment|compromise|conditions?)",
            r"(?:nerve|nerve\s+root|neural)\s+(?:compromise|impairment|dysfunction|entrapment|"
            r"involvement|deficits?)",
            r"radicul\w+",
            r"(?:focal|motor|sensory)\s+deficits?",
            r"neuropath\w+",
            r"surg(?:ery|ical)\b",
            r"invasive\s+procedure",
            r"act\s+on\s+the\s+results",
            r"instability",
            r"criteria",
            r"not\s+(?:clinically\s+)?indicated\b(?!\s+for\b)",
            r"clinical\s+indications?\s+(?:for|of|is)\b",
            r"indications?\s+(?:for|of|is)\b",
            r"(?:exam\w*|reflexes|strength|sensation|motor\s+function)\b[^.]{0,40}\b(?:normal|"
            r"intact|unremarkable|negative|well-preserved)",
            r"(?:normal|unremarkable|negative|intact)\s+(?:\w+\s+){0,3}?(?:exam\w*|tests?|testing|"
            r"findings|reflexes|strength|sensation)",
            r"undermin\w+",
            r"(?:utiliz\w*|taking|using|on)\s+(?:\w+\s+)?opioids?",
            r"at\s+(?:high\s+)?risk\s+for",
            r"minimal\s+impairment",
            r"mild\s+swelling",
            r"returned\s+to\s+(?:regular\s+|full\s+)?work",
            r"return\s+to\s+regular\s+work",
            r"released\s+to\s+(?:regular\s+|full\s+)?(?:work|duty)",
            r"(?:change|worsening|progression)\s+in\s+(?:the\s+)?(?:exam\w*|symptoms|findings|"
            r"condition|neurolog\w*)",
            r"new\s+(?:injury|symptoms|findings|deficits?|trauma)",
            r"substantiate\s+the\s+diagnosis",
        ),
        NEGATIONS,
    ),
    Cue(
        NO_INDICATIONS,
        any_of(
            r"(?:findings?|signs?|diagnos(?:is|es|ed)|conditions?|history\s+of|symptoms?|pathology|"
            r"lesion|concerns?|suspicion|abnormal\w*|physical\s+exam\w*|medical\s+need|depression|"
            r"anxiety|suggest\w*|substantiate)\b"
        ),
        NEGATIONS,
        generic=True,
    ),
    Cue(
        NO_CONSERVATIVE,
        any_of(
            r"conservative\s+(?:care|treatments?|therap\w*|measures?|management|modalit\w*|"
            r"options?)",
            r"first[- ]line\b",
            r"(?:trialed|tried)\s+and\s+failed\b",
            r"failed\s+(?:conservative|first|other|prior|oral)\b",
            r"(?:intoleran\w*|(?:not\s+able|unable)\s+to\s+tolerate|cannot\s+tolerate|inability\s+"
            r"to\s+tolerate)\b[^.]{0,60}?\b(?:oral|pill|tablet|by\s+mouth)\b",
            r"antidepressants\s+and\s+anticonvulsants\b",
            r"(?:adjunct|initiated|involved|enrolled|participat\w*|engaged)\b[^.]{0,50}\bprogram\b",
            r"(?:not\s+yet|never)\s+(?:had|tried|undergone|attempted|received)\b",
            r"not\s+(?:yet\s+)?(?:been\s+)?(?:treated|tried)\s+with\b",
            r"(?:trial|course|failure)\s+of\s+(?:a\s+)?(?:supervised\s+|home\s+)?exercise\b",
            r"trial\s+of\s+(?:\w+\s+){0,2}?(?:injections?|medications?|physical\s+therapy|nsaids?|"
            r"splint\w*|bracing|gabapentin|antidepressants?|anticonvulsants?|first[- ]line)\b",
            r"(?:without|no|lack\s+of)\s+(?:a\s+)?(?:documented\s+)?trial\s+of\b",
            r"(?:true|adequate|significant)\s+(?:attempt|trial|course)\b",
            r"exhausted\b",
        ),
        STRICT_NEGATIONS,
    ),
    # Still improving with the current course: not yet failed.
    Cue(NO_CONSERVATIVE, any_of(r"(?:is|was|are)\s+(?:responding|improving|progressing)\b")),
    Cue(
        DUPLICATE,
        any_of(
            r"duplicat\w+",
            r"already\s+(?:being\s+)?(?:followed|seen|treated|under\s+the\s+care)\b",
            r"already\s+(?:taking|using|on|utiliz\w*|receiving|owns?|has\s+(?:a|an|the)|had\s+"
            r"(?:a|an|the))\b",
            r"(?:additional|another|second)\s+(?:nsaid|opioid|muscle\s+relaxant|anti-?inflammatory|"
            r"antidepressant|anticonvulsant)",
            r"in\s+conjunction\s+with\s+(?:so\s+many|other|multiple)\b",
            r"same\s+(?:class|drug|medication)\b",
        ),
    ),
    Cue(SAFETY, MONITORING),
    Cue(
        INSUFFICIENT,
        any_of(
            r"(?:no|lack(?:ing)?|without|absence|not|unclear|failed\s+to\s+(?:provide|outline|"
            r"give|offer)|does\s+not\s+include)\b[^.]{0,80}?\b(?:rationale|rational|explanation|"
            r"justification|reason\s+(?:for|why))\b",
            r"(?:rationale|rational|explanation|justification)\b[^.]{0,90}?\b(?:not\s+(?:apparent|"
            r"provided|given|clear|stated|documented|included|offered)|unclear|lacking)\b",
            r"no\s+(?:clear\s+)?(?:indication|explanation|reason)\s+(?:as\s+to\s+)?why\b",
            r"(?:no|without)\s+(?:clear\s+|specific\s+)?reason\s+(?:was\s+|is\s+|has\s+been\s+)?"
            r"(?:given|provided|offered|stated|documented)",
            r"(?:did|does)\s+not\s+(?:explain|state|specify|detail|outline|describe|indicate)\s+"
            r"(?:what|how|why|the\s+(?:reason|purpose|rationale|need|goals?))\b",
            r"not\s+(?:clearly\s+)?stated\s+(?:or\s+clearly\s+established\s+)?why\b",
            r"unclear\s+(?:as\s+to\s+)?why\b",
            r"how\s+(?:the\s+)?results\s+would\s+(?:affect|change)",
            r"no\s+clear\s+(?:treatment\s+)?goals",
            r"goals\s+were\s+neither",
            r"goals?\s+(?:was|were|have\s+been)\s+not\s+(?:stated|provided|proffered)",
        ),
    ),
    Cue(
        INSUFFICIENT,
        any_of(
            r"(?:did\s+not|does\s+not|failed\s+to|fails\s+to|not)\s+specif(?:y|ied|ies)\b",
            r"unspecified\s+(?:quantity|number|frequency|duration|body\s+part|length)",
            r"unknown\s+(?:quantity|number|frequency|duration|amount)",
            r"no\s+endpoint",
            r"(?:quantity|frequency|duration|body\s+part)\b[^.]{0,40}\b(?:not\s+(?:specified|"
            r"stated|indicated)|unclear|unknown)\b",
            r"unclear\s+(?:of\s+)?(?:what|which)\s+body\s+part",
            r"first[- ]time\s+(?:request|prescription)\s+or\s+ongoing",
            r"does\s+not\s+address\s+(?:the\s+)?medical\s+necessity",
            r"could\s+not\s+be\s+(?:established|determined)\b",
        ),
    ),
    Cue(
        INSUFFICIENT,
        any_of(
            r"no\s+(?:[\w-]+\s+){1,5}?(?:was|were|has\s+been|have\s+been)\s+(?:provided|submitted|"
            r"included|supplied)\b",
            r"(?:was|were|has\s+been|have\s+been|is|are)\s+not\s+(?:provided|submitted|included|"
            r"supplied|available)\b",
        ),
        unless=MONITORING,  # a drug screen not provided is a matter of monitoring
    ),
    Cue(
        INSUFFICIENT,
        # How much of the earlier treatment was given: 'unclear how many sessions she has had'.
        any_of(
            r"(?:how\s+many|total\s+number\s+of|number\s+of)\s+(?:[\w-]+\s+){0,3}?(?:sessions|visits|"
            r"treatments)\b(?=[^.]*\b(?:completed|had|received|attended|to\s+date|already))"
        ),
        STRICT_NEGATIONS,
    ),
)
OVERTURNED_CUES = (
    Cue(
        IMPROVEMENT,
        any_of(
            r"functional\s+(?:improvement|gains?|benefit)",
            r"improv\w*\s+(?:in\s+)?function",
            r"returned\s+to\s+(?:\w+\s+)?(?:work|duty)",
            r"successful\s+return",
            r"(?:is|was)\s+\"?helping",
            r"decreased\s+(?:in\s+)?(?:medication|pain|use|reliance)",
            r"(?:reduc\w*|less)\s+(?:medication|reliance)",
            r"benefit(?:ed|ted)?\s+from",
            r"pain\s+relief",
            r"pain\s+(?:decreased|was\s+reduced|improved)",
            r"(?:decrease|reduction)\s+in\s+pain",
            r"increased\s+(?:activity|function\w*|tolerance)",
        ),
    ),
    Cue(
        WITHIN,
        any_of(
            r"within\s+(?:the\s+)?(?:[\w-]+\s+){0,4}?(?:guidelines?|recommend\w*|limits?|trial)",
            r"consistent\s+with\s+(?:the\s+)?(?:[\w-]+\s+){0,3}?(?:guidelines?|recommend\w*|trial)",
            r"(?:duration|quantity|number)\b[^.]{0,40}\b(?:is|are|appears?)\s+(?:reasonable|"
            r"appropriate)",
            # a first course: 'no prior acupuncture sessions', 'has not tried it in the past'
            r"(?:no|not|lack)\b[^.]{0,60}\b(?:prior|previous|already\s+tried)\b[^.]{0,40}\b"
            r"(?:sessions|treatments|visits|chiro\w*|acupuncture|therapy)",
            r"(?:not|never)\s+(?:tried|had|received|undergone)\b[^.]{0,40}\b(?:in\s+the\s+past|"
            r"before|previously)",
            r"initial\s+trial\b",
        ),
    ),
    Cue(
        CONSERVATIVE_FAILED,
        any_of(
            r"(?:conservative|first[- ]line|physical\s+therapy|medications?|other\s+(?:treatments|"
            r"measures))[^.]{0,80}?\b(?:have|has)\s+(?:all\s+)?(?:failed|been\s+unsuccessful)",
            r"failed\s+(?:conservative|first[- ]line)",
            r"failure\s+of\s+(?:conservative|first)",
            r"(?:has|have|had)\s+(?:also\s+)?failed\b",
            r"failed\s+to\s+(?:respond|improve)\b",
            r"(?:were|was|have\s+been|has\s+been)\s+unsuccessful\b",
            r"(?:conservative|physical\s+therapy|medications?|nsaids?|injections?)\b[^.]{0,120}?"
            r"\bwithout\s+(?:lasting\s+|significant\s+|sustained\s+|any\s+)?(?:improvement|relief|"
            r"benefit)\b",
            r"despite\s+(?:\w+\s+){0,3}(?:physical\s+therapy|conservative|medications?|injections?)",
        ),
    ),
)
