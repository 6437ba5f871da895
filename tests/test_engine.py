"""End to end through the Engine facade on the bundled sample corpus."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from search import (
    BuildError,
    CorpusError,
    Engine,
    IndexMissingError,
    QueryError,
    UnknownArticleError,
)

BACK_PAIN = "postpartum/back-pain-treatment"


def test_build_indexes_every_sample_page(engine: Engine, corpus_dir: Path) -> None:
    pages = sorted(corpus_dir.rglob("*.html"))
    stats = engine.stats()
    assert stats.articles == len(pages)
    assert stats.skipped == []
    assert {"postpartum", "pregnancy", "gynecology", "menstruation", "nutrition"} <= set(stats.categories)
    assert set(stats.languages) == {"en", "zh"}


def test_postpartum_back_pain_ranks_the_back_pain_article_first(engine: Engine) -> None:
    results = engine.search("postpartum back pain")
    assert results.hits[0].id == BACK_PAIN
    assert results.total >= 10
    top = results.hits[0]
    assert top.title == "How to Treat Back Pain After Childbirth"
    assert top.url == "https://www.bloomcare-health.example/postpartum/back-pain-treatment.html"
    marked = {top.snippet.text[s:e].lower() for s, e in top.snippet.highlights}
    assert {"postpartum", "back", "pain"} <= marked


def test_search_paging_is_consistent(engine: Engine) -> None:
    everything = engine.search("pregnancy", limit=20)
    first = engine.search("pregnancy", limit=5, page=1)
    second = engine.search("pregnancy", limit=5, page=2)
    assert [h.id for h in first.hits + second.hits] == [h.id for h in everything.hits[:10]]
    assert first.total == second.total == everything.total


def test_exact_duplicates_are_collapsed_in_search(engine: Engine) -> None:
    ids = [h.id for h in engine.search("newborn sleep", limit=50).hits]
    twins = {"postpartum/newborn-sleep-tips", "postpartum/newborn-sleep-tips-old"}
    assert len(twins & set(ids)) == 1


def test_related_returns_other_articles_never_itself(engine: Engine) -> None:
    related = engine.related(BACK_PAIN, limit=10)
    ids = [r.id for r in related.related]
    assert len(ids) >= 5
    assert BACK_PAIN not in ids
    assert len(set(ids)) == len(ids)
    for item in related.related:
        assert item.blurb.endswith("...")
        assert len(item.blurb) <= 53


def test_related_never_returns_a_duplicate_of_the_article(engine: Engine) -> None:
    ids = [r.id for r in engine.related("postpartum/newborn-sleep-tips", limit=20).related]
    assert "postpartum/newborn-sleep-tips-old" not in ids
    assert "postpartum/newborn-sleep-tips" not in ids


def test_get_returns_the_stored_article(engine: Engine) -> None:
    article = engine.get(BACK_PAIN)
    assert article.title == "How to Treat Back Pain After Childbirth"
    assert article.date == "2019-03-02"
    assert article.category == "Postpartum"
    assert article.text.startswith("Postpartum back pain is one of the most common complaints")
    assert "low stool" in article.text
    assert article.links.prev and article.links.prev.endswith("/postpartum/postpartum-diet-nutrition.html")
    assert len(article.links.recommended) >= 10


def test_unknown_ids_raise(engine: Engine) -> None:
    with pytest.raises(UnknownArticleError, match="no/such-article"):
        engine.get("no/such-article")
    with pytest.raises(UnknownArticleError):
        engine.related("no/such-article")


@pytest.mark.parametrize("query", ["", "   ", "the of and", "\x00\x01"])
def test_queries_without_searchable_words_raise_query_error(engine: Engine, query: str) -> None:
    with pytest.raises(QueryError):
        engine.search(query)


def test_missing_index_raises(tmp_path: Path) -> None:
    with pytest.raises(IndexMissingError, match="no index"):
        Engine(tmp_path / "nothing").search("anything")


def test_missing_and_empty_corpus_raise(tmp_path: Path) -> None:
    engine = Engine(tmp_path / "index")
    with pytest.raises(CorpusError, match="no such folder"):
        engine.build(tmp_path / "missing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(CorpusError, match=r"no \.html"):
        engine.build(tmp_path / "empty")
    assert not engine.exists()


def test_bad_pages_are_skipped_with_their_reason(tmp_path: Path, write_page) -> None:
    from tests.conftest import page_html

    good = write_page("a/good.html", page_html("Good Article"))
    write_page("a/binary.html", bytes(range(256)) * 40)
    write_page("a/empty.html", b"")
    write_page("a/nothing.html", "<html><body><div class='nav'><a href='/'>Home</a></div></body></html>")
    engine = Engine(tmp_path / "index")
    report = engine.build(good.parent.parent, workers=1)
    assert report.indexed == 1
    reasons = {Path(s.path).name: s.reason for s in report.skipped}
    assert set(reasons) == {"binary.html", "empty.html", "nothing.html"}
    assert "binary" in reasons["binary.html"]
    assert "empty" in reasons["empty.html"]
    assert "no article text" in reasons["nothing.html"]
    assert engine.stats().skipped and len(engine.stats().skipped) == 3


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read files without read permission")
def test_unreadable_page_is_skipped(tmp_path: Path, write_page) -> None:
    from tests.conftest import page_html

    write_page("good.html", page_html("Good Article"))
    locked = write_page("locked.html", page_html("Locked Article"))
    locked.chmod(0)
    report = Engine(tmp_path / "index").build(locked.parent, workers=1)
    assert [Path(s.path).name for s in report.skipped] == ["locked.html"]


def test_broken_symlink_and_gzip_pages(tmp_path: Path, write_page) -> None:
    import gzip

    from tests.conftest import page_html

    good = write_page("good.html", page_html("Good Article"))
    (good.parent / "zipped.html.gz").write_bytes(
        gzip.compress(page_html("Zipped Article", ("Zipped pages are indexed like any other page here.",) * 2).encode())
    )
    (good.parent / "dangling.html").symlink_to(tmp_path / "missing.html")
    report = Engine(tmp_path / "index").build(good.parent, workers=1)
    assert report.indexed == 2
    assert [(Path(s.path).name, s.reason) for s in report.skipped] == [("dangling.html", "broken symlink")]
    assert Engine(tmp_path / "index").get("zipped").title == "Zipped Article"


def test_failed_build_keeps_the_previous_index(tmp_path: Path, write_page) -> None:
    from tests.conftest import page_html

    write_page("one.html", page_html("Calcium After Birth"))
    corpus = tmp_path / "pages"
    engine = Engine(tmp_path / "index")
    engine.build(corpus, workers=1)
    before = [h.id for h in engine.search("calcium").hits]
    (corpus / "one.html").write_bytes(b"\x00\x01binary")
    with pytest.raises(BuildError, match="no page"):
        engine.build(corpus, workers=1)
    assert [h.id for h in Engine(tmp_path / "index").search("calcium").hits] == before == ["one"]
    write_page("two.html", page_html("Sleep After Birth", ("Sleep whenever the baby sleeps in the first weeks.",) * 2))
    with pytest.raises(BuildError, match="strict"):
        engine.build(corpus, workers=1, strict=True)
    assert [h.id for h in engine.search("calcium").hits] == ["one"]
    gens = [p.name for p in (tmp_path / "index").iterdir() if p.name.startswith("gen-")]
    assert len(gens) == 1


def test_rebuild_is_noticed_by_a_long_lived_engine(tmp_path: Path, write_page) -> None:
    from tests.conftest import page_html

    write_page("one.html", page_html("Calcium After Birth"))
    corpus = tmp_path / "pages"
    reader = Engine(tmp_path / "index")
    Engine(tmp_path / "index").build(corpus, workers=1)
    assert reader.search("calcium").total == 1
    write_page("two.html", page_html("More Calcium Advice", ("Calcium keeps bones strong while breastfeeding.",) * 2))
    Engine(tmp_path / "index").build(corpus, workers=1)
    assert reader.search("calcium").total == 2


def test_parallel_build_matches_serial_build(tmp_path: Path, corpus_dir: Path, engine: Engine) -> None:
    parallel = Engine(tmp_path / "index")
    parallel.build(corpus_dir, workers=2)
    for query in ("postpartum back pain", "iron rich foods", "产后"):
        assert [(h.id, round(h.score, 6)) for h in parallel.search(query).hits] == [
            (h.id, round(h.score, 6)) for h in engine.search(query).hits
        ]
