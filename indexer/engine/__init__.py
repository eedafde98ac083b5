"""The search engine, behind one interface.

Everything that knows Whoosh or its files lives in indexer/engine/whoosh/: the schema and
analysis, the segment writer, dense postings and positions, mapped storage, merges, the
per-generation arrays, query evaluation with BM25F scoring, phrases and NEAR, facet tables and
vocabulary look-ups. The rest of the project sees only what this package exports:

- read side (indexer.engine.interface): `open_index(path)` gives an `Index`; its `snapshot()`
  block pins one committed generation as a `Snapshot`, which matches the project's own query
  syntax tree (indexer.engine.query), counts facets (indexer.engine.facets), reads stored
  fields and answers vocabulary questions;
- write side (indexer.engine.writing): what a build needs to add, delete, commit and merge;
- analysis: `stem_tokens` and `exact_tokens`, how the index reads words, for snippets.

Another engine (a Whoosh fork, OpenSearch) would implement the same protocols in a package
beside whoosh/ and be chosen here. docs/ARCHITECTURE.md describes the Whoosh engine's design.
"""

from indexer.engine.caches import ByteCache, MatchCache
from indexer.engine.facets import (
    MISSING_DATE,
    BoolArray,
    FacetTable,
    IntArray,
    parent_of,
    resolve_value,
)
from indexer.engine.interface import (
    FloatArray,
    Highlights,
    Index,
    IndexMissing,
    Match,
    Snapshot,
    StoredFields,
)
from indexer.engine.whoosh.compile import exact_tokens, stem_tokens
from indexer.engine.whoosh.index import DEFAULT_CACHE_SIZE, DEFAULT_POSTINGS_MB, open_index

__all__ = [
    "DEFAULT_CACHE_SIZE",
    "DEFAULT_POSTINGS_MB",
    "MISSING_DATE",
    "BoolArray",
    "ByteCache",
    "FacetTable",
    "FloatArray",
    "Highlights",
    "Index",
    "IndexMissing",
    "IntArray",
    "Match",
    "MatchCache",
    "Snapshot",
    "StoredFields",
    "exact_tokens",
    "open_index",
    "parent_of",
    "resolve_value",
    "stem_tokens",
]
