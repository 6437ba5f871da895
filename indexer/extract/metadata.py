"""Page metadata: title, canonical URL, dates, author, category, description, keywords, language."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from bs4 import BeautifulSoup, Tag

from indexer.extract.blocks import clean_space, text_of

logger = logging.getLogger(__name__)

_TITLE_SEPARATORS = re.compile(r"\s+[|\-–—:·»«/]\s+|\s*[_|]\s*|\s+::\s+")
_HOME_WORDS = frozenset(
    {"home", "homepage", "首页", "主页", "首頁", "home page", "start", "accueil", "inicio"}
)


@dataclass
class PageMeta:
    """Metadata read from a page's head, JSON-LD and markup (before main-content extraction)."""

    title_tag: str | None = None
    og_title: str | None = None
    headline: str | None = None
    site_name: str | None = None
    canonical: str | None = None
    date: str | None = None
    author: str | None = None
    category: str | None = None
    description: str | None = None
    keywords: tuple[str, ...] = ()
    lang: str | None = None
    article_body: str | None = None
    h1s: list[str] = field(default_factory=list)


def _meta(soup: BeautifulSoup, *names: str) -> str | None:
    for name in names:
        for attr in ("property", "name", "itemprop", "http-equiv"):
            tag = soup.find("meta", attrs={attr: re.compile(rf"^{re.escape(name)}$", re.I)})
            if isinstance(tag, Tag):
                content = tag.get("content")
                if isinstance(content, str) and content.strip():
                    return clean_space(content)
    return None


def json_ld_objects(soup: BeautifulSoup) -> Iterator[dict[str, Any]]:
    """Every JSON object in the page's ``application/ld+json`` scripts (``@graph`` flattened)."""
    for script in soup.find_all("script", attrs={"type": re.compile("ld\\+json", re.I)}):
        raw = script.string or script.get_text()
        try:
            data = json.loads(raw.strip().rstrip(";"))
        except (ValueError, TypeError):
            continue
        stack = [data]
        while stack:
            item = stack.pop()
            if isinstance(item, list):
                stack.extend(reversed(item))
            elif isinstance(item, dict):
                yield item
                if "@graph" in item:
                    stack.append(item["@graph"])


def _ld_type(obj: dict[str, Any]) -> set[str]:
    kind = obj.get("@type", ())
    kinds = [kind] if isinstance(kind, str) else kind if isinstance(kind, list) else []
    return {str(k).lower() for k in kinds}


_ARTICLE_TYPES = {
    "article",
    "newsarticle",
    "blogposting",
    "reportage",
    "techarticle",
    "scholarlyarticle",
    "medicalwebpage",
    "webpage",
    "analysisnewsarticle",
    "opinionnewsarticle",
    "reviewnewsarticle",
    "socialmediaposting",
    "liveblogposting",
    "howto",
    "recipe",
}


def _name_of(value: Any) -> str | None:
    if isinstance(value, str):
        return clean_space(value) or None
    if isinstance(value, dict):
        return _name_of(value.get("name"))
    if isinstance(value, list):
        names = [n for n in (_name_of(v) for v in value) if n]
        return ", ".join(names) or None
    return None


def read_meta(soup: BeautifulSoup) -> PageMeta:
    """Collect the metadata of a parsed page (call before boilerplate is removed)."""
    meta = PageMeta()
    title = soup.find("title")
    if isinstance(title, Tag):
        meta.title_tag = clean_space(title.get_text()) or None
    meta.og_title = _meta(soup, "og:title", "twitter:title")
    meta.site_name = _meta(soup, "og:site_name", "application-name")
    meta.description = _meta(soup, "description", "og:description", "twitter:description")
    keywords = _meta(soup, "keywords", "news_keywords")
    if keywords:
        meta.keywords = tuple(k.strip() for k in re.split(r"[,;，、]", keywords) if k.strip())
    meta.author = _meta(soup, "author", "article:author", "byl", "dc.creator", "parsely-author")
    if meta.author and meta.author.lower().startswith(("http://", "https://")):
        meta.author = None
    meta.category = _meta(soup, "article:section", "section", "category", "parsely-section")
    meta.date = normalise_date(
        _meta(
            soup,
            "article:published_time",
            "datePublished",
            "date",
            "pubdate",
            "publishdate",
            "dc.date",
            "dc.date.issued",
            "sailthru.date",
            "parsely-pub-date",
            "og:published_time",
            "publish-date",
            "release_date",
        )
    )
    canonical = soup.find("link", rel=lambda v: v is not None and "canonical" in v)
    if isinstance(canonical, Tag) and isinstance(canonical.get("href"), str):
        meta.canonical = str(canonical["href"]).strip() or None
    if not meta.canonical:
        meta.canonical = _meta(soup, "og:url")
    meta.lang = _page_lang(soup)
    for obj in json_ld_objects(soup):
        kinds = _ld_type(obj)
        if kinds & _ARTICLE_TYPES:
            meta.headline = meta.headline or _name_of(obj.get("headline")) or None
            meta.author = meta.author or _name_of(obj.get("author"))
            meta.date = meta.date or normalise_date(_name_of(obj.get("datePublished")))
            meta.category = meta.category or _name_of(obj.get("articleSection"))
            meta.description = meta.description or _name_of(obj.get("description"))
            body = obj.get("articleBody")
            if isinstance(body, str) and body.strip():
                meta.article_body = body
        if "breadcrumblist" in kinds and not meta.category:
            meta.category = _ld_breadcrumb_category(obj)
    meta.h1s = [t for t in (text_of(h) for h in soup.find_all("h1")) if t]
    if not meta.date:
        meta.date = _time_tag_date(soup)
    return meta


