"""Turning an :class:`Article` into the fields of a Whoosh document, and link keys."""

from __future__ import annotations

import functools
import hashlib
import re
from typing import Any
from urllib.parse import unquote, urlsplit

from indexer.article import Article
from indexer.cjk import is_cjk, to_simplified
from indexer.fingerprint import simhash

_PAGE_EXT = re.compile(r"\.(?:html?|php|aspx?|jsp|shtml)(?:\.gz)?$", re.I)
# The path of the links pages hold, as urlsplit finds it, without urlsplit: a root-relative URL, or
# an http(s) or scheme-relative one with a plain ASCII host; the path up to "?", "#" or the end, with
# no tab or line break (urlsplit removes those first). Other URLs go through urlsplit.
_PLAIN_URL_PATH = re.compile(
    r"(?:(?:[hH][tT][tT][pP][sS]?:)?//[^/?#\[\]\x00-\x20\x7f-\U0010ffff]*(/[^?#\t\r\n]*)|(/(?!/)[^?#\t\r\n]*))(?=[?#]|\Z)"
)


@functools.lru_cache(maxsize=1 << 16)
def link_key(url: str) -> str:
    """The key a link and its target share: the URL path without extension or leading slash.

    ``https://site/postpartum/back-pain.html`` and ``/postpartum/back-pain.htm`` both give
    ``postpartum/back-pain``; an article's id is its key, so corpora mirrored from a site link up.
    """
    plain = _PLAIN_URL_PATH.match(url)
    path = unquote((plain.group(1) or plain.group(2)) if plain is not None else urlsplit(url).path)
    path = _PAGE_EXT.sub("", path.strip("/"))
    if path.endswith("/index") or path == "index":
        path = path[: -len("index")].rstrip("/")
    return path.casefold()


def category_key(name: str | None) -> str:
    """The filter form of a category name: case-folded, words joined with ``-``.

    Traditional Chinese names fold to Simplified (產後 and 产后 are one category).
    """
    if not name:
        return ""
    if is_cjk(name):
        name = to_simplified(name)
    return "-".join(re.findall(r"\w+", name.casefold()))


def content_hash(article: Article) -> str:
    """A hash of the normalised main text: identical articles share it."""
    normal = " ".join(article.text.casefold().split())
    return hashlib.blake2b(normal.encode("utf-8"), digest_size=12).hexdigest()


def article_fields(article: Article) -> dict[str, Any]:
    """The Whoosh fields of one article (see :func:`indexer.schema.build_schema`)."""
    links = [u for u in (article.links.prev, article.links.next, *article.links.recommended) if u]
    keys = sorted({link_key(u) for u in links} - {"", article.id.casefold()})
    meta_parts = [article.description or "", " ".join(article.keywords), article.category or ""]
    return {
        "id": article.id,
        "url": article.url or "",
        "title": article.title,
        "text": article.text,
        "meta": "\n".join(p for p in meta_parts if p),
        "category": category_key(article.category),
        "lang": article.lang or "",
        "date": article.date or "",
        "links": " ".join(k.replace(" ", "%20") for k in keys),
        "content_hash": content_hash(article),
        "data": {
            "source": article.source,
            "author": article.author,
            "category": article.category,
            "description": article.description,
            "keywords": list(article.keywords),
            "simhash": f"{simhash(article.text):016x}",
            "links": {
                "prev": article.links.prev,
                "next": article.links.next,
                "recommended": list(article.links.recommended),
            },
        },
    }


def article_from_fields(stored: dict[str, Any]) -> Article:
    """Rebuild an :class:`Article` from a stored Whoosh document."""
    from indexer.article import Links

    data = stored.get("data") or {}
    links = data.get("links") or {}
    text = stored.get("text") or ""
    return Article(
        id=stored["id"],
        title=stored.get("title") or "",
        paragraphs=tuple(p for p in text.split("\n\n") if p),
        url=stored.get("url") or None,
        source=data.get("source"),
        date=stored.get("date") or None,
        author=data.get("author"),
        category=data.get("category"),
        description=data.get("description"),
        keywords=tuple(data.get("keywords") or ()),
        lang=stored.get("lang") or None,
        links=Links(
            prev=links.get("prev"),
            next=links.get("next"),
            recommended=tuple(links.get("recommended") or ()),
        ),
    )
