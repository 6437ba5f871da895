"""Page metadata: title, canonical URL, dates, author, category, description, keywords, language."""

from __future__ import annotations

import functools
import json
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from indexer.extract.blocks import clean_space, text_of
from indexer.extract.dom import Element
from indexer.extract.tree import attr_words, marker, tags_named

logger = logging.getLogger(__name__)

_TITLE_SEPARATORS = re.compile(r"\s+[|\-–—:·»«/]\s+|\s*[_|]\s*|\s+::\s+")
_HOME_WORDS = frozenset(
    {"home", "homepage", "首页", "主页", "首頁", "home page", "start", "accueil", "inicio"}
)


@dataclass
class PageMeta:
    """Metadata read from a page's head, JSON-LD and markup (before main-content extraction)."""

    title_tag: str | None = None
    declared_title: str | None = None
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
    h2s: list[str] = field(default_factory=list)


class MetaTags:
    """The ``<meta>`` tags of a page as a lookup: property/name/itemprop/http-equiv → content.

    A tag can name several keys at once (``property="dc:description og:description"``); the first
    tag giving a key wins.
    """

    def __init__(self, tags: list[Element]) -> None:
        self.values: dict[str, str] = {}
        for tag in tags:
            content = tag.get("content")
            if not isinstance(content, str) or not content.strip():
                continue
            for attr in ("property", "name", "itemprop", "http-equiv"):
                raw = tag.get(attr)
                if not isinstance(raw, str):
                    continue
                for key in raw.lower().split():
                    self.values.setdefault(key, content)

    def get(self, *names: str) -> str | None:
        """The content of the first of ``names`` present, whitespace collapsed."""
        for name in names:
            value = self.values.get(name.lower())
            if value is not None:
                cleaned = clean_space(value)
                if cleaned:
                    return cleaned
        return None


def json_ld_objects(scripts: list[Element]) -> Iterator[dict[str, Any]]:
    """Every JSON object in the page's ``application/ld+json`` scripts (``@graph`` flattened)."""
    for script in scripts:
        if "ld+json" not in str(script.get("type") or "").lower():
            continue
        raw = (script.string or script.get_text()).strip()
        raw = re.sub(r"^\s*(?:<!\[CDATA\[|<!--)|(?:\]\]>|-->)\s*$", "", raw).strip()
        try:
            data = json.loads(raw.rstrip(";"))
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


def read_meta(groups: dict[str, list[Element]]) -> PageMeta:
    """Collect the metadata of a parsed page from its tags grouped by name (before cleaning)."""
    meta = PageMeta()
    metas = MetaTags(groups.get("meta", []))
    titles = groups.get("title", [])
    if titles:
        meta.title_tag = clean_space(titles[0].get_text()) or None
    meta.declared_title = metas.get(
        "dc:title", "dcterm:title", "og:title", "weibo:article:title", "weibo:webpage:title", "title",
        "twitter:title", "parsely-title",
    )
    meta.site_name = metas.get("og:site_name", "application-name")
    meta.description = metas.get("description", "dc:description", "og:description", "twitter:description")
    keywords = metas.get("keywords", "news_keywords")
    if keywords:
        meta.keywords = tuple(k.strip() for k in re.split(r"[,;，、]", keywords) if k.strip())
    meta.author = metas.get(
        "dc:creator", "dcterm:creator", "dc.creator", "author", "article:author", "byl", "parsely-author"
    )
    if meta.author and meta.author.lower().startswith(("http://", "https://")):
        meta.author = None
    meta.category = metas.get("article:section", "section", "category", "parsely-section")
    meta.date = normalise_date(metas.get(*_DATE_META))
    for link in groups.get("link", []):
        if "canonical" in [r.lower() for r in attr_words(link, "rel")] and isinstance(link.get("href"), str):
            meta.canonical = str(link["href"]).strip() or None
            break
    if not meta.canonical:
        meta.canonical = metas.get("og:url")
    meta.lang = _page_lang(groups, metas)
    for obj in json_ld_objects(groups.get("script", [])):
        kinds = _ld_type(obj)
        if kinds & _ARTICLE_TYPES:
            if meta.headline is None:
                meta.headline = _ld_title(obj, meta.title_tag)
            meta.author = meta.author or _name_of(obj.get("author"))
            meta.date = meta.date or normalise_date(_name_of(obj.get("datePublished")))
            meta.category = meta.category or _name_of(obj.get("articleSection"))
            meta.description = meta.description or _name_of(obj.get("description"))
            body = obj.get("articleBody")
            if isinstance(body, str) and body.strip():
                meta.article_body = body
        if "breadcrumblist" in kinds and not meta.category:
            meta.category = _ld_breadcrumb_category(obj)
    meta.h1s = [t for t in (text_of(h) for h in groups.get("h1", [])) if t]
    meta.h2s = [t for t in (text_of(h) for h in groups.get("h2", [])[:50]) if t]
    if not meta.date:
        meta.date = _time_tag_date(groups.get("time", []))
    return meta


