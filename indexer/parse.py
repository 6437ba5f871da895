"""``parse_article``: one scraped HTML page in, one :class:`~indexer.article.Article` out.

This module (with :mod:`indexer.extract`) is the only place that parses HTML.
"""

from __future__ import annotations

import logging
import re

from bs4 import BeautifulSoup
from lxml import etree

from indexer.article import Article, Links
from indexer.encoding import BinaryContentError, decode_html
from indexer.errors import NoArticleError, PageError
from indexer.extract.blocks import clean_space, iter_blocks, paragraphs_of, text_of
from indexer.extract.content import (
    best_candidate,
    clean_candidate,
    content_blocks,
    drop_noise,
    drop_unlikely,
    semantic_candidate,
)
from indexer.extract.dom import Document, Element, Text, Unsupported, from_soup, parse_html
from indexer.extract.fastsoup import lxml_soup
from indexer.extract.links import join_url, prev_next_links, recommended_links
from indexer.extract.metadata import (
    author_from_line,
    breadcrumb_category,
    choose_title,
    detect_lang,
    find_byline,
    normalise_date,
    read_meta,
)
from indexer.extract.profile import SelectablePage, SiteProfile
from indexer.extract.shapes import short_article
from indexer.extract.tree import Measures, group_by_name, measure, tags_of

logger = logging.getLogger(__name__)

MAX_PAGE_BYTES = 16 * 1024 * 1024
# Tag openings ("<") a page may hold. Real article pages have a few thousand; the extraction tree
# needs a few µs and ~350 bytes per node (bs4's tree, the fallback, ~50 µs and ~1 KB), so this caps
# one page at a few seconds and some hundred MB.
MAX_MARKUP = 300_000
MIN_TEXT_CHARS = 40
# The scored pick replaces a semantic <article>/<main> it lies in when it holds this share of its text.
SCORED_SHARE = 0.75
_DATE_HINT = re.compile(
    r"((?:19|20)\d\d[-/.年]\s*\d{1,2}[-/.月]\s*\d{1,2})|\b(date|posted|published|updated)\b|发布|时间|來源|来源",
    re.I,
)


def parse_article(
    html: bytes | str,
    *,
    source: str,
    article_id: str | None = None,
    url: str | None = None,
    profile: SiteProfile | None = None,
) -> Article:
    """Extract the article of one page.

    Args:
        html: the page as bytes (any encoding) or already-decoded text.
        source: where the page came from (a path), used in errors and kept on the article.
        article_id: the article's id; defaults to ``source`` without its extension.
        url: the page's own URL or root-relative path, the base for relative links when
            the page has no canonical URL.
        profile: the site's CSS selectors (``artsearch.toml``); they win over the generic
            extractor for what they name.

    Raises:
        PageError: the page cannot be read (binary, too large, undecodable).
        NoArticleError: the page holds no article text.
    """
    text = _decode(html, source)
    tags_open = text.count("<")
    if tags_open > MAX_MARKUP:
        raise PageError(source, f"too much markup ({tags_open:,} tags; limit {MAX_MARKUP:,})")
    document, selectable = _tree(text, source, profile)
    try:
        return _extract(document, selectable, source, article_id, url, profile)
    finally:
        document.release()  # freed now, not by the cyclic garbage collector (~6 % of a build)


