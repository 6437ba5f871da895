"""Fixes for bugs of the pinned Whoosh-Reloaded 2.7.5, applied once when ``search`` is imported.

* ``AndNotMatcher`` (``a NOT b``) only skipped the excluded matcher forward when both started on
  the same document: when ``b``'s first document came before ``a``'s, ``a``'s first document was
  returned even if ``b`` contained it (``pain -back`` returned an article with "back").
* ``Phrase.normalize`` turned a one-word phrase (``"word"``) into a ``Term`` without the phrase's
  boost, so a quoted word lost its field weight (a title match counted as much as a text match).
"""

from __future__ import annotations

from whoosh.matching import AndNotMatcher
from whoosh.query import Phrase, Query

_phrase_normalize = Phrase.normalize


def _find_first(self: AndNotMatcher) -> None:
    if self.a.is_active() and self.b.is_active():
        self._find_next()


def _normalize_phrase(self: Phrase) -> Query:
    normalized: Query = _phrase_normalize(self)
    if len(self.words) == 1 and normalized is not self and self.boost != 1.0:
        normalized.boost = self.boost
    return normalized


def apply() -> None:
    """Install the fixes (idempotent)."""
    AndNotMatcher._find_first = _find_first
    Phrase.normalize = _normalize_phrase
