"""The grounds of synthetic decisions: the reviewer's sentences stating each reason.

The rationale states an item's reasons (indexer.synthetic.reasons) in the reviewer's voice, in
our own words, several phrasings each. What the wording follows:

- Every sentence stating a ground opens with, or holds, a sign that the reviewer is speaking
  of the case ('In this case', 'the records', 'the patient', 'this request'), so a reader
  tells it from the guideline text before it.
- A sentence states one ground. Its other words are chosen so they cannot be read as another
  ground: no stray negation next to 'findings' or 'condition', no body part for a request that
  names none, and the request is called 'this medication' or 'the procedure' rather than by
  its topic, whose words ('neuropathic', 'surgery') would read as a missing indication.
"""

from __future__ import annotations

import random

from indexer.classify.reason_cues import (
    CONSERVATIVE_FAILED,
    DEPENDS,
    DUPLICATE,
    EXCEEDS,
    IMPROVEMENT,
    INDICATIONS,
    INSUFFICIENT,
    NO_CONSERVATIVE,
    NO_IMPROVEMENT,
    NO_INDICATIONS,
    NOT_RECOMMENDED,
    SAFETY,
    WITHIN,
)
from indexer.synthetic.reasons import Group, group_of
from indexer.synthetic.vocab import Kind, Site

SCREENED_DRUGS = frozenset({"Opioids", "Benzodiazepines"})  # screened for misuse
NAMES = {
    Group.DRUG: ("this medication", "the prescribed medication", "the medication"),
    Group.SESSIONS: ("further sessions", "this course of treatment", "more of this treatment"),
    Group.STUDY: ("this study", "the requested study", "the test"),
    Group.PROCEDURE: ("the procedure", "this procedure"),
    Group.DEVICE: ("this equipment", "the device"),
    Group.VISIT: ("this referral", "the visit", "this service"),
}
FIRST_STEPS = {
    Group.DRUG: (
        "acetaminophen and activity modification",
        "other oral medications",
        "a simpler regimen",
    ),
    Group.SESSIONS: (
        "a home exercise program",
        "an active home program",
        "a course of home exercise",
    ),
    Group.STUDY: ("rest, medication and physical therapy", "physical therapy and home exercise"),
    Group.PROCEDURE: ("physical therapy and medication", "a course of physical therapy"),
    Group.DEVICE: ("a home exercise program", "physical therapy and medication"),
    Group.VISIT: ("physical therapy and medication",),
}
TOPICAL_FIRST_STEPS = ("antidepressants and anticonvulsants", "first-line oral agents")
CARE_TRIED = (
    "physical therapy, medications and a home exercise program",
    "physical therapy and anti-inflammatory medication",
    "medications, activity modification and chiropractic care",
)
FINDINGS = (
    "a focal neurologic deficit that matches the imaging",
    "reduced range of motion with guarding and spasm",
    "objective deficits that match the reported complaint",
    "positive provocative testing on two visits",
)

