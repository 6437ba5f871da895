"""Engine.search: features, filters, facets, sorting, suggestions, batch CLI, and exhaustive top-N."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from click.testing import CliRunner
from whoosh.filedb.filestore import RamStorage

from indexer.schema import build_schema
from search import Engine, QueryError
from search import query as uq
from search.batch import read_batch
from search.cli import cli
from search.collect import ExactTopCollector
from search.ranking import weighting
from search.suggest import edit_distance


def test_phrase_matches_only_adjacent_words(engine: Engine) -> None:
    loose = {h.id for h in engine.search("back pain", limit=100).hits}
    phrase = engine.search('"back pain"', limit=100)
    assert phrase.total and {h.id for h in phrase.hits} < loose
    for hit in phrase.hits:
        assert "back pain" in engine.get(hit.id).text.lower() or "back pain" in hit.title.lower()


def test_and_not_title_and_category(engine: Engine) -> None:
    both = {h.id for h in engine.search("calcium AND vitamin", limit=100).hits}
    assert both and both <= {h.id for h in engine.search("calcium", limit=100).hits}
    without = {h.id for h in engine.search("pain -back", limit=100).hits}
    assert without and without < {h.id for h in engine.search("pain", limit=100).hits}
    titled = engine.search("title:pain", limit=100).hits
    assert titled and all("pain" in h.title.lower() for h in titled)
    cat = engine.search("pain category:pregnancy", limit=100).hits
    assert cat and all(h.id.startswith("pregnancy/") for h in cat)


def test_minus_word_excludes_every_article_with_it(engine: Engine) -> None:
    backs = {h.id for h in engine.search("back", limit=100).hits}
    without = {h.id for h in engine.search("pain -back", limit=100).hits}
    assert not without & backs


def test_prefix_and_fuzzy_find_words(engine: Engine) -> None:
    assert engine.search("pregnan*").total > 5
    assert engine.search("calciu~").total > 0


@pytest.mark.parametrize("text", ['"unbalanced', "*", "a* b* c*", "x AND (", "pain\x00\x1b[31m"])
def test_hostile_queries_give_results_or_query_error(engine: Engine, text: str) -> None:
    try:
        results = engine.search(text)
    except QueryError:
        return
    assert results.total >= 0


def test_ten_thousand_character_query_is_a_query_error(engine: Engine) -> None:
    with pytest.raises(QueryError):
        engine.search("pain " * 2000)


def test_filters_facets_and_date_sort(engine: Engine) -> None:
    everything = engine.search("pain", limit=100)
    facets = everything.facets["category"]
    assert sum(facets.values()) == everything.total
    one = engine.search("pain", limit=100, category="pregnancy")
    assert one.total == facets["pregnancy"] and one.facets["category"] == {"pregnancy": facets["pregnancy"]}
    dated = engine.search("pain", limit=100, after="2022-01-01", before="2022-12-31")
    assert dated.total and all("2022-01-01" <= (h.date or "") <= "2022-12-31" for h in dated.hits)
    newest = engine.search("pain", limit=100, sort="date").hits
    dates = [h.date or "" for h in newest]
    assert dates == sorted(dates, reverse=True)
    assert engine.search("pain", lang="zh").total == 0 or all(h.lang == "zh" for h in engine.search("pain", lang="zh").hits)


def test_date_sort_scores_and_pages_like_relevance(engine: Engine) -> None:
    """Sorting by date shows the relevance scores, equal dates ranked by score; pages continue."""
    relevance = {h.id: h.score for h in engine.search("back pain", limit=1000).hits}
    newest = engine.search("back pain", limit=1000, sort="date")
    assert newest.total == len(relevance) and {h.id: h.score for h in newest.hits} == relevance
    keys = [(h.date or "", h.score) for h in newest.hits]
    assert keys == sorted(keys, reverse=True)
    second = engine.search("back pain", limit=5, page=2, sort="date").hits
    assert [h.id for h in second] == [h.id for h in newest.hits[5:10]]


@pytest.mark.parametrize("kwargs", [{"after": "2022-13-01"}, {"before": "yesterday"}, {"sort": "random"}])
def test_bad_filters_raise_query_error(engine: Engine, kwargs: dict[str, str]) -> None:
    with pytest.raises(QueryError):
        engine.search("pain", **kwargs)


def test_paging_continues_the_ranking(engine: Engine) -> None:
    first = engine.search("pain", limit=20).hits
    second = engine.search("pain", limit=10, page=2).hits
    assert [h.id for h in second] == [h.id for h in first[10:20]]


def test_suggestion_is_a_real_word_and_corrects_empty_queries(engine: Engine) -> None:
    results = engine.search("vitamn")
    assert results.suggestion == "vitamin" and results.corrected and results.total > 0
    assert results.query == "vitamn"
    partial = engine.search("pregnacy back pian")
    assert partial.suggestion == "pregnancy back pain" and not partial.corrected
    assert engine.search("back pain").suggestion is None
    data = results.to_dict()
    assert data["corrected"] is True and {"query", "total", "page", "took_ms", "results", "suggestion"} <= set(data)


def test_edit_distance() -> None:
    assert edit_distance("pian", "pain") == 1
    assert edit_distance("kitten", "sitting") == 3


def test_read_batch_ids_and_numbers() -> None:
    assert list(read_batch(["q7\tback pain\n", "\n", "vitamin d\n"])) == [("q7", "back pain"), ("2", "vitamin d")]


def test_cli_batch_json_and_trec(engine: Engine, tmp_path: Path) -> None:
    batch = tmp_path / "queries.txt"
    batch.write_text("q1\tback pain\nvitamin d\n\t\n", encoding="utf-8")
    runner = CliRunner()
    out = runner.invoke(cli, ["search", "--index", str(engine.index_dir), "--batch", str(batch), "--limit", "3"])
    assert out.exit_code == 0, out.output
    lines = [json.loads(line) for line in out.output.splitlines()]
    assert [d["id"] for d in lines[:2]] == ["q1", "2"] and len(lines[0]["results"]) == 3
    trec = runner.invoke(
        cli, ["search", "--index", str(engine.index_dir), "--batch", str(batch), "--format", "trec"]
    )
    assert trec.exit_code == 0
    rows = [line.split() for line in trec.stdout.splitlines()]
    assert rows and all(len(r) == 6 and r[1] == "Q0" and r[5] == "artsearch" for r in rows)
    assert [int(r[3]) for r in rows if r[0] == "q1"] == list(range(1, 11))


def test_cli_html_escapes_and_marks(engine: Engine) -> None:
    out = CliRunner().invoke(cli, ["search", "--index", str(engine.index_dir), "--html", "--json", "back pain <b>"])
    assert out.exit_code == 0
    hit = json.loads(out.output)["results"][0]
    assert "<mark>" in hit["snippet_html"] and "<b>" not in hit["snippet_html"]
    assert "<" not in hit["snippet_html"].replace("<mark>", "").replace("</mark>", "")


def test_cli_needs_query_or_batch(engine: Engine) -> None:
    assert CliRunner().invoke(cli, ["search", "--index", str(engine.index_dir)]).exit_code != 0


def test_top_n_equals_exhaustive_scoring() -> None:
    """The engine's collector (no block-quality skipping) returns exactly the best-scoring documents."""
    rng = random.Random(5)
    vocab = ["alpha", "beta", "gamma", "delta"] + [f"filler{i}" for i in range(12)]
    ix = RamStorage().create_index(build_schema())
    with ix.writer() as writer:
        for i in range(600):
            words = [rng.choice(vocab) for _ in range(rng.choice([3, 8, 30, 150]))]
            title = " ".join(rng.choice(vocab[:4]) for _ in range(rng.randint(0, 2)))
            writer.add_document(id=f"d{i}", title=title, text=" ".join(words), content_hash=f"h{i}")
    parser = uq.make_parser(ix.schema)
    with ix.searcher(weighting=weighting()) as searcher:
        for text in ("alpha AND (beta OR gamma)", "title:alpha AND (delta OR beta)", "alpha beta gamma"):
            query = uq.parse_query(text, parser)
            exhaustive = sorted((-h.score, h.docnum) for h in searcher.search(query, limit=None))[:10]
            top = ExactTopCollector(10)
            searcher.search_with_collector(query, top)
            got = [(-h.score, h.docnum) for h in top.results()]
            assert [round(s, 9) for s, _ in got] == [round(s, 9) for s, _ in exhaustive], text
            assert len(got) == 10


def test_engine_top_n_equals_full_ranking(engine: Engine) -> None:
    """An AND of a word with an OR group: plain ``TopCollector(5, usequality=False)`` loses the best hit."""
    for text in ("pain AND (back OR pelvic)", "sleep baby", "title:pregnancy AND (diet OR exercise)"):
        full = engine.search(text, limit=1000).hits
        top = engine.search(text, limit=5).hits
        assert [h.id for h in top] == [h.id for h in full[:5]], text


@pytest.mark.parametrize("query", ["newborn sleep", "pain", "产后", "iron OR calcium"])
def test_facet_counts_equal_filtered_totals(engine: Engine, query: str) -> None:
    results = engine.search(query)
    facets = results.facets["category"]
    assert sum(facets.values()) == results.total
    for category, count in facets.items():
        assert engine.search(query, category=category).total == count
