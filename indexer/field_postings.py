"""One field's postings in a segment being built: filed flat, written as Whoosh posting lists.

A full build adds documents in order. :class:`FieldPostings` files each document's postings at the
end of flat arrays (term number, document, weight, value) instead of one list per term, so filing
costs a few array extends per document rather than several appends per posting. At flush,
:meth:`FieldPostings.by_term` orders all postings by term bytes with one stable sort (documents stay
in order within a term), and :func:`write_posting_lists` writes them with Whoosh's W3 block format
(blocks of ``blocklimit`` postings, pickled (protocol 5, see :class:`_ChunkOpcodes`), compressed to zlib
streams (by ISA-L where installed, :mod:`indexer.deflate`) where that shortens them, the same term
info), taking each block's statistics from whole-array numpy reductions rather than Python loops.
"""

from __future__ import annotations

import struct
from array import array
from collections.abc import Callable
from dataclasses import dataclass
from hashlib import md5
from itertools import accumulate, islice
from pickle import dumps
from typing import Any

import numpy as np
import numpy.typing as npt
from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3TermInfo
from whoosh.filedb.filetables import _lengths as _HASH_LENGTHS
from whoosh.filedb.filetables import md5_hash
from whoosh.system import pack_int, pack_long, pack_ushort

from indexer.deflate import compressor
from indexer.prepared import Postings

# Approximate bytes a posting costs in memory (term number, doc number, weight, value length),
# plus its value; and a term (its key and dictionary entry).
POSTING_BYTES = 16
TERM_BYTES = 400
# Postings converted to Python lists at a time while writing (bounds the memory of the lists).
_CHUNK_POSTINGS = 1 << 16
# A term's statistics as W3TermInfo.to_bytes packs them (then its postings' offset and length).
_TERM_INFO = W3TermInfo._struct
# What follows a term's statistics in its term-index entry: its postings' offset and length.
_REF_BYTES = len(pack_long(0) + pack_int(0))
# Pickled blocks shorter than this are not compressed (see _compressed).
_MIN_COMPRESSED = 60


class FieldPostings:
    """The postings of one field, in order of addition."""

    __slots__ = ("docs", "numbers", "term_numbers", "value_lengths", "values", "weights")

    def __init__(self) -> None:
        self.numbers: dict[bytes, int] = {}  # term bytes -> term number, in order of first use
        self.term_numbers = array("i")
        self.docs = array("i")
        self.weights = array("d")
        self.value_lengths = array("i")
        self.values = bytearray()

    def add(self, docnum: int, postings: Postings) -> int:
        """File one document's postings; returns the memory they take, estimated in bytes."""
        terms, weights, values = postings
        if len(terms) == 1:  # an id, URL, date, category...: six of a page's ten fields
            return self._add_one(docnum, terms[0], weights[0], values[0])
        numbers = self.numbers
        known = len(numbers)
        ids: list[Any] = list(map(numbers.get, terms))
        if None in ids:  # terms new to this segment
            ids = [numbers.setdefault(t, len(numbers)) for t in terms]
        self.term_numbers.extend(ids)
        self.docs.extend(array("i", (docnum,)) * len(terms))
        self.weights.extend(weights)
        self.value_lengths.extend(map(len, values))
        joined = b"".join(values)
        self.values += joined
        size = POSTING_BYTES * len(terms) + len(joined)
        new = len(numbers) - known
        if new:
            size += TERM_BYTES * new + sum(map(len, islice(reversed(numbers), new)))
        return size

    def _add_one(self, docnum: int, term: bytes, weight: float, value: bytes) -> int:
        """:meth:`add` for a document with one term in this field."""
        numbers = self.numbers
        size = POSTING_BYTES + len(value)
        number = numbers.get(term)
        if number is None:
            number = numbers[term] = len(numbers)
            size += TERM_BYTES + len(term)
        self.term_numbers.append(number)
        self.docs.append(docnum)
        self.weights.append(weight)
        self.value_lengths.append(len(value))
        self.values += value
        return size

    def by_term(self) -> SortedPostings:
        """All postings ordered by term bytes, each term's in document order; empties this object.

        Each unsorted array is freed as soon as its sorted copy exists, so the peak stays near
        the postings' own size (a segment is flushed when that reaches its memory limit).
        """
        numbers = self.numbers
        terms = sorted(numbers)
        rank = np.empty(len(terms), dtype=np.int32)
        rank[[numbers[t] for t in terms]] = np.arange(len(terms), dtype=np.int32)
        self.numbers = {}
        keys = rank[np.frombuffer(self.term_numbers, dtype=np.int32)]
        self.term_numbers = array("i")
        starts = np.zeros(len(terms) + 1, dtype=np.int64)
        np.cumsum(np.bincount(keys, minlength=len(terms)), out=starts[1:])
        order = stable_order(keys, len(terms))
        del keys
        docs = np.frombuffer(self.docs, dtype=np.int32)[order]
        self.docs = array("i")
        weights = np.frombuffer(self.weights, dtype=np.float64)[order]
        self.weights = array("d")
        lengths = np.frombuffer(self.value_lengths, dtype=np.int32)
        value_starts = np.zeros(len(lengths), dtype=np.int32 if len(self.values) < 2**31 else np.int64)
        np.cumsum(lengths[:-1], out=value_starts[1:])
        value_starts = value_starts[order]
        value_lengths = lengths[order]
        del lengths, order
        self.value_lengths = array("i")
        values = bytes(self.values)
        self.values = bytearray()
        return SortedPostings(terms, starts, docs, weights, value_starts, value_lengths, values)


