"""Posting lists, field lengths and sortable columns of an open searcher as numpy arrays.

The Whoosh index stays the index of record; :class:`IndexArrays` reads from it, once per open
searcher (one index generation and segment set), what numpy scoring needs:

* per ``(field, term)``: the global document numbers of the live documents containing the term
  and the term's frequency in each (deleted documents dropped), kept in a memory-bounded LRU
  cache; sliced from the segment's memory-mapped posting sidecar (:mod:`indexer.sidecar`) when it
  has one, else decoded from Whoosh's posting blocks;
* per field: every document's length as Whoosh's scorer sees it (the one-byte approximation
  stored in the length column, decoded with the same table);
* columns for filters, facets, tie-breaking and duplicate collapse: the article-id rank, category
  and content hash of every document, and which documents are live.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from whoosh.reading import TermNotFound
from whoosh.searching import Searcher
from whoosh.util.numeric import byte_to_length

from indexer.sidecar import (
    Sidecar,
    SidecarError,
    checked_postings,
    decode_matcher,
    open_sidecar,
    segment_lengths,
)
from search.columns import codes_of, column_values, ranks_of

logger = logging.getLogger(__name__)

DEFAULT_CACHE_BYTES = 128 * 1024 * 1024  # posting arrays kept per open searcher
MAX_MASKS = 32  # filter masks kept per open searcher (one byte per document each)
MAX_BITSET_VALUES = 256  # a column with at most this many values gets a bitset per value (facets)
_LENGTH_TABLE = np.array([byte_to_length(b) for b in range(256)], dtype=np.float64)
_EMPTY_DOCS: npt.NDArray[np.int32] = np.zeros(0, dtype=np.int32)
_EMPTY_TF: npt.NDArray[np.float32] = np.zeros(0, dtype=np.float32)
CachedFrequency = Callable[[str, str], "int | None"]  # (field, term) -> live df when known cheaply


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

    def __init__(
        self, searcher: Searcher, cache_bytes: int = DEFAULT_CACHE_BYTES, *, sidecars: bool = True
    ) -> None:
        self.searcher = searcher
        self.reader = searcher.reader()
        self.leaves = list(self.reader.leaf_readers())
        self._sidecars: list[Sidecar | None] | None = None if sidecars else [None] * len(self.leaves)
        self.doc_count_all = int(self.reader.doc_count_all())
        self.cache_bytes = cache_bytes
        self._postings: OrderedDict[tuple[str, str], Posting] = OrderedDict()
        self._cached_bytes = 0
        self._lengths: dict[str, npt.NDArray[np.float64]] = {}
        self._columns: dict[str, Codes] = {}
        self._bits: dict[str, npt.NDArray[np.uint64] | None] = {}
        self._ranks: npt.NDArray[np.int64] | None = None
        self._live: npt.NDArray[np.bool_] | None = None
        self._dups: npt.NDArray[np.bool_] | None = None
        self._docnums: dict[str, int] | None = None
        self._masks: OrderedDict[str, npt.NDArray[np.bool_]] = OrderedDict()
        self._ids: list[bytes] | None = None

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

    def cached_frequency(self, field: str, text: str) -> int | None:
        """The live document frequency of a term whose postings are cached (their length), else ``None``."""
        posting = self._postings.get((field, text))
        return None if posting is None else len(posting.docs)

    @property
    def sidecars(self) -> list[Sidecar | None]:
        """The posting sidecar of each segment (``None``: absent or unusable), opened once."""
        if self._sidecars is None:
            folder = getattr(getattr(getattr(self.searcher, "_ix", None), "storage", None), "folder", None)
            self._sidecars = [
                open_sidecar(folder, segment.segment()) if folder else None for segment, _ in self.leaves
            ]
        return self._sidecars

    def _read_postings(self, field: str, text: str) -> Posting:
        docs: list[npt.NDArray[Any]] = []
        tfs: list[npt.NDArray[Any]] = []
        sidecars = self.sidecars
        for i, (segment, offset) in enumerate(self.leaves):
            btext = segment._text_to_bytes(field, text)
            try:
                info = segment._terms.term_info(field, btext)
            except (KeyError, TermNotFound):  # not in this segment
                continue
            found = None
            side = sidecars[i]
            if side is not None and field in side.fields:
                try:
                    found = checked_postings(side, field, btext, info)
                except SidecarError as exc:
                    logger.warning("not using the posting sidecar any more: %s", exc)
                    sidecars[i] = None
            if found is not None:  # int32 documents, uint8 or float32 weights: cast once, below
                ids, weights = found[0] + np.int32(offset), found[1]
            else:
                matcher = segment._terms.matcher(field, btext, segment.schema[field].format)
                ids, weights = decode_matcher(matcher)
                ids = ids + offset
            if segment.has_deletions():
                keep = self.live[ids]
                ids, weights = ids[keep], weights[keep]
            docs.append(ids)
            tfs.append(weights)
        if not docs:
            return Posting(_EMPTY_DOCS, _EMPTY_TF)
        return Posting(
            np.concatenate(docs).astype(np.int32, copy=False), np.concatenate(tfs).astype(np.float32, copy=False)
        )

    # -- lengths and columns ------------------------------------------------------------------

    def lengths(self, field: str) -> npt.NDArray[np.float64]:
        """Every document's length in ``field``, as Whoosh's scorer sees it (decoded length byte)."""
        found = self._lengths.get(field)
        if found is None:
            parts = []
            for i, (segment, _) in enumerate(self.leaves):
                stored = self._sidecar_lengths(i, field)
                if stored is None:
                    stored = segment_lengths(segment, field, segment.doc_count_all())
                parts.append(stored)
            found = _LENGTH_TABLE[np.concatenate(parts)] if parts else np.zeros(0)
            self._lengths[field] = found
        return found

    def _sidecar_lengths(self, i: int, field: str) -> npt.NDArray[np.uint8] | None:
        """The length bytes of segment ``i`` from its sidecar (``None``: no usable sidecar)."""
        side = self.sidecars[i]
        if side is None:
            return None
        try:
            return side.lengths(field)
        except SidecarError as exc:
            logger.warning("not using the posting sidecar any more: %s", exc)
            self.sidecars[i] = None
            return None

    def column(self, name: str) -> Codes:
        """A sortable string column (``category``, ``content_hash``...) as integer codes."""
        found = self._columns.get(name)
        if found is None:
            found = Codes(*codes_of(column_values(self.reader, name)))
            self._columns[name] = found
        return found

    def value_bits(self, name: str) -> npt.NDArray[np.uint64] | None:
        """One bitset of the documents per value of a string column — the empty value first, then
        ``column(name).values`` — as rows of uint64 words; ``None`` above :data:`MAX_BITSET_VALUES`
        values (the bitsets would cost more than counting the codes)."""
        if name not in self._bits:
            column = self.column(name)
            if len(column.values) + 1 > MAX_BITSET_VALUES:
                self._bits[name] = None
            else:
                codes = column.codes
                self._bits[name] = np.stack([packed_bits(codes == code) for code in range(-1, len(column.values))])
        return self._bits[name]

    @property
    def ranks(self) -> npt.NDArray[np.int64]:
        """Each document's rank in sorted article-id order (equal scores: smaller id first)."""
        if self._ranks is None:
            self._ranks = ranks_of(self.id_values)  # as search.collect.id_ranks, with numpy
        return self._ranks

    @property
    def id_values(self) -> list[bytes]:
        """The article id (UTF-8) of every document, from the sortable id column, read once."""
        if self._ids is None:
            self._ids = column_values(self.reader, "id")
        return self._ids

    def docnums_by_id(self) -> dict[str, int]:
        """Article id → document number of the first live document with that id."""
        if self._docnums is None:
            ids = self.id_values
            found: dict[str, int] = {}
            for docnum in np.flatnonzero(self.live).tolist():
                found.setdefault(ids[docnum].decode("utf-8"), docnum)
            self._docnums = found
        return self._docnums

    @property
    def live(self) -> npt.NDArray[np.bool_]:
        """True for the documents not deleted."""
        if self._live is None:
            live = np.ones(self.doc_count_all, dtype=bool)
            for segment, offset in self.leaves:
                if segment.has_deletions():
                    dead = np.fromiter(segment.segment().deleted_docs(), dtype=np.int64)
                    live[dead + offset] = False
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


def packed_bits(mask: npt.NDArray[np.bool_]) -> npt.NDArray[np.uint64]:
    """A document mask as a bitset of uint64 words (document ``d`` is bit ``d % 64`` of word ``d // 64``)."""
    packed = np.packbits(mask, bitorder="little")
    words = np.zeros((len(packed) + 7) // 8 * 8, dtype=np.uint8)
    words[: len(packed)] = packed
    return words.view(np.uint64)
