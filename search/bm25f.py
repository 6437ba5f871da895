"""True BM25F in numpy: the ranking formula chosen with ``bench/ranking_lab.py``, for a numpy scorer.

Whoosh scores each (field, word) pair on its own and adds the scores up, so a word saturates once per
field. True BM25F (Robertson, Zaragoza & Taylor 2004; Zaragoza et al., TREC 2004) first combines a
word's field-weighted, length-normalised term frequencies over the fields, then saturates once::

    tf~(d, w) = Σ_f weight_f · tf_f(d, w) / (1 − b_f + b_f · len_f(d) / avglen_f)
    score(d)  = Σ_w qtf_w · idf_w · tf~(d, w) · (k1 + 1) / (tf~(d, w) + k1)

``idf_w`` is :func:`search.ranking.robertson_idf` of the word's largest document frequency over
``IDF_FIELDS``; ``qtf_w`` its weight in the query (repeat count). A quoted phrase adds the same sum
over its words, with ``tf_f`` zeroed in the documents and fields where the phrase does not occur.
Measured gain over Whoosh's per-field model: docs/BENCHMARKS.md, "Ranking quality".

Example (one field, so plain BM25):

>>> import numpy as np
>>> s = bm25f_scores({"text": np.array([[1.0], [0.0]])}, {"text": np.array([10.0, 10.0])},
...                  {"text": 10.0}, 2, np.array([1.0]), np.array([1.0]), weights={"text": 1.0})
>>> float(round(s[0], 4)), float(s[1])
(0.6931, 0.0)
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import numpy.typing as npt

from search.ranking import BM25F_B, BM25F_K1, BM25F_WEIGHTS

FloatArray = npt.NDArray[np.float64]


def idf(n_docs: int, df: FloatArray) -> FloatArray:
    """BM25's idf ``log(1 + (N − n + 0.5) / (n + 0.5))`` of each document frequency."""
    return np.log(1.0 + (n_docs - df + 0.5) / (df + 0.5))


def bm25f_scores(
    tf: Mapping[str, FloatArray],
    length: Mapping[str, FloatArray],
    avglen: Mapping[str, float],
    n_docs: int,
    df: FloatArray,
    qtf: FloatArray,
    *,
    k1: float = BM25F_K1,
    b: Mapping[str, float] = BM25F_B,
    weights: Mapping[str, float] = BM25F_WEIGHTS,
) -> FloatArray:
    """The BM25F score of each candidate document.

    Args:
        tf: per field, the term frequencies of the candidates, shape (documents, query words).
        length: per field, the candidates' field lengths, shape (documents,).
        avglen: per field, the average field length over the index (total length / document count).
        n_docs: the number of documents in the index.
        df: each query word's document frequency, shape (words,).
        qtf: each query word's weight, shape (words,).
        k1, b, weights: the saturation, per-field length normalisation and per-field weights;
            fields missing from ``weights`` (or weighted 0) are ignored.

    Returns:
        One score per candidate document, shape (documents,); 0 where no query word occurs.
    """
    pseudo: FloatArray | None = None
    for field, weight in weights.items():
        if not weight or field not in tf:
            continue
        part = weighted_tf(tf[field], length[field][:, None], avglen[field], weight, b.get(field, 0.75))
        pseudo = part if pseudo is None else pseudo + part
    if pseudo is None:
        return np.zeros(len(next(iter(length.values()), ())))
    result: FloatArray = saturate(pseudo, k1) @ (idf(n_docs, df) * qtf)
    return result


def weighted_tf(tf: FloatArray, length: FloatArray, avglen: float, weight: float, b: float) -> FloatArray:
    """One field's share of a word's BM25F pseudo-frequency: ``w_f · tf_f / (1 − b_f + b_f · len_f / avglen_f)``.

    ``length`` broadcasts against ``tf`` (one length per document).
    """
    return normalised_tf(tf, length_norm(length, avglen, b), weight)


def length_norm(length: FloatArray, avglen: float, b: float) -> FloatArray:
    """BM25's length normalisation of a field: ``1 − b + b · len / avglen`` (per document)."""
    result: FloatArray = 1.0 - b + b * length / max(avglen, 1e-9)
    return result


def normalised_tf(tf: FloatArray, norm: FloatArray, weight: float) -> FloatArray:
    """``weight · tf / norm``: :func:`weighted_tf` with the length normalisation already computed."""
    result: FloatArray = weight * tf / norm
    return result


def saturate(pseudo: FloatArray, k1: float = BM25F_K1) -> FloatArray:
    """BM25's saturation of the pseudo-frequency summed over the fields: ``tf~ (k1 + 1) / (tf~ + k1)``."""
    result: FloatArray = pseudo * (k1 + 1.0) / (pseudo + k1)
    return result