def stable_order(keys: npt.NDArray[np.int32], count: int) -> npt.NDArray[np.intp]:
    """The stable ``argsort`` of ``keys`` (``0 <= key < count``), by radix sort.

    numpy's stable sort is a radix sort for 16-bit integers and a merge sort for wider ones: keys
    under 2**16 (a segment's terms of a field, usually) are sorted as such, ~4× faster (0.31 →
    0.08 s for 5.5 M postings); wider ones in two stable passes, low half then high (~1.5–3×).
    """
    if count <= 1 << 16:
        return np.argsort(keys.astype(np.uint16), kind="stable")
    low = np.argsort((keys & 0xFFFF).astype(np.uint16), kind="stable")
    return low[np.argsort((keys[low] >> 16).astype(np.uint16), kind="stable")]


@dataclass
class SortedPostings:
    """A field's postings by term: term ``i``'s are ``docs[starts[i]:starts[i + 1]]`` (and so on)."""

    terms: list[bytes]
    starts: npt.NDArray[np.int64]
    docs: npt.NDArray[np.int32]
    weights: npt.NDArray[np.float64]
    value_starts: npt.NDArray[Any]
    value_lengths: npt.NDArray[np.int32]
    values: bytes

    def drop_values(self) -> None:
        """Free the values (positions), once written: a sidecar needs only documents and weights."""
        self.value_starts = self.value_starts[:0]
        self.value_lengths = self.value_lengths[:0]
        self.values = b""

    def per_term(self) -> list[tuple[bytes, npt.NDArray[np.int32], npt.NDArray[np.float64]]]:
        """(term bytes, documents, weights) of each term, as views."""
        bounds = self.starts.tolist()
        return [
            (term, self.docs[bounds[i] : bounds[i + 1]], self.weights[bounds[i] : bounds[i + 1]])
            for i, term in enumerate(self.terms)
        ]


