"""Posting lists, field lengths and sortable columns of an open searcher as numpy arrays.

The Whoosh index stays the index of record; :class:`IndexArrays` reads from it, once per open
searcher (one index generation and segment set), what numpy scoring needs:

* per ``(field, term)``: the global document numbers of the live documents containing the term
  and the term's frequency in each (read block by block, deleted documents dropped), kept in a
  memory-bounded LRU cache;
* per field: every document's length as Whoosh's scorer sees it (the one-byte approximation
  stored in the length column, decoded with the same table);
* columns for filters, facets, tie-breaking and duplicate collapse: the article-id rank, category
  and content hash of every document, and which documents are live.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3LeafMatcher, _lenfield
from whoosh.columns import NumericColumn
from whoosh.searching import Searcher
from whoosh.util.numeric import byte_to_length

from search.collect import id_ranks

logger = logging.getLogger(__name__)

DEFAULT_CACHE_BYTES = 128 * 1024 * 1024  # posting arrays kept per open searcher
MAX_MASKS = 32  # filter masks kept per open searcher (one byte per document each)
_LENGTH_TABLE = np.array([byte_to_length(b) for b in range(256)], dtype=np.float64)
_EMPTY_DOCS: npt.NDArray[np.int32] = np.zeros(0, dtype=np.int32)
_EMPTY_TF: npt.NDArray[np.float32] = np.zeros(0, dtype=np.float32)


@dataclass(frozen=True)
class Posting:
    """The live documents containing one term of one field, in document-number order."""

    docs: npt.NDArray[np.int32]
    tf: npt.NDArray[np.float32]

    @property
    def nbytes(self) -> int:
        return int(self.docs.nbytes + self.tf.nbytes)


@dataclass(frozen=True)
class Codes:
    """A string column as integer codes (``-1`` for an empty value) and the distinct values."""

    codes: npt.NDArray[np.int32]
    values: tuple[str, ...]


class IndexArrays:
    """Numpy views of one open Whoosh searcher: postings (cached), lengths and columns.

    Build one per searcher; it is invalid once the searcher is refreshed or closed.
    """

    def __init__(self, searcher: Searcher, cache_bytes: int = DEFAULT_CACHE_BYTES) -> None:
        self.searcher = searcher
        self.reader = searcher.reader()
        self.doc_count_all = int(self.reader.doc_count_all())
        self.cache_bytes = cache_bytes
        self._postings: OrderedDict[tuple[str, str], Posting] = OrderedDict()
        self._cached_bytes = 0
        self._lengths: dict[str, npt.NDArray[np.float64]] = {}
        self._columns: dict[str, Codes] = {}
        self._ranks: npt.NDArray[np.int64] | None = None
        self._live: npt.NDArray[np.bool_] | None = None
        self._dups: npt.NDArray[np.bool_] | None = None
        self._docnums: dict[str, int] | None = None
        self._masks: OrderedDict[str, npt.NDArray[np.bool_]] = OrderedDict()

    # -- postings ---------------------------------------------------------------------------

    def postings(self, field: str, text: str) -> Posting:
        """The live postings of ``text`` in ``field`` (empty when the term is not indexed)."""
        key = (field, text)
        cached = self._postings.get(key)
        if cached is not None:
            self._postings.move_to_end(key)
            return cached
        posting = self._read_postings(field, text)
        self._postings[key] = posting
        self._cached_bytes += posting.nbytes
        while self._cached_bytes > self.cache_bytes and len(self._postings) > 1:
            _, dropped = self._postings.popitem(last=False)
            self._cached_bytes -= dropped.nbytes
        return posting

    def _read_postings(self, field: str, text: str) -> Posting:
        docs: list[npt.NDArray[Any]] = []
        tfs: list[npt.NDArray[Any]] = []
        for segment, offset in self.reader.leaf_readers():
            btext = segment._text_to_bytes(field, text)
            if (field, btext) not in segment:
                continue
            matcher = segment._terms.matcher(field, btext, segment.schema[field].format)
            ids, weights = _read_matcher(matcher)
            ids = ids + offset
            if segment.has_deletions():
                keep = self.live[ids]
                ids, weights = ids[keep], weights[keep]
            docs.append(ids)
            tfs.append(weights)
        if not docs:
            return Posting(_EMPTY_DOCS, _EMPTY_TF)
        return Posting(np.concatenate(docs).astype(np.int32), np.concatenate(tfs).astype(np.float32))

    # -- lengths and columns ------------------------------------------------------------------

    def lengths(self, field: str) -> npt.NDArray[np.float64]:
        """Every document's length in ``field``, as Whoosh's scorer sees it (decoded length byte)."""
        found = self._lengths.get(field)
        if found is None:
            parts = []
            for segment, _ in self.reader.leaf_readers():
                column = segment._perdoc._cached_reader(_lenfield(field), LENGTHS_COLUMN)
                count = segment.doc_count_all()
                parts.append(
                    np.zeros(count, dtype=np.uint8) if column is None else _length_bytes(column, count)
                )
            found = _LENGTH_TABLE[np.concatenate(parts)] if parts else np.zeros(0)
            self._lengths[field] = found
        return found

    def column(self, name: str) -> Codes:
        """A sortable string column (``category``, ``content_hash``...) as integer codes."""
        found = self._columns.get(name)
        if found is None:
            found = _codes(list(self.reader.column_reader(name)))
            self._columns[name] = found
        return found

    @property
    def ranks(self) -> npt.NDArray[np.int64]:
        """Each document's rank in sorted article-id order (equal scores: smaller id first)."""
        if self._ranks is None:
            self._ranks = np.array(id_ranks(self.searcher), dtype=np.int64)
        return self._ranks

    def docnums_by_id(self) -> dict[str, int]:
        """Article id → document number of the first live document with that id."""
        if self._docnums is None:
            ids = list(self.reader.column_reader("id"))
            found: dict[str, int] = {}
            for docnum in np.flatnonzero(self.live).tolist():
                found.setdefault(ids[docnum], docnum)
            self._docnums = found
        return self._docnums

    @property
    def live(self) -> npt.NDArray[np.bool_]:
        """True for the documents not deleted."""
        if self._live is None:
            live = np.zeros(self.doc_count_all, dtype=bool)
            live[np.fromiter(self.reader.all_doc_ids(), dtype=np.int64)] = True
            self._live = live
        return self._live

    @property
    def has_duplicate(self) -> npt.NDArray[np.bool_]:
        """True for the live documents whose (non-empty) content hash another live document shares."""
        if self._dups is None:
            codes = self.column("content_hash").codes
            live_codes = codes[self.live & (codes >= 0)]
            counts = np.bincount(live_codes, minlength=len(self.column("content_hash").values))
            self._dups = self.live & (codes >= 0) & (counts[np.maximum(codes, 0)] > 1)
        return self._dups

    def mask(self, docnums: Sequence[int] | Any) -> npt.NDArray[np.bool_]:
        """A document mask with ``docnums`` set."""
        mask = np.zeros(self.doc_count_all, dtype=bool)
        mask[np.fromiter(docnums, dtype=np.int64)] = True
        return mask

    def filter_mask(self, allow: Any) -> npt.NDArray[np.bool_]:
        """The mask of the live documents a Whoosh filter query matches (the last few kept)."""
        key = repr(allow)
        found = self._masks.get(key)
        if found is None:
            found = self.mask(allow.docs(self.searcher))
            self._masks[key] = found
            if len(self._masks) > MAX_MASKS:
                self._masks.popitem(last=False)
        else:
            self._masks.move_to_end(key)
        return found


