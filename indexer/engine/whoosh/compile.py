"""The project's syntax tree -> a Whoosh query, with synonyms expanded and highlights collected."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

from whoosh import query as wq
from whoosh.query import spans

from indexer.engine.interface import Highlights
from indexer.engine.query import (
    CASE_FIELD,
    AllOf,
    AnyOf,
    FacetTerm,
    Fuzzy,
    Near,
    Node,
    Not,
    Phrase,
    Prefix,
    Word,
)
from indexer.engine.whoosh.schema import CATCH_ALL, EXACT, EXACT_SUFFIX, STEMMED

MAX_FUZZY_TERMS = 50
# A synonym of several words typed as separate words (physical therapy) is recognised up to
# this many words.
MAX_SYNONYM_WORDS = 8
Expansion = tuple[str, tuple[str, ...]]  # what was typed, what was searched besides


@lru_cache(maxsize=4096)
def stem_tokens(text: str) -> tuple[str, ...]:
    """Analyze text as the stemmed fields do (lowercase, stop words dropped, stemmed)."""
    return tuple(token.text for token in STEMMED(text))


@lru_cache(maxsize=4096)
def exact_tokens(text: str) -> tuple[str, ...]:
    """Analyze text as the *_exact fields do (lowercase words, nothing dropped)."""
    return tuple(token.text for token in EXACT(text))


@lru_cache(maxsize=4096)
def stop_words_in(text: str) -> tuple[str, ...]:
    """Return the words of text that the stemmed analyzer drops."""
    kept = set(stem_tokens(text))
    return tuple(w for w in exact_tokens(text) if not stem_tokens(w) and w not in kept)


class QueryContext(Protocol):
    """What compiling needs from the index: synonyms, facet values and the vocabulary."""

    def expand(self, term: str) -> frozenset[str]: ...

    def resolve_facet(self, facet: str, raw: str) -> tuple[str, ...]: ...

    def fuzzy_terms(self, fieldname: str, word: str, edits: int) -> tuple[str, ...]: ...

    def word_forms(self, fieldname: str, word: str) -> tuple[str, ...]: ...

    def prefix_terms(self, fieldname: str, prefix: str) -> tuple[str, ...]: ...


@dataclass(slots=True)
class Compiled:
    """A Whoosh query plus what to highlight and what to tell the user."""

    query: wq.Query
    highlights: Highlights
    notices: list[str]
    expansions: list[Expansion]


class _Compiler:
    def __init__(self, context: QueryContext) -> None:
        self.context = context
        self.highlights = Highlights()
        self.notices: list[str] = []
        self.expansions: list[Expansion] = []

    def compile(self, node: Node, positive: bool = True) -> wq.Query:
        if isinstance(node, AllOf):
            return self._all(node, positive)
        if isinstance(node, AnyOf):
            return wq.Or([self.compile(child, positive) for child in node.children])
        if isinstance(node, Not):
            return wq.AndNot(wq.Every(), self.compile(node.child, not positive))
        return self._leaf(node, positive)

    def _all(self, node: AllOf, positive: bool) -> wq.Query:
        plus = [self._words_or_synonym(run, positive) for run in self._runs(node.children)]
        minus = [self.compile(c.child, not positive) for c in node.children if isinstance(c, Not)]
        base: wq.Query = wq.And(plus) if len(plus) > 1 else (plus[0] if plus else wq.Every())
        if not minus:
            return base
        return wq.AndNot(base, wq.Or(minus) if len(minus) > 1 else minus[0])

    def _runs(self, children: tuple[Node, ...]) -> list[tuple[Node, ...]]:
        """Group the positive children: adjacent words that together name a synonym
        (physical therapy) make one run, every other child a run of its own."""
        runs: list[tuple[Node, ...]] = []
        i = 0
        while i < len(children):
            size = self._synonym_run(children, i)
            if not isinstance(children[i], Not):
                runs.append(tuple(children[i : i + size]))
            i += size
        return runs

    def _synonym_run(self, nodes: tuple[Node, ...], start: int) -> int:
        """How many words from start name a member of a synonym group (1 when none do)."""
        longest = min(MAX_SYNONYM_WORDS, len(nodes) - start)
        for size in range(longest, 1, -1):
            run = [n for n in nodes[start : start + size] if isinstance(n, Word)]
            if len(run) < size or any(n.field != run[0].field for n in run):
                continue
            text = " ".join(n.text for n in run)
            if self._others(text):
                return size
        return 1

    def _words_or_synonym(self, run: tuple[Node, ...], positive: bool) -> wq.Query:
        """A run of one child compiles as it is; a run of words naming a synonym as those
        words (each in any form) or any other member of its group."""
        if len(run) == 1:
            return self.compile(run[0], positive)
        words = [self._word(n, positive) for n in run if isinstance(n, Word)]
        field = run[0].field if isinstance(run[0], Word) else None
        text = " ".join(n.text for n in run if isinstance(n, Word))
        others = self._others(text)
        options = [self._variant(v, field, named=True) for v in others]
        if positive:
            for variant in others:
                self._highlight_variant(variant, named=True)
            self.expansions.append((text, others))
        return wq.Or([wq.And(words), *(q for q in options if q is not None)])

    def _leaf(self, node: Node, positive: bool) -> wq.Query:
        if isinstance(node, Word):
            return self._word(node, positive)
        if isinstance(node, Phrase) and node.slop is not None:
            words = tuple(Word(w, node.field) for w in exact_tokens(node.text))
            return self._near(Near(words, node.slop), positive, node.text)
        if isinstance(node, Phrase):
            return self._phrase(node, positive)
        if isinstance(node, Near):
            return self._near(node, positive, None)
        if isinstance(node, Prefix):
            if positive:
                self.highlights.prefixes.add(node.text)
            return wq.Prefix(_exact_field(node.field), node.text)
        if isinstance(node, Fuzzy):
            return self._fuzzy(node, positive)
        assert isinstance(node, FacetTerm)
        return self._facet(node)

    def _word(self, node: Word, positive: bool) -> wq.Query:
        """A word in any form, or any member of its synonym groups.

        A member of the synonym and drug tables (an abbreviation, a brand, a site) matches as
        written or with a plural s, never through its stem: TENS is not "ten".
        """
        others = self._others(node.text)
        named = bool(others)
        searched = _without_covered((node.text, *others))
        options = [
            q for q in (self._variant(v, node.field, named) for v in searched) if q is not None
        ]
        if not options:
            stops = stop_words_in(node.text)
            if stops:
                self.notices.append(
                    f"Ignored common word '{node.text}' (quote a phrase to keep it)"
                )
            else:
                self.notices.append(f"Ignored '{node.text}' (no searchable letters)")
            return wq.Every()
        if positive:
            for variant in searched:
                self._highlight_variant(variant, named)
            if len(searched) > 1:
                self.expansions.append((node.text, searched[1:]))
        return options[0] if len(options) == 1 else wq.Or(options)

    def _others(self, text: str) -> tuple[str, ...]:
        """The other members of text's synonym groups, sorted."""
        key = " ".join(text.lower().split())
        return tuple(sorted(v for v in self.context.expand(text) if v != key))

    def _variant(self, text: str, field: str | None, named: bool) -> wq.Query | None:
        """Match one word or synonym: several words as a phrase (exact), a table name as
        written or plural, another word by its stem."""
        tokens = exact_tokens(text)
        if not tokens:
            return None
        if len(tokens) > 1:
            return wq.Phrase(_exact_field(field), list(tokens))
        if named:
            forms = _named_forms(tokens[0])
            terms = [wq.Term(_exact_field(field), form) for form in forms]
            return terms[0] if len(terms) == 1 else wq.Or(terms)
        return _text_query(text, field)

    def _highlight_variant(self, text: str, named: bool) -> None:
        tokens = exact_tokens(text)
        if len(tokens) > 1:
            self.highlights.phrases.add(tokens)
        elif tokens and named:
            self.highlights.words.update(_named_forms(tokens[0]))
        elif tokens:
            _highlight_text(self.highlights, text)

    def _phrase(self, node: Phrase, positive: bool) -> wq.Query:
        """Quoted words: exactly as written, in order; no forms, no synonyms."""
        tokens = exact_tokens(node.text)
        if not tokens:
            self.notices.append(f'Ignored the phrase "{node.text}" (no searchable letters)')
            return wq.Every()
        if positive:
            self._highlight_phrase(tokens, False)
        fieldname = _exact_field(node.field)
        if len(tokens) == 1:
            return wq.Term(fieldname, tokens[0])
        return wq.Phrase(fieldname, list(tokens))

    def _near(self, node: Near, positive: bool, typed: str | None) -> wq.Query:
        """Each side within node.distance words of the next: a word in any of its forms (the
        letters' words sharing its stem), a quoted phrase as written, a prefix, or an OR."""
        field = _near_field(node)
        sides: list[wq.Query] = []
        for child in node.children:
            side = self._near_side(child, field, positive)
            if side is None:
                shown = typed or " ".join(_describe(c) for c in node.children)
                self.notices.append(
                    f"Proximity joins words, quoted phrases and OR groups; searched {shown} "
                    "as all of its words"
                )
                return self.compile(AllOf(node.children), positive)
            sides.append(side)
        if any(side is wq.NullQuery for side in sides):
            return wq.NullQuery
        if len(sides) == 1:
            return sides[0]
        return spans.SpanNear2(sides, slop=node.distance, ordered=node.ordered)

    def _near_side(self, node: Node, field: str, positive: bool) -> wq.Query | None:
        terms: list[wq.Query] = []
        if isinstance(node, Word):
            words = self._near_forms(node.text, field)
            terms = [wq.Term(field, w) for w in words]
            if positive:
                self.highlights.words.update(words)
        elif isinstance(node, Phrase) and node.slop is None:
            tokens = exact_tokens(node.text)
            if positive and tokens:
                self._highlight_phrase(tokens, False)
            if len(tokens) > 1:
                return spans.SpanNear2([wq.Term(field, t) for t in tokens], slop=1, ordered=True)
            terms = [wq.Term(field, t) for t in tokens]
        elif isinstance(node, Prefix):
            words = self.context.prefix_terms(field, node.text)
            terms = [wq.Term(field, w) for w in words]
            if positive:
                self.highlights.prefixes.add(node.text)
        elif isinstance(node, AnyOf):
            options = [self._near_side(child, field, positive) for child in node.children]
            if any(o is None for o in options):
                return None
            found = [o for o in options if o is not None and o is not wq.NullQuery]
            for option in found:
                terms.extend(option.subqs if isinstance(option, spans.SpanOr) else [option])
        else:
            return None
        if not terms:
            return wq.NullQuery
        return terms[0] if len(terms) == 1 else spans.SpanOr(terms)

    def _near_forms(self, word: str, field: str) -> tuple[str, ...]:
        tokens = exact_tokens(word)
        if len(tokens) != 1:
            return tokens
        if self._others(word):
            return _named_forms(tokens[0])
        return self.context.word_forms(field, tokens[0]) or tokens

    def _highlight_phrase(self, tokens: tuple[str, ...], near: bool) -> None:
        if near or len(tokens) == 1:
            self.highlights.words.update(tokens)
        else:
            self.highlights.phrases.add(tokens)

    def _fuzzy(self, node: Fuzzy, positive: bool) -> wq.Query:
        fieldname = _exact_field(node.field)
        words = self.context.fuzzy_terms(fieldname, node.text, node.edits)
        if positive:
            self.highlights.words.update(words)
        if not words:
            return wq.NullQuery
        return wq.Or([wq.Term(fieldname, w) for w in words])

    def _facet(self, node: FacetTerm) -> wq.Query:
        if node.facet == CASE_FIELD:
            value = node.value.strip().upper()
            return wq.Or([wq.Term("case_number", value), wq.Term("letter_id", value)])
        values = self.context.resolve_facet(node.facet, node.value)
        if not values:
            self.notices.append(f"No {node.facet} is called '{node.value}'")
            return wq.NullQuery
        if values != (node.value,):  # a short name or another case: say what it stands for
            self.expansions.append((f"{node.facet}:{node.value}", values))
        return wq.Or([wq.Term(node.facet, v) for v in values])


