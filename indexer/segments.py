"""Writing Whoosh segments straight from prepared documents (a full build's writer).

Whoosh's ``SegmentWriter`` puts every posting as a tuple into an external sorting pool, sorts
them at commit, and reads each posting's document length back from the length column while
writing. A full build adds documents in order, so the postings of a term are already in document
order: :class:`SegmentBuilder` keeps them per term in compact arrays and writes them through
Whoosh's own codec (``W3FieldWriter``, ``W3PerDocWriter``) when the segment is flushed. The
result is a normal Whoosh index (same files, same codec, same values).

Memory stays bounded: a segment is flushed when its postings reach ``limit_mb``; the next documents
go to a new segment. Term statistics are summed over segments by Whoosh's searcher, so scores do
not depend on how documents are split into segments.
"""

from __future__ import annotations

import logging
import time
import zlib
from array import array
from pickle import dumps
from typing import Any

from whoosh.codec import default_codec
from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3Codec, W3TermInfo
from whoosh.index import TOC, FileIndex, clean_files
from whoosh.system import pack_int, pack_ushort
from whoosh.util.numeric import byte_to_length, length_to_byte

from indexer.prepared import PreparedDoc
from indexer.sidecar import sidecar_fields, sidecar_path, write_sidecar

logger = logging.getLogger(__name__)

# Approximate bytes a posting costs in memory (doc number, weight, value offset), plus its value.
_POSTING_BYTES = 16
_TERM_BYTES = 400


class _Postings:
    """The postings of one term, in document order."""

    __slots__ = ("docs", "ends", "values", "weights")

    def __init__(self) -> None:
        self.docs = array("i")
        self.weights = array("d")
        self.ends = array("q")
        self.values = bytearray()


class SegmentBuilder:
    """Builds one new segment of ``ix`` from prepared documents, numbered from 0."""

    def __init__(self, ix: FileIndex, schema: Any) -> None:
        self.schema = schema
        self.storage = ix.storage
        self.codec = default_codec()
        self.segment = self.codec.new_segment(self.storage, ix.indexname)
        self._perdoc = self.codec.per_document_writer(self.storage, self.segment)
        self._terms: dict[str, dict[bytes, _Postings]] = {}
        self._lengths: dict[str, bytearray] = {}
        self._sorted: dict[str, list[bytes]] = {}
        self.docnum = 0
        self.size = 0

    def add(self, doc: PreparedDoc) -> None:
        """Add one prepared document (see :func:`indexer.prepared.prepare_fields`)."""
        docnum = self.docnum
        perdoc = self._perdoc
        schema = self.schema
        perdoc.start_doc(docnum)
        size = 0
        for name, postings, length, stored, column in doc:
            field = schema[name]
            if postings:
                terms = self._terms.get(name)
                if terms is None:
                    terms = self._terms[name] = {}
                for tbytes, weight, vbytes in postings:
                    plist = terms.get(tbytes)
                    if plist is None:
                        plist = terms[tbytes] = _Postings()
                        size += _TERM_BYTES + len(tbytes)
                    plist.docs.append(docnum)
                    plist.weights.append(weight)
                    if vbytes:
                        plist.values += vbytes
                        size += len(vbytes)
                    plist.ends.append(len(plist.values))
                size += _POSTING_BYTES * len(postings)
            if length:
                lengths = self._lengths.get(name)
                if lengths is None:
                    lengths = self._lengths[name] = bytearray()
                lengths.extend(bytes(docnum + 1 - len(lengths)))
                lengths[docnum] = length_to_byte(length)
            perdoc.add_field(name, field, stored, length)
            if column:
                perdoc.add_column_value(name, field.column_type, column[0])
        perdoc.finish_doc()
        self.docnum += 1
        self.size += size

    def finish(self) -> Any:
        """Write the segment's files and return the Whoosh segment (``None`` when empty)."""
        perdoc = self._perdoc
        perdoc.close()
        if not self.docnum:
            return None
        fieldwriter = self.codec.field_writer(self.storage, self.segment)
        for name in sorted(self._terms):
            self._write_field(fieldwriter, name)
        fieldwriter.close()
        segment = self.segment
        segment.set_doc_count(self.docnum)
        if segment.should_assemble():
            segment.create_compound_file(self.storage)
            segment.compound = True
        self._write_sidecar()  # after the compound file: it stays a file of its own
        self._terms.clear()
        self._sorted.clear()
        return segment

    def _write_sidecar(self) -> None:
        """The segment's numpy posting sidecar (:mod:`indexer.sidecar`), from the arrays in memory."""
        fields = sidecar_fields(self.schema)
        postings = [
            (name, tbytes, self._terms[name][tbytes].docs, self._terms[name][tbytes].weights)
            for name in fields
            if name in self._terms
            for tbytes in self._sorted[name]
        ]
        lengths = {name: bytes(self._lengths.get(name, b"")) for name in fields}
        path = sidecar_path(self.storage.folder, self.segment)
        started = time.perf_counter()
        total = write_sidecar(path, self.segment.segment_id(), self.docnum, fields, postings, lengths)
        logger.info(
            "posting sidecar of %d documents: %d terms, %d postings in %.2fs",
            self.docnum, len(postings), total, time.perf_counter() - started,
        )  # fmt: skip

    def _write_field(self, fieldwriter: Any, name: str) -> None:
        field = self.schema[name]
        terms = self._terms[name]
        lengths = self._lengths.get(name)
        # What Whoosh's writer passes as a posting's length: the length column's value read back
        # (None for a zero byte) when the field has lengths, else 0.
        decoded: list[int | None] | None = None
        if lengths is not None:
            lengths.extend(bytes(self.docnum - len(lengths)))
            table = [byte_to_length(b) if b else None for b in range(256)]
            decoded = [table[b] for b in lengths]
        fieldwriter.start_field(name, field)
        ordered = self._sorted[name] = sorted(terms)
        if _fast_codec(self.codec):
            term_writer = _TermWriter(self.codec, fieldwriter, field.format.fixed_value_size())
            for tbytes in ordered:
                term_writer.write(tbytes, terms[tbytes], decoded)
        else:  # pragma: no cover - another codec: go through its posting writer
            for tbytes in ordered:
                plist = terms[tbytes]
                fieldwriter.start_term(tbytes)
                values = bytes(plist.values)
                start = 0
                for docnum, weight, end in zip(plist.docs, plist.weights, plist.ends, strict=True):
                    fieldwriter.add(docnum, weight, values[start:end], decoded[docnum] if decoded else 0)
                    start = end
                fieldwriter.finish_term()
        fieldwriter.finish_field()

    def cancel(self) -> None:
        """Drop the segment being built (its files are removed by the caller's cleanup)."""
        if not self._perdoc.is_closed:
            self._perdoc.close()
        self._terms.clear()


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


