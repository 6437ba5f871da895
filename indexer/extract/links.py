"""Links to other articles kept as data: prev/next chains and related/Recommend lists."""

from __future__ import annotations

import functools
import re
from urllib.parse import urldefrag, urljoin

from indexer.extract.blocks import clean_space, text_of
from indexer.extract.dom import Element, Text
from indexer.extract.tree import Measures, marker, tags_named

_PREV_MARK = re.compile(
    r"^\s*(?:<<|«|‹|←|上一篇|上一页|上一則|上一篇文章|前一篇|previous(?:\s+(?:article|post|story))?|prev(?:ious)?\.?)\s*[:：]?",
    re.I,
)
_NEXT_MARK = re.compile(
    r"^\s*(?:>>|»|›|→|下一篇|下一页|下一則|下一篇文章|后一篇|next(?:\s+(?:article|post|story))?)\s*[:：]?",
    re.I,
)
RELATED_HINT = re.compile(
    r"recommend|related|similar|you-may|youmay|also-like|alsolike|more-stories|more-articles|"
    r"read-more|readmore|read-next|yarpp|suggest|tuijian|xiangguan|hot-?list|popular",
    re.I,
)
RELATED_HEADING = re.compile(
    r"^\s*(recommend(ed)?|related|you (may|might) (also )?like|read (more|next)|more (from|stories|articles)|"
    r"see also|popular|推荐|相关|猜你喜欢|热门|延伸阅读|推薦|相關|熱門)",
    re.I,
)
MAX_RECOMMENDED = 50


def _href(a: Element, base: str) -> str | None:
    href = a.get("href")
    if not isinstance(href, str):
        return None
    href = href.strip()
    if not href or href.startswith(("#", "javascript:", "mailto:", "tel:", "data:")):
        return None
    return _resolve(base, href)


@functools.lru_cache(maxsize=8192)
def _resolve(base: str, href: str) -> str | None:
    """``href`` made absolute against ``base``, without its fragment (pages repeat their links);
    ``None`` for a URL urljoin rejects (see :func:`join_url`): not a link to follow."""
    if _PLAIN_PATH.fullmatch(href):
        origin = _origin(base)
        if origin is not None:
            return origin + href  # what urljoin gives, without parsing both URLs
    joined = join_url(base, href)
    return (urldefrag(joined)[0] or None) if joined is not None else None


# A root-relative path that urljoin keeps as it is: ASCII, no empty or dot segments, no query,
# fragment or parameters.
_PLAIN_PATH = re.compile(r"/(?![./])(?:[A-Za-z0-9_~%!$&'()*+,=@:-]|\.(?![./]|$)|/(?![./]))*")
# A lower-case http(s) scheme and an ASCII host (no IPv6 brackets, which urlsplit checks).
_HTTP_ORIGIN = re.compile(r"https?://[A-Za-z0-9.:@%_~!$&'()*+,=-]*")


# A scheme as urlsplit finds one: an ASCII letter, then letters, digits, "+", "-" or "." up to the first ":".
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")


def join_url(base: str, url: str) -> str | None:
    """``urljoin(base, url)``, ``None`` where urljoin rejects a URL (a malformed host such as
    ``https://[x``); without parsing both in the common case of a page's canonical URL: a ``url``
    with a scheme against a ``base`` starting with ``/`` (which has none) is ``url`` itself (not for
    brackets or non-ASCII, where urlsplit checks the host)."""
    if base[:1] == "/" and _SCHEME.match(url) and url.isascii() and "[" not in url and "]" not in url:
        return url
    try:
        return urljoin(base, url)
    except ValueError:
        return None


@functools.lru_cache(maxsize=64)
def _origin(base: str) -> str | None:
    """What ``urljoin(base, path)`` puts before a plain root-relative ``path``: ``""`` for a base
    without scheme and host, ``scheme://host`` for a lower-case http(s) base; ``None`` otherwise."""
    if not base or (base[0] == "/" and base[:2] != "//"):
        return ""
    match = _HTTP_ORIGIN.match(base)
    if match is None or base[match.end() : match.end() + 1] not in ("", "/", "?", "#"):
        return None
    return match.group()


