"""Exact field lengths of deleted documents, kept with the segment that still holds them.

Whoosh keeps a deleted document in its segment (and in the segment's statistics) until the segment
is rewritten. Scoring on *live* statistics (:mod:`search.livestats`) needs the total field length
of the live documents: the segment's exact total minus the lengths of its deleted documents. Whoosh
only keeps a lossy one-byte length per document, so the exact lengths of deleted documents are
computed once, when they are deleted, by analysing their stored fields again (as
:func:`indexer.documents.article_fields` built them), and recorded on the segment object itself:
Whoosh pickles segments into the index's table of contents, so the record is committed
atomically with the deletions it describes.

A segment whose record does not cover all of its deleted documents (deleted by another tool)
gets the missing lengths computed when it is read (:func:`deleted_lengths`): slower, never wrong.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from whoosh.fields import Schema

from indexer.documents import article_fields, article_from_fields

logger = logging.getLogger(__name__)

# Attribute of a Whoosh segment object: {"docs": set of accounted docnums, "lengths": {field: total}}.
RECORD = "artsearch_deleted"


def scorable_fields(schema: Schema) -> list[str]:
    """The fields whose lengths Whoosh totals (the scorable ones), sorted."""
    return sorted(name for name, field in schema.items() if field.scorable)


def document_lengths(schema: Schema, stored: dict[str, Any]) -> dict[str, int]:
    """Exact length (number of indexed terms, as Whoosh counts it) of each scorable field of a
    stored document, by analysing its fields again."""
    fields = article_fields(article_from_fields(stored))
    lengths: dict[str, int] = {}
    for name in scorable_fields(schema):
        value = fields.get(name)
        if value is None:
            continue
        # the same count as SegmentWriter.add_document: the sum of the term frequencies
        lengths[name] = sum(freq for _, freq, _, _ in schema[name].index(value))
    return lengths


def _sum_lengths(schema: Schema, docs: Iterable[dict[str, Any]]) -> dict[str, int]:
    totals = dict.fromkeys(scorable_fields(schema), 0)
    for stored in docs:
        for name, length in document_lengths(schema, stored).items():
            totals[name] += length
    return totals


def record_deletions(storage: Any, schema: Schema, segments: Iterable[Any]) -> int:
    """Record on each segment the exact field lengths of its deleted documents not yet recorded.

    Call it with a writer's segments after its deletions and before its commit. Returns how many
    documents were measured.
    """
    from whoosh.reading import SegmentReader

    measured = 0
    for segment in segments:
        deleted = set(segment.deleted_docs())
        record = getattr(segment, RECORD, None)
        if record is None or not record["docs"] <= deleted:  # none yet, or a document came back
            record = {"docs": set(), "lengths": {}}
        new = sorted(deleted - record["docs"])
        if new:
            reader = SegmentReader(storage, schema, segment)
            try:
                # stored fields of deleted documents stay readable until the segment is rewritten
                added = _sum_lengths(schema, (reader.stored_fields(d) for d in new))
            finally:
                reader.close()
            lengths = dict(record["lengths"])
            for name, total in added.items():
                lengths[name] = lengths.get(name, 0) + total
            record = {"docs": record["docs"] | set(new), "lengths": lengths}
            measured += len(new)
        if deleted:
            setattr(segment, RECORD, record)
    return measured


def deleted_lengths(segment_reader: Any) -> dict[str, int]:
    """Exact total length, per scorable field, of the deleted documents of one segment.

    Read from the segment's record; documents it does not cover are measured now.
    """
    segment = segment_reader.segment()
    deleted = set(segment.deleted_docs())
    if not deleted:
        return {}
    record = getattr(segment, RECORD, None)
    if record is not None and record["docs"] == deleted:
        return dict(record["lengths"])
    schema = segment_reader.schema
    if record is not None and record["docs"] <= deleted:
        missing, base = sorted(deleted - record["docs"]), dict(record["lengths"])
    else:
        missing, base = sorted(deleted), {}
    logger.info("segment %s: measuring %d deleted documents", segment.segment_id(), len(missing))
    added = _sum_lengths(schema, (segment_reader.stored_fields(d) for d in missing))
    for name, total in added.items():
        base[name] = base.get(name, 0) + total
    return base
