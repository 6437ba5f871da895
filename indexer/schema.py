"""The one Whoosh schema of an artsearch index, and its version."""

from __future__ import annotations

from whoosh.analysis import IDTokenizer, LowercaseFilter
from whoosh.fields import ID, KEYWORD, STORED, TEXT, Schema

from indexer.analysis import article_analyzer
from indexer.cjk import ScriptFoldFilter

# Bump whenever fields or analysis change in a way old indexes cannot serve.
SCHEMA_VERSION = 5

# Text fields searched by a bare query, with their default weights (BM25F field boosts).
TEXT_FIELDS = ("title", "text", "meta")


def build_schema() -> Schema:
    """The schema: searchable text fields, filter fields and stored display data.

    * ``title``, ``text``: the headline and main text (stored, with positions for phrases);
    * ``meta``: description, keywords, category name and author (searchable, not stored);
    * ``category``, ``lang``, ``date``: filters and facets (``date`` as ``YYYY-MM-DD``);
    * ``links``: keys of the articles this one links to (prev/next/Recommend), for the link graph;
    * ``content_hash``: identical texts share it (duplicates); ``data``: stored display fields.
    """
    analyzer = article_analyzer()
    return Schema(
        id=ID(stored=True, unique=True, sortable=True),
        url=ID(stored=True),
        title=TEXT(analyzer=analyzer, stored=True, phrase=True, sortable=False),
        text=TEXT(analyzer=analyzer, stored=True, phrase=True),
        meta=TEXT(analyzer=analyzer, stored=False, phrase=True),
        category=ID(stored=True, sortable=True, analyzer=IDTokenizer() | LowercaseFilter() | ScriptFoldFilter()),
        lang=ID(stored=True, sortable=True, analyzer=IDTokenizer() | LowercaseFilter()),
        date=ID(stored=True, sortable=True),
        links=KEYWORD(stored=False, commas=False, scorable=False),
        content_hash=ID(stored=True, sortable=True),
        data=STORED(),
    )
