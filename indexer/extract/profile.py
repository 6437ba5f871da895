"""Site profiles: CSS selectors a user gives for their site's template (``artsearch.toml``).

The generic extractor stays the default; a profile only overrides what it names. Example::

    [extract]
    title = "h1.headline"          # the headline element
    body = "div.article-content"   # the element(s) holding the article text
    date = ".info time"            # an element whose text or datetime holds the date
    exclude = [".share", ".ad-slot"]  # elements removed before anything else
"""

from __future__ import annotations

import logging
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import soupsieve
from bs4 import BeautifulSoup

from indexer.errors import CorpusError
from indexer.extract.dom import Document, Element

logger = logging.getLogger(__name__)

PROFILE_NAME = "artsearch.toml"
_FIELDS = ("title", "body", "date", "exclude")


@dataclass(frozen=True)
class SiteProfile:
    """CSS selectors for one site; every field is optional."""

    title: str | None = None
    body: str | None = None
    date: str | None = None
    exclude: tuple[str, ...] = ()

    def excluded(self, page: SelectablePage) -> list[Element]:
        """The elements the profile removes."""
        return [tag for selector in self.exclude for tag in page.select(selector)]

    def first(self, page: SelectablePage, selector: str | None) -> Element | None:
        """The first element matching ``selector`` (``None`` without a selector or a match)."""
        found = page.select(selector) if selector else []
        return found[0] if found else None

    def bodies(self, page: SelectablePage) -> list[Element]:
        """The body elements, outermost only, in document order."""
        if not self.body:
            return []
        found = page.select(self.body)
        ids = {id(t) for t in found}
        return [t for t in found if not any(id(p) in ids for p in t.parents)]


class SelectablePage:
    """A page's extraction tree with CSS selectors answered over its bs4 tree (soupsieve's).

    ``document`` is ``dom.from_soup(soup)``, so node ``i`` of one is node ``i`` of the other. What
    extraction removed from ``document`` is removed from ``soup`` before each selection, so that
    selectors see the page as extraction does.
    """

    def __init__(self, soup: BeautifulSoup, document: Document) -> None:
        self.soup = soup
        self.document = document
        self.sources = [soup, *soup.descendants]
        self.positions = {id(node): i for i, node in enumerate(self.sources)}

    def select(self, selector: str) -> list[Element]:
        """The elements matching ``selector``, in document order."""
        sources = self.sources
        for node in self.document.nodes:
            if node.gone and isinstance(node, Element) and not sources[node.order].__dict__.get("_decomposed"):
                sources[node.order].decompose()
        nodes = self.document.nodes
        return [nodes[self.positions[id(tag)]] for tag in self.soup.select(selector)]  # type: ignore[misc]


def load_profile(corpus_root: str | Path) -> SiteProfile | None:
    """Read ``artsearch.toml`` at the corpus root; ``None`` when there is none.

    Raises:
        CorpusError: the file is not valid TOML, has unknown keys, or a selector does not compile.
    """
    path = Path(corpus_root) / PROFILE_NAME
    if not path.is_file():
        return None
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise CorpusError(path, f"cannot read site profile ({exc})") from None
    return profile_from_dict(data.get("extract", {}), path)


def profile_from_dict(table: dict[str, Any], path: str | Path = PROFILE_NAME) -> SiteProfile:
    """Build and validate a profile from the ``[extract]`` table."""
    if not isinstance(table, dict):
        raise CorpusError(path, "[extract] must be a table")
    unknown = sorted(set(table) - set(_FIELDS))
    if unknown:
        raise CorpusError(path, f"unknown [extract] key(s): {', '.join(unknown)} (known: {', '.join(_FIELDS)})")
    exclude = table.get("exclude", [])
    if isinstance(exclude, str):
        exclude = [exclude]
    profile = SiteProfile(
        title=_selector(table.get("title"), "title", path),
        body=_selector(table.get("body"), "body", path),
        date=_selector(table.get("date"), "date", path),
        exclude=tuple(s for s in (_selector(e, "exclude", path) for e in exclude) if s),
    )
    logger.info("site profile %s: %s", path, profile)
    return profile


def _selector(value: Any, key: str, path: str | Path) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise CorpusError(path, f"[extract] {key} must be a non-empty CSS selector string")
    try:
        soupsieve.compile(value)
    except soupsieve.SelectorSyntaxError as exc:
        raise CorpusError(path, f"[extract] {key}: bad CSS selector {value!r} ({exc})") from None
    return value.strip()
