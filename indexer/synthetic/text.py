"""Prose of synthetic letters: case summaries and decision rationales from sentence templates.

All sentences here are our own wording. Only the opening sentence of a summary states the
patient's age and sex, so a parser's age and sex can be checked against what was generated.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from indexer.classify.reason_cues import IMPROVEMENT, NO_CONSERVATIVE, NO_IMPROVEMENT
from indexer.synthetic.grounds import ground_sentences, verdict
from indexer.synthetic.vocab import Kind, Site

OCCUPATIONS = (
    "warehouse associate", "delivery driver", "registered nurse", "cashier",
    "correctional officer", "construction laborer", "office assistant", "machine operator",
    "school custodian", "home care aide", "truck driver", "firefighter", "cook",
    "landscaper", "police officer", "electrician", "retail stocker", "bus mechanic",
    "dental assistant", "package handler", "groundskeeper", "teacher's aide",
)  # fmt: skip
MECHANISMS = (
    "while lifting a heavy box", "after slipping on a wet floor",
    "in a rear-end motor vehicle collision", "from repetitive keyboard and mouse use",
    "after falling from a ladder", "while pushing a loaded cart",
    "while restraining an agitated patient", "after tripping over a pallet",
    "while moving furniture", "from years of repetitive overhead work",
    "when a heavy door struck the worker", "while climbing out of a truck cab",
)  # fmt: skip
DIAGNOSES = {
    "Lumbar/Low back": ("lumbar disc protrusion", "lumbar radiculopathy", "lumbar strain",
                        "degenerative disc disease of the lumbar spine"),
    "Cervical/Neck": ("cervical radiculopathy", "cervical strain", "cervical disc herniation"),
    "Thoracic": ("thoracic strain", "thoracic myofascial pain"),
    "Shoulder": ("rotator cuff tendinitis", "impingement syndrome", "partial rotator cuff tear"),
    "Knee": ("medial meniscus tear", "patellofemoral pain syndrome", "knee osteoarthritis"),
    "Wrist/Hand": ("carpal tunnel syndrome", "de Quervain tenosynovitis", "wrist sprain"),
    "Elbow": ("lateral epicondylitis", "cubital tunnel syndrome"),
    "Ankle/Foot": ("ankle sprain", "plantar fasciitis", "posterior tibial tendinitis"),
    "Hip": ("trochanteric bursitis", "hip labral tear"),
}  # fmt: skip
GENERAL_DIAGNOSES = (
    "chronic pain syndrome", "sleep disturbance", "depression related to chronic pain",
    "anxiety", "myofascial pain", "gastritis attributed to medication use",
)  # fmt: skip
PRIOR_CARE = (
    "physical therapy", "chiropractic care", "acupuncture", "a home exercise program",
    "activity modification", "oral analgesics", "topical creams", "epidural injections",
    "a TENS unit", "work restrictions", "cognitive behavioral therapy", "bracing",
    "heat and ice", "massage",
)  # fmt: skip
BENEFITS = (
    "little lasting benefit", "partial relief", "temporary improvement",
    "no clear change in function", "some improvement in sleep",
)  # fmt: skip
FINDINGS = (
    "tenderness over the paraspinal muscles", "reduced range of motion", "muscle guarding",
    "a positive straight leg raise", "diminished sensation along one dermatome",
    "palpable spasm", "a positive Spurling maneuver", "a positive Neer sign",
    "joint line tenderness", "a positive Tinel sign", "an antalgic gait",
    "slightly reduced grip strength", "intact reflexes", "normal strength throughout",
    "mild swelling", "guarded movement on transfers",
)  # fmt: skip
IMAGING_FINDINGS = (
    "a small disc bulge", "mild degenerative changes", "no acute abnormality",
    "a small joint effusion", "tendinosis without a full-thickness tear",
    "moderate foraminal narrowing", "postoperative changes",
)  # fmt: skip
WORK_STATUS = (
    "remained off work", "was working with restrictions", "had been declared permanent and "
    "stationary", "was on temporary total disability", "had returned to full duty",
    "was not working at the time of the visit",
)  # fmt: skip
# What a patient describes, in words that ground nothing (no limits, no gains).
EFFECTS = (
    "pain that is worse at the end of the day", "pain that wakes the patient at night",
    "pain that varies with the weather", "stiffness in the morning",
)  # fmt: skip
FUNCTION_NOTES = (
    "difficulty sitting or standing for long periods", "trouble lifting more than light objects",
    "better walking tolerance since the prior visit", "no measurable gain in daily activities",
    "interrupted sleep because of pain", "reliance on family members for chores",
    "improved ability to drive short distances",
)  # fmt: skip
MEDICATION_NAMES = (
    "Norco", "tramadol", "naproxen", "cyclobenzaprine", "gabapentin", "omeprazole",
    "Lidoderm patches", "ibuprofen", "meloxicam", "duloxetine", "tizanidine", "zolpidem",
)  # fmt: skip
CRITERIA = (
    "objective functional improvement", "a failed trial of first-line conservative care",
    "a specific diagnosis that the treatment would address", "measurable treatment goals",
    "a documented response to earlier treatment", "a focal neurologic deficit",
    "ongoing review of pain relief, side effects and activity", "a clear plan for follow-up",
    "a time-limited course with reassessment", "findings that would change management",
)  # fmt: skip
STATEMENTS = (
    "The cited guidelines support {topic} when the record shows {c1} and {c2}.",
    "Guidance for {topic} asks for {c1}, together with {c2}, before more care is approved.",
    "According to the guideline cited, {topic} is appropriate only with {c1}.",
    "Continued {topic} depends on {c1}; the guideline also expects {c2}.",
)  # fmt: skip
# More of the guideline, to pad a rationale: none of it names the case or says 'not recommended'.
GUIDANCE = (
    "The guidelines describe {topic} as one part of an active treatment plan with set goals.",
    "Whether {topic} goes on is tied to {c1} in the guideline, and to {c2}.",
    "The MTUS also expects {c1} before {topic} is extended.",
    "ODG lists {c1} among the conditions for {topic}.",
    "The guidance further calls for {c1} and for {c2}.",
    "Under the guideline, the response to {topic} is reassessed at set intervals.",
    "The same guidance puts {c1} first when {topic} is considered.",
    "Guidance for {topic} also weighs {c1}.",
)  # fmt: skip
# Facts of the case that ground nothing: no negation, no result of treatment, no body part.
CASE_FACTS = (
    "The treating physician requested {topic} at the most recent visit.",
    "The patient has been treated with {care} over the past {k} months.",
    "At the most recent visit the patient rated the pain at {p}/10.",
    "The request was submitted with a progress report from the treating physician.",
    "The patient continues to be seen by the treating physician every {k} weeks.",
    "The diagnoses listed by the treating physician include {diagnosis}.",
    "The most recent report lists {medications} among the current medications.",
    "The patient was last evaluated {k} weeks before the request was made.",
    "The request followed a visit at which the patient described {effect}.",
)  # fmt: skip
MAX_GUIDANCE = 4
# Facts a ground would contradict: the care tried ('has not yet tried'), a pain score.
CONTRADICTED = {NO_CONSERVATIVE: "{care}", NO_IMPROVEMENT: "{p}", IMPROVEMENT: "{p}"}


@dataclass(frozen=True, slots=True)
class Patient:
    """The facts a case summary is written around."""

    age: int | None
    sex: str | None  # "Male" / "Female"
    injured: date
    denied: date  # utilization review denial
    sites: tuple[Site, ...]
    requests: tuple[str, ...]


def _us(day: date) -> str:
    return f"{day.month:02d}/{day.day:02d}/{day.year}"


def _long(day: date) -> str:
    return f"{day.strftime('%B')} {day.day}, {day.year}"


def _any_date(rng: random.Random, day: date) -> str:
    return _us(day) if rng.random() < 0.5 else _long(day)


def _opening(rng: random.Random, patient: Patient) -> str:
    job = rng.choice(OCCUPATIONS)
    how = rng.choice(MECHANISMS)
    when = _any_date(rng, patient.injured)
    age, sex = patient.age, patient.sex
    if age is not None and sex is not None:
        adjective = sex.lower()
        noun = "man" if sex == "Male" else "woman"
        return rng.choice(
            (
                f"The injured worker is a {age} year old {adjective} {job} who was hurt at work "
                f"on {when} {how}.",
                f"This {age}-year-old {adjective} {job} reported an industrial injury on {when} "
                f"{how}.",
                f"The claimant is a {age} year old {noun} employed as a {job}, with a date of "
                f"injury of {when}.",
            )
        )
    if age is not None:
        return f"The applicant is a {age}-year-old {job} injured on {when} {how}."
    if sex is not None:
        return f"The patient is a {sex.lower()} {job} injured on {when} {how}."
    return f"The claimant, who works as a {job}, was injured on {when} {how}."


def _pick(rng: random.Random, items: tuple[str, ...], count: int) -> str:
    chosen = rng.sample(items, min(count, len(items)))
    return chosen[0] if len(chosen) == 1 else ", ".join(chosen[:-1]) + " and " + chosen[-1]


def _visit(rng: random.Random, patient: Patient, day: date) -> str:
    site = rng.choice(patient.sites)
    pain = rng.randint(3, 9)
    return rng.choice(
        (
            f"At a visit on {_any_date(rng, day)}, the claimant described {site.complaint} rated "
            f"{pain}/10 and {rng.choice(FUNCTION_NOTES)}.",
            f"A progress report dated {_any_date(rng, day)} noted {site.complaint} at {pain}/10; "
            f"examination showed {_pick(rng, FINDINGS, 2)}.",
            f"On {_any_date(rng, day)} the treating physician recorded {site.complaint}, "
            f"{_pick(rng, FINDINGS, 2)}, and {rng.choice(FUNCTION_NOTES)}.",
            f"Imaging of the {site.phrase} reviewed on {_any_date(rng, day)} was read as "
            f"showing {rng.choice(IMAGING_FINDINGS)}.",
            f"The note of {_any_date(rng, day)} lists {_pick(rng, MEDICATION_NAMES, 2)} as "
            f"current medications, and the claimant {rng.choice(WORK_STATUS)}.",
        )
    )


def summary_text(rng: random.Random, patient: Patient) -> str:
    """Write a 150-400 word case summary as one paragraph."""
    target = rng.randint(150, 400)
    regions = {site.region for site in patient.sites}
    pool = tuple(d for r in sorted(regions) for d in DIAGNOSES.get(r, ())) + GENERAL_DIAGNOSES
    head = [
        _opening(rng, patient),
        f"Diagnoses listed by the treating physician include {_pick(rng, pool, 3)}.",
        f"Care so far has included {_pick(rng, PRIOR_CARE, 3)}, with {rng.choice(BENEFITS)}.",
    ]
    tail = [
        f"A request for {_pick(rng, patient.requests, len(patient.requests))} was submitted "
        f"for authorization.",
        f"Utilization review on {_any_date(rng, patient.denied)} did not certify the request.",
    ]
    body: list[str] = []
    words = sum(len(s.split()) for s in head + tail)
    span = max(1, (patient.denied - patient.injured).days)
    while words < target:
        day = patient.injured + timedelta(days=rng.randrange(span))
        sentence = _visit(rng, patient, day)
        body.append(sentence)
        words += len(sentence.split())
    return " ".join(head + body + tail)


# The fields of GUIDANCE and CASE_FACTS besides {topic} and the criteria, made only when used.
FIELDS: dict[str, Callable[[random.Random], object]] = {
    "care": lambda rng: _pick(rng, PRIOR_CARE, 2),
    "diagnosis": lambda rng: _pick(rng, GENERAL_DIAGNOSES, 2),
    "medications": lambda rng: _pick(rng, MEDICATION_NAMES, 2),
    "effect": lambda rng: rng.choice(EFFECTS),
    "k": lambda rng: rng.randint(2, 12),
    "p": lambda rng: rng.randint(4, 9),
}


def rationale_text(
    rng: random.Random,
    treatment: str,
    kind: Kind,
    upheld: bool,
    site: Site | None,
    reasons: tuple[str, ...],
) -> str:
    """Write a 100-300 word decision rationale stating its reasons and ending in the decision.

    The guideline comes first, then the case in the reviewer's words, the grounds and the
    decision: the order of a real rationale, and the one in which a reader tells the voices apart.
    """
    target = rng.randint(100, 300)
    topic = kind.topic

    def fill(template: str) -> str:
        values = {name: make(rng) for name, make in FIELDS.items() if f"{{{name}}}" in template}
        if "{c1}" in template:
            values["c1"], values["c2"] = rng.sample(CRITERIA, 2)
        sentence = template.format(topic=topic, **values)
        return sentence[0].upper() + sentence[1:]

    guidance = [fill(rng.choice(STATEMENTS))]
    case = [f"This request concerns the {site.phrase} ({site.complaint})."] if site else []
    written = ground_sentences(rng, reasons, kind, site, upheld)
    grounds = [sentences[:1] for sentences in written]
    ending = verdict(rng, reasons, treatment, upheld)
    words = sum(len(s.split()) for s in guidance + case + sum(grounds, [])) + len(ending.split())
    # Padding, up to the target: a second sentence on a ground, facts of the case, more of
    # the guideline (a few sentences of it, so that it does not make up the rationale).
    contradicted = [CONTRADICTED[r] for r in reasons if r in CONTRADICTED]
    facts = [f for f in CASE_FACTS if not any(field in f for field in contradicted)]
    pads = [(grounds[i], s[1], False) for i, s in enumerate(written) if len(s) > 1]
    pads += [(case, fact, True) for fact in facts]
    pads += [(guidance, text, True) for text in rng.sample(GUIDANCE, MAX_GUIDANCE)]
    rng.shuffle(pads)
    for out, text, is_template in pads:
        if words >= target:
            break
        sentence = fill(text) if is_template else text
        out.append(sentence)
        words += len(sentence.split())
    return " ".join(guidance + case + sum(grounds, []) + [ending])
