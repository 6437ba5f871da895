"""True BM25F scoring with numpy (the formula of :mod:`search.bm25f`, over posting arrays).

Each query word's field-weighted, length-normalised term frequencies are added up over its fields and
saturated once (``BM25F_*`` in :mod:`search.ranking`). A query the fast path can match itself is a
tree of weighted ``(field, term)`` leaves combined by OR (scores add up), AND (all must match;
scores add up) and AND NOT (the right side only excludes): see :func:`plan`. Other queries (phrases,
filter fields, ...) are matched by Whoosh and scored here (:meth:`Scorer.score_matched`). Every
matching document is scored — no block skipping, so the top N are exact. The idf and average field
lengths come from the searcher's weighting model (live statistics, :mod:`search.livestats`).
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from whoosh import query as wq
from whoosh import scoring
from whoosh.searching import Searcher

from indexer.schema import TEXT_FIELDS
from search.bm25f import length_norm, normalised_tf, saturate
from search.livestats import live_stats
from search.postings import IndexArrays
from search.ranking import (
    BM25F_B,
    BM25F_WEIGHTS,
    FIELD_BOOSTS,
    IDF_FIELDS,
    ArticleBM25F,
    LiveBM25FScorer,
    robertson_idf,
)

# Whoosh scorers whose idf and average field length the numpy scorer reads.
_BM25F_SCORERS = (scoring.BM25FScorer, LiveBM25FScorer)


class Unsupported(Exception):
    """The weighting model is not the BM25F model whose statistics the numpy scorer reads."""


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
WORD_CACHE_BYTES = 256 << 20  # scored words kept per searcher (~170 MB for the 1,000 benchmark queries at 100k)
DENSE_SHARE = 10  # a word's fields are added in a dense array when their postings pass 1/10 of the documents
DENSE_WORD_SHARE = 2  # a word's scores are kept for every document when its postings pass half of them


@dataclass(frozen=True)
class FieldParams:
    """Statistics of one term in one field, as the weighting model computed them (live documents);
    the BM25F constants themselves are ``BM25F_*`` of :mod:`search.ranking`."""

    idf: float
    avgfl: float


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


@dataclass(frozen=True)
class WordScores:
    """One query word's scores: sparse (``docs`` ascending, ``scores`` theirs) or, for a word in
    many documents, dense (``docs`` is ``None``, ``scores`` has every document's, 0.0 where the
    word does not occur, and ``present`` marks where it does)."""

    scores: npt.NDArray[np.float64]
    docs: npt.NDArray[np.int64] | None = None
    present: npt.NDArray[np.bool_] | None = None

    @property
    def nbytes(self) -> int:
        return sum(a.nbytes for a in (self.scores, self.docs, self.present) if a is not None)


class Scorer:
    """Scores plans over one :class:`IndexArrays` with one searcher's weighting model."""

    def __init__(self, arrays: IndexArrays, searcher: Searcher) -> None:
        self.arrays = arrays
        self.searcher = searcher
        self.weighting = searcher.weighting
        self._params: dict[tuple[str, str], FieldParams | None] = {}
        self._words: OrderedDict[tuple[Leaf, ...], WordScores] = OrderedDict()
        self._words_bytes = 0
        self._norms: dict[tuple[str, float, float], npt.NDArray[np.float64]] = {}

    def params(self, field: str, text: str) -> FieldParams | None:
        """The idf and average field length the weighting model uses for this term (``None``: not BM25F).

        Cached: the statistics of an open searcher do not change.
        """
        key = (field, text)
        if key not in self._params:
            if len(self._params) >= MAX_CACHED_PARAMS:
                self._params.clear()
            if type(self.weighting) is ArticleBM25F and self.searcher.schema[field].scorable:
                self._params[key] = self._article_params(field, text)
                return self._params[key]
            scorer = self.weighting.scorer(self.searcher, field, text)
            self._params[key] = (
                FieldParams(float(scorer.idf), float(scorer.avgfl))
                if type(scorer) in _BM25F_SCORERS  # another scorer may score differently: Whoosh path
                else None
            )
        return self._params[key]

    def _article_params(self, field: str, text: str) -> FieldParams:
        """``ArticleBM25F.scorer``'s idf and average length without building Whoosh's scorer.

        The live document frequency of a term is the length of its posting array (deleted
        documents dropped), which scoring reads anyway; Whoosh's scorer looked each field's
        frequency up in every segment's term table and the term's info again (~0.2 ms a term at
        100,000 pages). ``tests/test_fastpath.py`` checks both give the same values.
        """
        stats = live_stats(self.searcher)
        schema = self.searcher.schema
        fields = {field, *(f for f in IDF_FIELDS if f in schema)}
        df = max(len(self.arrays.postings(f, text).docs) for f in fields)
        return FieldParams(robertson_idf(stats.doc_count, df), stats.avg_field_length(field) or 1)

    def word_scores(self, leaves: list[Leaf]) -> WordScores:
        """The scores of one query word: true BM25F over the fields of ``leaves``.

        The word's field-weighted, length-normalised term frequencies are added up over its fields
        and saturated once (:func:`search.bm25f.bm25f_scores`, here over postings). Remembered
        while the searcher is open (LRU, bounded by :data:`WORD_CACHE_BYTES`); read-only arrays.
        """
        key = tuple(leaves)
        found = self._words.get(key)
        if found is not None:
            self._words.move_to_end(key)
            return found
        docs_parts, contrib_parts, found_leaves = self._field_parts(leaves, None)
        n = self.arrays.doc_count_all
        if docs_parts and sum(len(d) for d in docs_parts) * DENSE_WORD_SHARE >= n:
            # a common word: every document's score (no union of its fields' documents to extract)
            pseudo, present = self._dense_sum(docs_parts, contrib_parts)
            idf, qtf = self._word_weights(leaves, found_leaves)
            scores = saturate(pseudo)
            scores *= idf * qtf  # (idf · qtf) · s, as the sparse path computes it (exact: commutative)
            scored = WordScores(scores, present=present)
        else:
            docs, scores = self._saturated(leaves, docs_parts, contrib_parts, found_leaves)
            scored = WordScores(scores, docs=docs)
        for array in (scored.scores, scored.docs, scored.present):
            if array is not None:
                array.flags.writeable = False
        self._words[key] = scored
        self._words_bytes += scored.nbytes
        while self._words_bytes > WORD_CACHE_BYTES and len(self._words) > 1:
            self._words_bytes -= self._words.popitem(last=False)[1].nbytes
        return scored

    def within_scores(
        self, leaves: list[Leaf], within: dict[str, npt.NDArray[np.bool_]]
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]:
        """(documents, scores) of one query word as :meth:`word_scores` computes them, a field
        counting only in the documents of its mask in ``within`` (field → mask: a phrase bonus)."""
        return self._saturated(leaves, *self._field_parts(leaves, within))

    def _field_parts(
        self, leaves: list[Leaf], within: dict[str, npt.NDArray[np.bool_]] | None
    ) -> tuple[list[npt.NDArray[np.int64]], list[npt.NDArray[np.float64]], list[Leaf]]:
        """Each field's documents and weighted, normalised term frequencies, and the leaves found."""
        docs_parts, contrib_parts, found = [], [], []
        for leaf in leaves:
            posting = self.arrays.postings(leaf.field, leaf.text)
            if not len(posting.docs):
                continue
            p = self.params(leaf.field, leaf.text)
            if p is None:
                raise Unsupported(f"{leaf.field}:{leaf.text} is not scored by Whoosh's BM25FScorer")
            found.append(leaf)
            docs = posting.docs.astype(np.int64)
            tf = posting.tf.astype(np.float64)
            if within is not None:
                keep = within[leaf.field][docs] if leaf.field in within else np.zeros(len(docs), dtype=bool)
                docs, tf = docs[keep], tf[keep]
            weight, b = BM25F_WEIGHTS.get(leaf.field, 1.0), BM25F_B.get(leaf.field, 0.75)
            docs_parts.append(docs)
            contrib_parts.append(normalised_tf(tf, self._norm(leaf.field, p.avgfl, b)[docs], weight))
        return docs_parts, contrib_parts, found

    def _saturated(
        self, leaves: list[Leaf], docs_parts: list[npt.NDArray[np.int64]],
        contrib_parts: list[npt.NDArray[np.float64]], found: list[Leaf],
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]:  # fmt: skip
        """The word's documents and scores from its fields' parts."""
        if not docs_parts:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        docs, pseudo = self._field_sum(docs_parts, contrib_parts)
        idf, qtf = self._word_weights(leaves, found)
        return docs, idf * qtf * saturate(pseudo)

    def _norm(self, field: str, avgfl: float, b: float) -> npt.NDArray[np.float64]:
        """Every document's length normalisation in ``field`` (computed once per searcher: the
        same per-document operations as on a posting's gathered lengths, so the same floats)."""
        key = (field, avgfl, b)
        found = self._norms.get(key)
        if found is None:
            found = self._norms[key] = length_norm(self.arrays.lengths(field), avgfl, b)
        return found

    def _field_sum(
        self, docs_parts: list[npt.NDArray[np.int64]], contrib_parts: list[npt.NDArray[np.float64]]
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]:
        """The documents of any field (sorted) and their contributions added up, field after field.

        Each field's documents are distinct and sorted, so one field needs no work and long lists
        are added up by ``np.bincount`` over all documents (no sort); short ones go through
        ``np.unique``. Both add ``0.0 + c1 + c2 + ...`` in field order: the same floats.
        """
        if len(docs_parts) == 1:
            return docs_parts[0], contrib_parts[0]
        if sum(len(d) for d in docs_parts) * DENSE_SHARE >= self.arrays.doc_count_all:
            total, present = self._dense_sum(docs_parts, contrib_parts)
            union = np.flatnonzero(present)
            return union, total[union]
        union, inverse = np.unique(np.concatenate(docs_parts), return_inverse=True)
        weights = np.concatenate(contrib_parts)
        return union, np.bincount(inverse, weights=weights, minlength=len(union)).astype(np.float64, copy=False)

    def _dense_sum(
        self, docs_parts: list[npt.NDArray[np.int64]], contrib_parts: list[npt.NDArray[np.float64]]
    ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.bool_]]:
        """Every document's contributions added up, field after field (``np.bincount`` adds in
        order: ``0.0 + c1 + c2 + ...``), and the mask of the documents in any field."""
        n = self.arrays.doc_count_all
        every = np.concatenate(docs_parts)
        total = np.bincount(every, weights=np.concatenate(contrib_parts), minlength=n).astype(np.float64, copy=False)
        present = np.zeros(n, dtype=bool)
        present[every] = True
        return total, present

    def _word_weights(self, leaves: list[Leaf], found: list[Leaf]) -> tuple[float, float]:
        """The word's one idf (``ArticleBM25F``'s: live statistics, largest df over ``IDF_FIELDS``),
        read through one of the ``found`` leaves (those with postings), and its query weight: a bare
        word's boost over its field boost (its repeat count), an explicit ``field:word``'s own boost."""
        first = next((leaf for leaf in found if leaf.field in IDF_FIELDS), found[0])
        p = self.params(first.field, first.text)
        idf = p.idf if p is not None else 0.0
        if len(leaves) == 1:
            return idf, leaves[0].boost
        return idf, max(leaf.boost / FIELD_BOOSTS.get(leaf.field, 1.0) for leaf in leaves)

    def leaves_scores(self, leaves: list[Leaf]) -> Scored:
        """Scores and matches of every document for an OR of ``leaves`` (grouped into words).

        A document's score is ``0.0 + s1 + s2 + ...`` over its words in query order, whether a
        word's scores are sparse or dense (adding a dense word's 0.0 changes nothing).
        """
        n = self.arrays.doc_count_all
        words: dict[str, list[Leaf]] = {}
        for leaf in leaves:
            words.setdefault(leaf.text, []).append(leaf)
        scores = np.zeros(n)
        matched = np.zeros(n, dtype=bool)
        for group in words.values():
            word = self.word_scores(group)
            if word.docs is None:
                scores += word.scores
                matched |= word.present
            else:
                scores[word.docs] += word.scores  # distinct documents: one addition each
                matched[word.docs] = True
        return Scored(scores, matched)

    def score_matched(self, query: wq.Query, matched: npt.NDArray[np.bool_]) -> Scored:
        """Scores of the documents Whoosh matched for ``query`` (phrases, filters, ...): true BM25F
        of its positive words, plus, per phrase, the same sum again over the fields where the
        phrase occurs (``phrase_docs``: field → mask of the documents containing the phrase)."""
        leaves, phrases = positive_leaves(query)
        scored = self.leaves_scores(leaves)
        by_words: dict[tuple[str, ...], list[wq.Phrase]] = {}
        for phrase in phrases:  # one phrase typed by the user: one Phrase per text field
            by_words.setdefault(tuple(phrase.words), []).append(phrase)
        for words, group in by_words.items():
            within = {p.fieldname: self.phrase_docs(p) for p in group}
            for word in dict.fromkeys(words):
                docs, scores = self.within_scores([Leaf(p.fieldname, word, p.boost) for p in group], within)
                scored.scores[docs] += scores
        scored.matched = matched
        scored.scores = np.where(matched, scored.scores, 0.0)
        return scored

    def phrase_docs(self, phrase: wq.Phrase) -> npt.NDArray[np.bool_]:
        """Mask of the live documents where ``phrase`` occurs (Whoosh's positional matcher)."""
        mask = np.zeros(self.arrays.doc_count_all, dtype=bool)
        found = list(phrase.docs(self.searcher))
        if found:
            mask[np.array(found, dtype=np.int64)] = True
        return mask & self.arrays.live

    def evaluate(self, node: Plan) -> Scored:
        """Scores and matches of every document for ``node``."""
        if isinstance(node, Leaf):
            return self.leaves_scores([node])
        leaves = _or_leaves(node)
        if leaves is not None:  # words (and their expansions) over fields: one BM25F sum
            return self.leaves_scores(leaves)
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