def _exact_field(name: str | None) -> str:
    return f"{name or CATCH_ALL}{EXACT_SUFFIX}"


def _near_field(node: Near) -> str:
    for child in node.children:
        if isinstance(child, Word | Phrase | Prefix):
            return _exact_field(child.field)
        if isinstance(child, AnyOf):
            return _near_field(Near(child.children, node.distance))
    return _exact_field(None)


def _describe(node: Node) -> str:
    if isinstance(node, Word | Prefix):
        return node.text
    if isinstance(node, Phrase):
        return f'"{node.text}"'
    return "(...)"


def _named_forms(word: str) -> tuple[str, ...]:
    """A table name's forms: as written, and its plural (ESIs, MRIs, Norcos)."""
    return (word,) if word.endswith("s") else (word, f"{word}s")


def _without_covered(variants: tuple[str, ...]) -> tuple[str, ...]:
    """Drop a synonym of several words that holds one of the single-word ones ("hysingla er"
    where "hysingla" is searched): whatever it matches, that word matches already."""
    singles = {exact_tokens(v)[0] for v in variants if len(exact_tokens(v)) == 1}
    return tuple(
        v
        for i, v in enumerate(variants)
        if i == 0 or len(exact_tokens(v)) < 2 or not singles & set(exact_tokens(v))
    )


