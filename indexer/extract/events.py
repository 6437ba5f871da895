"""What both lean page-tree builders share: libxml2's text events answered by bs4's rules.

An lxml parser target receives text in pieces (``data``) and comments, doctypes and processing
instructions as events of their own. bs4 joins the pieces between two tags into one string and
makes each of the others a string of its own class; :class:`StringEvents` does that for the
extraction tree (:mod:`indexer.extract.dom`) and the bs4 tree (:mod:`indexer.extract.fastsoup`),
which differ only in the string classes and in how ``_flush`` adds a string to their tree.
"""

from __future__ import annotations

import threading
from typing import Any

from bs4 import BeautifulSoup
from bs4.builder import DetectsXMLParsedAsHTML
from bs4.element import Doctype
from lxml import etree

_ASCII_SPACES = BeautifulSoup.ASCII_SPACES  # " \n\t\x0c\r": bs4 collapses strings of only these


class Unsupported(Exception):
    """The page holds something a lean builder does not reproduce (namespaced names): use bs4's own."""


class StringEvents:
    """The ``data``, ``comment``, ``doctype`` and ``pi`` methods of an lxml parser target."""

    # The string classes of the builder's tree.
    COMMENT: type[str]
    DOCTYPE: type[str]
    PROCESSING_INSTRUCTION: type[str]
    pending: list[str]  # the text since the last tag or string
    keep_space: bool  # inside <pre> or <textarea>

    def reset(self, tree: Any) -> None:
        """Start building ``tree`` (a new, empty one)."""
        raise NotImplementedError

    def _flush(self, cls: Any) -> None:
        """Add the pending text as one string of class ``cls`` (the container's class for ``None``)."""
        raise NotImplementedError

    def _pending_text(self) -> str:
        """The pending text, taken: whitespace-only text (ASCII spaces, or none) becomes ``"\\n"`` if it
        holds a newline, else ``" "``, unless whitespace is kept (bs4's ``endData``)."""
        value = "".join(self.pending)
        self.pending = []
        if not self.keep_space and not value.strip(_ASCII_SPACES):
            value = "\n" if "\n" in value else " "
        return value

    def data(self, content: str) -> None:
        self.pending.append(content)

    def comment(self, content: str) -> None:
        self._string(content, self.COMMENT)

    def doctype(self, name: str, pubid: str | None, system: str | None) -> None:
        self._string(Doctype._string_for_name_and_ids(name, pubid, system), self.DOCTYPE)

    def pi(self, target: str, content: str) -> None:
        self._string(target + " " + content, self.PROCESSING_INSTRUCTION)

    def _string(self, value: str, cls: type[str]) -> None:
        """The text so far as a string, then ``value`` as a string of class ``cls``."""
        if self.pending:
            self._flush(None)
        self.pending.append(value)
        self._flush(cls)


class ReusedParser:
    """libxml2's HTML parser with a target of ``target_class``, one per thread, reused from page to
    page: lxml resets a parser at ``close``, and making one with a Python target costs ~20 µs, most
    of it lxml inspecting the target's methods."""

    def __init__(self, target_class: type[StringEvents]) -> None:
        self._target_class = target_class
        self._local = threading.local()

    def parse(self, text: str, tree: Any) -> None:
        """Feed ``text`` to this thread's parser, whose target builds ``tree``; as bs4 feeds lxml.

        Raises:
            Unsupported: the target declined the page.
            lxml.etree.ParserError, UnicodeDecodeError, LookupError: libxml2 refused the text.
        """
        DetectsXMLParsedAsHTML.warn_if_markup_looks_like_xml(text, stacklevel=4)
        if text[:1] == "\N{BYTE ORDER MARK}":
            text = text[1:]  # bs4 strips it before feeding lxml (lxml bug 1948551)
        pair = getattr(self._local, "pair", None)
        if pair is None:
            target = self._target_class()
            # As bs4's LXMLTreeBuilder.parser_for makes it.
            parser = etree.HTMLParser(target=target, recover=True, huge_tree=True, encoding=None)
            pair = self._local.pair = (parser, target)
        parser, target = pair
        target.reset(tree)
        try:
            parser.feed(text)
            parser.close()
        except BaseException:
            self._local.pair = None  # stopped mid-page: the next page gets a new parser, to be safe
            raise
