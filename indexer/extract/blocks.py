"""Turning a page subtree into text blocks (paragraphs), iteratively (no recursion)."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator

from indexer.extract.dom import SKIP_STRINGS, Element, Text

BLOCK_TAGS = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "body",
        "caption",
        "center",
        "dd",
        "details",
        "dialog",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hgroup",
        "hr",
        "html",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "ul",
    ]
)


def clean_space(text: str) -> str:
    """NFC-normalise, turn non-breaking and zero-width spaces into spaces, collapse whitespace."""
    if not text.isascii():
        text = unicodedata.normalize("NFC", text).replace("\u200b", "").replace("\ufeff", "")
    # str.split() splits at exactly the characters ``\s`` matches (str.isspace).
    return " ".join(text.split())


def block_ancestor(node: Text | Element, stop: Element) -> Element:
    """The nearest block-level ancestor of ``node`` inside ``stop`` (or ``stop`` itself)."""
    parent = node.parent
    while parent is not None and parent is not stop and parent.name not in BLOCK_TAGS:
        parent = parent.parent
    return parent if parent is not None else stop


def iter_blocks(root: Element) -> Iterator[tuple[Element, str]]:
    """Yield ``(block_element, text)`` for each run of text under ``root`` in document order.

    A new block starts whenever the nearest block-level ancestor changes or at ``<br>``.
    """
    current: Element | None = None
    parts: list[str] = []
    for node in root.descendants:
        if isinstance(node, Element):
            if node.name == "br" and parts:
                yield current or root, "".join(parts)
                parts = []
            continue
        if isinstance(node, SKIP_STRINGS) or not isinstance(node, Text):
            continue
        block = block_ancestor(node, root)
        if block is not current:
            if parts:
                yield current or root, "".join(parts)
            parts = []
            current = block
        parts.append(str(node))
    if parts:
        yield current or root, "".join(parts)


def paragraphs_of(root: Element) -> list[str]:
    """The non-empty text blocks of ``root``, whitespace collapsed."""
    out: list[str] = []
    for _, raw in iter_blocks(root):
        text = clean_space(raw)
        if text:
            out.append(text)
    return out


def text_of(node: Element) -> str:
    """All visible text of ``node`` with whitespace collapsed."""
    return clean_space(
        " ".join(
            s for s in node.descendants if isinstance(s, Text) and not isinstance(s, SKIP_STRINGS)
        )
    )
