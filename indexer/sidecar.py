"""A numpy posting sidecar per Whoosh segment: (document, frequency) arrays ready to memory-map.

Whoosh stores each block of postings pickled and zlib-compressed with the positions, so the first
read of a term costs ~1 µs per posting. Beside each segment (same folder, same generation) the
sidecar file ``<segment id>.arts`` holds, for the scored text fields, every posting list of the
segment as two flat arrays, and the segment's one-byte field lengths:

* ``keys`` / ``key_starts``: the term keys (``field`` sections, terms in byte order) as one
  byte blob and its offsets, so a term is found by bisection without loading a dictionary;
* ``starts``: the start of each term's postings in ``docs`` / ``tf`` (one more entry than terms);
* ``docs`` (int32, segment-local document numbers, deleted ones included) and ``tf`` (the
  posting weights, uint8 when all are small integers, else float32);
* ``len.<field>``: the length byte of every document (as Whoosh's length column stores it).

The file is ``MAGIC``, a little-endian uint32 header length, a JSON header (array name → dtype,
offset, count; the segment id, document count, fields and term ranges; a crc32 of the arrays),
then the arrays, each aligned to 64 bytes. Its name matches Whoosh's segment file pattern, so
Whoosh's own clean-up removes it with its segment, and generations hard-link it like the rest.

Reading (:class:`Sidecar`) checks the header, sizes and bounds when it opens, and each term's
slice against Whoosh's term info (document count, first and last document); a file that fails a
check is not used (the caller decodes Whoosh's postings instead). :func:`verify_sidecar` also
checks the crc32 (``artsearch check``).
"""

from __future__ import annotations

import json
import logging
import mmap
import struct
import zlib
from bisect import bisect_left
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import numpy.typing as npt
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3LeafMatcher, _lenfield
from whoosh.columns import NumericColumn

logger = logging.getLogger(__name__)

EXTENSION = ".arts"
MAGIC = b"ARTSIDE1"
VERSION = 1
BLOCK = 4096  # postings per crc32 block of ``docs`` and ``tf`` (checked on first read)
_ALIGN = 64
_HEAD = struct.Struct("<8sI")

# (field, term bytes, segment document numbers ascending, weights) of one posting list
TermPostings = tuple[str, bytes, Any, Any]


class SidecarError(ValueError):
    """A sidecar file that cannot be used (missing, truncated, inconsistent with its segment)."""


def sidecar_path(folder: str | Path, segment: Any) -> Path:
    """Where the sidecar of a Whoosh ``segment`` lives in an index ``folder``."""
    return Path(folder) / f"{segment.segment_id()}{EXTENSION}"


def sidecar_fields(schema: Any) -> list[str]:
    """The fields given a sidecar: the scorable ones (the text fields), sorted."""
    return sorted(name for name, field in schema.items() if field.scorable)


# -- writing ---------------------------------------------------------------------------------