_DATE_META = (
    "article:published_time",
    "datepublished",
    "date",
    "pubdate",
    "publishdate",
    "dc.date",
    "dc:date",
    "dc.date.issued",
    "dcterms.created",
    "sailthru.date",
    "parsely-pub-date",
    "og:published_time",
    "publish-date",
    "release_date",
)


def _ld_title(obj: dict[str, Any], title_tag: str | None) -> str | None:
    """JSON-LD ``headline`` or ``name``: when both are given and differ, the one more like the
    ``<title>`` (some sites put the site's name in ``name``, others a subject in ``headline``)."""
    headline = _name_of(obj.get("headline"))
    name = obj.get("name") if isinstance(obj.get("name"), str) else None
    name = clean_space(name) if name else None
    if (
        headline
        and name
        and title_tag
        and headline != name
        and text_similarity(name, title_tag) > text_similarity(headline, title_tag)
    ):
        return name
    return headline or None


def text_similarity(a: str, b: str) -> float:
    """Share of ``b``'s text (by characters of its words) made of words that also occur in ``a``."""
    words_a = set(re.findall(r"\w+", a.casefold()))
    words_b = re.findall(r"\w+", b.casefold())
    if not words_b:
        return 0.0
    missing = " ".join(w for w in words_b if w not in words_a)
    return 1 - len(missing) / len(" ".join(words_b))


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


def _page_lang(groups: dict[str, list[Element]], metas: MetaTags) -> str | None:
    html = groups.get("html", [None])[0]
    raw = html.get("lang") or html.get("xml:lang") if isinstance(html, Element) else None
    if not isinstance(raw, str) or not raw.strip():
        raw = metas.get("content-language", "og:locale", "dc.language", "language")
    return normalise_lang(raw) if raw else None


def normalise_lang(raw: str) -> str | None:
    """``"en-US"`` → ``"en"``, ``"zh_CN"``/``"zh-Hant"`` → ``"zh"``; ``None`` if not a language tag."""
    code = re.split(r"[-_,;\s]", raw.strip().lower(), maxsplit=1)[0]
    return code if re.fullmatch(r"[a-z]{2,3}", code) else None


def breadcrumb_category(tags: list[Element], title: str | None) -> str | None:
    """The category named by the page's breadcrumb trail, if it has one."""
    trail = next((t for t in tags if not t.gone and _is_breadcrumb(t)), None)
    if trail is None:
        return None
    names = [text_of(a) for a in tags_named(trail, "a")]
    names = [n for n in names if n and n.lower() not in _HOME_WORDS and n != title]
    if names:
        return names[-1]
    parts = [p.strip() for p in re.split(r"[>›»/|]", text_of(trail)) if p.strip()]
    parts = [p for p in parts if p.lower() not in _HOME_WORDS and p != title]
    return parts[-2] if len(parts) >= 2 else None


def _is_breadcrumb(tag: Element) -> bool:
    if not tag.attrs:
        return False
    label = (marker(tag) + " " + str(tag.get("aria-label") or "")).lower()
    return "breadcrumb" in label or "breadcrumblist" in str(tag.get("itemtype") or "").lower()


def choose_title(meta: PageMeta, content_h1: str | None) -> str | None:
    """The article's headline.

    Order: the headline the page declares (JSON-LD ``headline``, ``dc:title``, ``og:title``,
    ``twitter:title`` ...; a declared site name is cut off); else a ``<h1>`` that is one of the
    ``<title>``'s separated parts (the rest being the site name); else the ``<title>`` with a
    site-name part cut off when enough words remain; else the ``<h1>``.
    """
    declared = meta.headline or meta.declared_title
    if declared:
        return strip_site_name(declared, meta.site_name)
    h1s = [content_h1] if content_h1 else []
    h1s += [h for h in meta.h1s if h not in h1s]
    if meta.title_tag:
        parts = {_norm(p) for p in _TITLE_SEPARATORS.split(meta.title_tag)}
        for h1 in h1s:
            if _norm(h1) in parts or _norm(h1) == _norm(meta.title_tag):
                return h1
        return clean_title_tag(strip_site_name(meta.title_tag, meta.site_name), meta.h1s + meta.h2s)
    return h1s[0] if h1s else None


