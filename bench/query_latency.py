"""Query and ``related`` latency of an existing index, wall clock and CPU time (one JSON line).

    python bench/query_latency.py /tmp/artsearch-perf/10000/index [--queries 1000] [--passes 2]

The same queries as ``bench/perf.py`` (1–4 words drawn from the shared collections' query words)
after 50 warm-up queries, then ``related`` on the first 200 hits of the first 40 queries; with
``--passes 2`` both run again on the same engine (caches warm: ``pass2`` in the output). CPU time
(``time.process_time``) is less inflated than wall time on a machine shared with other jobs. To
compare commits, run it with ``PYTHONPATH`` pointing at an export of each (``git archive COMMIT
search indexer bench | tar -x -C /tmp/snap-COMMIT``): the code measured is the ``search`` package
imported first.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

from search import Engine  # the code under test (PYTHONPATH first), imported before perf.py edits sys.path

sys.path.append(str(Path(__file__).resolve().parent))
from perf import sample_queries


def percentiles(samples: list[float]) -> dict[str, float]:
    """p50 / p95 / p99 of ``samples``, rounded to 0.01."""
    ordered = sorted(samples)
    pick = {q: ordered[min(len(ordered) - 1, int(q * len(ordered)))] for q in (0.95, 0.99)}
    return {
        "p50": round(statistics.median(ordered), 2),
        "p95": round(pick[0.95], 2),
        "p99": round(pick[0.99], 2),
    }


def timed(call: object, args: list[str]) -> tuple[list[float], list[float]]:
    """Wall and CPU milliseconds of ``call(arg)`` for each argument."""
    wall, cpu = [], []
    for arg in args:
        started, cpu_started = time.perf_counter(), time.process_time()
        call(arg)  # type: ignore[operator]
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - cpu_started) * 1000)
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("index", type=Path)
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--passes", type=int, default=1, help="run the queries and related lists again")
    args = parser.parse_args()
    engine = Engine(args.index)
    queries = sample_queries(args.queries)
    for q in queries[:50]:
        engine.search(q)
    query_wall, query_cpu = timed(engine.search, queries)
    ids = [h.id for q in queries[:40] for h in engine.search(q, limit=5).hits][:200]
    related_wall, related_cpu = timed(engine.related, ids)
    out: dict[str, object] = {
        "code": str(Path(sys.modules["search"].__file__ or "").parent),
        "query_wall_ms": percentiles(query_wall),
        "query_cpu_ms": percentiles(query_cpu),
        "related_wall_ms": percentiles(related_wall),
        "related_cpu_ms": percentiles(related_cpu),
    }
    for n in range(2, args.passes + 1):
        query_wall, query_cpu = timed(engine.search, queries)
        related_wall, related_cpu = timed(engine.related, ids)
        out[f"pass{n}"] = {
            "query_wall_ms": percentiles(query_wall),
            "query_cpu_ms": percentiles(query_cpu),
            "related_wall_ms": percentiles(related_wall),
            "related_cpu_ms": percentiles(related_cpu),
        }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
