"""A page's tree for extraction: lean nodes built straight from libxml2's parse events.

Extraction reads a page through a small part of BeautifulSoup's tree API (``name``, ``attrs``,
``get``, ``parent``, ``parents``, ``contents``, ``children``, ``descendants``, ``strings``,
``get_text``, ``decompose`` ...). Building bs4's own objects costs ~0.49 ms of a typical page
(a 15-key instance dict per tag, six links per node) even by the lean builder of
:mod:`indexer.extract.fastsoup`; these nodes keep what extraction reads in slots (~0.18 ms), and
every node's place in one document-order list, so that ``descendants`` is a slice of that list
instead of a walk.

The tree is the one ``BeautifulSoup(text, "lxml", multi_valued_attributes=None)`` gives: the same
libxml2 events, the same string classes (comments, doctypes, the strings of ``<script>``,
``<style>``, ``<template>``, ``<rt>`` and ``<rp>``), attribute values as plain strings and
whitespace-only strings collapsed to ``" "``/``"\\n"`` outside ``<pre>``/``<textarea>``.
:func:`from_soup` converts any bs4 tree (bs4's fallbacks, site profiles' CSS selectors), and
``tests/test_dom.py`` checks the two paths give the same tree node for node. The tree is only ever
pruned (``decompose``), never grown.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import bs4.element
from bs4 import BeautifulSoup

from indexer.extract.events import ReusedParser, StringEvents, Unsupported

_PRESERVE_SPACE = frozenset(("pre", "textarea"))
_new = object.__new__
_new_str = str.__new__


class Node:
    """What elements and strings share: their place in the document."""

    __slots__ = ()

    parent: Element | None
    order: int  # its place in document order (in ``Document.nodes``)
    gone: bool
    document: Document

    @property
    def parents(self) -> Iterator[Element]:
        """The ancestors, nearest first, up to the document."""
        node = self.parent
        while node is not None:
            yield node
            node = node.parent

    @property
    def next_elements(self) -> list[Element | Text]:
        """Every node after this one's start, in document order (its own descendants first)."""
        return self.document.live(self.order + 1, len(self.document.nodes))

    @property
    def next_sibling(self) -> Node | None:
        """The node after this one in its parent (``None`` for the last)."""
        siblings = self.parent.contents if self.parent is not None else []
        position = _position(siblings, self)
        return siblings[position + 1] if 0 <= position < len(siblings) - 1 else None

    @property
    def previous_siblings(self) -> Iterator[Node]:
        """The nodes before this one in its parent, nearest first."""
        siblings = self.parent.contents if self.parent is not None else []
        return reversed(siblings[: max(_position(siblings, self), 0)])


class Text(str, Node):
    """A string of the page (bs4's ``NavigableString``); subclasses mark the other kinds."""

    __slots__ = ("document", "gone", "order", "parent")


class Comment(Text):
    """``<!-- ... -->``."""

    __slots__ = ()


class Doctype(Text):
    """``<!DOCTYPE ...>``."""

    __slots__ = ()


class ProcessingInstruction(Text):
    """``<? ... >``."""

    __slots__ = ()


class CData(Text):
    """``<![CDATA[ ... ]]>`` (only bs4's html.parser fallback keeps these)."""

    __slots__ = ()


class Declaration(Text):
    """``<! ... >`` (only bs4's html.parser fallback keeps these)."""

    __slots__ = ()


class Script(Text):
    """A string inside ``<script>``."""

    __slots__ = ()


class Stylesheet(Text):
    """A string inside ``<style>``."""

    __slots__ = ()


class TemplateString(Text):
    """A string inside ``<template>``."""

    __slots__ = ()


class RubyText(Text):
    """A string inside ``<rt>``."""

    __slots__ = ()


class RubyParenthesis(Text):
    """A string inside ``<rp>``."""

    __slots__ = ()


# Strings that are never page text (bs4's Comment, Declaration, Doctype, CData, ProcessingInstruction).
SKIP_STRINGS = (Comment, Declaration, Doctype, CData, ProcessingInstruction)
# The string class inside each container tag, for it and everything under it.
_CONTAINERS: dict[str, type[Text]] = {
    "rt": RubyText,
    "rp": RubyParenthesis,
    "style": Stylesheet,
    "script": Script,
    "template": TemplateString,
}
# The strings a tag's get_text() and strings yield: exactly these classes (bs4's interesting_string_types).
_MAIN_STRINGS = frozenset((Text, CData))
_OWN_STRINGS = {name: frozenset((cls,)) for name, cls in _CONTAINERS.items()}


