"""Exact statistics of deleted documents, kept with the segment that still holds them.

Whoosh keeps a deleted document in its segment (and in the segment's statistics) until the segment
is rewritten. Scoring on *live* statistics (:mod:`search.livestats`) needs the total field length
of the live documents — the segment's exact total minus the lengths of its deleted documents — and
live document frequencies. Whoosh only keeps a lossy one-byte length per document, so the exact
lengths of deleted documents are computed once, when they are deleted, by analysing their stored
fields again (as :func:`indexer.documents.article_fields` built them), and recorded on the segment
object itself, with the number of deleted documents holding each term (so that a live document
frequency costs a dictionary look-up). Whoosh pickles segments into the index's table of contents,
so the record is committed atomically with the deletions it describes.

A segment whose record does not cover all of its deleted documents (deleted by another tool) gets
the missing lengths measured when it is read (:func:`deleted_lengths`) and its document frequencies
counted from the postings: slower, never wrong.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable
from typing import Any

from whoosh.fields import Schema

from indexer.documents import article_fields, article_from_fields

logger = logging.getLogger(__name__)

# Attribute of a Whoosh segment object: {"docs": set of the deleted docnums accounted for,
# "lengths": {field: total length}, "df": {field: {term: number of those documents holding it}}}.
RECORD = "artsearch_deleted"


def scorable_fields(schema: Schema) -> list[str]:
    """The fields whose lengths Whoosh totals (the scorable ones), sorted."""
    return sorted(name for name, field in schema.items() if field.scorable)


def _analyse(schema: Schema, stored: dict[str, Any]) -> dict[str, tuple[int, list[bytes]]]:
    """Per scorable field of a stored document: its exact length and its distinct terms."""
    fields = article_fields(article_from_fields(stored))
    found: dict[str, tuple[int, list[bytes]]] = {}
    for name in scorable_fields(schema):
        value = fields.get(name)
        if value is None:
            continue
        # the same count as SegmentWriter.add_document: the sum of the term frequencies
        items = list(schema[name].index(value))
        found[name] = (sum(freq for _, freq, _, _ in items), [term for term, _, _, _ in items])
    return found


def document_lengths(schema: Schema, stored: dict[str, Any]) -> dict[str, int]:
    """Exact length (number of indexed terms, as Whoosh counts it) of each scorable field of a
    stored document, by analysing its fields again."""
    return {name: length for name, (length, _) in _analyse(schema, stored).items()}


def _measure(
    schema: Schema, docs: Iterable[dict[str, Any]]
) -> tuple[dict[str, int], dict[str, Counter[bytes]]]:
    """Total lengths and document frequencies, per scorable field, of some stored documents."""
    lengths = dict.fromkeys(scorable_fields(schema), 0)
    frequencies: dict[str, Counter[bytes]] = {name: Counter() for name in lengths}
    for stored in docs:
        for name, (length, terms) in _analyse(schema, stored).items():
            lengths[name] += length
            frequencies[name].update(terms)
    return lengths, frequencies


def record_deletions(storage: Any, schema: Schema, segments: Iterable[Any]) -> int:
    """Record on each segment the statistics of its deleted documents not yet recorded.

    Call it with a writer's segments after its deletions and before its commit. Returns how many
    documents were measured.
    """
    from whoosh.reading import SegmentReader

    measured = 0
    for segment in segments:
        deleted = set(segment.deleted_docs())
        record = getattr(segment, RECORD, None)
        if record is None or "df" not in record or not record["docs"] <= deleted:
            record = {"docs": set(), "lengths": {}, "df": {}}  # none yet, or a document came back
        new = sorted(deleted - record["docs"])
        if new:
            reader = SegmentReader(storage, schema, segment)
            try:
                # stored fields of deleted documents stay readable until the segment is rewritten
                lengths, frequencies = _measure(schema, (reader.stored_fields(d) for d in new))
            finally:
                reader.close()
            for name, total in record["lengths"].items():
                lengths[name] = lengths.get(name, 0) + total
            for name, counts in record["df"].items():
                frequencies.setdefault(name, Counter()).update(counts)
            record = {
                "docs": record["docs"] | set(new),
                "lengths": lengths,
                "df": {name: dict(counts) for name, counts in frequencies.items()},
            }
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
    if record is not None and record["docs"] <= deleted:
        missing, base = sorted(deleted - record["docs"]), dict(record["lengths"])
    else:
        missing, base = sorted(deleted), {}
    logger.info("segment %s: measuring %d deleted documents", segment.segment_id(), len(missing))
    added, _ = _measure(segment_reader.schema, (segment_reader.stored_fields(d) for d in missing))
    for name, total in added.items():
        base[name] = base.get(name, 0) + total
    return base


def deleted_frequencies(segment_reader: Any) -> dict[str, dict[bytes, int]] | None:
    """Per scorable field, in how many deleted documents of one segment each term occurs, from
    the segment's record; ``None`` without a complete record (count from the postings then)."""
    segment = segment_reader.segment()
    record = getattr(segment, RECORD, None)
    if record is None or "df" not in record or record["docs"] != set(segment.deleted_docs()):
        return None
    frequencies: dict[str, dict[bytes, int]] = record["df"]
    return frequencies