def write_posting_lists(
    codec: Any, fieldwriter: Any, field: Any, postings: SortedPostings, length_bytes: bytes | None
) -> None:
    """Write every term's posting list and term info, as ``W3PostingsWriter`` would.

    ``length_bytes`` holds each document's length byte for a field with lengths, else ``None``.
    """
    compress, level = compressor(codec._compression)
    fixed = field.format.fixed_value_size()
    files = _TermFiles(fieldwriter)
    blocks = _Blocks(postings, codec._blocklimit, length_bytes)
    block_starts = [*blocks.starts.tolist(), len(postings.docs)]  # ends with a sentinel
    block_maxweight = blocks.maxweight.tolist()
    block_weights_vary = (blocks.minweight32 != blocks.maxweight32).tolist()
    block_minbyte = blocks.minbyte.tolist()
    block_maxbyte = blocks.maxbyte.tolist()
    term_starts = postings.starts.tolist()
    values = postings.values
    terms = postings.terms
    block = 0
    term = 0
    while term < len(terms):
        # The terms of one chunk: their postings as Python lists, indexed from ``base``.
        base = term_starts[term]
        last = term + 1
        while last < len(terms) and term_starts[last + 1] - base <= _CHUNK_POSTINGS:
            last += 1
        end = term_starts[last]
        docs = postings.docs[base:end].tolist()
        weights32 = postings.weights[base:end].astype(np.float32)
        w32 = weights32.tolist()
        ops = _ChunkOpcodes(
            blocks.deltas(postings.docs, base, end),
            weights32,
            values,
            postings.value_starts[base:end],
            postings.value_lengths[base:end],
        )
        blobs: list[bytes] = []  # each term's posting blocks
        infos: list[bytes] = []  # and its statistics
        for t in range(term, last):
            term_end = term_starts[t + 1]
            parts = [WHOOSH3_HEADER_MAGIC]
            weight = 0.0
            minbyte = maxbyte = 0
            maxweight = 0.0
            while block_starts[block] < term_end:
                a, b = block_starts[block] - base, block_starts[block + 1] - base
                block_w32 = w32[a:b]
                weight += sum(block_w32)
                if block_weights_vary[block]:
                    mini_weights = ops.floats(a, b)
                else:
                    mini_weights = _NONE if block_w32[0] == 1.0 else _FLOAT + _DOUBLE.pack(block_w32[0])
                if fixed == 0:
                    mini_values = _NONE
                elif fixed is None or fixed < 0:
                    mini_values = ops.byte_strings(a, b)
                else:
                    mini_values = ops.joined_bytes(a, b)
                # pickle.loads gives (ids, weights, values) as Whoosh's writer pickles them
                block_data = b"".join((_PICKLE_START, ops.ints(a, b), mini_weights, mini_values, _PICKLE_END))
                data, used = _compressed(block_data, compress, level)
                low, high, top = block_minbyte[block], block_maxbyte[block], block_maxweight[block]
                info = dumps((b - a, docs[b - 1], top, used, low, high), 2)
                size = len(info) + len(data)
                parts += (pack_int(-size if b + base == term_end else size), info, data)
                # What W3TermInfo.add_block keeps of the block (lengths as their bytes).
                if low and (not minbyte or low < minbyte):
                    minbyte = low
                maxbyte = max(maxbyte, high)
                maxweight = max(maxweight, top)
                block += 1
            blobs.append(b"".join(parts))
            infos.append(_TERM_INFO.pack(
                False, weight, term_end - term_starts[t], minbyte, maxbyte, maxweight,
                docs[term_starts[t] - base], docs[term_end - base - 1],
            ))  # fmt: skip
        files.add_terms(terms[term:last], blobs, infos)
        term = last
    files.finish()


# A block's data is a pickle of ``(ids, weights, values)``, written opcode by opcode for a whole
# chunk of postings at once (see _ChunkOpcodes): a tuple of three, each a tuple (MARK … TUPLE),
# None, a float or bytes. Whoosh's reader unpickles it with ``pickle.loads``, whatever the protocol,
# and needs no frames or memo entries (tests/test_field_postings.py). Whoosh's own writer uses
# protocol 2, which pickles each bytes value (a posting's positions) as a call of
# ``_codecs.encode`` on a latin-1 str: ~40 bytes of boilerplate per posting, slower to pickle and
# to compress. Protocol 5's opcodes store the bytes as they are.
_PICKLE_START = b"\x80\x05"  # PROTO 5
_PICKLE_END = b"\x87."  # TUPLE3, STOP
_MARK, _TUPLE, _NONE, _FLOAT = b"(", b"t", b"N", b"G"
_DOUBLE = struct.Struct(">d")  # BINFLOAT's argument
_SHORT_BINBYTES, _BINBYTES = 0x43, 0x42  # "C": 1-byte length; "B": 4-byte length
_BININT1, _BININT2, _BININT = 0x4B, 0x4D, 0x4A  # "K", "M", "J": 1, 2, 4-byte ints


