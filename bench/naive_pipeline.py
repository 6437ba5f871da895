"""Issue 7's yardstick: the naive pipeline beside artsearch's build, to tell the machine's speed from the code's.

    python bench/naive_pipeline.py CORPUS [--pages 17600] [--rounds 2] [--queries 1000] [--workdir /tmp/artsearch-naive]

Issue 7 states its targets for "this 2-core machine" and gives a yardstick measured there: a naive
pipeline — bs4 ``get_text``, Whoosh's StemmingAnalyzer, one default writer — builds ~180 pages/s
and answers 1–4-word queries in p50 16 ms / p95 79 ms at 17,600 pages. This machine's speed drifts
from session to session (BENCHMARKS.md), so this runs that pipeline and artsearch on the same first
``--pages`` pages of CORPUS, each in a fresh process, alternating for ``--rounds`` rounds: a build,
then ``bench/perf.py``'s queries (50 warm-up, then ``--queries`` timed). It prints both build rates
and query percentiles (medians of the rounds) and their ratios. The ratios depend on the code, far
less on the machine: applied to the yardstick's figures they give what the yardstick's machine
would see.

The naive pipeline: each page read as bytes and parsed by ``BeautifulSoup(data, "lxml")``; its
``<title>`` text and ``soup.get_text(" ", strip=True)`` as the document, indexed as
``bench/peers.py``'s vanilla Whoosh indexes extracted text (id, title and text stored). The pages
are the corpus's first in walk order, hard-linked (or copied) into ``--workdir`` so that artsearch
builds exactly them.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import time
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "bench")]

from peers import Doc, VanillaWhoosh  # noqa: E402
from perf import percentiles, run_child, sample_queries, timed_ms  # noqa: E402

from indexer.corpus import PageFile, check_corpus, walk_corpus  # noqa: E402

# Issue 7: the naive pipeline at 17,600 pages on the machine its targets are for.
YARDSTICK_PAGES_PER_S = 180
YARDSTICK_QUERY_MS = {"p50": 16.0, "p95": 79.0}


def naive_docs(pages: list[Path]) -> Iterator[Doc]:
    """``(id, title, text)`` of each page, the naive way: the whole page's text by bs4."""
    from bs4 import BeautifulSoup

    for path in pages:
        soup = BeautifulSoup(path.read_bytes(), "lxml")
        title = soup.title.get_text(strip=True) if soup.title else ""
        yield str(path), title, soup.get_text(" ", strip=True)


def child_naive(corpus: str, count: str) -> None:
    """Run in a fresh process: the naive pipeline over every page of ``corpus``, then ``count``
    queries (after 50 warm-up ones); the build's seconds and the queries' percentiles as JSON."""
    pages = [page.path for page in walk_corpus(check_corpus(Path(corpus)), [])]
    peer = VanillaWhoosh()
    started = time.perf_counter()
    built = peer.build(naive_docs(pages))
    seconds = time.perf_counter() - started
    queries = sample_queries(int(count))
    for query in queries[:50]:
        peer.search(query)
    latencies = timed_ms(peer.search, queries)
    peer.close()
    print(json.dumps({"seconds": seconds, "pages": built, "query_ms": percentiles(latencies)}))


def subset_corpus(corpus: Path, pages: int, target: Path) -> int:
    """The first ``pages`` pages of ``corpus`` (walk order) linked into ``target``; how many."""
    chosen: list[PageFile] = list(walk_corpus(check_corpus(corpus), []))[:pages]
    if target.exists():
        shutil.rmtree(target)
    for page in chosen:
        destination = target / page.relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(page.path, destination)
        except OSError:  # another file system
            shutil.copy2(page.path, destination)
    return len(chosen)


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "_naive":
        child_naive(sys.argv[2], sys.argv[3])
        return
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--pages", type=int, default=17_600, help="issue 7's naive figures are for 17,600 pages")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/artsearch-naive"))
    args = parser.parse_args()
    corpus = args.workdir / "corpus"
    count = subset_corpus(args.corpus, args.pages, corpus)
    index = args.workdir / "index"
    naive: list[dict] = []
    ours: list[dict] = []
    for round_number in range(1, args.rounds + 1):
        naive.append(run_child("_naive", str(corpus), str(args.queries), script=__file__))
        shutil.rmtree(index, ignore_errors=True)
        built = run_child("_build", str(corpus), str(index), "auto")
        ours.append({**built, **run_child("_queries", str(index), str(args.queries))})
        print(
            f"round {round_number}: build naive {naive[-1]['seconds']:.1f} s, artsearch {ours[-1]['seconds']:.1f} s; "
            f"query p50 naive {naive[-1]['query_ms']['p50']:.2f} ms, artsearch {ours[-1]['query_ms']['p50']:.2f} ms",
            flush=True,
        )
    naive_rate = count / statistics.median(r["seconds"] for r in naive)
    our_rate = count / statistics.median(r["seconds"] for r in ours)
    ratio = our_rate / naive_rate
    print(
        f"{count:,} pages, median of {args.rounds} rounds: build: naive pipeline {naive_rate:,.0f} pages/s, "
        f"artsearch {our_rate:,.0f} pages/s, {ratio:.2f}x; at the yardstick's {YARDSTICK_PAGES_PER_S} pages/s: "
        f"{ratio * YARDSTICK_PAGES_PER_S:,.0f} pages/s"
    )
    for key, yardstick in YARDSTICK_QUERY_MS.items():
        naive_ms = statistics.median(r["query_ms"][key] for r in naive)
        our_ms = statistics.median(r["query_ms"][key] for r in ours)
        print(
            f"query {key}: naive pipeline {naive_ms:.2f} ms, artsearch {our_ms:.2f} ms, {naive_ms / our_ms:.1f}x faster; "
            f"at the yardstick's {yardstick:g} ms: {our_ms * yardstick / naive_ms:.2f} ms"
        )
    related = statistics.median(r["related_ms"]["p50"] for r in ours)
    print(f"related p50: artsearch {related:.2f} ms (no naive counterpart)")


if __name__ == "__main__":
    main()
