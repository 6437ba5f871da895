"""Benchmark: full build vs incremental update on a generated corpus, with peak memory.

Steps, each a separate ``artsearch`` process timed from outside (wall clock) while a sampler sums
the PSS of the process and its worker processes (from ``/proc``) every 50 ms:

(a) ``build`` of N pages; (b) ``update`` with nothing changed; (b2) ``update`` after touching every
file's mtime (content unchanged: every page is hashed, none re-parsed); (c) ``update`` after 1% of
the pages got new text (old versions only marked deleted: scoring uses live statistics); (c2)
another 1% with ``--fast`` (now an alias of the default); (d) peak memory of each step (PSS of the
process tree). ``--verify`` then rebuilds the final corpus and compares search and related results
of the updated index with the rebuild's (ids, order, scores to 1e-9).

    python bench/bench_update.py --pages 20000 --work /tmp/bench-update
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import gen_corpus


def tree_memory(pid: int) -> int:
    """Summed PSS in bytes of ``pid`` and all its descendants (Linux ``/proc``).

    PSS (proportional set size) shares each page among the processes mapping it, so forked
    workers are not counted twice for the pages they share with their parent (RSS would be).
    """
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                ppid = int(handle.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(ppid, []).append(int(entry))
    total, stack = 0, [pid]
    while stack:
        p = stack.pop()
        try:
            with open(f"/proc/{p}/smaps_rollup") as handle:
                for line in handle:
                    if line.startswith("Pss:"):
                        total += int(line.split()[1]) * 1024
                        break
        except OSError:
            pass
        stack.extend(children.get(p, []))
    return total


def run(args: list[str]) -> tuple[float, int, dict]:
    """Run one artsearch command; returns (seconds, peak PSS bytes of its process tree, JSON output)."""
    started = time.perf_counter()
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not stop.is_set():
            peak = max(peak, tree_memory(proc.pid))
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = proc.communicate()
    seconds = time.perf_counter() - started
    stop.set()
    sampler.join()
    if proc.returncode:
        raise SystemExit(f"{' '.join(args)} failed ({proc.returncode}): {err}")
    return seconds, peak, json.loads(out)


def verify(updated_dir: Path, rebuilt_dir: Path, queries: int = 200, articles: int = 100) -> str:
    """Compare the updated index with a rebuild: ids, order and scores (to 1e-9) of ``queries``
    searches (top 50) and of the related articles of ``articles`` articles."""
    from perf import sample_queries

    from search import Engine

    updated, rebuilt = Engine(updated_dir), Engine(rebuilt_dir)

    def same(a: list[tuple[str, float]], b: list[tuple[str, float]]) -> bool:
        return [i for i, _ in a] == [i for i, _ in b] and all(
            abs(x - y) <= 1e-9 for (_, x), (_, y) in zip(a, b, strict=True)
        )

    bad_search = sum(
        not same(
            [(h.id, h.score) for h in updated.search(q, limit=50).hits],
            [(h.id, h.score) for h in rebuilt.search(q, limit=50).hits],
        )
        for q in sample_queries(queries)
    )
    ids = sorted(d["id"] for d in rebuilt._open().reader().all_stored_fields())
    picked = random.Random(3).sample(ids, min(articles, len(ids)))
    bad_related = sum(
        not same(
            [(r.id, r.score) for r in updated.related(i).related],
            [(r.id, r.score) for r in rebuilt.related(i).related],
        )
        for i in picked
    )
    return (
        f"verify: {bad_search} of {queries} searches and {bad_related} of {len(picked)} related lists "
        "differ from a rebuild"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=20_000)
    parser.add_argument("--work", type=Path, default=Path("/tmp/bench-update"))
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--fraction", type=float, default=0.01)
    parser.add_argument(
        "--verify", action="store_true", help="rebuild at the end and compare search and related results"
    )
    args = parser.parse_args()

    corpus, index = args.work / "corpus", args.work / "index"
    shutil.rmtree(args.work, ignore_errors=True)
    pool = gen_corpus.load_paragraphs()
    t = time.perf_counter()
    gen_corpus.generate(corpus, args.pages, pool)
    print(f"generated {args.pages} pages in {time.perf_counter() - t:.1f}s", file=sys.stderr)

    exe = [shutil.which("artsearch") or "artsearch"]
    common = ["--index", str(index), "--json"] + (["--workers", str(args.workers)] if args.workers else [])
    rows: list[tuple[str, float, int, dict]] = []

    def step(name: str, command: str, *extra: str) -> None:
        seconds, peak, out = run([*exe, "-q", command, str(corpus), *common, *extra])
        rows.append((name, seconds, peak, out))
        print(f"{name}: {seconds:.2f}s, peak memory {peak / 2**20:.0f} MiB", file=sys.stderr)

    step("(a) full build", "build")
    step("(b) update, nothing changed", "update")
    now = time.time()
    for path in corpus.rglob("*.html"):
        os.utime(path, (now, now))
    step("(b2) update, every mtime touched, content unchanged", "update")
    gen_corpus.change(corpus, args.pages, args.fraction, seed=11, pool=pool)
    step(f"(c) update, {args.fraction:.0%} pages changed", "update")
    gen_corpus.change(corpus, args.pages, args.fraction, seed=12, pool=pool)
    step(f"(c2) update, another {args.fraction:.0%} changed (--fast, now an alias)", "update", "--fast")
    if args.verify:
        rebuilt = args.work / "rebuilt"
        seconds, peak, out = run([*exe, "-q", "build", str(corpus), "--index", str(rebuilt), "--json"])
        print(f"rebuild for --verify: {seconds:.2f}s", file=sys.stderr)
        print(verify(index, rebuilt), file=sys.stderr)

    build_s = rows[0][1]
    print(f"\nmachine: {platform.platform()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"corpus: {args.pages} generated pages, {sum(f.stat().st_size for f in corpus.rglob('*')) / 1e6:.0f} MB\n")
    print("| step | wall time | % of full build | peak memory (PSS, process + workers) | counts |")
    print("|---|---|---|---|---|")
    for name, seconds, peak, out in rows:
        counts = (
            f"{out['indexed']} indexed"
            if "indexed" in out
            else f"+{out['added']} ~{out['changed']} -{out['deleted']} ={out['unchanged']}"
        )
        print(
            f"| {name} | {seconds:.2f} s | {100 * seconds / build_s:.1f}% | {peak / 2**20:.0f} MiB | {counts} |"
        )


if __name__ == "__main__":
    main()
