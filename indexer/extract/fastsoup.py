"""A page's BeautifulSoup tree, built by a lean lxml parser target instead of bs4's own.

Extraction reads the lighter tree of :mod:`indexer.extract.dom`; a bs4 tree is needed only where a
site profile's CSS selectors run (soupsieve works on bs4's objects), and this builds it.

``BeautifulSoup(text, "lxml")`` spends ~0.1 ms of a page's ~1.3 ms in libxml2; the rest is bs4's
generic per-event machinery (``handle_starttag``, ``endData``, ``_popToTag``, ``object_was_parsed``,
``string_container``, ``Tag.__init__``). :func:`lxml_soup` feeds the same libxml2 parser (same class,
same options, the same single ``feed``) and answers its events with a target that builds the same
objects directly: the same classes (``Script``, ``Stylesheet``, ``Comment``, ``Doctype`` ...), the
same attribute dicts and ``<meta>`` charset substitutions, whitespace-only strings collapsed to
``" "``/``"\\n"`` outside ``<pre>``/``<textarea>``, and the same ``parent``, sibling and
``next_element`` links. Because the event stream is libxml2's in both cases, the tree is the same by
construction; ``tests/test_fastsoup.py`` checks it node by node (and fails if a bs4 upgrade changes
the internals mirrored here: written against beautifulsoup4 4.15). What the target does not
reproduce (namespaced names, which an HTML page never should have) raises :class:`Unsupported`, and
the caller parses the page the bs4 way.
"""

from __future__ import annotations

import re
from copy import copy
from typing import Any

import bs4
from bs4 import BeautifulSoup
from bs4.builder._lxml import LXMLTreeBuilder
from bs4.element import Comment, Doctype, NavigableString, ProcessingInstruction, Tag

from indexer.extract.events import ReusedParser, StringEvents, Unsupported

# The bs4 releases whose internals the target mirrors; any other falls back to bs4's own builder.
MIRRORED_BS4 = ((4, 15),)
BS4_RELEASE = tuple(int(part) for part in re.findall(r"\d+", bs4.__version__)[:2])
ENABLED = BS4_RELEASE in MIRRORED_BS4
_new = object.__new__
_new_str = str.__new__


def lxml_soup(text: str) -> BeautifulSoup:
    """``BeautifulSoup(text, "lxml", multi_valued_attributes=None)``, built about twice as fast.

    Raises:
        Unsupported: the page needs bs4's own tree builder, or the installed bs4 is not a release
            this target mirrors (the caller falls back to bs4).
        lxml.etree.ParserError, UnicodeDecodeError, LookupError: libxml2 refused the text (bs4
            would retry with UTF-8 bytes; the caller falls back to bs4).
    """
    if not ENABLED:
        raise Unsupported(f"written against beautifulsoup4 4.15, not {bs4.__version__}")
    soup = _empty_soup(LXMLTreeBuilder(multi_valued_attributes=None))
    _PARSER.parse(text, soup)
    return soup


def _empty_soup(builder: LXMLTreeBuilder) -> BeautifulSoup:
    """``BeautifulSoup("", builder=builder)``: a copy of the state such a soup starts with.

    bs4's constructor feeds the empty string through the builder (~27 µs, most of it in
    ``inspect``); the state it leaves is the same for every page, so it is made once and copied.
    """
    if not _SOUP_STATE:
        template = BeautifulSoup("", builder=LXMLTreeBuilder(multi_valued_attributes=None))
        _SOUP_STATE.update(template.__dict__)
        _SOUP_STATE["currentTag"] = None  # the soup itself, set below
        _SOUP_STATE["builder"] = None
    soup = _new(BeautifulSoup)
    state = {key: copy(value) if isinstance(value, _MUTABLE) else value for key, value in _SOUP_STATE.items()}
    state["currentTag"] = soup
    state["builder"] = builder
    soup.__dict__ = state
    return soup


_SOUP_STATE: dict[str, Any] = {}
_MUTABLE = (list, dict, set)


