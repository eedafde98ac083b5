"""The grounds of a decision (TAXONOMY.md section 8), read from the reviewer's own view.

classify_reasons reads the rationale clause by clause (indexer.classify.rationale tells the
reviewer's own clauses from quoted guideline text and the UR's reasons) and matches each own
clause against the cues of the item's outcome (indexer.classify.reason_cues), qualified by
negations, conditions and the item's heading (indexer.classify.reason_qualifiers). Decisions
made here:

- Most cues need a negation in their clause ('no', 'lack of', 'without', 'normal exam'): a
  finding that is present is not a ground for denial. The verdict ('... is not medically
  necessary') is no such negation.
- A clause that names a specific ground (a failed first-line treatment, the results of earlier
  sessions) does not also count for the generic 'no signs / no history of' wording of
  Indications not documented; missing paperwork is the exception, often said with it.
- An item tied to a service that was not found necessary takes that ground alone from the
  clause that says so.
- Not recommended by guideline is the one label also read from guideline text: when the
  guideline the reviewer relies on says the requested treatment (it must share a word with the
  item's heading, drug names and 'cream'/'topical' alike counted) is not recommended, without a
  condition that makes it a matter of limits, first-line order or indications ('for longer than
  2-3 weeks', 'as a primary modality', 'in the absence of red flags'), that is the ground.
- Exceeds guideline limits also follows from a heading that records a partial certification
  ('... 6 sessions was authorized') when the reviewer speaks of that authorization or of
  awaiting its results (the trial borderline case), and from use past a guideline's duration
  limit ('short-term use'; 'has taken it since 2014').
- Studies: for an MRI or CT, missing plain films are Conservative care not tried (a first step
  not taken); a repeat of the requested study, or that study already done, is Duplicate therapy.
- An Upheld item whose reviewer speaks but matches no cue takes Indications not documented,
  the commonest ground; one with no words of the reviewer's own takes Other.
- Overturned items always take Indications documented: the reviewer found the request meets
  the guideline's conditions, whatever else is said.
- Labels are ranked in a fixed order of decisiveness per outcome (a non-certified primary
  service, then the guideline's position, its limits, the results of earlier treatment, the
  findings, and last the gaps of the paperwork) and capped at three.
"""

from __future__ import annotations

from functools import cache

from indexer.classify.drugs import drug_table
from indexer.classify.phrases import Folded, PhraseIndex, fold, index_phrases
from indexer.classify.rationale import Clause, Voice, read_clauses
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
    NOT_RECOMMENDED_WORDING,
    OTHER,
    OVERTURNED_CUES,
    SAFETY,
    UPHELD_CUES,
    WITHIN,
    Cue,
)
from indexer.classify.reason_qualifiers import (
    AUTHORIZED_TRIAL,
    CONCLUSION_RE,
    CONDITIONS,
    DRUG_TEST,
    DURATION_LIMIT,
    HEADING_CONCEPTS,
    HEADING_STOPWORDS,
    LONG_USE,
    PARTIAL_CERTIFICATION,
    REPEAT,
    STRICT_NEGATIONS,
    STUDIES,
    STUDY_DONE,
    WORD_RE,
)
from indexer.classify.vocabulary import vocabulary
from indexer.letter import Outcome

MAX_REASONS = 3
# Most decisive first.
UPHELD_ORDER = (
    DEPENDS,
    NOT_RECOMMENDED,
    EXCEEDS,
    NO_IMPROVEMENT,
    NO_INDICATIONS,
    DUPLICATE,
    NO_CONSERVATIVE,
    SAFETY,
    INSUFFICIENT,
)
OVERTURNED_ORDER = (IMPROVEMENT, INDICATIONS, WITHIN, CONSERVATIVE_FAILED)
UPHELD_INDEX = index_phrases(cue.wording for cue in UPHELD_CUES)
OVERTURNED_INDEX = index_phrases(cue.wording for cue in OVERTURNED_CUES)


def _content_words(text: Folded) -> frozenset[str]:
    """Content words of a text, singular, plus the concepts its wording names ('topical')."""
    words = {w.removesuffix("s") for w in WORD_RE.findall(text.lower) if w not in HEADING_STOPWORDS}
    words.update(name for name, wording in HEADING_CONCEPTS.items() if wording.search(text))
    return frozenset(words)


@cache
def _drug_names() -> dict[str, frozenset[str]]:
    """One-word drug names (brand or generic) -> all the names of that drug."""
    return {
        name: frozenset(n.removesuffix("s") for n in drug.names)
        for drug in drug_table().values()
        for name in drug.names
        if name.isalpha()
    }


