"""Plain result types returned by :class:`search.Engine` (never Whoosh objects)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Snippet:
    """A window of an article's text with the matched terms' offsets (``[start, end)`` pairs)."""

    text: str
    highlights: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True)
class Hit:
    """One ranked article of a search."""

    id: str
    title: str
    url: str | None
    score: float
    snippet: Snippet
    category: str | None = None
    date: str | None = None
    lang: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON shape: ``id, title, url, score, snippet`` (+ ``highlights``, ``category``...)."""
        return {
            "id": self.id,
            "title": self.title,
            "url": self.url,
            "score": round(self.score, 4),
            "snippet": self.snippet.text,
            "highlights": [list(h) for h in self.snippet.highlights],
            "category": self.category,
            "date": self.date,
            "lang": self.lang,
        }


@dataclass(frozen=True)
class Results:
    """One page of search results."""

    query: str
    total: int
    page: int
    limit: int
    took_ms: float
    hits: list[Hit]
    suggestion: str | None = None
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    corrected: bool = False

    def to_dict(self) -> dict[str, Any]:
        """JSON shape: ``query, total, page, took_ms, results, suggestion`` (+ ``limit``, ``facets``,
        ``corrected``: true when the results are those of ``suggestion``, the query finding nothing)."""
        return {
            "query": self.query,
            "total": self.total,
            "page": self.page,
            "limit": self.limit,
            "took_ms": round(self.took_ms, 2),
            "results": [h.to_dict() for h in self.hits],
            "suggestion": self.suggestion,
            "facets": self.facets,
            "corrected": self.corrected,
        }


@dataclass(frozen=True)
class RelatedArticle:
    """An article related to another, shown like a Recommend entry, with why it was chosen."""

    id: str
    title: str
    url: str | None
    score: float
    blurb: str
    reasons: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON shape: ``id, title, url, score, blurb`` (+ ``reasons``)."""
        data = asdict(self)
        data["score"] = round(self.score, 4)
        return data


@dataclass(frozen=True)
class Related:
    """The related articles of one article (or of a text, with ``id`` ``None``)."""

    id: str | None
    related: list[RelatedArticle]

    def to_dict(self) -> dict[str, Any]:
        """JSON shape: ``{"id", "related": [...]}``."""
        return {"id": self.id, "related": [r.to_dict() for r in self.related]}


@dataclass(frozen=True)
class IndexStats:
    """What an index holds and how it was built."""

    index_dir: str
    articles: int
    generation: str
    built_at: str | None
    corpus: str | None
    schema_version: int
    size_bytes: int
    categories: dict[str, int]
    languages: dict[str, int]
    skipped: list[dict[str, str]]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return asdict(self)
