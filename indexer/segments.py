"""Writing Whoosh segments straight from prepared documents (a full build's writer).

Whoosh's ``SegmentWriter`` puts every posting as a tuple into an external sorting pool, sorts
them at commit, and reads each posting's document length back from the length column while
writing. A full build adds documents in order, so the postings of a term are already in document
order: :class:`SegmentBuilder` files them in flat arrays per field
(:mod:`indexer.field_postings`) and, when the segment is flushed, writes them in Whoosh's W3
posting format into Whoosh's own field writer (``W3FieldWriter``); stored fields and columns go
through ``W3PerDocWriter``. The result is a normal Whoosh index (same files, same codec, same
values).

Memory stays bounded: a segment is flushed when its postings reach ``limit_mb``; the next documents
go to a new segment. Term statistics are summed over segments by Whoosh's searcher, so scores do
not depend on how documents are split into segments.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from whoosh.codec import default_codec
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, STORED_COLUMN, W3Codec, _lenfield
from whoosh.columns import CompressedBytesColumn
from whoosh.index import TOC, FileIndex, clean_files
from whoosh.util.numeric import length_to_byte

from indexer.deflate import compressor
from indexer.field_postings import FieldPostings, SortedPostings, write_posting_lists
from indexer.prepared import PreparedDoc
from indexer.sidecar import sidecar_fields, sidecar_path, write_sidecar

logger = logging.getLogger(__name__)


class SegmentBuilder:
    """Builds one new segment of ``ix`` from prepared documents, numbered from 0."""

    def __init__(self, ix: FileIndex, schema: Any) -> None:
        self.schema = schema
        self.storage = ix.storage
        self.codec = default_codec()
        if not _w3_codec(self.codec):  # pragma: no cover - Whoosh's default codec is W3
            raise ValueError(f"segments are written in Whoosh's W3 posting format, not {self.codec!r}")
        self.segment = self.codec.new_segment(self.storage, ix.indexname)
        self._perdoc = self.codec.per_document_writer(self.storage, self.segment)
        self._stored = self._column_writer("_stored", STORED_COLUMN)
        _compress_stored_fields_fast(self._stored)
        self._columns: dict[str, Any] = {}  # column writers by field name
        self._postings: dict[str, FieldPostings] = {}
        self._lengths: dict[str, bytearray] = {}  # each document's length byte, by field
        self._field_lengths: dict[str, int] = {}  # the field's total length
        self.docnum = 0
        self.size = 0

    def add(self, doc: PreparedDoc) -> None:
        """Add one prepared document (see :func:`indexer.prepared.prepare_fields`).

        What ``W3PerDocWriter``'s ``start_doc``, ``add_field``, ``add_column_value`` and
        ``finish_doc`` do, straight to its column writers: the stored fields as one value of the
        ``_stored`` column, column values to their columns; each field's length byte is kept here
        and its length column written at :meth:`finish` (the same values, the same files).
        """
        docnum = self.docnum
        stored_fields: dict[str, Any] = {}
        size = 0
        for name, postings, length, stored, column in doc:
            if postings:
                filed = self._postings.get(name)
                if filed is None:
                    filed = self._postings[name] = FieldPostings()
                size += filed.add(docnum, postings)
            if length:
                lengths = self._lengths.get(name)
                if lengths is None:
                    lengths = self._lengths[name] = bytearray()
                    self._field_lengths[name] = 0
                lengths.extend(bytes(docnum + 1 - len(lengths)))
                lengths[docnum] = length_to_byte(length)
                self._field_lengths[name] += length
            if stored is not None:
                stored_fields[name] = stored
            if column:
                writer = self._columns.get(name)
                if writer is None:
                    writer = self._columns[name] = self._column_writer(name, self.schema[name].column_type)
                writer.add(docnum, column[0])
        if stored_fields:
            self._stored.add(docnum, stored_fields)
        self.docnum += 1
        self.size += size

    def _column_writer(self, name: str, column: Any) -> Any:
        perdoc = self._perdoc
        if not perdoc._has_column(name):
            perdoc._create_column(name, column)
        return perdoc._get_column(name)

    def finish(self) -> Any:
        """Write the segment's files and return the Whoosh segment (``None`` when empty)."""
        perdoc = self._perdoc
        for name, lengths in self._lengths.items():
            writer = self._column_writer(_lenfield(name), LENGTHS_COLUMN)
            for docnum, length_byte in enumerate(lengths):
                if length_byte:
                    writer.add(docnum, length_byte)
            perdoc._fieldlengths[name] += self._field_lengths[name]
        perdoc._doccount = self.docnum
        perdoc.close()
        if not self.docnum:
            return None
        for lengths in self._lengths.values():
            lengths.extend(bytes(self.docnum - len(lengths)))
        fieldwriter = self.codec.field_writer(self.storage, self.segment)
        by_term = {}  # the fields the sidecar needs, their documents and weights
        for_sidecar = sidecar_fields(self.schema)
        for name in sorted(self._postings):
            postings = self._postings.pop(name).by_term()
            self._write_field(fieldwriter, name, postings)
            if name in for_sidecar:
                postings.drop_values()
                by_term[name] = postings
            del postings
        fieldwriter.close()
        segment = self.segment
        segment.set_doc_count(self.docnum)
        if segment.should_assemble():
            segment.create_compound_file(self.storage)
            segment.compound = True
        self._write_sidecar(by_term)  # after the compound file: it stays a file of its own
        return segment

    def _write_sidecar(self, by_term: dict[str, SortedPostings]) -> None:
        """The segment's numpy posting sidecar (:mod:`indexer.sidecar`), from the arrays in memory."""
        fields = sidecar_fields(self.schema)
        postings = [(name, *term) for name in fields if name in by_term for term in by_term[name].per_term()]
        lengths = {name: bytes(self._lengths.get(name, b"")) for name in fields}
        path = sidecar_path(self.storage.folder, self.segment)
        started = time.perf_counter()
        total = write_sidecar(path, self.segment.segment_id(), self.docnum, fields, postings, lengths)
        logger.info(
            "posting sidecar of %d documents: %d terms, %d postings in %.2fs",
            self.docnum, len(postings), total, time.perf_counter() - started,
        )  # fmt: skip

    def _write_field(self, fieldwriter: Any, name: str, postings: SortedPostings) -> None:
        field = self.schema[name]
        lengths = self._lengths.get(name)
        fieldwriter.start_field(name, field)
        write_posting_lists(self.codec, fieldwriter, field, postings, bytes(lengths) if lengths is not None else None)
        fieldwriter.finish_field()

    def cancel(self) -> None:
        """Drop the segment being built (its files are removed by the caller's cleanup)."""
        if not self._perdoc.is_closed:
            self._perdoc.close()
        self._postings.clear()


