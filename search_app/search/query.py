"""Query string -> the engine's syntax tree (indexer.engine.query), repairing malformed input
with notices."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

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
from indexer.fields import FACETS, TEXT_FIELDS

__all__ = [
    "CASE_FIELD",
    "AllOf",
    "AnyOf",
    "FacetTerm",
    "Fuzzy",
    "Node",
    "Not",
    "Phrase",
    "Prefix",
    "Word",
]

QUERY_HELP = """\
Words are ANDed and match any form of the word (inject finds injection, injections).
"return to work"      exact phrase: no stemming, short words kept
"opioid taper"~5      the words within 5 positions of each other, in any order
                      (both within the treatment, the rationale or the summary)
cream OR gel          either word; NOT lidocaine or -lidocaine excludes a word
(ESI OR epidural) -cervical   parentheses group
gabapent*             words starting with gabapent
gabapentn~            words within 1 edit (~2: 2 edits)
treatment:  rationale:  summary:   search one part of a decision (treatment:MRI)
case:CM16-0213037     one case number
outcome:Upheld  category:Surgery  subcategory:Opioids  guideline:ODG  specialty:"Internal Medicine"
state:California  body_region:Knee  year:2016  case_outcome:Overturned   filter by a facet
reason:"No functional improvement"   the reviewer's reasons; any run of a reason's words
                      names it (reason:exceeds, reason:"not recommended")
