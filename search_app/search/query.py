"""Query string -> the engine's syntax tree (indexer.engine.query), repairing malformed input
with notices."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

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
from indexer.fields import FACETS, TEXT_FIELDS

__all__ = [
    "CASE_FIELD",
    "AllOf",
    "AnyOf",
    "FacetTerm",
    "Fuzzy",
    "Near",
    "Node",
    "Not",
    "Phrase",
    "Prefix",
    "Word",
]

# The search syntax help: each example, and what it means. Every example is a test: it must
# find decisions in the shared corpus (tests/search/test_query.py).
QUERY_EXAMPLES: tuple[tuple[str, str], ...] = (
    ("injection lumbar", "every word, each in any form (injection finds injections, injected)"),
    ('"return to work"', "exactly these words in this order: no other forms, no synonyms"),
    ('"PT"', "one word exactly as written (quotes keep a word from its forms and synonyms)"),
    ("norco", "a drug finds its brand and generic names (Norco, hydrocodone, Vicodin)"),
    ("ESI", "an abbreviation finds its spelled-out form, and only itself or its plural"),
    ("MRI lumbar OR knee", "OR binds first: MRI and (lumbar or knee)"),
    ("knee NOT surgery", "NOT or - excludes: knee -surgery"),
    ("(ESI OR epidural) -cervical", "parentheses group"),
    ("opioid w/5 taper", "within 5 words, any order, any forms (opioids ... tapering)"),
    ('"opioid taper"~5', "the same as opioid w/5 taper"),
    ("physical pre/2 therapy", "the first within 2 words before the second"),
    ("gabapent*", "words starting with gabapent"),
    ("gabapentn~", "words within 1 edit (~2: 2 edits)"),
    ("treatment:MRI", "one part of a decision: treatment:, rationale:, summary:"),
    ("treatment:(MRI OR CT)", "a group in one part or facet"),
    ("CM16-0213037", "a case number (spaces or a missing dash are fine); also case:CM16-0213037"),
    ("outcome:Upheld", "a facet: outcome, case_outcome, category, subcategory, year, ..."),
    ("guideline:ODG", "a facet by a short name (ODG, MTUS, ACOEM; state:CA; body_region:neck)"),
    ('specialty:"Internal Medicine"', "a facet value of several words"),
    ('reason:"No functional improvement"', "the reviewer's reasons; by short name: reason:exceeds"),
)
QUERY_NOTES = (
    "Each search says what it also searched; put a word in quotes to search only that word."
)
_WIDTH = max(len(example) for example, _ in QUERY_EXAMPLES) + 2
QUERY_HELP = "\n".join(
    [*(f"{example:<{_WIDTH}}{meaning}" for example, meaning in QUERY_EXAMPLES), QUERY_NOTES]
)

MAX_NESTING = 20
MAX_FUZZY_EDITS = 2
MIN_PREFIX_CHARS = 2
MAX_FUZZY_TERMS = 50
TEXT_FIELD_NAMES = frozenset(TEXT_FIELDS)
QUERY_FIELDS = frozenset((*TEXT_FIELDS, CASE_FIELD, *FACETS))
OPERATORS = frozenset(("AND", "OR", "NOT"))
MAX_DISTANCE = 100
# A case number as typed or pasted: CM16-0213037, cm16 0213037, CM160213037, CM 16-0213037.
CASE_NUMBER_RE = re.compile(
    r"(?<![\w-])CM\s?(?P<year>\d{2})(?:\s*[-\u2010-\u2015]\s*|\s+)?(?P<number>\d{4,8})(?![\w-])",
    re.IGNORECASE,
)
LETTER_ID_RE = re.compile(r"(?:CM\d{2}-\d{4,8}|NOCASE-[0-9A-F]{12})", re.IGNORECASE)

_TOKEN_RE = re.compile(
    r"""
    (?P<ws>\s+)
    | (?P<lparen>\()
    | (?P<rparen>\))
    | (?P<neg>-(?=[^\s)-]))
    | (?P<phrase>(?:(?P<pfield>[A-Za-z_]+):)?"(?P<ptext>[^"]*)(?P<pclose>"(?:~(?P<slop>\d+))?|$))
    | (?P<near>(?<![^\s()])(?P<kind>[Ww]|[Pp][Rr][Ee])/(?P<distance>\d+)(?=[\s()"]|$))
    | (?P<group>(?P<gfield>[A-Za-z_]+):\()
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
    kind: str  # lparen group rparen not or and near term
    node: Node | None = None
    raw: str = ""
    field: str = ""  # a group's field
    distance: int = 0  # a near's
    ordered: bool = False


def normalize_case_numbers(text: str) -> str:
    """Write every case number in text as the letters do: CM16-0213037."""
    return CASE_NUMBER_RE.sub(lambda m: f"CM{m['year']}-{m['number']}", text)


def _tokens(text: str, notices: list[str]) -> list[_Token]:
    tokens: list[_Token] = []
    for match in _TOKEN_RE.finditer(normalize_case_numbers(text)):
        if match["lparen"]:
            tokens.append(_Token("lparen", raw="("))
        elif match["group"]:
            tokens.append(_group_token(match["gfield"], notices))
        elif match["near"]:
            tokens.append(_near_token(match, notices))
        elif match["rparen"]:
            tokens.append(_Token("rparen", raw=")"))
        elif match["neg"]:
            tokens.append(_Token("not", raw="-"))
        elif match["phrase"] is not None:
            tokens.extend(_phrase_tokens(match, notices))
        elif match["word"]:
            tokens.extend(_word_tokens(match["word"], notices))
    return tokens


def _group_token(field_name: str, notices: list[str]) -> _Token:
    name = field_name.lower()
    if name in QUERY_FIELDS:
        return _Token("group", raw=f"{field_name}:(", field=name)
    notices.append(f"'{field_name}' is not a field; searched the group's words everywhere")
    return _Token("lparen", raw="(")


def _near_token(match: re.Match[str], notices: list[str]) -> _Token:
    distance = int(match["distance"])
    if distance > MAX_DISTANCE:
        notices.append(f"Proximity {match['near']} lowered to {MAX_DISTANCE}")
        distance = MAX_DISTANCE
    if distance < 1:
        notices.append(f"Proximity {match['near']} raised to 1")
        distance = 1
    ordered = match["kind"].lower() == "pre"
    return _Token("near", raw=match["near"], distance=distance, ordered=ordered)


def _phrase_tokens(match: re.Match[str], notices: list[str]) -> list[_Token]:
    text = " ".join(match["ptext"].split())
    if not match["pclose"]:
        notices.append('Closed an unbalanced quote (")')
    slop = int(match["slop"]) if match["slop"] else None
    if slop is not None and slop > MAX_DISTANCE:
        notices.append(f"Proximity ~{slop} lowered to ~{MAX_DISTANCE}")
        slop = MAX_DISTANCE
    field_name = match["pfield"]
    if not text:
        notices.append("Ignored an empty phrase")
        return []
    if field_name is None and slop is None and LETTER_ID_RE.fullmatch(text):
        return [_Token("term", FacetTerm(CASE_FIELD, text.upper()), raw=match.group(0))]
    if field_name is None:
        return [_Token("term", Phrase(text, None, slop), raw=match.group(0))]
    name = field_name.lower()
    if name in TEXT_FIELD_NAMES:
        return [_Token("term", Phrase(text, name, slop), raw=match.group(0))]
    if name in QUERY_FIELDS:
        return [_Token("term", _facet_term(name, text), raw=match.group(0))]
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
    return _facet_term(name, value)


def _facet_term(name: str, value: str) -> FacetTerm:
    if name == CASE_FIELD:
        return FacetTerm(name, normalize_case_numbers(value).strip().upper())
    return FacetTerm(name, value)


def _plain(word: str, field_name: str | None, notices: list[str]) -> Node:
    if field_name is None and LETTER_ID_RE.fullmatch(word):  # a case number: that case
        return FacetTerm(CASE_FIELD, word.upper())
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
            node = self.parse_and()
            if node is not None:
                parts.append(node)
            if self.peek() == "rparen":
                self.take()
                self.notices.append("Ignored an unmatched ')'")
        return _all_of(parts)

    # Precedence, as in Westlaw, Lexis and Lucene: OR binds tightest, then w/N, then AND
    # (written or implied), so `MRI lumbar OR knee` is MRI AND (lumbar OR knee).

    def parse_and(self) -> Node | None:
        parts: list[Node] = []
        while self.peek() not in (None, "rparen"):
            if self.peek() == "and":
                self.take()
                if not parts or self.peek() in (None, "rparen", "or", "and", "near"):
                    self.notices.append("Ignored AND without a term on both sides")
                continue
            node = self.parse_near()
            if node is not None:
                parts.append(node)
        return _all_of(parts)

    def parse_near(self) -> Node | None:
        first = self.parse_or()
        previous = first
        nears: list[Node] = []
        while self.peek() == "near":
            token = self.take()
            following = self.parse_or()
            if previous is None or following is None:
                self.notices.append(f"Ignored {token.raw} without a term on both sides")
                previous = previous or following
                first = first or following
                continue
            nears.append(Near((previous, following), token.distance, token.ordered))
            previous = following  # a w/5 b w/3 c: a near b, and b near c
        return _all_of(nears) if nears else first

    def parse_or(self) -> Node | None:
        options: list[Node] = []
        first = self.parse_unary() if self.peek() not in _NOT_OPERANDS else None
        if first is not None:
            options.append(first)
        while self.peek() == "or":
            self.take()
            nxt = self.parse_unary() if self.peek() not in _NOT_OPERANDS else None
            if nxt is None or not options:
                self.notices.append("Ignored OR without a term on both sides")
            if nxt is not None:
                options.append(nxt)
        if len(options) == 1:
            return options[0]
        return AnyOf(tuple(options)) if options else None

    def parse_unary(self) -> Node | None:
        negations = 0
        while self.peek() == "not":
            self.take()
            negations += 1
        if negations and self.peek() in _NOT_OPERANDS:
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
        if token.kind not in ("lparen", "group"):
            return None
        if self.depth >= MAX_NESTING:
            self.notices.append(f"Parentheses nested over {MAX_NESTING} deep were ignored")
            return None
        self.depth += 1
        node = self.parse_and()
        self.depth -= 1
        if self.peek() == "rparen":
            self.take()
        else:
            self.notices.append("Closed an unbalanced '('")
        if token.kind == "group" and node is not None:
            return _in_field(node, token.field)
        return node


# What cannot start an operand: the parser stops there.
_NOT_OPERANDS = frozenset((None, "rparen", "or", "and", "near"))


def _in_field(node: Node, name: str) -> Node:
    """Give a group's words the group's field: field:(a OR b) is field:a OR field:b."""
    if isinstance(node, AllOf | AnyOf):
        return type(node)(tuple(_in_field(child, name) for child in node.children))
    if isinstance(node, Not):
        return Not(_in_field(node.child, name))
    if name in TEXT_FIELD_NAMES:
        if isinstance(node, Near):
            return Near(
                tuple(_in_field(c, name) for c in node.children), node.distance, node.ordered
            )
        if isinstance(node, Word | Phrase | Prefix | Fuzzy) and node.field is None:
            return replace(node, field=name)
        return node
    if isinstance(node, Near):
        return AllOf(tuple(_in_field(c, name) for c in node.children))
    if isinstance(node, Word | Phrase | Prefix | Fuzzy) and node.field is None:
        return _facet_term(name, node.text)
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
    if isinstance(node, AllOf | AnyOf | Near):
        return tuple(w for child in node.children for w in plain_words(child))
    return ()