class SegmentSeries:
    """Files prepared documents into one or more new segments of ``ix``, in order of addition.

    A segment is flushed when its postings reach ``limit_mb``; the next documents go to a new one.
    Used by the one process that writes (:class:`BulkWriter`) or by each build worker
    (:mod:`indexer.segment_workers`), whose segments the writer then lists in the index.
    """

    def __init__(self, ix: FileIndex, schema: Any, *, limit_mb: int = 256) -> None:
        self.ix = ix
        self.schema = schema
        self.limit = limit_mb * 1024 * 1024
        self._done: list[Any] = []
        self._builder: SegmentBuilder | None = None  # started by the first document

    def add(self, doc: PreparedDoc) -> None:
        """Add one prepared document; flushes a segment when its postings reach the memory limit."""
        builder = self._builder
        if builder is None:
            builder = self._builder = SegmentBuilder(self.ix, self.schema)
        builder.add(doc)
        if builder.size >= self.limit:
            logger.info("flushing a segment of %d documents (%d MB of postings)", builder.docnum, builder.size >> 20)
            self._done.append(builder.finish())
            self._builder = None

    def finish(self) -> list[Any]:
        """Write the segment being built; the segments written since the last ``finish``, in order."""
        if self._builder is not None:
            segment = self._builder.finish()
            if segment is not None:
                self._done.append(segment)
            self._builder = None
        done, self._done = self._done, []
        return done

    def cancel(self) -> None:
        """Drop the segment being built (its files are removed by the caller's cleanup)."""
        if self._builder is not None:
            self._builder.cancel()
            self._builder = None


class BulkWriter:
    """Adds prepared documents to a new, empty Whoosh index; one or more segments, in order.

    ``add`` / ``commit`` / ``cancel`` like a Whoosh writer; holds Whoosh's write lock meanwhile.
    Segments built by other processes into the same folder join with :meth:`add_segments`.
    """

    def __init__(self, ix: FileIndex, *, limit_mb: int = 256) -> None:
        toc = ix._read_toc()
        if toc.segments:
            raise ValueError("BulkWriter writes a new, empty index only")
        self.ix = ix
        self.schema = toc.schema
        self.generation = toc.generation + 1
        self._lock = ix.lock("WRITELOCK")
        if not self._lock.acquire(False):
            raise ValueError(f"index {ix.storage} is locked by another Whoosh writer")
        self.segments: list[Any] = []  # the index's segments so far, in order
        self._series = SegmentSeries(ix, self.schema, limit_mb=limit_mb)

    def add(self, doc: PreparedDoc) -> None:
        """Add one prepared document; flushes a segment when its postings reach the memory limit."""
        self._series.add(doc)

    def add_segments(self, segments: list[Any]) -> None:
        """List finished segments written into this index's folder by another process
        (their documents come after those added here so far)."""
        self.segments += self._series.finish()
        self.segments += segments

    def commit(self) -> None:
        """Write the last segment and the index's table of contents."""
        self.segments += self._series.finish()
        storage, indexname = self.ix.storage, self.ix.indexname
        TOC(self.schema, self.segments, self.generation).write(storage, indexname)
        clean_files(storage, indexname, self.generation, self.segments)
        self._finish()

    def cancel(self) -> None:
        """Abandon the build (the caller removes the folder)."""
        self._series.cancel()
        self._finish()

    def _finish(self) -> None:
        # The per-document writers' column scratch folder, as Whoosh's SegmentWriter removes it.
        self.ix.storage.temp_storage(f"{self.ix.indexname}.tmp").destroy()
        self._lock.release()


def _compress_stored_fields_fast(stored: Any) -> None:
    """Have the stored-fields column writer compress with :mod:`indexer.deflate` (ISA-L where
    installed): the same zlib streams, which Whoosh's reader inflates as ever, ~40 µs a page sooner."""
    writer = getattr(stored, "_child", None)
    if isinstance(writer, CompressedBytesColumn.Writer) and writer._level:
        compress, _ = compressor(writer._level)
        writer._compress = lambda data, level: compress(data)


def _w3_codec(codec: Any) -> bool:
    """True for the codec whose posting format :func:`write_posting_lists` writes."""
    return type(codec) is W3Codec and codec._inlinelimit <= 1
