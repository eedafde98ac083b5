"""The app's one open Index, opened on first use and kept in app.extensions."""

from __future__ import annotations

import logging
import threading

from flask import Flask

from search_app.search import (
    DEFAULT_CACHE_SIZE,
    DEFAULT_POSTINGS_MB,
    Index,
    IndexMissing,
    open_index,
    warm,
    warm_columns,
)

EXTENSION_KEY = "imr_index"
ANSWERED_KEY = "imr_answered"  # an Event: set once the app has answered a request
# Warming waits for the first answer (or this long without one): on two cores, a warm thread
# running beside the first request slowed a cold start at a million decisions.
WARM_WAIT_SECONDS = 2.0


def watch_answers(app: Flask) -> None:
    """Let the warm thread know when the app has answered its first request."""
    answered = threading.Event()
    app.extensions[ANSWERED_KEY] = answered

    def _answered(error: BaseException | None) -> None:
        answered.set()

    app.teardown_request(_answered)


_OPEN_LOCK = threading.Lock()


def get_index(app: Flask) -> Index:
    """Return the app's LetterIndex, opening app.config["INDEX"] on first use.

    A missing index raises IndexMissing every time, so a build started after the app
    becomes visible without a restart. Opening starts a thread that warms the generation's
    caches (the browse page's counts, the statistics' columns) once the first request is
    answered (watch_answers) or WARM_WAIT_SECONDS have passed: the first request need not
    wait for them, nor share the cores with them, and one that needs them before they are
    ready computes them itself.
    """
    found: Index | None = app.extensions.get(EXTENSION_KEY)
    if found is not None:
        return found
    with _OPEN_LOCK:
        opened: Index | None = app.extensions.get(EXTENSION_KEY)
        if opened is not None:
            return opened
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
        answered = app.extensions.get(ANSWERED_KEY)
        threading.Thread(target=_warm, args=(index, answered), name="imr-warm", daemon=True).start()
        return index


def _warm(index: Index, answered: threading.Event | None) -> None:
    """Fill the caches the browse page and the statistics would otherwise pay for."""
    if answered is not None:
        answered.wait(WARM_WAIT_SECONDS)
    try:
        warm(index)
        warm_columns(index)
    except Exception:  # only a head start: the requests compute what they need
        logging.getLogger(__name__).warning("warming the index caches failed", exc_info=True)


__all__ = ["IndexMissing", "get_index"]
