"""SimHash fingerprints of article texts, for finding near-duplicates.

Two texts whose 64-bit SimHash fingerprints differ in at most :data:`NEAR_DUPLICATE_BITS` bits are
near-duplicates (the same article with small edits). The fingerprint is computed over overlapping
3-word shingles of the case-folded words (single characters for Chinese/Japanese/Korean runs).
"""

from __future__ import annotations

import hashlib
import re

import numpy as np

SHINGLE = 3  # words per shingle (the code below joins three)
NEAR_DUPLICATE_BITS = 6


_WORD = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]|[^\W_]+")
_BITS = np.arange(64, dtype=np.uint64)


def simhash(text: str) -> int:
    """The 64-bit SimHash of ``text`` over word 3-shingles (0 for a text without words).

    Bit ``k`` is set when more than half of the shingles' 8-byte BLAKE2b digests, read as
    big-endian integers, have bit ``k`` set.
    """
    words = _WORD.findall(text.casefold())
    if not words:
        return 0
    if len(words) < SHINGLE:
        shingles = [" ".join(words)]
    else:
        shingles = [f"{a} {b} {c}" for a, b, c in zip(words, words[1:], words[2:], strict=False)]
    blake = hashlib.blake2b
    digests = b"".join([blake(s.encode("utf-8"), digest_size=8).digest() for s in shingles])
    values = np.frombuffer(digests, dtype=">u8").astype(np.uint64)
    counts = ((values[:, None] >> _BITS) & np.uint64(1)).sum(axis=0)
    half = len(shingles) / 2
    return sum(1 << int(bit) for bit in np.flatnonzero(counts > half))


def hamming(a: int, b: int) -> int:
    """The number of bits in which two fingerprints differ."""
    return (a ^ b).bit_count()


def near_duplicates(a: int, b: int) -> bool:
    """True when two (non-empty) fingerprints are within :data:`NEAR_DUPLICATE_BITS` bits."""
    return bool(a and b) and hamming(a, b) <= NEAR_DUPLICATE_BITS
