"""Fixes for bugs of the pinned Whoosh-Reloaded 2.7.5, applied once when ``search`` is imported.

* ``AndNotMatcher`` (``a NOT b``) only skipped the excluded matcher forward when both started on
  the same document: when ``b``'s first document came before ``a``'s, ``a``'s first document was
  returned even if ``b`` contained it (``pain -back`` returned an article with "back").
* ``Phrase.normalize`` turned a one-word phrase (``"word"``) into a ``Term`` without the phrase's
  boost, so a quoted word lost its field weight (a title match counted as much as a text match).
* ``BufferFile`` (a file inside a memory-mapped compound segment) copied the whole file into a
  ``BytesIO`` when opened, though most readers only call ``get``: opening a searcher copied every
  segment's terms, postings and column files (~0.3 s and the same in memory at 100,000
  articles). Reads now slice the memory map (:class:`_ViewStream`); no copy is made.
"""

from __future__ import annotations

import io
from typing import Any

from whoosh.filedb.structfile import BufferFile
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


def _buffer_init(self: BufferFile, buf: Any, name: Any = None, onclose: Any = None) -> None:
    self._buf = buf
    self._name = name
    self.onclose = onclose
    self.is_real = False
    self.is_closed = False


class _ViewStream:
    """A read-only file object over a buffer (what ``BufferFile`` reads through), without a copy."""

    def __init__(self, buf: Any) -> None:
        self._view = memoryview(buf)
        self._pos = 0

    def read(self, n: int = -1) -> bytes:
        end = len(self._view) if n is None or n < 0 else min(len(self._view), self._pos + n)
        data = bytes(self._view[self._pos : end])
        self._pos = max(self._pos, end)
        return data

    def readline(self) -> bytes:
        rest = self._view[self._pos :]
        at = bytes(rest).find(b"\n")
        return self.read(len(rest) if at < 0 else at + 1)

    def seek(self, pos: int, whence: int = 0) -> int:
        base = (0, self._pos, len(self._view))[whence]
        self._pos = max(0, base + pos)
        return self._pos

    def tell(self) -> int:
        return self._pos

    def flush(self) -> None:
        pass

    def close(self) -> None:
        self._view.release()

    def write(self, data: bytes) -> int:
        raise io.UnsupportedOperation("read-only buffer")

    def truncate(self, size: int | None = None) -> int:
        raise io.UnsupportedOperation("read-only buffer")


def _buffer_stream(self: BufferFile) -> Any:
    stream = self.__dict__.get("_stream")
    if stream is None:
        stream = self.__dict__["_stream"] = _ViewStream(self._buf)
    return stream


def _set_buffer_stream(self: BufferFile, stream: Any) -> None:
    self.__dict__["_stream"] = stream


def apply() -> None:
    """Install the fixes (idempotent)."""
    AndNotMatcher._find_first = _find_first
    Phrase.normalize = _normalize_phrase
    BufferFile.__init__ = _buffer_init
    BufferFile.file = property(_buffer_stream, _set_buffer_stream)