def _read_matcher(matcher: Any) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float32]]:
    """All (segment document number, weight) pairs of a leaf matcher, whole blocks at a time."""
    ids: list[Any] = []
    weights: list[Any] = []
    if isinstance(matcher, W3LeafMatcher):
        while matcher.is_active():
            if matcher._data is None:
                matcher._read_data()
            raw = np.asarray(matcher._data[0], dtype=np.int64)
            ids.append(raw if matcher._byteids else np.cumsum(raw))  # ids are delta-encoded
            matcher._read_weights()
            weights.append(np.asarray(matcher._weights, dtype=np.float32))
            matcher._next_block()
    else:  # inlined or other small posting lists
        one_ids, one_weights = [], []
        while matcher.is_active():
            one_ids.append(matcher.id())
            one_weights.append(matcher.weight())
            matcher.next()
        ids.append(np.asarray(one_ids, dtype=np.int64))
        weights.append(np.asarray(one_weights, dtype=np.float32))
    if not ids:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
    return np.concatenate(ids), np.concatenate(weights)


def _length_bytes(column: Any, count: int) -> npt.NDArray[np.uint8]:
    """The one-byte lengths of a segment's ``count`` documents, read as one block when possible."""
    if isinstance(column, NumericColumn.Reader) and column._typecode == "B" and column._fixedlen == 1:
        stored = min(column._count, count)
        found = np.zeros(count, dtype=np.uint8)  # documents past the stored ones have length 0
        found[:stored] = np.frombuffer(column._dbfile.get(column._basepos, stored), dtype=np.uint8)
        return found
    return np.fromiter((column[d] for d in range(count)), dtype=np.uint8, count=count)


def _codes(values: list[Any]) -> Codes:
    """Integer codes of a column's values (``None``/empty → -1), codes in sorted value order."""
    texts = [v.decode("utf-8") if isinstance(v, bytes) else (v or "") for v in values]
    distinct = sorted({t for t in texts if t})
    index = {v: i for i, v in enumerate(distinct)}
    codes = np.fromiter((index.get(t, -1) for t in texts), dtype=np.int32, count=len(texts))
    return Codes(codes, tuple(distinct))
