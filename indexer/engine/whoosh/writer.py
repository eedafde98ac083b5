"""A faster Whoosh segment writer that writes the same index files as Whoosh's own.

Whoosh's SegmentWriter spends most of a build in Python per posting: each field value runs
through the analyzer chain token by token (a letter's summary five times per decision), each
posting is a tuple in a sorting pool, and the segment writer reads a length column per posting.
FastWriter keeps Whoosh's file formats and replaces those three loops:

- Analysis: a string is tokenized and lowercased once, and the stemmed, exact (positions) and
  word-pair postings are derived from that word list; the catch-all's words are its parts'
  words put together, and a letter's summary postings are reused for all its decisions.
  Only analyzer chains this module recognises take that path (see _TextKind); any other
  field goes through Whoosh's own field.index().
- The pool: postings are grouped by term in memory as they are added (a build commits every
  CHUNK_LETTERS letters, which bounds it), so no sort of every posting and no sorted runs on disk.
- The segment: postings are written a block at a time in Whoosh's W3PostingsWriter format
  (whoosh_segment.py), with field lengths read once per field. Segments merged in
  (MERGE_SMALL, optimize) are read a block at a time too, instead of one posting at a time
  through the pool, and their stored fields copied as bytes.

This reaches into whoosh-reloaded's private attributes, so it is pinned to the version in
pyproject.toml; tests/test_build.py checks that both writers produce the same index.
"""

from __future__ import annotations

import os
import re
import struct
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from operator import sub
from pickle import dumps
from typing import Any

import whoosh
from whoosh import analysis, columns, formats
from whoosh.analysis.tokenizers import default_pattern
from whoosh.codec.whoosh3 import STORED_COLUMN
from whoosh.writing import SegmentWriter

from indexer.engine.whoosh.dense import DENSE_EXT, DenseWriter
from indexer.engine.whoosh.schema import PairFilter
from indexer.engine.whoosh.segment import (
    Items,
    SegmentPostings,
    Source,
    TermPool,
    field_lengths,
    write_postings,
)

WHOOSH_VERSION = (2, 7, 5)  # the internals below are whoosh-reloaded 2.7.5's
CACHE_STRINGS = 512  # distinct strings whose analysis is kept (a letter's need a few dozen)
STEM_CACHE = 200_000  # words whose stem is kept
_UINT = struct.Struct("!I").pack  # whoosh.system.pack_uint
_ONE = _UINT(1)
# A word's positions in a field when it occurs once there (most postings), made once.
_SINGLES = 4096
_SINGLE_AT = [_ONE + dumps([n], 2) for n in range(_SINGLES)]

# Whoosh's default token pattern (that of "joinable" kinds) with its group not capturing,
# so that findall returns whole tokens; test_whoosh_speed checks it against Whoosh's.
_DEFAULT_WORDS = re.compile(r"[\w\*]+(?:\.?[\w\*]+)*", default_pattern.flags)

ANALYSED = "_analysed"  # a document's key for its postings made by Analysis.analyse
_STEMMERS: dict[tuple[Any, ...], str] = {}  # a stop-and-stem setting -> its cache key


def supported() -> bool:
    """Tell whether the installed Whoosh is the version this module was written against."""
    return tuple(whoosh.__version__[:3]) == WHOOSH_VERSION


