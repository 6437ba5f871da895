"""Ranking: the BM25F weighting, the weight of each text field, and of repeated query words."""

from __future__ import annotations

from math import log
from typing import Any

from whoosh import scoring

from search.livestats import live_stats

# Field weights of a bare query (BM25F field boosts).
# A title match counts half a text match: each field is scored on its own (below) and the scores
# add up, so a word in both title and text already counts twice (measured in docs/BENCHMARKS.md).
FIELD_BOOSTS: dict[str, float] = {"title": 0.5, "text": 1.0, "meta": 0.5}

# BM25 parameters; per-field length normalisation (the text's B; a title is normalised fully).
# Measured with bench/ranking_lab.py (docs/BENCHMARKS.md, "Ranking quality"): k1 1.6, b 0.5/1.0
# gain +0.003 … +0.009 nDCG@10 over 1.2/0.75 on Cranfield, CISI and CACM.
K1 = 1.6
B = 0.5
FIELD_B: dict[str, float] = {"title": 1.0, "meta": 0.5}

# True BM25F (Robertson, Zaragoza & Taylor 2004), the formula for a numpy scorer (not expressible
# with Whoosh's per-field scorers): per word, the field-weighted, length-normalised term frequencies
# are summed over the fields and saturated once,
#     tf~ = Σ_f BM25F_WEIGHTS[f] · tf_f / (1 − BM25F_B[f] + BM25F_B[f] · len_f / avglen_f)
#     score = Σ_words qtf · idf · tf~ · (BM25F_K1 + 1) / (tf~ + BM25F_K1)
# with ``robertson_idf`` of the word's largest document frequency over ``IDF_FIELDS``; a quoted
# phrase adds the same sum over its words, counting only the fields where the phrase occurs.
# Reference implementation: ``bm25f`` in bench/ranking_lab.py (+0.011 … +0.015 nDCG@10 over the
# per-field model above on Cranfield, CISI and CACM; docs/BENCHMARKS.md).
BM25F_K1 = 2.0
BM25F_B: dict[str, float] = {"title": 1.0, "text": 0.5, "meta": 0.5}
BM25F_WEIGHTS: dict[str, float] = {"title": 2.0, "text": 1.0, "meta": 0.5}

# The fields whose document frequencies give a word its one idf (the rarest-looking reading wins
# least: the largest document frequency among them).
IDF_FIELDS = ("title", "text")

# A word repeated n times in a query weighs n ** QTF_POWER (1 = BM25's linear query term frequency).
QTF_POWER = 1.0


def robertson_idf(doc_count: int, doc_frequency: int) -> float:
    """BM25's idf, ``log(1 + (N - n + 0.5) / (n + 0.5))``: near 0 for words in every document."""
    return log(1.0 + (doc_count - doc_frequency + 0.5) / (doc_frequency + 0.5))


class ArticleBM25F(scoring.BM25F):
    """Whoosh's per-field BM25F with BM25's own idf, one per word, instead of Whoosh's per-field
    ``log(N/(n+1)) + 1``, and statistics of the live documents only.

    Whoosh's idf gives a word found in every article a weight of 1, so the common words of a
    long natural-language query drown its rare ones; BM25's idf gives them almost nothing. One idf
    per word (from its largest document frequency in ``IDF_FIELDS``) keeps a word that is common
    in texts but rare in titles from scoring as a rare word in the title.

    Document count, document frequencies and average field lengths come from
    :mod:`search.livestats`: an updated index (holding deleted documents) scores exactly like a
    rebuilt one.
    """

    def scorer(self, searcher: Any, fieldname: str, text: Any, qf: int = 1) -> Any:
        if not searcher.schema[fieldname].scorable:
            return super().scorer(searcher, fieldname, text, qf=qf)
        stats = live_stats(searcher)
        schema = searcher.get_parent().schema
        fields = {fieldname, *(f for f in IDF_FIELDS if f in schema)}
        df = max(stats.doc_frequency(f, text) for f in fields)
        idf = robertson_idf(stats.doc_count, df)
        avgfl = stats.avg_field_length(fieldname) or 1
        B = self._field_B.get(fieldname, self.B)
        return LiveBM25FScorer(searcher, fieldname, text, B, self.K1, qf=qf, idf=idf, avgfl=avgfl)


class LiveBM25FScorer(scoring.BM25FScorer):
    """Whoosh's BM25F scorer with the idf and average field length given (live statistics)."""

    def __init__(
        self, searcher: Any, fieldname: str, text: Any, B: float, K1: float, *, qf: int, idf: float, avgfl: float
    ) -> None:
        self.idf = idf
        self.avgfl = avgfl
        self.B = B
        self.K1 = K1
        self.qf = qf
        self.setup(searcher, fieldname, text)


def weighting() -> scoring.WeightingModel:
    """The BM25F model used for every search."""
    return ArticleBM25F(B=B, K1=K1, **{f"{name}_B": b for name, b in FIELD_B.items()})
