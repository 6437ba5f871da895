"""Finding the main content of a page: semantic hints, then readability-style block scoring."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

from indexer.extract.blocks import BLOCK_TAGS, text_of
from indexer.extract.dom import Element, Node
from indexer.extract.shapes import HEADING_TAGS, comment_box, is_figure, is_standfirst, prose_paragraphs
from indexer.extract.tree import Measures, marker

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
COMMENTS = re.compile(r"comment|disqus|replies|respond|discuss", re.I)
MAYBE = re.compile(r"and|article|body|column|content|main|mathjax|shadow", re.I)
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


def drop_noise(tags: list[Element]) -> None:
    """Remove elements that are never article text: scripts, styles, forms, nav, hidden nodes."""
    drop = _DROP
    for tag in tags:
        if tag.gone:
            continue
        if tag.name in drop or (tag.attrs and _is_hidden(tag)):
            tag.decompose()


_DROP = frozenset(DROP_TAGS)


_SCREEN_READER = re.compile(r"\bsr-only\b|screen-reader|visually-?hidden|\boffscreen\b", re.I)


@functools.lru_cache(maxsize=4096)
def _screen_reader_only(classes: str) -> bool:
    """The class names of text shown to screen readers only (``sr-only``, ``visually-hidden``)."""
    return _SCREEN_READER.search(classes) is not None


def _is_hidden(tag: Element) -> bool:
    attrs = tag.attrs
    classes = attrs.get("class") or ""
    # Substring tests first: this runs on every tag with attributes.
    if ("sr-only" in classes or "idden" in classes or "reader" in classes or "offscreen" in classes) and (
        _screen_reader_only(classes)
    ):
        return tag.name not in ("html", "body")
    if "hidden" in attrs:
        return tag.name not in ("html", "body")
    aria = attrs.get("aria-hidden")
    if aria is not None and str(aria).lower() == "true" and tag.name not in _ARIA_VISIBLE:
        return True
    style = attrs.get("style")
    if not style:
        return False
    style = str(style).replace(" ", "").lower()
    return ("display:none" in style or "visibility:hidden" in style) and tag.name not in ("html", "body")


_ARIA_VISIBLE = frozenset(("span", "i", "img", "figure", "html", "body"))


def drop_unlikely(tags: list[Element], measures: Measures, keep: Iterable[Element] = ()) -> None:
    """Remove boilerplate blocks named by tag or by class/id, unless they hold the article.

    ``tags`` are the page's tags in document order; ``measures`` is kept up to date.
    """
    protected: set[int] = set()
    for kept in keep:
        node: Element | None = kept
        while node is not None:
            protected.add(id(node))
            node = node.parent
    for tag in tags:
        if tag.gone:
            continue
        if tag.name in HEADING_TAGS and 0 < measures.text_len(tag) <= 40:
            box = comment_box(tag, measures)
            if box is not None and id(box) not in protected:
                measures.remove(box)
                continue
        by_tag = tag.name in BOILERPLATE_TAGS
        if not (by_tag or tag.attrs) or tag.name in _NEVER_UNLIKELY or id(tag) in protected:
            continue
        label = marker(tag)
        plain, comments = _label_kind(label)
        if not by_tag and plain:
            continue
        if comments or not (
            _holds_article(tag, measures) or is_figure(tag, measures) or (by_tag and plain and is_standfirst(tag, measures))
        ):
            measures.remove(tag)


@functools.lru_cache(maxsize=4096)
def _label_kind(label: str) -> tuple[bool, bool]:
    """``(plain, comments)``: the class/id marker names no boilerplate; it names comments."""
    plain = len(label) < 2 or not UNLIKELY.search(label) or MAYBE.search(label) is not None
    return plain, COMMENTS.search(label) is not None


_NEVER_UNLIKELY = frozenset(("html", "body", "article", "main", "a", "table", "tbody", "tr", "td", "code", "pre"))


def _holds_article(tag: Element, measures: Measures) -> bool:
    """A block with several long paragraphs of running prose is article text whatever its name says.

    Prose paragraphs follow one another under one parent. A gallery's captions, a "related"
    box's excerpts or a list of teasers hold long paragraphs too, but one per item: those do
    not count.
    """
    if measures.long_paragraph_count(tag) < 3 or measures.link_density(tag) >= 0.3:
        return False
    return prose_paragraphs(tag, measures) >= 3


def class_weight(tag: Element) -> int:
    """+25 for an article-ish class/id, −25 for a boilerplate-ish one (both can apply)."""
    attrs = tag.attrs
    if not attrs:
        return 0
    return _weight(attrs.get("class") or "", attrs.get("id") or "")


@functools.lru_cache(maxsize=4096)
def _weight(classes: str, ident: str) -> int:
    weight = 0
    for value in (classes, ident):
        if not value.strip():
            continue
        if NEGATIVE.search(value):
            weight -= 25
        if POSITIVE.search(value):
            weight += 25
    return weight


def _tag_bonus(tag: Element) -> int:
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


def best_candidate(root: Element, measures: Measures) -> tuple[Element | None, float, dict[int, float]]:
    """The element that holds the most article-like text (readability's scoring).

    Returns ``(best, its_score, all_scores)``; the scores are link-density adjusted.
    """
    scores: dict[int, float] = {}
    tags: dict[int, Element] = {}
    scored = frozenset(_SCORED_TAGS)
    containers = frozenset(("section", "td", "li", "blockquote"))
    for node in root.descendants:
        if not isinstance(node, Element) or node.name not in scored:
            continue
        size = measures.text_len(node)
        if size < 25 or (node.name == "li" and size < 80):
            continue
        if node.name in containers and any(
            isinstance(d, Element) and d.name in scored for d in node.descendants
        ):
            continue
        score = 1 + measures.comma_count(node) + min(size // 100, 3)
        ancestor = node.parent
        level = 0
        while isinstance(ancestor, Element) and level < 5:
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
    final = {key: score * (1 - measures.link_density(tags[key])) for key, score in scores.items()}
    best_key = max(final, key=lambda k: final[k], default=None)
    if best_key is None or final[best_key] <= 0:
        return None, 0.0, final
    best = _promote(tags[best_key], final[best_key], final, tags, root)
    best = _gather(best, root, measures)
    return best, final.get(id(best), final[best_key]), final


def _promote(best: Element, best_score: float, scores: dict[int, float], tags: dict[int, Element], root: Element) -> Element:
    """Readability's climb from the best-scored element to the element holding the whole article.

    1. When at least three other top candidates score within 75 % of the best, take their nearest
       common ancestor with the best (the article is split into several strong blocks).
    2. Climb while the parent's score does not fall below a third of the child's, and stop at a
       parent scoring higher than the child.
    3. Climb past parents that hold nothing but the candidate.
    """
    ranked = sorted(scores, key=lambda k: scores[k], reverse=True)[:5]
    alternatives = [tags[k] for k in ranked if tags[k] is not best and scores[k] >= 0.75 * best_score]
    if len(alternatives) >= 3:
        alt_ancestors = [{id(p) for p in alt.parents} for alt in alternatives]
        parent = best.parent
        while isinstance(parent, Element) and parent is not root and parent.name != "body":
            if sum(1 for anc in alt_ancestors if id(parent) in anc) >= 3:
                best = parent
                break
            parent = parent.parent
    last = scores.get(id(best), best_score)
    threshold = last / 3
    parent = best.parent
    while isinstance(parent, Element) and parent is not root and parent.name != "body":
        score = scores.get(id(parent))
        if score is None:
            parent = parent.parent
            continue
        if score < threshold:
            break
        if score > last:
            best = parent
            break
        last = score
        parent = parent.parent
    while (
        isinstance(best.parent, Element)
        and best.parent is not root
        and best.parent.name != "body"
        and sum(1 for c in best.parent.children if isinstance(c, Element)) == 1
    ):
        best = best.parent
    return best


def _gather(best: Element, root: Element, measures: Measures, max_levels: int = 10) -> Element:
    """Climb to an ancestor when the article continues in blocks beside the chosen one.

    Long articles are often cut into sibling sections deeper than the scoring reaches. An
    ancestor replaces ``best`` when another of its children is itself article-like: at least
    two long paragraphs, little link text and no boilerplate class.
    """
    node = best
    chosen = best
    for _ in range(max_levels):
        parent = node.parent
        if not isinstance(parent, Element) or parent is root or parent.name in ("body", "html"):
            break
        if any(
            isinstance(child, Element)
            and child is not node
            and measures.long_paragraph_count(child) >= 2
            and measures.link_density(child) < 0.1
            and measures.link_count(child) <= measures.long_paragraph_count(child)
            and class_weight(child) >= 0
            for child in parent.children
        ):
            chosen = parent
        node = parent
    return chosen


def content_blocks(top: Element, scores: dict[int, float], best_score: float, measures: Measures) -> list[Element]:
    """``top`` plus the siblings that continue the article (Readability's sibling rule).

    A sibling joins when it scored at least a fifth of the best score, or when it is a paragraph
    (or a block of paragraphs) with long, sparsely linked text.
    """
    parent = top.parent
    if not isinstance(parent, Element) or parent.name in ("html", "[document]"):
        return [top]
    threshold = max(10.0, best_score * 0.2)
    top_marker = marker(top).strip()
    out: list[Element] = []
    for sibling in parent.children:
        if not isinstance(sibling, Element):
            continue
        if sibling is top:
            out.append(sibling)
            continue
        bonus = best_score * 0.2 if top_marker and marker(sibling).strip() == top_marker else 0.0
        size = measures.text_len(sibling)
        density = measures.link_density(sibling)
        if scores.get(id(sibling), 0.0) + bonus >= threshold or (
            sibling.name in ("p", "div")
            and ((size > 80 and density < 0.25) or (0 < size <= 80 and density == 0 and _sentence_end(sibling)))
            and (sibling.name == "p" or _phrasing_only(sibling))
        ):
            out.append(sibling)
    return _fill_gaps(out, measures)


def _fill_gaps(blocks: list[Element], measures: Measures) -> list[Element]:
    """``blocks`` (siblings in document order) plus the siblings between them.

    An article runs on between its chosen blocks: the subheadings, short paragraphs, lists and
    figures in between belong to it unless they are link lists or named like boilerplate.
    """
    if len(blocks) < 2:
        return blocks
    chosen = {id(b) for b in blocks}
    out: list[Element] = []
    node: Node | None = blocks[0]
    last = blocks[-1]
    while node is not None:
        if isinstance(node, Element) and (id(node) in chosen or _continues(node, measures)):
            out.append(node)
        if node is last:
            break
        node = node.next_sibling
    return out


_TEXT_BLOCKS = frozenset(
    ("p", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "dl", "table", "blockquote", "pre", "figure", "hr", "br")
)


def _continues(node: Element, measures: Measures) -> bool:
    """A block between two parts of the article that belongs to it: a text element of any size, or a
    short wrapper; never a link list or a block named like boilerplate."""
    if node.name not in _TEXT_BLOCKS and measures.text_len(node) > 300:
        return False
    return measures.link_density(node) < 0.5 and class_weight(node) >= 0


def _phrasing_only(tag: Element) -> bool:
    """A block with text and inline markup only: a paragraph written as a ``<div>``."""
    return not any(isinstance(node, Element) and node.name in BLOCK_TAGS for node in tag.descendants)


def _sentence_end(tag: Element) -> bool:
    return bool(re.search(r"\.( |$)", text_of(tag)))


def semantic_candidate(groups: dict[str, list[Element]], measures: Measures) -> Element | None:
    """An element the page itself marks as the article body, if it holds real text."""
    for tag in groups.get("*itemprop", []):
        if not tag.gone and "articlebody" in str(tag.get("itemprop")).lower() and measures.text_len(tag) > 200:
            return tag
    articles = [a for a in groups.get("article", []) if not a.gone and measures.text_len(a) > 200]
    if len(articles) == 1:
        return articles[0]
    mains = [m for m in groups.get("main", []) if not m.gone]
    if len(mains) == 1 and measures.text_len(mains[0]) > 200:
        return mains[0]
    return None


def _is_caption(tag: Element) -> bool:
    """Figures and captions are part of the article even when their class says "media"."""
    return tag.name in ("figure", "figcaption") or "caption" in marker(tag).lower()


def clean_candidate(node: Element, measures: Measures) -> None:
    """Conditional cleaning inside the chosen content: drop link lists and tiny boilerplate."""
    names = frozenset(("div", "section", "ul", "ol", "table", "p", "span", "figure"))
    for tag in [t for t in node.descendants if isinstance(t, Element) and t.name in names]:
        if tag.gone:
            continue
        size = measures.text_len(tag)
        if not size:
            if tag.name in ("div", "p", "span", "section") and not any(
                isinstance(d, Element) and d.name in ("img", "picture", "video") for d in tag.descendants
            ):
                tag.decompose()
            continue
        density = measures.link_density(tag)
        if (
            (tag.name in ("ul", "ol") and density > 0.9 and size < 1000)
            or (tag.name in ("div", "section", "table") and density > 0.5 and size < 500)
            or (tag.name != "p" and size < 300 and class_weight(tag) < 0 and not _is_caption(tag))
        ):
            tag.decompose()
