"""Generate a realistic corpus of N pages in the sample site's template (for benchmarks).

Text comes from recombined paragraphs: the bundled corpus's own paragraphs, plus the abstracts of
``../shared/data/ir/*/docs.jsonl`` when that folder exists (more vocabulary). Every page has a
category folder, a date, an author, prev/next links and a Recommend list, like ``corpus/``.
Deterministic for a given ``--seed``.

    python bench/gen_corpus.py /tmp/corpus20k --pages 20000
    python bench/gen_corpus.py /tmp/corpus20k --pages 20000 --change 0.01 --seed 7   # touch 1%
"""

from __future__ import annotations

import argparse
import html
import json
import random
import re
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED_IR = REPO.parent / "shared" / "data" / "ir"
CATEGORIES = ("pregnancy", "postpartum", "gynecology", "menstruation", "nutrition", "parenting", "wellness")
AUTHORS = ("Dr. Jane Lowell", "Dr. Amir Haddad", "Maria Chen, RN", "Dr. Sofia Rossi", "Editorial Team")


def load_paragraphs() -> list[str]:
    """Paragraph pool: bundled corpus ``<p>`` texts plus shared IR abstracts (split into sentences)."""
    pool: list[str] = []
    for page in sorted((REPO / "corpus").rglob("*.html")):
        raw = page.read_text(encoding="utf-8", errors="replace")
        body = raw.split('class="article-content"', 1)[-1].split("</div>", 1)[0]
        for para in re.findall(r"<p>(.*?)</p>", body, flags=re.S):
            text = re.sub(r"<[^>]+>", "", para).strip()
            if len(text) > 60:
                pool.append(html.unescape(text))
    if SHARED_IR.is_dir():
        for docs in sorted(SHARED_IR.glob("*/docs.jsonl")):
            with docs.open(encoding="utf-8") as handle:
                for line in handle:
                    text = json.loads(line).get("text", "")
                    sentences = re.split(r"(?<=[.!?])\s+", text)
                    for i in range(0, len(sentences), 3):
                        chunk = " ".join(sentences[i : i + 3]).strip()
                        if len(chunk) > 80:
                            pool.append(chunk)
    return pool


def page_path(i: int) -> str:
    """Relative path of page ``i``."""
    return f"{CATEGORIES[i % len(CATEGORIES)]}/article-{i:06d}.html"


def title_of(rng: random.Random, para: str) -> str:
    words = re.findall(r"[A-Za-z][A-Za-z'-]+", para)
    start = rng.randrange(max(1, len(words) - 6))
    return " ".join(words[start : start + rng.randint(3, 7)]).capitalize() or "Untitled article"


def render_page(i: int, n: int, pool: list[str], version: int = 0) -> str:
    """The HTML of page ``i`` of ``n`` (``version`` > 0 gives a changed text for the same page)."""
    rng = random.Random(i * 1_000_003 + version)
    paras = [pool[rng.randrange(len(pool))] for _ in range(rng.randint(4, 10))]
    title = title_of(rng, paras[0]) + (f" (revised {version})" if version else "")
    category = CATEGORIES[i % len(CATEGORIES)]
    date = f"20{rng.randint(15, 24)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    prev_i, next_i = (i - 1) % n, (i + 1) % n
    recs = sorted({rng.randrange(n) for _ in range(8)} - {i})
    esc = html.escape
    rec_items = "\n".join(
        f'    <li><a href="/{page_path(r)}"><span class="rec-title">Related article {r}</span>'
        f'<span class="rec-desc">{esc(pool[(r * 7) % len(pool)][:50])}...</span></a></li>'
        for r in recs
    )
    body = "\n".join(f"    <p>{esc(p)}</p>" for p in paras)
    nav = "".join(f'<li><a href="/{c}/">{c.title()}</a></li>' for c in CATEGORIES)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{esc(title)} - BloomCare Health</title>
<meta name="description" content="{esc(paras[0][:150])}">
<meta name="keywords" content="{category}, health, {esc(title.lower())}">
<link rel="canonical" href="https://www.bloomcare-health.example/{page_path(i)}">
<link rel="stylesheet" href="/static/css/main.css?v=2.0.3">
<script>var _bcq = _bcq || []; _bcq.push(['_trackPageview']);</script>
</head>
<body>
<div class="header">
  <div class="logo"><a href="/">BloomCare Health</a></div>
  <ul class="nav"><li><a href="/">Home</a></li>{nav}</ul>
</div>
<div class="wrap">
<div class="breadcrumb"><a href="/">Home</a> &gt; <a href="/{category}/">{category.title()}</a> &gt; {esc(title)}</div>
<div class="ad-slot" id="ad-top">Advertisement <a href="https://ads.example/click?slot=top" rel="nofollow">Free shipping this week only</a></div>
<div class="article">
  <h1>{esc(title)}</h1>
  <div class="info">Date: {date} &nbsp; Source: BloomCare Health &nbsp; Author: {AUTHORS[rng.randrange(len(AUTHORS))]}</div>
  <div class="article-content">
{body}
  </div>
  <div class="prev-next">
    <p>&lt;&lt;: <a href="/{page_path(prev_i)}">Previous article</a></p>
    <p>&gt;&gt;: <a href="/{page_path(next_i)}">Next article</a></p>
  </div>
</div>
<div class="recommend">
  <h3>Recommend</h3>
  <ul>
{rec_items}
  </ul>
</div>
</div>
<div class="footer">
  <p><a href="/about.html">About us</a> | <a href="/privacy.html">Privacy Policy</a></p>
  <p>Copyright © 2017-2023 BloomCare Health. All rights reserved.</p>
</div>
</body>
</html>
"""


def generate(target: Path, pages: int, pool: list[str] | None = None) -> None:
    """Write ``pages`` pages under ``target``."""
    pool = pool or load_paragraphs()
    for category in CATEGORIES:
        (target / category).mkdir(parents=True, exist_ok=True)
    for i in range(pages):
        (target / page_path(i)).write_text(render_page(i, pages, pool), encoding="utf-8")


def change(target: Path, pages: int, fraction: float, seed: int, pool: list[str] | None = None) -> list[str]:
    """Rewrite ``fraction`` of the pages with new text; returns their relative paths."""
    pool = pool or load_paragraphs()
    rng = random.Random(seed)
    chosen = sorted(rng.sample(range(pages), max(1, round(pages * fraction))))
    for i in chosen:
        (target / page_path(i)).write_text(render_page(i, pages, pool, version=seed), encoding="utf-8")
    return [page_path(i) for i in chosen]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("target", type=Path)
    parser.add_argument("--pages", type=int, default=20_000)
    parser.add_argument("--change", type=float, default=0.0, help="rewrite this fraction of existing pages")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if args.change:
        changed = change(args.target, args.pages, args.change, args.seed)
        print(f"changed {len(changed)} pages under {args.target}")
    else:
        generate(args.target, args.pages)
        print(f"wrote {args.pages} pages under {args.target}")


if __name__ == "__main__":
    main()
