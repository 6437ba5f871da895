"""The numpy search path gives exactly the results of the Whoosh path: ids, order, scores, counts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from bench.render import read_documents, render_corpus
from search import Engine, fastpath
from search import scorer as scorer_module
from search.postings import IndexArrays
from search.query import parse_query, query_terms
from search.scorer import Leaf, Scorer, plan

QUERIES = (
    "calcium",
    "back pain",
    "pregnancy sleep",
    "pain pain back",
    "breastfeeding positions baby",
    "vitamin D iron",
    "title:pain",
    "meta:health exercise",
    "pain AND back",
    "pain -back",
    "sleep NOT baby",
    "exercise after birth",
    "doctor",
    "产后",
    "nosuchwordatall",
)
OPTIONS: tuple[dict[str, Any], ...] = (
    {},
    {"limit": 3, "page": 2},
    {"limit": 1000},
    {"category": "postpartum"},
    {"lang": "en", "limit": 5},
    {"after": "2020-01-01", "limit": 50},
    {"before": "2019-06", "category": "nutrition"},
    {"sort": "date", "limit": 20},
    {"sort": "date", "category": "postpartum", "limit": 3, "page": 2},
)


def same_results(
    index: Path, queries: list[str] | tuple[str, ...], options: tuple[dict[str, Any], ...]
) -> int:
    """Compare both paths on every query and option set; returns how many took the fast path."""
    fast, whoosh = Engine(index), Engine(index)
    whoosh.fast = False
    fast_plans = 0
    for q in queries:
        for kw in options:
            a = fast.search(q, correct=False, **kw)
            b = whoosh.search(q, correct=False, **kw)
            assert [h.id for h in a.hits] == [h.id for h in b.hits], (q, kw)
            assert [h.score for h in a.hits] == pytest.approx([h.score for h in b.hits], abs=1e-9, rel=1e-12)
            assert [h.snippet for h in a.hits] == [h.snippet for h in b.hits]
            assert (a.total, a.facets) == (b.total, b.facets), (q, kw)
        fast_plans += plan(parse_query(q, fast._parser)) is not None
    fast.close()
    whoosh.close()
    return fast_plans


def test_fast_path_equals_whoosh_path(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    answered = []

    def counting_run(*args: Any, **kwargs: Any) -> Any:
        found = fastpath.run(*args, **kwargs)
        answered.append(found)
        return found

    monkeypatch.setattr("search.engine.run_fast", counting_run)
    planned = same_results(engine.index_dir, QUERIES, OPTIONS)
    assert planned >= 11  # bare words, field words, AND and NOT have a numpy plan ...
    assert len(answered) >= 11 * len(OPTIONS)  # ... and the numpy path answered them


def test_phrases_keep_the_whoosh_path_prefixes_expand(engine: Engine) -> None:
    engine._open()
    assert plan(parse_query('"back pain"', engine._parser)) is None
    assert plan(parse_query("calcium category:nutrition", engine._parser)) is None
    queries = ('"back pain"', "preg*", "calcium preg*", "pian~", "calcium category:nutrition")
    same_results(engine.index_dir, queries, ({}, {"limit": 2, "page": 2}))


def test_dense_and_sparse_word_scores_are_the_same_floats(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    """A common word's scores kept for every document add up to exactly the sparse ones."""
    searcher = engine._open()
    leaf_sets = [
        [Leaf(f, w, 1.0 + i) for i, f in enumerate(("title", "text", "meta"))]
        for w in ("pain", "back", "calcium", "babi", "health", "exercis")
    ]
    queries = [leaf_sets[:1], leaf_sets[:2], leaf_sets[1:4], leaf_sets]
    results = {}
    for share in (0, 10**9):  # never dense, always dense
        monkeypatch.setattr(scorer_module, "DENSE_WORD_SHARE", share)
        scorer = Scorer(IndexArrays(searcher), searcher)
        dense = [scorer.word_scores(leaves).docs is None for leaves in leaf_sets]
        assert all(dense) if share else not any(dense)
        results[share] = [scorer.leaves_scores([leaf for leaves in q for leaf in leaves]) for q in queries]
    for sparse, dense_scored in zip(results[0], results[10**9], strict=True):
        assert sparse.matched.any() and (sparse.matched == dense_scored.matched).all()
        assert sparse.scores.tobytes() == dense_scored.scores.tobytes()


