"""Prose of synthetic letters: case summaries and decision rationales from sentence templates.

All sentences here are our own wording. Only the opening sentence of a summary states the
patient's age and sex, so a parser's age and sex can be checked against what was generated.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from indexer.synthetic.vocab import Site

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
    "a specific diagnosis that the request would address", "measurable treatment goals",
    "a documented response to earlier treatment", "a focal neurologic deficit",
    "ongoing review of pain relief, side effects and activity", "a clear plan for follow-up",
    "a time-limited course with reassessment", "findings that would change management",
)  # fmt: skip
AGAINST = (
    "no measurable improvement in function with the care given so far",
    "that pain scores stayed near {p}/10 despite prior care",
    "no explanation of why the request exceeds the recommended course",
    "no red flag findings or progressive neurologic loss",
    "no record of a trial of simpler measures first",
    "that the number of sessions requested is more than the guidelines allow",
    "no plan for how the results would change treatment",
    "little detail about the response to {topic} already given",
    "that the worker has not returned to any form of work",
    "no discussion of side effects or of monitoring",
)  # fmt: skip
FOR = (
    "a sustained drop in pain from {p}/10 to {p2}/10 with {topic}",
    "a return to modified work since the current plan began",
    "clear objective deficits on the most recent examination",
    "a failed course of conservative care over {k} weeks",
    "specific functional goals and a plan to reassess after the course",
    "regular monitoring with consistent results",
    "documented gains in walking, lifting and self-care",
)  # fmt: skip
LEADS = (
    "In this case, the records show", "The file documents", "The submitted notes show",
    "Review of the records shows", "The most recent report shows",
)  # fmt: skip
STATEMENTS = (
    "The cited guidelines support {topic} when the record shows {c1} and {c2}.",
    "Guidance for {topic} asks for {c1}, together with {c2}, before more care is approved.",
    "According to the guideline relied on here, {topic} is appropriate only with {c1}.",
    "Continued {topic} depends on {c1}; the guideline also expects {c2}.",
)  # fmt: skip


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


def rationale_text(
    rng: random.Random, treatment: str, topic: str, upheld: bool, site: Site | None
) -> str:
    """Write a 100-300 word decision rationale ending in the decision."""
    target = rng.randint(100, 300)

    def fill(template: str) -> str:
        pain = rng.randint(5, 9)
        return template.format(
            topic=topic, p=pain, p2=pain - rng.randint(2, 4), k=rng.randint(4, 12)
        )

    c1, c2 = rng.sample(CRITERIA, 2)
    opening = rng.choice(STATEMENTS).format(topic=topic, c1=c1, c2=c2)
    sentences = [opening[0].upper() + opening[1:]]
    if site is not None:
        sentences.append(f"This request concerns the {site.phrase} ({site.complaint}).")
    facts = AGAINST if upheld else FOR
    if upheld:
        ending = rng.choice(
            (
                f"Therefore, the request for {treatment} is not medically necessary.",
                f"For these reasons {treatment} is not medically necessary.",
            )
        )
    else:
        ending = rng.choice(
            (
                f"Therefore, the request for {treatment} is medically necessary.",
                f"Given this documentation, {treatment} is medically necessary.",
            )
        )
    words = sum(len(s.split()) for s in sentences) + len(ending.split())
    unused = list(facts)
    rng.shuffle(unused)
    while words < target:
        lead = rng.choice(LEADS)
        fact = unused.pop() if unused else rng.choice(facts)
        sentence = f"{lead} {fill(fact)}."
        if rng.random() < 0.3:
            c = rng.choice(CRITERIA)
            sentence += (
                f" The guideline also looks for {c}, which is {'not ' if upheld else ''}shown."
            )
        sentences.append(sentence)
        words += len(sentence.split())
    sentences.append(ending)
    return " ".join(sentences)
