"""Speed and memory of artsearch beside tantivy, SQLite FTS5 and vanilla Whoosh.

    python bench/perf.py --pages 10000 [--runs 3] [--peer-runs N] [--queries 1000] [--workdir /tmp/artsearch-perf] [--reuse]

Generates (once, cached in --workdir) a corpus of N pages in the sample site's template from the
bundled corpus and the shared IR collections (bench/gen_corpus.py), then measures, each as the median of --runs runs:
end-to-end full build (HTML to searchable index, in a fresh process; peak RSS of the builder and
of its largest worker), index size, warm query latency p50/p95/p99 for 1–4-word queries drawn
from the collections' query words and ``related`` latency (each run a fresh process: 50 warm-up
queries, then each query once; its peak RSS), and cold start. The peers index the same
extracted text and answer the same queries (as OR queries). Prints a Markdown report and writes
it with the raw figures to --workdir.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "bench")]

from gen_corpus import SHARED_IR, generate  # noqa: E402
from peers import PEERS  # noqa: E402

from indexer import store  # noqa: E402
from indexer.analysis import STOP_WORDS  # noqa: E402


def sample_queries(n: int, seed: int = 7) -> list[str]:
    """``n`` queries of 1–4 words drawn from the shared collections' query words."""
    words: list[str] = []
    for path in sorted(SHARED_IR.glob("*/queries.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            words += [w for w in re.findall(r"[a-z]{3,}", json.loads(line)["text"].lower()) if w not in STOP_WORDS]
    rng = random.Random(seed)
    return [" ".join(rng.choice(words) for _ in range(rng.randint(1, 4))) for _ in range(n)]


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)

    def pick(q: float) -> float:
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    return {"p50": statistics.median(ordered), "p95": pick(0.95), "p99": pick(0.99)}


def child_build(corpus: str, index: str, workers: str) -> None:
    """Run in a fresh process: build, print timing and peak RSS as JSON."""
    import resource

    from search import Engine

    started = time.perf_counter()
    report = Engine(index).build(corpus, workers=int(workers) if workers != "auto" else None)
    seconds = time.perf_counter() - started
    print(
        json.dumps(
            {
                "seconds": seconds,
                "indexed": report.indexed,
                "rss_self_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                "rss_children_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
            }
        )
    )


def child_cold(index: str, query: str) -> None:
    """Run in a fresh process: open the index and answer one query."""
    started = time.perf_counter()
    from search import Engine

    imported = time.perf_counter()
    Engine(index).search(query)
    done = time.perf_counter()
    print(json.dumps({"open_and_query_ms": (done - imported) * 1000, "with_imports_ms": (done - started) * 1000}))


def child_queries(index: str, count: str) -> None:
    """Run in a fresh process: 50 warm-up queries, then the ``count`` benchmark queries and
    ``related`` for the first 200 hits of the first 40; prints their latencies' percentiles and
    the process's peak RSS as JSON."""
    import resource

    from search import Engine

    queries = sample_queries(int(count))
    engine = Engine(index)
    for q in queries[:50]:
        engine.search(q)
    latencies = timed_ms(engine.search, queries)
    ids = [h.id for q in queries[:40] for h in engine.search(q, limit=5).hits][:200]
    related = timed_ms(engine.related, ids)
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out = {"query_ms": percentiles(latencies), "related_ms": percentiles(related), "rss_mb": rss_mb}
    status = Path("/proc/self/status")
    if status.exists():  # Linux: resident heap vs memory-mapped index files, at the end
        fields = dict(line.split(":", 1) for line in status.read_text().splitlines() if ":" in line)
        for key in ("RssAnon", "RssFile"):
            if key in fields:
                out[key] = int(fields[key].split()[0]) / 1024
    print(json.dumps(out))


def timed_ms(call: Callable[[str], object], args: list[str]) -> list[float]:
    """Wall-clock milliseconds of ``call(arg)`` for each argument, in order."""
    out = []
    for arg in args:
        started = time.perf_counter()
        call(arg)
        out.append((time.perf_counter() - started) * 1000)
    return out


def median_percentiles(runs: list[dict[str, float]]) -> dict[str, float]:
    """Each percentile's median over runs."""
    return {key: statistics.median(run[key] for run in runs) for key in runs[0]}


def run_child(*args: str, script: str = __file__) -> dict[str, Any]:
    """The last JSON line that ``script`` (this file by default), run in a fresh process with ``args``, prints."""
    out = subprocess.run([sys.executable, script, *args], check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def dir_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def measure_artsearch(
    corpus: Path, workdir: Path, runs: int, queries: list[str], reuse: bool = False
) -> dict[str, object]:
    from search import Engine

    index = workdir / "index"
    build_file = workdir / "build.json"
    if reuse and build_file.exists() and Engine(index).exists():
        builds = json.loads(build_file.read_text(encoding="utf-8"))
    else:
        builds = [run_child("_build", str(corpus), str(index), "auto") for _ in range(runs)]
        build_file.write_text(json.dumps(builds), encoding="utf-8")
    seconds = statistics.median(b["seconds"] for b in builds)
    gen = store.current_generation(index)
    searches = [run_child("_queries", str(index), str(len(queries))) for _ in range(runs)]
    colds = [run_child("_cold", str(index), queries[0]) for _ in range(runs)]
    return {
        "pages": builds[0]["indexed"],
        "build_seconds": seconds,
        "pages_per_s": builds[0]["indexed"] / seconds,
        "rss_builder_mb": max(b["rss_self_mb"] for b in builds),
        "rss_worker_mb": max(b["rss_children_mb"] for b in builds),
        "index_mb": dir_size(gen) / 1e6,
        "query_ms": median_percentiles([r["query_ms"] for r in searches]),
        "related_ms": median_percentiles([r["related_ms"] for r in searches]),
        "rss_query_mb": max(r["rss_mb"] for r in searches),
        "rss_query_anon_mb": max(r.get("RssAnon", 0) for r in searches),
        "rss_query_file_mb": max(r.get("RssFile", 0) for r in searches),
        "cold_ms": statistics.median(c["open_and_query_ms"] for c in colds),
        "cold_with_imports_ms": statistics.median(c["with_imports_ms"] for c in colds),
    }


def extracted_docs(corpus: Path) -> list[tuple[str, str, str]]:
    from indexer.corpus import walk_corpus
    from indexer.pipeline import parse_pages

    pages = list(walk_corpus(corpus))
    return [
        (r.article.id, r.article.title, r.article.text)
        for r in parse_pages(pages, total=len(pages))
        if r.article is not None
    ]


def measure_peers(docs: list[tuple[str, str, str]], runs: int, queries: list[str]) -> dict[str, dict[str, object]]:
    results: dict[str, dict[str, object]] = {}
    for peer_class in PEERS:
        times = []
        peer = None
        for _ in range(runs):
            if peer is not None:
                peer.close()
            peer = peer_class()
            t = time.perf_counter()
            peer.build(iter(docs))
            times.append(time.perf_counter() - t)
        assert peer is not None
        for q in queries[:50]:
            peer.search(q)
        latencies = timed_ms(peer.search, queries)
        peer.close()
        seconds = statistics.median(times)
        results[peer_class.name] = {
            "docs_per_s": len(docs) / seconds,
            "query_ms": percentiles(latencies),
            "build_runs": runs,
        }
    return results


def report(n: int, runs: int, ours: dict, peers: dict) -> str:
    q, r = ours["query_ms"], ours["related_ms"]
    lines = [
        f"### {n:,} pages — {time.strftime('%Y-%m-%d')}, {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}, median of {runs} runs",
        "",
        "| artsearch | value |",
        "|---|---|",
        f"| full build, HTML → searchable index | {ours['build_seconds']:.1f} s ({ours['pages_per_s']:,.0f} pages/s) |",
        f"| peak RSS: builder / largest worker | {ours['rss_builder_mb']:.0f} MB / {ours['rss_worker_mb']:.0f} MB |",
        f"| index size | {ours['index_mb']:.0f} MB |",
        f"| query p50 / p95 / p99 (1–4 words, warm) | {q['p50']:.1f} / {q['p95']:.1f} / {q['p99']:.1f} ms |",
        f"| related p50 / p95 | {r['p50']:.1f} / {r['p95']:.1f} ms |",
        f"| query process: peak RSS (at the end: heap / mapped index files) | {ours.get('rss_query_mb', 0):.0f} MB "
        f"({ours.get('rss_query_anon_mb', 0):.0f} MB / {ours.get('rss_query_file_mb', 0):.0f} MB) |",
        f"| cold start: open + first query (with imports) | {ours['cold_ms']:.0f} ms ({ours['cold_with_imports_ms']:.0f} ms) |",
    ]
    if not peers:  # --no-peers
        return "\n".join(lines)
    lines += [
        "",
        "| engine (same extracted text, same queries; builds: median of "
        f"{next(iter(peers.values()))['build_runs']}) | build docs/s | query p50 / p95 ms | p50 vs artsearch |",
        "|---|---|---|---|",
    ]
    for name, data in peers.items():
        pq = data["query_ms"]
        lines.append(
            f"| {name} | {data['docs_per_s']:,.0f} | {pq['p50']:.2f} / {pq['p95']:.2f} | {q['p50'] / pq['p50']:.1f}× faster |"
            if pq["p50"] < q["p50"]
            else f"| {name} | {data['docs_per_s']:,.0f} | {pq['p50']:.2f} / {pq['p95']:.2f} | {pq['p50'] / q['p50']:.1f}× slower |"
        )
    return "\n".join(lines)


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "_build":
        child_build(*sys.argv[2:5])
        return
    if len(sys.argv) > 1 and sys.argv[1] == "_queries":
        child_queries(*sys.argv[2:4])
        return
    if len(sys.argv) > 1 and sys.argv[1] == "_cold":
        child_cold(*sys.argv[2:4])
        return
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/artsearch-perf"))
    parser.add_argument("--no-peers", action="store_true", help="measure artsearch only")
    parser.add_argument(
        "--peer-runs", type=int, default=None, help="builds per peer (default: --runs; vanilla Whoosh is slow at 100k)"
    )
    parser.add_argument(
        "--reuse", action="store_true", help="reuse the index of an earlier run (its build figures too)"
    )
    args = parser.parse_args()
    workdir = args.workdir / str(args.pages)
    corpus = workdir / "corpus"
    marker = workdir / "corpus.done"
    if not marker.exists() or marker.read_text() != "gen_corpus":
        generate(corpus, args.pages)
        marker.write_text("gen_corpus")
    queries = sample_queries(args.queries)
    ours = measure_artsearch(corpus, workdir, args.runs, queries, reuse=args.reuse)
    peers = {} if args.no_peers else measure_peers(extracted_docs(corpus), args.peer_runs or args.runs, queries)
    text = report(args.pages, args.runs, ours, peers)
    (workdir / "report.md").write_text(text + "\n", encoding="utf-8")
    (workdir / "report.json").write_text(json.dumps({"artsearch": ours, "peers": peers}, indent=2), encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
