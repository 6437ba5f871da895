"""Snippets: the window of an article's text that best matches the query, with match offsets."""

from __future__ import annotations

import html
from collections.abc import Iterable

from indexer.analysis import ArticleTokenizer
from indexer.cjk import HIGHLIGHT, cjk_share
from search.results import Snippet

SNIPPET_CHARS = 200
ELLIPSIS = "…"
_TOKENIZER = ArticleTokenizer()
_BREAKS = (" ", "。", "、", "，", "；", "：", "！", "？")  # space and CJK punctuation


def matches(text: str, terms: set[str]) -> list[tuple[int, int, str]]:
    """``(start, end, term)`` of every token of ``text`` whose indexed form is in ``terms``."""
    if not terms:
        return []
    return [
        (t.startchar, t.endchar, t.text)
        for t in _TOKENIZER(text, chars=True, removestops=False, mode=HIGHLIGHT)
        if t.text in terms
    ]


def make_snippet(text: str, terms: set[str], width: int = SNIPPET_CHARS) -> Snippet:
    """The ``width``-character window with the most distinct matched terms (then most matches).

    The window is cut at word boundaries (or CJK punctuation), with ``…`` where it cuts the text;
    highlight offsets are relative to the returned snippet text. Mostly-CJK text gets half the
    characters.
    """
    flat = " ".join(text.split())
    if cjk_share(flat) > 0.5:
        width //= 2  # a CJK character is two columns wide and carries about a word
    found = matches(flat, terms)
    if not found:
        return Snippet(_cut(flat, 0, width)[0])
    best_start, best_key = found[0][0], (-1, -1)
    for i, (start, _, _) in enumerate(found):
        inside = [m for m in found[i:] if m[1] <= start + width]
        key = (len({m[2] for m in inside}), len(inside))
        if key > best_key:
            best_key, best_start = key, start
    span_end = max(e for s, e, _ in found if best_start <= s and e <= best_start + width)
    # centre the matched span in the window, with some context before it
    lead = max(0, min(40, (width - (span_end - best_start)) // 2))
    window_start = max(0, best_start - lead)
    snippet, offset = _cut(flat, window_start, width)
    highlights = tuple(
        (s - offset, e - offset) for s, e, _ in found if s >= offset and e - offset <= len(snippet)
    )
    return Snippet(snippet, highlights)


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
