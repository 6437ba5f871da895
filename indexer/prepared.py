"""Documents analysed ahead of the writer: what Whoosh's ``add_document`` computes, done in a worker.

Whoosh's writer analyses every field of a document (tokens, stems, positions) inside
``add_document``. :func:`prepare_fields` does that work on its own and returns a plain
:data:`PreparedDoc`, which :class:`indexer.segments.SegmentBuilder` then only files (in a build,
both in the worker process that parsed the page). The values are exactly those
``SegmentWriter.add_document`` would compute (same field order, weights, encoded positions,
lengths, stored values and column values), so the index is the same.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from whoosh.analysis import IDTokenizer
from whoosh.fields import FieldType, Schema
from whoosh.formats import Existence, Positions

from indexer.analysis import ArticleTokenizer
from indexer.schema import build_schema

# The postings of one field of a document, term by term: (term bytes, weights, value bytes).
Postings = tuple[list[bytes], list[float], list[bytes]]
# One field of a prepared document: (name, postings or None when it has none, length, stored
# value or None, (column value,) or () when the field has no column value).
PreparedField = tuple[str, Postings | None, int, Any, tuple[Any, ...]]
PreparedDoc = list[PreparedField]


@lru_cache(maxsize=1)
def _schema() -> Schema:
    return build_schema()


def prepare_fields(fields: dict[str, Any], schema: Schema | None = None) -> PreparedDoc:
    """Analyse the Whoosh fields of one document as ``SegmentWriter.add_document`` would.

    Raises:
        ValueError: a field has term vectors (not supported: the schema has none).
    """
    schema = schema if schema is not None else _schema()
    doc: PreparedDoc = []
    for name in sorted(n for n in fields if not n.startswith("_")):
        value = fields[name]
        if value is None:
            continue
        field = schema[name]
        if field.vector or field.separate_spelling():
            raise ValueError(f"field {name!r}: term vectors and spelling fields are not supported")
        length = 0
        postings: Postings | None = None
        if field.indexed:
            terms, freqs, weights, values = _index(field, value)
            if terms:
                postings = (terms, weights, values)
            if field.scorable:
                length = sum(freqs)
        column: tuple[Any, ...] = ()
        if field.column_type:
            column = (field.to_column_value(value),)
        doc.append((name, postings, length, value if field.stored else None, column))
    return doc


def _index(field: FieldType, value: Any) -> tuple[list[bytes], list[int], list[float], list[bytes]]:
    """``field.index(value)`` as columns: term bytes, frequencies, weights and value bytes.

    Text fields of the article analyzer with positions take a fast path that gives the same
    values (the format's own position encoding) without a Whoosh ``Token`` per word, and plain
    ``ID`` fields one without a token at all.
    """
    fmt = field.format
    analyzer = field.analyzer
    if type(fmt) is Positions and type(analyzer) is ArticleTokenizer and isinstance(value, str):
        boost = fmt.field_boost
        encode = fmt.encode
        positions = analyzer.term_positions(value)
        poslists = list(positions.values())
        freqs = list(map(len, poslists))
        return (
            list(map(str.encode, positions)),  # UTF-8
            freqs,
            list(map(float, freqs)) if boost == 1.0 else [float(freq) * boost for freq in freqs],
            [_one_position(p[0]) if len(p) == 1 else encode(p) for p in poslists],
        )
    if type(analyzer) is IDTokenizer and type(fmt) is Existence and isinstance(value, str):
        # The whole value is the one term (what IDTokenizer and Existence.word_values give).
        return [value.encode("utf-8")], [1], [fmt.field_boost * 1.0], [b""]
    rows = list(field.index(value))
    return (
        [row[0] for row in rows],
        [row[1] for row in rows],
        [row[2] * 1.0 for row in rows],
        [row[3] if row[3] is not None else b"" for row in rows],
    )


@lru_cache(maxsize=1 << 16)
def _one_position(pos: int) -> bytes:
    """``Positions.encode([pos])`` (most terms occur once in a field; the bytes depend only on pos)."""
    return Positions().encode([pos])


def warm_up() -> None:
    """Load the analysis dictionaries (jieba's, OpenCC's) now rather than at the first Chinese text.

    For measurements that should not include loading them (~0.5 s, ``bench/build_stages.py``).
    """
    from indexer.cjk import _jieba, _t2s

    _jieba()
    _t2s()

