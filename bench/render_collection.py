"""Render an IR test collection (``docs.jsonl``) as a folder of HTML pages, one per document.

Page ``<id>.html`` gets article id ``<id>``; the title goes in ``<title>``/``<h1>``, the text in the
content block. A text too short for the indexer (CACM: authors only) is led by the title, as the
Cranfield abstracts are, so that every document becomes an article.
"""

from __future__ import annotations

import html
import json
from pathlib import Path

from indexer.parse import MIN_TEXT_CHARS

PAGE = (
    '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title></head><body>'
    '<div class="article"><h1>{title}</h1><div class="content">{body}</div></div></body></html>\n'
)


def page_html(title: str, text: str) -> str:
    """One document as a minimal article page."""
    text = " ".join(text.split())
    if len(text) < MIN_TEXT_CHARS and title:
        text = f"{title.rstrip(' .')}. {text}".strip()
    return PAGE.format(title=html.escape(title), body=f"<p>{html.escape(text)}</p>")


def render_collection(collection: Path, out_dir: Path) -> int:
    """Write ``out_dir/<id>.html`` for each document of ``collection/docs.jsonl``; returns the count."""
    out_dir.mkdir(parents=True, exist_ok=True)
    count = 0
    with (collection / "docs.jsonl").open(encoding="utf-8") as handle:
        for line in handle:
            doc = json.loads(line)
            page = out_dir / f"{doc['id']}.html"
            page.write_text(page_html(doc.get("title") or "", doc.get("text") or ""), encoding="utf-8")
            count += 1
    return count