class _ChunkOpcodes:
    """The pickle opcodes of a chunk's postings (ids, weights, values), built with numpy; a block's
    share is then one slice of each (instead of a tuple and a bytes slice per posting)."""

    def __init__(
        self,
        ids: npt.NDArray[np.int32],
        weights32: npt.NDArray[np.float32],
        values: bytes,
        value_starts: npt.NDArray[Any],
        value_lengths: npt.NDArray[np.int32],
    ) -> None:
        self._ids, self._id_offsets = _int_opcodes(ids.astype(np.int64))
        self._weights32 = weights32
        self._floats: bytes | None = None
        self._values = values
        self._starts = value_starts
        self._lengths = value_lengths
        self._strings: tuple[bytes, list[int]] | None = None
        self._joined: tuple[bytes, list[int]] | None = None

    def ints(self, a: int, b: int) -> bytes:
        """The tuple of ids of postings ``a`` to ``b``."""
        offsets = self._id_offsets
        return _MARK + self._ids[offsets[a] : offsets[b]] + _TUPLE

    def floats(self, a: int, b: int) -> bytes:
        """The tuple of weights of postings ``a`` to ``b`` (as float32 values, like Whoosh's)."""
        if self._floats is None:
            rows = np.empty((len(self._weights32), 9), dtype=np.uint8)
            rows[:, 0] = ord(_FLOAT)
            rows[:, 1:] = self._weights32.astype(">f8").view(np.uint8).reshape(-1, 8)
            self._floats = rows.tobytes()
        return _MARK + self._floats[9 * a : 9 * b] + _TUPLE

    def byte_strings(self, a: int, b: int) -> bytes:
        """The tuple of the non-empty values of postings ``a`` to ``b``, each a bytes object."""
        if self._strings is None:
            self._strings = _bytes_opcodes(self._values, self._starts, self._lengths, headers=True)
        data, offsets = self._strings
        return _MARK + data[offsets[a] : offsets[b]] + _TUPLE

    def joined_bytes(self, a: int, b: int) -> bytes:
        """The values of postings ``a`` to ``b`` joined into one bytes object."""
        if self._joined is None:
            self._joined = _bytes_opcodes(self._values, self._starts, self._lengths, headers=False)
        data, offsets = self._joined
        return _bytes_opcode(data[offsets[a] : offsets[b]])


def _bytes_opcode(data: bytes) -> bytes:
    """One bytes object."""
    return _bytes_header(len(data)) + data


def _int_opcodes(values: npt.NDArray[np.int64]) -> tuple[bytes, list[int]]:
    """Each value (0 <= value < 2**31) as a BININT1, BININT2 or BININT opcode; the opcodes joined,
    and where each value's starts (one more offset at the end)."""
    sizes = np.where(values < 256, 2, np.where(values < 65536, 3, 5))
    offsets = np.zeros(len(values) + 1, dtype=np.int64)
    np.cumsum(sizes, out=offsets[1:])
    out = np.zeros(int(offsets[-1]), dtype=np.uint8)
    at = offsets[:-1]
    out[at] = np.where(sizes == 2, _BININT1, np.where(sizes == 3, _BININT2, _BININT))
    for byte in range(4):  # little-endian argument bytes, as many as the opcode takes
        has = sizes > byte + 1
        out[at[has] + 1 + byte] = (values[has] >> (8 * byte)) & 0xFF
    return out.tobytes(), offsets.tolist()


