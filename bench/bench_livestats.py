"""Per-query cost of live-document statistics on an index that holds deleted documents.

    python bench/bench_livestats.py --index /tmp/bench-update/index [--baseline /tmp/bench-update/rebuilt]

Runs 1–4-word queries (bench/perf.py's sample, from the shared collections' query words) through
``Engine.search``, and ``Engine.related`` for sampled articles, twice each: with the live statistics cached per searcher as usual (warm), and with
them dropped before every query (cold: every document frequency recomputed, the worst case of a
one-shot ``artsearch search``). Reports the time per query and the part of it spent computing
live statistics (``LiveStats.doc_frequency`` / ``field_length``); with ``--baseline`` (the same
articles rebuilt: no deletions, no extra work) the same calls on it, for comparison.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "bench")]

from perf import sample_queries  # noqa: E402

from search import Engine, livestats  # noqa: E402

SPENT = [0.0]


def _timed(method: Any) -> Any:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return method(*args, **kwargs)
        finally:
            SPENT[0] += time.perf_counter() - started

    return wrapper


def measure(engine: Engine, kind: str, items: list[str], cold: bool) -> tuple[list[float], list[float]]:
    """Seconds per call, and seconds of it spent in live statistics, for each item."""
    totals, spent = [], []
    for item in items:
        if cold:  # drop the statistics (and the related finder's caches) of the open searcher
            top = engine._open().get_parent()
            if hasattr(top, livestats._ATTR):
                delattr(top, livestats._ATTR)
            engine._related_finder = None
        SPENT[0] = 0.0
        started = time.perf_counter()
        if kind == "search":
            engine.search(item)
        else:
            engine.related(item)
        totals.append(time.perf_counter() - started)
        spent.append(SPENT[0])
    return totals, spent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--index", type=Path, required=True, help="an index with deleted documents")
    parser.add_argument("--baseline", type=Path, help="the same articles rebuilt (no deletions)")
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--related", type=int, default=50)
    args = parser.parse_args()

    livestats.LiveStats.doc_frequency = _timed(livestats.LiveStats.doc_frequency)  # type: ignore[method-assign]
    livestats.LiveStats.field_length = _timed(livestats.LiveStats.field_length)  # type: ignore[method-assign]
    queries = sample_queries(args.queries)
    print("| index | calls | statistics | p50 | p95 | mean | in live stats: p50 | p95 | share |")
    print("|---|---|---|---|---|---|---|---|---|")
    for label, path in (("updated", args.index), ("rebuilt", args.baseline)):
        if path is None:
            continue
        engine = Engine(path)
        reader = engine._open().reader()
        deleted = reader.doc_count_all() - reader.doc_count()
        ids = sorted(d["id"] for d in reader.all_stored_fields())
        picked = random.Random(5).sample(ids, min(args.related, len(ids)))
        name = f"{label} ({reader.doc_count()} live, {deleted} deleted, {len(reader.leaf_readers())} seg.)"
        for q in queries[:20]:  # warm-up: files, jieba, OS caches
            engine.search(q)
        for kind, items in (("search", queries), ("related", picked)):
            for cold in (False, True):
                totals, spent = measure(engine, kind, items, cold)
                share = 100 * sum(spent) / sum(totals)
                print(
                    f"| {name} | {len(items)} {kind} | {'cold' if cold else 'warm'} | {ms(totals, 50)} | "
                    f"{ms(totals, 95)} | {1000 * statistics.fmean(totals):.2f} ms | {ms(spent, 50)} | "
                    f"{ms(spent, 95)} | {share:.1f} % |"
                )
        engine.close()


def ms(values: list[float], q: int) -> str:
    return f"{1000 * statistics.quantiles(values, n=100)[q - 1]:.2f} ms"


if __name__ == "__main__":
    main()