# Sentences stating one ground. {what} names the request, {first} a step before it, {care}
# the care tried, {finding} an examination finding, {k} weeks, {p} and {p2} pain scores.
Templates = tuple[str, ...]
UPHELD_SENTENCES: dict[str, Templates] = {
    NO_IMPROVEMENT: (
        "In this case, there is no documentation of objective functional improvement from the "
        "treatment given so far.",
        "The records do not show a reduction in medication use or a change in work status "
        "with the care already provided.",
        "Despite {k} weeks of similar care, the patient remains off work and still rates the "
        "pain at {p}/10.",
        "Here, earlier treatment of this kind gave only temporary relief.",
        "The patient has used {what} for months without any functional benefit recorded in "
        "the notes.",
    ),
    EXCEEDS: (
        "In this case, the quantity requested exceeds the guideline's recommended course.",
        "This request goes beyond the recommended duration for {what}.",
        "The amount requested is more than the guidelines allow at this stage.",
        "In this case, the request would take the total past the maximum number the guideline "
        "sets.",
    ),
    NOT_RECOMMENDED: (
        "In this case, the requested treatment is not recommended by the guidelines for this "
        "kind of injury.",
        "Here, the guidelines do not support the use of {what} for chronic pain.",
        "In this case, there is insufficient evidence to support {what} for a chronic injury.",
        "The request is for a treatment that the cited guidance does not recommend for this "
        "problem.",
        "In this case, {what} is considered investigational.",
    ),
    NO_INDICATIONS: (
        "In this case, the criteria for {what} are not met.",
        "There is no documented indication for {what} in this patient.",
        "Here, the clinical indications for {what} are not documented.",
        "The records do not describe a condition for which {what} is indicated.",
    ),
    NO_CONSERVATIVE: (
        "In this case, the records do not show a failed course of conservative care before "
        "this request.",
        "There is no documented trial of first-line treatment such as {first}.",
        "The patient has not yet tried {first}.",
        "In this case, conservative measures have not been exhausted.",
        "Without a documented trial of {first}, {what} is premature.",
    ),
    INSUFFICIENT: (
        "The requesting provider gave no rationale for {what} at this time.",
        "The request does not specify the frequency or duration of {what}.",
        "In this case, it is unclear why {what} is needed now.",
        "No notes from the requesting physician were provided for review.",
        "In this case, the treating physician did not explain what {what} is meant to achieve.",
    ),
    SAFETY: (
        "There is no discussion of side effects or of how {what} is being monitored.",
        "In this case, the risks of continued use have not been assessed.",
        "The records do not address sedation, dependence or drug interactions.",
    ),
    DUPLICATE: (
        "In this case, {what} would duplicate care already under way.",
        "The records show that {what} would be duplicative of treatment the patient already "
        "receives.",
    ),
    DEPENDS: (
        "As the associated surgery was not certified, {what} is not needed.",
        "Since the primary procedure has not been authorized, {what} is also not medically "
        "necessary.",
        "As the planned operation was found not medically necessary, {what} that goes with it "
        "is not needed either.",
    ),
}
# Wordings for particular kinds of request, used in place of the general ones above.
SPECIAL_SENTENCES: dict[tuple[str, str | Group], Templates] = {
    (NO_INDICATIONS, "spine"): (
        "In this case, the records document no red flags and no progressive neurologic deficit.",
        "The most recent examination was normal for strength, sensation and reflexes.",
        "The examination does not show radicular signs or any focal deficit.",
        "In this case, the criteria for {what} are not met.",
    ),
    (NO_INDICATIONS, "joint"): (
        "The examination shows no instability or locking.",
        "The most recent examination found a full range of motion and normal strength.",
        "In this case, there are no red flags on examination.",
        "In this case, the criteria for {what} are not met.",
    ),
    (SAFETY, "screened"): (
        "In this case, the records include no urine drug screen, risk assessment or pain "
        "agreement.",
        "In this case, weaning is advised rather than continued prescribing.",
        "The records do not address sedation, dependence or drug interactions.",
    ),
    (SAFETY, "NSAID"): (
        "In this case, the gastrointestinal and cardiovascular risks of continued use have not "
        "been assessed.",
        "There is no discussion of side effects or of how {what} is being monitored.",
    ),
    (SAFETY, Group.PROCEDURE): (
        "In this case, the risks of the procedure have not been discussed with the patient.",
        "The records do not address the bleeding risk or the medications that affect it.",
    ),
    (DUPLICATE, Group.DRUG): (
        "The patient is already taking another medication of the same class.",
        "In this case, {what} would duplicate medication the patient already takes.",
    ),
    (DUPLICATE, Group.DEVICE): (
        "The patient already owns equivalent equipment.",
        "In this case, {what} would duplicate equipment already in the home.",
    ),
    (DUPLICATE, Group.STUDY): (
        "In this case, the request duplicates a study already done within the past year.",
        "The records show that a repeat study would duplicate the earlier one, with nothing new "
        "to look for.",
    ),
    (DEPENDS, "Proton Pump Inhibitors"): (
        "As the anti-inflammatory medication was found not medically necessary, gastric "
        "protection is not needed either.",
        "Since the NSAID is not supported, {what} is also not medically necessary.",
    ),
    (EXCEEDS, Group.DRUG): (
        "In this case, the quantity requested exceeds the guideline's recommended course.",
        "The amount requested is more than the guidelines allow at this stage.",
        "In this case, the quantity prescribed would carry use beyond the short-term use the "
        "guideline supports.",
    ),
}
OVERTURNED_SENTENCES: dict[str, Templates] = {
    INDICATIONS: (
        "In this case, the records document the findings the guideline requires for {what}.",
        "The treating physician has documented a clear indication for {what}.",
        "Here, the diagnosis is well documented and {what} is indicated for it.",
        "In this case, the criteria for {what} are met.",
    ),
    WITHIN: (
        "In this case, the amount requested is within the guideline's recommended limits.",
        "The quantity requested is reasonable for a first course.",
        "This request is consistent with the recommended initial trial.",
        "In this case, the request stays within the number the guidelines recommend.",
    ),
    IMPROVEMENT: (
        "In this case, the records document functional improvement with {what}, including "
        "better walking and self-care tolerance.",
        "The patient has returned to modified work since treatment began.",
        "In this case, pain decreased from {p}/10 to {p2}/10 with treatment, and the patient "
        "does more at home.",
        "The notes describe decreased medication use and increased activity tolerance with {what}.",
    ),
    CONSERVATIVE_FAILED: (
        "The patient has failed conservative care including {care}.",
        "In this case, physical therapy and medications have been unsuccessful.",
        "The patient's complaints have persisted despite {k} weeks of physical therapy and "
        "medications.",
        "Here, first-line measures have failed to control the pain.",
    ),
}
OVERTURNED_PHYSICAL: Templates = (
    "The most recent examination shows {finding}, and the criteria for {what} are met.",
    "In this case, {finding} on examination supports the need for {what}.",
)
# The grounds as the conclusion restates them: 'Given <ground> and <ground>, ...'.
UPHELD_GROUNDS: dict[str, Templates] = {
    NO_IMPROVEMENT: (
        "the lack of documented functional improvement",
        "the lack of objective functional benefit from prior care",
    ),
    EXCEEDS: (
        "a quantity that exceeds the guideline's limits",
        "a quantity beyond the recommended course",
    ),
    NOT_RECOMMENDED: ("a treatment the guidelines do not recommend",),
    NO_INDICATIONS: ("criteria that are not met", "the absence of a documented indication for it"),
    NO_CONSERVATIVE: (
        "the lack of a documented failure of conservative care",
        "the lack of a trial of first-line treatment",
    ),
    INSUFFICIENT: (
        "the absence of a rationale from the requesting provider",
        "an unspecified duration of treatment",
    ),
    SAFETY: ("the unaddressed risks of continued use",),
    DUPLICATE: ("the duplication of care already in place",),
}
OVERTURNED_GROUNDS: dict[str, Templates] = {
    INDICATIONS: ("the documented indications", "findings that meet the guideline's criteria"),
    WITHIN: (
        "a quantity within the guideline's limits",
        "a quantity consistent with the guideline",
    ),
    IMPROVEMENT: ("the documented functional improvement", "the return to modified work"),
    CONSERVATIVE_FAILED: ("the failed conservative care", "first-line care that has failed"),
}


