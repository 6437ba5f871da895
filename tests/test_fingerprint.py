"""SimHash fingerprints: the vectorised code against a plain-Python statement of the definition."""

from __future__ import annotations

import hashlib
import random
import subprocess
import sys

from indexer.fingerprint import _WORD, simhash

MASK = (1 << 64) - 1


def _rotl(x: int, k: int) -> int:
    return ((x << k) | (x >> (64 - k))) & MASK


def _mix(x: int) -> int:
    x ^= x >> 30
    x = (x * 0xBF58476D1CE4E5B9) & MASK
    x ^= x >> 27
    x = (x * 0x94D049BB133111EB) & MASK
    return x ^ (x >> 31)


def reference_simhash(text: str) -> int:
    """The fingerprint as its docstring defines it, one shingle and one bit at a time."""
    words = _WORD.findall(text.casefold())
    if not words:
        return 0
    hashes = [int.from_bytes(hashlib.blake2b(w.encode("utf-8"), digest_size=8).digest(), "little") for w in words]
    hashes += [0] * (3 - len(hashes))
    shingles = [_mix(a ^ _rotl(b, 21) ^ _rotl(c, 42)) for a, b, c in zip(hashes, hashes[1:], hashes[2:], strict=False)]
    return sum(1 << k for k in range(64) if 2 * sum(s >> k & 1 for s in shingles) > len(shingles))


def random_text(rng: random.Random) -> str:
    vocabulary = ["calcium", "Pregnancy", "sleep", "the", "of", "孕期", "糖尿病", "é", "x1", "_", "Ünïcode", "ﬁne"]
    return " ".join(rng.choice(vocabulary) for _ in range(rng.randrange(0, 60))) + rng.choice(["", "!", " 中"])


def test_simhash_matches_its_definition() -> None:
    rng = random.Random(11)
    for _ in range(300):
        text = random_text(rng)
        assert simhash(text) == reference_simhash(text), text


def test_ascii_texts_match_the_definition() -> None:
    """ASCII texts take a pattern of their own: it finds the same words."""
    rng = random.Random(12)
    vocabulary = ["Calcium", "SLEEP", "x1", "_", "a_b", "2024-05-11", "it's", "e.g.", "\t\n", "(B12)", "__init__"]
    for _ in range(300):
        text = " ".join(rng.choice(vocabulary) for _ in range(rng.randrange(0, 40)))
        assert text.isascii() and simhash(text) == reference_simhash(text), text


def test_short_and_empty_texts() -> None:
    assert simhash("") == 0 and simhash(" ,;! ") == 0
    assert simhash("one two") == simhash("One, two!") != 0
    assert simhash("calcium") == reference_simhash("calcium") != 0


def test_same_value_in_a_fresh_process() -> None:
    """Fingerprints are stored: another process (another hash seed) must compute the same ones."""
    text = "the quick brown fox jumps over the lazy dog 孕期糖尿病"
    code = f"from indexer.fingerprint import simhash; print(simhash({text!r}))"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env={"PYTHONHASHSEED": "123"}
    )
    assert int(out.stdout) == simhash(text)