class Element(Node):
    """A tag of the page (bs4's ``Tag``)."""

    __slots__ = ("attrs", "contents", "document", "end", "gone", "name", "order", "parent")

    name: str
    attrs: dict[str, str]
    contents: list[Element | Text]
    end: int  # one past the order of its last descendant

    def get(self, key: str, default: Any = None) -> Any:
        """An attribute's value, ``default`` when it is absent."""
        return self.attrs.get(key, default)

    def __getitem__(self, key: str) -> str:
        return self.attrs[key]

    def __repr__(self) -> str:
        return f"<{self.name} {self.attrs!r} #{self.order}>"

    @property
    def children(self) -> Iterator[Node]:
        """The nodes directly inside, in order."""
        return iter(self.contents)

    @property
    def descendants(self) -> list[Element | Text]:
        """Every node inside, in document order."""
        return self.document.live(self.order + 1, self.end)

    def _strings(self) -> Iterator[str]:
        kinds = _OWN_STRINGS.get(self.name, _MAIN_STRINGS)
        return (node for node in self.descendants if type(node) in kinds)  # type: ignore[misc]

    @property
    def strings(self) -> Iterator[str]:
        """The text strings inside (not comments, nor script strings outside a ``<script>``)."""
        return self._strings()

    def get_text(self) -> str:
        """The text strings inside, joined."""
        return "".join(self._strings())

    @property
    def string(self) -> str | None:
        """The one string inside, through single-child tags (``None`` otherwise)."""
        node: Node = self
        while isinstance(node, Element):
            if len(node.contents) != 1:
                return None
            node = node.contents[0]
        return node if isinstance(node, Text) else None

    def decompose(self) -> None:
        """Remove this element and everything in it from the tree; they are ``gone`` for good."""
        parent = self.parent
        if parent is not None:
            siblings = parent.contents
            del siblings[_position(siblings, self)]
        document = self.document
        document.pruned = True
        for node in document.nodes[self.order : self.end]:
            if not node.gone:
                node.gone = True
                node.parent = None
                if isinstance(node, Element):
                    node.name = ""
                    node.attrs = {}
                    node.contents = []


class Document(Element):
    """The page's root (bs4's ``BeautifulSoup`` object, named ``[document]``)."""

    __slots__ = ("nodes", "pruned")

    nodes: list[Element | Text]  # every node, in document order; ``node.order`` is its place here
    pruned: bool  # some node was decomposed

    def live(self, start: int, end: int) -> list[Element | Text]:
        """The nodes from ``start`` to ``end`` in document order that are not gone."""
        nodes = self.nodes[start:end]
        return [node for node in nodes if not node.gone] if self.pruned else nodes

    def release(self) -> None:
        """Break the tree's reference cycles (parent and children, document and nodes), so that
        it is freed as soon as it is no longer used instead of by the cyclic garbage collector;
        the tree is empty afterwards."""
        for node in self.nodes:
            if isinstance(node, Element):
                node.contents = []
        self.nodes = []

    @property
    def body(self) -> Element | None:
        """The first ``<body>``."""
        return next((n for n in self.nodes if type(n) is Element and n.name == "body"), None)


def _position(siblings: Sequence[Node], node: Node) -> int:
    """Where ``node`` (itself, not an equal string) is in ``siblings``; -1 when it is not."""
    for i, sibling in enumerate(siblings):
        if sibling is node:
            return i
    return -1


def _document() -> Document:
    document = _new(Document)
    document.name = "[document]"
    document.attrs = {}
    document.contents = []
    document.parent = None
    document.order = 0
    document.end = 0
    document.gone = False
    document.document = document
    document.nodes = [document]
    document.pruned = False
    return document


def parse_html(text: str) -> Document:
    """The tree of ``text``, as ``BeautifulSoup(text, "lxml", multi_valued_attributes=None)`` has it.

    Raises:
        Unsupported: namespaced tag or attribute names (the caller converts bs4's tree instead).
        lxml.etree.ParserError, UnicodeDecodeError, LookupError: libxml2 refused the text.
    """
    document = _document()
    _PARSER.parse(text, document)
    return document


