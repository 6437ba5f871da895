"""Recognising blocks by their shape rather than their names.

Class names are the readability family's main evidence; these rules look at what a block holds:
a comment box by its heading, a figure (picture + caption), a summary ``<header>``, running prose
against one-paragraph-per-item lists (galleries, teaser cards), and a picture post too short for
the text floor.
"""

from __future__ import annotations

import re

from indexer.extract.blocks import text_of
from indexer.extract.dom import SKIP_STRINGS, Element, Text
from indexer.extract.tree import Measures, marker

_COMMENT_LABEL = (
    r"(?:comments?|responses?|replies|reader comments|leave a (?:comment|reply)|post a comment|add a comment|"
    r"join the (?:discussion|conversation)|discussion|commentaires?|kommentare?|comentarios?|"
    r"网友评论|读者评论|发表评论|评论列表|评论区|评论|网友留言|留言区|留言|網友評論|評論區|評論|コメント)"
)
# The whole heading is the label, with a count around it ("Comments (3)", "3 Responses", "网友评论（12）"),
# or WordPress's "3 Responses to “Title”" / "One thought on “Title”".
COMMENTS_HEADING = re.compile(
    rf"^\W*(?:\d+\W*)?{_COMMENT_LABEL}(?:\W*\d+)?\W*$|"
    r"^\W*(?:\d+|one|no)\s+(?:responses?|thoughts?|comments?|replies)\s+(?:to|on)\b",
    re.I,
)
_COMMENT_BOXES = frozenset(("div", "section", "aside", "footer", "header", "ul", "ol", "dl"))
HEADING_TAGS = frozenset(("h2", "h3", "h4", "h5", "h6", "strong", "span", "div", "p", "header"))


def comment_box(heading: Element, measures: Measures) -> Element | None:
    """The comment section ``heading`` opens ("Comments", "3 Responses", "网友评论", ...), if any.

    Sites that name their comment box in another language ("pinglun") or not at all still
    title it. The box is the heading's parent when the heading opens it; a heading in the
    middle of a block (an article section called "Comments") names nothing.
    """
    # The heading's own strings (cheaper than text_of, and enough for "<h3><i></i>Comments</h3>").
    own = "".join([c for c in heading.contents if type(c) is Text]).strip()
    if not own or COMMENTS_HEADING.match(own) is None:
        return None
    if heading.name in ("div", "p", "span", "header") and any(
        isinstance(c, Element) and c.name not in ("span", "a", "em", "strong", "b", "i") for c in heading.children
    ):
        return None
    tag, box = heading, heading.parent
    while isinstance(box, Element) and box.name in ("header", "div", "span") and measures.text_len(box) == measures.text_len(tag):
        tag, box = box, box.parent  # the heading's own wrappers
    if not isinstance(box, Element) or box.name not in _COMMENT_BOXES or _first_text_tag(box, measures) is not tag:
        return None
    if any(isinstance(node, Element) and node.name in ("h1", "article", "main") for node in box.descendants):
        return None
    return box


def _first_text_tag(box: Element, measures: Measures) -> Element | None:
    """The child of ``box`` holding its first visible text."""
    for child in box.children:
        if isinstance(child, Element):
            if measures.text_len(child):
                return child
        elif isinstance(child, str) and not isinstance(child, SKIP_STRINGS) and child.strip():
            return None
    return None


_MEDIA = frozenset(("img", "picture", "video"))
_NOT_STANDFIRST = frozenset(("h1", "h2", "h3", "h4", "h5", "h6", "a", "time", "nav", "ul", "ol", "img", "form", "button"))


def is_standfirst(tag: Element, measures: Measures) -> bool:
    """A ``<header>`` holding one sentence or two of plain prose: the article's summary line.

    A page or article header has the headline, links, a date or a logo; a summary has none.
    """
    if tag.name != "header" or not 80 <= measures.text_len(tag) <= 600:
        return False
    return not any(isinstance(node, Element) and node.name in _NOT_STANDFIRST for node in tag.descendants)


def is_figure(tag: Element, measures: Measures) -> bool:
    """An image with its caption, whatever its wrapper is called (``widget``, ``media``, ...).

    A picture and a short caption without links is part of the article; an ad or a teaser
    carries a link.
    """
    if measures.text_len(tag) > 500 or measures.link_count(tag):
        return False
    media = caption = False
    for node in tag.descendants:
        if isinstance(node, Element):
            media = media or node.name in _MEDIA
            caption = caption or node.name == "figcaption" or "caption" in marker(node).lower()
            if media and caption:
                return True
    return False


def prose_paragraphs(tag: Element, measures: Measures) -> int:
    """Long ``<p>`` inside ``tag`` that read as running prose, not as items of a list.

    A long paragraph is prose when another long paragraph shares its parent, or when its parent
    is a plain wrapper (not a list item or figure, with no heading or picture beside it: sites
    that wrap every paragraph in a ``<div>``). A gallery caption or a teaser's excerpt sits in an
    item with its own heading or picture.
    """
    per_parent: dict[int, list[Element]] = {}
    for node in tag.descendants:
        if isinstance(node, Element) and node.name == "p" and measures.long_paragraph_count(node):
            per_parent.setdefault(id(node.parent), []).append(node)
    count = 0
    for paragraphs in per_parent.values():
        parent = paragraphs[0].parent
        if len(paragraphs) >= 2 or (isinstance(parent, Element) and _plain_wrapper(parent)):
            count += len(paragraphs)
    return count


_ITEMS = frozenset(("li", "dd", "dt", "figure", "td", "th"))
_CARD_PARTS = frozenset(("h1", "h2", "h3", "h4", "h5", "h6", "img", "picture", "video", "figure", "time"))


def _plain_wrapper(parent: Element) -> bool:
    """A block around one paragraph with nothing else of an item's parts (heading, picture, date)."""
    if parent.name in _ITEMS:
        return False
    return not any(isinstance(node, Element) and node.name in _CARD_PARTS for node in parent.descendants)


# A picture or video post: the page marks one article, and its text is a short caption.
SHORT_ARTICLE_CHARS = 10


def short_article(groups: dict[str, list[Element]]) -> Element | None:
    """The page's one article container when it is a picture or video post with a little text.

    Pages under the minimum text length are skipped as "no article"; a page that marks exactly
    one element as its article (``itemprop="articleBody"``, else ``<article>``) holding an image
    or a video and at least ``SHORT_ARTICLE_CHARS`` of text is a short article all the same.
    """
    bodies = [t for t in groups.get("*itemprop", []) if "articlebody" in str(t.get("itemprop")).lower()]
    containers = [t for t in bodies or groups.get("article", []) if not t.gone]
    if len(containers) != 1:
        return None
    container = containers[0]
    if len(text_of(container)) < SHORT_ARTICLE_CHARS:
        return None
    if not any(isinstance(node, Element) and node.name in _MEDIA for node in container.descendants):
        return None
    return container
