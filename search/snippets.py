"""Snippets: the window of an article's text that best matches the query, with match offsets."""

from __future__ import annotations

import html
import re
from bisect import bisect_right
from collections.abc import Iterable
from functools import lru_cache
from itertools import pairwise

from indexer.analysis import (
    MAX_TOKEN_CHARS,
    STOP_WORDS,
    ArticleTokenizer,
    fold,
    normalise_word,
    stopped_contraction,
)
from indexer.cjk import HAN, HANGUL, HIGHLIGHT, KANA, cjk_share
from search.results import Snippet

SNIPPET_CHARS = 200
ELLIPSIS = "…"
_TOKENIZER = ArticleTokenizer()
MAX_MEMO = 2_000  # words remembered per query by the ASCII matcher (256 queries kept)
_BREAKS = (" ", "。", "、", "，", "；", "：", "！", "？")  # space and CJK punctuation


# Text the fast path can read like the tokenizer: no CJK, kana, Hangul or full-width forms.
_NOT_PLAIN = re.compile(r"[\u3000-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]")
_LATIN_TERM = re.compile(r"[a-z0-9]+")
# The tokenizer's words (its ``word`` group), each where no word character precedes: the same
# matches as its token pattern gives for words, without stopping at every Han or kana run.
_WORD_CHAR = rf"[^\W_{HAN}{KANA}{HANGUL}]"
_WORD_TOKEN = re.compile(rf"(?<!{_WORD_CHAR}){_WORD_CHAR}+(?:['’]{_WORD_CHAR}+)*")


def matches(text: str, terms: set[str]) -> list[tuple[int, int, str]]:
    """``(start, end, term)`` of every token of ``text`` whose indexed form is in ``terms``."""
    if not terms:
        return []
    if all(_LATIN_TERM.fullmatch(t) for t in terms):
        if text.isascii():
            return _ascii_matches(text, terms)
        if not _NOT_PLAIN.search(text):
            return _latin_matches(text, terms)
        return _word_matches(text, terms)
    return _TOKENIZER.matching_pieces(text, terms, mode=HIGHLIGHT)


def _latin_matches(text: str, terms: set[str]) -> list[tuple[int, int, str]]:
    """The fast path of :func:`matches`: only words starting like a term are stemmed.

    Snowball stems change a word's ending, not its first two letters, so a word whose first two
    letters start no term cannot match (the tokenizer's words, the same normalisation). The one
    exception, ``dying``/``lying``/``tying`` → ``die``/``lie``/``tie``, gets its ``y`` prefix too.
    """
    return _words_matching(_candidates(frozenset(terms)), text, terms)


@lru_cache(maxsize=256)
def _candidates(terms: frozenset[str]) -> re.Pattern[str]:
    """The words that may stem to one of ``terms``: those starting like one (compiled once per query)."""
    prefixes = "|".join(sorted(map(re.escape, _starts(terms))))
    return re.compile(rf"(?<![^\W_])(?:{prefixes})[^\W_]*(?:['’][^\W_]+)*", re.IGNORECASE)


def _ascii_matches(text: str, terms: set[str]) -> list[tuple[int, int, str]]:
    """:func:`_latin_matches` for ASCII text: the same words, found in its lower-cased copy.

    In ASCII text lower-casing keeps every offset and ``[^\\W_]`` is ``[a-z0-9]``, so the same
    words match without ``re.IGNORECASE``. Each prefix is searched on its own (a literal start
    that ``re`` finds fast, and a pattern compiled once for all queries); a match inside an
    earlier one (after an apostrophe) is dropped, as one pattern of all prefixes would skip it.
    Each distinct word is normalised once per query.
    """
    key = frozenset(terms)
    memo = _query_memo(key)
    lowered = text.lower()
    spans: dict[int, int] = {}
    for prefix in _sorted_starts(key):
        for match in _prefix_pattern(prefix).finditer(lowered):
            spans[match.start()] = match.end()
    found = []
    last_end = 0
    for start in sorted(spans):
        end = spans[start]
        if start < last_end:
            continue
        last_end = end
        word = lowered[start:end]
        term = memo.get(word)
        if term is None:
            if len(memo) >= MAX_MEMO:
                memo.clear()
            term = memo[word] = normalise_word(word) if len(word) <= MAX_TOKEN_CHARS else ""
        if term in terms:
            found.append((start, end, term))
    return found


def _word_matches(text: str, terms: set[str]) -> list[tuple[int, int, str]]:
    """:func:`matches` for plain ``[a-z0-9]`` terms in text with CJK: only the tokenizer's words
    can be such terms (its Han and kana/Hangul pieces are CJK), so CJK runs are not segmented."""
    return _words_matching(_WORD_TOKEN, text, terms)


def _words_matching(words: re.Pattern[str], text: str, terms: set[str]) -> list[tuple[int, int, str]]:
    """``(start, end, term)`` of each word ``words`` finds in ``text`` whose indexed form is in ``terms``."""
    found = []
    for match in words.finditer(text):
        word = match.group()
        if len(word) <= MAX_TOKEN_CHARS:
            term = normalise_word(word)
            if term in terms:
                found.append((match.start(), match.end(), term))
    return found


