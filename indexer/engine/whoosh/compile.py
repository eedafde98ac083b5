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
    Node,
    Not,
    Phrase,
    Prefix,
    Word,
)
from indexer.engine.whoosh.schema import CATCH_ALL, EXACT, EXACT_SUFFIX, STEMMED

MAX_FUZZY_TERMS = 50


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


@dataclass(slots=True)
class Compiled:
    """A Whoosh query plus what to highlight and what to tell the user."""

    query: wq.Query
    highlights: Highlights
    notices: list[str]


class _Compiler:
    def __init__(self, context: QueryContext) -> None:
        self.context = context
        self.highlights = Highlights()
        self.notices: list[str] = []

    def compile(self, node: Node, positive: bool = True) -> wq.Query:
        if isinstance(node, AllOf):
            return self._all(node, positive)
        if isinstance(node, AnyOf):
            return wq.Or([self.compile(child, positive) for child in node.children])
        if isinstance(node, Not):
            return wq.AndNot(wq.Every(), self.compile(node.child, not positive))
        return self._leaf(node, positive)

    def _all(self, node: AllOf, positive: bool) -> wq.Query:
        plus = [self.compile(c, positive) for c in node.children if not isinstance(c, Not)]
        minus = [self.compile(c.child, not positive) for c in node.children if isinstance(c, Not)]
        base: wq.Query = wq.And(plus) if len(plus) > 1 else (plus[0] if plus else wq.Every())
        if not minus:
            return base
        return wq.AndNot(base, wq.Or(minus) if len(minus) > 1 else minus[0])

    def _leaf(self, node: Node, positive: bool) -> wq.Query:
        if isinstance(node, Word):
            return self._word(node, positive)
        if isinstance(node, Phrase):
            return self._phrase(node, positive)
        if isinstance(node, Prefix):
            if positive:
                self.highlights.prefixes.add(node.text)
            return wq.Prefix(_exact_field(node.field), node.text)
        if isinstance(node, Fuzzy):
            return self._fuzzy(node, positive)
        assert isinstance(node, FacetTerm)
        return self._facet(node)

    def _word(self, node: Word, positive: bool) -> wq.Query:
        variants = self._variants(node.text)
        options = [q for q in (_text_query(v, node.field) for v in variants) if q is not None]
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
            for variant in variants:
                _highlight_text(self.highlights, variant)
        return options[0] if len(options) == 1 else wq.Or(options)

    def _phrase(self, node: Phrase, positive: bool) -> wq.Query:
        variants = (node.text,) if node.slop is not None else self._variants(node.text)
        options: list[wq.Query] = []
        for variant in variants:
            tokens = exact_tokens(variant)
            if not tokens:
                continue
            fieldname = _exact_field(node.field)
            if len(tokens) == 1:
                options.append(wq.Term(fieldname, tokens[0]))
            elif node.slop is not None:
                terms = [wq.Term(fieldname, t) for t in tokens]
                options.append(spans.SpanNear2(terms, slop=node.slop, ordered=False))
            else:
                options.append(wq.Phrase(fieldname, list(tokens)))
            if positive:
                self._highlight_phrase(tokens, node.slop is not None)
        if not options:
            self.notices.append(f'Ignored the phrase "{node.text}" (no searchable letters)')
            return wq.Every()
        return options[0] if len(options) == 1 else wq.Or(options)

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
        return wq.Or([wq.Term(node.facet, v) for v in values])

    def _variants(self, text: str) -> tuple[str, ...]:
        others = sorted(v for v in self.context.expand(text) if v.lower() != text.lower())
        return (text, *others)


def _exact_field(name: str | None) -> str:
    return f"{name or CATCH_ALL}{EXACT_SUFFIX}"


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
    can change without rebuilding the index, a quoted phrase still matches only what it says
    in its own form, and the expansion is visible (and highlighted) per query.
    """
    compiler = _Compiler(context)
    if node is None:
        return Compiled(wq.Every(), compiler.highlights, [])
    query = compiler.compile(node)
    return Compiled(query, compiler.highlights, list(dict.fromkeys(compiler.notices)))
