"""The site's own link graph: Recommend and prev/next links between indexed articles.

Links are stored per article as URLs (``data["links"]``) and as link keys in the ``links`` field
(:func:`indexer.documents.link_key`), so both directions are cheap: an article's own links from its
stored data, the articles linking *to* it from the postings of its key.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from indexer.documents import link_key
from search.similarity import IndexView

RECOMMEND, PREV, NEXT = "recommends", "prev", "next"
_PAGE_EXTS = (".html.gz", ".htm.gz", ".html", ".htm", ".shtml", ".php", ".aspx", ".asp", ".jsp")


@dataclass(frozen=True)
class Links:
    """An article's place in the link graph, relative to one other article at a time."""

    out: dict[int, str]  # article → kind of its link from this one (recommend wins over prev/next)
    into: dict[int, str]  # article → kind of its link to this one
    cocited: Counter[int]  # article → how many articles link to both


class LinkGraph:
    """Resolves stored link URLs to articles and answers who links to whom."""

    def __init__(self, view: IndexView) -> None:
        self.view = view
        self._ids = view.arrays.docnums_by_id()  # from the sortable id column, read once
        self._out: dict[int, dict[int, str]] = {}

    def docnum(self, article_id: str) -> int | None:
        """The document number of an article id (``None`` if not indexed)."""
        return self._ids.get(article_id)

    def resolve(self, url: str) -> int | None:
        """The indexed article a link URL points to: its path as an id, then case-folded."""
        path = unquote(urlsplit(url).path or "").strip("/")
        for ext in _PAGE_EXTS:
            if path.lower().endswith(ext):
                path = path[: -len(ext)]
                break
        for candidate in dict.fromkeys((path, link_key(url))):
            if candidate:
                found = self.docnum(candidate)
                if found is not None:
                    return found
        return None

    def outgoing(self, docnum: int | None, links: dict[str, object] | None) -> dict[int, str]:
        """Articles linked from an article's stored ``links`` (``{"prev", "next", "recommended"}``)."""
        if docnum is not None and docnum in self._out:
            return self._out[docnum]
        links = links or {}
        found: dict[int, str] = {}
        recommended = links.get("recommended") or []
        for kind, urls in (
            (RECOMMEND, list(recommended) if isinstance(recommended, list | tuple) else []),
            (PREV, [links.get("prev")]),
            (NEXT, [links.get("next")]),
        ):
            for url in urls:
                if isinstance(url, str) and url:
                    target = self.resolve(url)
                    if target is not None and target != docnum:
                        found.setdefault(target, kind)
        if docnum is not None and self.view.cache:
            self._out[docnum] = found
        return found

    def _outgoing_of(self, docnum: int) -> dict[int, str]:
        data = self.view.stored(docnum).get("data") or {}
        return self.outgoing(docnum, data.get("links"))

    def _kind_to(self, source: int, keys: list[str]) -> str:
        """The kind of ``source``'s link to any of ``keys`` (recommend wins over prev/next)."""
        links = (self.view.stored(source).get("data") or {}).get("links") or {}
        wanted = set(keys)
        if any(link_key(u) in wanted for u in links.get("recommended") or []):
            return RECOMMEND
        for kind in (PREV, NEXT):
            url = links.get(kind)
            if isinstance(url, str) and link_key(url) in wanted:
                return kind
        return RECOMMEND

    def incoming(self, keys: list[str]) -> list[int]:
        """Articles whose ``links`` field holds one of ``keys`` (they link to the article)."""
        found: set[int] = set()
        reader = self.view.reader
        for key in keys:
            term = key.replace(" ", "%20")
            if term and ("links", term) in reader:
                found.update(int(d) for d in reader.postings("links", term).all_ids())
        return sorted(d for d in found if not reader.is_deleted(d))

    def links(self, docnum: int | None, keys: list[str], stored_links: dict[str, object] | None) -> Links:
        """Out-links, in-links and co-citation counts of an article (or of a page not indexed)."""
        out = self.outgoing(docnum, stored_links)
        into: dict[int, str] = {}
        cocited: Counter[int] = Counter()
        for source in self.incoming(keys):
            if source == docnum:
                continue
            targets = self._outgoing_of(source)
            kind = targets.get(docnum) if docnum is not None else None
            into[source] = kind or self._kind_to(source, keys)
            for target in targets:
                if target != docnum and target != source:
                    cocited[target] += 1
        return Links(out=out, into=into, cocited=cocited)
