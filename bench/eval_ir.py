"""Ranking quality of artsearch on an IR test collection: nDCG@10, MAP@100 and recall@100.

Usage::

    python bench/eval_ir.py ../shared/data/ir/cranfield [../shared/data/ir/cisi ...] [--run-dir DIR]

For each collection folder (``docs.jsonl``, ``queries.jsonl``, ``qrels.tsv``): render the documents
as pages of the sample site (:mod:`bench.render`), build an index with ``Engine.build``, run every
query through ``Engine.search`` (top 100, the default query semantics) and score the run with
ir-measures (trec_eval-compatible; averaged over the judged queries). Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import ir_measures
from ir_measures import AP, R, nDCG

from bench.render import read_documents, render_corpus
from indexer.errors import QueryError
from search import Engine

logger = logging.getLogger("eval_ir")

DEPTH = 100
MEASURES = (nDCG @ 10, AP @ 100, R @ 100)


@dataclass(frozen=True)
class Evaluation:
    """The scores of one collection."""

    name: str
    docs: int
    indexed: int
    queries: int
    judged: int
    scores: dict[str, float]
    build_s: float
    search_s: float


def read_queries(path: Path) -> list[tuple[str, str]]:
    """``(id, text)`` of every query of a ``queries.jsonl`` file."""
    with path.open(encoding="utf-8") as handle:
        return [(str(r["id"]), r["text"]) for r in map(json.loads, handle) if r]


def read_qrels(path: Path) -> list[ir_measures.Qrel]:
    """The judgements of a ``qrels.tsv`` file (``qid<TAB>docid<TAB>relevance``)."""
    qrels = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            parts = line.split()
            if len(parts) >= 3:
                qrels.append(ir_measures.Qrel(parts[0], parts[1], int(parts[2])))
    return qrels


def run_queries(engine: Engine, queries: list[tuple[str, str]]) -> list[ir_measures.ScoredDoc]:
    """Top-``DEPTH`` results of every query as scored documents (a TREC run)."""
    run = []
    for qid, text in queries:
        try:
            results = engine.search(text, limit=DEPTH)
        except QueryError as exc:
            logger.warning("query %s: %s", qid, exc)
            continue
        # ties broken by rank so the metrics see exactly the engine's order
        for rank, hit in enumerate(results.hits):
            run.append(ir_measures.ScoredDoc(qid, hit.id, float(DEPTH - rank)))
    return run


def evaluate(collection: Path, work: Path) -> Evaluation:
    """Render, index, search and score one collection under the folder ``work``."""
    corpus = work / "corpus"
    docs = render_corpus(read_documents(collection / "docs.jsonl"), corpus)
    engine = Engine(work / "index")
    started = time.perf_counter()
    report = engine.build(corpus)
    build_s = time.perf_counter() - started
    queries = read_queries(collection / "queries.jsonl")
    qrels = read_qrels(collection / "qrels.tsv")
    started = time.perf_counter()
    run = run_queries(engine, queries)
    search_s = time.perf_counter() - started
    engine.close()
    judged = {q.query_id for q in qrels}
    scores = ir_measures.calc_aggregate(MEASURES, qrels, run)
    return Evaluation(
        name=collection.name,
        docs=docs,
        indexed=report.indexed,
        queries=len(queries),
        judged=len(judged & {qid for qid, _ in queries}),
        scores={str(m): float(scores[m]) for m in MEASURES},
        build_s=build_s,
        search_s=search_s,
    )


def main(argv: list[str] | None = None) -> int:
    """Evaluate each collection given on the command line; print a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("collections", nargs="+", type=Path, help="collection folders")
    parser.add_argument("--run-dir", type=Path, default=None, help="keep corpora and indexes here")
    args = parser.parse_args(argv)
    for collection in args.collections:
        missing = [n for n in ("docs.jsonl", "queries.jsonl", "qrels.tsv") if not (collection / n).is_file()]
        if missing:
            parser.error(f"{collection} is not a test collection folder (no {', '.join(missing)})")
    logging.basicConfig(level=logging.WARNING, format="%(name)s: %(message)s")
    print("| collection | docs (indexed) | judged queries | nDCG@10 | MAP@100 | R@100 | build s | search ms/query |")
    print("|---|---|---|---|---|---|---|---|")
    for collection in args.collections:
        with tempfile.TemporaryDirectory(prefix="eval_ir-") as tmp:
            work = args.run_dir / collection.name if args.run_dir else Path(tmp)
            ev = evaluate(collection, work)
        s = ev.scores
        print(
            f"| {ev.name} | {ev.docs} ({ev.indexed}) | {ev.judged} of {ev.queries} | "
            f"{s['nDCG@10']:.4f} | {s['AP@100']:.4f} | {s['R@100']:.4f} | {ev.build_s:.1f} | "
            f"{1000 * ev.search_s / max(ev.queries, 1):.0f} |",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
