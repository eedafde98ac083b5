"""Classify a disputed item into the treatment taxonomy (TAXONOMY.md section 2).

Rules are tried in priority order and the first one whose pattern occurs in the item
text wins. Services come before drugs (a psychiatric consultation about Xanax is a
consultation), drugs before equipment words (a Salonpas pad is a drug), and the generic
visit words ('exam', 'consultation') come last, so a discipline named with them wins.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from indexer.classify import drugs
from indexer.classify.vocabulary import vocabulary

Label = tuple[str | None, str | None]
NO_LABEL: Label = (None, None)

# 'X was the original request. ... The remaining IMR eligible portion of the original
# request, Y is' and 'The original request, Y is': the item decided is Y.
RESTATED_RE = re.compile(
    r"(?:remaining\s+IMR\s+eligible\s+portion\s+of\s+the\s+original\s+request|"
    r"The\s+original\s+request)\s*,\s*(?P<rest>.+?)(?:\s+is)?\s*[:.]?\s*$",
    re.IGNORECASE | re.DOTALL,
)
# Prefixes that say why an item exists, not what it is.
CONTEXT_PREFIX_RE = re.compile(
    r"^\s*(?:associated\s+surgical\s+services?|retrospective(?:\s+request)?|"
    r"prospective(?:\s+request)?|request(?:\s+for)?|decision\s+for)\s*[:\-]?\s*",
    re.IGNORECASE,
)

# Drugs given as a shot for a systemic effect (not an injection procedure at a site).
SYSTEMIC_SHOT_RE = re.compile(
    r"\b(?:toradol|ketorolac|b-?12|vitamin|cyanocobalamin|testosterone|lovenox|enoxaparin|"
    r"depo-?provera|demerol|phenergan|rocephin|ceftriaxone)\b.*\b(?:inject\w*|shots?|IM)\b|"
    r"\b(?:IM|intramuscular(?:ly)?)\b",
    re.IGNORECASE,
)
INJECTION_WORD_RE = re.compile(r"\b(?:inject\w*|shots?)\b", re.IGNORECASE)
TOPICAL_FORM_RE = re.compile(
    r"\b(?:cream|gel|ointment|lotion|patch(?:es)?|topical|liniment|spray|roll-?on|pads?)\b",
    re.IGNORECASE,
)
COMPOUND_RE = re.compile(
    r"\b(?:compound(?:ed|ing)?|cream\s+base|lipoderm|ketophene|cyclophene|"
    r"transdermal\s+base)\b",
    re.IGNORECASE,
)
PERCENT_RE = re.compile(r"\d\s*%")
FREQUENCY_RE = re.compile(r"\b\d+\s*(?:x|times)\s*\d+\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Rule:
    """One keyword pattern and the label it gives."""

    pattern: re.Pattern[str]
    category: str
    subcategory: str


def _rule(pattern: str, category: str, subcategory: str) -> Rule:
    return Rule(re.compile(pattern, re.IGNORECASE), category, subcategory)


REHAB = "Rehabilitation"
PSYCH = "Psych Services"
PT_OT = "Physical Therapy/Occupational Therapy (PT/OT)"

PSYCH_WORDS = (
    r"psycholog\w*|psychiatr\w*|psychotherap\w*|cognitive[\s-]+behavio\w*|\bCBT\b|"
    r"hypnotherap\w*|counsel+ing|neuropsycholog\w*|mental\s+health|\bpsych\b"
)
EVALUATION_WORDS = (
    r"evaluat\w*|eval\b|consult\w*|testing|tests?\b|assessment|exam\w*|referral|clearance"
)
# Medical clearance is one service however it is worded: 'Medical clearance', 'Cardiac
# clearance', 'Pre-operative medical evaluation', 'Pre-op H&P' (TAXONOMY.md section 2).
CLEARANCE = (
    r"\bclearance\b|\bpre-?\s*(?:op|operative|surgical)\b\.?\s+(?:\w+\s+){0,2}"
    r"(?:evaluat\w*|eval\b|consult\w*|exam\w*|H\s*&\s*P|history\s+and\s+physical|visit)"
)

# Rules before the drug table: services whose words never name a drug.
SERVICE_RULES = (
    _rule(
        r"synvisc|orthovisc|euflexxa|supartz|hyalgan|gel-?one|monovisc|gelsyn|"
        r"hyaluron\w*|visco-?supplement\w*",
        "Pharmaceuticals",
        "Viscosupplementation",
    ),
    _rule(
        r"\btransport\w*|\btaxi\b|ambulance|\bmileage\b|\buber\b|\blyft\b",
        "Transportation",
        "Transportation",
    ),
    _rule(
        r"functional\s+restoration|\bFRP\b|work\s+(?:hardening|conditioning)|"
        r"weight\s+(?:loss|reduction)\s+program|detox\w*|inpatient\s+rehab\w*|"
        r"skilled\s+nursing|\bSNF\b|partial\s+hospitali[sz]ation|day\s+treatment|"
        r"\bgym\b|pool\s+(?:membership|access)|health\s+club|\bmembership\b|"
        r"\bHELP\s+program|multidisciplinary\s+(?:pain\s+)?program|pain\s+program|"
        r"restoration\s+program|rehabilitation\s+(?:program|facility|center)",
        "Programs",
        "Programs",
    ),
    _rule(r"acupunct\w*|acupressure", REHAB, "Acupuncture"),
    # A psychological evaluation or clearance before a stimulator or an operation is still
    # a psychological service.
    _rule(rf"(?:{PSYCH_WORDS}).*(?:{EVALUATION_WORDS})", PSYCH, "Evaluation & Management"),
    _rule(rf"(?:{EVALUATION_WORDS}).*(?:{PSYCH_WORDS})", PSYCH, "Evaluation & Management"),
    _rule(
        r"spinal\s+cord\s+stimulat\w*|\bSCS\b|dorsal\s+column\s+stimulat\w*|"
        r"intrathecal\s+pump",
        "Surgery",
        "Spine",
    ),
    _rule(
        r"assistant\s+surgeon|surgical\s+assist\w*|\bPA\s+assist\w*|co-?surgeon|"
        rf"anesthes\w*|{CLEARANCE}|"
        r"(?:inpatient|hospital)\s+(?:stay|admission)|length\s+of\s+stay|"
        r"\bday\s+(?:inpatient|stay)|intra-?operative\s+(?:neuro)?monitoring|"
        r"neuromonitoring|surgical\s+facility|surgi-?center|outpatient\s+surgery\s+center",
        "Surgery",
        "Adjunct Surgical Services",
    ),
    _rule(
        r"home\s+health|home\s+care|home\s+nurs\w*|\bRN\b|\bLVN\b|nurs(?:e|ing)\s+visits?|"
        r"\baides?\b|caregiver|in-?home\s+(?:support|assistance|services?)|"
        r"housekeep\w*|attendant\s+care|wound\s+care\s+nurs\w*",
        "Home Health",
        "Home Health",
    ),
    _rule(PSYCH_WORDS + r"|group\s+therapy|biofeedback.*(?:psych|CBT)", PSYCH, "Therapies"),
    _rule(
        r"(?<!post-)(?<!post)(?<!post\s)(?<!pre-)(?<!pre)(?:surg\w+|orthop(?:a)?edi\w*|neurosurg\w*|"
        r"podiatr\w*).*"
        r"(?:consult\w*|evaluat\w*|eval\b|referral|visit|opinion|second\s+opinion)|"
        r"(?:consult\w*|evaluat\w*|referral)\s+(?:\w+\s+){0,3}"
        r"(?:surg\w+|orthop(?:a)?edi\w*|neurosurg\w*)",
        "Surgery",
        "Surgical Consult",
    ),
    _rule(
        r"chiro\w*|manipulat\w*|manual\s+therap\w*|mobili[sz]ation|osteopathic|\bOMT\b|\bCMT\b",
        REHAB,
        "Chiropractic",
    ),
    _rule(
        r"\bdental\b|dentist\w*|\bcrowns?\b|dentures?|\bteeth\b|\btooth\b|periodont\w*|"
        r"orthodont\w*",
        "Evaluation & Management",
        "Dental Services",
    ),
    _rule(
        r"\bEMG\b|\bNCV\b|\bNCS\b|\bSSEP\b|electrodiagnos\w*|electro[\s-]+diagnos\w*|"
        r"electromyogra\w*|nerve\s+conduction|evoked\s+potential\w*",
        "Diagnostic Testing",
        "EMG/NCV/NCS",
    ),
    _rule(
        r"\bCBC\b|\bCMP\b|\bBMP\b|chem(?:istry)?\s*(?:-|\d+\s+)?panel|\bPT\s*/\s*PTT\b|\bPTT\b|"
        r"\bPT\s*/\s*INR\b|\bINR\b|urinalysis|\bUA\b|\burine\b|drug\s+(?:screen|test)\w*|"
        r"toxicolog\w*|\bUDS\b|\bUDT\b|\blabs?\b|laborator\w*|blood\s+(?:test|work|draw)\w*|"
        r"\bpanel\b|patholog\w*|hemoglobin|\bA1C\b|metabolic|liver\s+function|\bLFTs?\b|"
        r"genetic\s+test\w*|\bDNA\b|cytokine|\bcultures?\b|\bESR\b|\bCRP\b|\bTSH\b|"
        r"serum\b|\bassay\b",
        "Diagnostic Testing",
        "Lab & Pathology",
    ),
    _rule(
        r"\bEKG\b|\bECG\b|electrocardiogra\w*|\bEEG\b|electroencephalogra\w*|"
        r"functional\s+capacity|\bFCE\b|\bgrip\b|\bjamar\b|(?:range\s+of\s+motion|\bROM)\s+(?:test|measure)\w*|"
        r"thermogra\w*|\bTPII\b|impedance|sleep\s+stud\w*|polysomnogra\w*|holter|"
        r"echocardiogra\w*|stress\s+test|pulmonary\s+function|spirometr\w*|"
        r"muscle\s+testing|computeri[sz]ed\s+\w+\s+testing|qualitative\s+functional|"
        r"vestibular\s+test\w*|audiogra\w*|audiometr\w*|hearing\s+test|"
        r"\bdiagnostic\s+tests?\b",
        "Diagnostic Testing",
        "Other Diagnostic Tests",
    ),
    _rule(
        r"facet|medial\s+branch|radiofrequency|\bRFA\b|rhizotomy|neurotomy",
        "Injection",
        "Facet Injection",
    ),
)

INJECTION_RULE = _rule(
    r"epidural|\bESIs?\b|trigger\s+points?|\bTPIs?\b|nerve\s+blocks?|\bblocks?\b|"
    r"inject\w*|\bPRP\b|platelet|adhesiolysis|neuroplasty|\bracz\b|cortisone|"
    r"steroid\s+shot|prolotherap\w*|botox|botulinum|aspiration|arthrocentesis",
    "Injection",
    "Injection",
)

# Rules after the drug table.
LATER_RULES = (
    _rule(
        r"(?:therapeutic|pulsed)\s+ultrasound|ultrasound\s+(?:therap\w*|treatment|sessions?)|"
        r"massage|myofascial|infrared|\btraction\b(?!\s+unit)|spinolator|hot\s*/\s*cold\s+packs?|"
        r"hot\s+packs?|cold\s+packs?|paraffin|diathermy|iontophoresis|phonophoresis|"
        r"whirlpool|biofeedback|\bmodalit\w*|kinesio\s*tap\w*|dry\s+needling|\bcupping\b",
        REHAB,
        "Other Therapies",
    ),
    _rule(
        r"\bMRIs?\b|\bMRA\b|\bMR\b|magnetic\s+resonance|\bCT\b|\bCAT\s+scan|computed\s+tomogra\w*|"
        r"x-?rays?|radiogra\w*|bone\s+scan|scintigra\w*|arthrogra\w*|myelogra\w*|discogra\w*|"
        r"\bDEXA\b|\bDXA\b|bone\s+density|ultrasound|sonogra\w*|doppler|imaging|\bPET\b|"
        r"fluoroscop\w*|\bscan\b",
        "Diagnostic Testing",
        "Imaging/Radiology",
    ),
    _rule(
        r"shock\s*wave|\bESWT\b|laser|\bLLLT\b|hyperbaric|\bPEMF\b|pulsed\s+electromagnetic|"
        r"stem\s+cell|ozone\s+therap\w*",
        "Therapies",
        "Other Therapies",
    ),
    _rule(
        r"(?:TENS|EMS|H-?wave|interferential|IF|NMES)(?:\s+unit)?\s+"
        r"(?:electrodes?|supplies|batter\w*|lead\s+wires?|patches|pads)|"
        r"electrodes?|\bsupplies\b|\bwraps?\b|\bhip\s+pads?\b|(?<!heat\s)(?<!heating\s)(?<!therapy\s)\bpads?\b|garments?|\bgloves?\b|"
        r"\bwipes\b|dressings?|bandages?|stockings?|\bsleeves?\b|\bgauze\b|catheters?|"
        r"\bdiapers?\b|incontinence",
        "DMEPOS",
        "Supplies",
    ),
    _rule(
        r"\bTENS\b|\bEMS\b|e-?stim\w*|electric(?:al)?\s+(?:muscle\s+|nerve\s+)?stimulat\w*|"
        r"interferential|\bIF\s+unit|h-?wave|\bNMES\b|neuro-?stimulat\w*|\bLINT\b|"
        r"\bPENS\b|galvanic|microcurrent|\bMENS\b|\bstimulator\b",
        "DMEPOS",
        "Electrical Stimulation",
    ),
    _rule(
        r"physical\s+therap\w*|\bPT\b|physiotherap\w*|occupational\s+therap\w*|\bOT\b|"
        r"hand\s+therap\w*|therapeutic\s+exercises?|aqua\w*\s+therap\w*|water\s+therap\w*|"
        r"pool\s+therap\w*|physical\s+medicine|rehabilitation|rehab\b|\bPT/OT\b|"
        r"work\s+simulation|therapy\s+sessions?|gait\s+training|vestibular\s+rehab\w*",
        REHAB,
        PT_OT,
    ),
    _rule(
        r"arthroscop\w*|\bscope\b",
        "Surgery",
        "Arthroscopic Surgery",
    ),
    _rule(
        r"fusion|arthrodesis|laminectomy|laminotomy|hemilaminectomy|discectomy|diskectomy|"
        r"microdiscectomy|foraminotomy|kyphoplasty|vertebroplasty|disc\s+replacement|"
        r"disc\s+arthroplasty|\bACDF\b|\bTLIF\b|\bPLIF\b|\bALIF\b|\bXLIF\b|corpectomy|"
        r"(?:lumbar|cervical|thoracic|spinal?)\s+(?:\w+\s+){0,2}(?:decompression|surgery)",
        "Surgery",
        "Spine",
    ),
    _rule(
        r"orthos[ei]s|orthotics?|\bbraces?\b|\bbracing\b|\bsplints?\b|\bslings?\b|ultrasling|"
        r"\bcollar\b|\bsupports?\b|\binsoles?\b|\binserts?\b|prosthe\w*|immobili[sz]er|"
        r"walking\s+boot|\bcam\s+boot|\bboot\b|\bcorset\b|\bbinder\b|\bheel\s+cups?|"
        r"\bLSO\b|\bTLSO\b|\bAFO\b|\bKAFO\b|\bcast\b|\bbelt\b",
        "DMEPOS",
        "Prosthetics/Orthotics",
    ),
    _rule(
        r"wheelchair|commode|shower\s+chair|bath\w*\s+(?:chair|bench|seat)|tub\s+(?:chair|bench)|"
        r"hospital\s+bed|\bscooter\b|\bwalker\b|\bcane\b|crutch\w*|cold\s+therapy|"
        r"cryotherap\w*|\bcryo\b|ice\s+(?:machine|unit)|cold\s+compression|vascutherm|"
        r"game\s+ready|polar\s+care|heat\w*\s+(?:therapy\s+)?(?:pad|unit|wrap)|heating\s+pad|"
        r"\bpillows?\b|mattress\w*|workstation|\bdesk\b|\bchair\b|hearing\s+aids?|"
        r"traction\s+unit|home\s+traction|\bDME\b|durable\s+medical|\bunit\b|\bmachine\b|"
        r"\bdevice\b|\bequipment\b|exercise\s+(?:kit|equipment|bike|ball)|\bbike\b|"
        r"\bcompression\s+pump|\bpump\b|\blift\b|raised\s+toilet|grab\s+bars?|\breacher\b|"
        r"\brecliner\b|\bbed\b",
        "DMEPOS",
        "DME",
    ),
    _rule(
        r"surg\w*|\brepair\b|release|\bORIF\b|open\s+reduction|internal\s+fixation|"
        r"arthroplasty|replacement|reconstruct\w*|osteotomy|excision|hardware\s+removal|"
        r"removal\s+of\s+hardware|tenotomy|fasciotomy|debridement|amputation|"
        r"\w+ectomy\b|\w+otomy\b|\w+plasty\b|fixation|transposition|tenodesis|neurolysis|"
        r"\boperati(?:on|ve)\b|procedure",
        "Surgery",
        "Non-arthroscopic Surgery",
    ),
    _rule(
        r"pain\s+management|consult\w*|referral|office\s+visits?|follow-?\s*up|\bvisits?\b|"
        r"\bexam\w*|evaluat\w*|\beval\b|re-?evaluat\w*|specialist|internal\s+medicine|"
        r"neurolog\w*|cardiolog\w*|rheumatolog\w*|dermatolog\w*|gastroenterolog\w*|"
        r"urolog\w*|ophthalmolog\w*|optometr\w*|otolaryngolog\w*|\bENT\b|podiatr\w*|"
        r"physiatr\w*|sleep\s+medicine|medication\s+management|\bappointments?\b|"
        r"\bconsultation\b|\bphysician\b|\bdoctor\b|\bMD\b",
        "Evaluation & Management",
        "Medical Specialties",
    ),
)


def remaining_request(treatment: str) -> str:
    """Return the part of an item heading that names what was actually decided."""
    text = re.sub(r"\s+", " ", treatment).strip()
    match = RESTATED_RE.search(text)
    if match:
        text = match["rest"]
    text = re.sub(r"\s*:\s*(?:Upheld|Overturned)\s*$", "", text, flags=re.IGNORECASE)
    return CONTEXT_PREFIX_RE.sub("", text, count=1).strip()


def _first_rule(text: str, rules: tuple[Rule, ...]) -> Label:
    for rule in rules:
        if rule.pattern.search(text):
            return rule.category, rule.subcategory
    return NO_LABEL


def _classify_drug(text: str) -> Label:
    """Classify an item that names a drug from the table, or return NO_LABEL."""
    generics = drugs.find_drugs(text)
    if COMPOUND_RE.search(text):
        return "Pharmaceuticals", "Topical Compounds"
    if not generics:
        return NO_LABEL
    first = drugs.drug_table()[generics[0]]
    if INJECTION_WORD_RE.search(text) or SYSTEMIC_SHOT_RE.search(text):
        return _classify_drug_injection(text, first.drug_class)
    if TOPICAL_FORM_RE.search(text):
        several = len(generics) > 1 and len(PERCENT_RE.findall(text)) > 1
        if several:
            return "Pharmaceuticals", "Topical Compounds"
        return "Pharmaceuticals", drugs.topical_class(first.generic)
    return "Pharmaceuticals", first.drug_class


def _classify_drug_injection(text: str, drug_class: str) -> Label:
    if SYSTEMIC_SHOT_RE.search(text):
        return "Pharmaceuticals", "Injection"
    if drug_class == "Viscosupplementation":
        return "Pharmaceuticals", drug_class
    # Steroid or anaesthetic injected at a site: an injection procedure.
    return "Injection", "Injection"


def _decided_as(text: str, rationale: str) -> Label:
    """Follow the decision when a vague visit heading was decided as something else."""
    if FREQUENCY_RE.search(text) and re.search(
        r"physical\s+(?:therapy|medicine)", rationale, re.IGNORECASE
    ):
        return REHAB, PT_OT
    return NO_LABEL


Step = Callable[[str], Label]


def classify_treatment(treatment: str, rationale: str) -> tuple[str | None, str | None]:
    """Return (category, subcategory) of an item, or (None, None) when nothing fits."""
    text = remaining_request(treatment)
    if not text:
        return NO_LABEL
    label = _by_request(text)
    if label != NO_LABEL:
        return label
    decided = _decided_as(text, rationale)
    if decided != NO_LABEL:
        return _checked(decided)
    return _checked(_first_rule(text, LATER_RULES[-1:]))


@lru_cache(maxsize=4096)
def _by_request(text: str) -> Label:
    """Label a request by its own words (the rationale is not read), or NO_LABEL.

    Cached: one item is classified up to three times while a letter is parsed, and the same
    requests recur from letter to letter.
    """
    steps: tuple[Step, ...] = (
        lambda t: _first_rule(t, SERVICE_RULES),
        _systemic_shot,
        _classify_drug,
        lambda t: _first_rule(t, (INJECTION_RULE,)),
        lambda t: _first_rule(t, LATER_RULES[:-1]),
    )
    for step in steps:
        label = step(text)
        if label != NO_LABEL:
            return _checked(label)
    return NO_LABEL


def _systemic_shot(text: str) -> Label:
    if SYSTEMIC_SHOT_RE.search(text) and not drugs.find_drugs(text):
        return "Pharmaceuticals", "Injection"
    return NO_LABEL


def _checked(label: Label) -> Label:
    category, subcategory = label
    if category is None or subcategory is None:
        return NO_LABEL
    if not vocabulary().has_treatment(category, subcategory):
        raise ValueError(f"rule gives a label outside the vocabulary: {category} > {subcategory}")
    return category, subcategory
