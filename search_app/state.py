"""The app's one LetterIndex, opened on first use and kept in app.extensions."""

from __future__ import annotations

import logging
import threading

from flask import Flask

from search_app.analytics import cached_columns
from search_app.search import IndexMissing, LetterIndex, open_index, warm
from search_app.search_index import DEFAULT_CACHE_SIZE, DEFAULT_POSTINGS_MB

EXTENSION_KEY = "imr_index"
_OPEN_LOCK = threading.Lock()


def get_index(app: Flask) -> LetterIndex:
    """Return the app's LetterIndex, opening app.config["INDEX"] on first use.

    A missing index raises IndexMissing every time, so a build started after the app
    becomes visible without a restart. Opening starts a thread that warms the generation's
    caches (the browse page's counts, the statistics' columns): the first request need not
    wait for them, and one that needs them before they are ready computes them itself.
    """
    found = app.extensions.get(EXTENSION_KEY)
    if isinstance(found, LetterIndex):
        return found
    with _OPEN_LOCK:
        found = app.extensions.get(EXTENSION_KEY)
        if isinstance(found, LetterIndex):
            return found
        check = float(app.config.get("INDEX_CHECK_SECONDS", 1.0))
        cache = int(app.config.get("MATCH_CACHE", DEFAULT_CACHE_SIZE))
        postings = int(app.config.get("POSTINGS_CACHE_MB", DEFAULT_POSTINGS_MB))
        index = open_index(
            str(app.config["INDEX"]),
            check_seconds=check,
            cache_size=cache,
            postings_mb=postings,
        )
        app.extensions[EXTENSION_KEY] = index
        threading.Thread(target=_warm, args=(index,), name="imr-warm", daemon=True).start()
        return index


def _warm(index: LetterIndex) -> None:
    """Fill the caches the browse page and the statistics would otherwise pay for."""
    try:
        warm(index)
        cached_columns(index.generation)
    except Exception:  # only a head start: the requests compute what they need
        logging.getLogger(__name__).warning("warming the index caches failed", exc_info=True)


__all__ = ["IndexMissing", "get_index"]
