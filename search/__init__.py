"""artsearch query side: the :class:`Engine` facade and its result types."""

import logging

from indexer.article import Article, Links
from indexer.errors import (
    ArtsearchError,
    BuildError,
    CorpusError,
    IndexLockedError,
    IndexMissingError,
    IndexVersionError,
    NoArticleError,
    PageError,
    QueryError,
    UnknownArticleError,
)
from indexer.writer import BuildReport, Skip
from search import whoosh_fixes
from search.engine import Engine
from search.results import Hit, IndexStats, Related, RelatedArticle, Results, Snippet

whoosh_fixes.apply()
logging.getLogger("search").addHandler(logging.NullHandler())

__all__ = [
    "Article",
    "ArtsearchError",
    "BuildError",
    "BuildReport",
    "CorpusError",
    "Engine",
    "Hit",
    "IndexLockedError",
    "IndexMissingError",
    "IndexStats",
    "IndexVersionError",
    "Links",
    "NoArticleError",
    "PageError",
    "QueryError",
    "Related",
    "RelatedArticle",
    "Results",
    "Skip",
    "Snippet",
    "UnknownArticleError",
]
