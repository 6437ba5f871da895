"""The artsearch error hierarchy: every failure the library reports is an ``ArtsearchError``."""

from __future__ import annotations

from pathlib import Path


class ArtsearchError(Exception):
    """Base class of every error artsearch raises on purpose."""


class PageError(ArtsearchError):
    """A page could not be turned into an article (unreadable, binary, no article...)."""

    def __init__(self, source: str | Path, reason: str) -> None:
        self.source = str(source)
        self.reason = reason
        super().__init__(f"{self.source}: {reason}")


class NoArticleError(PageError):
    """The page was read but holds no article text."""


class CorpusError(ArtsearchError):
    """The corpus folder is missing, not a folder, or holds no pages."""

    def __init__(self, path: str | Path, reason: str) -> None:
        self.path = str(path)
        self.reason = reason
        super().__init__(f"corpus {self.path}: {reason}")


class IndexAccessError(ArtsearchError):
    """Base of the problems with an index folder."""

    def __init__(self, path: str | Path, reason: str) -> None:
        self.path = str(path)
        self.reason = reason
        super().__init__(f"index {self.path}: {reason}")


class IndexMissingError(IndexAccessError):
    """No index exists at the given folder."""


class IndexVersionError(IndexAccessError):
    """The index was written with an incompatible schema version (``corpus``: the corpus it was
    built from, when its metadata names one)."""

    def __init__(self, path: str | Path, reason: str, corpus: str | None = None) -> None:
        super().__init__(path, reason)
        self.corpus = corpus


class IndexLockedError(IndexAccessError):
    """Another writer holds the index lock."""


class BuildError(ArtsearchError):
    """A build was refused or failed; the previous index is untouched."""


class UnknownArticleError(ArtsearchError):
    """No article with this id is in the index."""

    def __init__(self, article_id: str) -> None:
        self.article_id = article_id
        super().__init__(f"unknown article id: {article_id!r}")


class QueryError(ArtsearchError):
    """The query cannot be understood or is out of bounds."""

    def __init__(self, query: str, reason: str) -> None:
        self.query = query
        self.reason = reason
        shown = query if len(query) <= 60 else query[:57] + "..."
        super().__init__(f"bad query {shown!r}: {reason}")
