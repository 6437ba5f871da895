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
import itertools
import logging
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
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
from search.bm25f import bm25f_scores
from search.query import make_parser, parse_query
from search.ranking import BM25F_B, BM25F_K1, BM25F_WEIGHTS, FIELD_B, FIELD_BOOSTS, K1, B

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
    # field → word → (document numbers, term frequencies): the whole inverted index (for feedback)
    postings: dict[str, dict[str, tuple[Array, Array]]] = field(default_factory=dict)

    def word_query(self, qid: str, words: list[str], qtf: Array) -> Query:
        """A bag-of-words query (no phrases, no positions) over any words of the index."""
        docs = np.unique(
            np.concatenate(
                [self.postings[f][w][0] for f in FIELDS for w in words if w in self.postings[f]]
                or [np.zeros(0, np.int64)]
            )
        )
        tf = {}
        df = {}
        for f in FIELDS:
            m = np.zeros((len(docs), len(words)))
            d = np.zeros(len(words))
            for j, w in enumerate(words):
                if w in self.postings[f]:
                    pd, pt = self.postings[f][w]
                    m[np.searchsorted(docs, pd), j] = pt
                    d[j] = len(pd)
            tf[f] = m
            df[f] = d
        return Query(qid, words, qtf, docs, tf, df)


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
        length = {
            f: np.array([reader.doc_field_length(d, f, 0) for d in range(n)], dtype=float) for f in FIELDS
        }
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
        postings = {}
        for f in FIELDS:
            postings[f] = {}
            for btext in reader.lexicon(f):
                m = reader.postings(f, btext)
                pairs = np.array(list(m.items_as("frequency")), dtype=np.int64).reshape(-1, 2)
                postings[f][btext.decode("utf-8")] = (pairs[:, 0], pairs[:, 1].astype(float))
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
        postings=postings,
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
    """The production formula (Whoosh's BM25F): each field saturated on its own, then summed.

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
    k1: float = BM25F_K1,
    b: Mapping[str, float] = BM25F_B,
    weights: Mapping[str, float] = BM25F_WEIGHTS,
) -> Array:
    """True BM25F (Robertson, Zaragoza & Taylor 2004): one saturation per word over all fields.

    ``tf~_w(d) = Σ_f weight_f · tf_f,w(d) / (1 − b_f + b_f·len_f(d)/avg_f)``
    ``score(d) = Σ_w qtf_w · idf_w · tf~·(k1+1) / (tf~ + k1)``

    The implementation is production's :func:`search.bm25f.bm25f_scores` (defaults: the chosen
    parameters of search/ranking.py).
    """
    return bm25f_scores(tf, length, avglen, n_docs, df, qtf, k1=k1, b=b, weights=weights)


# --------------------------------------------------------------------------------------------
# Running a variant


Scorer = Callable[[Collection, Query], Array]  # → scores of every document (0: not found)


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
    everyone = np.arange(coll.n_docs)
    for q in coll.queries:
        ranked = rank_docs(coll, everyone, scorer(coll, q))
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
    full = np.zeros(coll.n_docs)
    full[q.docs] = scores
    return full


def variant(formula: Formula, **params: object) -> Scorer:
    """A scorer from a formula and its parameters."""
    return lambda coll, q: score_query(coll, q, lambda *a: formula(*a, **params))


def baseline(coll: Collection, q: Query) -> Array:
    """The production ranking before this lab (k1 1.2, b 0.75; reproduces eval_ir at a01616d)."""
    return score_query(coll, q, per_field_bm25)


def production(coll: Collection, q: Query) -> Array:
    """The production ranking: Whoosh's per-field BM25F with the constants of search/ranking.py."""
    b = {"text": B, **FIELD_B}
    return score_query(coll, q, lambda *a: per_field_bm25(*a, k1=K1, b=b, weights=FIELD_BOOSTS))


# --------------------------------------------------------------------------------------------
# Pseudo-relevance feedback (RM3: Lavrenko & Croft 2001; Abdul-Jaleel et al. 2004)


def forward_index(coll: Collection, f: str) -> tuple[Array, Array, Array, list[str]]:
    """The field's postings as parallel arrays (document, word id, tf) and the word list."""
    cache = coll.__dict__.setdefault("_forward", {})
    if f not in cache:
        words = sorted(coll.postings[f])
        docs, ids, tfs = [], [], []
        for i, w in enumerate(words):
            d, t = coll.postings[f][w]
            docs.append(d)
            ids.append(np.full(len(d), i))
            tfs.append(t)
        cache[f] = (np.concatenate(docs), np.concatenate(ids), np.concatenate(tfs), words)
    return cache[f]