def _or_leaves(node: Plan) -> list[Leaf] | None:
    """The leaves of an OR tree made of leaves only (``None`` if it holds AND or AND NOT)."""
    if isinstance(node, Leaf):
        return [node]
    if node.op != "or":
        return None
    leaves: list[Leaf] = []
    for child in node.children:
        found = _or_leaves(child)
        if found is None:
            return None
        leaves.extend(found)
    return leaves


def positive_leaves(query: wq.Query) -> tuple[list[Leaf], list[wq.Phrase]]:
    """The weighted text-field terms and the phrases that add to a document's score in ``query``.

    Negated parts (``NOT``, the right side of ``AND NOT``) and filter fields only select; each
    phrase's words count as words, and the phrase itself adds a bonus (:meth:`Scorer.score_matched`).
    """
    leaves: list[Leaf] = []
    phrases: list[wq.Phrase] = []

    def walk(q: wq.Query, boost: float) -> None:
        if isinstance(q, wq.Not) or q is wq.NullQuery:
            return
        if isinstance(q, wq.AndNot):
            walk(q.a, boost * q.boost)
            return
        if isinstance(q, wq.Phrase):
            if q.fieldname in TEXT_FIELDS:
                phrases.append(q)
                leaves.extend(Leaf(q.fieldname, w, boost * q.boost) for w in q.words if isinstance(w, str))
            return
        if isinstance(q, wq.Term):
            if q.fieldname in TEXT_FIELDS and isinstance(q.text, str):
                leaves.append(Leaf(q.fieldname, q.text, boost * q.boost))
            return
        for child in q.children():
            walk(child, boost * q.boost)

    walk(query, 1.0)
    return leaves, phrases
