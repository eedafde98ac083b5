"""Clean raw letter text so PDF and plain-text letters look alike before parsing.

The steps keep line structure (item headings are found at line starts) and paragraph
breaks (one blank line), and drop only what carries no letter content.
"""

from __future__ import annotations

import re
from collections.abc import Callable

# Spaces PDF text layers use besides ' ': NBSP, en/em/thin spaces, narrow NBSP, tab.
ODD_SPACES_RE = re.compile(r"[\t\u00a0\u2000-\u200a\u202f\u205f\u3000]")
# Invisible characters: zero-width space/joiners, soft hyphen, BOM.
INVISIBLE_RE = re.compile(r"[\u200b-\u200d\u00ad\ufeff]")
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
# Page furniture: 'Page 2 of 5', 'Page 2', '- 2 -'.
PAGE_NOISE_RE = re.compile(
    r"^[ ]*(?:page[ ]+\d+(?:[ ]*(?:of|/)[ ]*\d+)?|-[ ]*\d+[ ]*-)[ ]*$", re.IGNORECASE | re.MULTILINE
)
# A text counts as double spaced when most of its lines are followed by one blank line.
DOUBLE_SPACED_SHARE = 0.6


def normalize_line_endings(text: str) -> str:
    """Turn CRLF, CR, form feeds and Unicode line separators into '\\n'."""
    return re.sub(r"\r\n?|[\f\v\u2028\u2029\x85]", "\n", text)


def normalize_spaces(text: str) -> str:
    """Replace odd spaces by ' ' and drop invisible and control characters."""
    text = ODD_SPACES_RE.sub(" ", text)
    text = INVISIBLE_RE.sub("", text)
    return CONTROL_RE.sub("", text)


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
