"""Content similarity of articles: BM25-weighted key terms of title and body.

An article (or a text) becomes a short vector of *key terms*: every indexed term of its title and body
weighted by ``idf × (sat(tf in body) + TITLE_BOOST × sat(tf in title))``, where ``sat`` is BM25's
saturating, length-normalised term frequency; the :data:`KEY_TERMS` heaviest terms are kept (common,
low-idf terms fall out). Another article scores ``Σ q(t) · w(c, t)`` over those terms with the same
weighting of its own fields, divided by ``Σ q(t)²`` so that the article itself would score 1.

:class:`IndexView` reads postings and field lengths as numpy arrays (:mod:`search.postings`,
shared with the search path) and stored facts from a Whoosh searcher. With
``cache=True`` it keeps every champion list it computes (for ranking all articles in one pass); caching
never changes a result, only the time it takes.
"""

from __future__ import annotations

import math
from collections import Counter, OrderedDict
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import numpy.typing as npt
from whoosh.searching import Searcher

from indexer.analysis import normalise_word
from indexer.cjk import is_cjk_char
from search.livestats import live_stats
from search.postings import IndexArrays

KEY_TERMS = 60
TITLE_BOOST = 1.0
K1 = 1.2
B = 0.75
LAZY_CACHE_TERMS = 8192  # champion lists kept without ``cache`` (at most 300 postings each)
CHAMPIONS = 300
SHARED_FROM = 20  # shared words are looked up among this many heaviest key terms
MAX_DF_SHARE = 0.5
MIN_DF_CAP = 20
FIELDS = ("text", "title")

# Function words beyond the index's stop list: never key terms (they match, but say nothing);
# nor are one-character CJK terms (index-time unigrams, too common to say what an article is about).
_FUNCTION_WORDS = """
about above after again against all almost also although always am among another any anyone anything
around away because been before being below between both can cannot could did do does doing done
during each either else enough even ever every few for from further get gets getting go goes going
got had has have having he her here hers herself him himself his how however i its itself just least
less like many may me might more most much must my myself never now of often once only other others
our ours ourselves own per perhaps quite rather really see seem seems several shall she should since
so some something sometimes still than them themselves those though through thus too until upon us
usually very was we were what whatever when where whether which while who whom whose why within
without would yet you your yours yourself
"""


@dataclass(frozen=True)
class TermVector:
    """The key terms of an article or text: weights, and a readable word for each term."""

    weights: dict[str, float]
    words: dict[str, str]

    @property
    def self_score(self) -> float:
        """``Σ q(t)²``: the score the article would give itself (the normaliser)."""
        return sum(w * w for w in self.weights.values())


@lru_cache(maxsize=1)
def _stop_terms() -> frozenset[str]:
    """The indexed (stemmed) forms of the function words."""
    return frozenset(normalise_word(w) for w in _FUNCTION_WORDS.split())


