"""An exact top-N collector: every match scored, equal scores ordered by article id."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from heapq import heapify, heappush, heapreplace
from typing import Any

from whoosh.collectors import TopCollector
from whoosh.searching import Searcher


def id_ranks(searcher: Searcher) -> list[int]:
    """For each document number, the rank of its article id in sorted order (ties → smaller id)."""
    reader = searcher.reader()
    ids = list(reader.column_reader("id"))  # the sortable id column: no stored fields read
    ranks = [0] * len(ids)
    for rank, docnum in enumerate(sorted(range(len(ids)), key=ids.__getitem__)):
        ranks[docnum] = rank
    return ranks


class ExactTopCollector(TopCollector):
    """``TopCollector`` that scores every match (STACK.md trap 1) and breaks ties by article id.

    With ``facet`` (a column: document number → value) it also counts every collected document
    by that value in ``counts``, in the same pass (documents a wrapping collapse or filter
    collector takes back are uncounted).

    ``usequality=False`` stops block skipping, but Whoosh still calls ``matcher.replace(minscore)``
    with the heap's lowest score, and union/intersection matchers then drop sub-matchers whose
    maximum quality is below it — losing documents that would have ranked first. Keeping
    ``minscore`` at 0 leaves only the harmless replacement of exhausted matchers.

    Equal scores are ordered by article id (``ranks`` from :func:`id_ranks`), not by Whoosh's
    internal document numbers, so an updated index ranks exactly like a rebuilt one.
    """

    def __init__(
        self, limit: int = 10, ranks: Sequence[int] | Any = None, facet: Sequence[str] | None = None
    ) -> None:
        super().__init__(limit, usequality=False)
        self.ranks = ranks
        self.facet = facet
        self.counts: Counter[str] = Counter()

    def _key(self, docnum: int) -> int:
        return 0 - (self.ranks[docnum] if self.ranks is not None else docnum)

    def _collect(self, global_docnum: int, score: float) -> Any:
        items = self.items
        self.total += 1
        if self.facet is not None:
            self.counts[self.facet[global_docnum] or ""] += 1
        item = (score, self._key(global_docnum), global_docnum)
        if len(items) < self.limit:
            heappush(items, item)
        elif item > items[0]:
            heapreplace(items, item)
        else:
            return 0
        return 0 - score

    def results(self) -> Any:
        ordered = sorted(self.items, reverse=True)
        return self._results([(score, docnum) for score, _, docnum in ordered])

    def remove(self, global_docnum: int) -> None:
        if self.facet is not None:
            self.counts[self.facet[global_docnum] or ""] -= 1
        for i, item in enumerate(self.items):
            if item[2] == global_docnum:
                self.items.pop(i)
                heapify(self.items)
                return