def _ld_breadcrumb_category(obj: dict[str, Any]) -> str | None:
    items = obj.get("itemListElement")
    if not isinstance(items, list):
        return None
    names = []
    for item in items:
        if isinstance(item, dict):
            name = _name_of(item.get("name")) or _name_of(item.get("item"))
            if name and name.lower() not in _HOME_WORDS:
                names.append(name)
    if len(names) >= 2:
        return names[-2]
    return names[0] if names else None


def _page_lang(soup: BeautifulSoup) -> str | None:
    html = soup.find("html")
    raw = html.get("lang") or html.get("xml:lang") if isinstance(html, Tag) else None
    if not isinstance(raw, str) or not raw.strip():
        raw = _meta(soup, "content-language", "og:locale", "dc.language", "language")
    return normalise_lang(raw) if raw else None


def normalise_lang(raw: str) -> str | None:
    """``"en-US"`` → ``"en"``, ``"zh_CN"``/``"zh-Hant"`` → ``"zh"``; ``None`` if not a language tag."""
    code = re.split(r"[-_,;\s]", raw.strip().lower(), maxsplit=1)[0]
    return code if re.fullmatch(r"[a-z]{2,3}", code) else None


def breadcrumb_category(soup: BeautifulSoup, title: str | None) -> str | None:
    """The category named by the page's breadcrumb trail, if it has one."""
    trail = soup.find(
        lambda t: (
            isinstance(t, Tag)
            and (
                "breadcrumb" in " ".join(t.get("class", [])).lower()
                or "breadcrumb" in str(t.get("id", "")).lower()
                or "breadcrumb" in str(t.get("aria-label", "")).lower()
                or "breadcrumblist" in str(t.get("itemtype", "")).lower()
            )
        )
    )
    if not isinstance(trail, Tag):
        return None
    names = [text_of(a) for a in trail.find_all("a")]
    names = [n for n in names if n and n.lower() not in _HOME_WORDS and n != title]
    if names:
        return names[-1]
    parts = [p.strip() for p in re.split(r"[>›»/|]", text_of(trail)) if p.strip()]
    parts = [p for p in parts if p.lower() not in _HOME_WORDS and p != title]
    return parts[-2] if len(parts) >= 2 else None


def choose_title(meta: PageMeta, content_h1: str | None) -> str | None:
    """The article's headline: a ``<h1>`` the head agrees with, else og/JSON-LD, else ``<title>``."""
    heads = [t for t in (meta.og_title, meta.headline, meta.title_tag) if t]
    candidates = [content_h1] if content_h1 else []
    candidates += [h for h in meta.h1s if h not in candidates]
    for h1 in candidates:
        if any(_same_words(h1, head) or _norm(h1) in _norm(head) for head in heads):
            return h1
    if meta.og_title or meta.headline:
        return strip_site_name(meta.og_title or meta.headline or "", meta.site_name)
    if meta.title_tag:
        return strip_site_name(meta.title_tag, meta.site_name)
    if content_h1:
        return content_h1
    return meta.h1s[0] if meta.h1s else None


def _norm(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.casefold()))


def _same_words(a: str, b: str) -> bool:
    return _norm(a) == _norm(b)


