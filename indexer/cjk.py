"""Tokens of Chinese, Japanese and Korean runs: character bigrams, whole words, script folding.

A run of ``n`` Han characters takes ``n - 1`` token positions (one when ``n == 1``):

* overlapping character bigrams at consecutive positions ``0 .. n-2`` — the same substring always
  gives the same bigrams, wherever it occurs, so a two-character word inside a longer one
  (产后 in 产后腰痛) and a quoted phrase are found in any context;
* at index time, each character as a unigram (stacked on its bigram's position; the last one on
  the last bigram's), so one-character queries (钙, 铁) and runs find something;
* outside phrases, jieba search-mode words of three or more characters (综合征, 糖尿病), stacked at
  the position of their first character: they add precision without breaking bigram contiguity.

In ``mode="highlight"`` (snippets) the jieba words are left out: the bigrams already cover their
characters. In ``mode="phrase"`` only the bigram stream (or the lone unigram of a one-character run) is
emitted, so a phrase query is a contiguous chain of bigrams. Traditional characters are folded to
Simplified (OpenCC ``t2s``, length-preserving) and compatibility forms NFKC-folded, at index and
query time alike, so either script finds the other. Kana and Hangul runs get bigrams only (a
one-character run its unigram), with the same position arithmetic.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from whoosh.analysis import Filter, Token

logger = logging.getLogger(__name__)

HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
KANA = "\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9f"
HANGUL = "\uac00-\ud7af\u1100-\u11ff\u3130-\u318f"
_CJK = re.compile(f"[{HAN}{KANA}{HANGUL}]")

MIN_WORD_CHARS = 3  # jieba words this long are stacked on the bigrams
PHRASE = "phrase"  # the analysis mode of quoted phrases (see search/phrase.py)
HIGHLIGHT = "highlight"  # snippets: bigrams and unigrams, no jieba words (their characters are covered)

# (text, start, end, relative position) of each token of a run
Piece = tuple[str, int, int, int]


def is_cjk(text: str) -> bool:
    """True when ``text`` contains a Chinese, Japanese or Korean character.

    For query features that only make sense for space-separated words (spelling suggestions):
    they should be a no-op for such text.
    """
    return _CJK.search(text) is not None


@lru_cache(maxsize=1)
def _t2s() -> Any:
    import opencc

    return opencc.OpenCC("t2s")


@lru_cache(maxsize=20_000)
def _fold_char(char: str) -> str:
    folded = unicodedata.normalize("NFKC", char)
    if len(folded) != 1:
        return char
    simple = _t2s().convert(folded)
    return simple if len(simple) == 1 else folded


@lru_cache(maxsize=50_000)
def to_simplified(run: str) -> str:
    """``run`` with Traditional characters folded to Simplified, same length (offsets stay valid).

    Whole-run conversion (which knows phrases like 乾燥 → 干燥) is used when it keeps the length,
    else each character is folded on its own.

    >>> to_simplified("產後腰痛")
    '产后腰痛'
    """
    folded = unicodedata.normalize("NFKC", run)
    if len(folded) == len(run):
        converted = _t2s().convert(folded)
        if len(converted) == len(run):
            return str(converted)
    return "".join(_fold_char(c) for c in run)


@lru_cache(maxsize=1)
def _jieba() -> Any:
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba


def segment_han(run: str) -> list[tuple[str, int, int]]:
    """Search-mode jieba segmentation of a Han run: ``(word, start, end)``, sub-words first."""
    return [(w, s, e) for w, s, e in _jieba().tokenize(run, mode="search")]


def _words(run: str) -> list[tuple[str, int, int]]:
    return [(w, s, e) for w, s, e in segment_han(run) if e - s >= MIN_WORD_CHARS]


def run_width(run: str) -> int:
    """Token positions a CJK run takes: ``len(run) - 1``, at least one."""
    return max(1, len(run) - 1)


def folded_run(run: str, han: bool) -> str:
    """A CJK run as its tokens read it: a Han run folded to Simplified (:func:`to_simplified`),
    a kana or Hangul run character by character (NFKC, Traditional → Simplified)."""
    return to_simplified(run) if han else "".join(_fold_char(c) for c in run)


def han_pieces(run: str, mode: str = "") -> list[Piece]:
    """The tokens of a Han run (see the module docstring), folded to Simplified."""
    text = folded_run(run, han=True)
    n = len(text)
    if n == 1:
        return [(text, 0, 1, 0)]
    pieces: list[Piece] = [(text[i : i + 2], i, i + 2, i) for i in range(n - 1)]
    if mode == PHRASE:
        return pieces
    if mode != "query":
        pieces += [(text[i], i, i + 1, min(i, n - 2)) for i in range(n)]
    if mode != HIGHLIGHT:
        pieces += [(w, s, e, s) for w, s, e in _words(text)]
    return pieces


def bigram_pieces(run: str, mode: str = "") -> list[Piece]:
    """Overlapping character bigrams of a kana or Hangul run (a one-character run: itself)."""
    text = folded_run(run, han=False)
    if len(text) == 1:
        return [(text, 0, 1, 0)]
    return [(text[i : i + 2], i, i + 2, i) for i in range(len(text) - 1)]


def cjk_share(text: str) -> float:
    """The share of CJK characters among the non-space characters of ``text`` (0 for empty text)."""
    chars = len(text) - text.count(" ")
    return len(_CJK.findall(text)) / chars if chars else 0.0


def is_cjk_char(term: str) -> bool:
    """True for a one-character CJK term (an index-time unigram: too common to be a key term)."""
    return len(term) == 1 and _CJK.match(term) is not None


class ScriptFoldFilter(Filter):
    """A Whoosh filter folding Traditional Chinese tokens to Simplified (for ID-like fields)."""

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        for t in tokens:
            if is_cjk(t.text):
                t.text = to_simplified(t.text)
            yield t