Brand and generic drug names and abbreviations (PT, ESI, TENS) are searched together."""

MAX_NESTING = 20
MAX_FUZZY_EDITS = 2
MIN_PREFIX_CHARS = 2
MAX_FUZZY_TERMS = 50
TEXT_FIELD_NAMES = frozenset(TEXT_FIELDS)
QUERY_FIELDS = frozenset((*TEXT_FIELDS, CASE_FIELD, *FACETS))
OPERATORS = frozenset(("AND", "OR", "NOT"))

_TOKEN_RE = re.compile(
    r"""
    (?P<ws>\s+)
    | (?P<lparen>\()
    | (?P<rparen>\))
    | (?P<neg>-(?=[^\s)-]))
    | (?P<phrase>(?:(?P<pfield>[A-Za-z_]+):)?"(?P<ptext>[^"]*)(?P<pclose>"(?:~(?P<slop>\d+))?|$))
    | (?P<word>[^\s()"]+)
    """,
    re.VERBOSE,
)
_FUZZY_RE = re.compile(r"^(?P<word>.+?)~(?P<edits>\d*)$")


# ---- parse result ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ParsedQuery:
    """A parsed query: its tree (None when empty) and what was repaired."""

    node: Node | None
    notices: tuple[str, ...] = ()


# ---- tokenizer ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # lparen rparen not or and term
    node: Node | None = None
    raw: str = ""


def _tokens(text: str, notices: list[str]) -> list[_Token]:
    tokens: list[_Token] = []
    for match in _TOKEN_RE.finditer(text):
        if match["lparen"]:
            tokens.append(_Token("lparen", raw="("))
        elif match["rparen"]:
            tokens.append(_Token("rparen", raw=")"))
        elif match["neg"]:
            tokens.append(_Token("not", raw="-"))
        elif match["phrase"] is not None:
            tokens.extend(_phrase_tokens(match, notices))
        elif match["word"]:
            tokens.extend(_word_tokens(match["word"], notices))
    return tokens


def _phrase_tokens(match: re.Match[str], notices: list[str]) -> list[_Token]:
    text = " ".join(match["ptext"].split())
    if not match["pclose"]:
        notices.append('Closed an unbalanced quote (")')
    slop = int(match["slop"]) if match["slop"] else None
    if slop is not None and slop > 100:
        notices.append(f"Proximity ~{slop} lowered to ~100")
        slop = 100
    field_name = match["pfield"]
    if not text:
        notices.append("Ignored an empty phrase")
        return []
    if field_name is None:
        return [_Token("term", Phrase(text, None, slop), raw=match.group(0))]
    name = field_name.lower()
    if name in TEXT_FIELD_NAMES:
        return [_Token("term", Phrase(text, name, slop), raw=match.group(0))]
    if name in QUERY_FIELDS:
        return [_Token("term", FacetTerm(name, text), raw=match.group(0))]
    notices.append(f"'{field_name}' is not a field; searched \"{text}\" as a phrase")
    return [_Token("term", Phrase(text, None, slop), raw=match.group(0))]


def _word_tokens(raw: str, notices: list[str]) -> list[_Token]:
    if raw in OPERATORS:
        return [_Token(raw.lower(), raw=raw)]
    if raw in ("&&", "||"):
        return [_Token("and" if raw == "&&" else "or", raw=raw)]
    word = raw.lstrip("+")
    if not word:
        return []
    name, sep, value = word.partition(":")
    if sep and name:
        lowered = name.lower()
        if lowered in QUERY_FIELDS and value:
            return [_Token("term", _field_term(lowered, value, notices), raw=raw)]
        if lowered in QUERY_FIELDS:
            notices.append(f"Ignored '{name}:' with no value after it")
            return []
        notices.append(f"'{name}' is not a field; searched {word} as words")
        return [
            _Token("term", _plain(part, None, notices), raw=part)
            for part in word.split(":")
            if part
        ]
    return [_Token("term", _plain(word, None, notices), raw=raw)]


def _field_term(name: str, value: str, notices: list[str]) -> Node:
    if name in TEXT_FIELD_NAMES:
        return _plain(value, name, notices)
    return FacetTerm(name, value)


def _plain(word: str, field_name: str | None, notices: list[str]) -> Node:
    if word.endswith("*"):
        stem = word.rstrip("*")
        if len(stem) >= MIN_PREFIX_CHARS and "*" not in stem:
            return Prefix(stem.lower(), field_name)
        notices.append(f"'{word}': a prefix needs {MIN_PREFIX_CHARS}+ letters; searched the word")
        return Word(stem.replace("*", " ").strip() or word, field_name)
    fuzzy = _FUZZY_RE.match(word)
    if fuzzy:
        edits = int(fuzzy["edits"]) if fuzzy["edits"] else 1
        if edits > MAX_FUZZY_EDITS or edits < 1:
            notices.append(f"'{word}': fuzzy search allows 1 or 2 edits; used {MAX_FUZZY_EDITS}")
            edits = MAX_FUZZY_EDITS if edits > MAX_FUZZY_EDITS else 1
        return Fuzzy(fuzzy["word"].lower(), edits, field_name)
    return Word(word, field_name)


# ---- parser ------------------------------------------------------------------------------


class _Parser:
    """Recursive descent over tokens; each repair appends a notice."""

    def __init__(self, tokens: list[_Token], notices: list[str]) -> None:
        self.tokens = tokens
        self.pos = 0
        self.depth = 0
        self.notices = notices

    def peek(self) -> str | None:
        return self.tokens[self.pos].kind if self.pos < len(self.tokens) else None

    def take(self) -> _Token:
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def parse(self) -> Node | None:
        parts: list[Node] = []
        while self.peek() is not None:
            node = self.parse_or()
            if node is not None:
                parts.append(node)
            if self.peek() == "rparen":
                self.take()
                self.notices.append("Ignored an unmatched ')'")
        return _all_of(parts)

    def parse_or(self) -> Node | None:
        options: list[Node] = []
        first = self.parse_and()
        if first is not None:
            options.append(first)
        while self.peek() == "or":
            self.take()
            nxt = self.parse_and()
            if nxt is None or not options:
                self.notices.append("Ignored OR without a term on both sides")
            if nxt is not None:
                options.append(nxt)
        if len(options) == 1:
            return options[0]
        return AnyOf(tuple(options)) if options else None

    def parse_and(self) -> Node | None:
        parts: list[Node] = []
        while self.peek() not in (None, "rparen", "or"):
            if self.peek() == "and":
                self.take()
                if not parts or self.peek() in (None, "rparen", "or", "and"):
                    self.notices.append("Ignored AND without a term on both sides")
                continue
            node = self.parse_unary()
            if node is not None:
                parts.append(node)
        return _all_of(parts)

    def parse_unary(self) -> Node | None:
        negations = 0
        while self.peek() == "not":
            self.take()
            negations += 1
        if negations and self.peek() in (None, "rparen", "or", "and"):
            self.notices.append("Ignored NOT (or '-') with nothing after it")
            return None
        node = self.parse_atom()
        if node is None or negations % 2 == 0:
            return node
        return Not(node)

    def parse_atom(self) -> Node | None:
        token = self.take()
        if token.kind == "term":
            return token.node
        if token.kind != "lparen":
            return None
        if self.depth >= MAX_NESTING:
            self.notices.append(f"Parentheses nested over {MAX_NESTING} deep were ignored")
            return None
        self.depth += 1
        node = self.parse_or()
        while self.peek() not in (None, "rparen"):
            extra = self.parse_or()
            node = _all_of([n for n in (node, extra) if n is not None])
        self.depth -= 1
        if self.peek() == "rparen":
            self.take()
        else:
            self.notices.append("Closed an unbalanced '('")
        return node


def _all_of(parts: Sequence[Node]) -> Node | None:
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else AllOf(tuple(parts))


def parse_query(text: str) -> ParsedQuery:
    """Parse a query string into a tree, repairing what is malformed and saying so."""
    notices: list[str] = []
    tokens = _tokens(text, notices)
    node = _Parser(tokens, notices).parse()
    if node is not None and _only_negative(node):
        notices.append("The query only excludes words; showing everything else")
    return ParsedQuery(node, tuple(dict.fromkeys(notices)))


def _only_negative(node: Node) -> bool:
    if isinstance(node, Not):
        return True
    if isinstance(node, AllOf):
        return all(_only_negative(child) for child in node.children)
    return False


def plain_words(node: Node | None) -> tuple[str, ...]:
    """Return the positive plain words of a tree (what "did you mean" may correct)."""
    if node is None:
        return ()
    if isinstance(node, Word):
        return (node.text,)
    if isinstance(node, AllOf | AnyOf):
        return tuple(w for child in node.children for w in plain_words(child))
    return ()
