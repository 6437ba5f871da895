"""``Engine.update`` / ``artsearch update``: incremental updates equal a full rebuild."""

from __future__ import annotations

import hashlib
import os
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from indexer import store
from indexer.errors import BuildError
from search import Engine
from search.cli import cli
from search.livestats import live_stats

QUERIES = (
    "calcium",
    "back pain",
    "pregnancy sleep",
    "breastfeeding positions",
    "menstrual cramps",
    "vitamin D iron",
    "产后",
    "exercise after birth",
    "doctor",
    "pregn*",
    "calcuim",
    '"back pain" OR sleep',
)


def results(engine: Engine) -> dict[str, tuple[list[tuple[str, float]], str | None]]:
    """Every hit of every query as (id, score), in the engine's order (equal scores by id), and
    the spelling suggestion."""
    out = {}
    for q in QUERIES:
        found = engine.search(q, limit=1000)
        out[q] = ([(h.id, h.score) for h in found.hits], found.suggestion)
    return out


def related(engine: Engine, ids: list[str]) -> dict[str, list[tuple[str, float]]]:
    return {i: [(r.id, r.score) for r in engine.related(i, limit=20).related] for i in ids}


def assert_same_ranking(got: dict, want: dict) -> None:  # type: ignore[type-arg]
    """Same keys, same ids in the same order, scores equal to 1e-9 (suggestions equal)."""
    assert got.keys() == want.keys()
    for key in want:
        a, b = got[key], want[key]
        if isinstance(b, tuple):
            assert a[1] == b[1], key
            a, b = a[0], b[0]
        assert [i for i, _ in a] == [i for i, _ in b], key
        assert all(abs(x - y) <= 1e-9 for (_, x), (_, y) in zip(a, b, strict=True)), key


def all_ids(engine: Engine) -> list[str]:
    gen = store.current_generation(engine.index_dir)
    from whoosh import index as whoosh_index

    ix = whoosh_index.open_dir(str(gen))
    with ix.searcher() as searcher:
        ids = sorted(stored["id"] for stored in searcher.all_stored_fields())
    ix.close()
    return ids


@pytest.fixture(scope="module")
def base_index(engine: Engine) -> Path:
    """The session's index of the bundled corpus; tests work on copies."""
    return engine.index_dir


@pytest.fixture
def index_copy(base_index: Path, tmp_path: Path, corpus_copy: Path) -> Path:
    """A copy of the base index, re-pointed at ``corpus_copy`` (same relative paths and mtimes)."""
    target = tmp_path / "index"
    shutil.copytree(base_index, target)
    return target


def mutate(corpus: Path) -> None:
    """Add, change, delete and rename pages (no new duplicate: which of two duplicates is shown
    depends on document order, which differs between an update and a rebuild)."""
    source = (corpus / "postpartum" / "back-pain-treatment.html").read_bytes()
    (corpus / "postpartum" / "new-article.html").write_bytes(
        source.replace(b"Back Pain", b"Neck Strain").replace(b"back", b"neck").replace(b"calcium", b"iron")
    )
    page = corpus / "nutrition" / "iron-rich-foods.html"
    if not page.exists():
        page = sorted((corpus / "nutrition").glob("*.html"))[0]
    page.write_bytes(page.read_bytes().replace(b"<p>", b"<p>Calcium and sleep matter too. ", 1))
    (sorted((corpus / "gynecology").glob("*.html"))[0]).unlink()
    first = sorted((corpus / "pregnancy").glob("*.html"))[0]
    first.rename(first.with_name("renamed-" + first.name))