class _TextKind:
    """How a recognised analyzer turns a string's lowercased words into its terms."""

    def __init__(self, analyzer: Any, fmt: Any) -> None:
        items = list(getattr(analyzer, "items", ()))
        self.kind = ""
        self.joinable = False  # tokens never cross a newline, so "a\nb" = words(a) + words(b)
        if len(items) < 2 or type(fmt) not in (formats.Frequency, formats.Positions):
            return
        tokenizer, lower, *rest = items
        if not (
            type(tokenizer) is analysis.RegexTokenizer
            and not tokenizer.gaps
            and type(lower) is analysis.LowercaseFilter
        ):
            return
        self.regex = tokenizer.expression
        self.words_key = f"words {self.regex.pattern}"
        self.key = self.words_key
        self.joinable = (self.regex.pattern, self.regex.flags) == (
            default_pattern.pattern,
            default_pattern.flags,
        )
        self.positions = type(fmt) is formats.Positions
        self.boost = fmt.field_boost
        kinds = [type(f) for f in rest]
        if kinds == []:
            self.kind = "words"
        elif kinds == [PairFilter] and not self.positions:
            self.kind = "pairs"
            self.join = " "
        elif kinds == [analysis.StopFilter, analysis.StemFilter] and not self.positions:
            stop, stem = rest
            self.kind = "stems"
            self.stops = stop.stops
            self.minsize = stop.min
            self.maxsize = stop.max
            self.ignore = stem.ignore
            self.stemfn = stem.stemfn
            if stem.lang:
                from whoosh.lang import stemmer_for_language

                self.stemfn = stemmer_for_language(stem.lang)
            params = (self.words_key, self.stops, self.minsize, self.maxsize, self.ignore)
            self.key = _STEMMERS.setdefault((*params, self.stemfn), f"stems {len(_STEMMERS)}")


Postings = tuple[Items | dict[str, int], int]  # a field's postings, and its length


