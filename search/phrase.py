"""Quoted phrases analysed in ``mode="phrase"``, so CJK phrases are contiguous bigram chains.

Whoosh's :class:`~whoosh.qparser.PhrasePlugin` tokenizes a phrase with ``mode="query"`` and treats
every token as the next word. The analyzer stacks extra tokens (whole Chinese words) at query
time, which would break such a chain; in ``mode="phrase"`` it emits only one token per position.
Spaces between two CJK characters of a phrase are dropped ("产后 腰痛" is the phrase 产后腰痛):
Chinese text has no spaces between words, users often type them.
"""

from __future__ import annotations

import re
from typing import Any

from whoosh import qparser
from whoosh.qparser.plugins import attach

from indexer.cjk import HAN, KANA, PHRASE

_CJK_SPACE = re.compile(rf"(?<=[{HAN}{KANA}])\s+(?=[{HAN}{KANA}])")


def join_cjk_words(text: str) -> tuple[str, list[int]]:
    """``text`` without the spaces between two Chinese/Japanese characters, and for each kept
    character its offset in ``text``. Korean keeps its spaces (they separate words)."""
    kept: list[int] = []
    last = 0
    for match in _CJK_SPACE.finditer(text):
        kept.extend(range(last, match.start()))
        last = match.end()
    kept.extend(range(last, len(text)))
    return "".join(text[i] for i in kept), kept


class _PhraseNode(qparser.PhrasePlugin.PhraseNode):
    def query(self, parser: Any) -> Any:
        fieldname = self.fieldname or parser.fieldname
        field = parser.schema[fieldname] if parser.schema and fieldname in parser.schema else None
        if field is None or not field.analyzer or not field.format:
            return super().query(parser)
        start = self.textstartchar
        text, offsets = join_cjk_words(self.text)
        words: list[str] = []
        ranges: list[tuple[int, int]] = []
        for token in field.tokenize(text, mode=PHRASE, chars=True):
            words.append(token.text)
            ranges.append((start + offsets[token.startchar], start + offsets[token.endchar - 1] + 1))
        phrase = parser.phraseclass(fieldname, words, slop=self.slop, boost=self.boost, char_ranges=ranges)
        return attach(phrase, self)


class _PhraseTagger(qparser.PhrasePlugin.PhraseTagger):
    def create(self, parser: Any, match: Any) -> Any:
        node = super().create(parser, match)
        return _PhraseNode(node.text, node.textstartchar, node.slop)


class CjkPhrasePlugin(qparser.PhrasePlugin):
    """The phrase plugin of artsearch's parser (same syntax as Whoosh's: ``"..."``, ``"..."~2``)."""

    def __init__(self, expr: str = r'"(?P<text>.*?)"(~(?P<slop>[1-9][0-9]*))?') -> None:
        self.expr = expr

    def taggers(self, parser: Any) -> list[tuple[Any, int]]:
        return [(_PhraseTagger(self.expr), 0)]


def use_phrase_plugin(parser: qparser.QueryParser) -> qparser.QueryParser:
    """Replace the parser's phrase plugin by :class:`CjkPhrasePlugin`; returns the parser."""
    parser.remove_plugin_class(qparser.PhrasePlugin)
    parser.add_plugin(CjkPhrasePlugin())
    return parser