@pytest.mark.parametrize("workers", [1, 2])
def test_update_equals_full_rebuild(
    index_copy: Path, corpus_copy: Path, tmp_path: Path, workers: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("indexer.pipeline.PARALLEL_MIN_PAGES", 1)  # workers=2 uses the process pool
    pages = len(list(corpus_copy.rglob("*.html")))
    mutate(corpus_copy)
    updated = Engine(index_copy)
    report = updated.update(corpus_copy, workers=workers)
    assert (report.added, report.changed, report.deleted) == (2, 1, 2)
    assert report.unchanged == pages - 1 - 2
    assert report.rewritten == 0  # old segments keep their deleted documents: live statistics
    assert store.read_meta(store.current_generation(index_copy), index_copy)["deleted_docs"] == 3
    rebuilt = Engine(tmp_path / "rebuilt")
    rebuilt.build(corpus_copy, workers=1)
    assert all_ids(updated) == all_ids(rebuilt)
    assert_same_ranking(results(updated), results(rebuilt))
    ids = all_ids(rebuilt)
    assert_same_ranking(related(updated, ids[workers - 1 :: 2]), related(rebuilt, ids[workers - 1 :: 2]))
    for article_id in ids[::20]:
        # ``source`` is the absolute file path: the base index was built from the bundled corpus
        assert replace(updated.get(article_id), source=None) == replace(rebuilt.get(article_id), source=None)
    assert updated.check(corpus_copy).ok


def test_many_deletions_and_successive_updates_equal_rebuild(
    index_copy: Path, corpus_copy: Path, tmp_path: Path
) -> None:
    """A quarter of the articles deleted (statistics shift a lot), then more rounds of changes."""
    updated = Engine(index_copy)
    gone = [p for p in sorted(corpus_copy.rglob("*.html"))[::4] if p.name != "back-pain-treatment.html"]
    for page in gone:
        page.unlink()
    report = updated.update(corpus_copy, workers=1)
    assert report.deleted == len(gone) > 20 and report.rewritten == 0
    searcher = updated._open()
    live = live_stats(searcher)
    assert live.has_deletions
    assert live.avg_field_length("text") != searcher.avg_field_length("text")  # Whoosh's own drifts
    def touch_four() -> None:  # a new segment of 4 documents: the previous one (3) is merged into it
        for page in sorted(corpus_copy.rglob("*.html"))[1:30:7]:
            page.write_bytes(page.read_bytes().replace(b"<p>", b"<p>Iron and sleep again. ", 1))

    rewritten = []
    for change in (lambda: None, lambda: mutate(corpus_copy), touch_four):
        change()
        rewritten.append(updated.update(corpus_copy, workers=1).rewritten)
        rebuilt = Engine(tmp_path / "rebuilt")
        rebuilt.build(corpus_copy, workers=1)
        assert all_ids(updated) == all_ids(rebuilt)
        assert_same_ranking(results(updated), results(rebuilt))
        ids = all_ids(rebuilt)[::4]
        assert_same_ranking(related(updated, ids), related(rebuilt, ids))
        text = "calcium and iron for sleep during pregnancy, back pain"
        assert [(r.id, round(r.score, 9)) for r in updated.related_to_text(text).related] == [
            (r.id, round(r.score, 9)) for r in rebuilt.related_to_text(text).related
        ]
    assert rewritten[:2] == [0, 0] and rewritten[2] > 0  # the merge re-adds documents exactly
    assert updated.check(corpus_copy).ok


def test_fast_is_an_alias(index_copy: Path, corpus_copy: Path, tmp_path: Path) -> None:
    mutate(corpus_copy)
    updated = Engine(index_copy)
    report = updated.update(corpus_copy, workers=1, exact=False)
    assert report.exact and report.rewritten == 0
    rebuilt = Engine(tmp_path / "rebuilt")
    rebuilt.build(corpus_copy, workers=1)
    assert all_ids(updated) == all_ids(rebuilt)
    assert_same_ranking(results(updated), results(rebuilt))
    assert store.read_meta(store.current_generation(index_copy), index_copy)["deleted_docs"] > 0


def test_nothing_changed_and_mtime_only(index_copy: Path, corpus_copy: Path) -> None:
    engine = Engine(index_copy)
    pages = len(list(corpus_copy.rglob("*.html")))
    live = store.current_generation(index_copy).name
    report = engine.update(corpus_copy, workers=1)
    assert (report.added, report.changed, report.deleted, report.touched) == (0, 0, 0, 0)
    assert report.unchanged == pages
    page = corpus_copy / "postpartum" / "back-pain-treatment.html"
    os.utime(page, ns=(10**18, 10**18))
    report = engine.update(corpus_copy, workers=1)
    assert (report.changed, report.touched, report.unchanged) == (0, 1, pages)
    assert store.current_generation(index_copy).name == live  # no new generation, nothing re-indexed
    report = engine.update(corpus_copy, workers=1)
    assert report.touched == 0  # the manifest entry was refreshed


def test_update_leaves_the_old_generation_untouched(index_copy: Path, corpus_copy: Path) -> None:
    old = store.current_generation(index_copy)
    before = {f.name: hashlib.sha1(f.read_bytes()).hexdigest() for f in old.iterdir()}
    reader = Engine(index_copy)
    old_results = results(reader)
    mutate(corpus_copy)
    Engine(index_copy).update(corpus_copy, workers=1)
    assert store.current_generation(index_copy) != old
    assert {f.name: hashlib.sha1(f.read_bytes()).hexdigest() for f in old.iterdir()} == before
    assert results(reader) != old_results  # the long-lived engine moved to the new generation


def test_strict_update_leaves_live_index(index_copy: Path, corpus_copy: Path) -> None:
    live = store.current_generation(index_copy).name
    (corpus_copy / "empty.html").write_text("<html><body></body></html>", encoding="utf-8")
    (corpus_copy / "postpartum" / "another.html").write_bytes(
        (corpus_copy / "postpartum" / "back-pain-treatment.html").read_bytes()
    )
    with pytest.raises(BuildError, match="strict"):
        Engine(index_copy).update(corpus_copy, workers=1, strict=True)
    assert store.current_generation(index_copy).name == live
    assert sorted(p.name for p in index_copy.iterdir() if p.name.startswith("gen-")) == [live]
    report = Engine(index_copy).update(corpus_copy, workers=1)
    assert report.added == 1
    assert report.rewritten == 0  # adding pages needs no segment rewrite
    assert [s.path for s in report.skipped] == [str(corpus_copy.resolve() / "empty.html")]
    assert Engine(index_copy).stats().skipped[0]["path"].endswith("empty.html")


def test_lost_manifest_replaces_every_article(index_copy: Path, corpus_copy: Path, tmp_path: Path) -> None:
    (store.current_generation(index_copy) / "manifest.json").unlink()
    page = sorted((corpus_copy / "nutrition").glob("*.html"))[0]
    page.unlink()
    report = Engine(index_copy).update(corpus_copy, workers=1)
    assert report.added == len(list(corpus_copy.rglob("*.html")))
    rebuilt = Engine(tmp_path / "rebuilt")
    rebuilt.build(corpus_copy, workers=1)
    assert all_ids(Engine(index_copy)) == all_ids(rebuilt)
    assert_same_ranking(results(Engine(index_copy)), results(rebuilt))


def test_update_without_index_builds(tmp_path: Path, corpus_dir: Path) -> None:
    report = Engine(tmp_path / "ix").update(corpus_dir, workers=1)
    assert report.rebuilt and report.added == len(list(corpus_dir.rglob("*.html")))


def test_cli_update_json_and_text(index_copy: Path, corpus_copy: Path) -> None:
    (sorted((corpus_copy / "nutrition").glob("*.html"))[0]).unlink()
    runner = CliRunner()
    out = runner.invoke(
        cli, ["-q", "update", str(corpus_copy), "--index", str(index_copy), "--json"], catch_exceptions=False
    )
    assert out.exit_code == 0, out.output
    assert '"deleted": 1' in out.output
    out = runner.invoke(cli, ["-q", "update", str(corpus_copy), "--index", str(index_copy)])
    assert out.exit_code == 0
    pages = len(list(corpus_copy.rglob("*.html")))
    assert f"0 added, 0 changed, 0 deleted, {pages} unchanged, 0 skipped" in out.output
