"""Ranking lab: score variants of the ranking formula in numpy on IR test collections, in seconds.

Usage::

    python bench/ranking_lab.py ../shared/data/ir/cranfield ../shared/data/ir/cisi ../shared/data/ir/cacm \
        [--work DIR] [--variant NAME ...] [--list]

Each collection is rendered and indexed once with artsearch (:func:`bench.eval_ir.evaluate`, kept
under ``--work``, default ``/tmp/ranking_lab``); the lab then reads, from the Whoosh index, the
postings (frequencies and positions) of every query word in the ``title``, ``text`` and ``meta``
fields and each document's field lengths, parses every query with the production parser
(:func:`search.query.parse_query`: same analysis, stop words, repeated-word weights), and scores
every document in numpy with each variant. Ties are broken by article id and exact duplicates
(``content_hash``) collapsed to their smallest id, as ``Engine.search`` does, so the
``baseline`` variant reproduces ``bench/eval_ir.py``. Metrics: ir-measures nDCG@10, MAP@100, R@100.

The scoring functions take, for the candidate documents of one query, per field the term
frequency array ``tf[field]`` (documents × query words) and the length array ``length[field]``,
per field the average length, the document count ``n_docs``, each word's document frequency
``df`` and query weight ``qtf``; they return one score per document. They port directly to a
numpy scorer at query time.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import ir_measures
from ir_measures import AP, R, nDCG
from whoosh import index as windex
from whoosh import query as wq

from bench.eval_ir import evaluate, read_qrels, read_queries
from indexer.errors import QueryError
from indexer.schema import build_schema
from indexer.store import current_generation
from search.query import make_parser, parse_query
from search.ranking import FIELD_BOOSTS

DEPTH = 100
MEASURES = (nDCG @ 10, AP @ 100, R @ 100)
FIELDS = ("title", "text", "meta")

Array = np.ndarray


# --------------------------------------------------------------------------------------------
# Data: one collection's index statistics and its parsed queries


@dataclass
class Query:
    """One parsed query: its distinct words, their query weights and postings."""

    qid: str
    words: list[str]
    qtf: Array  # (W,) weight of each word: its repeat count (boost) from the parser
    docs: Array  # (C,) candidate document numbers: any word in any field
    tf: dict[str, Array]  # field → (C, W) term frequencies
    df: dict[str, Array]  # field → (W,) document frequency
    positions: dict[str, list[dict[int, Array]]] = field(default_factory=dict)  # field → per word
    # quoted phrases: (indices of their words in ``words``, weight); a phrase adds, in each field
    # where it occurs, the scores of its words (as Whoosh scores a phrase: the sum of its terms)
    phrases: list[tuple[list[int], float]] = field(default_factory=list)


@dataclass
class Collection:
    """A collection's index statistics, queries and judgements."""

    name: str
    n_docs: int
    ids: list[str]
    rank: Array  # document number → rank of its id in sorted (string) order
    hash_group: Array  # document number → duplicate group (content_hash)
    length: dict[str, Array]  # field → (N,) field length (Whoosh's stored, quantised length)
    avglen: dict[str, float]
    queries: list[Query]
    qrels: list[ir_measures.Qrel]


def open_index(collection: Path, work: Path) -> Path:
    """The Whoosh index folder of ``collection``, rendered and built once under ``work``."""
    target = work / collection.name
    if not (target / "index" / "CURRENT").exists():
        ev = evaluate(collection, target)
        logging.getLogger("ranking_lab").warning("built %s: nDCG@10 %.4f", ev.name, ev.scores["nDCG@10"])
    return current_generation(target / "index")


def query_words(text: str, parser: object) -> tuple[list[str], list[float], list[tuple[list[int], float]]]:
    """The distinct words of a parsed query, their weights (repeat count, before field boost) and
    its phrases (word indices, weight). Words only found in phrases weigh 0 on their own."""
    parsed = parse_query(text, parser)  # type: ignore[arg-type]
    weights: dict[str, float] = {}
    phrases: list[tuple[list[str], float]] = []
    for leaf in parsed.leaves():
        if isinstance(leaf, wq.Term) and leaf.fieldname == "text":
            weights[leaf.text] = weights.get(leaf.text, 0.0) + leaf.boost / FIELD_BOOSTS["text"]
        elif isinstance(leaf, wq.Phrase) and leaf.fieldname == "text":
            phrases.append((list(leaf.words), leaf.boost / FIELD_BOOSTS["text"]))
    for words, _ in phrases:
        for w in words:
            weights.setdefault(w, 0.0)
    index = {w: i for i, w in enumerate(weights)}
    return list(weights), list(weights.values()), [([index[w] for w in ws], b) for ws, b in phrases]


