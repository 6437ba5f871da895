"""Evaluate related articles on IR test collections and on the sample site's Recommend lists.

Two documents judged relevant to the same query count as related. For every query with at least
two relevant documents and each of them, ``d``, the related list of ``d`` (top 10) is scored with
precision@10 and nDCG@10 (ir-measures) against the query's *other* relevant documents, and the
scores are averaged over all (query, d) pairs. The baseline is Whoosh's plain
``searcher.more_like(docnum, "text")`` on the same index.

    python bench/eval_related.py ../shared/data/ir/cranfield ../shared/data/ir/cisi ../shared/data/ir/cacm
    python bench/eval_related.py --site corpus
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import ir_measures
from ir_measures import P, ScoredDoc, nDCG
from whoosh import index as whoosh_index

from bench.render import read_documents, render_corpus
from indexer import store
from indexer.documents import link_key
from search import Engine, related

MEASURES = [P @ 10, nDCG @ 10]


def read_qrels(path: Path) -> dict[str, dict[str, int]]:
    """Relevant documents (relevance > 0) of each query."""
    qrels: dict[str, dict[str, int]] = defaultdict(dict)
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            qid, doc, rel = line.split("\t")[:3]
            if int(rel) > 0:
                qrels[qid][doc] = int(rel)
    return qrels


def pairs_of(qrels: dict[str, dict[str, int]], indexed: set[str]) -> dict[str, tuple[str, dict[str, int]]]:
    """Pseudo-queries ``q:d`` → (d, the other relevant documents of q with their grades)."""
    out: dict[str, tuple[str, dict[str, int]]] = {}
    for qid, docs in sorted(qrels.items()):
        if len(docs) < 2:
            continue
        for doc in sorted(docs):
            if doc in indexed:
                out[f"{qid}:{doc}"] = (doc, {d: r for d, r in docs.items() if d != doc})
    return out


def evaluate(run: dict[str, list[tuple[str, float]]], pairs: dict[str, tuple[str, dict[str, int]]]) -> dict:
    """Mean P@10 and nDCG@10 over the pseudo-queries."""
    qrels = [ir_measures.Qrel(pq, d, r) for pq, (_, rel) in pairs.items() for d, r in rel.items()]
    scored = [
        ScoredDoc(pq, doc, 1000.0 - rank) for pq, docs in run.items() for rank, (doc, _) in enumerate(docs)
    ]
    agg = ir_measures.calc_aggregate(MEASURES, qrels, scored)
    # pseudo-queries with an empty run count as 0 (ir-measures skips them)
    n_run = len({s.query_id for s in scored})
    scale = n_run / len(pairs) if pairs else 0.0
    return {str(m): round(v * scale, 4) for m, v in agg.items()}


def eval_collection(collection: Path, work: Path, limit: int) -> dict:
    """Render, index and evaluate one collection; returns the figures of ours and the baseline."""
    pages, index_dir = work / collection.name / "pages", work / collection.name / "index"
    render_corpus(read_documents(collection / "docs.jsonl"), pages)
    engine = Engine(index_dir)
    report = engine.build(pages)
    ix = whoosh_index.open_dir(str(store.current_generation(index_dir)))
    with ix.searcher() as searcher:
        indexed = {f["id"] for f in searcher.all_stored_fields()}
        pairs = pairs_of(read_qrels(collection / "qrels.tsv"), indexed)
        docs = sorted({d for d, _ in pairs.values()})
        base_run: dict[str, list[tuple[str, float]]] = {}
        ours_run: dict[str, list[tuple[str, float]]] = {}
        started = time.perf_counter()
        base_by_doc = {}
        for doc in docs:
            docnum = searcher.document_number(id=doc)
            hits = searcher.more_like(docnum, "text", top=limit)
            base_by_doc[doc] = [(h["id"], h.score) for h in hits]
        base_s = time.perf_counter() - started
        started = time.perf_counter()
        ours_by_doc = {d: [(r.id, r.score) for r in engine.related(d, limit).related] for d in docs}
        ours_s = time.perf_counter() - started
    for pq, (doc, _) in pairs.items():
        base_run[pq], ours_run[pq] = base_by_doc[doc], ours_by_doc[doc]
    base, ours = evaluate(base_run, pairs), evaluate(ours_run, pairs)
    engine.close()
    return {
        "collection": collection.name,
        "indexed": report.indexed,
        "skipped": len(report.skipped),
        "pairs": len(pairs),
        "baseline": base,
        "ours": ours,
        "ratio_P@10": round(ours["P@10"] / base["P@10"], 3) if base["P@10"] else None,
        "ms_per_doc": {
            "baseline": round(1000 * base_s / len(docs), 2),
            "ours": round(1000 * ours_s / len(docs), 2),
        },
    }


def eval_site(corpus: Path, work: Path, limit: int, *, links: bool = True) -> dict:
    """On a site corpus: how much of the page's own Recommend list its related top-N holds.

    With ``links=False`` the link-graph weights are set to 0 (content and category only).
    """
    if not links:
        related.LINK_WEIGHTS = dict.fromkeys(related.LINK_WEIGHTS, 0.0)
        related.CO_CITED_WEIGHT = 0.0
    engine = Engine(work / "site-index")
    if not engine.exists():
        engine.build(corpus)
    precision, recall, capped = [], [], []
    for stored in _all_articles(engine):
        art = engine.get(stored)
        recs = {link_key(u) for u in art.links.recommended} - {art.id.casefold()}
        if not recs:
            continue
        got = [r.id.casefold() for r in engine.related(art.id, limit).related]
        hit = len(recs & set(got))
        precision.append(hit / max(len(got), 1))
        recall.append(hit / len(recs))
        capped.append(hit / min(len(recs), limit))
    engine.close()
    return {
        "corpus": str(corpus),
        "pages_with_recommend": len(precision),
        f"share_of_top{limit}_in_recommend": round(statistics.fmean(precision), 4) if precision else None,
        "recall_of_recommend": round(statistics.fmean(recall), 4) if recall else None,
        f"recall_of_recommend_capped_at_{limit}": round(statistics.fmean(capped), 4) if capped else None,
        "link_signal": links,
    }


def _all_articles(engine: Engine) -> list[str]:
    ix = whoosh_index.open_dir(str(store.current_generation(engine.index_dir)))
    with ix.searcher() as searcher:
        return sorted(f["id"] for f in searcher.all_stored_fields())


def main(argv: list[str] | None = None) -> int:
    """Command line: collections as arguments, ``--site CORPUS`` for a scraped site."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "collections", nargs="*", type=Path, help="IR collection folders (docs.jsonl, qrels.tsv)"
    )
    parser.add_argument("--site", type=Path, default=None, help="a site corpus with Recommend lists")
    parser.add_argument("--limit", type=int, default=10)
    parser.add_argument("--work", type=Path, default=None, help="working folder [default: a temporary one]")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="eval-related-") as tmp:
        work = args.work or Path(tmp)
        for collection in args.collections:
            print(json.dumps(eval_collection(collection, work, args.limit)), flush=True)
        if args.site:
            print(json.dumps(eval_site(args.site, work, args.limit)), flush=True)
            print(json.dumps(eval_site(args.site, work, args.limit, links=False)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
