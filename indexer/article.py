"""The ``Article``: what the indexer extracts from one scraped page."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Links:
    """Links to other articles found on a page, as absolute URLs (kept as data, not body text)."""

    prev: str | None = None
    next: str | None = None
    recommended: tuple[str, ...] = ()


@dataclass(frozen=True)
class Article:
    """One article: its id, title, main text as paragraphs, metadata and links.

    ``id`` is the page's path relative to the corpus root, with ``/`` separators and without
    the ``.html``/``.htm`` extension (for example ``postpartum/back-pain-treatment``).
    """

    id: str
    title: str
    paragraphs: tuple[str, ...]
    url: str | None = None
    source: str | None = None
    date: str | None = None
    author: str | None = None
    category: str | None = None
    description: str | None = None
    keywords: tuple[str, ...] = ()
    lang: str | None = None
    links: Links = field(default_factory=Links)

    @property
    def text(self) -> str:
        """The main text, paragraphs separated by blank lines."""
        return "\n\n".join(self.paragraphs)

    def blurb(self, length: int = 50) -> str:
        """The first ``length`` characters of the text followed by ``...``, like a Recommend list."""
        return make_blurb(self.text, length)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (the ``extract --json`` shape plus ``paragraphs`` and ``keywords``)."""
        data = asdict(self)
        data["text"] = self.text
        data["paragraphs"] = list(self.paragraphs)
        data["keywords"] = list(self.keywords)
        data["links"]["recommended"] = list(self.links.recommended)
        return data


def make_blurb(text: str, length: int = 50) -> str:
    """Collapse whitespace and cut ``text`` to ``length`` characters, then append ``...``."""
    flat = " ".join(text.split())
    if len(flat) <= length:
        return flat + "..." if flat else ""
    return flat[:length].rstrip() + "..."
