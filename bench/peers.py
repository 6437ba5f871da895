"""Peer engines for side-by-side benchmarks, over the same extracted text and the same queries.

Each peer indexes ``(id, title, text)`` triples and answers OR queries of plain words:
``vanilla Whoosh`` (StemmingAnalyzer, default writer, plain ``searcher.search``), tantivy-py
(``en_stem``) and SQLite FTS5 (``porter``, ``bm25``).
"""

from __future__ import annotations

import re
import shutil
import sqlite3
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Protocol

Doc = tuple[str, str, str]
_WORD = re.compile(r"\w+")


class Peer(Protocol):
    """A search engine under test."""

    name: str

    def build(self, docs: Iterable[Doc]) -> int: ...

    def search(self, query: str, limit: int = 10) -> list[str]: ...

    def close(self) -> None: ...


class VanillaWhoosh:
    """Whoosh as a newcomer would use it: StemmingAnalyzer, default writer, default searcher."""

    name = "vanilla Whoosh"

    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="peer-whoosh-"))
        self.ix = None
        self.searcher = None

    def build(self, docs: Iterable[Doc]) -> int:
        from whoosh import index
        from whoosh.analysis import StemmingAnalyzer
        from whoosh.fields import ID, TEXT, Schema

        schema = Schema(
            id=ID(stored=True, unique=True),
            title=TEXT(analyzer=StemmingAnalyzer(), stored=True),
            text=TEXT(analyzer=StemmingAnalyzer(), stored=True),
        )
        self.ix = index.create_in(str(self.dir), schema)
        writer = self.ix.writer()
        count = 0
        for doc_id, title, text in docs:
            writer.add_document(id=doc_id, title=title, text=text)
            count += 1
        writer.commit()
        return count

    def search(self, query: str, limit: int = 10) -> list[str]:
        from whoosh.qparser import MultifieldParser, OrGroup

        if self.searcher is None:
            self.searcher = self.ix.searcher()  # type: ignore[union-attr]
            self.parser = MultifieldParser(["title", "text"], self.ix.schema, group=OrGroup)  # type: ignore[union-attr]
        return [h["id"] for h in self.searcher.search(self.parser.parse(query), limit=limit)]

    def close(self) -> None:
        if self.searcher is not None:
            self.searcher.close()
        shutil.rmtree(self.dir, ignore_errors=True)


class Tantivy:
    """tantivy-py with the en_stem tokenizer, one writer, default settings."""

    name = "tantivy"

    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="peer-tantivy-"))

    def build(self, docs: Iterable[Doc]) -> int:
        import tantivy

        builder = tantivy.SchemaBuilder()
        builder.add_text_field("id", stored=True, tokenizer_name="raw")
        builder.add_text_field("title", stored=True, tokenizer_name="en_stem")
        builder.add_text_field("text", stored=True, tokenizer_name="en_stem")
        self.index = tantivy.Index(builder.build(), path=str(self.dir))
        writer = self.index.writer()
        count = 0
        for doc_id, title, text in docs:
            writer.add_document(tantivy.Document(id=doc_id, title=title, text=text))
            count += 1
        writer.commit()
        writer.wait_merging_threads()
        self.index.reload()
        self.searcher = self.index.searcher()
        return count

    def search(self, query: str, limit: int = 10) -> list[str]:
        words = " ".join(_WORD.findall(query))
        parsed = self.index.parse_query(words, ["title", "text"])
        hits = self.searcher.search(parsed, limit).hits
        return [self.searcher.doc(address)["id"][0] for _, address in hits]

    def close(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)


class Fts5:
    """SQLite FTS5 with the porter tokenizer and bm25 ranking."""

    name = "SQLite FTS5"

    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="peer-fts5-"))
        self.db = sqlite3.connect(self.dir / "fts.db")

    def build(self, docs: Iterable[Doc]) -> int:
        self.db.execute("CREATE VIRTUAL TABLE docs USING fts5(id UNINDEXED, title, text, tokenize='porter unicode61')")
        count = 0
        with self.db:
            for doc_id, title, text in docs:
                self.db.execute("INSERT INTO docs VALUES (?, ?, ?)", (doc_id, title, text))
                count += 1
        return count

    def search(self, query: str, limit: int = 10) -> list[str]:
        words = _WORD.findall(query)
        if not words:
            return []
        match = " OR ".join(f'"{w}"' for w in words)
        rows = self.db.execute("SELECT id FROM docs WHERE docs MATCH ? ORDER BY bm25(docs) LIMIT ?", (match, limit))
        return [r[0] for r in rows]

    def close(self) -> None:
        self.db.close()
        shutil.rmtree(self.dir, ignore_errors=True)


PEERS = (VanillaWhoosh, Tantivy, Fts5)
