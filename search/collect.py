"""An exact top-N collector: Whoosh's shortcuts that can drop better documents are switched off."""

from __future__ import annotations

from typing import Any

from whoosh.collectors import TopCollector


class ExactTopCollector(TopCollector):
    """``TopCollector`` that scores every match (STACK.md trap 1).

    ``usequality=False`` stops block skipping, but Whoosh still calls ``matcher.replace(minscore)``
    with the heap's lowest score, and union/intersection matchers then drop sub-matchers whose
    maximum quality is below it — losing documents that would have ranked first. Keeping
    ``minscore`` at 0 leaves only the harmless replacement of exhausted matchers.
    """

    def __init__(self, limit: int = 10) -> None:
        super().__init__(limit, usequality=False)

    def _collect(self, global_docnum: int, score: float) -> Any:
        result = super()._collect(global_docnum, score)
        self.minscore = 0
        return result

    def remove(self, global_docnum: int) -> None:
        super().remove(global_docnum)
        self.minscore = 0