def _text_query(text: str, name: str | None) -> wq.Query | None:
    """Match a word in a stemmed field; a synonym of several words as an exact phrase."""
    stems = stem_tokens(text)
    if not stems:
        return None
    if len(stems) == 1:
        return wq.Term(name or CATCH_ALL, stems[0])
    return wq.Phrase(_exact_field(name), list(exact_tokens(text)))


def _highlight_text(highlights: Highlights, text: str) -> None:
    """Add a word or phrase as the user (or the synonym table) wrote it."""
    tokens = exact_tokens(text)
    if len(tokens) > 1:
        highlights.phrases.add(tokens)
    elif tokens:
        highlights.words.add(tokens[0])
        highlights.stems.update(stem_tokens(tokens[0]))


def compile_query(node: Node | None, context: QueryContext) -> Compiled:
    """Turn a syntax tree into a Whoosh query, with highlights and notices.

    Synonyms are expanded here, at query time, rather than at index time: the synonym table
    can change without rebuilding the index, a quoted phrase matches only what it says, and
    the expansion is told (Compiled.expansions) and highlighted per query.
    """
    compiler = _Compiler(context)
    if node is None:
        return Compiled(wq.Every(), compiler.highlights, [], [])
    query = compiler.compile(node)
    notices = list(dict.fromkeys(compiler.notices))
    return Compiled(query, compiler.highlights, notices, list(dict.fromkeys(compiler.expansions)))
