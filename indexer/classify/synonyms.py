"""Groups of words and phrases that find each other at query time.

Each group joins a brand and generic drug names (from the drug table) or an abbreviation
the letters use with its spelled-out form. Members are lowercase; a member may be a
phrase ('physical therapy'), which the search layer matches as a phrase.
"""

from __future__ import annotations

from functools import cache

from indexer.classify.drugs import drug_table

# Abbreviations of the letters and what they stand for.
ABBREVIATIONS: tuple[tuple[str, ...], ...] = (
    ("pt", "physical therapy", "physiotherapy"),
    ("ot", "occupational therapy"),
    ("esi", "epidural steroid injection", "epidural steroid injections"),
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
    ("si joint", "sacroiliac joint"),
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


@cache
def _groups() -> tuple[frozenset[str], ...]:
    groups = [frozenset(group) for group in ABBREVIATIONS]
    groups.extend(drug.names for drug in drug_table().values() if len(drug.names) > 1)
    return tuple(groups)


SYNONYM_GROUPS: tuple[frozenset[str], ...] = _groups()


@cache
def _index() -> dict[str, frozenset[str]]:
    index: dict[str, frozenset[str]] = {}
    for group in SYNONYM_GROUPS:
        for member in group:
            index[member] = index.get(member, frozenset()) | group
    return index


def expand(term: str) -> frozenset[str]:
    """Return the term and every word or phrase grouped with it, lowercase."""
    key = " ".join(term.lower().split())
    return _index().get(key, frozenset()) | {key} if key else frozenset()