def _fast_codec(codec: Any) -> bool:
    """True for the codec whose posting format :class:`_TermWriter` reproduces."""
    return type(codec) is W3Codec and codec._inlinelimit <= 1


class _Block:
    """The statistics ``W3TermInfo.add_block`` reads from a block of postings."""

    __slots__ = ("_maxlength", "_maxweight", "_minlength", "_weights", "ids")

    def __init__(self, ids: Any, weights: Any, minlength: int | None, maxlength: int, maxweight: float) -> None:
        self.ids = ids
        self._weights = weights
        self._minlength = minlength
        self._maxlength = maxlength
        self._maxweight = maxweight

    def __len__(self) -> int:
        return len(self.ids)

    def min_id(self) -> int:
        return int(self.ids[0])

    def max_id(self) -> int:
        return int(self.ids[-1])

    def min_length(self) -> int | None:
        return self._minlength

    def max_length(self) -> int:
        return self._maxlength

    def max_weight(self) -> float:
        return self._maxweight


class _TermWriter:
    """Writes a whole posting list at once, byte for byte as ``W3PostingsWriter`` would
    (blocks of ``blocklimit`` postings; pickled, zlib-compressed; the same term info)."""

    def __init__(self, codec: Any, fieldwriter: Any, fixed_value_size: int | None) -> None:
        self.blocklimit = codec._blocklimit
        self.compression = codec._compression
        self.postfile = fieldwriter._postfile
        self.tindex = fieldwriter._tindex
        self.fieldid = pack_ushort(fieldwriter._fieldid)
        self.fixed = fixed_value_size

    def write(self, tbytes: bytes, plist: _Postings, lengths: list[int | None] | None) -> None:
        postfile = self.postfile
        terminfo = W3TermInfo()
        start = postfile.tell()
        postfile.write(WHOOSH3_HEADER_MAGIC)
        docs, weights, ends, values = plist.docs, plist.weights, plist.ends, plist.values
        count = len(docs)
        limit = self.blocklimit
        comp = self.compression
        for first in range(0, count, limit):
            last = min(count, first + limit)
            ids = array("I", docs[first:last])
            block_weights = array("f", weights[first:last])
            maxweight: float = 0
            for w in weights[first:last]:
                if w > maxweight:
                    maxweight = w
            minlength: int | None = None
            maxlength = 0
            if lengths is not None:
                block_lengths = [n for n in (lengths[d] for d in ids) if n]
                if block_lengths:
                    minlength, maxlength = min(block_lengths), max(block_lengths)
            block = _Block(ids, block_weights, minlength, maxlength, maxweight)
            terminfo.add_block(block)
            data = (_mini_ids(ids), _mini_weights(block_weights), self._mini_values(ends, values, first, last))
            databytes = dumps(data, 2)
            if comp:
                databytes = zlib.compress(databytes, comp)
            infobytes = dumps(
                (len(ids), ids[-1], maxweight, comp, length_to_byte(minlength), length_to_byte(maxlength)), 2
            )
            blocklength = len(infobytes) + len(databytes)
            if last == count:
                blocklength = -blocklength
            postfile.write(pack_int(blocklength))
            postfile.write(infobytes)
            postfile.write(databytes)
        terminfo.set_extent(start, postfile.tell() - start)
        self.tindex.add(self.fieldid + tbytes, terminfo.to_bytes())

    def _mini_values(self, ends: Any, values: bytearray, first: int, last: int) -> Any:
        fixed = self.fixed
        if fixed == 0:
            return None
        begin = ends[first - 1] if first else 0
        pieces = []
        for end in ends[first:last]:
            if end > begin:
                pieces.append(bytes(values[begin:end]))
            begin = end
        if fixed is None or fixed < 0:
            return tuple(pieces)
        return b"".join(pieces)


def _mini_ids(ids: Any) -> tuple[int, ...]:
    base = 0
    out = []
    for n in ids:
        out.append(n - base)
        base = n
    return tuple(out)


def _mini_weights(weights: Any) -> Any:
    if all(w == 1.0 for w in weights):
        return None
    if all(w == weights[0] for w in weights):
        return weights[0]
    return tuple(weights)
