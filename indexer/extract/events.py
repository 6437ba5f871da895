"""What both lean page-tree builders share: libxml2's text events answered by bs4's rules.

An lxml parser target receives text in pieces (``data``) and comments, doctypes and processing
instructions as events of their own. bs4 joins the pieces between two tags into one string and
makes each of the others a string of its own class; :class:`StringEvents` does that for the
extraction tree (:mod:`indexer.extract.dom`) and the bs4 tree (:mod:`indexer.extract.fastsoup`),
which differ only in the string classes and in how ``_flush`` adds a string to their tree.
"""

from __future__ import annotations

from typing import Any

from bs4.element import Doctype


class Unsupported(Exception):
    """The page holds something a lean builder does not reproduce (namespaced names): use bs4's own."""


class StringEvents:
    """The ``data``, ``comment``, ``doctype`` and ``pi`` methods of an lxml parser target."""

    # The string classes of the builder's tree.
    COMMENT: type[str]
    DOCTYPE: type[str]
    PROCESSING_INSTRUCTION: type[str]
    pending: list[str]  # the text since the last tag or string

    def _flush(self, cls: Any) -> None:
        """Add the pending text as one string of class ``cls`` (the container's class for ``None``)."""
        raise NotImplementedError

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