def load(collection: Path, work: Path) -> Collection:
    """Read the index statistics and query postings of one collection."""
    ix = windex.open_dir(str(open_index(collection, work)))
    parser = make_parser(build_schema())
    with ix.reader() as reader:
        n = reader.doc_count_all()
        ids = list(reader.column_reader("id"))
        rank = np.empty(n, dtype=np.int64)
        rank[np.array(sorted(range(n), key=ids.__getitem__))] = np.arange(n)
        hashes = list(reader.column_reader("content_hash"))
        groups: dict[str, int] = {}
        hash_group = np.array([groups.setdefault(h or f"#{i}", len(groups)) for i, h in enumerate(hashes)])
        length = {f: np.array([reader.doc_field_length(d, f, 0) for d in range(n)], dtype=float) for f in FIELDS}
        avglen = {f: reader.field_length(f) / n for f in FIELDS}
        queries = []
        for qid, text in read_queries(collection / "queries.jsonl"):
            try:
                words, weights, phrases = query_words(text, parser)
            except QueryError:
                continue
            posts: dict[str, list[dict[int, Array]]] = {}
            for f in FIELDS:
                posts[f] = []
                for w in words:
                    entry: dict[int, Array] = {}
                    if (f, w) in reader:
                        for docnum, pos in reader.postings(f, w).items_as("positions"):
                            entry[docnum] = np.asarray(pos, dtype=np.int64)
                    posts[f].append(entry)
            docs = np.array(sorted({d for f in FIELDS for e in posts[f] for d in e}), dtype=np.int64)
            where = {int(d): i for i, d in enumerate(docs)}
            tf = {}
            df = {}
            for f in FIELDS:
                m = np.zeros((len(docs), len(words)))
                for j, entry in enumerate(posts[f]):
                    for d, pos in entry.items():
                        m[where[d], j] = len(pos)
                tf[f] = m
                df[f] = np.array([len(e) for e in posts[f]], dtype=float)
            queries.append(Query(qid, words, np.array(weights), docs, tf, df, posts, phrases))
    return Collection(
        name=collection.name,
        n_docs=n,
        ids=ids,
        rank=rank,
        hash_group=hash_group,
        length=length,
        avglen=avglen,
        queries=queries,
        qrels=read_qrels(collection / "qrels.tsv"),
    )


# --------------------------------------------------------------------------------------------
# Scoring functions: per-field tf/length arrays and statistics → one score per document


def idf_bm25(n_docs: int, df: Array) -> Array:
    """BM25's (Robertson/Lucene) idf, ``log(1 + (N - n + 0.5) / (n + 0.5))``."""
    return np.log(1.0 + (n_docs - df + 0.5) / (df + 0.5))


def word_df(df: Mapping[str, Array]) -> Array:
    """One document frequency per word: the largest over title and text (as production)."""
    return np.maximum(df["title"], df["text"])


def per_field_bm25(
    tf: Mapping[str, Array],
    length: Mapping[str, Array],
    avglen: Mapping[str, float],
    n_docs: int,
    df: Array,
    qtf: Array,
    *,
    k1: float = 1.2,
    b: Mapping[str, float] = {"title": 0.75, "text": 0.75, "meta": 0.5},
    weights: Mapping[str, float] = FIELD_BOOSTS,
) -> Array:
    """Today's production formula (Whoosh's BM25F): each field saturated on its own, then summed.

    ``score(d) = Σ_w qtf_w · idf_w · Σ_f weight_f · tf·(k1+1) / (tf + k1·(1 − b_f + b_f·len_f/avg_f))``
    """
    idf = idf_bm25(n_docs, df)
    total = np.zeros(len(next(iter(length.values()))))
    for f, wf in weights.items():
        t = tf[f]
        norm = k1 * (1.0 - b[f] + b[f] * length[f] / max(avglen[f], 1e-9))
        total += wf * ((t * (k1 + 1.0)) / (t + norm[:, None]) * (idf * qtf)).sum(axis=1)
    return total


def bm25f(
    tf: Mapping[str, Array],
    length: Mapping[str, Array],
    avglen: Mapping[str, float],
    n_docs: int,
    df: Array,
    qtf: Array,
    *,
    k1: float = 1.2,
    b: Mapping[str, float] = {"title": 0.75, "text": 0.75, "meta": 0.75},
    weights: Mapping[str, float] = {"title": 2.0, "text": 1.0, "meta": 1.0},
) -> Array:
    """True BM25F (Robertson, Zaragoza & Taylor 2004): one saturation per word over all fields.

    ``tf~_w(d) = Σ_f weight_f · tf_f,w(d) / (1 − b_f + b_f·len_f(d)/avg_f)``
    ``score(d) = Σ_w qtf_w · idf_w · tf~·(k1+1) / (tf~ + k1)``
    """
    pseudo = None
    for f, wf in weights.items():
        if wf == 0.0:
            continue
        norm = 1.0 - b[f] + b[f] * length[f] / max(avglen[f], 1e-9)
        part = wf * tf[f] / norm[:, None]
        pseudo = part if pseudo is None else pseudo + part
    assert pseudo is not None
    idf = idf_bm25(n_docs, df)
    return ((pseudo * (k1 + 1.0)) / (pseudo + k1) * (idf * qtf)).sum(axis=1)