class Analysis:
    """Turn documents' field values into postings, as Whoosh's field.index() would.

    joined maps a catch-all field to the fields whose values, joined by newlines, make its
    value (checked per document; a value that isn't that join is analysed on its own). It
    runs in FastWriter, or in a parse worker (ANALYSED), with caches kept between documents.
    """

    def __init__(self, schema: Any, joined: Mapping[str, Sequence[str]] | None = None) -> None:
        self.schema = schema
        self._joined = dict(joined or {})
        self._kinds: dict[str, _TextKind] = {}
        for name, field in schema.items():
            if field.indexed and field.format is not None:
                kind = _TextKind(getattr(field, "analyzer", None), field.format)
                if kind.kind:
                    self._kinds[name] = kind
        self._cache: dict[tuple[str, str], list[str]] = {}  # (kind key, text) -> tokens
        self._items: dict[tuple[str, Any, float], Postings] = {}
        self._stems: dict[str, str] = {}

    def analyse(self, fields: dict[str, Any]) -> dict[str, Postings]:
        """Return every indexed field's postings for a document (what ANALYSED carries)."""
        docboost = float(fields.get("_boost", 1.0))
        found = {}
        for fieldname, value in fields.items():
            if fieldname.startswith("_") or fieldname not in self.schema or value is None:
                continue
            field = self.schema[fieldname]
            if not field.indexed:
                continue
            boost = float(fields.get(f"_{fieldname}_boost", docboost))
            found[fieldname] = self.index(fieldname, field, value, boost, fields)
        return found

    def index(
        self, fieldname: str, field: Any, value: Any, boost: float, fields: dict[str, Any]
    ) -> Postings:
        """Return a value's postings and the sum of their frequencies.

        The postings are term -> frequency for a recognised Frequency field without boosts
        (weights and value bytes follow from the frequency), else Whoosh's index() items with
        weights boosted as SegmentWriter.add_document boosts them.
        """
        if len(self._items) > CACHE_STRINGS or len(self._cache) > CACHE_STRINGS:
            self._items.clear()
            self._cache.clear()
        try:
            key = (fieldname, value, boost)
            hit = self._items.get(key)
        except TypeError:  # an unhashable value (a list of terms): no cache
            key, hit = None, None
        if hit is not None:
            return hit
        kind = self._kinds.get(fieldname)
        found: Postings
        if kind is None or not isinstance(value, str):
            items: Items = []
            for tbytes, freq, weight, vbytes in field.index(value):
                weight *= boost
                items.append((tbytes, freq, weight, vbytes))
            found = items, sum(item[1] for item in items)
        else:
            found = self._text_postings(kind, self._words_of(fieldname, kind, value, fields), boost)
        if key is not None and fieldname not in self._joined:  # catch-alls rarely repeat
            self._items[key] = found
        return found

    def _words_of(
        self, fieldname: str, kind: _TextKind, value: str, fields: dict[str, Any]
    ) -> list[str]:
        """Return the value's tokens for kind (stems for a stemming analyzer), via caches."""
        parts = self._joined.get(fieldname)
        if parts and kind.joinable:
            texts = [fields.get(part, "") for part in parts]
            if all(isinstance(t, str) for t in texts) and "\n".join(texts) == value:
                tokens: list[str] = []
                for text in texts:
                    tokens += self._tokens(kind, text)
                return tokens
        return self._tokens(kind, value)

    def _tokens(self, kind: _TextKind, text: str) -> list[str]:
        key = (kind.key, text)
        tokens = self._cache.get(key)
        if tokens is None:
            tokens = self._cache.get((kind.words_key, text))
            if tokens is None:  # RegexTokenizer | LowercaseFilter
                if kind.joinable and text.isascii():  # lowercasing first changes no token
                    tokens = _DEFAULT_WORDS.findall(text.lower())
                else:
                    tokens = [m.group(0).lower() for m in kind.regex.finditer(text)]
                self._cache[(kind.words_key, text)] = tokens
            if kind.kind == "stems":
                tokens = self._stemmed(kind, tokens)
                self._cache[key] = tokens
        return tokens

    def _text_postings(
        self, kind: _TextKind, tokens: list[str], boost: float
    ) -> tuple[Items | dict[str, int], int]:
        """Return the postings of a recognised analyzer's tokens, and how many tokens."""
        if kind.kind == "pairs":
            join = kind.join
            tokens = [f"{a}{join}{b}" for a, b in zip(tokens, tokens[1:], strict=False)]
        fb = kind.boost
        if not kind.positions:  # formats.Frequency.word_values
            counts = dict(Counter(tokens))  # a plain dict pickles and loads faster
            if fb == 1.0 and boost == 1.0:
                return counts, len(tokens)
            weighted = [(w.encode("utf-8"), n, n * fb * boost, _UINT(n)) for w, n in counts.items()]
            return weighted, len(tokens)
        poses: dict[str, list[int]] = {}  # formats.Positions.word_values
        for pos, w in enumerate(tokens):
            found = poses.get(w)
            if found is None:
                poses[w] = [pos]
            else:
                found.append(pos)
        items = [
            (
                w.encode("utf-8"),
                len(p),
                float(len(p)) * fb * boost,
                _SINGLE_AT[p[0]] if len(p) == 1 and p[0] < _SINGLES else _positions(p),
            )
            for w, p in poses.items()
        ]
        return items, len(tokens)

    def _stemmed(self, kind: _TextKind, words: list[str]) -> list[str]:
        """StopFilter (removing stops) then StemFilter, on lowercased words."""
        stems = self._stems
        if len(stems) > STEM_CACHE:
            stems.clear()
        stops, low, high, ignore = kind.stops, kind.minsize, kind.maxsize, kind.ignore
        out = []
        for w in words:
            if len(w) < low or (high is not None and len(w) > high) or w in stops:
                continue
            stem = stems.get(w)
            if stem is None:
                stem = w if w in ignore else kind.stemfn(w)
                stems[w] = stem
            out.append(stem)
        return out


