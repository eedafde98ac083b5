"""The brand <-> generic table and the synonym groups built from it."""

from __future__ import annotations

import pytest

from indexer.classify import drugs, synonyms
from indexer.classify.vocabulary import vocabulary


def test_table_is_large_and_every_class_is_a_pharmaceuticals_subcategory() -> None:
    table = drugs.drug_table()
    assert len(table) >= 150
    allowed = set(vocabulary().treatment["Pharmaceuticals"])
    assert {d.drug_class for d in table.values()} <= allowed


def test_no_name_belongs_to_two_generics() -> None:
    owners: dict[str, str] = {}
    for drug in drugs.drug_table().values():
        for name in drug.names:
            assert owners.setdefault(name, drug.generic) == drug.generic, name


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        pytest.param("Norco", "Opioids", id="brand"),
        pytest.param("norco", "Opioids", id="lowercase-brand"),
        pytest.param("hydrocodone/acetaminophen", "Opioids", id="combination-generic"),
        pytest.param("Flexeril", "Muscle Relaxant", id="muscle-relaxant"),
        pytest.param("Tabradol", "Muscle Relaxant", id="oral-suspension-kit"),
        pytest.param("Synapryn", "Opioids", id="tramadol-kit"),
        pytest.param("Fanatrex", "Anti-epilepsy drugs", id="gabapentin-kit"),
        pytest.param("Deprizine", "H2 Blocker", id="ranitidine-kit"),
        pytest.param("Dicopanol", "Antihistamine", id="diphenhydramine-kit"),
        pytest.param("Voltaren", "NSAID", id="oral-voltaren"),
        pytest.param("Voltaren Gel", "Topical Analgesics", id="voltaren-gel"),
        pytest.param("Lidoderm", "Topical Analgesics", id="lidoderm"),
        pytest.param("Ketophene", "Topical Compounds", id="compounding-kit"),
        pytest.param("Synvisc", "Viscosupplementation", id="hyaluronic"),
        pytest.param("Medrol Dosepak", "Adrenal Cortical Steroids", id="steroid"),
        pytest.param("Theramine", "Nutritional Products", id="medical-food"),
        pytest.param("Norco 10/325mg #90", "Opioids", id="dosage-string"),
        pytest.param("aspirin-free", None, id="hyphenated-not-a-name"),
        pytest.param("physical therapy", None, id="not-a-drug"),
        pytest.param("", None, id="empty"),
    ],
)
def test_drug_class(name: str, expected: str | None) -> None:
    assert drugs.drug_class(name) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("Post-op Norco 5/325mg #60", "hydrocodone/acetaminophen", id="after-prefix"),
        pytest.param("Cyclobenzaprine 7.5mg #27", "cyclobenzaprine", id="generic"),
        pytest.param("Voltaren Gel 1% 100g", "diclofenac topical", id="longest-name-wins"),
        pytest.param("Voltaren XR 100mg", "diclofenac", id="extended-release-brand"),
        pytest.param("Gabapentin 10%, Cyclobenzaprine 6%", "gabapentin", id="first-of-several"),
        pytest.param("Hydrocodone / APAP 10/325", "hydrocodone/acetaminophen", id="spaced-slash"),
        pytest.param("MRI of the lumbar spine", None, id="no-drug"),
    ],
)
def test_find_drug(text: str, expected: str | None) -> None:
    assert drugs.find_drug(text) == expected


def test_find_drugs_keeps_order_without_duplicates() -> None:
    text = "Flurbiprofen 20%, Baclofen 5%, Flurbiprofen again, Capsaicin 0.025% in cream base"
    assert drugs.find_drugs(text) == ("flurbiprofen", "baclofen", "capsaicin")


def test_brand_and_generic_find_each_other() -> None:
    assert "hydrocodone/acetaminophen" in drugs.synonyms_of("Norco")
    assert "norco" in drugs.synonyms_of("hydrocodone/acetaminophen")
    assert drugs.synonyms_of("Norco") == drugs.synonyms_of("VICODIN")
    assert drugs.synonyms_of("not a drug") == frozenset()


@pytest.mark.parametrize(
    ("term", "member"),
    [
        pytest.param("PT", "physical therapy", id="pt"),
        pytest.param("physical therapy", "pt", id="pt-reverse"),
        pytest.param("OT", "occupational therapy", id="ot"),
        pytest.param("ESI", "epidural steroid injection", id="esi"),
        pytest.param("TENS", "transcutaneous electrical nerve stimulation", id="tens"),
        pytest.param("CBT", "cognitive behavioral therapy", id="cbt"),
        pytest.param("FRP", "functional restoration program", id="frp"),
        pytest.param("EMG", "electromyography", id="emg"),
        pytest.param("NCV", "nerve conduction velocity", id="ncv"),
        pytest.param("NCS", "nerve conduction study", id="ncs"),
        pytest.param("NSAID", "non-steroidal anti-inflammatory", id="nsaid"),
        pytest.param("PPI", "proton pump inhibitor", id="ppi"),
        pytest.param("MRI", "magnetic resonance imaging", id="mri"),
        pytest.param("CT", "computed tomography", id="ct"),
        pytest.param("FCE", "functional capacity evaluation", id="fce"),
        pytest.param("UDS", "urine drug screen", id="uds"),
        pytest.param("DME", "durable medical equipment", id="dme"),
        pytest.param("HEP", "home exercise program", id="hep"),
        pytest.param("RFA", "radiofrequency ablation", id="rfa"),
        pytest.param("PRP", "platelet rich plasma", id="prp"),
        pytest.param("ORIF", "open reduction internal fixation", id="orif"),
        pytest.param("SCS", "spinal cord stimulator", id="scs"),
        pytest.param("MBB", "medial branch block", id="mbb"),
        pytest.param("TPI", "trigger point injection", id="tpi"),
        pytest.param("ESWT", "extracorporeal shockwave therapy", id="eswt"),
        pytest.param("LLLT", "low level laser therapy", id="lllt"),
        pytest.param("H-wave", "hwave", id="h-wave"),
        pytest.param("Norco", "hydrocodone/acetaminophen", id="drug-brand"),
        pytest.param("celecoxib", "celebrex", id="drug-generic"),
        pytest.param("  Physical   Therapy ", "pt", id="spacing-and-case"),
    ],
)
def test_expand(term: str, member: str) -> None:
    expanded = synonyms.expand(term)
    assert member in expanded
    assert " ".join(term.lower().split()) in expanded


def test_expand_unknown_term_is_itself_and_groups_are_lowercase() -> None:
    assert synonyms.expand("Scooter") == frozenset({"scooter"})
    assert synonyms.expand("   ") == frozenset()
    for group in synonyms.SYNONYM_GROUPS:
        assert len(group) > 1
        assert all(member == member.lower().strip() for member in group)
