"""Finding the main content of a page: semantic hints, then readability-style block scoring."""

from __future__ import annotations

import re
from collections.abc import Iterable

from bs4 import BeautifulSoup, Tag

from indexer.extract.blocks import text_of

# Elements never part of an article's text.
DROP_TAGS = (
    "script",
    "style",
    "noscript",
    "template",
    "iframe",
    "svg",
    "canvas",
    "form",
    "button",
    "input",
    "select",
    "textarea",
    "object",
    "embed",
    "nav",
    "menu",
    "dialog",
    "head",
)
# Structural boilerplate by tag, dropped unless it holds the article.
BOILERPLATE_TAGS = ("header", "footer", "aside")

UNLIKELY = re.compile(
    r"-ad-|\bads?\b|adsense|advert|ad-slot|ad_slot|adslot|agegate|banner|breadcrumb|combx|comment|"
    r"community|cookie|consent|disqus|extra|footer|gdpr|header|legends|masthead|menu|modal|navbar|"
    r"\bnav\b|newsletter|pager|pagination|popup|promo|remark|replies|rss|share|sharing|shoutbox|"
    r"sidebar|skyscraper|social|sponsor|subscribe|supplemental|toolbar|widget|prev-?next|"
    r"post-?nav|related|recommend|tags?-?list|copyright",
    re.I,
)
MAYBE = re.compile(r"and|article|body|column|content|main|shadow|entry|post|story|text", re.I)
POSITIVE = re.compile(
    r"article|body|content|entry|hentry|h-entry|main|page|pagination|post|text|blog|story|"
    r"prose|markdown|rich-?text",
    re.I,
)
NEGATIVE = re.compile(
    r"-ad-|hidden|^hid$|banner|combx|comment|com-|contact|foot|footer|footnote|gdpr|masthead|media|"
    r"meta|outbrain|promo|related|recommend|scroll|share|shoutbox|sidebar|skyscraper|sponsor|"
    r"shopping|tags|tool|widget|breadcrumb|byline|author|dateline|info",
    re.I,
)
_SCORED_TAGS = ("p", "pre", "td", "blockquote", "li", "section", "h2", "h3", "dd")
_COMMA = re.compile(r"[,，、;；。]")


def marker(tag: Tag) -> str:
    """The class names and id of ``tag`` joined into one string."""
    return " ".join(tag.get("class") or []) + " " + str(tag.get("id") or "")


def drop_noise(soup: BeautifulSoup) -> None:
    """Remove elements that are never article text: scripts, styles, forms, nav, hidden nodes."""
    for tag in soup.find_all(DROP_TAGS):
        tag.decompose()
    for tag in soup.find_all(_is_hidden):
        tag.decompose()


def _is_hidden(tag: Tag) -> bool:
    if tag.name in ("html", "body"):
        return False
    style = str(tag.get("style") or "").replace(" ", "").lower()
    return (
        tag.has_attr("hidden")
        or (str(tag.get("aria-hidden", "")).lower() == "true" and tag.name not in ("span", "i", "img"))
        or "display:none" in style
        or "visibility:hidden" in style
    )


def drop_unlikely(root: Tag, keep: Iterable[Tag] = ()) -> None:
    """Remove boilerplate blocks named by tag or by class/id, unless they hold the article."""
    kept = set(map(id, keep))
    for tag in list(root.find_all(True)):
        if tag.decomposed or id(tag) in kept or tag.name in ("html", "body", "article", "main", "a"):
            continue
        if any(id(k) in kept for k in tag.find_all(True)) if kept else False:
            continue
        label = marker(tag)
        by_tag = tag.name in BOILERPLATE_TAGS
        by_name = UNLIKELY.search(label) and not MAYBE.search(label)
        if (by_tag or by_name) and not _holds_article(tag):
            tag.decompose()


def _holds_article(tag: Tag) -> bool:
    """A block with several long paragraphs is article text whatever its name says."""
    long_paragraphs = sum(1 for p in tag.find_all("p") if len(text_of(p)) > 120)
    return long_paragraphs >= 3 and link_density(tag) < 0.3


