"""``parse_article``: one scraped HTML page in, one :class:`~indexer.article.Article` out.

This module (with :mod:`indexer.extract`) is the only place that touches BeautifulSoup.
"""

from __future__ import annotations

import logging
import re
from urllib.parse import urljoin

from bs4 import BeautifulSoup, Tag

from indexer.article import Article, Links
from indexer.encoding import BinaryContentError, decode_html
from indexer.errors import NoArticleError, PageError
from indexer.extract.blocks import clean_space, iter_blocks, paragraphs_of, text_of
from indexer.extract.content import (
    best_candidate,
    clean_candidate,
    drop_noise,
    drop_unlikely,
    semantic_candidate,
)
from indexer.extract.links import prev_next_links, recommended_links
from indexer.extract.metadata import (
    author_from_line,
    breadcrumb_category,
    choose_title,
    detect_lang,
    normalise_date,
    read_meta,
)

logger = logging.getLogger(__name__)

MAX_PAGE_BYTES = 16 * 1024 * 1024
MIN_TEXT_CHARS = 40
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
) -> Article:
    """Extract the article of one page.

    Args:
        html: the page as bytes (any encoding) or already-decoded text.
        source: where the page came from (a path), used in errors and kept on the article.
        article_id: the article's id; defaults to ``source`` without its extension.
        url: the page's own URL or root-relative path, the base for relative links when
            the page has no canonical URL.

    Raises:
        PageError: the page cannot be read (binary, too large, undecodable).
        NoArticleError: the page holds no article text.
    """
    text = _decode(html, source)
    soup = _soup(text, source)
    meta = read_meta(soup)
    base = _base_url(soup, meta.canonical, url)

    drop_noise(soup)
    prev, nxt, chain_blocks = prev_next_links(soup, base)
    recommended, boxes = recommended_links(soup, base)
    for block in [*chain_blocks, *boxes]:
        if not block.decomposed:
            block.decompose()

    first_h1 = soup.find("h1")
    h1_text = text_of(first_h1) if isinstance(first_h1, Tag) else None
    body = soup.body or soup
    info_line = _info_line(first_h1) if isinstance(first_h1, Tag) else _leading_date_line(body)
    category = breadcrumb_category(soup, h1_text) or meta.category

    candidate = semantic_candidate(soup)
    drop_unlikely(body, keep=[candidate] if candidate is not None else [])
    if candidate is None or candidate.decomposed:
        candidate = best_candidate(body) or body
    clean_candidate(candidate)
    content_h1 = candidate.find("h1")
    title = choose_title(meta, text_of(content_h1) if isinstance(content_h1, Tag) else h1_text)

    paragraphs = _article_paragraphs(paragraphs_of(candidate), title)
    if sum(len(p) for p in paragraphs) < MIN_TEXT_CHARS and meta.article_body:
        paragraphs = [clean_space(p) for p in re.split(r"\n\s*\n|\r\n\r\n", meta.article_body) if p.strip()]
    total = sum(len(p) for p in paragraphs)
    if total < MIN_TEXT_CHARS:
        raise NoArticleError(source, f"no article text found ({total} characters of text)")

    body_text = "\n".join(paragraphs)
    date = meta.date or normalise_date(info_line)
    return Article(
        id=article_id if article_id is not None else _default_id(source),
        title=title or _fallback_title(paragraphs),
        paragraphs=tuple(paragraphs),
        url=(meta.canonical and urljoin(base, meta.canonical)) or url,
        source=source,
        date=date,
        author=meta.author or (author_from_line(info_line) if info_line else None),
        category=category,
        description=meta.description,
        keywords=meta.keywords,
        lang=meta.lang or detect_lang(body_text),
        links=Links(prev=prev, next=nxt, recommended=tuple(recommended)),
    )


def _decode(html: bytes | str, source: str) -> str:
    if isinstance(html, str):
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


def _soup(text: str, source: str) -> BeautifulSoup:
    if not text.strip():
        raise PageError(source, "empty file")
    try:
        return BeautifulSoup(text, "lxml")
    except Exception as exc:  # lxml can refuse pathological input; html.parser is the fallback
        logger.debug("lxml failed on %s (%s); falling back to html.parser", source, exc)
    try:
        return BeautifulSoup(text, "html.parser")
    except Exception as exc:
        raise PageError(source, f"unparseable HTML ({exc.__class__.__name__})") from None


def _base_url(soup: BeautifulSoup, canonical: str | None, url: str | None) -> str:
    base = url or ""
    if canonical:
        base = urljoin(base, canonical)
    tag = soup.find("base", href=True)
    if isinstance(tag, Tag) and isinstance(tag.get("href"), str):
        base = urljoin(base, str(tag["href"]))
    return base


def _info_line(h1: Tag) -> str:
    """The short text right after the headline, where sites print date, source and author."""
    collected: list[str] = []
    length = 0
    for string in h1.find_all_next(string=True, limit=40):
        piece = clean_space(str(string))
        if not piece:
            continue
        collected.append(piece)
        length += len(piece)
        if length > 300:
            break
    line = "  ".join(collected)
    return line if _DATE_HINT.search(line) else ""


def _leading_date_line(body: Tag) -> str:
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
