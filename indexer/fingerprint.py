"""SimHash fingerprints of article texts, for finding near-duplicates.

Two texts whose 64-bit SimHash fingerprints differ in at most :data:`NEAR_DUPLICATE_BITS` bits are
near-duplicates (the same article with small edits). The fingerprint is computed over overlapping
3-word shingles of the case-folded words (single characters for Chinese/Japanese/Korean runs).
"""

from __future__ import annotations

import hashlib
import re

SHINGLE = 3
NEAR_DUPLICATE_BITS = 6
_WIDTH = 32


def _spread_table() -> list[list[int]]:
    """For each byte position and value: its 8 bits placed in their 32-bit counter fields."""
    table = []
    for position in range(8):
        row = []
        for byte in range(256):
            row.append(sum(1 << (_WIDTH * (8 * (7 - position) + bit)) for bit in range(8) if byte >> bit & 1))
        table.append(row)
    return table


_SPREAD = _spread_table()
_WORD = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]|[^\W_]+")


def simhash(text: str) -> int:
    """The 64-bit SimHash of ``text`` over word 3-shingles (0 for a text without words)."""
    words = _WORD.findall(text.casefold())
    if not words:
        return 0
    if len(words) < SHINGLE:
        shingles = [" ".join(words)]
    else:
        shingles = [" ".join(words[i : i + SHINGLE]) for i in range(len(words) - SHINGLE + 1)]
    # 64 bit counters packed in one big integer (32 bits each), added a byte at a time
    packed = 0
    for shingle in shingles:
        digest = hashlib.blake2b(shingle.encode("utf-8"), digest_size=8).digest()
        for position, byte in enumerate(digest):
            packed += _SPREAD[position][byte]
    half = len(shingles) / 2
    mask = (1 << _WIDTH) - 1
    return sum(1 << bit for bit in range(64) if (packed >> (_WIDTH * bit)) & mask > half)


def hamming(a: int, b: int) -> int:
    """The number of bits in which two fingerprints differ."""
    return (a ^ b).bit_count()


def near_duplicates(a: int, b: int) -> bool:
    """True when two (non-empty) fingerprints are within :data:`NEAR_DUPLICATE_BITS` bits."""
    return bool(a and b) and hamming(a, b) <= NEAR_DUPLICATE_BITS
