"""Generate a synthetic corpus of N pages in the sample site's template, for benchmarks.

Bodies are drawn from the IR test collections in ``../shared/data/ir`` (documents split into
sentences and recombined, so vocabulary and term statistics are real); each page gets a category,
a date, prev/next links within its category and a Recommend list of 10 other pages, with the
same boilerplate (header, menu, breadcrumb, ads, share bar, footer, scripts) as ``corpus/``.

    python bench/sitegen.py OUT_DIR --pages 10000 [--seed 1]
"""

from __future__ import annotations

import argparse
import html
import json
import random
import re
from collections.abc import Iterator
from pathlib import Path

SHARED_IR = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "ir"
CATEGORIES = (
    "pregnancy", "postpartum", "gynecology", "menstruation", "nutrition", "fitness", "sleep",
    "mental-health", "parenting", "aging",
)  # fmt: skip
SITE = "https://www.bloomcare-health.example"


def load_sentences(ir_dir: Path = SHARED_IR) -> list[str]:
    """Sentences of every document of the shared IR collections (deterministic order)."""
    sentences: list[str] = []
    for docs in sorted(ir_dir.glob("*/docs.jsonl")):
        with docs.open(encoding="utf-8") as handle:
            for line in handle:
                text = json.loads(line).get("text") or ""
                for sentence in re.split(r"(?<=[.!?])\s+", text):
                    sentence = sentence.strip()
                    if 30 <= len(sentence) <= 400:
                        sentences.append(sentence[0].upper() + sentence[1:])
    if not sentences:
        raise SystemExit(f"no documents found under {ir_dir}")
    return sentences


def _title(rng: random.Random, sentences: list[str]) -> str:
    words = re.findall(r"[A-Za-z]{3,}", rng.choice(sentences))
    return " ".join(w.capitalize() for w in words[: rng.randint(3, 8)]) or "Untitled Article"


def page_specs(n: int, seed: int, sentences: list[str]) -> list[dict[str, object]]:
    """Titles, categories, dates and paragraphs of ``n`` pages (links are added from these)."""
    rng = random.Random(seed)
    specs = []
    for i in range(n):
        category = CATEGORIES[rng.randrange(len(CATEGORIES))]
        paragraphs = [
            " ".join(rng.choice(sentences) for _ in range(rng.randint(2, 4))) for _ in range(rng.randint(4, 8))
        ]
        specs.append(
            {
                "id": f"{category}/article-{i:06d}",
                "category": category,
                "title": _title(rng, sentences),
                "date": f"{2015 + rng.randrange(9)}-{1 + rng.randrange(12):02d}-{1 + rng.randrange(28):02d}",
                "paragraphs": paragraphs,
            }
        )
    return specs


def render(spec: dict[str, object], prev: dict | None, nxt: dict | None, recommended: list[dict]) -> str:
    """One page in the sample site's template."""
    e = html.escape
    title, category = str(spec["title"]), str(spec["category"])
    body = "\n".join(f"    <p>{e(p)}</p>" for p in spec["paragraphs"])  # type: ignore[attr-defined]
    rec = "\n".join(
        f'    <li><a href="/{r["id"]}.html"><span class="rec-title">{e(str(r["title"]))}</span>'
        f'<span class="rec-desc">{e(str(r["paragraphs"][0])[:50])}...</span></a></li>'  # type: ignore[index]
        for r in recommended
    )
    chain = ""
    if prev:
        chain += f'<p>&lt;&lt;: <a href="/{prev["id"]}.html">{e(str(prev["title"]))}</a></p>'
    if nxt:
        chain += f'<p>&gt;&gt;: <a href="/{nxt["id"]}.html">{e(str(nxt["title"]))}</a></p>'
    nav = "".join(f'<li><a href="/{c}/">{c.replace("-", " ").title()}</a></li>' for c in CATEGORIES[:6])
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{e(title)} - BloomCare Health</title>
<meta name="description" content="{e(str(spec["paragraphs"][0])[:150])}">
<link rel="canonical" href="{SITE}/{spec["id"]}.html">
<script>var _bcq=_bcq||[];_bcq.push(['_trackPageview']);</script>
<style>.header{{background:#f7e1ea}}.footer{{background:#333}}</style>
</head>
<body>
<div class="header"><div class="logo"><a href="/">BloomCare Health</a></div>
<ul class="nav"><li><a href="/">Home</a></li>{nav}</ul>
<form class="search-box" action="/search"><input type="text" name="q"><button>Search</button></form></div>
<div class="breadcrumb"><a href="/">Home</a> &gt; <a href="/{category}/">{category.title()}</a> &gt; {e(title)}</div>
<div class="ad-slot" id="ad-top">Advertisement <a href="https://ads.example/click">Free shipping on maternity wear</a></div>
<div class="article">
  <h1>{e(title)}</h1>
  <div class="info">Date: {spec["date"]} &nbsp; Source: BloomCare Health</div>
  <div class="article-content">
{body}
  </div>
  <div class="share">Share to: <a href="#">Facebook</a> <a href="#">Twitter</a> <a href="#">Email</a></div>
  <div class="prev-next">{chain}</div>
</div>
<div class="recommend"><h3>Recommend</h3><ul>
{rec}
</ul></div>
<div class="footer"><p><a href="/about.html">About us</a> | <a href="/privacy.html">Privacy Policy</a></p>
<p>Copyright © 2017-2023 BloomCare Health. All rights reserved.</p></div>
<script>(function(){{var s=document.createElement('script');s.src='/share.js';}})();</script>
</body>
</html>
"""


def generate(out: Path, n: int, seed: int = 1, sentences: list[str] | None = None) -> Iterator[Path]:
    """Write ``n`` pages under ``out`` (deterministic for a seed); yields each written path."""
    sentences = sentences or load_sentences()
    specs = page_specs(n, seed, sentences)
    rng = random.Random(seed + 1)
    by_category: dict[str, list[int]] = {}
    for i, spec in enumerate(specs):
        by_category.setdefault(str(spec["category"]), []).append(i)
    position = {i: (cat, k) for cat, members in by_category.items() for k, i in enumerate(members)}
    for i, spec in enumerate(specs):
        cat, k = position[i]
        members = by_category[cat]
        prev = specs[members[k - 1]] if k > 0 else None
        nxt = specs[members[k + 1]] if k + 1 < len(members) else None
        same = [specs[j] for j in rng.sample(members, min(len(members), 8)) if j != i][:7]
        other = [specs[j] for j in rng.sample(range(n), min(n, 4)) if j != i][:3]
        path = out / f"{spec['id']}.html"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(render(spec, prev, nxt, same + other), encoding="utf-8")
        yield path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path)
    parser.add_argument("--pages", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    count = sum(1 for _ in generate(args.out, args.pages, args.seed))
    print(f"wrote {count} pages to {args.out}")


if __name__ == "__main__":
    main()