# --------------------------------------------------------------------------------------------
# Running a variant


Scorer = Callable[[Collection, Query], Array]  # → scores of query.docs


def rank_docs(coll: Collection, docs: Array, scores: Array, depth: int = DEPTH) -> list[int]:
    """Top ``depth`` document numbers: by score, ties by id; duplicates collapsed to the smallest id."""
    keep = scores > 0
    docs, scores = docs[keep], scores[keep]
    # collapse: per duplicate group keep the member with the smallest id (CollapseCollector by id)
    order = np.lexsort((coll.rank[docs], coll.hash_group[docs]))
    g = coll.hash_group[docs][order]
    first = np.ones(len(order), dtype=bool)
    first[1:] = g[1:] != g[:-1]
    sel = order[first]
    docs, scores = docs[sel], scores[sel]
    top = np.lexsort((coll.rank[docs], -np.round(scores, 9)))[:depth]
    return [int(d) for d in docs[top]]


def run_variant(coll: Collection, scorer: Scorer) -> list[ir_measures.ScoredDoc]:
    run = []
    for q in coll.queries:
        ranked = rank_docs(coll, q.docs, scorer(coll, q))
        run.extend(ir_measures.ScoredDoc(q.qid, coll.ids[d], float(DEPTH - r)) for r, d in enumerate(ranked))
    return run


def measure(coll: Collection, scorer: Scorer) -> dict[str, float]:
    scores = ir_measures.calc_aggregate(MEASURES, coll.qrels, run_variant(coll, scorer))
    return {str(m): float(scores[m]) for m in MEASURES}


def candidate_stats(coll: Collection, q: Query) -> tuple[dict[str, Array], dict[str, Array]]:
    """``tf`` and ``length`` per field for the query's candidate documents."""
    return q.tf, {f: coll.length[f][q.docs] for f in FIELDS}


def phrase_mask(q: Query, f: str, idx: list[int]) -> Array:
    """Which candidate documents hold the phrase (its words at consecutive positions) in field ``f``."""
    first = q.positions[f][idx[0]]
    found = np.zeros(len(q.docs), dtype=bool)
    for d, pos in first.items():
        starts = pos
        for k, j in enumerate(idx[1:], start=1):
            nxt = q.positions[f][j].get(d)
            if nxt is None:
                starts = starts[:0]
                break
            starts = starts[np.isin(starts + k, nxt)]
        if len(starts):
            found[np.searchsorted(q.docs, d)] = True
    return found


Formula = Callable[..., Array]  # (tf, length, avglen, n_docs, df, qtf) → scores


def score_query(coll: Collection, q: Query, formula: Formula) -> Array:
    """Bag-of-words scores of the query's words plus, per quoted phrase, the scores of its words in
    the fields where it occurs (Whoosh scores a phrase match as the sum of its terms' scores)."""
    tf, length = candidate_stats(coll, q)
    df = word_df(q.df)
    scores = formula(tf, length, coll.avglen, coll.n_docs, df, q.qtf)
    for idx, weight in q.phrases:
        qtf = np.zeros(len(q.words))
        np.add.at(qtf, idx, weight)
        masked = {f: tf[f] * phrase_mask(q, f, idx)[:, None] for f in FIELDS}
        scores = scores + formula(masked, length, coll.avglen, coll.n_docs, df, qtf)
    return scores


def variant(formula: Formula, **params: object) -> Scorer:
    """A scorer from a formula and its parameters."""
    return lambda coll, q: score_query(coll, q, lambda *a: formula(*a, **params))


def baseline(coll: Collection, q: Query) -> Array:
    """Today's production ranking."""
    return score_query(coll, q, per_field_bm25)


VARIANTS: dict[str, Scorer] = {"baseline": baseline}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("collections", nargs="+", type=Path)
    parser.add_argument("--work", type=Path, default=Path("/tmp/ranking_lab"))
    parser.add_argument("--variant", action="append", default=None, help="variant name (repeatable)")
    parser.add_argument("--list", action="store_true", help="list the variants and exit")
    args = parser.parse_args(argv)
    if args.list:
        print("\n".join(VARIANTS))
        return 0
    logging.basicConfig(level=logging.WARNING, format="%(name)s: %(message)s")
    started = time.perf_counter()
    colls = [load(c, args.work) for c in args.collections]
    print(f"loaded in {time.perf_counter() - started:.1f}s", file=sys.stderr)
    names = args.variant or list(VARIANTS)
    print("| variant | " + " | ".join(f"{c.name} nDCG@10 / MAP@100 / R@100" for c in colls) + " |")
    print("|---|" + "---|" * len(colls))
    for name in names:
        row = []
        for c in colls:
            s = measure(c, VARIANTS[name])
            row.append(f"{s['nDCG@10']:.4f} / {s['AP@100']:.4f} / {s['R@100']:.4f}")
        print(f"| {name} | " + " | ".join(row) + " |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