def rm3_terms(
    coll: Collection, top: Array, weights: Array, n_terms: int, fields: tuple[str, ...] = ("title", "text")
) -> dict[str, float]:
    """The RM1 feedback model of the top documents: ``P(w|R) ∝ Σ_d P(w|d)·weight_d`` (fields merged),
    keeping the ``n_terms`` most likely words, normalised to sum 1."""
    model: dict[str, float] = {}
    for f in fields:
        docs, ids, tfs, words = forward_index(coll, f)
        sel = np.isin(docs, top)
        d, i, t = docs[sel], ids[sel], tfs[sel]
        lens = sum(coll.length[g][d] for g in fields)
        w = weights[np.searchsorted(top, d)] if len(top) else np.zeros(0)
        mass = np.bincount(i, weights=t / np.maximum(lens, 1) * w, minlength=len(words))
        for j in np.nonzero(mass)[0]:
            model[words[j]] = model.get(words[j], 0.0) + float(mass[j])
    best = sorted(model.items(), key=lambda kv: (-kv[1], kv[0]))[:n_terms]
    total = sum(v for _, v in best) or 1.0
    return {w: v / total for w, v in best}


def rm3(
    first: Scorer,
    formula: Formula,
    *,
    docs: int = 10,
    terms: int = 10,
    orig: float = 0.5,
    min_df: int = 2,
    min_chars: int = 1,
    alpha: bool = False,
) -> Scorer:
    """Score with ``first``; from its top ``docs`` documents (weights: their scores, normalised) take
    the ``terms`` best feedback words; score again the mixture ``orig·q/|q| + (1 − orig)·feedback``."""

    def scorer(coll: Collection, q: Query) -> Array:
        s = first(coll, q)
        top = np.lexsort((coll.rank, -s))[:docs]
        top = top[s[top] > 0]
        w = s[top] / max(s[top].sum(), 1e-12)
        sort = np.argsort(top)
        fb = rm3_terms(coll, top[sort], w[sort], terms * 3)
        fb = {
            t: v
            for t, v in fb.items()
            if len(coll.postings["text"].get(t, ((),))[0]) >= min_df
            and len(t) >= min_chars
            and (t.isalpha() or not alpha)
        }
        fb = dict(list(fb.items())[:terms])
        total = sum(fb.values()) or 1.0
        scale = orig / max(q.qtf.sum(), 1e-12)
        qtf = q.qtf * scale
        extra: dict[str, float] = {}
        for t, v in fb.items():
            if t in q.words:
                qtf[q.words.index(t)] += (1.0 - orig) * v / total
            else:
                extra[t] = (1.0 - orig) * v / total
        # the original query (phrases included) with its new weights, plus the new words
        again = replace(q, qtf=qtf, phrases=[(idx, w * scale) for idx, w in q.phrases])
        full = score_query(coll, again, formula)
        if extra:
            eq = coll.word_query(q.qid, list(extra), np.array(list(extra.values())))
            full[eq.docs] += formula(
                *candidate_stats(coll, eq), coll.avglen, coll.n_docs, word_df(eq.df), eq.qtf
            )
        return full

    return scorer


# --------------------------------------------------------------------------------------------
# Term proximity (Büttcher, Clarke & Lushman 2006): a BM25-like bonus for query words close together


def proximity_acc(q: Query, f: str, doc: int, w: Array) -> Array:
    """Per query word, the accumulated proximity ``Σ w(t')/dist²`` over adjacent occurrences of
    two different query words in field ``f`` of ``doc`` (each pair credits both words)."""
    occ = [(p, j) for j in range(len(q.words)) for p in q.positions[f][j].get(doc, ())]
    acc = np.zeros(len(q.words))
    if len(occ) < 2:
        return acc
    occ.sort()
    for (p0, j0), (p1, j1) in itertools.pairwise(occ):
        if j0 != j1 and p1 > p0:
            d2 = float(p1 - p0) ** 2
            acc[j1] += w[j0] / d2
            acc[j0] += w[j1] / d2
    return acc


def with_proximity(
    first: Scorer,
    *,
    weight: float = 1.0,
    k1: float = 1.2,
    b: float = 0.75,
    depth: int = 100,
    fields: Mapping[str, float] = {"text": 1.0},
) -> Scorer:
    """``first`` plus, for its top ``depth`` documents, ``weight · Σ_t min(1, idf_t)·qtf_t ·
    acc_t·(k1+1)/(acc_t + K)`` with ``acc_t`` from :func:`proximity_acc` (idf as the word weight)."""

    def scorer(coll: Collection, q: Query) -> Array:
        s = first(coll, q).copy()
        idf = idf_bm25(coll.n_docs, word_df(q.df))
        for d in np.lexsort((coll.rank, -s))[:depth]:
            if s[d] <= 0:
                continue
            bonus = 0.0
            for f, wf in fields.items():
                acc = proximity_acc(q, f, d, idf * (q.qtf > 0))
                if not acc.any():
                    continue
                kk = k1 * (1 - b + b * coll.length[f][d] / coll.avglen[f])
                bonus += wf * float((np.minimum(1.0, idf) * q.qtf * acc * (k1 + 1) / (acc + kk)).sum())
            s[d] += weight * bonus
        return s

    return scorer


# The chosen formula: production's BM25F with its defaults (search/ranking.py, search/bm25f.py).
chosen = bm25f_scores