class FastWriter(SegmentWriter):  # type: ignore[misc]
    """Whoosh's SegmentWriter with analysis, pooling and segment writing done in bulk.

    joined is Analysis's. split lets a large segment's postings be written by two processes
    (whoosh_segment.py); a forked process first runs child_setup (to let go of what it must
    not hold, such as a lock). A document may carry its postings under ANALYSED, made by
    Analysis.analyse in another process; the other fields are analysed here.
    """

    def __init__(
        self,
        ix: Any,
        joined: Mapping[str, Sequence[str]] | None = None,
        split: bool = False,
        child_setup: Callable[[], None] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(ix, **kwargs)
        self.pool = TermPool()
        self._split = split
        self._child_setup = child_setup or _no_setup
        self.analysis = Analysis(self.schema, joined)
        self._sources: list[Source] = []

    # --- documents -----------------------------------------------------------------------

    def add_document(self, **fields: Any) -> None:
        """Add a document as SegmentWriter.add_document does (2.7.5), analysing via caches."""
        self._check_state()
        perdocwriter = self.perdocwriter
        schema = self.schema
        docnum = self.docnum
        pool = self.pool
        index = self.analysis.index
        analysed = fields.get(ANALYSED) or {}
        docboost = self._doc_boost(fields)
        fieldnames = sorted([name for name in fields if not name.startswith("_")])
        self._check_fields(schema, fieldnames)
        perdocwriter.start_doc(docnum)
        try:
            for fieldname in fieldnames:
                value = fields.get(fieldname)
                if value is None:
                    continue
                field = schema[fieldname]
                length = 0
                if field.indexed:
                    found = analysed.get(fieldname)
                    if found is None:
                        boost = self._field_boost(fields, fieldname, docboost)
                        found = index(fieldname, field, value, boost, fields)
                    postings, freqs = found
                    if field.scorable:
                        length = freqs
                    if isinstance(postings, dict):
                        pool.add_counts(fieldname, docnum, postings)
                    else:
                        pool.add_items(fieldname, docnum, postings)
                customval = fields.get(f"_stored_{fieldname}", value)
                stored = customval if field.stored else None
                perdocwriter.add_field(fieldname, field, stored, length)
                column = field.column_type
                if column and customval is not None:
                    colvalue = field.to_column_value(customval)
                    perdocwriter.add_column_value(fieldname, column, colvalue)
        except Exception:
            perdocwriter.cancel_doc()
            raise
        perdocwriter.finish_doc()
        self._added = True
        self.docnum += 1

    # --- merging -------------------------------------------------------------------------

    def add_reader(self, reader: Any) -> None:
        """Copy a segment's documents now and its postings when the segment is written."""
        self._check_state()
        basedoc = self.docnum
        ndxnames = {name for name in reader.indexed_field_names() if name in self.schema}
        fieldnames = set(self.schema.names()) | ndxnames
        docmap = self.write_per_doc(fieldnames, reader)
        self._sources.append((reader.segment(), basedoc, docmap))
        self._added = True

    def write_per_doc(self, fieldnames: set[str], reader: Any) -> dict[int, int] | None:
        """SegmentWriter.write_per_doc (2.7.5), with each field's lengths read once and each
        document's stored fields copied as the bytes they are.

        Whoosh asks doc_field_length per document and field, which for a field without
        lengths checks that the column file exists each time; and it unpickles and inflates
        every document's stored fields only to pickle and deflate them again (at 97k
        decisions a seventh of a full merge, all of it before the postings' processes
        start). A reader with another schema, or vectors, goes Whoosh's way.
        """
        perdoc = getattr(reader, "_perdoc", None)
        stored = _raw_stored(perdoc, reader, self.schema)
        if stored is None or self.perdocwriter._colwriters.get("_stored") is None:
            plain: dict[int, int] | None = super().write_per_doc(fieldnames, reader)
            return plain
        stored_writer = self.perdocwriter._colwriters["_stored"]._child
        schema = self.schema
        docmap: dict[int, int] | None = {} if reader.has_deletions() else None
        pdw = self.perdocwriter
        cols = _column_readers(schema, fieldnames, reader)
        lengths = []
        for fieldname in sorted(fieldnames):
            known = field_lengths(perdoc, fieldname)
            if known is not None:
                lengths.append((fieldname, schema[fieldname], known))
        add_raw = columns.VarBytesColumn.Writer.add  # no pickling, no deflating: as read
        get_raw = columns.VarBytesColumn.Reader.__getitem__
        for docnum in reader.all_doc_ids():
            if docmap is not None:
                docmap[docnum] = self.docnum
            pdw.start_doc(self.docnum)
            raw = get_raw(stored, docnum)
            if raw:
                add_raw(stored_writer, self.docnum, raw)
            for fieldname, fieldobj, known in lengths:
                length = known[docnum]
                if length:
                    pdw.add_field(fieldname, fieldobj, None, length)
            for fieldname, creader in cols.items():
                pdw.add_column_value(fieldname, schema[fieldname].column_type, creader[docnum])
            pdw.finish_doc()
            self.docnum += 1
        return docmap

    # --- the segment ---------------------------------------------------------------------

    def _flush_segment(self) -> None:
        self.perdocwriter.close()
        postings = SegmentPostings(self.storage, self.schema, self.pool, self._sources)
        pdr = self.per_document_reader()
        try:
            split = self._child_setup if self._split else None
            dense = DenseWriter(self.newsegment.create_file(self.storage, DENSE_EXT), self.docnum)
            write_postings(
                postings, self.fieldwriter, pdr, self._tempstorage, self.codec, split, dense
            )
        finally:
            pdr.close()
        self.fieldwriter.close()

    def _close_segment(self) -> None:
        super()._close_segment()
        self._sources.clear()


def _no_setup() -> None:
    pass


def _column_readers(schema: Any, fieldnames: set[str], reader: Any) -> dict[str, Any]:
    """Return the raw column readers of a segment's fields that have a column."""
    cols = {}
    for fieldname in fieldnames:
        coltype = schema[fieldname].column_type
        if coltype and reader.has_column(fieldname):
            creader = reader.column_reader(fieldname, coltype)
            if isinstance(creader, columns.TranslatingColumnReader):
                creader = creader.raw_column()
            cols[fieldname] = creader
    return cols


def _raw_stored(perdoc: Any, reader: Any, schema: Any) -> Any:
    """Return the column of a segment's stored fields as bytes (each document's pickled and
    deflated dict), or None where those cannot be copied as they are: another schema (Whoosh
    drops stored fields the new schema lacks), vectors, or another kind of column."""
    if perdoc is None or getattr(reader, "schema", None) is None:
        return None
    if reader.schema.names() != schema.names() or any(f.vector for _, f in schema.items()):
        return None
    column = perdoc._cached_reader("_stored", STORED_COLUMN)
    inner = getattr(column, "_child", None)
    if type(column) is not columns.PickleColumn.Reader or not isinstance(
        inner, columns.VarBytesColumn.Reader
    ):
        return None
    return inner


def _positions(poslist: list[int]) -> bytes:
    """formats.Positions.encode."""
    return _UINT(len(poslist)) + dumps([poslist[0], *map(sub, poslist[1:], poslist)], 2)


def usable_cpus() -> int:
    """Return the CPUs this process may run on: its affinity (which a container or taskset
    narrows) where the platform has the call, else the machine's count; at least 1."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # no affinity call on this platform
        return max(1, os.cpu_count() or 1)


def new_writer(
    ix: Any,
    joined: Mapping[str, Sequence[str]],
    child_setup: Callable[[], None] | None = None,
    **kwargs: Any,
) -> Any:
    """Open a FastWriter on ix, or Whoosh's own writer where this module doesn't apply.

    With more than one core, large segments are written by two processes.
    """
    plain = any(f.separate_spelling() or f.vector for _, f in ix.schema.items())
    if plain or not supported():
        return ix.writer(**kwargs)
    split = usable_cpus() > 1
    return FastWriter(ix, joined=joined, split=split, child_setup=child_setup, **kwargs)
