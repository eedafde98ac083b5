"""Taxonomy classifiers: tables of snippets (TAXONOMY.md examples) and corpus-wide checks."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from indexer.classify.taxonomy import (
    classify_guideline,
    classify_treatment,
    find_body_regions,
    find_citations,
    normalize_outcome,
    normalize_specialty,
    normalize_state,
    vocabulary,
)
from indexer.classify.treatment import LATER_RULES, SERVICE_RULES
from indexer.letter import Outcome

CP = "MTUS Chronic Pain Medical Treatment Guidelines"
OPI = "MTUS Opioids Treatment Guidelines"
AC = "MTUS ACOEM Practice Guidelines"
ACU = "MTUS Acupuncture Medical Treatment Guidelines"
DEF = "MTUS Definitions/General"
ODG = "Official Disability Guidelines (ODG)"
ACN = "ACOEM (non-MTUS)"
OTH = "Other evidence"
PTOT = "Physical Therapy/Occupational Therapy (PT/OT)"
DBO = "Decision based on"


@pytest.mark.parametrize(
    ("treatment", "expected"),
    [
        # TAXONOMY.md section 2: classify by what is requested, not by its context.
        pytest.param(
            "Associated surgical service: Cold therapy unit", ("DMEPOS", "DME"), id="cold"
        ),
        pytest.param("Pre-op labs: CBC", ("Diagnostic Testing", "Lab & Pathology"), id="preop-cbc"),
        pytest.param(
            "Post-op physical therapy 12-18 sessions", ("Rehabilitation", PTOT), id="postop"
        ),
        pytest.param("Post-op Percocet 5/325mg #60", ("Pharmaceuticals", "Opioids"), id="percocet"),
        pytest.param("Assistant surgeon", ("Surgery", "Adjunct Surgical Services"), id="assistant"),
        pytest.param(
            "Associated surgical service: Medical clearance",
            ("Surgery", "Adjunct Surgical Services"),
            id="clearance",
        ),
        pytest.param(
            "Physical therapy right knee 3 times a week for 3 weeks was the original request. "
            "Physical therapy right knee 3 times a week for 2 weeks was authorized by the Claims "
            "Administrator. The remaining IMR eligible portion of the original request, Physical "
            "therapy right knee 3 times a week for 1 week is",
            ("Rehabilitation", PTOT),
            id="restated-request",
        ),
        pytest.param(
            "Open reduction internal fixation on left distal radius fracture with open carpal "
            "tunnel release was the original request. Open reduction internal fixation on left "
            "distal radius fracture was authorized by the Claims Administrator. The remaining IMR "
            "eligible portion of the original request, with open carpal tunnel release is",
            ("Surgery", "Non-arthroscopic Surgery"),
            id="restated-remaining-portion",
        ),
        pytest.param("TENS unit", ("DMEPOS", "Electrical Stimulation"), id="tens-device"),
        pytest.param("E-stim 2x4", ("DMEPOS", "Electrical Stimulation"), id="estim-session"),
        pytest.param("TENS electrodes", ("DMEPOS", "Supplies"), id="tens-supplies"),
        pytest.param("PT evaluation", ("Rehabilitation", PTOT), id="pt-eval"),
        pytest.param(
            "Re-exam with chiropractor", ("Rehabilitation", "Chiropractic"), id="chiro-exam"
        ),
        pytest.param(
            "Psychological evaluation",
            ("Psych Services", "Evaluation & Management"),
            id="psych-eval",
        ),
        pytest.param(
            "Spine surgeon evaluation", ("Surgery", "Surgical Consult"), id="surgeon-eval"
        ),
        pytest.param(
            "Follow-up office visit", ("Evaluation & Management", "Medical Specialties"), id="visit"
        ),
        pytest.param(
            "Soft Tissue Manipulation for the Cervical Spine",
            ("Rehabilitation", "Chiropractic"),
            id="manipulation",
        ),
        pytest.param("Massage therapy x6", ("Rehabilitation", "Other Therapies"), id="massage"),
        pytest.param(
            "Four sessions of biofeedback two times a week",
            ("Rehabilitation", "Other Therapies"),
            id="biofeedback-with-pt",
        ),
        pytest.param(
            "Biofeedback with psychotherapy sessions", ("Psych Services", "Therapies"), id="bio-psy"
        ),
        pytest.param("Norco 10/325mg #90", ("Pharmaceuticals", "Opioids"), id="norco-dosage"),
        pytest.param("Voltaren 75mg #60", ("Pharmaceuticals", "NSAID"), id="oral-voltaren"),
        pytest.param("Voltaren Gel 1%", ("Pharmaceuticals", "Topical Analgesics"), id="gel"),
        pytest.param("Diclofenac 3% gel", ("Pharmaceuticals", "Topical Analgesics"), id="dic-gel"),
        pytest.param("Lidoderm patch 5% #30", ("Pharmaceuticals", "Topical Analgesics"), id="lido"),
        pytest.param("Salonpas pad #60", ("Pharmaceuticals", "Topical Analgesics"), id="salonpas"),
        pytest.param(
            "Ketoprofen 20% in cream base 240g",
            ("Pharmaceuticals", "Topical Compounds"),
            id="cream-base",
        ),
        pytest.param(
            "Cyclobenzaprine 5% cream", ("Pharmaceuticals", "Topical Compounds"), id="oral-in-cream"
        ),
        pytest.param(
            "Ketophene (unknown quantity)", ("Pharmaceuticals", "Topical Compounds"), id="kit"
        ),
        pytest.param("Synapryn (unknown quantity)", ("Pharmaceuticals", "Opioids"), id="synapryn"),
        pytest.param("Fentanyl patch 25mcg", ("Pharmaceuticals", "Opioids"), id="fentanyl-patch"),
        pytest.param(
            "Facet joint injections L4-5, L5-S1", ("Injection", "Facet Injection"), id="fct"
        ),
        pytest.param("Medial branch block L4-5", ("Injection", "Facet Injection"), id="mbb"),
        pytest.param("Lumbar epidural steroid injection", ("Injection", "Injection"), id="esi"),
        pytest.param(
            "Percutaneous epidural neuroplasty", ("Injection", "Injection"), id="adhesiolysis"
        ),
        pytest.param("1 platelet rich plasma injection", ("Injection", "Injection"), id="prp"),
        pytest.param(
            "Synvisc injection right knee", ("Pharmaceuticals", "Viscosupplementation"), id="visco"
        ),
        pytest.param("Toradol 60mg IM injection", ("Pharmaceuticals", "Injection"), id="toradol"),
        pytest.param("Vitamin B12 injections", ("Pharmaceuticals", "Injection"), id="b12"),
        pytest.param("Functional restoration program", ("Programs", "Programs"), id="frp"),
        pytest.param("Gym membership x 6 months", ("Programs", "Programs"), id="gym"),
        pytest.param("Skilled nursing facility stay", ("Programs", "Programs"), id="snf"),
        pytest.param(
            "Transportation to appointments", ("Transportation", "Transportation"), id="trn"
        ),
        pytest.param("Home health aide 4 hours a day", ("Home Health", "Home Health"), id="aide"),
        pytest.param("EMG/NCV of the hip, lumbar", ("Diagnostic Testing", "EMG/NCV/NCS"), id="emg"),
        pytest.param("Labs - PT/PTT", ("Diagnostic Testing", "Lab & Pathology"), id="ptt-not-pt"),
        pytest.param("Urine drug testing", ("Diagnostic Testing", "Lab & Pathology"), id="uds"),
        pytest.param(
            "MARS MRI scan of lumbar spine", ("Diagnostic Testing", "Imaging/Radiology"), id="mri"
        ),
        pytest.param(
            "Electroencephalogram", ("Diagnostic Testing", "Other Diagnostic Tests"), id="eeg"
        ),
        pytest.param(
            "Functional capacity evaluation (FCE)",
            ("Diagnostic Testing", "Other Diagnostic Tests"),
            id="fce",
        ),
        pytest.param(
            "Pulsed Ultrasound 2 times a week", ("Rehabilitation", "Other Therapies"), id="us"
        ),
        pytest.param("Unknown shockwave treatments", ("Therapies", "Other Therapies"), id="eswt"),
        pytest.param("Right Shoulder Arthroscopy", ("Surgery", "Arthroscopic Surgery"), id="scope"),
        pytest.param("L4-5 lumbar fusion", ("Surgery", "Spine"), id="fusion"),
        pytest.param("Spinal cord stimulator trial", ("Surgery", "Spine"), id="scs"),
        pytest.param(
            "Associated surgical service: Ultrasling",
            ("DMEPOS", "Prosthetics/Orthotics"),
            id="sling",
        ),
        pytest.param("Associated surgical service: Hip pad", ("DMEPOS", "Supplies"), id="hip-pad"),
        pytest.param("1 knee scooter", ("DMEPOS", "DME"), id="scooter"),
        pytest.param("Bilateral hearing aids", ("DMEPOS", "DME"), id="hearing-aids"),
        pytest.param(
            "Dental consultation", ("Evaluation & Management", "Dental Services"), id="dent"
        ),
        pytest.param(
            "Acupuncture with electrical stimulation", ("Rehabilitation", "Acupuncture"), id="ea"
        ),
        pytest.param("Unspecified request", (None, None), id="nothing-fits"),
        pytest.param("", (None, None), id="empty"),
    ],
)
def test_classify_treatment(treatment: str, expected: tuple[str | None, str | None]) -> None:
    assert classify_treatment(treatment, "") == expected


def test_classify_treatment_follows_the_decision() -> None:
    # 'Physical exam 2 times 8' decided as a course of physical therapy (TAXONOMY.md 2).
    rationale = "The request for physical therapy exceeds the recommended 9-10 visits."
    assert classify_treatment("Physical exam 2 times 8", rationale) == ("Rehabilitation", PTOT)
    assert classify_treatment("Physical exam", "") == (
        "Evaluation & Management",
        "Medical Specialties",
    )


def test_every_rule_label_is_in_the_vocabulary() -> None:
    vocab = vocabulary()
    for rule in SERVICE_RULES + LATER_RULES:
        assert vocab.has_treatment(rule.category, rule.subcategory), rule


@pytest.mark.parametrize(
    ("line", "families", "sources"),
    [
        pytest.param(
            f"{DBO} MTUS Chronic Pain Medical Treatment 2016, Section(s): Muscle relaxants (for "
            "pain), Cyclobenzaprine (Flexeril).",
            (CP,),
            ("Muscle relaxants (for pain)",),
            id="chronic-pain-grouped-topics",
        ),
        pytest.param(
            f"{DBO} MTUS Stress-Related Conditions 2004, Section(s): Treatment, and Chronic Pain "
            "Medical Treatment 2009, Section(s): Behavioral interventions.",
            (AC, CP),
            ("Stress-Related Conditions", "Behavioral interventions"),
            id="two-mtus-joined-by-and",
        ),
        pytest.param(
            f"{DBO} MTUS Chronic Pain Medical Treatment 2016, Section(s): NSAIDs, GI symptoms & "
            "cardiovascular risk.",
            (CP,),
            ("NSAIDs (non-steroidal anti-inflammatory drugs)",),
            id="topic-with-comma",
        ),
        pytest.param(
            f"{DBO} MTUS Opioid Treatment 2016, Section(s): 3.3.9 Opioids for Chronic Pain and "
            "Chronic Opioid Treatment: Maintenance, 4.1 Tapering Opioids: Indications.",
            (OPI,),
            ("Opioids for Chronic Pain and Chronic Opioid Treatment", "Tapering Opioids"),
            id="opioid-parts-by-number",
        ),
        pytest.param(
            f"{DBO} MTUS General Approaches 2004, Section(s): Initial Approaches to Treatment, and "
            "Knee Complaints 2004, Section(s): Initial Care.",
            (AC,),
            ("Initial Approaches to Treatment", "Knee Complaints"),
            id="general-approaches-split",
        ),
        pytest.param(
            f"{DBO} MTUS General Approaches 2004, and Chronic Pain Medical Treatment 2016.",
            (AC, CP),
            ("General Approaches",),
            id="general-approaches-unsplit",
        ),
        pytest.param(
            f"{DBO} MTUS Elbow Complaints 2007, Section(s): Recommendations. {DBO} Non-MTUS "
            "Citation Official Disability Guidelines (ODG) Elbow, Splinting.",
            (AC, ODG),
            ("Elbow Complaints", "Elbow"),
            id="mtus-then-odg",
        ),
        pytest.param(
            "The Expert Reviewer based their decision on recommendation(s) outside of the MTUS "
            f"Guidelines. {DBO} Non-MTUS Citation Official Disability Guidelines (ODG) PRP.",
            (ODG,),
            (),
            id="intro-sentence-and-odg-without-chapter",
        ),
        pytest.param(
            f"{DBO} Non-MTUS Citation Official Disability Guidelines (ODG) Neck Pain, Chiropractic",
            (ODG,),
            ("Neck and Upper Back",),
            id="odg-neck-pain-not-pain-chapter",
        ),
        pytest.param(
            f"{DBO} Non-MTUS Citation Official Disability Guidelines (ODG) Hips and Pelvis (Acute "
            "and Chronic), MRI and Other Medical Treatment Guidelines ACOEM Hip and Groin "
            "Disorders, Diagnostic Testing, MRI.",
            (ODG, ACN),
            ("Hip & Pelvis", "ACOEM: Hip and Groin Disorders"),
            id="other-medical-treatment-guidelines",
        ),
        pytest.param(
            f"{DBO} Non-MTUS Citation Official Disability Guidelines (ODG) Knee/DME, Low Back "
            "Lumbar and Thoracic/Mattress selection and Other Medical Treatment Guidelines "
            "https://www.cms.gov/Regulations/R148CIM.pdf.",
            (ODG, OTH),
            ("Knee & Leg", "Low Back", "Payer and Medicare/CMS policies"),
            id="odg-two-chapters-and-cms",
        ),
        pytest.param(
            f"{DBO} Non-MTUS Citation http://www.slideshare.net/a-b, https://example.org/c.",
            (OTH,),
            ("Other websites",),
            id="urls",
        ),
        pytest.param(
            f"{DBO} MTUS Forearm, Wrist, and Hand Complaints 2004. {DBO} Non-MTUS Citation "
            "Green's Operative Hand Surgery, 6th ed Chapter 17.",
            (AC, OTH),
            ("Forearm, Wrist, and Hand Complaints", "Medical textbooks"),
            id="textbook",
        ),
        pytest.param(
            f"{DBO} Non-MTUS Citation Shoulder (Acute & Chronic), Physical Therapy, ODG Preface",
            (ODG,),
            ("Shoulder", "Preface (Physical Therapy Guidelines)"),
            id="odg-chapter-first",
        ),
        pytest.param(
            f"{DBO} Non-MTUS Citation Low Back (Shock wave therapy).",
            (ODG,),
            ("Low Back",),
            id="bare-odg-chapter",
        ),
        pytest.param(
            f"{DBO} Non-MTUS Citation ACOEM guidelines and the Official Disability Guidelines.",
            (ACN, ODG),
            (),
            id="acoem-and-odg-in-one-citation",
        ),
        pytest.param(
            "The Expert Reviewer did not cite any medical evidence for its decision.",
            ("None cited",),
            (),
            id="none-cited",
        ),
        pytest.param(
            f"{DBO} MTUS Chronic Pain Treatment Guidelines Manual therapy & manipulation "
            "Page(s): 58-59.",
            (CP,),
            ("Manual therapy & manipulation",),
            id="older-topic-pages",
        ),
        pytest.param(
            f"{DBO} MTUS Chronic Pain Treatment Guidelines Pain Interventions and Treatments "
            "Page(s): 57-59.",
            (CP,),
            (),
            id="older-unknown-topic-family-only",
        ),
        pytest.param(
            f"{DBO} MTUS Chronic Pain Treatment Guidelines 9792.24.1, Acupuncture Medical "
            "Treatment Guidelines Page(s): 13.",
            (ACU,),
            (),
            id="older-acupuncture-after-chronic-pain-prefix",
        ),
        pytest.param(
            f"{DBO} MTUS Chronic Pain Treatment Guidelines . MTUS 9792.20f.2. MTUS page 99.",
            (CP, DEF),
            ("MTUS Definitions (9792.20)",),
            id="older-definitions",
        ),
        pytest.param(
            f"{DBO} MTUS Acupuncture Treatment 2007.", (ACU,), (), id="acupuncture-family-only"
        ),
        pytest.param("", (), (), id="empty"),
        pytest.param("Not a guideline line at all.", (), (), id="no-sentence"),
    ],
)
def test_classify_guideline(line: str, families: tuple[str, ...], sources: tuple[str, ...]) -> None:
    assert classify_guideline(line) == (families, sources)


POST = "MTUS Postsurgical Treatment Guidelines"
ACOEM_OTHER = "ACOEM (non-MTUS)"
OTHER = "Other evidence"


def _variants(family: str) -> list[tuple[str, str]]:
    """Return (source, variant as written) for every 'Matches' entry of a family."""
    matches = vocabulary().source_match[family]
    return [(source, variant) for source, variants in matches.items() for variant in variants]


# The ACOEM chapters as an MTUS sentence names them ('MTUS Knee Complaints 2004'); the six
# General Approaches chapters can be named the same way.
ACOEM_CHAPTER_NAMES = [
    (source, variant.removesuffix(" 2004").removesuffix(" 2007"))
    for source, variant in _variants(AC)
    if "no chapter named" not in variant
] + [
    (source, source)
    for source in vocabulary().guideline[AC]
    if source != "General Approaches" and source not in vocabulary().source_match[AC]
]


@pytest.mark.parametrize(
    ("source", "name"), ACOEM_CHAPTER_NAMES, ids=[n for _, n in ACOEM_CHAPTER_NAMES]
)
def test_every_mtus_acoem_chapter_is_recognised(source: str, name: str) -> None:
    assert classify_guideline(f"{DBO} MTUS {name} 2004.") == ((AC,), (source,))
    after = f"{DBO} MTUS Chronic Pain Medical Treatment 2009, Section(s): Opioids, and {name} 2004"
    assert classify_guideline(after) == ((CP, AC), ("Opioids", source))
    sections = f"{DBO} MTUS {name} 2004, Section(s): Summary, Initial Care."
    assert classify_guideline(sections) == ((AC,), (source,))


@pytest.mark.parametrize(
    "chapter",
    [c for c in vocabulary().guideline[AC][1:7]],
)
def test_general_approaches_sections_name_their_chapter(chapter: str) -> None:
    line = f"{DBO} MTUS General Approaches 2004, Section(s): {chapter}."
    assert classify_guideline(line) == ((AC,), (chapter,))


@pytest.mark.parametrize(
    ("source", "variant"), _variants(POST), ids=[v for _, v in _variants(POST)]
)
def test_every_postsurgical_section_is_recognised(source: str, variant: str) -> None:
    line = f"{DBO} MTUS Postsurgical Treatment 2009, Section(s): {variant}."
    assert classify_guideline(line) == ((POST,), (source,))


@pytest.mark.parametrize(
    ("section", "source"),
    [
        ("1.4 Opioids for Acute Pain: Post-operative Pain", "Opioids for Acute Pain"),
        ("2. Opioids for Subacute Pain", "Opioids for Subacute Pain"),
        (
            "3.3.9 Opioids for Chronic Pain and Chronic Opioid Treatment: Urine Drug Testing",
            "Opioids for Chronic Pain and Chronic Opioid Treatment",
        ),
        ("4.1 Tapering Opioids: When to Taper", "Tapering Opioids"),
    ],
)
def test_every_opioid_part_is_recognised(section: str, source: str) -> None:
    alone = f"{DBO} MTUS Opioid Treatment 2016, Section(s): {section}."
    assert classify_guideline(alone) == ((OPI,), (source,))
    after = (
        f"{DBO} MTUS Chronic Pain Medical Treatment 2016, Section(s): Opioids, and Opioid "
        f"Treatment 2016, Section(s): {section}."
    )
    assert classify_guideline(after) == ((CP, OPI), ("Opioids", source))


@pytest.mark.parametrize(("source", "variant"), _variants(ODG), ids=[v for _, v in _variants(ODG)])
def test_every_odg_chapter_form_is_recognised(source: str, variant: str) -> None:
    chapter = variant.replace("<topic>", "Opioids")
    full = f"{DBO} Non-MTUS Citation Official Disability Guidelines (ODG) {chapter}, MRI."
    assert classify_guideline(full) == ((ODG,), (source,))
    short = f"{DBO} Non-MTUS Citation ODG guidelines, {chapter}."
    assert classify_guideline(short) == ((ODG,), (source,))


@pytest.mark.parametrize(
    ("source", "variant"), _variants(ACOEM_OTHER), ids=[v for _, v in _variants(ACOEM_OTHER)]
)
def test_every_non_mtus_acoem_chapter_form_is_recognised(source: str, variant: str) -> None:
    line = f"{DBO} Non-MTUS Citation ACOEM Practice Guidelines, 3rd Edition, {variant}."
    assert classify_guideline(line) == ((ACOEM_OTHER,), (source,))
    other = (
        f"{DBO} Non-MTUS Citation UpToDate and Other Medical Treatment Guidelines ACOEM, {variant}"
    )
    assert classify_guideline(other) == ((OTHER, ACOEM_OTHER), ("UpToDate", source))


# 2013-2014 layouts: the parser passes the text after 'The Physician Reviewer based his/her
# decision on' (MAXIMUS) or the 'GUIDELINE(S) RELIED UPON ... AND WHY:' section (MPR).
@pytest.mark.parametrize(
    ("line", "families", "sources"),
    [
        pytest.param(
            "the MTUS Chronic Pain Medical Treatment Guidelines, Physical Medicine, pages 98-99.",
            (CP,),
            ("Physical medicine treatment",),
            id="maximus-2013-chronic-pain",
        ),
        pytest.param(
            "the MTUS Shoulder Complaints chapter, page 205.",
            (AC,),
            ("Shoulder Complaints",),
            id="maximus-2013-acoem-chapter",
        ),
        pytest.param(
            "MTUS Low Back Complaints, page 303, because it addresses testing for nerve roots.",
            (AC,),
            ("Low Back Complaints",),
            id="mpr-2013-reason-is-not-a-citation",
        ),
        pytest.param(
            "Non-MTUS Citation Official Disability Guidelines (ODG) Knee & Leg, Home health "
            "services.",
            (ODG,),
            ("Knee & Leg",),
            id="mpr-2013-non-mtus",
        ),
        pytest.param(
            "the American College of Occupational and Environmental Medicine (ACOEM), 2nd "
            "Edition, (2004), Chapter 12, pages 303-305, which is part of the MTUS.",
            (AC,),
            ("Low Back Complaints",),
            id="acoem-chapter-number-part-of-mtus",
        ),
        pytest.param(
            "the Official Disability Guidelines (ODG), Low Back Chapter, Discography, which is "
            "not part of the MTUS.",
            (ODG,),
            ("Low Back",),
            id="odg-not-part-of-mtus",
        ),
        pytest.param(
            "the ACOEM Practice Guidelines, 3rd Edition, Shoulder Disorders, which is not part "
            "of the MTUS.",
            (ACOEM_OTHER,),
            ("ACOEM: Shoulder Disorders",),
            id="acoem-third-edition",
        ),
        pytest.param(
            "the Chronic Pain Medical Treatment Guidelines (2009), Opioids, pages 74-96, which "
            "is part of the MTUS. The Expert Reviewer also cited the Official Disability "
            "Guidelines (ODG), Pain Chapter, which is not part of the MTUS.",
            (CP, ODG),
            ("Opioids", "Pain (Chronic)"),
            id="two-bare-citations",
        ),
        pytest.param(
            "the MTUS Independent Medical Examinations and Consultations 2004. Decision based "
            "on Non-MTUS Citation Official Disability Guidelines (ODG) Shoulder, Referral.",
            (AC, ODG),
            ("Independent Medical Examinations and Consultations", "Shoulder"),
            id="bare-then-decision-based-on",
        ),
        pytest.param("the MTUS Acupuncture Treatment 2007.", (ACU,), (), id="bare-acupuncture"),
        pytest.param(
            "the Medical Disability Advisor, which is not part of the MTUS.",
            (OTHER,),
            ("MDGuidelines",),
            id="bare-other-evidence",
        ),
        pytest.param(
            "The Expert Reviewer based their decision on recommendation(s) outside of the MTUS "
            "Guidelines.",
            (),
            (),
            id="introduction-only",
        ),
    ],
)
def test_classify_guideline_without_decision_based_on(
    line: str, families: tuple[str, ...], sources: tuple[str, ...]
) -> None:
    assert classify_guideline(line) == (families, sources)


@pytest.mark.parametrize(
    ("treatment", "rationale", "expected"),
    [
        pytest.param("MRI of neck and right hand", "", ("Cervical/Neck", "Wrist/Hand"), id="two"),
        pytest.param(
            "Chiropractic treatments 2x6 to TS and LS", "", ("Thoracic", "Lumbar/Low back"), id="ab"
        ),
        pytest.param("Chiro 2x6 for neck, back", "", ("Cervical/Neck", "Lumbar/Low back"), id="bk"),
        pytest.param(
            "Physical therapy for the neck and left trapezius", "", ("Cervical/Neck",), id="tr"
        ),
        pytest.param("1 knee scooter", "", ("Multiple/Unspecified",), id="device-word"),
        pytest.param(
            "Associated surgical service: Hip pad", "", ("Multiple/Unspecified",), id="pad"
        ),
        pytest.param("MRI of the cervical spine", "", ("Cervical/Neck",), id="spine-with-level"),
        pytest.param("MRI of the spine", "", ("Multiple/Unspecified",), id="spine-alone"),
        pytest.param("MRI of the left leg", "", ("Multiple/Unspecified",), id="leg-alone"),
        pytest.param("MRI of the left lower leg", "", ("Knee",), id="lower-leg"),
        pytest.param("X-ray radial head", "", ("Elbow",), id="radial-head-not-head"),
        pytest.param("Brace for the forearm", "", ("Wrist/Hand",), id="forearm"),
        pytest.param("Electroencephalogram", "", ("Head",), id="eeg"),
        pytest.param(
            "Physical therapy 2 times a week",
            "The patient complained of right hip pain. Guidelines recommend knee exercises.",
            ("Hip",),
            id="rationale-fallback-skips-guideline-sentences",
        ),
        pytest.param(
            "EMG of the bilateral lower extremities",
            "The patient has low back pain radiating to the legs with suspected L5-S1 "
            "radiculopathy. Guidelines note EMG can identify carpal tunnel syndrome.",
            ("Lumbar/Low back",),
            id="emg-suspected-site",
        ),
        pytest.param(
            "NCS/EMG RUE",
            "The injured worker reports numbness, with suspected carpal tunnel syndrome.",
            ("Wrist/Hand",),
            id="emg-carpal-tunnel",
        ),
        pytest.param("Psychotherapy CBT for Mood", "", ("Psychological",), id="psych-service"),
        pytest.param("Xanax 1mg #60 for anxiety", "", ("Psychological",), id="drug-for-anxiety"),
        pytest.param(
            "Norco 10/325mg #90",
            "The patient has chronic low back pain.",
            ("Multiple/Unspecified",),
            id="medication",
        ),
        pytest.param(
            "Pre-op labs: CBC",
            "The patient is scheduled for shoulder arthroscopy.",
            ("Multiple/Unspecified",),
            id="preop-test",
        ),
        pytest.param("Inguinal hernia repair", "", ("Multiple/Unspecified",), id="outside-list"),
    ],
)
def test_find_body_regions(treatment: str, rationale: str, expected: tuple[str, ...]) -> None:
    assert find_body_regions(treatment, rationale) == expected


# The rationale fallback (TAXONOMY.md 7): the site of this request, the complaint it treats
# or the operation it accompanies; body parts in guideline text or quotes do not count.
@pytest.mark.parametrize(
    ("treatment", "rationale", "expected"),
    [
        pytest.param(
            "Post-op physical therapy 12 sessions",
            "The patient underwent right shoulder arthroscopy last month. The MTUS Postsurgical "
            "Guidelines allow 24 visits for the knee and the shoulder. The request is certified.",
            ("Shoulder",),
            id="post-op-pt-operated-shoulder",
        ),
        pytest.param(
            "Associated surgical service: Sling",
            "She has neck pain and a torn rotator cuff. The planned left shoulder repair was "
            "found necessary, so the sling is necessary too.",
            ("Shoulder",),
            id="operation-site-wins-over-history",
        ),
        pytest.param(
            "2 sessions of physical therapy",
            'The ODG states, "therapy helps the knee." According to the medical record, this '
            "worker has back pain radiating into the legs.",
            ("Lumbar/Low back",),
            id="according-to-the-record-is-about-the-patient",
        ),
        pytest.param(
            "Shockwave therapy",
            "The available evidence does not support shockwave therapy for the elbow. The "
            "patient reports heel pain.",
            ("Ankle/Foot",),
            id="evidence-sentence-without-patient-is-dropped",
        ),
        pytest.param(
            "Bath chair",
            "The patient is able to walk around 250 feet in the home.",
            ("Multiple/Unspecified",),
            id="feet-as-a-distance",
        ),
        pytest.param(
            "NCS/EMG RUE",
            "The provider ordered the testing to rule out a brachial plexopathy.",
            ("Shoulder",),
            id="suspected-brachial-plexopathy",
        ),
        pytest.param(
            "Pre-op chest x-ray",
            "The patient is scheduled for a right knee arthroscopy.",
            ("Multiple/Unspecified",),
            id="pre-operative-test-has-no-site",
        ),
        pytest.param(
            "Pre-operative medical evaluation",
            "The patient is scheduled for a right knee arthroscopy.",
            ("Multiple/Unspecified",),
            id="clearance-worded-as-evaluation-has-no-site",
        ),
    ],
)
def test_body_region_rationale_fallback(
    treatment: str, rationale: str, expected: tuple[str, ...]
) -> None:
    assert find_body_regions(treatment, rationale) == expected


ADJUNCT = ("Surgery", "Adjunct Surgical Services")


@pytest.mark.parametrize(
    "treatment",
    [
        "Medical clearance",
        "Preoperative Medical Clearance",
        "Associated surgical service: Medical clearance",
        "Pre-op clearance",
        "Internal medicine clearance",
        "Cardiac clearance",
        "Pre-operative medical evaluation",
        "Preoperative evaluation",
        "Pre-op history and physical",
        "Associated surgical service: pre-op H&P",
        "Pre-operative internal medicine consultation",
    ],
)
def test_medical_clearance_is_one_service_however_worded(treatment: str) -> None:
    assert classify_treatment(treatment, "") == ADJUNCT
    assert find_body_regions(treatment, "The right shoulder operation is planned.") == (
        "Multiple/Unspecified",
    )


@pytest.mark.parametrize(
    ("treatment", "expected"),
    [
        (
            "Psychological clearance for spinal cord stimulator trial",
            ("Psych Services", "Evaluation & Management"),
        ),
        ("Pre-op EKG", ("Diagnostic Testing", "Other Diagnostic Tests")),
        ("Post-op evaluation", ("Evaluation & Management", "Medical Specialties")),
    ],
)
def test_not_medical_clearance(treatment: str, expected: tuple[str, str]) -> None:
    assert classify_treatment(treatment, "") == expected


@pytest.mark.parametrize(
    ("rationale", "expected"),
    [
        pytest.param(
            "As noted on page 99 of the MTUS Chronic Pain Medical Treatment Guidelines, 9-10 "
            "visits are endorsed.",
            ("MTUS Chronic Pain p. 99",),
            id="page-of-chronic-pain",
        ),
        pytest.param(
            "The MTUS Chronic Pain Medical Treatment Guidelines, pages 78-80, set criteria.",
            ("MTUS Chronic Pain pp. 78-80",),
            id="page-range",
        ),
        pytest.param(
            "While pages 59 and 60 of the MTUS Chronic Pain Medical Treatment Guidelines do",
            ("MTUS Chronic Pain pp. 59-60",),
            id="pages-and",
        ),
        pytest.param(
            "MTUS Chronic Pain Medical Treatment Guidelines p. 99 allow",
            ("MTUS Chronic Pain p. 99",),
            id="p",
        ),
        pytest.param("MTUS guidelines page 13 allow 3-6 sessions", ("MTUS p. 13",), id="bare-mtus"),
        pytest.param(
            "The MTUS Guideline in ACOEM Chapter 12, Table 12-8, page 309 notes that",
            ("ACOEM Low Back Complaints",),
            id="acoem-page-is-not-mtus-page",
        ),
        pytest.param(
            "The Third Edition ACOEM Guidelines Low Back Disorders Chapter notes on page 607",
            ("ACOEM Low Back Disorders",),
            id="acoem-third-edition",
        ),
        pytest.param("ACOEM Chapter 4 states", ("ACOEM Chapter 4",), id="acoem-chapter-unknown"),
        pytest.param(
            "Functional improvement per 8 CCR 9792.20(e).", ("8 CCR 9792.20(e)",), id="ccr"
        ),
        pytest.param("per 8 C.C.R. 9792.24.2, the", ("8 CCR 9792.24.2",), id="ccr-dots"),
        pytest.param("as defined in MTUS 9792.20e following", ("8 CCR 9792.20(e)",), id="bare-e"),
        pytest.param("as defined by labor code 9792.20(e);", ("8 CCR 9792.20(e)",), id="mislabel"),
        pytest.param("Labor Code Section 4610.5 requires", ("Labor Code 4610.5",), id="lc"),
        pytest.param("Per LC 4610.5(c)(2), the", ("Labor Code 4610.5(c)(2)",), id="lc-abbr"),
        pytest.param(
            "ODG, under Neck Pain, Chiropractic Guidelines", ("ODG Neck and Upper Back",), id="odg"
        ),
        pytest.param("The ODG states that shockwave therapy", ("ODG",), id="odg-no-chapter"),
        pytest.param(
            "The Official Disability Guidelines (ODG) Low Back chapter recommends",
            ("ODG Low Back",),
            id="odg-lb",
        ),
        pytest.param(
            "ODG states it. The ACOEM recommends MRI. See page 99 of the MTUS Chronic Pain "
            "Guidelines.",
            ("ODG", "ACOEM", "MTUS Chronic Pain p. 99"),
            id="order-of-mention",
        ),
        pytest.param("The patient had 12 visits in 2 pages of notes.", (), id="page-without-owner"),
        pytest.param("", (), id="empty"),
    ],
)
def test_find_citations(rationale: str, expected: tuple[str, ...]) -> None:
    assert find_citations(rationale) == expected


@pytest.mark.parametrize(
    ("rationale", "expected"),
    [
        pytest.param(
            "The ODG states that an MRI of the shoulder is indicated.", ("ODG",), id="odg-quote"
        ),
        pytest.param(
            "ODG, Shoulder chapter, states that MRI is indicated.",
            ("ODG Shoulder",),
            id="odg-named",
        ),
        pytest.param(
            "The ACOEM Guidelines state that most knee complaints need no imaging.",
            ("ACOEM",),
            id="acoem-paraphrase",
        ),
        pytest.param(
            "The MTUS Guideline in ACOEM Chapter 13, Table 13-3, page 338 notes it.",
            ("ACOEM Knee Complaints",),
            id="acoem-chapter-page-is-not-mtus-page",
        ),
    ],
)
def test_citation_chapter_is_named_before_the_quote(
    rationale: str, expected: tuple[str, ...]
) -> None:
    assert find_citations(rationale) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("Orthopaedic Surgery", "Orthopedic Surgery", id="alias"),
        pytest.param("Chiropractor", "Chiropractic", id="alias-chiropractor"),
        pytest.param("Family Medicine", "Family Practice", id="alias-family"),
        pytest.param("Sports Medicinea", "Sports Medicine", id="alias-typo"),
        pytest.param(
            "Physical Medicine and Rehabilitation", "Physical Medicine & Rehabilitation", id="and"
        ),
        pytest.param("  internal   medicine ", "Internal Medicine", id="case-and-space"),
        pytest.param("Board Certified in Anesthesiology", "Anesthesiology", id="older-sentence"),
        pytest.param("Astrology", None, id="unknown"),
        pytest.param("", None, id="empty"),
    ],
)
def test_normalize_specialty(raw: str, expected: str | None) -> None:
    assert normalize_specialty(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("California", "California", id="full"),
        pytest.param(" new york.", "New York", id="case-punctuation"),
        pytest.param("CA", "California", id="postal-code"),
        pytest.param("District of Columbia", "District of Columbia", id="dc"),
        pytest.param("Narnia", None, id="unknown"),
    ],
)
def test_normalize_state(raw: str, expected: str | None) -> None:
    assert normalize_state(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("Upheld", Outcome.UPHELD, id="upheld"),
        pytest.param(" overturned.", Outcome.OVERTURNED, id="lower-punct"),
        pytest.param("Partially Overturned", Outcome.PARTIALLY_OVERTURNED, id="partial"),
        pytest.param("Denied", None, id="unknown"),
    ],
)
def test_normalize_outcome(raw: str, expected: Outcome | None) -> None:
    assert normalize_outcome(raw) == expected


def test_normalizers_are_idempotent_over_the_vocabulary_and_aliases() -> None:
    vocab = vocabulary()
    for raw in (*vocab.specialties, *vocab.specialty_aliases):
        once = normalize_specialty(raw)
        assert once in vocab.specialties
        assert normalize_specialty(once) == once
    for state in vocab.states:
        assert normalize_state(state) == state
    for word in ("upheld", "OVERTURNED", "Partially Overturned", "x"):
        once_o = normalize_outcome(word)
        assert once_o is None or normalize_outcome(once_o) == once_o


# Corpus-wide checks: item headings, guideline lines and rationales of every letter.
HEADING_END_RE = re.compile(r":\s*(Upheld|Overturned)\s*Claims Administrator guideline:")
HEADING_START_RE = re.compile(r"(?:set forth below:|necessary\.|indicated\.|appropriate\.)\s*")


def _letter_text(path: Path) -> str:
    if path.suffix == ".txt":
        return path.read_text(encoding="utf-8", errors="replace")
    pdf = pdfium.PdfDocument(str(path), password="")
    try:
        return "\n".join(page.get_textpage().get_text_range() for page in pdf)
    finally:
        pdf.close()


@cache
def _corpus_items(corpus: Path) -> tuple[tuple[str, str, str, str, str], ...]:
    """Return (file, heading, claims line, maximus line, rationale) for every item."""
    items = []
    files = sorted((corpus / "letters").glob("*.pdf")) + sorted((corpus / "seeds").glob("*.txt"))
    for path in files:
        text = re.sub(r"\s+", " ", _letter_text(path))
        ends = list(HEADING_END_RE.finditer(text))
        previous = 0
        for i, end in enumerate(ends):
            before = text[previous : end.start()]
            starts = [m.end() for m in HEADING_START_RE.finditer(before)]
            heading = before[starts[-1] :] if starts else before[-200:]
            body = text[end.end() : ends[i + 1].start() if i + 1 < len(ends) else len(text)]
            claims, _, rest = body.partition("MAXIMUS guideline:")
            maximus, _, rationale = rest.partition("Decision rationale:")
            items.append((path.name, heading.strip(), claims, maximus, rationale))
            previous = end.end()
    return tuple(items)


def test_corpus_has_items(corpus_dir: Path) -> None:
    assert len(_corpus_items(corpus_dir)) >= 100


def test_every_corpus_heading_gets_a_category(corpus_dir: Path) -> None:
    unclassified = [
        f"{name}: {heading[-80:]}"
        for name, heading, _, _, rationale in _corpus_items(corpus_dir)
        if classify_treatment(heading, rationale) == (None, None)
    ]
    assert not unclassified, "\n".join(unclassified)


def test_corpus_facet_values_are_in_the_vocabulary(corpus_dir: Path) -> None:
    vocab = vocabulary()
    all_sources = {s for sources in vocab.guideline.values() for s in sources}
    for _, heading, claims, maximus, rationale in _corpus_items(corpus_dir):
        category, subcategory = classify_treatment(heading, rationale)
        assert category is not None and subcategory is not None
        assert vocab.has_treatment(category, subcategory)
        for line in (claims, maximus):
            families, sources = classify_guideline(line)
            assert set(families) <= set(vocab.guideline)
            assert set(sources) <= all_sources
            assert {vocab.family_of(s) for s in sources} <= set(families)
            assert len(set(families)) == len(families) and len(set(sources)) == len(sources)
        regions = find_body_regions(heading, rationale)
        assert regions and set(regions) <= set(vocab.body_regions)
        assert "Multiple/Unspecified" not in regions or regions == ("Multiple/Unspecified",)
        find_citations(rationale)


def test_every_maximus_line_in_the_corpus_gives_a_family(corpus_dir: Path) -> None:
    empty = [
        f"{name}: {maximus[:80]}"
        for name, _, _, maximus, _ in _corpus_items(corpus_dir)
        if not classify_guideline(maximus)[0]
    ]
    assert not empty, "\n".join(empty)


SAMPLES = Path(__file__).parents[1] / "samples"


@pytest.mark.parametrize("name", sorted(p.name for p in SAMPLES.glob("*2013*.txt")))
def test_every_2013_sample_item_gets_a_guideline_family(name: str) -> None:
    from indexer.read.parse import parse_letter

    path = SAMPLES / name
    letter = parse_letter(path.read_text(encoding="utf-8"), path)
    assert letter.decisions
    for decision in letter.decisions:
        assert decision.guideline_families, decision.maximus_guideline
