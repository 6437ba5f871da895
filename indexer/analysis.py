"""Text analysis shared by indexing and querying: tokens, folding, stop words, stems, CJK words.

One analyzer (:func:`article_analyzer`) is used for every text field, at index and query time:

* Latin-script (and any non-CJK) words: NFKC-folded (full-width → ASCII), case-folded, English
  stop words removed, Snowball-stemmed (PyStemmer, cached);
* Chinese (Han) runs: folded to Simplified, overlapping character bigrams at consecutive
  positions plus jieba search-mode words of 3+ characters stacked on them, so short words inside
  long ones and phrases are findable in any context (:mod:`indexer.cjk`; STACK.md, trap 5);
* Japanese kana and Korean Hangul runs: overlapping character bigrams.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from whoosh.analysis import Token, Tokenizer

from indexer.cjk import HAN as _HAN
from indexer.cjk import HANGUL as _HANGUL
from indexer.cjk import KANA as _KANA
from indexer.cjk import Piece, bigram_pieces, folded_run, han_pieces, is_cjk, run_width, to_simplified
from indexer.cjk import segment_han as segment_han

logger = logging.getLogger(__name__)

_TOKEN = re.compile(
    rf"(?P<han>[{_HAN}]+)|(?P<cjk>[{_KANA}{_HANGUL}]+)|(?P<word>[^\W_{_HAN}{_KANA}{_HANGUL}]+(?:['’][^\W_{_HAN}{_KANA}{_HANGUL}]+)*)"
)
# _TOKEN's two kinds apart: CJK runs, and the word tokens of the text between them (a plain
# character-class search tells fastest whether a text has any CJK run at all).
_CJK_CHAR = re.compile(f"[{_HAN}{_KANA}{_HANGUL}]")
_CJK_RUN = re.compile(rf"(?P<han>[{_HAN}]+)|[{_KANA}{_HANGUL}]+")
_WORD_TOKEN = re.compile(rf"[^\W_{_HAN}{_KANA}{_HANGUL}]+(?:['’][^\W_{_HAN}{_KANA}{_HANGUL}]+)*")
# _WORD_TOKEN on ASCII text (where \w is [A-Za-z0-9_] and ’ cannot occur), matched ~40 % faster.
_ASCII_WORD_TOKEN = re.compile(r"[A-Za-z0-9]+(?:'[A-Za-z0-9]+)*")

# Lucene's English stop set, the pronouns, auxiliaries and function words of NLTK's English list
# (measured: +0.005 to +0.007 nDCG@10 on Cranfield, CISI and CACM; see docs/BENCHMARKS.md).
STOP_WORDS = frozenset(
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "against",
        "all",
        "am",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "down",
        "during",
        "each",
        "few",
        "for",
        "from",
        "further",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "herself",
        "him",
        "himself",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "just",
        "me",
        "more",
        "most",
        "my",
        "myself",
        "no",
        "nor",
        "not",
        "now",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "ours",
        "ourselves",
        "out",
        "over",
        "own",
        "s",
        "same",
        "she",
        "should",
        "so",
        "some",
        "such",
        "t",
        "than",
        "that",
        "the",
        "their",
        "theirs",
        "them",
        "themselves",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "yours",
        "yourself",
        "yourselves",
    ]
)
MAX_TOKEN_CHARS = 64
# word as written -> its term ("" for a stop word), for the default analysis; cleared when full
_WORD_TERMS: dict[str, str] = {}
_WORD_CACHE_SIZE = 300_000


@lru_cache(maxsize=200_000)
def fold(word: str) -> str:
    """NFKC-fold (full-width → half-width), case-fold and drop apostrophes."""
    return unicodedata.normalize("NFKC", word).casefold().replace("’", "'")


@lru_cache(maxsize=500_000)
def _stem_cached(word: str) -> str:
    return _stemmer().stemWord(word)


@lru_cache(maxsize=1)
def _stemmer() -> Any:
    try:
        import Stemmer

        return Stemmer.Stemmer("english")
    except ImportError:  # pragma: no cover - PyStemmer is a dependency
        from whoosh.lang.snowball.english import EnglishStemmer

        class _Adapter:
            def __init__(self) -> None:
                self._s = EnglishStemmer()

            def stemWord(self, word: str) -> str:
                return str(self._s.stem(word))

        return _Adapter()


def stopped_contraction(folded: str, stops: frozenset[str]) -> bool:
    """A contraction of a stop word (``it's``, ``i'm``, ``we've``) or a negated auxiliary
    (``don't``, ``isn't``, ``won't``): indexed, it would leave ``it``, ``i``, ``don``, ``isn``."""
    head, _, tail = folded.partition("'")
    return head in stops or tail == "t"


def normalise_word(word: str) -> str:
    """The indexed form of one non-CJK word: folded, apostrophe suffixes cut, stemmed."""
    folded = fold(word)
    if "'" in folded:
        folded = folded.split("'", 1)[0] or folded.replace("'", "")
    return _stem_cached(folded) if folded.isalpha() else folded


class ArticleTokenizer(Tokenizer):
    """The whole analysis chain in one tokenizer (faster than a chain of Whoosh filters)."""

    def __init__(self, stop_words: frozenset[str] = STOP_WORDS, stem: bool = True) -> None:
        self.stop_words = stop_words
        self.stem = stem

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, ArticleTokenizer)
            and other.stop_words == self.stop_words
            and other.stem == self.stem
        )

    __hash__ = None  # type: ignore[assignment]

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: Any,
    ) -> Iterator[Token]:
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            t.original = t.text = to_simplified(fold(value)) if is_cjk(value) else fold(value)
            t.boost = 1.0
            t.stopped = False
            if positions:
                t.pos = start_pos
            if chars:
                t.startchar, t.endchar = start_char, start_char + len(value)
            yield t
            return
        stops = self.stop_words if removestops else frozenset()
        for text, start, end, pos in self._pieces(value, mode, stops, start_pos):
            t.text = text
            t.boost = 1.0
            t.stopped = False
            if keeporiginal:
                t.original = value[start:end]
            if positions:
                t.pos = pos
            if chars:
                t.startchar = start_char + start
                t.endchar = start_char + end
            yield t

    def _pieces(self, value: str, mode: str, stops: frozenset[str], pos: int = 0) -> Iterator[Piece]:
        """``(term, start, end, position)`` of every token of ``value``, in order."""
        stem = self.stem
        # The default analysis (English stop words, stems) caches each word's term ("" = stop word).
        cache = _WORD_TERMS if stem and stops is STOP_WORDS else None
        for match in _TOKEN.finditer(value):
            kind = match.lastgroup
            if kind == "word":
                raw = match.group()
                term = cache.get(raw) if cache is not None else None
                if term is None:
                    if len(raw) > MAX_TOKEN_CHARS:
                        continue
                    term = self._word_term(raw, stops, cache)
                if term:
                    yield term, match.start(), match.end(), pos
                    pos += 1
                continue
            run = match.group()
            base = match.start()
            pieces = han_pieces(run, mode) if kind == "han" else bigram_pieces(run, mode)
            for text, start, end, rel in pieces:
                yield text, base + start, base + end, pos + rel
            pos += run_width(run)

    def matching_pieces(self, value: str, terms: set[str] | frozenset[str], mode: str = "") -> list[tuple[int, int, str]]:
        """``(start, end, term)`` of the tokens of ``value`` whose term is in ``terms``, stop words
        kept, in token order: what ``__call__(value, chars=True, removestops=False, mode=mode)``
        filtered by ``terms`` gives. A CJK run is cut into its pieces only when a CJK term occurs in
        its folded text (every piece of a run is a substring of it), so the long runs of a Chinese
        article that hold no query term cost a look-up, not a token per character.
        """
        cjk_terms = [t for t in terms if is_cjk(t)]
        found: list[tuple[int, int, str]] = []
        for match in _TOKEN.finditer(value):
            kind = match.lastgroup
            if kind == "word":
                raw = match.group()
                if len(raw) <= MAX_TOKEN_CHARS:
                    term = self._word_term(raw, frozenset(), None)
                    if term and term in terms:
                        found.append((match.start(), match.end(), term))
                continue
            run = match.group()
            folded = folded_run(run, han=kind == "han")
            if not any(t in folded for t in cjk_terms):
                continue
            base = match.start()
            pieces = han_pieces(run, mode) if kind == "han" else bigram_pieces(run, mode)
            found.extend((base + start, base + end, text) for text, start, end, _ in pieces if text in terms)
        return found

    def _word_term(self, raw: str, stops: frozenset[str], cache: dict[str, str] | None) -> str:
        """The term of one word token (``""`` for a stop word), remembered in ``cache``."""
        folded = fold(raw)
        stopped = folded in stops or ("'" in folded and bool(stops) and stopped_contraction(folded, stops))
        term = "" if stopped else normalise_word(raw) if self.stem else folded
        if cache is not None:
            if len(cache) >= _WORD_CACHE_SIZE:
                cache.clear()
            cache[raw] = term
        return term

    def term_positions(self, value: str, mode: str = "index") -> dict[str, list[int]]:
        """Each term of ``value`` with its positions, in order of first occurrence.

        What Whoosh's ``Positions`` format collects from :meth:`__call__` (stop words removed),
        without building a ``Token`` per word: the index-time fast path (:mod:`indexer.prepared`).
        The same walk as :meth:`_pieces`, inlined over ``findall`` between CJK runs (no match
        object per word, no generator; character offsets are not needed here).
        """
        stops = self.stop_words
        cache = _WORD_TERMS if self.stem and stops is STOP_WORDS else None
        poses: dict[str, list[int]] = {}
        if cache is None:
            for text, _, _, at in self._pieces(value, mode, stops):
                found = poses.get(text)
                if found is None:
                    poses[text] = [at]
                else:
                    found.append(at)
            return poses
        if _CJK_CHAR.search(value) is None:
            self._word_positions(value, stops, cache, poses, 0)
            return poses
        pos = 0
        at = 0
        for run in _CJK_RUN.finditer(value):
            pos = self._word_positions(value[at : run.start()], stops, cache, poses, pos)
            text = run.group()
            for piece, _, _, rel in han_pieces(text, mode) if run.lastgroup == "han" else bigram_pieces(text, mode):
                found = poses.get(piece)
                if found is None:
                    poses[piece] = [pos + rel]
                else:
                    found.append(pos + rel)
            pos += run_width(text)
            at = run.end()
        self._word_positions(value[at:], stops, cache, poses, pos)
        return poses

    def _word_positions(
        self, value: str, stops: frozenset[str], cache: dict[str, str], poses: dict[str, list[int]], pos: int
    ) -> int:
        """Add the word tokens of ``value`` (no CJK characters) to ``poses`` from position ``pos``;
        the position after them."""
        get = cache.get
        for raw in (_ASCII_WORD_TOKEN if value.isascii() else _WORD_TOKEN).findall(value):
            term = get(raw)
            if term is None:
                if len(raw) > MAX_TOKEN_CHARS:
                    continue
                term = self._word_term(raw, stops, cache)
            if term:
                found = poses.get(term)
                if found is None:
                    poses[term] = [pos]
                else:
                    found.append(pos)
                pos += 1
        return pos


def article_analyzer() -> ArticleTokenizer:
    """The analyzer of every text field."""
    return ArticleTokenizer()


def analyze(text: str) -> list[str]:
    """The indexed terms of ``text``, in order (for key terms, snippets and tests)."""
    return [t.text for t in ArticleTokenizer()(text)]