class IndexView:
    """What related-article ranking reads from an index, with caches that never change results."""

    def __init__(self, searcher: Searcher, *, cache: bool = False, arrays: IndexArrays | None = None) -> None:
        self.searcher = searcher
        self.reader = searcher.reader()
        self.cache = cache
        self.arrays = arrays if arrays is not None else IndexArrays(searcher)
        self.stats = live_stats(searcher)  # statistics of live documents: as after a rebuild
        self.doc_count = max(self.stats.doc_count, 1)
        self.analyzer = searcher.schema["text"].analyzer
        self._avg = {f: max(self.stats.avg_field_length(f, 1.0) or 1.0, 1.0) for f in FIELDS}
        self._postings: OrderedDict[
            tuple[str, str], tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]
        ] = OrderedDict()
        self._idf: dict[str, float] = {}
        self._df: dict[str, int] = {}
        self._norms: dict[str, npt.NDArray[np.float64]] = {}

    # -- statistics ------------------------------------------------------------------------

    def idf(self, term: str) -> float:
        """BM25's idf of a term, from its document frequency in body or title (the larger)."""
        value = self._idf.get(term)
        if value is None:
            df = self.doc_frequency(term)
            value = math.log(1.0 + (self.doc_count - df + 0.5) / (df + 0.5))
            if self.cache or len(self._idf) < 100_000:
                self._idf[term] = value
        return value

    def too_common(self, term: str) -> bool:
        """True for a term in more than :data:`MAX_DF_SHARE` of the articles (and over 20 of them)."""
        return self.doc_frequency(term) > max(MAX_DF_SHARE * self.doc_count, MIN_DF_CAP)

    def doc_frequency(self, term: str) -> int:
        """In how many articles' body or title the term occurs (the larger of the two counts)."""
        df = self._df.get(term)
        if df is None:
            df = max(self.stats.doc_frequency(f, term) for f in FIELDS)
            if self.cache or len(self._df) < 100_000:
                self._df[term] = df
        return df

    def saturation(self, field: str, tf: float, length: float) -> float:
        """BM25's saturating term frequency for a field of ``length`` terms."""
        return tf * (K1 + 1.0) / (tf + self._length_norm(field, length))

    def _length_norm(self, field: str, length: float) -> float:
        return K1 * (1.0 - B + B * length / self._avg[field])

    def _length_norms(self, field: str) -> npt.NDArray[np.float64]:
        """BM25's length normaliser of every document's ``field`` (computed once per view)."""
        norms = self._norms.get(field)
        if norms is None:
            # the same expression as :meth:`_length_norm`, element by element
            norms = K1 * (1.0 - B + B * self.arrays.lengths(field) / self._avg[field])
            self._norms[field] = norms
        return norms

    def postings(self, field: str, term: str) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]:
        """Document numbers (ascending) and saturated term frequencies of ``term`` in ``field``.

        Only the :data:`CHAMPIONS` articles where the term weighs most are kept (a champion list;
        equal weights: smaller document numbers): this bounds the work per related list on large indexes.
        """
        key = (field, term)
        found = self._postings.get(key)
        if found is not None:
            return found
        posting = self.arrays.postings(field, term)
        docs = posting.docs.astype(np.int64)
        tf = posting.tf.astype(np.float64)
        sats = tf * (K1 + 1.0) / (tf + self._length_norms(field)[docs])
        if len(docs) > CHAMPIONS:
            keep = _champions(sats, CHAMPIONS, self.arrays.ranks[docs])
            docs, sats = docs[keep], sats[keep]
        found = (docs, sats)
        self._postings[key] = found
        if not self.cache and len(self._postings) > LAZY_CACHE_TERMS:
            self._postings.popitem(last=False)
        return found

    def ranks(self) -> npt.NDArray[np.int64]:
        """For each document number, the rank of its article id (orders equal scores), cached."""
        return self.arrays.ranks

    # -- vectors ---------------------------------------------------------------------------

    def vector(self, title: str, text: str) -> TermVector:
        """The key-term vector of a title and body (analysed as the index analyses them)."""
        counts: dict[str, Counter[str]] = {}
        words: dict[str, str] = {}
        for field, value in (("title", title), ("text", text)):
            counter: Counter[str] = Counter()
            for token in self.analyzer(value or "", keeporiginal=True):
                counter[token.text] += 1
                if token.text not in words:
                    words[token.text] = token.original.casefold()
            counts[field] = counter
        lengths = {f: sum(c.values()) for f, c in counts.items()}
        weights: dict[str, float] = {}
        for term in sorted(set(counts["text"]) | set(counts["title"])):
            if term in _stop_terms() or is_cjk_char(term) or self.too_common(term):
                continue
            tf_text, tf_title = counts["text"].get(term, 0), counts["title"].get(term, 0)
            sat = self.saturation("text", tf_text, lengths["text"]) if tf_text else 0.0
            if tf_title:
                sat += TITLE_BOOST * self.saturation("title", tf_title, lengths["title"])
            weights[term] = self.idf(term) * sat
        top = sorted(weights.items(), key=lambda kv: (-kv[1], kv[0]))[:KEY_TERMS]
        return TermVector(dict(top), {t: words[t] for t, _ in top})

    def content_scores(self, vector: TermVector) -> dict[int, float]:
        """Similarity of every article sharing a key term with ``vector`` (1.0 = the same terms)."""
        found, scores = self.content_score_arrays(vector)
        return dict(zip(found.tolist(), scores.tolist(), strict=True))

    def content_score_arrays(self, vector: TermVector) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]:
        """:meth:`content_scores` as arrays: the documents (ascending) and their similarities."""
        none = (np.zeros(0, dtype=np.int64), np.zeros(0))
        norm = vector.self_score
        if not norm:
            return none
        docs: list[npt.NDArray[np.int64]] = []
        values: list[npt.NDArray[np.float64]] = []
        for term, weight in vector.weights.items():
            base = weight * self.idf(term) / norm
            for field, factor in (("text", base), ("title", base * TITLE_BOOST)):
                ids, sats = self.postings(field, term)
                docs.append(ids)
                values.append(factor * sats)
        if not docs:
            return none
        all_docs = np.concatenate(docs)
        if not len(all_docs):
            return none
        # summed per document in the order of the terms, as a dict accumulation would
        sums = np.bincount(all_docs, weights=np.concatenate(values), minlength=self.arrays.doc_count_all)
        present = np.zeros(len(sums), dtype=bool)
        present[all_docs] = True  # the distinct documents, ascending, without sorting
        found = np.flatnonzero(present).astype(np.int64, copy=False)
        return found, sums[found].astype(np.float64, copy=False)

    def shared_words(self, vector: TermVector, docnum: int, limit: int = 5) -> list[str]:
        """Readable words of the key terms that article ``docnum`` also contains, heaviest first."""
        shared = []
        for term, weight in list(vector.weights.items())[:SHARED_FROM]:
            for field in FIELDS:
                ids, _ = self.postings(field, term)
                i = int(np.searchsorted(ids, docnum))
                if i < len(ids) and ids[i] == docnum:
                    shared.append((weight, term))
                    break
        shared.sort(key=lambda wt: (-wt[0], wt[1]))
        return [vector.words.get(t, t) for _, t in shared[:limit]]

    def stored(self, docnum: int) -> dict[str, Any]:
        """The stored fields of one article."""
        return dict(self.searcher.stored_fields(docnum))


def _champions(
    weights: npt.NDArray[np.float64], count: int, ranks: npt.NDArray[np.int64]
) -> npt.NDArray[np.int64]:
    """Positions of the ``count`` largest weights, ascending; equal weights: the smaller article id
    (``ranks``), as in any index of the same articles."""
    cut = len(weights) - count
    threshold = np.partition(weights, cut)[cut]
    above = np.flatnonzero(weights > threshold)
    tied = np.flatnonzero(weights == threshold)
    ties = tied[np.argsort(ranks[tied], kind="stable")][: count - len(above)]
    return np.sort(np.concatenate([above, ties]))
