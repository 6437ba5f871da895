"""The numpy search path: exact top N, totals and category facets of a scored plan.

Same semantics as the Whoosh path of :meth:`search.engine.Engine.search` (``ExactTopCollector``
inside a ``CollapseCollector``): filters keep only allowed documents, documents with the same
content hash collapse to the one with the smallest article id, every remaining match is counted
by category, and the top N are ordered by score, then by article id — or, sorting by date, newest
first (undated last), then by score, then by article id.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from search.postings import IndexArrays, packed_bits
from search.scorer import Plan, Scored, Scorer

BITSET_ADVANTAGE = 4  # counting a match by its code costs about as much as ANDing 4 bitset words


@dataclass(frozen=True)
class FastResults:
    """The first ``limit`` hits (document numbers and scores) and the counts over all matches."""

    docnums: list[int]
    scores: list[float]
    total: int
    categories: dict[str, int]


def run(
    scorer: Scorer, plan: Plan, limit: int, allow: npt.NDArray[np.bool_] | None = None, by_date: bool = False
) -> FastResults:
    """Score ``plan`` over every document; return the top ``limit`` and the category counts."""
    return rank(scorer.arrays, scorer.evaluate(plan), limit, allow, by_date)


def run_matched(
    scorer: Scorer, query: Any, matched: npt.NDArray[np.bool_], limit: int,
    allow: npt.NDArray[np.bool_] | None = None, by_date: bool = False,
) -> FastResults:  # fmt: skip
    """Like :func:`run` for a query whose matches Whoosh found (``matched``): phrases and the rest."""
    return rank(scorer.arrays, scorer.score_matched(query, matched), limit, allow, by_date)


def rank(
    arrays: IndexArrays, scored: Scored, limit: int, allow: npt.NDArray[np.bool_] | None = None,
    by_date: bool = False,
) -> FastResults:  # fmt: skip
    """The top ``limit`` of ``scored`` (exact duplicates collapsed, ties by article id), or the
    newest ``limit`` with ``by_date``, and the category counts of all its matches."""
    matched = collapse(arrays, scored.matched if allow is None else scored.matched & allow)
    candidates = np.flatnonzero(matched)
    total, categories = len(candidates), category_counts(arrays, matched, candidates)
    scores = scored.scores[candidates]
    if by_date:
        return _newest(arrays, candidates, scores, limit, total, categories)
    if len(candidates) > limit:
        cut = len(candidates) - limit
        threshold = np.partition(scores, cut)[cut]  # the limit-th largest score
        keep = np.flatnonzero(scores >= threshold)
        candidates, scores = candidates[keep], scores[keep]
    order = np.lexsort((arrays.ranks[candidates], -scores))[:limit]
    return FastResults(
        docnums=candidates[order].tolist(),
        scores=scores[order].tolist(),
        total=total,
        categories=categories,
    )


def _newest(
    arrays: IndexArrays, candidates: npt.NDArray[np.int64], scores: npt.NDArray[np.float64],
    limit: int, total: int, categories: dict[str, int],
) -> FastResults:  # fmt: skip
    """The ``limit`` newest candidates (``YYYY-MM-DD`` codes sort like the dates; undated last),
    equal dates by score, then by article id."""
    dates = arrays.column("date").codes[candidates]
    if len(candidates) > limit:
        cut = len(candidates) - limit
        keep = np.flatnonzero(dates >= np.partition(dates, cut)[cut])  # the limit newest dates
        candidates, scores, dates = candidates[keep], scores[keep], dates[keep]
    order = np.lexsort((arrays.ranks[candidates], -scores, -dates))[:limit]
    return FastResults(
        docnums=candidates[order].tolist(), scores=scores[order].tolist(), total=total, categories=categories
    )


def collapse(arrays: IndexArrays, matched: npt.NDArray[np.bool_]) -> npt.NDArray[np.bool_]:
    """``matched`` without the duplicates of a match with a smaller article id (a new mask when
    some are dropped; ``matched`` itself is not changed)."""
    dup = matched & arrays.has_duplicate
    if not dup.any():
        return matched
    shared = np.flatnonzero(dup)
    codes = arrays.column("content_hash").codes[shared]
    order = np.lexsort((arrays.ranks[shared], codes))
    first = np.ones(len(order), dtype=bool)
    first[1:] = codes[order][1:] != codes[order][:-1]
    kept = matched.copy()
    kept[shared[order[~first]]] = False
    return kept


def category_counts(
    arrays: IndexArrays, matched: npt.NDArray[np.bool_], kept: npt.NDArray[np.int64]
) -> dict[str, int]:
    """Documents per category among ``kept`` (``matched``'s documents, ascending), commonest first,
    then by name; empty categories count as ``""``.

    Many matches over a few categories are counted by intersecting bitsets (one per category,
    ``popcount`` of 64 documents at a time); few matches, or many categories, by their codes.
    """
    column = arrays.column("category")
    bits = arrays.value_bits("category") if len(kept) * BITSET_ADVANTAGE >= len(column.values) + 1 else None
    if bits is not None and len(kept) * BITSET_ADVANTAGE >= bits.size:
        counts = np.bitwise_count(bits & packed_bits(matched)).sum(axis=1)
    else:
        counts = np.bincount(column.codes[kept] + 1, minlength=len(column.values) + 1)
    names = ("", *column.values)
    found = {names[i]: int(c) for i, c in enumerate(counts.tolist()) if c > 0}
    return dict(sorted(found.items(), key=lambda kv: (-kv[1], kv[0])))
