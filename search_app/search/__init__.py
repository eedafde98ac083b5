"""The search layer: a request or a pasted text -> parsed query -> the engine -> a page of results.

The web layer (search_app/web) talks to this package only; it never sees the engine.
"""

from indexer.engine import DEFAULT_CACHE_SIZE, DEFAULT_POSTINGS_MB, Index, IndexMissing, open_index
from search_app.search.analytics import warm_columns
from search_app.search.service import warm

__all__ = [
    "DEFAULT_CACHE_SIZE",
    "DEFAULT_POSTINGS_MB",
    "Index",
    "IndexMissing",
    "open_index",
    "warm",
    "warm_columns",
]