def _bytes_opcodes(
    values: bytes, starts: npt.NDArray[Any], lengths: npt.NDArray[np.int32], *, headers: bool
) -> tuple[bytes, list[int]]:
    """The postings' values, gathered in posting order: each non-empty one as a bytes opcode
    (``headers``), or all of them back to back; and where each posting's starts (one more at the end).

    Values are moved a length at a time (most positions values have one of a few lengths): the
    values of length ``n`` are rows of a strided ``n``-byte window over ``values``, gathered at
    once, given their opcode header (the same for all of them) and put in place through a window
    over the output.
    """
    lengths = lengths.astype(np.int64)
    if headers:
        head = np.where(lengths == 0, 0, np.where(lengths < 256, 2, 5))
    else:
        head = np.zeros(len(lengths), dtype=np.int64)
    offsets = np.zeros(len(lengths) + 1, dtype=np.int64)
    np.cumsum(head + lengths, out=offsets[1:])
    out = np.empty(int(offsets[-1]), dtype=np.uint8)
    source = np.frombuffer(values, dtype=np.uint8)
    by_length = np.argsort(lengths, kind="stable")
    ends = np.cumsum(np.bincount(lengths)).tolist()
    for length, (first, last) in enumerate(zip([0, *ends], ends, strict=False)):
        if last == first or length == 0:
            continue
        which = by_length[first:last]
        header = _bytes_header(length) if headers else b""
        width = len(header) + length
        rows = np.empty((len(which), width), dtype=np.uint8)
        rows[:, : len(header)] = np.frombuffer(header, dtype=np.uint8)
        rows[:, len(header) :] = _windows(source, length)[starts[which]]
        _windows(out, width)[offsets[which]] = rows
    return out.tobytes(), offsets.tolist()


def _bytes_header(length: int) -> bytes:
    """The opcode and length that start a bytes object of ``length`` bytes."""
    if length < 256:
        return bytes((_SHORT_BINBYTES, length))
    return bytes((_BINBYTES,)) + length.to_bytes(4, "little")


def _windows(data: npt.NDArray[np.uint8], width: int) -> npt.NDArray[np.uint8]:
    """Every ``width``-byte run of ``data`` as a row (a view: row ``i`` starts at byte ``i``)."""
    return np.lib.stride_tricks.as_strided(data, shape=(len(data) - width + 1, width), strides=(1, 1))


def md5_low32(key: bytes) -> int:
    """Whoosh's ``md5_hash`` (the term index's bucket hash) without a hex round trip: the low 32
    bits of the MD5 digest read as a big-endian number are its last four bytes."""
    return int.from_bytes(md5(key, usedforsecurity=False).digest()[-4:], "big")


class _TermFiles:
    """A field writer's postings file and term index, written with their positions kept here.

    ``W3FieldWriter`` asks the files for their position (``tell``, a system call on a buffered
    file) before every term and every term-index entry; this keeps count of what it wrote instead,
    and checks the count against the files once at the end. Terms are written a chunk at a time
    (:meth:`add_terms`: one write per file instead of two per term).
    """

    def __init__(self, fieldwriter: Any) -> None:
        self.postfile = fieldwriter._postfile
        self.tindex = fieldwriter._tindex  # an OrderedHashWriter
        self.fieldid = pack_ushort(fieldwriter._fieldid)
        self.post_position = self.postfile.tell()
        self.index_position = self.tindex.dbfile.tell()
        # Whoosh's StructFile.write only calls its file's write: call that directly.
        self._post_write = getattr(self.postfile, "file", self.postfile).write
        self._index_write = getattr(self.tindex.dbfile, "file", self.tindex.dbfile).write
        self._hash = md5_low32 if self.tindex.hashfn is md5_hash else self.tindex.hashfn
        self._key = b""

    def add_terms(self, terms: list[bytes], postings: list[bytes], infos: list[bytes]) -> None:
        """Append terms (in increasing order) with their posting blocks and statistics: as
        ``W3FieldWriter`` writes each term's postings, then ``OrderedHashWriter.add(field id + term,
        info + offset + length)``."""
        fieldid = self.fieldid
        offsets = list(accumulate(map(len, postings), initial=self.post_position))
        self._post_write(b"".join(postings))
        self.post_position = offsets.pop()
        keys = [fieldid + term for term in terms]
        records = [
            _HASH_LENGTHS.pack(len(key), len(info) + _REF_BYTES) + key + info + pack_long(offset) + pack_int(len(data))
            for key, info, offset, data in zip(keys, infos, offsets, postings, strict=True)
        ]
        positions = list(accumulate(map(len, records), initial=self.index_position))
        self._index_write(b"".join(records))
        self.index_position = positions.pop()
        tindex = self.tindex
        tindex.index.extend(positions)
        buckets = tindex.buckets
        hash_of = self._hash
        for key, position in zip(keys, positions, strict=True):
            h = hash_of(key)
            buckets[h & 255].append((h, position))
        if keys:
            self._key = keys[-1]

    def finish(self) -> None:
        """Check the kept positions against the files'; leave the term index ready for more."""
        if self._key:
            self.tindex.lastkey = self._key
        if (self.postfile.tell(), self.tindex.dbfile.tell()) != (self.post_position, self.index_position):
            raise RuntimeError("posting or term index file position out of step")  # pragma: no cover


