"""Phrase lists that run only the phrasings whose words a text contains.

The reasons classifier runs on every decision of a build and matches a few hundred phrasings
('no red flags', 'failed conservative care', ...). As one alternation, Python's re would try
every phrasing at every word of a text: milliseconds a decision. Here each phrasing is its own
regex, compiled in lower case so that re can scan for its first letters, and it knows the
words every match must contain (by their first STEM letters, a stem): the word it starts with
and the words that follow a mandatory space or word boundary outside any group. A phrasing runs
only on a text that has all of them, which Folded tells from a set. A phrasing none of whose
words can be known from the pattern ('\\d+ more') runs on every text: correct, only slower.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from operator import itemgetter

STEM = 4  # letters of a word that are compared
# Words for their stems: a phrasing's match starts where one starts (its previous character is
# no letter or digit), so no stem a match needs is missed.
WORD_RE = re.compile(r"[a-z0-9]+")
FIRST_LETTERS = itemgetter(slice(None, STEM))
LITERAL = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")
QUANTIFIERS = frozenset("?*{")
# Stems too common in rationales to tell them apart: a phrasing is indexed by a rarer word
# when it has one ('there is no rationale' by 'rati').
COMMON = frozenset(
    {
        "no", "not", "the", "is", "was", "are", "were", "in", "at", "of", "to", "a", "an", "for",
        "with", "has", "had", "have", "did", "does", "do", "ther", "this", "that", "as", "be",
        "been", "by", "on", "or", "and", "it", "docu", "pain", "pati", "medi", "requ", "trea",
        "reco", "guid", "prov", "clin",
    }
)  # fmt: skip
# What may follow a literal shorter than STEM for it to be a whole word: a mandatory non-word.
WORD_ENDS = (r"\s", " ", r"\b", "[- ]", "[ -]", "-", "'", "/", '"', ",", ".")

Requirement = frozenset[str]  # stems of one word a match contains: one of them is in the text


@dataclass(frozen=True, slots=True)
class Folded:
    """A text as Phrases.search takes it: lower case, with the stems of its words."""

    lower: str
    stems: frozenset[str]


def fold(text: str) -> Folded:
    """Prepare a text for Phrases.search."""
    lower = text.lower()
    return Folded(lower, frozenset(map(FIRST_LETTERS, WORD_RE.findall(lower))))


@dataclass(frozen=True, slots=True, eq=False)
class Phrasing:
    """One phrasing of a list, with the words (other than its index word) it needs."""

    regex: re.Pattern[str]
    required: frozenset[str]  # stems that must all be in the text
    choices: tuple[Requirement, ...] = ()  # and one stem of each of these

    def may_match(self, stems: frozenset[str]) -> bool:
        """Tell whether a text with these word stems has every word the phrasing needs."""
        if not self.required <= stems:
            return False
        return all(not choice.isdisjoint(stems) for choice in self.choices)


@dataclass(frozen=True, slots=True)
class Phrases:
    """A list of phrasings, each matched from the start of a word, ignoring case."""

    by_stem: dict[str, tuple[Phrasing, ...]]  # a stem -> the phrasings indexed by it
    always: tuple[Phrasing, ...]  # phrasings with no known word
    stems: frozenset[str]  # the keys of by_stem

    def candidates(self, text: Folded) -> Iterator[Phrasing]:
        """Yield the phrasings that may match text (one under two stems may come twice)."""
        stems = text.stems
        yield from self.always
        for stem in self.stems.intersection(stems):
            for phrasing in self.by_stem[stem]:
                if phrasing.may_match(stems):
                    yield phrasing

    def search(self, text: Folded) -> re.Match[str] | None:
        """Return a match of some phrasing in text.lower, or None."""
        if not self.always and self.stems.isdisjoint(text.stems):
            return None  # the common case, decided without a generator
        for phrasing in self.candidates(text):
            match = _search_word(phrasing.regex, text.lower)
            if match:
                return match
        return None

    def finditer(self, text: Folded) -> Iterator[re.Match[str]]:
        """Yield the matches of the phrasings in text.lower, phrasing by phrasing."""
        for phrasing in self.candidates(text):
            for match in phrasing.regex.finditer(text.lower):
                if _word_start(text.lower, match):
                    yield match


@dataclass(frozen=True, slots=True)
class PhraseIndex:
    """Several phrase lists searched at once, for the lists that match a text."""

    by_stem: dict[str, tuple[tuple[int, Phrasing], ...]]  # stem -> (list number, phrasing)
    always: tuple[tuple[int, Phrasing], ...]
    stems: frozenset[str]

    def matching(self, text: Folded) -> set[int]:
        """Return the numbers (positions in index_phrases' argument) of the lists that match."""
        found: set[int] = set()
        stems = text.stems
        for stem in self.stems.intersection(stems):
            for number, phrasing in self.by_stem[stem]:
                if (
                    number not in found
                    and phrasing.required <= stems
                    and (not phrasing.choices or phrasing.may_match(stems))
                    and _search_word(phrasing.regex, text.lower)
                ):
                    found.add(number)
        for number, phrasing in self.always:
            if number not in found and _search_word(phrasing.regex, text.lower):
                found.add(number)
        return found


def index_phrases(lists: Iterable[Phrases]) -> PhraseIndex:
    """Index phrase lists together (see PhraseIndex.matching)."""
    by_stem: dict[str, list[tuple[int, Phrasing]]] = {}
    always: list[tuple[int, Phrasing]] = []
    for number, listed in enumerate(lists):
        always += [(number, phrasing) for phrasing in listed.always]
        for stem, phrasings in listed.by_stem.items():
            by_stem.setdefault(stem, []).extend((number, p) for p in phrasings)
    return PhraseIndex(
        {stem: tuple(e) for stem, e in by_stem.items()}, tuple(always), frozenset(by_stem)
    )


def phrases(pattern: str) -> Phrases:
    """Compile an alternation of phrasings ('no\\s+red\\s+flags?|neurologic\\s+deficits?')."""
    if re.search(r"\\[SWDB]", pattern):
        raise ValueError(f"upper-case class escapes do not survive lower-casing: {pattern!r}")
    by_stem: dict[str, list[Phrasing]] = {}
    always: list[Phrasing] = []
    lower = pattern.lower().replace("(?p<", "(?P<")  # named groups keep their syntax
    for alternative in _expand(lower):
        needs = _requirements(alternative)
        if not needs:
            always.append(Phrasing(re.compile(alternative), frozenset()))
            continue
        # Index by the rarest word: not a common one if possible, then the fewest stems.
        key = min(needs, key=lambda need: (need <= COMMON, len(need)))
        others = [need for need in needs if need is not key]
        required = frozenset(stem for need in others if len(need) == 1 for stem in need)
        choices = tuple(need for need in others if len(need) > 1)
        phrasing = Phrasing(re.compile(alternative), required, choices)
        for stem in key:
            by_stem.setdefault(stem, []).append(phrasing)
    return Phrases(
        {stem: tuple(p) for stem, p in by_stem.items()}, tuple(always), frozenset(by_stem)
    )


def _expand(pattern: str) -> Iterator[str]:
    """Yield a pattern's alternatives with any leading group multiplied out.

    '(?:a|b)c' gives 'ac' and 'bc': each then starts with a literal word, which re scans for
    far faster than for a group.
    """
    for alternative in _split_alternatives(pattern):
        alternative = alternative.removeprefix(r"\b")
        if alternative.startswith("(?:"):
            end = _closing(alternative)
            rest = alternative[end + 1 :]
            if rest[:1] not in QUANTIFIERS:
                for branch in _split_alternatives(alternative[3:end]):
                    yield from _expand(branch + rest)
                continue
        yield alternative


def any_of(*phrasings: str) -> Phrases:
    """Compile phrasings given one per argument (see phrases)."""
    return phrases("|".join(phrasings))


def _word_start(text: str, match: re.Match[str]) -> bool:
    start = match.start()
    return start == 0 or not (text[start - 1].isalnum() or text[start - 1] == "_")


def _search_word(regex: re.Pattern[str], text: str) -> re.Match[str] | None:
    """Search like regex.search, but only for matches that start a word."""
    position = 0
    while (match := regex.search(text, position)) is not None:
        if _word_start(text, match):
            return match
        position = match.start() + 1
    return None


def _tokens(pattern: str) -> Iterator[tuple[int, str, int]]:
    """Yield (index, token, group depth) for a pattern: escapes and classes are one token."""
    depth = 0
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            end = index + 2
        elif char == "[":
            skip = 2 if pattern.startswith(("[]", "[^]"), index) else 1
            end = pattern.index("]", index + skip) + 1
        else:
            end = index + 1
        depth -= char == ")"
        yield index, pattern[index:end], depth
        depth += char == "("
        index = end


def _split_alternatives(pattern: str) -> list[str]:
    """Split a pattern at its top-level '|'."""
    parts: list[str] = []
    start = 0
    for index, token, depth in _tokens(pattern):
        if token == "|" and depth == 0:
            parts.append(pattern[start:index])
            start = index + 1
    parts.append(pattern[start:])
    return parts


def _closing(pattern: str) -> int:
    """Return the index of the parenthesis closing the one pattern starts with."""
    for index, token, depth in _tokens(pattern):
        if token == ")" and depth == 0:
            return index
    raise ValueError(f"unbalanced group in {pattern!r}")


def _requirements(alternative: str) -> list[Requirement]:
    """Return the words every match of a phrasing contains: its first, then later ones.

    A later word counts only at the top level of the pattern (inside no group, so never
    optional) and after a mandatory '\\s' or '\\b': such a word starts a word of the text
    whenever the phrasing matches.
    """
    found = [_first_stems(alternative)]
    for index, token, depth in _tokens(alternative):
        after = alternative[index + 2 : index + 3]
        if depth == 0 and token in (r"\s", r"\b") and after not in QUANTIFIERS:
            found.append(_first_stems(alternative[index + 2 + (after == "+") :]))
    return [need for need in found if need is not None]


def _union(alternatives: Iterable[str]) -> Requirement | None:
    found: set[str] = set()
    for alternative in alternatives:
        stems = _first_stems(alternative.removeprefix(r"\b"))
        if stems is None:
            return None
        found |= stems
    return frozenset(found)


def _first_stems(alternative: str) -> Requirement | None:
    """Return the stems of the word a phrasing starts with, or None if unknown."""
    if alternative.startswith("(?:"):
        end = _closing(alternative)
        rest = alternative[end + 1 :]
        if rest[:1] in QUANTIFIERS:
            return None  # an optional group: the first word may come after it
        return _union(f"{b}{rest}" for b in _split_alternatives(alternative[3:end]))
    literal = ""
    for index, char in enumerate(alternative):
        if char not in LITERAL or alternative[index + 1 : index + 2] in QUANTIFIERS:
            break
        literal += char
    rest = alternative[len(literal) :]
    if len(literal) >= STEM:
        return frozenset({literal[:STEM]})
    if rest[:1] in LITERAL and rest[1:2] == "?":
        # 'emgs?': the word is 'emg' or 'emgs'
        return _union((literal + rest[2:], literal + rest[:1] + rest[2:]))
    if literal and (not rest or rest.startswith(WORD_ENDS)) and rest[1:2] not in QUANTIFIERS:
        return frozenset({literal})
    return None
