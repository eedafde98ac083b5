"""Clean raw letter text so PDF and plain-text letters look alike before parsing.

The steps keep line structure (item headings are found at line starts) and paragraph
breaks (one blank line), and drop only what carries no letter content.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache

from indexer.classify.synonyms import SYNONYM_GROUPS

# Spaces PDF text layers use besides ' ': NBSP, en/em/thin spaces, narrow NBSP, tab.
ODD_SPACES_RE = re.compile(r"[\t\u00a0\u2000-\u200a\u202f\u205f\u3000]")
# Invisible characters: zero-width space/joiners, soft hyphen, BOM.
INVISIBLE_RE = re.compile(r"[\u200b-\u200d\u00ad\ufeff]")
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
# What is no text and breaks XML 1.0 (an Atom feed) or shows as a box: C1 controls, lone
# surrogates and Unicode's noncharacters (U+FDD0-U+FDEF, and the last two of every plane).
NONCHARACTER_RE = re.compile(
    "[\x80-\x9f\ud800-\udfff\ufdd0-\ufdef"
    + "".join(
        f"{chr(plane * 0x10000 + 0xFFFE)}{chr(plane * 0x10000 + 0xFFFF)}" for plane in range(17)
    )
    + "]"
)
# PDFium's mark for a hyphen where a line broke inside a word: 'electro\ufffemyography'.
PDF_HYPHEN = "\ufffe"
PDF_HYPHEN_RE = re.compile(r"(?P<left>\w+)\ufffe[ \t]*\n?[ \t]*(?P<right>\w+)")
WORD_RE = re.compile(r"\w+")
# First parts that keep their hyphen when the joined word is not one of the letter's own
# (anti-inflammatories, non-certified, x-rays, follow-up, post-surgical).
HYPHEN_PREFIX_RE = re.compile(
    r"(?:anti|non|post|pre|self|co|ex|follow|multi|semi|well|long|short|full|part|low|high"
    r"|over|under|bi|tri|mid|intra|inter|extra|para|pseudo|quasi|ultra|re)",
    re.IGNORECASE,
)
# Page furniture: 'Page 2 of 5', 'Page 2', '- 2 -'.
PAGE_NOISE_RE = re.compile(
    r"^[ ]*(?:page[ ]+\d+(?:[ ]*(?:of|/)[ ]*\d+)?|-[ ]*\d+[ ]*-)[ ]*$", re.IGNORECASE | re.MULTILINE
)
# A text counts as double spaced when most of its lines are followed by one blank line.
DOUBLE_SPACED_SHARE = 0.6


def normalize_line_endings(text: str) -> str:
    """Turn CRLF, CR, form feeds and Unicode line separators into '\\n'."""
    return re.sub(r"\r\n?|[\f\v\u2028\u2029\x85]", "\n", text)


@cache
def _table_words() -> frozenset[str]:
    """Words of the synonym and drug tables (electromyography), lowercase."""
    return frozenset(w for group in SYNONYM_GROUPS for m in group for w in WORD_RE.findall(m))


def _keeps_hyphen(left: str, right: str, words: frozenset[str], hyphenated: frozenset[str]) -> bool:
    joined = f"{left}{right}".lower()
    if joined in words or joined in _table_words():
        return False
    if f"{left}-{right}".lower() in hyphenated:
        return True
    if HYPHEN_PREFIX_RE.fullmatch(left) or len(left) == 1 or right[:1].isupper():
        return True
    if any(c.isdigit() for c in left + right):
        return True
    # Two words of the letter make a compound (skilled-nursing); else a word was cut in two
    # (documen|tation).
    return left.lower() in words and right.lower() in words


def join_pdf_hyphens(text: str) -> str:
    """Read PDFium's U+FFFE (a hyphen at a line break) as what it stands for.

    The two parts are joined when the joined word is a word of the letter or of the synonym
    and drug tables (electro|myography), and else keep a hyphen where the first part is a
    prefix that takes one, a letter or a number, or where both parts are words of the
    letter (anti-inflammatories, x-rays, skilled-nursing); a word cut mid-syllable with
    neither part a word (documen|tation) is joined.
    """
    if PDF_HYPHEN not in text:
        return text
    rest = PDF_HYPHEN_RE.sub(" ", text)
    words = frozenset(w.lower() for w in WORD_RE.findall(rest))
    hyphenated = frozenset(m.lower() for m in re.findall(r"\w+-\w+", rest))

    def resolve(match: re.Match[str]) -> str:
        left, right = match["left"], match["right"]
        return f"{left}-{right}" if _keeps_hyphen(left, right, words, hyphenated) else left + right

    return PDF_HYPHEN_RE.sub(resolve, text).replace(PDF_HYPHEN, "-")


def drop_noncharacters(text: str) -> str:
    """Drop control characters (but tab and newline), noncharacters and lone surrogates."""
    return NONCHARACTER_RE.sub("", CONTROL_RE.sub("", text))


def normalize_spaces(text: str) -> str:
    """Replace odd spaces by ' ' and drop invisible, control and noncharacters."""
    text = ODD_SPACES_RE.sub(" ", text)
    text = INVISIBLE_RE.sub("", text)
    return drop_noncharacters(text)


def strip_lines(text: str) -> str:
    """Strip spaces at both ends of every line."""
    return "\n".join(line.strip(" ") for line in text.split("\n"))


def drop_page_noise(text: str) -> str:
    """Blank out page-number lines such as 'Page 2 of 5'."""
    return PAGE_NOISE_RE.sub("", text)


def is_double_spaced(text: str) -> bool:
    """Tell whether a blank line follows most text lines (as in the plain-text letters)."""
    lines = text.split("\n")
    texts = [i for i, line in enumerate(lines[:-1]) if line]
    if len(texts) < 4:
        return False
    followed = sum(1 for i in texts if not lines[i + 1])
    return followed / len(texts) >= DOUBLE_SPACED_SHARE


def undouble_spacing(text: str) -> str:
    """In double-spaced text, join lines split by one blank line; keep longer gaps as breaks."""
    if not is_double_spaced(text):
        return text
    # Runs of 2+ blank lines mark paragraph breaks; a single blank line is line spacing.
    text = re.sub(r"\n{3,}", "\n\x00\n", text)
    text = text.replace("\n\n", "\n")
    return text.replace("\n\x00\n", "\n\n")


def collapse_blank_lines(text: str) -> str:
    """Keep at most one blank line in a row and none at the ends."""
    return re.sub(r"\n{3,}", "\n\n", text).strip("\n")


CLEANING_STEPS: tuple[Callable[[str], str], ...] = (
    normalize_line_endings,
    join_pdf_hyphens,
    normalize_spaces,
    strip_lines,
    drop_page_noise,
    undouble_spacing,
    collapse_blank_lines,
)


def clean_text(text: str) -> str:
    """Apply every cleaning step in order."""
    for step in CLEANING_STEPS:
        text = step(text)
    return text