def strip_site_name(title: str, site_name: str | None) -> str:
    """Remove a site-name prefix or suffix (``"Title - Site"``, ``"Site | Title"``, ``"Title_Site"``)."""
    parts = [p for p in _TITLE_SEPARATORS.split(title) if p.strip()]
    if len(parts) < 2:
        return title.strip()
    if site_name:
        kept = [p for p in parts if _norm(p) != _norm(site_name) and _norm(site_name) not in _norm(p)]
        if kept and len(kept) < len(parts):
            return _rejoin(title, kept)
    longest = max(parts, key=lambda p: len(p))
    if len(_norm(longest).split()) >= 3 or len(longest) >= 8:
        return _rejoin(title, [longest]) if parts[0] == longest or parts[-1] == longest else title.strip()
    return title.strip()


def _rejoin(title: str, parts: list[str]) -> str:
    start = title.find(parts[0])
    end = title.find(parts[-1]) + len(parts[-1])
    return title[start:end].strip() if 0 <= start < end else parts[0].strip()


_MONTHS = {
    m: i + 1
    for i, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ]
    )
    for m in names
}
_ISO = re.compile(r"(?<!\d)((?:19|20)\d\d)[-/.年]\s*(\d{1,2})[-/.月]\s*(\d{1,2})(?!\d)")
_MONTH_FIRST = re.compile(r"\b([A-Za-z]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+((?:19|20)\d\d)\b")
_DAY_FIRST = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)?\s+([A-Za-z]{3,9})\.?,?\s+((?:19|20)\d\d)\b")


def normalise_date(raw: str | None) -> str | None:
    """An ISO ``YYYY-MM-DD`` for dates written as ISO, ``2019年3月2日``, ``March 2, 2019``..."""
    if not raw:
        return None
    match = _ISO.search(raw)
    if match:
        return _iso(match.group(1), match.group(2), match.group(3))
    match = _MONTH_FIRST.search(raw)
    if match and match.group(1).lower() in _MONTHS:
        return _iso(match.group(3), str(_MONTHS[match.group(1).lower()]), match.group(2))
    match = _DAY_FIRST.search(raw)
    if match and match.group(2).lower() in _MONTHS:
        return _iso(match.group(3), str(_MONTHS[match.group(2).lower()]), match.group(1))
    return None


def _iso(year: str, month: str, day: str) -> str | None:
    y, m, d = int(year), int(month), int(day)
    if 1 <= m <= 12 and 1 <= d <= 31:
        return f"{y:04d}-{m:02d}-{d:02d}"
    return None


def _time_tag_date(soup: BeautifulSoup) -> str | None:
    for time in soup.find_all("time"):
        raw = time.get("datetime")
        found = normalise_date(raw if isinstance(raw, str) else None) or normalise_date(text_of(time))
        if found:
            return found
    return None


_AUTHOR_LINE = re.compile(
    r"(?:^|\s)(?:by|author|作者|撰文|文)\s*[:：]?\s*([^\d:：|]{2,40}?)(?:\s{2,}|\s*[|·]|$)", re.I
)


def author_from_line(line: str) -> str | None:
    """``"Author: Jane Doe"``/``"By Jane Doe"``/``"作者：李华"`` in a short info line → the name."""
    match = _AUTHOR_LINE.search(line)
    return clean_space(match.group(1)) or None if match else None


_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_KANA = re.compile(r"[\u3040-\u30ff]")
_HANGUL = re.compile(r"[\uac00-\ud7af]")


def detect_lang(text: str) -> str | None:
    """A rough script-based language guess: ``zh``, ``ja``, ``ko`` or ``en``; ``None`` if unsure."""
    sample = text[:5000]
    if not sample.strip():
        return None
    letters = sum(1 for c in sample if c.isalpha())
    if not letters:
        return None
    kana, hangul, han = (len(p.findall(sample)) for p in (_KANA, _HANGUL, _CJK))
    if kana > letters * 0.05:
        return "ja"
    if hangul > letters * 0.2:
        return "ko"
    if han > letters * 0.2:
        return "zh"
    words = re.findall(r"[a-z]+", sample.lower())
    english = sum(1 for w in words if w in _EN_COMMON)
    return "en" if words and english >= len(words) * 0.08 else None


_EN_COMMON = frozenset(
    [
        "the",
        "of",
        "and",
        "to",
        "in",
        "is",
        "that",
        "for",
        "it",
        "with",
        "as",
        "was",
        "on",
        "are",
        "be",
        "by",
        "this",
        "or",
        "from",
        "at",
        "an",
    ]
)
