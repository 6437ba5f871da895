"""The build's compressor writes zlib streams that zlib (Whoosh's readers) inflates."""

from __future__ import annotations

import random
import zlib

import pytest

from indexer import deflate
from indexer.deflate import compressor


def _samples() -> list[bytes]:
    rng = random.Random(5)
    words = [bytes(rng.choice(b"abcdefghij") for _ in range(rng.randint(1, 9))) for _ in range(300)]
    texts = [b" ".join(rng.choice(words) for _ in range(rng.randint(0, 3000))) for _ in range(40)]
    noise = [rng.randbytes(rng.randint(0, 5000)) for _ in range(20)]
    return [b"", b"x", *texts, *noise]


def test_zlib_inflates_what_it_writes() -> None:
    compress, level = compressor(3)
    assert level > 0
    for data in _samples():
        assert zlib.decompress(compress(data)) == data
    text = _samples()[5]
    assert len(compress(text)) < len(text) // 2  # it does compress


def test_level_0_stores() -> None:
    compress, level = compressor(0)
    assert level == 0 and compress(b"abc") == b"abc"


def test_zlib_without_isal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(deflate, "isal_zlib", None)
    compress, level = compressor(3)
    data = _samples()[3]
    assert level == 3 and compress(data) == zlib.compress(data, 3)
