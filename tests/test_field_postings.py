"""Posting blocks pickled opcode by opcode load as what ``pickle.dumps`` pickles."""

from __future__ import annotations

import pickle
import random

import numpy as np
from whoosh.filedb.filetables import md5_hash

from indexer.field_postings import _NONE, _PICKLE_END, _PICKLE_START, _ChunkOpcodes, md5_low32, stable_order


def _chunk(rng: random.Random, n: int) -> tuple[list[int], list[float], bytes, list[int], list[int]]:
    ids = [rng.choice([0, 1, 255, 256, 65535, 65536, 2**31 - 1, rng.randrange(2**31)]) for _ in range(n)]
    weights = [rng.choice([1.0, 2.0, 0.1, 3.5e-3, 1e30, rng.random() * 100]) for _ in range(n)]
    pieces = [rng.randbytes(rng.choice([0, 1, 5, 255, 256, 300, rng.randrange(40)])) for _ in range(n)]
    order = list(range(n))
    rng.shuffle(order)  # values lie in the buffer in another order than the postings
    buffer = bytearray()
    starts = [0] * n
    for i in order:
        starts[i] = len(buffer)
        buffer += pieces[i]
    return ids, weights, bytes(buffer), starts, [len(p) for p in pieces]


def test_blocks_load_as_pickle_dumps_pickles_them() -> None:
    rng = random.Random(3)
    for n in (1, 2, 3, 4, 17, 300):
        ids, weights, buffer, starts, lengths = _chunk(rng, n)
        w32 = np.array(weights, dtype=np.float64).astype(np.float32)
        ops = _ChunkOpcodes(
            np.array(ids, dtype=np.int32), w32, buffer, np.array(starts, dtype=np.int64), np.array(lengths, dtype=np.int32)
        )
        pieces = [buffer[s : s + k] for s, k in zip(starts, lengths, strict=True)]
        for a, b in [(0, n), (0, 1), (n - 1, n), *((x, max(x, y)) for x, y in [sorted(rng.sample(range(n + 1), 2)) for _ in range(20)] if n > 1)]:
            expected = (tuple(ids[a:b]), tuple(w32[a:b].tolist()), tuple(p for p in pieces[a:b] if p))
            data = _PICKLE_START + ops.ints(a, b) + ops.floats(a, b) + ops.byte_strings(a, b) + _PICKLE_END
            assert pickle.loads(data) == expected
            joined = _PICKLE_START + ops.ints(a, b) + _NONE + ops.joined_bytes(a, b) + _PICKLE_END
            assert pickle.loads(joined) == (tuple(ids[a:b]), None, b"".join(pieces[a:b]))


def test_term_index_hash_is_whooshs() -> None:
    rng = random.Random(4)
    keys = [b"", b"\x00\x01calcium", "孕期".encode(), *(rng.randbytes(rng.randrange(1, 40)) for _ in range(500))]
    assert [md5_low32(k) for k in keys] == [md5_hash(k) for k in keys]


def test_postings_are_ordered_by_term_stably_below_and_above_16_bits() -> None:
    rng = np.random.default_rng(5)
    for count in (1, 300, 1 << 16, (1 << 16) + 1, 300_000):
        # many repeats of a few keys and every high half, in random order
        keys = np.concatenate([rng.integers(0, count, 50_000), np.full(1_000, count - 1), rng.integers(0, 3, 1_000)])
        keys = rng.permutation(keys).astype(np.int32)
        assert np.array_equal(stable_order(keys, count), np.argsort(keys, kind="stable"))