def _extract(
    document: Document,
    selectable: SelectablePage | None,
    source: str,
    article_id: str | None,
    url: str | None,
    profile: SiteProfile | None,
) -> Article:
    """The article of a parsed page (see :func:`parse_article`)."""
    tags = tags_of(document)
    groups = group_by_name(tags)
    meta = read_meta(groups)
    base = _base_url(groups, meta.canonical, url)

    drop_noise(tags)
    forced_title, forced_date, forced_blocks = _apply_profile(selectable, profile)
    tags = [t for t in tags if not t.gone]
    measures = measure(document)
    prev, nxt, chain_blocks = prev_next_links(groups.get("a", []), base, measures)
    recommended, boxes = recommended_links(tags, base, measures)
    for block in [*chain_blocks, *boxes]:
        if not block.gone:
            measures.remove(block)

    h1s = [h for h in groups.get("h1", []) if not h.gone]
    first_h1 = h1s[0] if h1s else None
    h1_text = text_of(first_h1) if first_h1 is not None else None
    body = document.body or document
    info_line = _info_line(first_h1) if first_h1 is not None else _leading_date_line(body)
    category = breadcrumb_category(tags, h1_text) or meta.category
    byline = find_byline(tags)
    if byline is not None and byline[1].name not in ("html", "body", "article", "main"):
        measures.remove(byline[1])  # the byline is metadata, not article text

    tags = [t for t in tags if not t.gone]
    groups["*itemprop"] = [t for t in tags if "itemprop" in t.attrs]
    candidate = semantic_candidate(groups, measures)
    semantic_len = measures.text_len(candidate) if candidate is not None else 0
    if forced_blocks:
        blocks = forced_blocks
    else:
        drop_unlikely(tags, measures, keep=[candidate] if candidate is not None else [])
        blocks = _content(body, candidate, semantic_len, measures)
        for block in blocks:
            clean_candidate(block, measures)
    content_h1 = next((h for b in blocks for h in b.descendants if isinstance(h, Element) and h.name == "h1"), None)
    title = forced_title or choose_title(meta, text_of(content_h1) if content_h1 is not None else h1_text)

    raw_paragraphs = [p for b in blocks if not b.gone for p in paragraphs_of(b)]
    paragraphs = _article_paragraphs(raw_paragraphs, title)
    if sum(len(p) for p in paragraphs) < MIN_TEXT_CHARS and meta.article_body:
        paragraphs = [clean_space(p) for p in re.split(r"\n\s*\n|\r\n\r\n", meta.article_body) if p.strip()]
    total = sum(len(p) for p in paragraphs)
    if total < MIN_TEXT_CHARS:
        # A picture or video post the page marks as its one article is kept though its text is short.
        short = None if forced_blocks else short_article(groups)
        raw = paragraphs_of(short) if short is not None else []
        paragraphs = _article_paragraphs(raw, title) or raw  # a headline alone is the caption
        if not paragraphs:
            raise NoArticleError(
                source,
                f"no article text found ({total} characters of text outside navigation, link lists and boilerplate)",
            )

    body_text = "\n".join(paragraphs)
    date = forced_date or meta.date or normalise_date(info_line)
    return Article(
        id=article_id if article_id is not None else _default_id(source),
        title=title or _fallback_title(paragraphs),
        paragraphs=tuple(paragraphs),
        url=(meta.canonical and join_url(base, meta.canonical)) or url,
        source=source,
        date=date,
        author=meta.author or (byline and byline[0]) or (author_from_line(info_line) if info_line else None),
        category=category,
        description=meta.description,
        keywords=meta.keywords,
        lang=meta.lang or detect_lang(body_text),
        links=Links(prev=prev, next=nxt, recommended=tuple(recommended)),
    )


def _apply_profile(
    page: SelectablePage | None, profile: SiteProfile | None
) -> tuple[str | None, str | None, list[Element]]:
    """Remove the profile's excluded elements; return its ``(title, date, body_blocks)``."""
    if profile is None or page is None:
        return None, None, []
    for tag in profile.excluded(page):
        if not tag.gone:
            tag.decompose()
    title_tag = profile.first(page, profile.title)
    title = (text_of(title_tag) or None) if title_tag is not None else None
    return title, _profile_date(profile.first(page, profile.date)), profile.bodies(page)


def _profile_date(tag: Element | None) -> str | None:
    if tag is None:
        return None
    raw = tag.get("datetime") or tag.get("content")
    return normalise_date(raw if isinstance(raw, str) else None) or normalise_date(text_of(tag))


def _content(body: Element, semantic: Element | None, semantic_len: int, measures: Measures) -> list[Element]:
    """The blocks holding the article: the scored best block (with its sibling continuations), or
    the element the page marks as its article when the scored pick lies outside it or covers
    less than ``SCORED_SHARE`` of its text."""
    top, top_score, scores = best_candidate(body, measures)
    scored = content_blocks(top, scores, top_score, measures) if top is not None else []
    if semantic is None or semantic.gone:
        return scored or [body]
    if top is not None and any(parent is semantic for parent in top.parents):
        inside = [b for b in scored if any(parent is semantic for parent in b.parents)]
        if sum(measures.text_len(b) for b in inside) >= SCORED_SHARE * semantic_len:
            return inside
    return [semantic]


def _decode(html: bytes | str, source: str) -> str:
    if isinstance(html, str):
        if len(html) > MAX_PAGE_BYTES:
            raise PageError(source, f"page too large ({len(html) / 1e6:.1f} M characters; limit {MAX_PAGE_BYTES // 2**20} Mi)")
        return html
    if len(html) > MAX_PAGE_BYTES:
        raise PageError(
            source, f"page too large ({len(html) / 1e6:.1f} MB; limit {MAX_PAGE_BYTES // 2**20} MiB)"
        )
    if not html.strip():
        raise PageError(source, "empty file")
    try:
        return decode_html(html)[0]
    except BinaryContentError as exc:
        raise PageError(source, str(exc)) from None