class _Target(StringEvents):
    """lxml parser target that builds the tree (bs4's tree builder rules, see the module docstring)."""

    COMMENT = Comment
    DOCTYPE = Doctype
    PROCESSING_INSTRUCTION = ProcessingInstruction

    def reset(self, document: Document) -> None:
        """Start building ``document`` (a new, empty one)."""
        self.document = document
        self.nodes = document.nodes
        # Open elements, innermost last, each with the string class and whitespace rule inside it.
        self.stack: list[tuple[Element, type[Text], bool]] = [(document, Text, False)]
        self.current: Element = document
        self.container: type[Text] = Text
        self.keep_space = False
        self.pending: list[str] = []

    def start(self, name: str, attrib: Any, nsmap: Any = None) -> None:
        if self.pending:
            self._flush(None)
        if nsmap or name[:1] == "{":
            raise Unsupported(f"namespaced tag {name!r}")
        if type(attrib) is dict:  # lxml's own dict, new for each tag
            attrs = attrib
            for key in attrs:
                if key[:1] == "{":
                    raise Unsupported(f"namespaced attribute {key!r}")
        else:  # no attributes: lxml passes one shared empty mapping
            attrs = {}
        element = _new(Element)
        element.name = name
        element.attrs = attrs
        element.contents = []
        parent = self.current
        element.parent = parent
        element.gone = False
        element.document = self.document
        nodes = self.nodes
        element.order = len(nodes)
        nodes.append(element)
        parent.contents.append(element)
        if name in _SPECIAL:
            container = _CONTAINERS.get(name, self.container)
            keep = self.keep_space or name in _PRESERVE_SPACE
            self.stack.append((element, container, keep))
            self.container = container
            self.keep_space = keep
        else:
            self.stack.append((element, self.container, self.keep_space))
        self.current = element

    def end(self, name: str) -> None:
        if self.pending:
            self._flush(None)
        stack = self.stack
        if len(stack) > 1 and self.current.name == name:  # the usual case: the innermost element
            element = stack.pop()[0]
            element.end = len(self.nodes)
            self.current, self.container, self.keep_space = stack[-1]
            return
        if name[:1] == "{":
            raise Unsupported(f"namespaced tag {name!r}")
        for i in range(len(stack) - 1, 0, -1):
            if stack[i][0].name == name:
                self._close(i)
                return

    def close(self) -> None:
        if self.pending:
            self._flush(None)
        self._close(1)
        self.document.end = len(self.nodes)

    def _close(self, depth: int) -> None:
        """Close the open elements from ``depth`` in."""
        stack = self.stack
        end = len(self.nodes)
        for element, _, _ in stack[depth:]:
            element.end = end
        del stack[depth:]
        self.current, self.container, self.keep_space = stack[-1]

    def _flush(self, cls: type[Text] | None) -> None:
        """bs4's ``endData``: the collected text becomes one string of the tree."""
        string = _new_str(cls or self.container, self._pending_text())
        parent = self.current
        string.parent = parent
        string.gone = False
        string.document = self.document
        nodes = self.nodes
        string.order = len(nodes)
        nodes.append(string)
        parent.contents.append(string)


_SPECIAL = frozenset((*_CONTAINERS, *_PRESERVE_SPACE))
_PARSER = ReusedParser(_Target)  # this thread's parser and target

# bs4's string classes and ours.
_STRING_CLASSES: dict[type, type[Text]] = {
    bs4.element.NavigableString: Text,
    bs4.element.Comment: Comment,
    bs4.element.Doctype: Doctype,
    bs4.element.ProcessingInstruction: ProcessingInstruction,
    bs4.element.CData: CData,
    bs4.element.Declaration: Declaration,
    bs4.element.Script: Script,
    bs4.element.Stylesheet: Stylesheet,
    bs4.element.TemplateString: TemplateString,
    bs4.element.RubyTextString: RubyText,
    bs4.element.RubyParenthesisString: RubyParenthesis,
}


def _string_class(kind: type) -> type[Text]:
    """Our class for a bs4 string class (its nearest bs4 base for others, such as XML's)."""
    for base in kind.__mro__:
        if base in _STRING_CLASSES:
            return _STRING_CLASSES[base]
    return Text


def _plain(value: Any) -> str:
    """An attribute value as a plain ``str`` (bs4 keeps ``<meta charset>`` values as a subclass)."""
    return str.__str__(value) if isinstance(value, str) else " ".join(value)


def from_soup(soup: BeautifulSoup) -> Document:
    """The same tree as a bs4 one; node ``i`` of ``document.nodes`` is ``[soup, *soup.descendants][i]``."""
    document = _document()
    nodes = document.nodes
    made: dict[int, Element] = {id(soup): document}
    open_elements: list[Element] = [document]
    for source in soup.descendants:
        parent = made[id(source.parent)]
        while open_elements[-1] is not parent:
            open_elements.pop().end = len(nodes)
        node: Element | Text
        if isinstance(source, bs4.element.Tag):
            element = _new(Element)
            element.name = source.name
            element.attrs = {str(k): _plain(v) for k, v in source.attrs.items()}
            element.contents = []
            made[id(source)] = element
            open_elements.append(element)
            node = element
        else:
            node = _new_str(_string_class(type(source)), source)
        node.parent = parent
        node.gone = False
        node.document = document
        node.order = len(nodes)
        nodes.append(node)
        parent.contents.append(node)
    for element in open_elements:
        element.end = len(nodes)
    return document
