"""Vocabulary of the synthetic letter generator: request kinds, sites, reviewers, weights.

Labels (category, subcategory, body region, guideline family, specialty, state) are taxonomy
values; tests/synthetic/test_generate.py checks them against indexer/data/taxonomy.json. Weights are
rough shares of what IMR letters dispute: medications first, then therapy, imaging, injections.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from indexer.letter import Layout

LAYOUT_WEIGHTS: tuple[tuple[Layout, int], ...] = (
    (Layout.CURRENT, 60),
    (Layout.OLDER, 26),
    (Layout.MAXIMUS_2013, 7),
    (Layout.MPR_2013, 7),
)
DECISION_COUNT_WEIGHTS: tuple[tuple[int, int], ...] = ((1, 60), (2, 25), (3, 10), (4, 4), (5, 1))


@dataclass(frozen=True, slots=True)
class Site:
    """A body site a request can be aimed at, with the guideline chapters that cover it."""

    phrase: str  # as written in a heading: "lumbar spine"
    region: str  # body_region facet value
    complaint: str  # as written in a summary: "low back pain"
    odg: str  # ODG chapter
    mtus: str  # MTUS ACOEM chapter with its year; "" when none covers the site
    postsurgical: str  # MTUS Postsurgical section
    spine: bool = False


SITES: tuple[tuple[Site, int], ...] = (
    (
        Site(
            "lumbar spine",
            "Lumbar/Low back",
            "low back pain",
            "Low Back - Lumbar & Thoracic",
            "Low Back Complaints 2004",
            "Low Back",
            True,
        ),
        30,
    ),
    (
        Site(
            "cervical spine",
            "Cervical/Neck",
            "neck pain",
            "Neck and Upper Back",
            "Neck and Upper Back Complaints 2004",
            "Neck & Upper Back",
            True,
        ),
        20,
    ),
    (
        Site(
            "thoracic spine",
            "Thoracic",
            "mid back pain",
            "Low Back - Lumbar & Thoracic",
            "Low Back Complaints 2004",
            "Low Back",
            True,
        ),
        3,
    ),
    (
        Site(
            "right shoulder",
            "Shoulder",
            "right shoulder pain",
            "Shoulder",
            "Shoulder Complaints 2004",
            "Shoulder",
        ),
        9,
    ),
    (
        Site(
            "left shoulder",
            "Shoulder",
            "left shoulder pain",
            "Shoulder",
            "Shoulder Complaints 2004",
            "Shoulder",
        ),
        6,
    ),
    (
        Site("right knee", "Knee", "right knee pain", "Knee & Leg", "Knee Complaints 2004", "Knee"),
        8,
    ),
    (Site("left knee", "Knee", "left knee pain", "Knee & Leg", "Knee Complaints 2004", "Knee"), 5),
    (
        Site(
            "right wrist",
            "Wrist/Hand",
            "right wrist pain",
            "Forearm, Wrist & Hand",
            "Forearm, Wrist, and Hand Complaints 2004",
            "Forearm, Wrist, & Hand",
        ),
        5,
    ),
    (
        Site(
            "left hand",
            "Wrist/Hand",
            "left hand numbness",
            "Forearm, Wrist & Hand",
            "Forearm, Wrist, and Hand Complaints 2004",
            "Forearm, Wrist, & Hand",
        ),
        3,
    ),
    (
        Site(
            "right elbow",
            "Elbow",
            "right elbow pain",
            "Elbow",
            "Elbow Complaints 2007",
            "Elbow & Upper Arm",
        ),
        3,
    ),
    (
        Site(
            "left ankle",
            "Ankle/Foot",
            "left ankle pain",
            "Ankle & Foot",
            "Ankle and Foot Complaints 2004",
            "Ankle & Foot",
        ),
        4,
    ),
    (
        Site(
            "right hip",
            "Hip",
            "right hip pain",
            "Hip & Pelvis",
            "",
            "Hip, Pelvis and Thigh (femur)",
        ),
        4,
    ),
)

# A guideline spec is (kind, argument):
#   cp     MTUS Chronic Pain, argument = its topic
#   op     MTUS Opioids (decisions from 2017 on; earlier ones fall back to cp Opioids)
#   acoem  MTUS ACOEM chapter of the site, argument = section; an argument ending in a year
#          is itself the chapter
#   ps     MTUS Postsurgical, the site's section
#   acu    MTUS Acupuncture
#   odg    ODG, argument = topic, or "chapter:<chapter>|<topic>" for a fixed chapter
#   other  other evidence, argument = a key of OTHER_SOURCES
Spec = tuple[str, str]
FAMILY_OF_KIND = {
    "cp": "MTUS Chronic Pain Medical Treatment Guidelines",
    "op": "MTUS Opioids Treatment Guidelines",
    "acoem": "MTUS ACOEM Practice Guidelines",
    "ps": "MTUS Postsurgical Treatment Guidelines",
    "acu": "MTUS Acupuncture Medical Treatment Guidelines",
    "odg": "Official Disability Guidelines (ODG)",
    "other": "Other evidence",
}
OTHER_SOURCES = {
    "UpToDate": "UpToDate, drug information and clinical summaries",
    "Medicare": "Medicare National Coverage Determinations Manual",
    "Milliman": "Milliman Care Guidelines, inpatient and surgical care",
}
LEVELS = {
    "Lumbar/Low back": ("L4-5", "L5-S1", "L3-4", "L4-5 and L5-S1"),
    "Cervical/Neck": ("C5-6", "C6-7", "C4-5"),
    "Thoracic": ("T6-7", "T8-9"),
}


@dataclass(frozen=True, slots=True)
class Kind:
    """One kind of disputed item: how its heading reads and how it is classified."""

    category: str
    subcategory: str
    headings: tuple[str, ...]  # templates with {site}, {n}, {m}, {k}, {q}, {level}, {limbs}
    specs: tuple[Spec, ...]
    topic: str  # what the rationale calls the request: "diagnostic imaging"
    sites: str = ""  # "" (names no site), "any", "spine" or "joint"
    region: str = "Multiple/Unspecified"  # body region of items that name no site


def _drug(sub: str, names: Sequence[str], specs: tuple[Spec, ...], topic: str) -> Kind:
    return Kind("Pharmaceuticals", sub, tuple(names), specs, topic)


ODG_PAIN = "chapter:Pain (Chronic)|"
KINDS: tuple[tuple[Kind, int], ...] = (
    (
        Kind(
            "Diagnostic Testing",
            "Imaging/Radiology",
            (
                "MRI of the {site}",
                "MRI {site} without contrast",
                "Repeat MRI of the {site}",
                "X-rays of the {site}, {n} views",
                "CT scan of the {site}",
            ),
            (("acoem", "Special Studies"), ("odg", "MRIs (magnetic resonance imaging)")),
            "diagnostic imaging",
            sites="any",
        ),
        90,
    ),
    (
        Kind(
            "Diagnostic Testing",
            "EMG/NCV/NCS",
            (
                "EMG/NCV of the bilateral {limbs}",
                "EMG of the bilateral {limbs}",
                "NCV of the {limbs}, {n} studies",
            ),
            (("acoem", "Special Studies"), ("cp", "Electrodiagnostic testing (EMG/NCS)")),
            "electrodiagnostic testing",
            sites="spine",
        ),
        35,
    ),
    (
        Kind(
            "Diagnostic Testing",
            "Lab & Pathology",
            ("Urine drug screen", "Urine toxicology screen, quantitative", "CBC and CMP"),
            (("cp", "Drug testing"), ("odg", ODG_PAIN + "Urine drug testing (UDT)")),
            "laboratory testing",
        ),
        30,
    ),
    (
        Kind(
            "Diagnostic Testing",
            "Other Diagnostic Tests",
            ("Functional capacity evaluation", "Computerized range of motion testing"),
            (("acoem", "General Approaches 2004"), ("odg", "chapter:Fitness for Duty|FCE")),
            "functional testing",
        ),
        15,
    ),
    (
        Kind(
            "Rehabilitation",
            "Physical Therapy/Occupational Therapy (PT/OT)",
            (
                "Physical therapy {n}x{m} for the {site}",
                "Additional physical therapy, {k} sessions, {site}",
                "Post-operative physical therapy {n}x{m} for the {site}",
                "Aquatic therapy {n}x{m} for the {site}",
            ),
            (("cp", "Physical medicine treatment"), ("ps", "")),
            "physical therapy",
            sites="any",
        ),
        80,
    ),
    (
        Kind(
            "Rehabilitation",
            "Chiropractic",
            (
                "Chiropractic treatment {n}x{m} to the {site}",
                "Chiropractic manipulation, {k} sessions, {site}",
            ),
            (("cp", "Manual therapy & manipulation"),),
            "manipulative therapy",
            sites="spine",
        ),
        30,
    ),
    (
        Kind(
            "Rehabilitation",
            "Acupuncture",
            ("Acupuncture {n}x{m} for the {site}", "Additional acupuncture, {k} sessions, {site}"),
            (("acu", ""),),
            "acupuncture",
            sites="any",
        ),
        30,
    ),
    (
        Kind(
            "Rehabilitation",
            "Other Therapies",
            ("Massage therapy for the {site}, {k} sessions", "Infrared therapy for the {site}"),
            (("cp", "Physical medicine treatment"),),
            "passive modalities",
            sites="any",
        ),
        8,
    ),
    (
        Kind(
            "Injection",
            "Injection",
            (
                "Epidural steroid injection at {level}",
                "Transforaminal epidural steroid injection, {level}",
                "Trigger point injections x{n} to the {site}",
            ),
            (("cp", "Epidural steroid injections (ESIs)"), ("acoem", "Initial Care")),
            "injection therapy",
            sites="spine",
        ),
        40,
    ),
    (
        Kind(
            "Injection",
            "Facet Injection",
            ("Bilateral medial branch block at {level}", "Facet joint injection at {level}"),
            (("cp", "Facet blocks"), ("odg", "Facet joint diagnostic blocks")),
            "facet procedures",
            sites="spine",
        ),
        15,
    ),
    (
        Kind(
            "Surgery",
            "Arthroscopic Surgery",
            ("Arthroscopy of the {site} with debridement", "Diagnostic arthroscopy of the {site}"),
            (("acoem", "Surgical Considerations"), ("odg", "Diagnostic arthroscopy")),
            "operative treatment",
            sites="joint",
        ),
        12,
    ),
    (
        Kind(
            "Surgery",
            "Spine",
            ("Laminectomy and discectomy at {level}", "Spinal fusion at {level}"),
            (("acoem", "Surgical Considerations"), ("odg", "Discectomy/laminectomy")),
            "spine surgery",
            sites="spine",
        ),
        10,
    ),
    (
        Kind(
            "Surgery",
            "Non-arthroscopic Surgery",
            ("Open repair of the {site}", "Hardware removal, {site}", "Tendon repair, {site}"),
            (("acoem", "Surgical Considerations"),),
            "operative treatment",
            sites="joint",
        ),
        8,
    ),
    (
        Kind(
            "Surgery",
            "Adjunct Surgical Services",
            ("Assistant surgeon", "Pre-operative medical clearance", "Inpatient stay, {n} days"),
            (("other", "Milliman"),),
            "services tied to the operation",
        ),
        10,
    ),
    (
        Kind(
            "Surgery",
            "Surgical Consult",
            ("Orthopedic surgery consultation for the {site}", "Surgical consultation, {site}"),
            (("acoem", "Independent Medical Examinations and Consultations 2004"),),
            "a surgical referral",
            sites="any",
        ),
        10,
    ),
    (
        Kind(
            "Evaluation & Management",
            "Medical Specialties",
            ("Pain management consultation", "Follow-up office visit", "Internal medicine consult"),
            (("cp", "Office visits"),),
            "a specialist visit",
        ),
        15,
    ),
    (
        Kind(
            "DMEPOS",
            "Electrical Stimulation",
            ("TENS unit, {k}-day trial", "Interferential stimulator, rental", "H-wave device"),
            (("cp", "TENS (transcutaneous electrical nerve stimulation)"),),
            "electrical stimulation",
        ),
        20,
    ),
    (
        Kind(
            "DMEPOS",
            "DME",
            ("Cold therapy unit, {k}-day rental", "Front-wheeled walker", "Hospital bed"),
            (("other", "Medicare"), ("odg", "chapter:Knee & Leg|Durable medical equipment")),
            "durable equipment",
        ),
        18,
    ),
    (
        Kind(
            "DMEPOS",
            "Prosthetics/Orthotics",
            ("Brace for the {site}", "Custom support for the {site}"),
            (("acoem", "Initial Care"),),
            "bracing",
            sites="any",
        ),
        12,
    ),
    (
        Kind(
            "Psych Services",
            "Therapies",
            (
                "Cognitive behavioral therapy, {k} sessions",
                "Individual psychotherapy, {k} sessions",
            ),
            (("cp", "Behavioral interventions"), ("odg", "chapter:Mental Illness & Stress|")),
            "psychological treatment",
            region="Psychological",
        ),
        15,
    ),
    (
        Kind(
            "Psych Services",
            "Evaluation & Management",
            ("Psychological evaluation", "Psychiatric consultation"),
            (("cp", "Psychological evaluations"),),
            "a psychological evaluation",
            region="Psychological",
        ),
        8,
    ),
    (
        Kind(
            "Programs",
            "Programs",
            ("Functional restoration program, {k} hours", "Gym membership, {n} months"),
            (("cp", "Work conditioning, work hardening"),),
            "a structured program",
        ),
        8,
    ),
    (
        Kind(
            "Home Health",
            "Home Health",
            ("Home health aide, {n} hours per day", "Home nursing visits, {k} visits"),
            (("cp", "Home health services"),),
            "home care",
        ),
        5,
    ),
    (
        Kind(
            "Transportation",
            "Transportation",
            ("Transportation to and from medical appointments",),
            (("other", "Medicare"),),
            "transportation",
        ),
        3,
    ),
    (
        Kind(
            "Therapies",
            "Other Therapies",
            ("Extracorporeal shockwave therapy to the {site}", "Low-level laser therapy, {site}"),
            (("cp", "Low-Level Laser Therapy (LLLT)"),),
            "device-based therapy",
            sites="joint",
        ),
        5,
    ),
    (
        _drug(
            "Opioids",
            (
                "Norco 10/325mg #{q}",
                "Tramadol 50mg #{q}",
                "Oxycodone 10mg #{q}",
                "Percocet 5/325mg #{q}",
                "Nucynta ER 100mg #{q}",
                "Tramadol ER 150mg #{q}",
                "Butrans patch 10mcg/hr #4",
                "Synapryn oral suspension 500ml",
            ),
            (("cp", "Opioids"), ("op", "")),
            "opioid therapy",
        ),
        110,
    ),
    (
        _drug(
            "NSAID",
            (
                "Naproxen sodium 550mg #{q}",
                "Ibuprofen 800mg #{q}",
                "Celebrex 200mg #{q}",
                "Meloxicam 15mg #{q}",
                "Diclofenac sodium ER 100mg #{q}",
            ),
            (("cp", "NSAIDs (non-steroidal anti-inflammatory drugs)"),),
            "anti-inflammatory medication",
        ),
        50,
    ),
    (
        _drug(
            "Muscle Relaxant",
            (
                "Cyclobenzaprine 7.5mg #{q}",
                "Flexeril 10mg #{q}",
                "Tizanidine 4mg #{q}",
                "Baclofen 10mg #{q}",
                "Soma 350mg #{q}",
                "Methocarbamol 750mg #{q}",
                "Tabradol oral suspension 250ml",
            ),
            (("cp", "Muscle relaxants (for pain)"),),
            "muscle relaxant therapy",
        ),
        55,
    ),
    (
        _drug(
            "Proton Pump Inhibitors",
            (
                "Omeprazole 20mg #{q}",
                "Pantoprazole 20mg #{q}",
                "Prilosec 20mg #{q}",
                "Esomeprazole 40mg #{q}",
            ),
            (("cp", "NSAIDs, GI symptoms & cardiovascular risk"),),
            "gastric protection",
        ),
        30,
    ),
    (
        _drug(
            "Anti-epilepsy drugs",
            ("Gabapentin 600mg #{q}", "Lyrica 75mg #{q}", "Neurontin 300mg #{q}"),
            (("cp", "Antiepilepsy drugs (AEDs) for pain"),),
            "neuropathic pain medication",
        ),
        30,
    ),
    (
        _drug(
            "Antidepressant",
            (
                "Cymbalta 60mg #{q}",
                "Amitriptyline 25mg #{q}",
                "Trazodone 50mg #{q}",
                "Duloxetine 30mg #{q}",
            ),
            (("cp", "Antidepressants for chronic pain"),),
            "antidepressant therapy",
        ),
        20,
    ),
    (
        _drug(
            "Topical Analgesics",
            ("Lidoderm 5% patch #{q}", "Voltaren 1% gel 100g", "Flector patch #{q}"),
            (("cp", "Topical analgesics"),),
            "topical analgesia",
        ),
        20,
    ),
    (
        _drug(
            "Topical Compounds",
            (
                "Flurbiprofen 20%/Lidocaine 5% cream 180g",
                "Ketoprofen 20% in cream base 240g",
                "Gabapentin 10%/Amitriptyline 5%/Capsaicin 0.025% compound cream",
            ),
            (("cp", "Topical analgesics"), ("cp", "Compound drugs")),
            "compounded topicals",
        ),
        25,
    ),
    (
        _drug(
            "Sedative-hypnotics",
            ("Ambien 10mg #{q}", "Zolpidem 5mg #{q}", "Lunesta 2mg #{q}"),
            (("odg", ODG_PAIN + "Insomnia treatment"),),
            "sleep medication",
        ),
        15,
    ),
    (
        _drug(
            "Benzodiazepines",
            ("Xanax 0.5mg #{q}", "Diazepam 5mg #{q}", "Klonopin 1mg #{q}"),
            (("cp", "Benzodiazepines"),),
            "benzodiazepine therapy",
        ),
        10,
    ),
    (
        _drug(
            "Antiemetic",
            ("Ondansetron 8mg #{q}", "Zofran ODT 4mg #{q}"),
            (("odg", ODG_PAIN + "Antiemetics (for opioid nausea)"),),
            "antiemetic medication",
        ),
        6,
    ),
    (
        _drug(
            "GI Agents",
            ("Docusate sodium 100mg #{q}", "Senokot-S #{q}", "Linzess 145mcg #{q}"),
            (("cp", "Opioid-induced constipation treatment"),),
            "a bowel regimen",
        ),
        6,
    ),
    (
        _drug(
            "Nutritional Products",
            ("Theramine #{q}", "Sentra PM #{q}"),
            (("odg", ODG_PAIN + "Medical food"),),
            "a medical food",
        ),
        6,
    ),
    (
        _drug(
            "H2 Blocker",
            ("Ranitidine 150mg #{q}", "Famotidine 20mg #{q}"),
            (("cp", "NSAIDs, GI symptoms & cardiovascular risk"),),
            "acid suppression",
        ),
        4,
    ),
    (
        _drug(
            "Antihistamine",
            ("Hydroxyzine 25mg #{q}",),
            (("other", "UpToDate"),),
            "an antihistamine",
        ),
        3,
    ),
    (
        _drug(
            "Injection",
            ("Toradol 60mg IM injection", "Vitamin B12 injection"),
            (("cp", "NSAIDs (non-steroidal anti-inflammatory drugs)"),),
            "an intramuscular injection",
        ),
        4,
    ),
    (
        _drug(
            "Barbiturates",
            ("Fioricet #{q}",),
            (("cp", "Barbiturate-containing analgesic agents"),),
            "a barbiturate compound",
        ),
        2,
    ),
)

SPECIALTIES: tuple[tuple[str, int], ...] = (
    ("Orthopedic Surgery", 22),
    ("Physical Medicine & Rehabilitation", 18),
    ("Family Practice", 10),
    ("Anesthesiology", 10),
    ("Occupational Medicine", 9),
    ("Pain Management", 8),
    ("Internal Medicine", 7),
    ("Chiropractic", 6),
    ("Preventive Medicine", 6),
    ("Neurology", 4),
    ("Neurological Surgery", 3),
    ("Psychiatry", 3),
    ("Psychologist", 2),
    ("Emergency Medicine", 2),
    ("Sports Medicine", 2),
    ("Hand Surgery", 2),
    ("Podiatrist", 1),
    ("Rheumatology", 1),
)
# Written the way some letters spell them; the parser maps them back (TAXONOMY.md section 5).
SPECIALTY_ALIASES = {
    "Family Practice": "Family Medicine",
    "Orthopedic Surgery": "Orthopaedic Surgery",
    "Physical Medicine & Rehabilitation": "Physical Medicine and Rehabilitation",
}
STATES: tuple[tuple[str, int], ...] = (
    ("California", 55),
    ("Texas", 6),
    ("New York", 5),
    ("Florida", 4),
    ("Illinois", 3),
    ("Pennsylvania", 3),
    ("Ohio", 3),
    ("Maryland", 3),
    ("Washington", 2),
    ("Arizona", 2),
    ("Colorado", 2),
    ("Massachusetts", 2),
    ("Michigan", 2),
    ("North Carolina", 2),
    ("Georgia", 2),
    ("Oregon", 1),
    ("Nevada", 1),
    ("Virginia", 1),
    ("New Jersey", 1),
    ("Connecticut", 1),
    ("Minnesota", 1),
    ("Tennessee", 1),
    ("District of Columbia", 1),
)
