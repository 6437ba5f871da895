"""Time ``related --all`` (Engine.related_all) on a synthetic site of N articles (default 100,000).

The site is generated from the sentences of the IR test collections: 500 topical clusters (each drawing
on its own 12 source documents), one folder (category) per 1,000 articles, each article with 5-9
sentences of its cluster, a title made of its own words, prev/next links along its folder and 5
Recommend links to articles of the same cluster. Prints one JSON line: build time, related rate.

    python -m bench.bench_related_all ../shared/data/ir --articles 100000 --work /tmp/related-100k
"""

from __future__ import annotations

import argparse
import html
import json
import random
import re
import resource
import sys
import time
from pathlib import Path

from search import Engine

CLUSTERS = 500
PER_FOLDER = 1000


def sentences_by_doc(ir_dir: Path) -> list[list[str]]:
    """Sentences of every document of every collection under ``ir_dir``."""
    docs = []
    for path in sorted(ir_dir.glob("*/docs.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            text = json.loads(line).get("text") or ""
            parts = [s.strip() for s in re.split(r"(?<=[.?!])\s+", text) if len(s.strip()) > 30]
            if len(parts) >= 2:
                docs.append(parts)
    return docs


def generate(ir_dir: Path, out: Path, articles: int, seed: int = 7) -> None:
    """Write the synthetic site into ``out`` (``c<folder>/a<number>.html``)."""
    rng = random.Random(seed)
    docs = sentences_by_doc(ir_dir)
    rng.shuffle(docs)
    pools: list[list[str]] = [[] for _ in range(CLUSTERS)]
    for c in range(CLUSTERS):
        for k in range(12):
            pools[c].extend(docs[(c * 12 + k) % len(docs)])
    path_of = [f"c{i // PER_FOLDER:03d}/a{i:06d}.html" for i in range(articles)]
    cluster_members: dict[int, list[int]] = {}
    for i in range(articles):
        cluster_members.setdefault(i % CLUSTERS, []).append(i)
    for i in range(articles):
        cluster = i % CLUSTERS
        sentences = rng.sample(pools[cluster], min(len(pools[cluster]), rng.randint(5, 9)))
        words = re.findall(r"[a-z]{4,}", " ".join(sentences).lower())
        title = " ".join(rng.sample(words, min(len(words), 5))).capitalize() or f"Article {i}"
        folder_start = i - i % PER_FOLDER
        prev_link = f"/{path_of[i - 1]}" if i > folder_start else ""
        next_link = f"/{path_of[i + 1]}" if i + 1 < min(folder_start + PER_FOLDER, articles) else ""
        recs = rng.sample(cluster_members[cluster], min(6, len(cluster_members[cluster])))
        recs = [r for r in recs if r != i][:5]
        page = _page(
            title, sentences, prev_link, next_link, [path_of[r] for r in recs], f"Folder {i // PER_FOLDER}"
        )
        target = out / path_of[i]
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(page, encoding="utf-8")


def _page(title: str, sentences: list[str], prev: str, nxt: str, recs: list[str], category: str) -> str:
    esc = html.escape
    paras = "".join(f"<p>{esc(' '.join(sentences[k : k + 3]))}</p>" for k in range(0, len(sentences), 3))
    chain = (f'<p>&lt;&lt;: <a href="{prev}">previous</a></p>' if prev else "") + (
        f'<p>&gt;&gt;: <a href="{nxt}">next</a></p>' if nxt else ""
    )
    rec = "".join(f'<li><a href="/{r}">{esc(r)}</a></li>' for r in recs)
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{esc(title)}</title></head><body>'
        f'<div class="breadcrumb"><a href="/">Home</a> &gt; <a href="/f/">{esc(category)}</a> &gt; {esc(title)}</div>'
        f'<div class="article"><h1>{esc(title)}</h1><div class="content">{paras}</div>'
        f'<div class="prev-next">{chain}</div></div>'
        f'<div class="recommend"><h3>Recommend</h3><ul>{rec}</ul></div></body></html>'
    )


def main(argv: list[str] | None = None) -> int:
    """Generate (if needed), build (if needed) and time ``related_all``."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("ir_dir", type=Path, help="folder of IR collections (…/shared/data/ir)")
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--limit", type=int, default=10)
    args = parser.parse_args(argv)
    pages, index = args.work / "pages", args.work / "index"
    if not pages.is_dir():
        started = time.perf_counter()
        generate(args.ir_dir, pages, args.articles)
        print(f"generated {args.articles} pages in {time.perf_counter() - started:.0f}s", file=sys.stderr)
    engine = Engine(index)
    build_s = None
    if not engine.exists():
        started = time.perf_counter()
        engine.build(pages)
        build_s = time.perf_counter() - started
        print(f"built in {build_s:.0f}s", file=sys.stderr)
    started = time.perf_counter()
    count = 0
    with (args.work / "related.jsonl").open("w", encoding="utf-8") as out:
        for result in engine.related_all(args.limit):
            out.write(json.dumps(result.to_dict(), ensure_ascii=False) + "\n")
            count += 1
            if count % 5000 == 0:
                rate = count / (time.perf_counter() - started)
                print(f"related: {count} ({rate:.0f}/s)", file=sys.stderr, flush=True)
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "articles": count,
                "build_seconds": round(build_s, 1) if build_s else None,
                "related_all_seconds": round(seconds, 1),
                "articles_per_second": round(count / seconds, 1),
                "peak_rss_mb": round(peak_mb),
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