def _heading_words(heading: Folded) -> frozenset[str]:
    """The heading's content words, plus every name of a drug it names ('Soma': carisoprodol)."""
    words = set(_content_words(heading))
    names = _drug_names()
    for word in WORD_RE.findall(heading.lower):
        words |= names.get(word, frozenset())
    return frozenset(words)


def _bare(text: Folded) -> Folded:
    """Return a clause without its verdict, whose 'not' negates nothing a cue looks for."""
    return fold(CONCLUSION_RE.sub(" ", text.lower)) if CONCLUSION_RE.search(text.lower) else text


def _clause_labels(text: Folded, cues: tuple[Cue, ...], index: PhraseIndex) -> set[str]:
    """Return the labels one own clause grounds (specific cues first, then generic ones)."""
    bare = _bare(text)
    specific: set[str] = set()
    generic: set[str] = set()
    for number in index.matching(text):
        cue = cues[number]
        if cue.negation is not None and not cue.negation.search(bare):
            continue
        if cue.unless is None or not cue.unless.search(text):
            (generic if cue.generic else specific).add(cue.label)
    if DEPENDS in specific:
        return {DEPENDS}
    # Missing paperwork and missing findings are often said together; any other ground is more
    # specific than 'no indication / no evidence of'.
    return specific if specific - {INSUFFICIENT} else specific | generic


def _not_recommended_by_guideline(text: Folded, heading_words: frozenset[str]) -> bool:
    """Tell whether a guideline clause says the requested treatment is not recommended."""
    if not NOT_RECOMMENDED_WORDING.search(text) or CONDITIONS.search(text):
        return False
    return not heading_words.isdisjoint(_content_words(text))


def _study_labels(requested: frozenset[str], text: Folded) -> set[str]:
    """Labels from the studies a clause names: no plain films before imaging, a repeat study."""
    found: set[str] = set()
    negated = bool(STRICT_NEGATIONS.search(text))
    if requested & {"mri", "ct"} and negated and STUDIES["xray"].search(text):
        found.add(NO_CONSERVATIVE)
    mentioned = any(STUDIES[kind].search(text) for kind in requested)
    if mentioned and not negated and STUDY_DONE.search(text):
        found.add(DUPLICATE)
    repeat = REPEAT.search(text)
    if repeat and (repeat["generic"] or mentioned):
        found.add(DUPLICATE)
    return found


def _upheld_reasons(treatment: str, clauses: tuple[Clause, ...]) -> set[str]:
    heading = fold(treatment)
    heading_words = _heading_words(heading)
    studies = frozenset(kind for kind, wording in STUDIES.items() if wording.search(heading))
    partial = bool(PARTIAL_CERTIFICATION.search(heading))
    drug_test = bool(DRUG_TEST.search(heading))
    limited = any(DURATION_LIMIT.search(c.folded) for c in clauses)
    found: set[str] = set()
    for clause in clauses:
        if clause.voice is Voice.GUIDELINE:
            if _not_recommended_by_guideline(clause.folded, heading_words):
                found.add(NOT_RECOMMENDED)
            continue
        if clause.voice is not Voice.OWN:
            continue
        labels = _clause_labels(clause.folded, UPHELD_CUES, UPHELD_INDEX)
        if DEPENDS not in labels:
            if studies:
                labels |= _study_labels(studies, clause.folded)
            if partial and AUTHORIZED_TRIAL.search(clause.folded):
                labels.add(EXCEEDS)
            if limited and LONG_USE.search(clause.folded):
                labels.add(EXCEEDS)
        if drug_test:
            labels.discard(SAFETY)  # the drug screen requested, not one that is missing
        found |= labels
    if not found and any(c.voice is Voice.OWN for c in clauses):
        found.add(NO_INDICATIONS)  # the commonest ground, the readers' usual choice here
    return found


def _overturned_reasons(clauses: tuple[Clause, ...]) -> set[str]:
    found = {INDICATIONS}
    for clause in clauses:
        if clause.voice is Voice.OWN:
            found |= _clause_labels(clause.folded, OVERTURNED_CUES, OVERTURNED_INDEX)
    return found


def classify_reasons(outcome: Outcome, treatment: str, rationale: str) -> tuple[str, ...]:
    """Return an item's 1-3 reasons, most decisive first ('Other' alone if none is found)."""
    order: tuple[str, ...]
    if outcome is Outcome.UPHELD:
        found, order = _upheld_reasons(treatment, read_clauses(rationale)), UPHELD_ORDER
    elif outcome is Outcome.OVERTURNED:
        found, order = _overturned_reasons(read_clauses(rationale)), OVERTURNED_ORDER
    else:
        raise ValueError(f"an item is Upheld or Overturned, not {outcome.value}")
    allowed = vocabulary().reason_labels(outcome.value)
    ranked = tuple(label for label in order if label in found and label in allowed)
    return ranked[:MAX_REASONS] or (OTHER,)