def prev_next_links(
    anchors: list[Element], base: str, measures: Measures
) -> tuple[str | None, str | None, list[Element]]:
    """Find prev/next article links; returns ``(prev_url, next_url, their_container_blocks)``.

    A link is a prev (next) link when its ``rel`` says so or its label (the text just before it
    and its own text) starts with a prev (next) mark; prev wins when both apply.
    """
    prev = nxt = None
    blocks: list[Element] = []
    for a in anchors:
        attrs = a.attrs
        if a.gone or attrs.get("href") is None:
            continue
        rel = attrs.get("rel")
        rel = rel.lower() if rel else ""
        if "prev" in rel:
            kind = "prev"
        else:
            label = (_label_before(a) + " " + _head_text(a)).strip()
            if _PREV_MARK.match(label):
                kind = "prev"
            elif "next" in rel or _NEXT_MARK.match(label):
                kind = "next"
            else:
                continue
        url = _href(a, base)
        if not url:
            continue
        if kind == "prev" and prev is None:
            prev = url
        elif kind == "next" and nxt is None:
            nxt = url
        blocks.append(_container(a, measures))
    return prev, nxt, blocks


def _label_before(a: Element) -> str:
    """The text just before the link inside its parent (``"<<:"``, ``"上一篇："``), up to 20 characters."""
    parent = a.parent
    if parent is None or not parent.contents or parent.contents[0] is a:  # the usual link: first in its parent
        return ""
    parts: list[str] = []
    length = 0
    for sibling in a.previous_siblings:
        piece = sibling.get_text() if isinstance(sibling, Element) else str(sibling)
        parts.append(piece)
        length += len(piece.strip())
        if length >= 20:
            break
    return clean_space("".join(reversed(parts)))[-20:]


def _head_text(a: Element, limit: int = 40) -> str:
    """The first ``limit`` or so characters of the link's text."""
    contents = a.contents
    if len(contents) == 1 and type(contents[0]) is Text:  # the usual link: one string
        return clean_space(contents[0])
    parts: list[str] = []
    length = 0
    for piece in a.strings:
        parts.append(piece)
        length += len(piece)
        if length >= limit:
            break
    return clean_space("".join(parts))


def _container(a: Element, measures: Measures) -> Element:
    parent = a.parent if isinstance(a.parent, Element) else a
    if parent.name in ("p", "li", "span", "div", "td") and measures.text_len(parent) < 300:
        return parent
    return a


def recommended_links(tags: list[Element], base: str, measures: Measures) -> tuple[list[str], list[Element]]:
    """Links of the page's related/Recommend lists; returns ``(urls, the_list_containers)``."""
    urls: list[str] = []
    containers: list[Element] = []
    for box in _related_boxes(tags, measures):
        box_parents = {id(p) for p in box.parents}
        if any(id(c) in box_parents for c in containers):
            continue
        containers = [c for c in containers if not any(p is box for p in c.parents)]
        containers.append(box)
    for box in containers:
        for a in tags_named(box, "a"):
            if a.attrs.get("href") is None:  # find_all("a", href=True) kept only these
                continue
            url = _href(a, base)
            if url and url not in urls and url != base:
                urls.append(url)
    return urls[:MAX_RECOMMENDED], containers


def _related_boxes(tags: list[Element], measures: Measures) -> list[Element]:
    boxes: list[Element] = []
    skip = frozenset(("html", "body", "article", "main", "a", "script", "style"))
    headings = frozenset(("h2", "h3", "h4", "h5", "h6", "strong", "span", "div", "p"))
    for tag in tags:
        if tag.gone or tag.name in skip:
            continue
        if tag.attrs and _related_label(marker(tag)) and _is_link_list(tag, measures):
            boxes.append(tag)
        elif tag.name in headings and 0 < measures.text_len(tag) <= 40:
            if tag.name in ("div", "p") and any(isinstance(c, Element) for c in tag.children):
                continue
            if not RELATED_HEADING.match(text_of(tag)):
                continue
            box = tag.parent
            if isinstance(box, Element) and box.name not in ("body", "html") and _is_link_list(box, measures):
                boxes.append(box)
    return boxes


@functools.lru_cache(maxsize=4096)
def _related_label(label: str) -> bool:
    return RELATED_HINT.search(label) is not None


def _is_link_list(tag: Element, measures: Measures) -> bool:
    """At least two links, and most of the text is link text."""
    return measures.link_count(tag) >= 2 and measures.link_density(tag) >= 0.5