def test_category_counts_by_bitsets_equal_counts_by_codes(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    """Facets counted by bitset intersections equal those counted by codes, for masks of any size."""
    searcher = engine._open()
    rng = np.random.default_rng(5)
    n = searcher.doc_count_all()
    masks = [rng.random(n) < share for share in (0.0, 0.01, 0.1, 0.5, 0.9, 1.0)]
    counted = {}
    for advantage in (10**9, 0):  # bitsets whenever possible, never
        monkeypatch.setattr(fastpath, "BITSET_ADVANTAGE", advantage)
        arrays = IndexArrays(searcher)
        counted[advantage] = [fastpath.category_counts(arrays, m, np.flatnonzero(m)) for m in masks]
        assert (arrays._bits.get("category") is not None) == bool(advantage)
    assert counted[0] == counted[10**9]
    assert sum(counted[0][-1].values()) == n and len(counted[0][-1]) >= 5 and counted[0][0] == {}
    monkeypatch.setattr("search.postings.MAX_BITSET_VALUES", 2)  # too many categories for bitsets
    assert IndexArrays(searcher).value_bits("category") is None


def test_highlighted_terms_from_the_read_postings_equal_whoosh_look_ups(engine: Engine) -> None:
    searcher = engine._open()
    arrays = engine._scorer_of(searcher).arrays
    asked: list[tuple[str, str]] = []

    def known(field: str, text: str) -> int | None:
        asked.append((field, text))
        return arrays.cached_frequency(field, text)

    for q in QUERIES:
        engine.search(q)  # reads the postings of its words
        parsed = parse_query(q, engine._parser)
        assert query_terms(parsed, searcher.reader(), known) == query_terms(parsed, searcher.reader()), q
    assert sum(arrays.cached_frequency(f, t) is not None for f, t in asked) >= 15


def params_equal_the_weighting_models(searcher: Any) -> int:
    """The scorer's idf and average length of every 3rd term equal those of Whoosh's scorer."""
    scorer, checked = Scorer(IndexArrays(searcher), searcher), 0
    for field in ("title", "text", "meta"):
        for term in list(searcher.reader().lexicon(field))[::3]:
            text = term.decode("utf-8")
            expected = searcher.weighting.scorer(searcher, field, text)
            got = scorer.params(field, text)
            assert got is not None and (got.idf, got.avgfl) == (expected.idf, expected.avgfl), (field, text)
            checked += 1
    return checked


def test_term_statistics_equal_the_weighting_models(engine: Engine) -> None:
    assert params_equal_the_weighting_models(engine._open()) > 1000


def test_fast_path_after_an_update_with_deletions(tmp_path: Path, corpus_copy: Path) -> None:
    index = tmp_path / "index"
    Engine(index).build(corpus_copy, workers=1)
    source = (corpus_copy / "postpartum" / "back-pain-treatment.html").read_bytes()
    (corpus_copy / "postpartum" / "new-article.html").write_bytes(source.replace(b"back", b"neck"))
    for page in sorted((corpus_copy / "nutrition").glob("*.html"))[:3]:
        page.write_bytes(page.read_bytes().replace(b"<p>", b"<p>Calcium and back pain. ", 1))
    sorted((corpus_copy / "gynecology").glob("*.html"))[0].unlink()
    updated = Engine(index)
    report = updated.update(corpus_copy, workers=1, exact=False)  # keeps the deleted documents
    assert report.deleted == 1 and report.changed == 3
    searcher = updated._open()
    reader = searcher.reader()
    assert reader.has_deletions() and len(reader.leaf_readers()) > 1  # several segments, deletions
    arrays = IndexArrays(searcher)
    for field, term in [("text", "calcium"), ("title", "pain"), ("meta", "health"), ("text", "back")]:
        posting = arrays.postings(field, term)
        expected = list(reader.postings(field, term).items_as("weight"))  # live documents only
        assert list(zip(posting.docs.tolist(), posting.tf.tolist(), strict=True)) == expected
    for field in ("title", "text", "meta"):
        lengths = [reader.doc_field_length(d, field, 0) or 0 for d in range(reader.doc_count_all())]
        assert arrays.lengths(field).tolist() == lengths
    assert params_equal_the_weighting_models(searcher) > 1000
    same_results(index, QUERIES, OPTIONS[:4])


def test_fast_path_on_an_ir_collection(shared_dir: Path, tmp_path: Path) -> None:
    collection = shared_dir / "data" / "ir" / "cranfield"
    docs = list(read_documents(collection / "docs.jsonl"))[:400]
    render_corpus(docs, tmp_path / "corpus")
    Engine(tmp_path / "index").build(tmp_path / "corpus", workers=1)
    lines = (collection / "queries.jsonl").read_text(encoding="utf-8").splitlines()[:60]
    queries = [json.loads(line)["text"] for line in lines]
    used = same_results(tmp_path / "index", queries, ({"limit": 100}, {"limit": 5, "page": 3}))
    assert used == len(queries)


def test_an_unknown_weighting_falls_back_to_whoosh(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    expected = engine.search("back pain", limit=1000)
    monkeypatch.setattr("search.scorer.Scorer.params", lambda self, field, text: None)
    found = Engine(engine.index_dir).search("back pain", limit=1000)  # Whoosh's collectors score
    assert sorted(h.id for h in found.hits) == sorted(h.id for h in expected.hits)
    assert (found.total, found.facets) == (expected.total, expected.facets)
    assert [h.score for h in found.hits] != pytest.approx([h.score for h in expected.hits])
