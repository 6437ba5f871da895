"""Rendering plain documents as HTML pages in the sample site's template (for benchmarks).

A test collection (``{"id", "title", "text"}`` records) becomes a corpus folder of pages that the
indexer reads like any scraped site: one page per document, the page's path gives its id
(``<id>.html`` → article id ``<id>``), the title in ``<title>`` and ``<h1>``, the text as
paragraphs of the article's content block.

>>> page = render_page("17", "A title", "Some text.")
>>> "<h1>A title</h1>" in page
True
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from indexer.parse import MIN_TEXT_CHARS

SITE = "BloomCare Health"
_SAFE_ID = re.compile(r"[^A-Za-z0-9._-]")


@dataclass(frozen=True)
class Document:
    """One record of a test collection."""

    id: str
    title: str
    text: str


def read_documents(path: Path) -> Iterator[Document]:
    """The documents of a ``docs.jsonl`` file, in file order."""
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                record = json.loads(line)
                yield Document(str(record["id"]), record.get("title") or "", record.get("text") or "")


def page_name(doc_id: str) -> str:
    """The page file name of a document id (``17`` → ``17.html``); ids must be path-safe."""
    if not doc_id or _SAFE_ID.search(doc_id) or doc_id.startswith("."):
        raise ValueError(f"document id {doc_id!r} is not a safe file name")
    return f"{doc_id}.html"


def _paragraphs(title: str, text: str) -> list[str]:
    """The content paragraphs: the text's lines; a text too short to be an article opens with the title.

    The indexer skips pages with under ``MIN_TEXT_CHARS`` characters of text; a record with only a
    title and a few words (CACM: authors only) is still a document, so its title leads its text,
    as the Cranfield abstracts do for every record.
    """
    lines = [" ".join(line.split()) for line in text.splitlines()]
    paragraphs = [line for line in lines if line]
    if sum(len(p) for p in paragraphs) < MIN_TEXT_CHARS and title:
        lead = title.rstrip(" .") + "."
        paragraphs = [f"{lead} {paragraphs[0]}" if paragraphs else lead, *paragraphs[1:]]
    return paragraphs


def render_page(
    doc_id: str,
    title: str,
    text: str,
    *,
    category: str = "Articles",
    date: str | None = None,
    lang: str = "en",
) -> str:
    """One document as a page of the sample site (header, breadcrumb, article, footer)."""
    esc = html.escape
    body = "\n".join(f"    <p>{esc(p)}</p>" for p in _paragraphs(title, text))
    info = f'  <div class="info">Date: {esc(date)} &nbsp; Source: {SITE}</div>\n' if date else ""
    slug = re.sub(r"\W+", "-", category.lower()).strip("-") or "articles"
    return (
        f'<!DOCTYPE html>\n<html lang="{esc(lang)}">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{esc(title)} - {SITE}</title>\n</head>\n<body>\n"
        f'<div class="header"><div class="logo"><a href="/">{SITE}</a></div>'
        f'<ul class="nav"><li><a href="/">Home</a></li><li><a href="/{slug}/">{esc(category)}</a></li></ul></div>\n'
        f'<div class="breadcrumb"><a href="/">Home</a> &gt; <a href="/{slug}/">{esc(category)}</a> &gt; '
        f"{esc(title)}</div>\n"
        f'<div class="article">\n  <h1>{esc(title)}</h1>\n{info}  <div class="content">\n{body}\n  </div>\n</div>\n'
        f'<div class="footer"><p>Copyright © {SITE}. All rights reserved.</p></div>\n</body>\n</html>\n'
    )


def render_corpus(documents: Iterable[Document], out_dir: Path) -> int:
    """Write one page per document into ``out_dir``; returns the number of pages written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    count = 0
    for doc in documents:
        (out_dir / page_name(doc.id)).write_text(render_page(doc.id, doc.title, doc.text), encoding="utf-8")
        count += 1
    return count