_HIERARCHY = re.compile(r" [|\-–—\\/>»] ")


def clean_title_tag(title: str, headings: list[str]) -> str:
    """Cut a site name off a ``<title>`` (Readability's rule: only if enough words remain)."""
    cut = title
    hierarchical = False
    separators = list(_HIERARCHY.finditer(title))
    if separators:
        hierarchical = any(m.group(0).strip() in "\\/>»" for m in separators)
        cut = title[: separators[-1].start()]
        if len(cut.split()) < 3:
            cut = re.sub(r"^[^|\-–—\\/>»]*[|\-–—\\/>»]", "", title)
    elif ": " in title and title.strip() not in headings:
        cut = title[title.rfind(":") + 1 :]
        if len(cut.split()) < 3:
            cut = title[title.find(":") + 1 :]
        elif len(title[: title.find(":")].split()) > 5:
            cut = title
    cut = " ".join(cut.split())
    count = len(cut.split())
    if count <= 4 and (
        not hierarchical or count != len(re.sub(r"[|\-–—\\/>»]+", "", title).split()) - 1
    ):
        return " ".join(title.split())
    return cut


def _norm(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.casefold()))


def _same_words(a: str, b: str) -> bool:
    return _norm(a) == _norm(b)


def strip_site_name(title: str, site_name: str | None) -> str:
    """Remove the declared site name when it is a separated prefix or suffix of ``title``.

    ``"Title - Site"``, ``"Site | Title"``, ``"Title_Site"`` → ``"Title"`` for site name ``"Site"``.
    """
    parts = [p for p in _TITLE_SEPARATORS.split(title) if p.strip()]
    if len(parts) < 2 or not site_name:
        return title.strip()
    site = _norm(site_name)
    kept = [p for p in parts if _norm(p) != site]
    if kept and len(kept) < len(parts) and (_norm(parts[0]) == site or _norm(parts[-1]) == site):
        return _rejoin(title, kept)
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


def _time_tag_date(times: list[Element]) -> str | None:
    for time in times:
        raw = time.get("datetime")
        found = normalise_date(raw if isinstance(raw, str) else None) or normalise_date(text_of(time))
        if found:
            return found
    return None


_BYLINE_MARK = re.compile(r"byline|author|dateline|writtenby|p-author", re.I)
_BY_PREFIX = re.compile(r"^\s*(?:(?:written\s+)?by|von|par|por|作者|撰文|文)\s*[:：]?\s+", re.I)


_NOT_A_NAME = re.compile(
    r"^(?:https?:|follow|about the author|sign in|sign up|log ?in|subscribe)|^[\W\d_]+$", re.I
)
_WEEKDAY = re.compile(r"\b(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s", re.I)


def _cut_date(text: str) -> str:
    """``text`` up to the first date (or weekday) written in it."""
    cut = len(text)
    for pattern in (_ISO, _MONTH_FIRST, _DAY_FIRST, _WEEKDAY):
        match = pattern.search(text)
        if match:
            cut = min(cut, match.start())
    return text[:cut]


def find_byline(tags: list[Element]) -> tuple[str, Element] | None:
    """The page's byline: ``(author name, element)`` for the first short element marked as such
    (``rel=author``, ``itemprop=author``, or a class/id like ``byline``/``author``)."""
    for tag in tags:
        if tag.gone:
            continue
        attrs = tag.attrs
        if not attrs:
            continue
        rel = str(attrs.get("rel") or "").lower()
        itemprop = str(attrs.get("itemprop") or "").lower()
        if "author" not in rel and "author" not in itemprop and not _is_byline_marker(marker(tag)):
            continue
        text = text_of(tag)
        if not 0 < len(text) < 100:
            continue
        name = _BY_PREFIX.sub("", text)
        name = re.split(r"\s{2,}|\s[|·]\s|\s[-–—]\s", name)[0]
        name = _cut_date(name).strip(" ,|·-–—")
        if name and len(name) <= 60 and not _NOT_A_NAME.search(name):
            return name, tag
    return None


@functools.lru_cache(maxsize=4096)
def _is_byline_marker(label: str) -> bool:
    return _BYLINE_MARK.search(label) is not None


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
