"""BM25F scoring with numpy: the same scores as the Whoosh path (``search/ranking.py``), faster.

A query the fast path can answer is a tree of weighted ``(field, term)`` leaves combined by OR
(scores add up), AND (all must match; scores add up) and AND NOT (the right side only excludes):
see :func:`plan`. :func:`evaluate` scores every matching document — no block skipping, so the
top N are exact — with the per-field parameters (idf, average length, ``B``, ``K1``) read from the
searcher's own weighting model, so both paths always use the same statistics.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from whoosh import query as wq
from whoosh import scoring
from whoosh.searching import Searcher

from indexer.schema import TEXT_FIELDS
from search.postings import IndexArrays
from search.ranking import LiveBM25FScorer

# Whoosh scorers whose per-posting formula is exactly :func:`bm25_field`.
_BM25F_SCORERS = (scoring.BM25FScorer, LiveBM25FScorer)


class Unsupported(Exception):
    """The weighting model scores a term in a way :func:`bm25_field` does not reproduce."""


@dataclass(frozen=True)
class Leaf:
    """One weighted term of one field."""

    field: str
    text: str
    boost: float


@dataclass(frozen=True)
class Node:
    """``op`` is ``or`` / ``and`` (children scored and summed) or ``andnot`` (first child minus the rest)."""

    op: str
    children: tuple[Leaf | Node, ...]


Plan = Leaf | Node
MAX_CACHED_PARAMS = 100_000


@dataclass(frozen=True)
class FieldParams:
    """BM25 parameters of one term in one field, as the weighting model computed them."""

    idf: float
    avgfl: float
    b: float
    k1: float


def bm25_field(
    tf: npt.NDArray[np.float64], length: npt.NDArray[np.float64], p: FieldParams
) -> npt.NDArray[np.float64]:
    """BM25 of one term in one field for each posting (``ArticleBM25F``'s per-field score).

    The operations are in Whoosh's order (``whoosh.scoring.bm25``) so scores are bit-identical.
    The field boost is applied by the caller (``score * boost``, as Whoosh's wrapping matcher does).
    """
    return p.idf * ((tf * (p.k1 + 1)) / (tf + p.k1 * ((1 - p.b) + p.b * length / p.avgfl)))


def plan(query: wq.Query) -> Plan | None:
    """The scoring plan of ``query``, or ``None`` when the fast path cannot answer it exactly.

    Supported: terms of the text fields, OR (without a coordination ``scale`` or ``minmatch``),
    AND, and AND NOT of those. Phrases, prefixes, fuzzy terms, filter-field terms and the rest
    go to the Whoosh path.
    """
    if type(query) is wq.Term:
        if query.fieldname not in TEXT_FIELDS or not isinstance(query.text, str):
            return None
        return Leaf(query.fieldname, query.text, float(query.boost))
    if type(query) in (wq.Or, wq.And):
        if query.boost != 1.0 or getattr(query, "scale", None) or getattr(query, "minmatch", 0):
            return None
        children = [plan(q) for q in query.subqueries]
        if not children or any(c is None for c in children):
            return None
        return Node("or" if type(query) is wq.Or else "and", tuple(c for c in children if c is not None))
    if type(query) is wq.AndNot:
        positive, negative = plan(query.a), plan(query.b)
        if positive is None or negative is None or query.boost != 1.0:
            return None
        return Node("andnot", (positive, negative))
    return None


@dataclass
class Scored:
    """Dense per-document scores and the mask of matching documents."""

    scores: npt.NDArray[np.float64]
    matched: npt.NDArray[np.bool_]


class Scorer:
    """Scores plans over one :class:`IndexArrays` with one searcher's weighting model."""

    def __init__(self, arrays: IndexArrays, searcher: Searcher) -> None:
        self.arrays = arrays
        self.searcher = searcher
        self.weighting = searcher.weighting
        self._params: dict[tuple[str, str], FieldParams | None] = {}

    def params(self, field: str, text: str) -> FieldParams | None:
        """The BM25 parameters the weighting model uses for this term (``None``: not BM25F).

        Cached: the statistics of an open searcher do not change.
        """
        key = (field, text)
        if key not in self._params:
            if len(self._params) >= MAX_CACHED_PARAMS:
                self._params.clear()
            scorer = self.weighting.scorer(self.searcher, field, text)
            self._params[key] = (
                FieldParams(float(scorer.idf), float(scorer.avgfl), float(scorer.B), float(scorer.K1))
                if type(scorer) in _BM25F_SCORERS  # another scorer may score differently: Whoosh path
                else None
            )
        return self._params[key]

    def leaf_scores(self, leaf: Leaf) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.float64]]:
        """(documents, boosted scores) of one leaf's postings."""
        posting = self.arrays.postings(leaf.field, leaf.text)
        if not len(posting.docs):
            return posting.docs, np.zeros(0)
        p = self.params(leaf.field, leaf.text)
        if p is None:
            raise Unsupported(f"{leaf.field}:{leaf.text} is not scored by Whoosh's BM25FScorer")
        length = self.arrays.lengths(leaf.field)[posting.docs]
        score = bm25_field(posting.tf.astype(np.float64), length, p)
        return posting.docs, score * leaf.boost if leaf.boost != 1.0 else score

    def evaluate(self, node: Plan) -> Scored:
        """Scores and matches of every document for ``node``."""
        n = self.arrays.doc_count_all
        if isinstance(node, Leaf) or (node.op == "or" and all(isinstance(c, Leaf) for c in node.children)):
            leaves = [node] if isinstance(node, Leaf) else list(node.children)
            parts = [self.leaf_scores(leaf) for leaf in leaves if isinstance(leaf, Leaf)]
            docs = np.concatenate([d for d, _ in parts])
            weights = np.concatenate([s for _, s in parts])
            scores: npt.NDArray[np.float64] = (
                np.bincount(docs, weights=weights, minlength=n).astype(np.float64, copy=False)
                if len(docs)
                else np.zeros(n)
            )
            matched = np.zeros(n, dtype=bool)
            matched[docs] = True
            return Scored(scores, matched)
        children = [self.evaluate(c) for c in node.children]
        if node.op == "andnot":
            first = children[0]
            for other in children[1:]:
                first.matched &= ~other.matched
            return first
        total = children[0]
        for other in children[1:]:
            total.scores = total.scores + other.scores
            total.matched = (
                total.matched | other.matched if node.op == "or" else total.matched & other.matched
            )
        return total