def write_sidecar(
    path: Path,
    segment_id: str,
    doc_count: int,
    fields: list[str],
    postings: Iterable[TermPostings],
    lengths: dict[str, bytes],
) -> int:
    """Write a sidecar file atomically (temp file, then rename); returns its number of postings.

    ``postings`` must be in (field, term bytes) order, fields among ``fields``; it is read twice
    over its terms (pass a list). ``lengths`` maps a field to its ``doc_count`` length bytes.
    """
    terms = postings if isinstance(postings, list) else list(postings)
    counts = np.fromiter((len(docs) for _, _, docs, _ in terms), dtype=np.int64, count=len(terms))
    starts = np.zeros(len(terms) + 1, dtype=np.int64)
    np.cumsum(counts, out=starts[1:])
    total = int(starts[-1])
    keys = b"".join(t for _, t, _, _ in terms)
    key_starts = np.zeros(len(terms) + 1, dtype=np.int64)
    np.cumsum(
        np.fromiter((len(t) for _, t, _, _ in terms), dtype=np.int64, count=len(terms)), out=key_starts[1:]
    )
    small = all(_small_integers(chunk) for chunk in _chunks(terms, 3, np.float64))
    tf_dtype = "|u1" if small else "<f4"
    ranges: dict[str, list[int]] = {}
    for i, (name, _, _, _) in enumerate(terms):
        ranges.setdefault(name, [i, i])[1] = i + 1
    layout: list[tuple[str, str, int]] = [
        ("keys", "|u1", len(keys)),
        ("key_starts", "<i8", len(key_starts)),
        ("starts", "<i8", len(starts)),
        ("docs", "<i4", total),
        ("tf", tf_dtype, total),
    ]
    layout += [(f"len.{name}", "|u1", doc_count) for name in sorted(lengths)]
    blocks = -(-total // BLOCK)
    layout += [("docs_crc", "<u4", blocks), ("tf_crc", "<u4", blocks)]
    lengths = {name: bytes(lengths[name]).ljust(doc_count, b"\0")[:doc_count] for name in sorted(lengths)}
    arrays, offset = {}, 0
    for name, dtype, count in layout:
        arrays[name] = [dtype, offset, count]
        offset = _aligned(offset + count * np.dtype(dtype).itemsize)
    header: dict[str, Any] = {
        "version": VERSION,
        "segment": segment_id,
        "doc_count": doc_count,
        "fields": {name: ranges.get(name, [0, 0]) for name in fields},
        "arrays": arrays,
        "size": offset,
        "block": BLOCK,
        "len_crc32": {name: f"{zlib.crc32(data):08x}" for name, data in lengths.items()},
        "crc32": "0" * 8,  # rewritten in place once the body is written
    }
    text = _header_bytes(header)
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        with open(tmp, "wb") as out:
            out.write(text)
            body = _Body(out)
            body.write(keys)
            body.write(key_starts.tobytes())
            body.write(starts.tobytes())
            crcs = []
            for item, region in ((2, np.dtype(np.int32)), (3, np.dtype(tf_dtype))):
                block_crc = _BlockCrc(BLOCK * region.itemsize)
                for chunk in _chunks(terms, item, region):
                    data = chunk.tobytes()
                    block_crc.feed(data)
                    body.write(data, pad=False)
                body.pad()
                crcs.append(block_crc.finish())
            for data in lengths.values():
                body.write(data)
            for found in crcs:
                body.write(found.tobytes())
            if body.position != offset:  # pragma: no cover - a layout bug
                raise AssertionError(f"sidecar body {body.position} != layout {offset}")
            header["crc32"] = f"{body.crc:08x}"
            out.seek(0)
            out.write(_header_bytes(header, len(text)))
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return total


class _BlockCrc:
    """The crc32 of each ``size``-byte block of a stream of bytes."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.crcs: list[int] = []
        self.crc = 0
        self.fill = 0

    def feed(self, data: bytes) -> None:
        view = memoryview(data)
        pos = 0
        while pos < len(view):
            take = min(self.size - self.fill, len(view) - pos)
            self.crc = zlib.crc32(view[pos : pos + take], self.crc)
            self.fill += take
            pos += take
            if self.fill == self.size:
                self.crcs.append(self.crc)
                self.crc = self.fill = 0

    def finish(self) -> npt.NDArray[np.uint32]:
        if self.fill:
            self.crcs.append(self.crc)
        return np.array(self.crcs, dtype="<u4")


def _chunks(
    terms: list[TermPostings], item: int, dtype: Any, size: int = 1 << 18
) -> Iterator[npt.NDArray[Any]]:
    """Item ``item`` (2: documents, 3: weights) of the posting lists, concatenated in chunks of
    about ``size`` postings and converted to ``dtype``."""
    batch: list[Any] = []
    held = 0
    for term in terms:
        part = term[item]
        batch.append(part)
        held += len(part)
        if held >= size:
            yield np.concatenate(batch).astype(dtype, copy=False)
            batch, held = [], 0
    if batch:
        yield np.concatenate(batch).astype(dtype, copy=False)


def _header_bytes(header: dict[str, Any], size: int = 0) -> bytes:
    """Magic, header length and the JSON header, padded so that the body starts aligned."""
    text = json.dumps(header, sort_keys=True).encode("utf-8")
    if not size:
        size = _aligned(_HEAD.size + len(text))
    if _HEAD.size + len(text) > size:  # pragma: no cover - the crc is fixed-width
        raise AssertionError("sidecar header grew")
    text = text.ljust(size - _HEAD.size, b" ")
    return _HEAD.pack(MAGIC, len(text)) + text


class _Body:
    """Writes the arrays of a sidecar, aligned, and keeps their crc32."""

    def __init__(self, out: BinaryIO) -> None:
        self.out = out
        self.crc = 0
        self.position = 0

    def write(self, data: bytes, pad: bool = True) -> None:
        self.out.write(data)
        self.crc = zlib.crc32(data, self.crc)
        self.position += len(data)
        if pad:
            self.pad()

    def pad(self) -> None:
        gap = _aligned(self.position) - self.position
        if gap:
            self.out.write(bytes(gap))
            self.crc = zlib.crc32(bytes(gap), self.crc)
            self.position += gap


def _aligned(n: int) -> int:
    return -(-n // _ALIGN) * _ALIGN


def _small_integers(weights: npt.NDArray[np.float64]) -> bool:
    """True when every weight is a whole number from 0 to 255 (stored exactly as uint8)."""
    return bool(((weights >= 0) & (weights <= 255) & (weights == np.floor(weights))).all())


def sidecar_of_segment(folder: str | Path, storage: Any, schema: Any, segment: Any) -> int:
    """Write the sidecar of a segment written by Whoosh's own writer, reading its postings once.

    Returns the number of postings written.
    """
    from whoosh.reading import SegmentReader

    reader = SegmentReader(storage, schema, segment)
    try:
        fields = sidecar_fields(schema)
        terms: list[TermPostings] = []
        for name in fields:
            if name not in reader._terms.indexed_field_names():
                continue
            fmt = schema[name].format
            for _, tbytes in reader._terms.terms_from(name, b""):
                if _ != name:
                    break
                ids, weights = decode_matcher(reader._terms.matcher(name, tbytes, fmt))
                terms.append((name, tbytes, ids.astype(np.int32), weights))
        count = reader.doc_count_all()
        lengths = {name: segment_lengths(reader, name, count).tobytes() for name in fields}
        return write_sidecar(
            sidecar_path(folder, segment), segment.segment_id(), count, fields, terms, lengths
        )
    finally:
        reader.close()


def ensure_sidecars(folder: str | Path, storage: Any, schema: Any, segments: Iterable[Any]) -> int:
    """Write the missing sidecars of ``segments`` (segments written by Whoosh's writer); returns
    the number of postings written."""
    written = 0
    for segment in segments:
        if not sidecar_path(folder, segment).exists():
            written += sidecar_of_segment(folder, storage, schema, segment)
    return written


# -- decoding Whoosh's postings --------------------------------------------------------------


def decode_matcher(matcher: Any) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float32]]:
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


def segment_lengths(reader: Any, field: str, count: int) -> npt.NDArray[np.uint8]:
    """The one-byte lengths of a segment reader's ``count`` documents in ``field``."""
    column = reader._perdoc._cached_reader(_lenfield(field), LENGTHS_COLUMN)
    if column is None:
        return np.zeros(count, dtype=np.uint8)
    return length_bytes(column, count)


def length_bytes(column: Any, count: int) -> npt.NDArray[np.uint8]:
    """The one-byte lengths of a segment's ``count`` documents, read as one block when possible."""
    if isinstance(column, NumericColumn.Reader) and column._typecode == "B" and column._fixedlen == 1:
        stored = min(column._count, count)
        found = np.zeros(count, dtype=np.uint8)  # documents past the stored ones have length 0
        found[:stored] = np.frombuffer(column._dbfile.get(column._basepos, stored), dtype=np.uint8)
        return found
    return np.fromiter((column[d] for d in range(count)), dtype=np.uint8, count=count)


# -- reading ---------------------------------------------------------------------------------


class Sidecar:
    """The memory-mapped sidecar of one segment.

    Raises:
        SidecarError: the file is missing, truncated or does not describe ``segment``.
    """

    def __init__(self, path: Path, segment: Any) -> None:
        self.path = path
        try:
            with open(path, "rb") as handle:
                self._map = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
        except (OSError, ValueError) as exc:
            raise SidecarError(f"{path}: cannot open ({exc})") from None
        head = self._map[: _HEAD.size]
        if len(head) < _HEAD.size or head[:8] != MAGIC:
            raise SidecarError(f"{path}: not a sidecar file (bad magic)")
        _, hlen = _HEAD.unpack(head)
        try:
            header = json.loads(self._map[_HEAD.size : _HEAD.size + hlen])
        except ValueError:
            raise SidecarError(f"{path}: unreadable header") from None
        self.header: dict[str, Any] = header
        self._base = _HEAD.size + hlen
        if header.get("version") != VERSION:
            raise SidecarError(f"{path}: version {header.get('version')}, expected {VERSION}")
        if (
            header.get("segment") != segment.segment_id()
            or header.get("doc_count") != segment.doc_count_all()
        ):
            raise SidecarError(f"{path}: written for another segment")
        if len(self._map) != self._base + int(header.get("size", -1)):
            raise SidecarError(f"{path}: truncated or padded ({len(self._map)} bytes)")
        self.doc_count = int(header["doc_count"])
        self.fields: dict[str, tuple[int, int]] = {
            k: (int(a), int(b)) for k, (a, b) in header["fields"].items()
        }
        self._keys = self._array("keys")
        self._key_starts = self._array("key_starts")
        self._starts = self._array("starts")
        self._docs = self._array("docs")
        self._tf = self._array("tf")
        self._crcs = {"docs": self._array("docs_crc"), "tf": self._array("tf_crc")}
        self._checked = {name: np.zeros(len(crcs), dtype=bool) for name, crcs in self._crcs.items()}
        self._block = int(header.get("block", BLOCK))
        terms = len(self._starts) - 1
        if len(self._key_starts) != terms + 1 or any(b > terms or a > b for a, b in self.fields.values()):
            raise SidecarError(f"{path}: inconsistent term tables")
        if terms and (
            int(self._starts[-1]) != len(self._docs) or int(self._key_starts[-1]) != len(self._keys)
        ):
            raise SidecarError(f"{path}: inconsistent posting tables")
        self._key_list = _KeyList(self._map, self._base + header["arrays"]["keys"][1], self._key_starts)

    def _array(self, name: str) -> npt.NDArray[Any]:
        try:
            dtype, offset, count = self.header["arrays"][name]
            return np.frombuffer(
                self._map, dtype=np.dtype(dtype), count=int(count), offset=self._base + int(offset)
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise SidecarError(f"{self.path}: bad array {name!r} ({exc})") from None

    def term_index(self, field: str, tbytes: bytes) -> int:
        """The index of a term in the tables, ``-1`` when absent (or the field is not covered)."""
        span = self.fields.get(field)
        if span is None:
            return -1
        lo, hi = span
        i = bisect_left(self._key_list, tbytes, lo, hi)
        if i < hi and self._key_list[i] == tbytes:
            return i
        return -1

    def postings(self, field: str, tbytes: bytes) -> tuple[npt.NDArray[np.int32], npt.NDArray[Any]] | None:
        """(segment document numbers, weights) of a term, views of the map; ``None`` when absent."""
        i = self.term_index(field, tbytes)
        if i < 0:
            return None
        start, end = int(self._starts[i]), int(self._starts[i + 1])
        return self._docs[start:end], self._tf[start:end]

    def lengths(self, field: str) -> npt.NDArray[np.uint8] | None:
        """The length bytes of every document in ``field`` (``None`` when not stored).

        Raises:
            SidecarError: they do not match their crc32.
        """
        if f"len.{field}" not in self.header["arrays"]:
            return None
        found = self._array(f"len.{field}")
        if f"{zlib.crc32(found.data):08x}" != self.header.get("len_crc32", {}).get(field):
            raise SidecarError(f"{self.path}: lengths of {field} do not match their crc32 (corrupt)")
        return found

    def check_blocks(self, start: int, end: int) -> None:
        """Check the crc32 of the blocks of ``docs`` and ``tf`` holding postings ``start:end``
        (each block once).

        Raises:
            SidecarError: a block does not match its crc32.
        """
        if end <= start:
            return
        first, last = start // self._block, (end - 1) // self._block + 1
        for name, values in (("docs", self._docs), ("tf", self._tf)):
            checked = self._checked[name]
            if checked[first:last].all():
                continue
            crcs = self._crcs[name]
            for b in range(first, last):
                if checked[b]:
                    continue
                if b >= len(crcs) or zlib.crc32(values[b * self._block : (b + 1) * self._block].data) != int(
                    crcs[b]
                ):
                    raise SidecarError(f"{self.path}: {name} block {b} does not match its crc32 (corrupt)")
                checked[b] = True

    def terms(self) -> Iterator[tuple[str, bytes, int]]:
        """(field, term bytes, term index) of every term, in file order."""
        for field, (lo, hi) in sorted(self.fields.items(), key=lambda item: item[1]):
            for i in range(lo, hi):
                yield field, self._key_list[i], i

    def crc_ok(self) -> bool:
        """True when the arrays match the crc32 of the header (reads the whole file)."""
        with memoryview(self._map) as view:
            return f"{zlib.crc32(view[self._base :]):08x}" == self.header.get("crc32")


class _KeyList:
    """The term keys of a sidecar as a sequence of bytes (for :func:`bisect.bisect_left`)."""

    def __init__(self, data: mmap.mmap, base: int, starts: npt.NDArray[np.int64]) -> None:
        self._data = data
        self._base = base
        self._starts = memoryview(starts.tobytes()).cast("q")  # fast scalar access

    def __len__(self) -> int:
        return len(self._starts) - 1

    def __getitem__(self, i: int) -> bytes:
        base = self._base
        return self._data[base + self._starts[i] : base + self._starts[i + 1]]


def open_sidecar(folder: str | Path, segment: Any) -> Sidecar | None:
    """The sidecar of ``segment``, ``None`` when it has none or it is unusable (logged)."""
    path = sidecar_path(folder, segment)
    if not path.exists():
        return None
    try:
        return Sidecar(path, segment)
    except SidecarError as exc:
        logger.warning("ignoring the posting sidecar: %s", exc)
        return None


def verify_sidecar(folder: str | Path, reader: Any, segment: Any) -> list[str]:
    """Problems of a segment's sidecar (``[]`` when it is absent or sound).

    Checks the header, sizes and crc32, that it holds exactly the segment's terms of its fields,
    and each term's document count and first and last document against Whoosh's term info.
    ``reader`` is the segment's reader.
    """
    path = sidecar_path(folder, segment)
    if not path.exists():
        return []
    try:
        side = Sidecar(path, segment)
    except SidecarError as exc:
        return [str(exc)]
    if not side.crc_ok():
        return [f"{path}: crc32 mismatch (corrupt)"]
    problems: list[str] = []
    seen = 0
    for field in side.fields:
        for _, tbytes in reader._terms.terms_from(field, b""):
            if _ != field:
                break
            seen += 1
            found = side.postings(field, tbytes)
            info = reader._terms.term_info(field, tbytes)
            if found is None or not _matches(found[0], info):
                problems.append(f"{path}: postings of {field}:{tbytes!r} differ from the segment's")
                if len(problems) >= 5:
                    return problems
    if seen != len(side._starts) - 1:
        problems.append(f"{path}: {len(side._starts) - 1} terms, the segment has {seen}")
    return problems


def _matches(docs: npt.NDArray[Any], info: Any) -> bool:
    """True when a term's sidecar documents agree with Whoosh's term info (count, first, last)."""
    n = len(docs)
    return bool(
        n == info.doc_frequency() and n and int(docs[0]) == info.min_id() and int(docs[-1]) == info.max_id()
    )


def checked_postings(
    side: Sidecar, field: str, tbytes: bytes, info: Any
) -> tuple[npt.NDArray[np.int32], npt.NDArray[Any]]:
    """A term's postings from ``side``, checked against Whoosh's term info ``info`` (document
    count, first and last document) and against the crc32 of their blocks.

    Raises:
        SidecarError: the term is missing or its postings disagree with the segment.
    """
    i = side.term_index(field, tbytes)
    if i < 0:
        raise SidecarError(f"{side.path}: {field}:{tbytes!r} is missing")
    start, end = int(side._starts[i]), int(side._starts[i + 1])
    if not 0 <= start <= end <= len(side._docs):
        raise SidecarError(f"{side.path}: postings of {field}:{tbytes!r} out of bounds")
    docs, tf = side._docs[start:end], side._tf[start:end]
    if not _matches(docs, info):
        raise SidecarError(f"{side.path}: postings of {field}:{tbytes!r} differ from the segment's")
    side.check_blocks(start, end)
    return docs, tf
