"""The app's one LetterIndex, opened on first use and kept in app.extensions."""

from __future__ import annotations

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
    becomes visible without a restart. Opening also warms the generation's caches.
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
        # The first browse page and statistics would otherwise pay for these caches.
        warm(index)
        cached_columns(index.generation)
        app.extensions[EXTENSION_KEY] = index
        return index


__all__ = ["IndexMissing", "get_index"]
