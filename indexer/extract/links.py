"""Links to other articles kept as data: prev/next chains and related/Recommend lists."""

from __future__ import annotations

import re
from urllib.parse import urldefrag, urljoin

from bs4 import BeautifulSoup, Tag

from indexer.extract.blocks import clean_space, text_of

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


def _href(a: Tag, base: str) -> str | None:
    href = a.get("href")
    if not isinstance(href, str):
        return None
    href = href.strip()
    if not href or href.startswith(("#", "javascript:", "mailto:", "tel:", "data:")):
        return None
    return urldefrag(urljoin(base, href))[0] or None


def prev_next_links(soup: BeautifulSoup, base: str) -> tuple[str | None, str | None, list[Tag]]:
    """Find prev/next article links; returns ``(prev_url, next_url, their_container_blocks)``."""
    prev = nxt = None
    blocks: list[Tag] = []
    for a in soup.find_all("a", href=True):
        rel = " ".join(a.get("rel") or []).lower()
        label = _label_before(a) + " " + text_of(a)
        kind = None
        if "prev" in rel or _PREV_MARK.match(label.strip()):
            kind = "prev"
        elif "next" in rel or _NEXT_MARK.match(label.strip()):
            kind = "next"
        if kind is None:
            continue
        url = _href(a, base)
        if not url:
            continue
        if kind == "prev" and prev is None:
            prev = url
        elif kind == "next" and nxt is None:
            nxt = url
        blocks.append(_container(a))
    return prev, nxt, blocks


def _label_before(a: Tag) -> str:
    """The text in ``a``'s parent block that precedes the link (``"<<:"``, ``"上一篇："``)."""
    parent = a.parent
    if not isinstance(parent, Tag):
        return ""
    parts: list[str] = []
    for child in parent.children:
        if child is a:
            break
        parts.append(child.get_text() if isinstance(child, Tag) else str(child))
    return clean_space("".join(parts))[-20:]


def _container(a: Tag) -> Tag:
    parent = a.parent if isinstance(a.parent, Tag) else a
    if parent.name in ("p", "li", "span", "div", "td") and len(text_of(parent)) < 300:
        return parent
    return a


def recommended_links(soup: BeautifulSoup, base: str) -> tuple[list[str], list[Tag]]:
    """Links of the page's related/Recommend lists; returns ``(urls, the_list_containers)``."""
    urls: list[str] = []
    containers: list[Tag] = []
    for box in _related_boxes(soup):
        if any(box in c.parents for c in containers):
            continue
        containers = [c for c in containers if c not in box.parents]
        containers.append(box)
    for box in containers:
        for a in box.find_all("a", href=True):
            url = _href(a, base)
            if url and url not in urls and url != base:
                urls.append(url)
    return urls[:MAX_RECOMMENDED], containers


def _related_boxes(soup: BeautifulSoup) -> list[Tag]:
    boxes: list[Tag] = []
    for tag in soup.find_all(True):
        if tag.name in ("html", "body", "article", "main", "a", "script", "style"):
            continue
        marker = " ".join(tag.get("class") or []) + " " + str(tag.get("id") or "")
        if RELATED_HINT.search(marker) and _is_link_list(tag):
            boxes.append(tag)
    for heading in soup.find_all(["h2", "h3", "h4", "h5", "h6", "strong", "span", "div", "p"]):
        if heading.find(True) is not None and heading.name in ("div", "p"):
            continue
        if len(text_of(heading)) > 40 or not RELATED_HEADING.match(text_of(heading)):
            continue
        box = heading.parent
        if isinstance(box, Tag) and box.name not in ("body", "html") and _is_link_list(box):
            boxes.append(box)
    return boxes


def _is_link_list(tag: Tag) -> bool:
    """At least two links, and most of the text is link text."""
    links = tag.find_all("a", href=True)
    if len(links) < 2:
        return False
    total = len(text_of(tag))
    linked = sum(len(text_of(a)) for a in links)
    return total > 0 and linked >= total * 0.5
