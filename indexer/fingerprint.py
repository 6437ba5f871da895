"""SimHash fingerprints of article texts, for finding near-duplicates.

Two texts whose 64-bit SimHash fingerprints differ in at most :data:`NEAR_DUPLICATE_BITS` bits are
near-duplicates (the same article with small edits). The fingerprint is computed over overlapping
3-word shingles of the case-folded words (single characters for Chinese/Japanese/Korean runs).

Fingerprints are stored in the index and compared with those of texts given at query time, so the
function must give the same value in every process and on every platform: changing it needs a
:data:`indexer.schema.SCHEMA_VERSION` bump.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

import numpy as np
import numpy.typing as npt

SHINGLE = 3  # words per shingle (the mixing below combines three)
NEAR_DUPLICATE_BITS = 6

_WORD = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]|[^\W_]+")
# What _WORD finds in lower-case ASCII text, found 2x faster: every other ASCII character a space.
_ASCII_SEPARATORS = str.maketrans({chr(c): " " for c in range(128) if not (chr(c).islower() or chr(c).isdigit())})
# Words whose hashes (8 little-endian bytes) are kept between calls; emptied when it reaches this size.
_CACHE_WORDS = 200_000
_WORD_HASHES: dict[str, bytes] = {}


def simhash(text: str) -> int:
    """The 64-bit SimHash of ``text`` over word 3-shingles (0 for a text without words).

    Each word hashes to its 8-byte BLAKE2b digest (``digest_size=8``, of its UTF-8, little-endian); shingle
    ``(a, b, c)`` hashes to ``mix(a ^ rotl(b, 21) ^ rotl(c, 42))`` with splitmix64's finalizer as
    ``mix``; a text of one or two words is one shingle, the missing words hashing to 0. Bit ``k``
    of the fingerprint is set when more than half of the shingle hashes have bit ``k`` set.
    """
    words = text.lower().translate(_ASCII_SEPARATORS).split() if text.isascii() else _WORD.findall(text.casefold())
    if not words:
        return 0
    hashes = _hashes_of(words)
    if len(hashes) < SHINGLE:
        hashes = np.concatenate([hashes, np.zeros(SHINGLE - len(hashes), dtype=np.uint64)])
    shingles = _mix(hashes[:-2] ^ _rotl(hashes[1:-1], 21) ^ _rotl(hashes[2:], 42))
    bits = np.unpackbits(shingles.astype("<u8").view(np.uint8), bitorder="little").reshape(len(shingles), 64)
    majority = np.add.reduce(bits, axis=0, dtype=np.uint32) * 2 > len(shingles)
    return int.from_bytes(np.packbits(majority, bitorder="little").tobytes(), "little")


def _rotl(x: npt.NDArray[np.uint64], k: int) -> npt.NDArray[np.uint64]:
    """``x`` rotated left by ``k`` bits (so that a shingle's hash depends on its words' order)."""
    return (x << np.uint64(k)) | (x >> np.uint64(64 - k))


def _mix(x: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    """splitmix64's finalizer, in place: every output bit depends on every input bit."""
    x ^= x >> np.uint64(30)
    x *= np.uint64(0xBF58476D1CE4E5B9)
    x ^= x >> np.uint64(27)
    x *= np.uint64(0x94D049BB133111EB)
    x ^= x >> np.uint64(31)
    return x


def _hashes_of(words: list[str]) -> npt.NDArray[np.uint64]:
    """Each word's 64-bit hash, from the cache where it has them."""
    cache = _WORD_HASHES
    hashes: list[Any] = list(map(cache.get, words))  # None where not cached
    try:  # usually every word is cached: joining is the check (None fails it), no scan for misses
        return np.frombuffer(b"".join(hashes), dtype="<u8")
    except TypeError:
        pass
    if len(cache) > _CACHE_WORDS:
        cache.clear()
    blake = hashlib.blake2b
    for i, value in enumerate(hashes):
        if value is None:
            word = words[i]
            hashes[i] = cache[word] = blake(word.encode("utf-8"), digest_size=8).digest()
    return np.frombuffer(b"".join(hashes), dtype="<u8")


def hamming(a: int, b: int) -> int:
    """The number of bits in which two fingerprints differ."""
    return (a ^ b).bit_count()


def near_duplicates(a: int, b: int) -> bool:
    """True when two (non-empty) fingerprints are within :data:`NEAR_DUPLICATE_BITS` bits."""
    return bool(a and b) and hamming(a, b) <= NEAR_DUPLICATE_BITS
