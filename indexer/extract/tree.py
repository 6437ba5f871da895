"""One-pass views of a parsed page: its tags in document order and text measures per element.

Extraction asks the same questions of thousands of elements per page (how much text, how much of
it linked); instead of searching each subtree, we walk the tree once and keep plain lists and
per-element sums (indexed by each element's place in the page), kept up to date on removals.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from indexer.extract.dom import SKIP_STRINGS, Element, Text

LONG_PARAGRAPH = 120
_COMMA = re.compile(r"[,，、;；。]")


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
    return value.split()


def marker(tag: Element) -> str:
    """The class names and id of ``tag`` joined into one string."""
    attrs = tag.attrs
    if not attrs:
        return " "
    return (attrs.get("class") or "") + " " + (attrs.get("id") or "")


@dataclass
class Measures:
    """Per-element sums over a subtree: text length, link-text length, links, long paragraphs.

    Each table is a list indexed by the element's place in its document (``Element.order``).
    """

    text: list[int]
    linked: list[int]
    links: list[int]
    long_paragraphs: list[int]
    commas: list[int]

    def text_len(self, tag: Element) -> int:
        """Characters of (stripped) text inside ``tag``."""
        return self.text[tag.order]

    def link_density(self, tag: Element) -> float:
        """Share of ``tag``'s text that sits inside links."""
        total = self.text[tag.order]
        if not total:
            return 0.0
        return min(1.0, self.linked[tag.order] / total)

    def link_count(self, tag: Element) -> int:
        """Number of ``<a href>`` inside ``tag``."""
        return self.links[tag.order]

    def comma_count(self, tag: Element) -> int:
        """Commas and other clause separators (``,，、;；。``) in ``tag``'s text."""
        return self.commas[tag.order]

    def long_paragraph_count(self, tag: Element) -> int:
        """Number of ``<p>`` with more than ``LONG_PARAGRAPH`` characters inside ``tag``."""
        return self.long_paragraphs[tag.order]

    def remove(self, tag: Element) -> None:
        """Decompose ``tag`` and take its sums off its ancestors' (cheaper than measuring again)."""
        i = tag.order
        for table in (self.text, self.linked, self.links, self.long_paragraphs, self.commas):
            amount = table[i]
            if amount:
                parent = tag.parent
                while parent is not None:
                    table[parent.order] -= amount
                    parent = parent.parent
        tag.decompose()


def measure(root: Element) -> Measures:
    """Sum text, link text, links and long paragraphs for every element under ``root``.

    One reversed walk: in reverse document order every node comes after all its descendants,
    so each element's sums are final when it is reached and can be added to its parent.
    """
    size = len(root.document.nodes)
    text = [0] * size
    linked = [0] * size
    links = [0] * size
    longp = [0] * size
    commas = [0] * size
    count_commas = _COMMA.findall
    for node in reversed([root, *root.descendants]):
        if isinstance(node, Element):
            i = node.order
            own = text[i]
            name = node.name
            if name == "a":
                linked[i] = own
                if node.attrs.get("href") is not None:
                    links[i] += 1
            elif name == "p" and own > LONG_PARAGRAPH:
                longp[i] += 1
            parent = node.parent
            if parent is None or node is root:
                continue
            p = parent.order
            text[p] += own
            linked[p] += linked[i]
            links[p] += links[i]
            longp[p] += longp[i]
            commas[p] += commas[i]
        elif isinstance(node, Text) and not isinstance(node, SKIP_STRINGS):
            parent = node.parent
            if parent is None:
                continue
            length = len(node.strip())
            if length:
                p = parent.order
                text[p] += length
                count = len(count_commas(node))
                if count:
                    commas[p] += count
    return Measures(text, linked, links, longp, commas)
