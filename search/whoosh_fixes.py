"""Fixes for bugs of the pinned Whoosh-Reloaded 2.7.5, applied once when ``search`` is imported.

* ``AndNotMatcher`` (``a NOT b``) only skipped the excluded matcher forward when both started on
  the same document: when ``b``'s first document came before ``a``'s, ``a``'s first document was
  returned even if ``b`` contained it (``pain -back`` returned an article with "back").
"""

from __future__ import annotations

from whoosh.matching import AndNotMatcher


def _find_first(self: AndNotMatcher) -> None:
    if self.a.is_active() and self.b.is_active():
        self._find_next()


def apply() -> None:
    """Install the fixes (idempotent)."""
    AndNotMatcher._find_first = _find_first
