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

# BM25 parameters; per-field length normalisation.
K1 = 1.2
B = 0.75
FIELD_B: dict[str, float] = {"title": 0.75, "meta": 0.5}

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