def link_density(tag: Tag) -> float:
    """Share of ``tag``'s text that sits inside links."""
    total = len(text_of(tag))
    if not total:
        return 0.0
    linked = sum(len(text_of(a)) for a in tag.find_all("a"))
    return min(1.0, linked / total)


def class_weight(tag: Tag) -> int:
    """+25 for an article-ish class/id, −25 for a boilerplate-ish one (both can apply)."""
    weight = 0
    for value in (" ".join(tag.get("class") or []), str(tag.get("id") or "")):
        if not value.strip():
            continue
        if NEGATIVE.search(value):
            weight -= 25
        if POSITIVE.search(value):
            weight += 25
    return weight


def _tag_bonus(tag: Tag) -> int:
    name = tag.name
    if name in ("div", "article", "section", "main"):
        return 5
    if name in ("pre", "td", "blockquote"):
        return 3
    if name in ("address", "ol", "ul", "dl", "dd", "dt", "li", "form"):
        return -3
    if name in ("h1", "h2", "h3", "h4", "h5", "h6", "th"):
        return -5
    return 0


def best_candidate(root: Tag) -> Tag | None:
    """The element that holds the most article-like text (readability's scoring)."""
    scores: dict[int, float] = {}
    tags: dict[int, Tag] = {}
    for node in root.find_all(_SCORED_TAGS):
        text = text_of(node)
        if len(text) < 25 or (node.name == "li" and len(text) < 80):
            continue
        if node.find(_SCORED_TAGS) is not None and node.name in ("section", "td", "li", "blockquote"):
            continue
        score = 1 + len(_COMMA.findall(text)) + min(len(text) // 100, 3)
        ancestor = node.parent
        level = 0
        while isinstance(ancestor, Tag) and level < 5:
            key = id(ancestor)
            if key not in scores:
                scores[key] = _tag_bonus(ancestor) + class_weight(ancestor)
                tags[key] = ancestor
            divider = 1 if level == 0 else 2 if level == 1 else level * 3
            scores[key] += score / divider
            if ancestor is root:
                break
            ancestor = ancestor.parent
            level += 1
    best: Tag | None = None
    best_score = 0.0
    for key, score in scores.items():
        final = score * (1 - link_density(tags[key]))
        if final > best_score:
            best, best_score = tags[key], final
    if best is None:
        return None
    return _widen(best, best_score, scores, tags)


def _widen(best: Tag, best_score: float, scores: dict[int, float], tags: dict[int, Tag]) -> Tag:
    """Climb to the parent when the article's text is split across sibling blocks."""
    node = best
    while isinstance(node.parent, Tag) and node.parent.name not in ("body", "html", "[document]"):
        parent = node.parent
        siblings = [c for c in parent.find_all(True, recursive=False) if c is not node]
        strong = [
            s for s in siblings if scores.get(id(s), 0) * (1 - link_density(s)) >= max(10, best_score * 0.2)
        ]
        if not strong:
            break
        node = parent
    return node


def semantic_candidate(soup: BeautifulSoup) -> Tag | None:
    """An element the page itself marks as the article body, if it holds real text."""
    body = soup.find(attrs={"itemprop": re.compile(r"articleBody", re.I)})
    if isinstance(body, Tag) and len(text_of(body)) > 200:
        return body
    articles = [a for a in soup.find_all("article") if len(text_of(a)) > 200]
    if len(articles) == 1:
        return articles[0]
    mains = soup.find_all("main")
    if len(mains) == 1 and len(text_of(mains[0])) > 200:
        return mains[0]
    return None


def clean_candidate(node: Tag) -> None:
    """Conditional cleaning inside the chosen content: drop link lists and tiny boilerplate."""
    for tag in list(node.find_all(["div", "section", "ul", "ol", "table", "p", "span", "figure"])):
        if tag.decomposed:
            continue
        text = text_of(tag)
        if not text:
            if tag.name in ("div", "p", "span", "section") and tag.find(["img", "picture", "video"]) is None:
                tag.decompose()
            continue
        density = link_density(tag)
        if (
            (tag.name in ("ul", "ol") and density > 0.7 and len(text) < 1000)
            or (tag.name in ("div", "section", "table") and density > 0.5 and len(text) < 500)
            or (class_weight(tag) < 0 and len(text) < 300 and tag.name != "p")
        ):
            tag.decompose()
