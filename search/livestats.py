"""Document statistics of the live documents: what a rebuilt index would report.

Whoosh keeps a deleted document in its segment's statistics (document count, document
frequencies, field length totals) until the segment is rewritten, so an updated index would score
differently from a rebuilt one. :class:`LiveStats` counts live documents only:

* ``doc_count``: live documents (``reader.doc_count()``);
* ``doc_frequency(field, term)``: live documents holding the term in the field — Whoosh's count
  minus the deleted documents holding it, as recorded by the update (:mod:`indexer.deletions`: a
  dictionary look-up), else counted in the term's postings (only in segments with deletions,
  block by block, skipping blocks that hold no deleted document);
* ``field_length(field)``: the exact total length over live documents — the segment totals minus
  the exact lengths of deleted documents recorded by the update (:mod:`indexer.deletions`);
* ``avg_field_length(field)``: ``field_length / doc_count``.

All counts are integers, so an updated index gives the very same floats as a rebuilt one. An
index without deletions (any full build) costs nothing extra: Whoosh's own counts are returned.
One instance per searcher (:func:`live_stats`), filled lazily.
"""

from __future__ import annotations

from bisect import bisect_right
from typing import Any

from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.matching.wrappers import FilterMatcher
from whoosh.searching import Searcher

from indexer.deletions import deleted_frequencies, deleted_lengths

_ATTR = "_artsearch_live_stats"
MAX_CACHED_TERMS = 200_000


class LiveStats:
    """Statistics of the live documents of one searcher's index snapshot."""

    def __init__(self, searcher: Searcher) -> None:
        self.reader = searcher.reader()
        self.schema = searcher.schema
        self.doc_count: int = self.reader.doc_count()
        # (segment reader, its deleted document numbers ascending, their recorded document
        # frequencies or None) of the segments with deletions
        self._dead: list[tuple[Any, list[int], dict[str, dict[bytes, int]] | None]] = [
            (leaf, sorted(leaf.segment().deleted_docs()), deleted_frequencies(leaf))
            for leaf, _ in self.reader.leaf_readers()
            if leaf.has_deletions()
        ]
        self._df: dict[tuple[str, Any], int] = {}
        self._lengths: dict[str, int] = {}
        self._dead_lengths: list[dict[str, int]] | None = None

    @property
    def has_deletions(self) -> bool:
        """True when some segment still holds deleted documents."""
        return bool(self._dead)

    def doc_frequency(self, field: str, text: Any) -> int:
        """In how many live documents ``field`` holds the term ``text``."""
        raw: int = self.reader.doc_frequency(field, text)
        if not raw or not self._dead:
            return raw
        key = (field, text)
        found = self._df.get(key)
        if found is None:
            btext = self.schema[field].to_bytes(text) if isinstance(text, str) else text
            found = raw
            for leaf, dead, recorded in self._dead:
                if recorded is not None and field in recorded:
                    found -= recorded[field].get(btext, 0)
                else:
                    found -= _dead_postings(leaf, dead, field, text)
            if len(self._df) >= MAX_CACHED_TERMS:
                self._df.clear()
            self._df[key] = found
        return found

    def field_length(self, field: str) -> int:
        """Total length of ``field`` over the live documents (exact, in terms)."""
        total = self._lengths.get(field)
        if total is None:
            total = int(self.reader.field_length(field))
            if self._dead:
                if self._dead_lengths is None:
                    self._dead_lengths = [deleted_lengths(leaf) for leaf, _, _ in self._dead]
                total -= sum(lengths.get(field, 0) for lengths in self._dead_lengths)
            self._lengths[field] = total
        return total

    def avg_field_length(self, field: str, default: float | None = None) -> float | None:
        """Average length of ``field`` over the live documents (``default`` if not scorable)."""
        if not self.schema[field].scorable:
            return default
        return self.field_length(field) / (self.doc_count or 1)


def live_stats(searcher: Searcher) -> LiveStats:
    """The :class:`LiveStats` of a searcher (of its top-level searcher: one per snapshot)."""
    top = searcher.get_parent()
    stats = getattr(top, _ATTR, None)
    if stats is None:
        stats = LiveStats(top)
        setattr(top, _ATTR, stats)
    return stats


def _dead_postings(leaf: Any, dead: list[int], field: str, text: Any) -> int:
    """How many of the deleted documents ``dead`` (ascending) hold the term in one segment."""
    if not leaf.doc_frequency(field, text):
        return 0
    matcher = leaf.postings(field, text)
    if isinstance(matcher, FilterMatcher):
        matcher = matcher.child  # the raw postings, deleted documents included,
        matcher.reset()  # rewound: the filter has already skipped the leading deleted ones
    if not isinstance(matcher, W3LeafMatcher):
        wanted = set(dead)
        return sum(1 for docnum in matcher.all_ids() if docnum in wanted)
    count = low = 0
    while matcher.is_active():
        high = bisect_right(dead, matcher.block_max_id(), low)
        if high > low:  # this block may hold deleted documents: read its ids
            matcher.block_min_id()  # loads the block's ids
            count += len(set(dead[low:high]).intersection(matcher._ids))
            low = high
            if low == len(dead):
                break
        matcher._next_block()
    return count
