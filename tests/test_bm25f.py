"""True BM25F scores (search/bm25f.py) against hand-computed BM25."""

from __future__ import annotations

import doctest
from math import log

import numpy as np
import pytest

import search.bm25f
from search.bm25f import bm25f_scores
from search.ranking import robertson_idf


def _one(tf_title: float, tf_text: float, len_title: float = 5.0, len_text: float = 100.0) -> float:
    scores = bm25f_scores(
        {"title": np.array([[tf_title]]), "text": np.array([[tf_text]]), "meta": np.zeros((1, 1))},
        {"title": np.array([len_title]), "text": np.array([len_text]), "meta": np.array([1.0])},
        {"title": 5.0, "text": 100.0, "meta": 1.0},
        1000,
        np.array([10.0]),
        np.array([1.0]),
        k1=2.0,
        b={"title": 1.0, "text": 0.5, "meta": 0.5},
        weights={"title": 2.0, "text": 1.0, "meta": 0.5},
    )
    return float(scores[0])


def test_one_field_is_plain_bm25() -> None:
    tf, dl, avg, k1, b = 3.0, 150.0, 100.0, 2.0, 0.5
    expected = robertson_idf(1000, 10) * tf * (k1 + 1) / (tf + k1 * (1 - b + b * dl / avg))
    assert _one(0.0, tf, len_text=dl) == pytest.approx(expected)


def test_a_title_match_counts_as_its_weight_in_text_matches() -> None:
    # at average lengths, tf 1 in the title (weight 2) equals tf 2 in the text
    assert _one(1.0, 0.0) == pytest.approx(_one(0.0, 2.0))


def test_fields_saturate_together() -> None:
    # the word saturates once over both fields: less than the two fields scored apart
    assert _one(1.0, 3.0) < _one(1.0, 0.0) + _one(0.0, 3.0)
    assert _one(1.0, 3.0) > max(_one(1.0, 0.0), _one(0.0, 3.0))


def test_longer_text_scores_lower_and_unmatched_scores_zero() -> None:
    assert _one(0.0, 2.0, len_text=400.0) < _one(0.0, 2.0, len_text=100.0)
    assert _one(0.0, 0.0) == 0.0


def test_query_weights_and_idf_combine_linearly() -> None:
    tf = {"text": np.array([[1.0, 1.0]])}
    length = {"text": np.array([50.0])}
    scores = bm25f_scores(tf, length, {"text": 50.0}, 100, np.array([1.0, 50.0]), np.array([2.0, 1.0]))
    sat = 1.0 * (2.0 + 1) / (1.0 + 2.0)
    assert scores[0] == pytest.approx(sat * (2 * log(1 + 99.5 / 1.5) + log(1 + 50.5 / 50.5)))


def test_docstring_example() -> None:
    assert doctest.testmod(search.bm25f).failed == 0
