"""Where a full build's CPU time goes, per page, stage by stage (one process, CPU time).

    python bench/build_stages.py CORPUS [--pages 2000]

Runs each stage of a build over the same pages in one process and prints CPU milliseconds per
page (``time.process_time``, so less sensitive to other load than wall time): reading and
decoding, the page tree (bs4's, and the one extraction reads), extraction, the document fields,
analysis and the index writer, the last two both the Whoosh way (``SegmentWriter.add_document``) and the artsearch way
(``prepare_fields`` then ``BulkWriter``'s segment builder, both in each build worker), and last
one build worker's whole loop over the pages (what a build's workers spend per page, on two cores
halved).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO)]

from bs4 import BeautifulSoup  # noqa: E402
from whoosh import index as whoosh_index  # noqa: E402

from indexer.corpus import check_corpus, read_page, walk_corpus  # noqa: E402
from indexer.documents import article_fields  # noqa: E402
from indexer.encoding import decode_html  # noqa: E402
from indexer.extract.dom import parse_html  # noqa: E402
from indexer.extract.fastsoup import lxml_soup  # noqa: E402
from indexer.fingerprint import simhash  # noqa: E402
from indexer.pipeline import parse_page  # noqa: E402
from indexer.prepared import prepare_fields, warm_up  # noqa: E402
from indexer.schema import build_schema  # noqa: E402
from indexer.segment_workers import write_segments  # noqa: E402
from indexer.segments import BulkWriter  # noqa: E402


def cpu_ms(label: str, n: int, fn: Callable[[], Any]) -> Any:
    started = time.process_time()
    out = fn()
    print(f"| {label} | {(time.process_time() - started) * 1000 / n:.2f} |")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--pages", type=int, default=2000)
    args = parser.parse_args()
    pages = list(walk_corpus(check_corpus(args.corpus), []))[: args.pages]
    n = len(pages)
    warm_up()
    schema = build_schema()
    print(f"{n} pages of {args.corpus}\n\n| stage | CPU ms/page |\n|---|---|")
    texts = cpu_ms("read + decode", n, lambda: [decode_html(read_page(p.path))[0] for p in pages])
    cpu_ms("BeautifulSoup tree (bs4's lxml builder)", n, lambda: [len(BeautifulSoup(t, "lxml", multi_valued_attributes=None).contents) for t in texts])
    cpu_ms("same tree, lean lxml target (site profiles' tree)", n, lambda: [len(lxml_soup(t).contents) for t in texts])
    cpu_ms("extraction tree (dom.parse_html, parse_page's)", n, lambda: [parse_html(t).release() for t in texts])
    results = cpu_ms("parse_page (read, tree, extraction)", n, lambda: [parse_page(p) for p in pages])
    articles = [r.article for r in results if r.article is not None]
    fields = cpu_ms("article_fields (incl. simhash)", n, lambda: [article_fields(a) for a in articles])
    cpu_ms("  of which simhash", n, lambda: [simhash(a.text) for a in articles])

    def whoosh_writer() -> None:
        ix = whoosh_index.create_in(tempfile.mkdtemp(), schema)
        writer = ix.writer(limitmb=256)
        for f in fields:
            writer.add_document(**f)
        writer.commit()

    cpu_ms("Whoosh SegmentWriter: analysis + postings + commit", n, whoosh_writer)
    text_fields = ("title", "text", "meta")
    cpu_ms("  Whoosh field.index (analysis only)", n, lambda: [[list(schema[k].index(f[k])) for k in text_fields] for f in fields])
    docs = cpu_ms("prepare_fields (analysis)", n, lambda: [prepare_fields(f, schema) for f in fields])

    def bulk_writer() -> None:
        ix = whoosh_index.create_in(tempfile.mkdtemp(), schema)
        writer = BulkWriter(ix, limit_mb=256)
        for d in docs:
            writer.add(d)
        writer.commit()

    cpu_ms("BulkWriter (segment builder)", n, bulk_writer)

    def one_worker() -> None:
        folder = Path(tempfile.mkdtemp())
        whoosh_index.create_in(str(folder), schema)
        write_segments(folder, pages, limit_mb=256, workers=1)

    cpu_ms("one build worker's whole loop (all of the above, artsearch's way, and GC)", n, one_worker)


if __name__ == "__main__":
    main()
