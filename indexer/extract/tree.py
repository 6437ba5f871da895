"""One-pass views of a parsed page: its tags in document order and text measures per element.

Extraction asks the same questions of thousands of elements per page (how much text, how much of
it linked); instead of searching each subtree, we walk the tree once and keep plain lists and
per-element sums (keyed by ``id(tag)``), kept up to date on removals.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from indexer.extract.dom import SKIP_STRINGS, Element, Node, Text

LONG_PARAGRAPH = 120
_COMMA = re.compile(r"[,，、;；。]")


def is_gone(node: Node) -> bool:
    """True once ``node`` (or an ancestor) was decomposed."""
    return node.gone


def tags_of(root: Element) -> list[Element]:
    """Every tag under ``root`` (not ``root`` itself), in document order."""
    return [node for node in root.descendants if isinstance(node, Element)]


def tags_named(root: Element, name: str) -> list[Element]:
    """The tags called ``name`` under ``root``, in document order."""
    return [node for node in root.descendants if isinstance(node, Element) and node.name == name]


def group_by_name(tags: Iterable[Element]) -> dict[str, list[Element]]:
    """Tags grouped by tag name, each group in document order."""
    groups: dict[str, list[Element]] = defaultdict(list)
    for tag in tags:
        groups[tag.name].append(tag)
    return groups


def attr_words(tag: Element, name: str) -> list[str]:
    """A space-separated attribute (``class``, ``rel``) as a list."""
    value = tag.attrs.get(name) if tag.attrs else None
    if not value:
        return []
    return value.split() if isinstance(value, str) else [str(v) for v in value]


def marker(tag: Element) -> str:
    """The class names and id of ``tag`` joined into one string."""
    attrs = tag.attrs
    if not attrs:
        return " "
    classes = attrs.get("class") or ""
    joined = classes if isinstance(classes, str) else " ".join(classes)
    return joined + " " + str(attrs.get("id") or "")


@dataclass
class Measures:
    """Per-element sums over a subtree: text length, link-text length, links, long paragraphs."""

    text: dict[int, int] = field(default_factory=dict)
    linked: dict[int, int] = field(default_factory=dict)
    links: dict[int, int] = field(default_factory=dict)
    long_paragraphs: dict[int, int] = field(default_factory=dict)
    commas: dict[int, int] = field(default_factory=dict)

    def text_len(self, tag: Element) -> int:
        """Characters of (stripped) text inside ``tag``."""
        return self.text.get(id(tag), 0)

    def link_density(self, tag: Element) -> float:
        """Share of ``tag``'s text that sits inside links."""
        total = self.text.get(id(tag), 0)
        if not total:
            return 0.0
        return min(1.0, self.linked.get(id(tag), 0) / total)

    def link_count(self, tag: Element) -> int:
        """Number of ``<a href>`` inside ``tag``."""
        return self.links.get(id(tag), 0)

    def comma_count(self, tag: Element) -> int:
        """Commas and other clause separators (``,，、;；。``) in ``tag``'s text."""
        return self.commas.get(id(tag), 0)

    def remove(self, tag: Element) -> None:
        """Decompose ``tag`` and take its sums off its ancestors' (cheaper than measuring again)."""
        key = id(tag)
        tables = (self.text, self.linked, self.links, self.long_paragraphs, self.commas)
        amounts = [table.get(key, 0) for table in tables]
        parent = tag.parent
        while parent is not None:
            pkey = id(parent)
            for table, amount in zip(tables, amounts, strict=True):
                if amount:
                    table[pkey] = table.get(pkey, 0) - amount
            parent = parent.parent
        tag.decompose()

    def long_paragraph_count(self, tag: Element) -> int:
        """Number of ``<p>`` with more than ``LONG_PARAGRAPH`` characters inside ``tag``."""
        return self.long_paragraphs.get(id(tag), 0)


def measure(root: Element) -> Measures:
    """Sum text, link text, links and long paragraphs for every element under ``root``.

    One reversed walk: in reverse document order every node comes after all its descendants,
    so each element's sums are final when it is reached and can be added to its parent.
    """
    text: dict[int, int] = {}
    linked: dict[int, int] = {}
    links: dict[int, int] = {}
    longp: dict[int, int] = {}
    commas: dict[int, int] = {}
    count_commas = _COMMA.findall
    for node in reversed([root, *root.descendants]):
        if isinstance(node, Element):
            key = id(node)
            own = text.get(key, 0)
            name = node.name
            if name == "a":
                linked[key] = own
                if node.attrs.get("href") is not None:
                    links[key] = links.get(key, 0) + 1
            elif name == "p" and own > LONG_PARAGRAPH:
                longp[key] = longp.get(key, 0) + 1
            parent = node.parent
            if parent is None or node is root:
                continue
            pkey = id(parent)
            if own:
                text[pkey] = text.get(pkey, 0) + own
            if key in linked:
                linked[pkey] = linked.get(pkey, 0) + linked[key]
            if key in links:
                links[pkey] = links.get(pkey, 0) + links[key]
            if key in longp:
                longp[pkey] = longp.get(pkey, 0) + longp[key]
            if key in commas:
                commas[pkey] = commas.get(pkey, 0) + commas[key]
        elif isinstance(node, Text) and not isinstance(node, SKIP_STRINGS):
            parent = node.parent
            if parent is None:
                continue
            size = len(node.strip())
            if size:
                pkey = id(parent)
                text[pkey] = text.get(pkey, 0) + size
                count = len(count_commas(node))
                if count:
                    commas[pkey] = commas.get(pkey, 0) + count
    return Measures(text, linked, links, longp, commas)
