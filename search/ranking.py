"""Ranking: the BM25F weighting and the weight of each text field."""

from __future__ import annotations

from whoosh import scoring

# Field weights of a bare query (BM25F field boosts): a match in the title counts most.
FIELD_BOOSTS: dict[str, float] = {"title": 2.0, "text": 1.0, "meta": 0.5}

# BM25 parameters; per-field length normalisation (titles are short: less normalisation).
K1 = 1.2
B = 0.75
FIELD_B: dict[str, float] = {"title": 0.5, "meta": 0.5}


def weighting() -> scoring.WeightingModel:
    """The BM25F model used for every search."""
    return scoring.BM25F(B=B, K1=K1, **{f"{name}_B": b for name, b in FIELD_B.items()})
