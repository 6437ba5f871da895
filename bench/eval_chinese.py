"""Chinese relevance check: recall@10 and MRR of Chinese queries over the bundled corpus.

Queries and their relevant articles are in ``bench/chinese_queries.tsv`` (query TAB ids).
The whole corpus (English and Chinese pages) is indexed and searched, as a user would.
Metrics come from ir-measures (the ``bench`` extra).

    python bench/eval_chinese.py            # build a temporary index of corpus/ and evaluate
    python bench/eval_chinese.py --misses   # also list the queries whose articles are missed
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import ir_measures
from ir_measures import RR, R

from search import Engine

ROOT = Path(__file__).resolve().parent.parent
QUERIES = Path(__file__).resolve().parent / "chinese_queries.tsv"


def load_queries(path: Path) -> list[tuple[str, list[str]]]:
    """``(query, relevant ids)`` pairs from a TSV file (``#`` lines are comments)."""
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        query, ids = line.split("\t")
        out.append((query.strip(), ids.split()))
    return out


def evaluate(engine: Engine, queries: list[tuple[str, list[str]]]) -> tuple[dict, list[tuple[str, list[str]]]]:
    """Aggregate recall@10 and MRR, and the per-query top-10 ids."""
    qrels, run, tops = [], [], []
    for n, (query, relevant) in enumerate(queries):
        qid = f"q{n}"
        qrels += [ir_measures.Qrel(qid, doc, 1) for doc in relevant]
        hits = engine.search(query, limit=10).hits
        run += [ir_measures.ScoredDoc(qid, h.id, float(10 - rank)) for rank, h in enumerate(hits)]
        tops.append((query, [h.id for h in hits]))
    scores = ir_measures.calc_aggregate([R @ 10, RR], qrels, run)
    return {str(k): v for k, v in scores.items()}, tops


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=ROOT / "corpus")
    parser.add_argument("--queries", type=Path, default=QUERIES)
    parser.add_argument("--misses", action="store_true", help="list queries with a relevant article missed")
    args = parser.parse_args()
    queries = load_queries(args.queries)
    with tempfile.TemporaryDirectory() as tmp, Engine(Path(tmp) / "index") as engine:
        engine.build(args.corpus, workers=1)
        scores, tops = evaluate(engine, queries)
    print(f"queries: {len(queries)}")
    print(f"recall@10: {scores['R@10']:.3f}")
    print(f"MRR: {scores['RR']:.3f}")
    if args.misses:
        for (query, relevant), (_, top) in zip(queries, tops, strict=True):
            missed = [doc for doc in relevant if doc not in top]
            first = next((i + 1 for i, doc in enumerate(top) if doc in relevant), None)
            if missed or first != 1:
                print(f"  {query}\tfirst relevant at {first}\tmissed {missed}\ttop3 {top[:3]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