def _tree(text: str, source: str, profile: SiteProfile | None) -> tuple[Document, SelectablePage | None]:
    """The page's tree, and with a site profile the page its CSS selectors run on."""
    if not text.strip():
        raise PageError(source, "empty file")
    if profile is None:
        try:
            return parse_html(text), None
        except (Unsupported, etree.LxmlError, UnicodeError, LookupError, ValueError) as exc:
            # The lean bs4 builder would decline it too: the same libxml2 parse, the same checks.
            logger.debug("lean tree builder declined %s (%s); converting bs4's tree", source, exc)
            soup = _bs4_soup(text, source)
    else:
        try:
            # bs4's tree for soupsieve, built without bs4's per-event machinery.
            soup = lxml_soup(text)
        except Exception as exc:  # namespaced names, or lxml refused the text: bs4's own path
            logger.debug("fast tree builder declined %s (%s); using bs4's", source, exc)
            soup = _bs4_soup(text, source)
    document = from_soup(soup)
    return document, SelectablePage(soup, document) if profile is not None else None


def _bs4_soup(text: str, source: str) -> BeautifulSoup:
    """bs4's tree of a page libxml2 has no lean tree for: lxml's builder, else html.parser's."""
    try:
        # Attributes stay plain strings: splitting every class/rel list costs ~15 % of the parse.
        return BeautifulSoup(text, "lxml", multi_valued_attributes=None)
    except Exception as exc:  # lxml can refuse pathological input; html.parser is the fallback
        logger.debug("lxml failed on %s (%s); falling back to html.parser", source, exc)
    try:
        return BeautifulSoup(text, "html.parser", multi_valued_attributes=None)
    except Exception as exc:
        raise PageError(source, f"unparseable HTML ({exc.__class__.__name__})") from None


def _base_url(groups: dict[str, list[Element]], canonical: str | None, url: str | None) -> str:
    """What the page's links are relative to: its path, its canonical URL, its first ``<base href>``
    (a malformed URL among them is passed over)."""
    base = url or ""
    if canonical:
        base = join_url(base, canonical) or base
    for tag in groups.get("base", []):
        if isinstance(tag.get("href"), str):
            return join_url(base, str(tag["href"])) or base
    return base


def _info_line(h1: Element) -> str:
    """The short text right after the headline, where sites print date, source and author."""
    collected: list[str] = []
    length = 0
    for string in _strings_after(h1, 40):
        piece = clean_space(str(string))
        if not piece:
            continue
        collected.append(piece)
        length += len(piece)
        if length > 300:
            break
    line = "  ".join(collected)
    return line if _DATE_HINT.search(line) else ""


def _strings_after(tag: Element, limit: int) -> list[Text]:
    """The first ``limit`` strings after ``tag``'s start, in document order (its own included)."""
    found: list[Text] = []
    for node in tag.next_elements:
        if isinstance(node, Text):
            found.append(node)
            if len(found) >= limit:
                break
    return found


def _leading_date_line(body: Element) -> str:
    """Without a headline: the first short block with a date, before the first long paragraph."""
    for _, raw in iter_blocks(body):
        text = clean_space(raw)
        if len(text) > 200:
            break
        if _DATE_HINT.search(text) and normalise_date(text):
            return text
    return ""


def _article_paragraphs(paragraphs: list[str], title: str | None) -> list[str]:
    """Drop the headline and the date/byline lines that open many articles."""
    out = list(paragraphs)
    norm_title = _norm(title or "")
    for _ in range(4):
        if not out:
            break
        first = out[0]
        if (norm_title and _norm(first) == norm_title) or (
            len(first) < 160 and _DATE_HINT.search(first) and normalise_date(first)
        ):
            out.pop(0)
        else:
            break
    return out


def _norm(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.casefold()))


def _fallback_title(paragraphs: list[str]) -> str:
    first = paragraphs[0] if paragraphs else ""
    return first if len(first) <= 80 else first[:77].rsplit(" ", 1)[0] + "..."


def _default_id(source: str) -> str:
    path = source.replace("\\", "/")
    for ext in (".html.gz", ".htm.gz", ".html", ".htm"):
        if path.lower().endswith(ext):
            return path[: -len(ext)]
    return path
