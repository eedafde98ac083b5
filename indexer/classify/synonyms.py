"""Groups of words and phrases that find each other at query time.

Each group joins a brand and generic drug names (from the drug table), an abbreviation the
letters use with its spelled-out form, or the names of one body site (TAXONOMY.md section
7). A combination product is grouped with its first ingredient as well (Norco with
hydrocodone, Percocet with oxycodone). Members are lowercase; a member may be a phrase
('physical therapy'), which the search layer matches as a phrase. The relation is
symmetric: a term expands to every group it is in, so each member finds the others.
"""

from __future__ import annotations

from functools import cache

from indexer.classify.drugs import drug_table

# Abbreviations of the letters and what they stand for.
ABBREVIATIONS: tuple[tuple[str, ...], ...] = (
    ("pt", "physical therapy", "physiotherapy"),
    ("ot", "occupational therapy"),
    ("esi", "epidural steroid injection", "epidural steroid injections"),
    ("lesi", "lumbar epidural steroid injection", "lumbar epidural steroid injections"),
    ("cesi", "cervical epidural steroid injection", "cervical epidural steroid injections"),
    (
        "tfesi",
        "transforaminal epidural steroid injection",
        "transforaminal epidural steroid injections",
    ),
    ("tens", "transcutaneous electrical nerve stimulation"),
    ("cbt", "cognitive behavioral therapy", "cognitive behavioural therapy"),
    ("frp", "functional restoration program"),
    ("emg", "electromyography", "electromyogram"),
    ("ncv", "nerve conduction velocity"),
    ("ncs", "nerve conduction study", "nerve conduction studies"),
    ("nsaid", "nsaids", "non-steroidal anti-inflammatory", "nonsteroidal anti-inflammatory"),
    ("ppi", "ppis", "proton pump inhibitor", "proton pump inhibitors"),
    ("mri", "magnetic resonance imaging"),
    ("ct", "computed tomography", "cat scan"),
    ("fce", "functional capacity evaluation"),
    ("uds", "urine drug screen", "urine drug screening"),
    ("udt", "urine drug testing", "urine drug test"),
    ("dme", "durable medical equipment"),
    ("hep", "home exercise program"),
    ("rfa", "radiofrequency ablation"),
    ("prp", "platelet rich plasma", "platelet-rich plasma"),
    ("orif", "open reduction internal fixation"),
    ("scs", "spinal cord stimulator", "spinal cord stimulation"),
    ("mbb", "medial branch block", "medial branch blocks"),
    ("tpi", "trigger point injection", "trigger point injections"),
    ("eswt", "extracorporeal shockwave therapy", "extracorporeal shock wave therapy"),
    ("lllt", "low level laser therapy", "low-level laser therapy", "cold laser"),
    ("h-wave", "hwave", "h wave"),
    ("ems", "electrical muscle stimulation"),
    ("nmes", "neuromuscular electrical stimulation"),
    ("ift", "interferential therapy", "interferential current"),
    ("acdf", "anterior cervical discectomy and fusion"),
    ("adl", "adls", "activities of daily living"),
    ("rom", "range of motion"),
    ("mtus", "medical treatment utilization schedule"),
    ("odg", "official disability guidelines"),
    ("acoem", "american college of occupational and environmental medicine"),
    ("imr", "independent medical review"),
    ("ur", "utilization review"),
    ("crps", "complex regional pain syndrome", "rsd", "reflex sympathetic dystrophy"),
    ("tmj", "temporomandibular joint"),
    ("slap", "superior labral anterior posterior"),
    ("acl", "anterior cruciate ligament"),
    ("ekg", "ecg", "electrocardiogram"),
    ("eeg", "electroencephalogram"),
    ("ssep", "somatosensory evoked potentials"),
    ("ua", "urinalysis"),
    ("cbc", "complete blood count"),
    ("cmp", "comprehensive metabolic panel"),
    ("snf", "skilled nursing facility"),
    ("ptsd", "post-traumatic stress disorder", "posttraumatic stress disorder"),
    ("ttd", "temporary total disability", "total temporary disability"),
    ("oic", "opioid-induced constipation", "opioid induced constipation"),
    ("aed", "aeds", "antiepilepsy drugs", "anti-epilepsy drugs"),
)

# The names of one body site (TAXONOMY.md section 7's term map): the same place, not the
# region's wider cover ('back' alone, trapezius, ribs), which the body_region facet finds.
BODY_SITES: tuple[tuple[str, ...], ...] = (
    ("cervical", "neck", "c-spine", "cervical spine"),
    ("thoracic", "mid back", "middle back", "t-spine", "thoracic spine"),
    ("lumbar", "low back", "lower back", "l-spine", "lumbar spine"),
    ("sacroiliac", "si joint", "si joints", "sacroiliac joint", "sacroiliac joints"),
    ("tmj", "temporomandibular joint", "jaw"),
    ("cts", "carpal tunnel syndrome"),
)


def _drug_groups() -> list[frozenset[str]]:
    groups: list[frozenset[str]] = []
    for drug in drug_table().values():
        names = drug.names
        if "/" in drug.generic:  # a combination also finds (and is found by) its first drug
            names |= {drug.generic.split("/")[0].strip()}
        if len(names) > 1:
            groups.append(names)
    return groups


@cache
def _groups() -> tuple[frozenset[str], ...]:
    groups = [frozenset(group) for group in (*ABBREVIATIONS, *BODY_SITES)]
    groups.extend(_drug_groups())
    return tuple(groups)


SYNONYM_GROUPS: tuple[frozenset[str], ...] = _groups()


@cache
def _index() -> dict[str, frozenset[str]]:
    index: dict[str, frozenset[str]] = {}
    for group in SYNONYM_GROUPS:
        for member in group:
            index[member] = index.get(member, frozenset()) | group
    return index


def is_named(term: str) -> bool:
    """Tell whether a term is a member of a synonym group (a drug, abbreviation or site)."""
    return " ".join(term.lower().split()) in _index()


def expand(term: str) -> frozenset[str]:
    """Return the term and every word or phrase grouped with it, lowercase."""
    key = " ".join(term.lower().split())
    return _index().get(key, frozenset()) | {key} if key else frozenset()