def _bm25f(k1: float, b_title: float, b_text: float, w_title: float, w_meta: float = 0.5) -> Scorer:
    return variant(
        bm25f,
        k1=k1,
        b={"title": b_title, "text": b_text, "meta": 0.5},
        weights={"title": w_title, "text": 1.0, "meta": w_meta},
    )


VARIANTS: dict[str, Scorer] = {
    "baseline (before: per-field k1=1.2 b=0.75)": baseline,
    "production (per-field k1=1.6 b=1.0/0.5)": production,
    "per-field k1=1.2 b=0.75 title=2": variant(
        per_field_bm25, weights={"title": 2.0, "text": 1.0, "meta": 0.5}
    ),
    "per-field k1=2.0 b=0.75/0.5": variant(
        per_field_bm25, k1=2.0, b={"title": 0.75, "text": 0.5, "meta": 0.5}
    ),
    "per-field k1=2.0 b=1.0/0.5": variant(per_field_bm25, k1=2.0, b={"title": 1.0, "text": 0.5, "meta": 0.5}),
    "bm25f k1=1.2 b=0.75 title=1": _bm25f(1.2, 0.75, 0.75, 1.0),
    "bm25f k1=1.2 b=0.75 title=2": _bm25f(1.2, 0.75, 0.75, 2.0),
    "bm25f k1=1.2 b=1.0/0.5 title=2": _bm25f(1.2, 1.0, 0.5, 2.0),
    "bm25f k1=0.9 b=0.4 title=2 (Anserini's k1/b)": _bm25f(0.9, 0.4, 0.4, 2.0),
    "bm25f k1=1.6 b=1.0/0.5 title=2": _bm25f(1.6, 1.0, 0.5, 2.0),
    "bm25f k1=2.0 b=1.0/0.5 title=2 (chosen)": variant(chosen),
    "bm25f k1=2.5 b=1.0/0.5 title=2": _bm25f(2.5, 1.0, 0.5, 2.0),
    "bm25f k1=2.0 b=1.0/0.4 title=2": _bm25f(2.0, 1.0, 0.4, 2.0),
    "bm25f k1=2.0 b=1.0/0.6 title=2": _bm25f(2.0, 1.0, 0.6, 2.0),
    "bm25f k1=2.0 b=0.75/0.5 title=2": _bm25f(2.0, 0.75, 0.5, 2.0),
    "bm25f k1=2.0 b=1.0/0.75 title=2": _bm25f(2.0, 1.0, 0.75, 2.0),
    "bm25f k1=2.0 b=1.0/0.5 title=1": _bm25f(2.0, 1.0, 0.5, 1.0),
    "bm25f k1=2.0 b=1.0/0.5 title=3": _bm25f(2.0, 1.0, 0.5, 3.0),
    "bm25f k1=2.0 b=1.0/0.5 title=2 meta=0": _bm25f(2.0, 1.0, 0.5, 2.0, 0.0),
    "chosen + proximity 0.25 (Büttcher)": with_proximity(variant(chosen), weight=0.25),
    "chosen + proximity 1.0 (Büttcher)": with_proximity(variant(chosen), weight=1.0),
    "chosen + RM3 10 docs/10 terms/0.5": rm3(variant(chosen), chosen),
    "chosen + RM3 5 docs/10 terms/0.8": rm3(variant(chosen), chosen, docs=5, terms=10, orig=0.8),
    "chosen + RM3 10 docs/10 terms/0.9": rm3(variant(chosen), chosen, docs=10, terms=10, orig=0.9),
}


def shorten(coll: Collection, words: int) -> Collection:
    """The collection with each query cut to its ``words`` rarest distinct words, weight 1, no
    phrases: a stand-in for the short queries users type into a site's search box."""
    queries = []
    for q in coll.queries:
        df = word_df(q.df)
        keep = sorted(np.argsort(np.where(q.qtf > 0, df, np.inf), kind="stable")[:words].tolist())
        keep = [j for j in keep if q.qtf[j] > 0]
        queries.append(
            replace(
                q,
                words=[q.words[j] for j in keep],
                qtf=np.ones(len(keep)),
                tf={f: q.tf[f][:, keep] for f in FIELDS},
                df={f: q.df[f][keep] for f in FIELDS},
                positions={f: [q.positions[f][j] for j in keep] for f in FIELDS},
                phrases=[],
            )
        )
    return replace(coll, queries=queries)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("collections", nargs="+", type=Path)
    parser.add_argument("--work", type=Path, default=Path("/tmp/ranking_lab"))
    parser.add_argument("--variant", action="append", default=None, help="variant name (repeatable)")
    parser.add_argument("--list", action="store_true", help="list the variants and exit")
    parser.add_argument("--short", type=int, default=0, help="cut each query to its N rarest words")
    args = parser.parse_args(argv)
    if args.list:
        print("\n".join(VARIANTS))
        return 0
    logging.basicConfig(level=logging.WARNING, format="%(name)s: %(message)s")
    started = time.perf_counter()
    colls = [load(c, args.work) for c in args.collections]
    if args.short:
        colls = [shorten(c, args.short) for c in colls]
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