def _templates(reason: str, kind: Kind, site: Site | None, upheld: bool) -> Templates:
    group = group_of(kind)
    if not upheld:
        if reason == INDICATIONS and site is not None:
            return OVERTURNED_SENTENCES[reason] + OVERTURNED_PHYSICAL
        return OVERTURNED_SENTENCES[reason]
    keys: list[tuple[str, str | Group]] = [(reason, kind.subcategory), (reason, group)]
    if reason == SAFETY and kind.subcategory in SCREENED_DRUGS:
        keys.insert(0, (reason, "screened"))
    if reason == NO_INDICATIONS and site is not None:
        keys.insert(0, (reason, "spine" if site.spine else "joint"))
    for key in keys:
        if key in SPECIAL_SENTENCES:
            return SPECIAL_SENTENCES[key]
    return UPHELD_SENTENCES[reason]


def ground_sentences(
    rng: random.Random, reasons: tuple[str, ...], kind: Kind, site: Site | None, upheld: bool
) -> list[list[str]]:
    """Write two sentences for each reason (one if it has one wording), in the reviewer's voice.

    A request aimed at a body site has examination findings; one at the spine, neurologic ones.
    """
    group = group_of(kind)
    first = TOPICAL_FIRST_STEPS if kind.subcategory.startswith("Topical") else FIRST_STEPS[group]
    written = []
    for reason in reasons:
        templates = _templates(reason, kind, site, upheld)
        chosen = rng.sample(templates, min(2, len(templates)))
        values: dict[str, object] = {"what": rng.choice(NAMES[group])}
        if any("{first}" in t for t in chosen):
            values["first"] = rng.choice(first)
        if any("{care}" in t for t in chosen):
            values["care"] = rng.choice(CARE_TRIED)
        if any("{finding}" in t for t in chosen):
            values["finding"] = rng.choice(FINDINGS)
        pain = rng.randint(5, 9)
        values.update(k=rng.randint(4, 12), p=pain, p2=pain - rng.randint(2, 4))
        sentences = [t.format(**values) for t in chosen]
        written.append([s[0].upper() + s[1:] for s in sentences])
    return written


def verdict(rng: random.Random, reasons: tuple[str, ...], treatment: str, upheld: bool) -> str:
    """Write the decision, restating up to two of its grounds or, as often, none."""
    grounds = UPHELD_GROUNDS if upheld else OVERTURNED_GROUNDS
    stated = [rng.choice(grounds[r]) for r in reasons if r in grounds][:2]
    negation = "not " if upheld else ""
    if stated and DEPENDS not in reasons and rng.random() < 0.5:
        # The request is not named here: the grounds' negations would reach its words.
        lead = rng.choice(("Given", "In view of", "Because of", "With"))
        request = rng.choice(("the request", "this request"))
        return f"{lead} {' and '.join(stated)}, {request} is {negation}medically necessary."
    if upheld:
        return rng.choice(
            (
                f"Therefore, the request for {treatment} is not medically necessary.",
                f"For these reasons {treatment} is not medically necessary.",
                f"As such, the request for {treatment} is not medically necessary.",
            )
        )
    return rng.choice(
        (
            f"Therefore, the request for {treatment} is medically necessary.",
            f"Given this documentation, {treatment} is medically necessary.",
            f"As such, the request for {treatment} is medically necessary.",
        )
    )
