"""Index terms close to a word: ``reader.terms_within`` with each term list read once per searcher.

Whoosh walks the term dictionary on every call (a Levenshtein automaton over one segment's terms,
or, over several segments, every term with the prefix merged and compared in Python). Here the
terms of a field that start with a given character are read once, then each look-up keeps only
the terms whose length and letter counts allow the distance (numpy, both necessary conditions)
and checks those few with Damerau-Levenshtein, as Whoosh does over several segments, so the terms
returned are the same for one segment or many.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import numpy.typing as npt
from whoosh.reading import IndexReader, SegmentReader
from whoosh.support.levenshtein import distance as damerau_levenshtein

_COLUMNS = 37  # a-z, 0-9, and every other character together


class _Bucket:
    """The terms of one field starting with one character, their lengths and character counts."""

    def __init__(self, terms: Iterable[str]) -> None:
        self.terms = sorted(terms)
        self.lengths = np.array([len(t) for t in self.terms], dtype=np.int64)
        self.counts = _char_counts(self.terms, self.lengths)

    def near(self, word: str, maxdist: int) -> list[str]:
        """Terms that may be within ``maxdist`` edits of ``word`` (a superset of those that are)."""
        rows = np.flatnonzero(np.abs(self.lengths - len(word)) <= maxdist)
        if len(rows):
            own = _char_counts([word], np.array([len(word)]))[0].astype(np.int16)
            diff = self.counts[rows].astype(np.int16) - own
            # each edit adds or removes at most one character of each kind (transpositions none)
            extra, missing = np.clip(diff, 0, None).sum(axis=1), np.clip(-diff, 0, None).sum(axis=1)
            rows = rows[np.maximum(extra, missing) <= maxdist]
        return [self.terms[i] for i in rows.tolist()]


def _char_counts(terms: list[str], lengths: npt.NDArray[np.int64]) -> npt.NDArray[np.uint8]:
    """Per term, how many times each of the :data:`_COLUMNS` character kinds occurs (capped at 255)."""
    codes = np.frombuffer("".join(terms).encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
    kind = np.full(len(codes), _COLUMNS - 1, dtype=np.int64)
    letters = (codes >= ord("a")) & (codes <= ord("z"))
    digits = (codes >= ord("0")) & (codes <= ord("9"))
    kind[letters] = codes[letters] - ord("a")
    kind[digits] = codes[digits] - ord("0") + 26
    owner = np.repeat(np.arange(len(terms)), lengths)
    flat = np.bincount(owner * _COLUMNS + kind, minlength=len(terms) * _COLUMNS)
    return np.minimum(flat, 255).astype(np.uint8).reshape(len(terms), _COLUMNS)


class Vocabulary:
    """``terms_within`` of one reader, for any number of look-ups (keep it while the reader is open)."""

    def __init__(self, reader: IndexReader) -> None:
        self.reader = reader
        self._buckets: dict[tuple[str, str], _Bucket] = {}
        kind = type(reader).terms_within
        # Whoosh has two implementations: over several segments it compares every prefixed term
        # with Damerau-Levenshtein; over one segment it runs a Levenshtein automaton (no
        # transpositions), so a rebuilt index would suggest less than an updated one. Here both
        # use Damerau-Levenshtein: "pian" is one edit from "pain" whatever the segments.
        self._plain_reader = kind in (IndexReader.terms_within, SegmentReader.terms_within)

    def terms_within(self, field: str, word: str, maxdist: int, prefix: int) -> list[str]:
        """The terms of ``field`` starting with ``word[:prefix]`` and within ``maxdist`` edits of it.

        A word shorter than ``prefix`` (``ued`` stems to ``u``) is its own prefix, as with several
        segments (Whoosh's one-segment automaton raises ``IndexError`` there).
        """
        if not self._plain_reader or not word or prefix < 1 or not self._plain_field(field):
            found = self.reader.terms_within(field, word, maxdist, prefix=prefix)
            return [t.decode("utf-8") if isinstance(t, bytes) else t for t in found]
        start = word[:prefix]
        near = self._bucket(field, word[0]).near(word, maxdist)
        return [t for t in near if t.startswith(start) and damerau_levenshtein(t, word, limit=maxdist) <= maxdist]

    def _plain_field(self, field: str) -> bool:
        """A field whose terms are its own (not a separate spelling field) and stored as text."""
        fieldobj = self.reader.schema[field]
        return bool(fieldobj.spelling_fieldname(field) == field and fieldobj.from_bytes(b"a") == "a")

    def _bucket(self, field: str, first: str) -> _Bucket:
        key = (field, first)
        bucket = self._buckets.get(key)
        if bucket is None:
            fieldobj = self.reader.schema[field]
            terms: set[str] = set()
            for leaf, _ in self.reader.leaf_readers():
                terms.update(fieldobj.from_bytes(t) for t in leaf.expand_prefix(field, first))
            bucket = self._buckets[key] = _Bucket(terms)
        return bucket