class _Target(StringEvents):
    """lxml parser target mirroring ``LXMLTreeBuilder`` + ``BeautifulSoup``'s handlers."""

    COMMENT = Comment
    DOCTYPE = Doctype
    PROCESSING_INSTRUCTION = ProcessingInstruction

    def reset(self, soup: BeautifulSoup) -> None:
        """Start building ``soup`` (a new, empty one)."""
        builder = soup.builder
        self.soup = soup
        self.builder = builder
        self.attr_dict = builder.attribute_dict_class
        self.containers: dict[str, type[NavigableString]] = dict(builder.string_containers)
        self.preserve = frozenset(builder.preserve_whitespace_tags or ())
        self.special = frozenset([*self.containers, *self.preserve, "meta"])
        self.namespaces = builder.active_namespace_prefixes[-1]  # type: ignore[attr-defined]
        # Open tags, innermost last, each with the string class and whitespace rule inside it.
        self.stack: list[tuple[Tag, type[NavigableString], bool]] = [(soup, NavigableString, False)]
        self.current: Tag = soup
        self.container: type[NavigableString] = NavigableString
        self.keep_space = False
        self.last: Any = None  # bs4's _most_recent_element
        self.pending: list[str] = []

    # -- lxml target interface ------------------------------------------------------------

    def start(self, name: str, attrib: Any, nsmap: Any = None) -> None:
        if self.pending:
            self._flush(None)
        if nsmap or name[:1] == "{":
            raise Unsupported(f"namespaced tag {name!r}")
        # lxml gives str keys and values, which the attribute dict's __setitem__ keeps as they are.
        attrs = self.attr_dict(attrib)
        for key in attrs:
            if key[:1] == "{":
                raise Unsupported(f"namespaced attribute {key!r}")
        template = _TEMPLATES.get(name)
        if template is None:
            template = self._template(name)
        d = template.copy()
        d["_namespaces"] = self.namespaces
        d["attrs"] = attrs
        d["contents"] = []
        parent = self.current
        d["parent"] = parent
        last = self.last
        d["previous_element"] = last
        contents = parent.contents
        sibling = contents[-1] if contents else None
        d["previous_sibling"] = sibling
        tag = _new(Tag)
        tag.__dict__ = d
        if last is not None:
            last.next_element = tag
        if sibling is not None:
            sibling.next_sibling = tag
        contents.append(tag)
        self.last = tag
        if name in self.special:
            self._special(tag)
        else:
            self.stack.append((tag, self.container, self.keep_space))
            self.current = tag

    def _special(self, tag: Tag) -> None:
        """Push a string-container, whitespace-keeping or ``<meta>`` tag (rare: their own rules)."""
        name = tag.name
        containers = self.containers
        if name in containers:
            tag.__dict__["interesting_string_types"] = {containers[name]}
        if name == "meta":
            self.builder.set_up_substitutions(tag)
        container = containers.get(name, self.container)
        keep = self.keep_space or name in self.preserve
        self.stack.append((tag, container, keep))
        self.current = tag
        self.container = container
        self.keep_space = keep

    def end(self, name: str) -> None:
        if self.pending:
            self._flush(None)
        if name[:1] == "{":
            raise Unsupported(f"namespaced tag {name!r}")
        stack = self.stack
        if len(stack) > 1 and stack[-1][0].name == name:  # the usual case: the innermost tag
            stack.pop()
            self.current, self.container, self.keep_space = stack[-1]
            return
        for i in range(len(stack) - 1, 0, -1):
            if stack[i][0].name == name:
                del stack[i:]
                self.current, self.container, self.keep_space = stack[-1]
                return

    def close(self) -> None:
        if self.pending:
            self._flush(None)
        del self.stack[1:]
        self.current = self.soup
        self.soup._most_recent_element = self.last

    # -- helpers ----------------------------------------------------------------------------

    def _flush(self, cls: type[NavigableString] | None) -> None:
        """bs4's ``endData``: the collected text becomes one string of the tree."""
        string = _new_str(cls or self.container, self._pending_text())
        parent = self.current
        last = self.last
        contents = parent.contents
        sibling = contents[-1] if contents else None
        string.__dict__ = {
            "hidden": False,
            "parent": parent,
            "previous_element": last,
            "next_element": None,
            "next_sibling": None,
            "previous_sibling": sibling,
        }
        if last is not None:
            last.next_element = string
        if sibling is not None:
            sibling.next_sibling = string
        contents.append(string)
        self.last = string

    def _template(self, name: str) -> dict[str, Any]:
        """The instance dict ``Tag.__init__`` gives a tag of this name (links and attrs reset)."""
        probe = Tag(self.soup, self.builder, name, None, None, {}, None, None, namespaces=self.namespaces)
        template = dict(probe.__dict__)
        template["next_element"] = None
        template["next_sibling"] = None
        if len(_TEMPLATES) < _MAX_TEMPLATES:  # garbage pages can invent any number of names
            _TEMPLATES[name] = template
        return template


# Per tag name, the instance dict a new Tag gets (the same for every page built the same way).
_TEMPLATES: dict[str, dict[str, Any]] = {}
_MAX_TEMPLATES = 2000

_PARSER = ReusedParser(_Target)  # this thread's parser and target