def _compressed(data: bytes, compress: Callable[[bytes], bytes], level: int) -> tuple[bytes, int]:
    """A block's pickled postings, and the level they were compressed at (0: stored as they are).

    Each block records its own level, and Whoosh's reader decompresses a block only when that level
    is not 0. Pickles under :data:`_MIN_COMPRESSED` bytes are stored as they are (zlib's header and
    checksum make most blocks under 40 bytes longer, and those of 40 to 60 bytes only ~8 bytes
    shorter), as are blocks zlib does not shorten; this also spares the reader their decompression.
    """
    if not level or len(data) < _MIN_COMPRESSED:
        return data, 0
    packed = compress(data)
    return (packed, level) if len(packed) < len(data) else (data, 0)


class _Blocks:
    """Each block's first posting and statistics, for all blocks of all terms at once."""

    def __init__(self, postings: SortedPostings, limit: int, length_bytes: bytes | None) -> None:
        counts = np.diff(postings.starts)
        per_term = -(-counts // limit)
        first_block = np.cumsum(per_term) - per_term
        term_of_block = np.repeat(np.arange(len(counts)), per_term)
        within = np.arange(int(per_term.sum())) - np.repeat(first_block, per_term)
        self.starts = postings.starts[:-1][term_of_block] + within * limit
        docs = postings.docs
        self.maxweight = np.maximum.reduceat(postings.weights, self.starts)
        w32 = postings.weights.astype(np.float32)
        self.minweight32 = np.minimum.reduceat(w32, self.starts)
        self.maxweight32 = np.maximum.reduceat(w32, self.starts)
        if length_bytes is None:
            self.minbyte = np.zeros(len(self.starts), dtype=np.int16)
            self.maxbyte = self.minbyte
        else:
            of_docs = np.frombuffer(length_bytes, dtype=np.uint8)[docs].astype(np.int16)
            self.maxbyte = np.maximum.reduceat(of_docs, self.starts)
            of_docs[of_docs == 0] = 256  # documents without a length do not count for the minimum
            minbyte = np.minimum.reduceat(of_docs, self.starts)
            minbyte[minbyte == 256] = 0
            self.minbyte = minbyte

    def deltas(self, docs: npt.NDArray[np.int32], base: int, end: int) -> npt.NDArray[np.int32]:
        """``docs[base:end]`` (``base`` a term's first posting) as block ids: each document number
        minus the one before it in its block, the block's first as it is."""
        chunk = docs[base:end]
        deltas = np.empty(len(chunk), dtype=np.int32)
        if len(chunk):
            deltas[0] = chunk[0]
            np.subtract(chunk[1:], chunk[:-1], out=deltas[1:])
            lo, hi = np.searchsorted(self.starts, (base, end))
            firsts = self.starts[lo:hi] - base
            deltas[firsts] = chunk[firsts]
        return deltas
