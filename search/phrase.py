"""Quoted phrases analysed in ``mode="phrase"``, so CJK phrases are contiguous bigram chains.

Whoosh's :class:`~whoosh.qparser.PhrasePlugin` tokenizes a phrase with ``mode="query"`` and treats
every token as the next word. The analyzer stacks extra tokens (whole Chinese words) at query
time, which would break such a chain; in ``mode="phrase"`` it emits only one token per position.
"""

from __future__ import annotations

from typing import Any

from whoosh import qparser
from whoosh.qparser.plugins import attach

from indexer.cjk import PHRASE


class _PhraseNode(qparser.PhrasePlugin.PhraseNode):  # type: ignore[misc]
    def query(self, parser: Any) -> Any:
        fieldname = self.fieldname or parser.fieldname
        field = parser.schema[fieldname] if parser.schema and fieldname in parser.schema else None
        if field is None or not field.analyzer or not field.format:
            return super().query(parser)
        start = self.textstartchar
        words: list[str] = []
        ranges: list[tuple[int, int]] = []
        for token in field.tokenize(self.text, mode=PHRASE, chars=True):
            words.append(token.text)
            ranges.append((start + token.startchar, start + token.endchar))
        phrase = parser.phraseclass(fieldname, words, slop=self.slop, boost=self.boost, char_ranges=ranges)
        return attach(phrase, self)


class _PhraseTagger(qparser.PhrasePlugin.PhraseTagger):  # type: ignore[misc]
    def create(self, parser: Any, match: Any) -> Any:
        node = super().create(parser, match)
        return _PhraseNode(node.text, node.textstartchar, node.slop)


class CjkPhrasePlugin(qparser.PhrasePlugin):  # type: ignore[misc]
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
