"""Ranking: the BM25F weighting, the weight of each text field, and of repeated query words."""

from __future__ import annotations

from math import log
from typing import Any

from whoosh import scoring

# Field weights of a bare query (BM25F field boosts).
FIELD_BOOSTS: dict[str, float] = {"title": 2.0, "text": 1.0, "meta": 0.5}

# BM25 parameters; per-field length normalisation (titles are short: less normalisation).
K1 = 1.2
B = 0.75
FIELD_B: dict[str, float] = {"title": 0.5, "meta": 0.5}

# A word repeated n times in a query weighs n ** QTF_POWER (1 = BM25's linear query term frequency).
QTF_POWER = 1.0


def robertson_idf(doc_count: int, doc_frequency: int) -> float:
    """BM25's idf, ``log(1 + (N - n + 0.5) / (n + 0.5))``: near 0 for words in every document."""
    return log(1.0 + (doc_count - doc_frequency + 0.5) / (doc_frequency + 0.5))


class ArticleBM25F(scoring.BM25F):  # type: ignore[misc]
    """Whoosh's per-field BM25F with BM25's own idf instead of Whoosh's ``log(N/(n+1)) + 1``.

    Whoosh's idf gives a word found in every article a weight of 1, so the common words of a
    long natural-language query drown its rare ones; BM25's idf gives them almost nothing.
    """

    def scorer(self, searcher: Any, fieldname: str, text: Any, qf: int = 1) -> Any:
        scorer = super().scorer(searcher, fieldname, text, qf=qf)
        if isinstance(scorer, scoring.BM25FScorer):
            parent = searcher.get_parent()
            scorer.idf = robertson_idf(parent.doc_count_all(), parent.doc_frequency(fieldname, text))
        return scorer


def weighting() -> scoring.WeightingModel:
    """The BM25F model used for every search."""
    return ArticleBM25F(B=B, K1=K1, **{f"{name}_B": b for name, b in FIELD_B.items()})