def written_forms(text: str, term: str) -> list[str] | None:
    """The words of ``text`` the tokenizer indexes as ``term`` (stop words left out, as it does),
    in order; ``None`` unless ``term`` is a plain ``[a-z0-9]`` term."""
    if not _LATIN_TERM.fullmatch(term):
        return None
    found = _ascii_matches(text, {term}) if text.isascii() else _word_matches(text, {term})
    forms = []
    for start, end, _ in found:
        folded = fold(text[start:end])
        if not (folded in STOP_WORDS or ("'" in folded and stopped_contraction(folded, STOP_WORDS))):
            forms.append(text[start:end])
    return forms


@lru_cache(maxsize=256)
def _query_memo(terms: frozenset[str]) -> dict[str, str]:
    """The word → term memo of one query's terms."""
    return {}


@lru_cache(maxsize=256)
def _sorted_starts(terms: frozenset[str]) -> tuple[str, ...]:
    return tuple(sorted(_starts(terms)))


@lru_cache(maxsize=4096)
def _prefix_pattern(prefix: str) -> re.Pattern[str]:
    """Lower-cased ASCII words starting with ``prefix``: the prefix, then a look-behind over it
    (the character before it is no letter or digit), then the rest of the word."""
    return re.compile(rf"{re.escape(prefix)}(?<![a-z0-9]{'.' * len(prefix)})[a-z0-9]*(?:'[a-z0-9]+)*")


def _starts(terms: frozenset[str]) -> set[str]:
    """The first two letters a word stemming to one of ``terms`` can have."""
    return {t[:2] for t in terms} | {t[0] + "y" for t in terms if t[1:2] == "i"}


def make_snippet(text: str, terms: set[str], width: int = SNIPPET_CHARS) -> Snippet:
    """The ``width``-character window with the most distinct matched terms (then most matches).

    The window is cut at word boundaries (or CJK punctuation), with ``…`` where it cuts the text;
    highlight offsets are relative to the returned snippet text. Mostly-CJK text gets half the
    characters.
    """
    flat = " ".join(text.split())
    if not flat.isascii() and cjk_share(flat) > 0.5:
        width //= 2  # a CJK character is two columns wide and carries about a word
    found = matches(flat, terms)
    if not found:
        return Snippet(_cut(flat, 0, width)[0])
    best_start = _best_start(found, width)
    span_end = max(e for s, e, _ in found if best_start <= s and e <= best_start + width)
    # centre the matched span in the window, with some context before it
    lead = max(0, min(40, (width - (span_end - best_start)) // 2))
    window_start = max(0, best_start - lead)
    snippet, offset = _cut(flat, window_start, width)
    highlights = tuple(
        (s - offset, e - offset) for s, e, _ in found if s >= offset and e - offset <= len(snippet)
    )
    return Snippet(snippet, highlights)


def _best_start(found: list[tuple[int, int, str]], width: int) -> int:
    """Start of the first match whose window (``width`` characters) holds the most distinct
    terms, then the most matches: the matches after it that end inside the window."""
    best_start, best_key = found[0][0], (-1, -1)
    ends = [e for _, e, _ in found]
    if all(a <= b for a, b in pairwise(ends)):  # words, not overlapping pieces
        for i, (start, _, _) in enumerate(found):
            j = bisect_right(ends, start + width, i)
            key = (len({m[2] for m in found[i:j]}), j - i)
            if key > best_key:
                best_key, best_start = key, start
        return best_start
    for i, (start, _, _) in enumerate(found):
        inside = [m for m in found[i:] if m[1] <= start + width]
        key = (len({m[2] for m in inside}), len(inside))
        if key > best_key:
            best_key, best_start = key, start
    return best_start


def _cut(text: str, start: int, width: int) -> tuple[str, int]:
    """Cut ``text[start:start+width]`` at word boundaries; returns (snippet, offset of its text)."""
    end = min(len(text), start + width)
    if start > 0:
        space = _last_break(text, max(0, start - 15), start + 1)
        start = space + 1 if space >= 0 else start
    if end < len(text):
        space = _last_break(text, start + width // 2, end)
        end = (space + (text[space] != " ")) if space > start else end
    body = text[start:end]
    prefix = ELLIPSIS if start > 0 else ""
    suffix = ELLIPSIS if end < len(text) else ""
    stripped = body.strip()
    lead_spaces = len(body) - len(body.lstrip())
    return prefix + stripped + suffix, start + lead_spaces - len(prefix)


def _last_break(text: str, low: int, high: int) -> int:
    """Index of the last space or CJK punctuation mark in ``text[low:high]``, or -1."""
    return max(text.rfind(mark, low, high) for mark in _BREAKS)


def render_marked(snippet: Snippet, open_mark: str, close_mark: str, escape: bool = False) -> str:
    """The snippet with each highlight wrapped in ``open_mark``/``close_mark`` (HTML-escaped if asked)."""
    out: list[str] = []
    pos = 0
    quote = html.escape if escape else (lambda s: s)
    for start, end in _merged(snippet.highlights):
        out.append(quote(snippet.text[pos:start]))
        out.append(open_mark + quote(snippet.text[start:end]) + close_mark)
        pos = end
    out.append(quote(snippet.text[pos:]))
    return "".join(out)


def _merged(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged
