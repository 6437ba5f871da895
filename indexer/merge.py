"""The merge policy of ``update``: bounded segment merging that keeps statistics exact.

An update writes its new and changed articles into one new segment and marks the replaced and
removed ones deleted in their old segments; scoring reads live statistics
(:mod:`search.livestats`), so the old segments need no rewrite. :func:`merge_live` then decides
which old segments to fold into the new one, so that segments do not pile up:

* a segment no larger (in live documents) than what the new segment holds so far is merged into
  it, smallest first — like a binary counter, every merge at least doubles the segment a document
  lives in, so a document is rewritten at most ``log2(N)`` times and segments stay few;
* a segment with more than :data:`MAX_DELETED_SHARE` of its documents deleted is rewritten
  (reclaims space and the cost of skipping deleted postings);
* beyond :data:`MAX_SEGMENTS`, the smallest are merged.

Merged segments are re-added from their stored fields (re-analysed, no HTML parsed), never with
Whoosh's ``add_reader``: that sums field lengths from a lossy one-byte encoding, this keeps the
exact totals of a rebuild. Kept segments get their new deletions measured and recorded
(:func:`indexer.deletions.record_deletions`).
"""

from __future__ import annotations

import logging
from typing import Any

from indexer.deletions import record_deletions
from indexer.documents import article_fields, article_from_fields

logger = logging.getLogger(__name__)

MAX_DELETED_SHARE = 1 / 3
MAX_SEGMENTS = 10


def choose_merges(new_docs: int, segments: list[Any]) -> list[Any]:
    """The segments to fold into a new segment of ``new_docs`` documents (see the module doc)."""
    merged = [
        seg for seg in segments if seg.deleted_count() > MAX_DELETED_SHARE * max(1, seg.doc_count_all())
    ]
    size = new_docs + sum(seg.doc_count() for seg in merged)
    rest = sorted((seg for seg in segments if seg not in merged), key=lambda seg: seg.doc_count())
    kept: list[Any] = []
    for seg in rest:
        if not kept and seg.doc_count() <= size:
            merged.append(seg)
            size += seg.doc_count()
        else:
            kept.append(seg)
    while len(kept) >= MAX_SEGMENTS:  # the new segment counts too
        merged.append(kept.pop(0))
    return merged


def merge_live(writer: Any, segments: list[Any]) -> list[Any]:
    """Whoosh merge policy of ``update`` (pass as ``writer.commit(mergetype=merge_live)``);
    returns the segments kept."""
    from whoosh.reading import SegmentReader

    merged = choose_merges(writer.docnum, segments)
    for seg in merged:
        reader = SegmentReader(writer.storage, writer.schema, seg)
        try:
            for _, stored in reader.iter_docs():  # live documents only
                writer.add_document(**article_fields(article_from_fields(stored)))
        finally:
            reader.close()
    kept = [seg for seg in segments if seg not in merged]
    measured = record_deletions(writer.storage, writer.schema, kept)
    logger.info(
        "merge: %d segment(s) rewritten, %d kept, %d deleted document(s) measured",
        len(merged),
        len(kept),
        measured,
    )
    return kept
