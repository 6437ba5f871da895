"""Full builds in worker processes: each worker writes its own segments, the index is the same."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from whoosh import index as whoosh_index

from indexer import store
from indexer.corpus import check_corpus, walk_corpus
from indexer.errors import BuildError
from indexer.segment_workers import CHUNK_PAGES, split_pages, write_segments
from search import Engine

QUERIES = ("postpartum back pain", "calcium", "breastfeeding", "产后", "sleep", "pregnency")


def _documents(index: Path) -> list[dict[str, Any]]:
    """Every stored document, in document-number order (the order of the index's segments)."""
    with whoosh_index.open_dir(str(store.current_generation(index))).searcher() as searcher:
        return [searcher.stored_fields(n) for n in range(searcher.doc_count_all())]


def _segments(index: Path) -> int:
    return len(list(store.current_generation(index).glob("*.seg")))


def _manifest(index: Path) -> dict[str, Any]:
    manifest: dict[str, Any] = json.loads((store.current_generation(index) / "manifest.json").read_text())
    return manifest


def test_two_workers_write_the_index_one_process_writes(engine: Engine, corpus_dir: Path, tmp_path: Path) -> None:
    pages = len(list(corpus_dir.rglob("*.html")))
    parallel = Engine(tmp_path / "parallel")
    report = parallel.build(corpus_dir, workers=2)
    assert report.indexed == pages
    assert _segments(tmp_path / "parallel") == 2  # one per worker
    serial_index = Path(engine.index_dir)
    assert _segments(serial_index) == 1
    # the same documents in the same (corpus) order, the same manifest, the same answers
    assert _documents(tmp_path / "parallel") == _documents(serial_index)
    corpus_order = [page.id for page in walk_corpus(check_corpus(corpus_dir), [])]
    assert len(corpus_order) > 2 * CHUNK_PAGES  # pages are parsed and filed in batches of CHUNK_PAGES
    assert [doc["id"] for doc in _documents(serial_index)] == corpus_order
    assert _manifest(tmp_path / "parallel") == _manifest(serial_index)
    for query in QUERIES:
        a, b = engine.search(query), parallel.search(query)
        assert [(h.id, h.score, h.snippet.text) for h in a.hits] == [(h.id, h.score, h.snippet.text) for h in b.hits]
        assert (a.total, a.facets, a.suggestion) == (b.total, b.facets, b.suggestion)
    first = engine.search("calcium").hits[0].id
    assert engine.related(first).to_dict() == parallel.related(first).to_dict()
    assert parallel.check(corpus_dir).ok
    assert not [p for p in store.current_generation(tmp_path / "parallel").iterdir() if p.name.endswith(".tmp")]


def test_split_pages_keeps_order_and_balances_bytes(corpus_dir: Path) -> None:
    pages = list(walk_corpus(check_corpus(corpus_dir), []))
    for parts in (1, 2, 3, 7):
        runs = split_pages(pages, parts)
        assert [p for run in runs for p in run] == pages
        assert len(runs) == parts and all(runs)
        sizes = [sum(p.path.stat().st_size for p in run) for run in runs]
        largest_page = max(p.path.stat().st_size for p in pages)
        assert max(sizes) - min(sizes) <= 2 * largest_page
    assert len(split_pages(pages[:3], 8)) == 3  # never an empty run


def _die_on(relative: str, how: str) -> Any:
    """A stand-in for ``article_fields`` that fails (in the worker) on one page."""
    from indexer.documents import article_fields

    def fields(article: Any) -> Any:
        if article.id == relative:
            if how == "exit":
                os._exit(3)
            raise OSError(28, "No space left on device")
        return article_fields(article)

    return fields


@pytest.mark.parametrize(("how", "message"), [("exit", r"died \(exit code 3\)"), ("raise", "No space left on device")])
def test_failed_worker_fails_the_build_and_keeps_the_live_index(
    corpus_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str, message: str
) -> None:
    index = tmp_path / "index"
    Engine(index).build(corpus_copy, workers=1)
    live = store.current_generation(index).name
    before = [h.id for h in Engine(index).search("calcium").hits]
    # the first page: its worker fails while the other one goes on sending pages
    victim = sorted(p.relative_to(corpus_copy).with_suffix("").as_posix() for p in corpus_copy.rglob("*.html"))[0]
    monkeypatch.setattr("indexer.segment_workers.article_fields", _die_on(victim, how))
    with pytest.raises(BuildError, match=message):
        Engine(index).build(corpus_copy, workers=2)
    assert store.current_generation(index).name == live
    assert [h.id for h in Engine(index).search("calcium").hits] == before
    assert {p.name for p in index.iterdir() if p.name.startswith("gen-")} == {live}  # the failed one removed


@pytest.mark.parametrize(
    ("copies", "workers", "used", "limit"), [(1, 2, 2, 256), (1, 3, 3, 170), (1, 64, 3, 170), (8, 16, 16, 64)]
)
def test_workers_share_the_postings_budget(
    corpus_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, copies: int, workers: int, used: int, limit: int
) -> None:
    seen: list[tuple[int, int]] = []
    monkeypatch.setattr(
        "indexer.segment_workers._write_in_workers", lambda *args: seen.append((args[4], args[3]))
    )  # (index_dir, pages, profile, limit_mb, workers, progress)
    pages = list(walk_corpus(check_corpus(corpus_dir), [])) * copies
    write_segments(tmp_path, pages, limit_mb=256, workers=workers)
    # at least 32 pages a worker; WORKERS_BUDGET_MB (512) shared, never under 64 MB a worker
    assert seen == [(used, limit)]
