"""Snippets: the best passages of a decision, escaped, with matches wrapped in <mark>."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from indexer.engine import Highlights, stem_tokens

CONTEXT_BEFORE = 90
CONTEXT_AFTER = 150
MAX_PASSAGES = 2
PLAIN_CHARS = 240
ELLIPSIS = " … "


@dataclass(frozen=True, slots=True)
class Highlighter:
    """A compiled pattern for one search; `stems` confirms stem-prefix candidates."""

    pattern: re.Pattern[str] | None
    stems: frozenset[str]
    exact: frozenset[str]

    def matches(self, text: str) -> list[tuple[int, int, str]]:
        """Return (start, end, normalized match) for each confirmed match in text."""
        if self.pattern is None:
            return []
        found: list[tuple[int, int, str]] = []
        for match in self.pattern.finditer(text):
            word = match.group(0)
            if match.lastgroup == "stem":
                lowered = word.lower()
                if lowered not in self.exact and not set(stem_tokens(lowered)) & self.stems:
                    continue
            found.append((match.start(), match.end(), " ".join(word.lower().split())))
        return found

    def mark(self, text: str) -> Markup:
        """Escape the whole text and wrap every match in <mark> (the letter page)."""
        return _mark(text, self.matches(text), 0, len(text))


def _common_prefix(a: str, b: str) -> str:
    size = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        size += 1
    return a[:size]


def make_highlighter(highlights: Highlights) -> Highlighter:
    """Compile one regular expression for everything a search should mark."""
    phrases = sorted(
        (r"\W+".join(re.escape(t) for t in tokens) for tokens in highlights.phrases),
        key=len,
        reverse=True,
    )
    stem_starts: set[str] = set()
    for word in highlights.words:
        for stem in stem_tokens(word):
            start = _common_prefix(word, stem)
            stem_starts.add(start if len(start) >= 3 else word)
    alternatives: list[str] = []
    if phrases:
        alternatives.append(r"(?P<phrase>\b(?:" + "|".join(phrases) + r")\b)")
    if highlights.prefixes:
        prefixes = "|".join(
            re.escape(p) for p in sorted(highlights.prefixes, key=len, reverse=True)
        )
        alternatives.append(r"(?P<prefix>\b(?:" + prefixes + r")\w*)")
    exact_only = sorted(w for w in highlights.words if not stem_tokens(w))
    if exact_only:
        words = "|".join(re.escape(w) for w in sorted(exact_only, key=len, reverse=True))
        alternatives.append(r"(?P<word>\b(?:" + words + r")\b)")
    if stem_starts:
        starts = "|".join(re.escape(s) for s in sorted(stem_starts, key=len, reverse=True))
        alternatives.append(r"(?P<stem>\b(?:" + starts + r")\w*)")
    if not alternatives:
        return Highlighter(None, frozenset(), frozenset())
    pattern = re.compile("|".join(alternatives), re.IGNORECASE)
    return Highlighter(pattern, frozenset(highlights.stems), frozenset(highlights.words))


def _mark(text: str, matches: Sequence[tuple[int, int, str]], start: int, end: int) -> Markup:
    out = Markup("")
    cursor = start
    for m_start, m_end, _ in matches:
        if m_start < start or m_end > end:
            continue
        out += escape(text[cursor:m_start]) + Markup("<mark>") + escape(text[m_start:m_end])
        out += Markup("</mark>")
        cursor = m_end
    return out + escape(text[cursor:end])


def _word_start(text: str, pos: int) -> int:
    if pos <= 0:
        return 0
    space = text.rfind(" ", 0, pos)
    return space + 1 if space >= 0 else 0


def _word_end(text: str, pos: int) -> int:
    if pos >= len(text):
        return len(text)
    space = text.find(" ", pos)
    return space if space >= 0 else len(text)


def _windows(text: str, matches: list[tuple[int, int, str]]) -> list[tuple[int, int]]:
    windows: list[tuple[int, int, set[str]]] = []
    for m_start, m_end, word in matches:
        start = _word_start(text, m_start - CONTEXT_BEFORE)
        end = _word_end(text, m_end + CONTEXT_AFTER)
        if windows and start <= windows[-1][1]:
            prev = windows[-1]
            windows[-1] = (prev[0], max(prev[1], end), prev[2] | {word})
        else:
            windows.append((start, end, {word}))
    best = sorted(windows, key=lambda w: (-len(w[2]), w[0]))[:MAX_PASSAGES]
    return sorted((w[0], w[1]) for w in best)


def snippet(highlighter: Highlighter, texts: Sequence[str]) -> Markup:
    """Return the best passages of the first text with matches (else the first text's start)."""
    cleaned = [" ".join(t.split()) for t in texts]
    for text in cleaned:
        matches = highlighter.matches(text)
        if not matches:
            continue
        windows = _windows(text, matches)
        joined = Markup(ELLIPSIS).join(_mark(text, matches, a, b) for a, b in windows)
        lead = ELLIPSIS.lstrip() if windows[0][0] > 0 else ""
        tail = ELLIPSIS.rstrip() if windows[-1][1] < len(text) else ""
        return Markup("{}{}{}").format(lead, joined, tail)
    first = next((t for t in cleaned if t), "")
    cut = _word_end(first, PLAIN_CHARS) if len(first) > PLAIN_CHARS else len(first)
    return escape(first[:cut]) + (Markup(" …") if cut < len(first) else Markup(""))
