"""Live-document statistics: an index with deleted documents reports what a rebuilt one reports."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from whoosh import index as whoosh_index
from whoosh import query as wq
from whoosh.util.numeric import length_to_byte

from indexer.article import Article
from indexer.deletions import RECORD, deleted_lengths, document_lengths, scorable_fields
from indexer.documents import article_fields
from indexer.merge import MAX_SEGMENTS, choose_merges, merge_live
from indexer.schema import build_schema
from search import Engine
from search.collect import ExactTopCollector, id_ranks
from search.livestats import LiveStats, live_stats
from search.postings import IndexArrays
from search.ranking import weighting

WORDS = [f"w{k}" for k in range(1, 40)]


def article(i: int, version: int = 0) -> Article:
    """A small English article; word ``w{k}`` occurs in every k-th article (postings of several
    blocks for small k), lengths vary with ``i``."""
    rng = random.Random(i * 1000 + version)
    words = [w for k, w in enumerate(WORDS, 1) if i % k == 0] + ["common"] * (1 + i % 5)
    words += rng.choices(WORDS, k=rng.randint(0, 30))
    words.append("only" + "".join(chr(97 + int(c)) for c in f"{i:04d}{version}"))  # in this version only
    return Article(
        id=f"doc-{i:04d}",
        title=f"title {WORDS[i % 7]} {'extra ' * (i % 3)}",
        paragraphs=(" ".join(words), f"paragraph {version} {WORDS[i % 11]}"),
        description=f"about {WORDS[i % 5]}" if i % 4 else None,
        keywords=(WORDS[i % 13],) if i % 2 else (),
        category="cat" + str(i % 3),
    )


def write(path: Path, articles: list[Article]) -> None:
    ix = whoosh_index.create_in(str(path), build_schema())
    writer = ix.writer()
    for a in articles:
        writer.add_document(**article_fields(a))
    writer.commit()
    ix.close()


def update(path: Path, remove: list[str], add: list[Article], *, record: bool = True) -> None:
    """Delete by id and add, as ``artsearch update`` does (``record=False``: a plain Whoosh commit)."""
    ix = whoosh_index.open_dir(str(path))
    writer = ix.writer()
    for article_id in remove:
        writer.delete_by_term("id", article_id)
    for a in add:
        writer.delete_by_term("id", a.id)
        writer.add_document(**article_fields(a))
    if record:
        writer.commit(mergetype=merge_live)
    else:
        writer.commit(merge=False)
    ix.close()


@pytest.fixture(scope="module")
def indexes(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """(updated with records, updated by plain Whoosh, rebuilt) indexes of the same live articles."""
    root = tmp_path_factory.mktemp("livestats")
    n = 600
    rng = random.Random(7)
    # a quarter (below the rewrite threshold), with the first document (in every posting list)
    removed = sorted({0, *rng.sample(range(n), 149)})
    changed = sorted(rng.sample(sorted(set(range(n)) - set(removed)), 30))
    added = list(range(n, n + 20))
    final = {i: article(i) for i in range(n) if i not in removed}
    final.update({i: article(i, version=1) for i in changed})
    final.update({i: article(i) for i in added})
    paths = root / "recorded", root / "plain", root / "rebuilt"
    for path in paths:
        path.mkdir()
    for path, record in ((paths[0], True), (paths[1], False)):
        write(path, [article(i) for i in range(n)])
        news = [article(i, version=1) for i in changed] + [article(i) for i in added]
        update(path, [f"doc-{i:04d}" for i in removed], news, record=record)
    write(paths[2], [final[i] for i in sorted(final)])
    return paths


def every_term(reader: object) -> list[tuple[str, bytes]]:
    return [(f, t) for f, t in reader.all_terms() if f in ("title", "text", "meta", "category")]  # type: ignore[attr-defined]


@pytest.mark.parametrize("which", [0, 1])
def test_live_statistics_equal_a_rebuild(indexes: tuple[Path, Path, Path], which: int) -> None:
    updated = whoosh_index.open_dir(str(indexes[which]))
    rebuilt = whoosh_index.open_dir(str(indexes[2]))
    with updated.searcher() as searcher, rebuilt.searcher() as fresh:
        stats = LiveStats(searcher)
        assert stats.has_deletions and not LiveStats(fresh).has_deletions
        recorded = [frequencies for _, _, frequencies in stats._dead]
        assert recorded != [None] if which == 0 else recorded == [None]  # look-up, or postings counted
        assert stats.doc_count == fresh.doc_count_all() < searcher.doc_count_all()
        for field in scorable_fields(searcher.schema):
            assert stats.field_length(field) == fresh.field_length(field)
            assert stats.avg_field_length(field) == fresh.avg_field_length(field)
        # the statistics did shift: Whoosh's own ones (deleted documents counted) differ
        assert searcher.avg_field_length("text") != fresh.avg_field_length("text")
        terms = every_term(searcher.reader())
        shifted = 0
        for field, text in terms:
            assert stats.doc_frequency(field, text) == fresh.doc_frequency(field, text), (field, text)
            shifted += searcher.doc_frequency(field, text) != fresh.doc_frequency(field, text)
        assert shifted > len(terms) // 4
        assert max(searcher.doc_frequency("text", t) for f, t in terms if f == "text") > 300  # many blocks


def test_cached_frequencies_are_the_live_ones(indexes: tuple[Path, Path, Path]) -> None:
    """The posting arrays' lengths, which spelling suggestions use once the search has read them,
    are the live document frequencies: none before a read, the rebuilt index's count after."""
    updated = whoosh_index.open_dir(str(indexes[0]))
    rebuilt = whoosh_index.open_dir(str(indexes[2]))
    with updated.searcher() as searcher, rebuilt.searcher() as fresh:
        arrays = IndexArrays(searcher)
        terms = [(f, searcher.schema[f].from_bytes(t)) for f, t in every_term(searcher.reader())]
        assert all(arrays.cached_frequency(f, t) is None for f, t in terms)
        shifted = 0
        for field, text in terms:
            arrays.postings(field, text)
            assert arrays.cached_frequency(field, text) == fresh.doc_frequency(field, text), (field, text)
            shifted += searcher.doc_frequency(field, text) != fresh.doc_frequency(field, text)
        assert shifted > len(terms) // 4


def test_recorded_lengths_are_exact(indexes: tuple[Path, Path, Path]) -> None:
    ix = whoosh_index.open_dir(str(indexes[0]))
    with ix.reader() as reader:
        leaves = [leaf for leaf, _ in reader.leaf_readers() if leaf.has_deletions()]
        assert len(leaves) == 1
        record = getattr(leaves[0].segment(), RECORD)
        assert record["docs"] == set(leaves[0].segment().deleted_docs())
        assert len(record["docs"]) == len(set(record["docs"])) >= 150 + 30 - 1
        measured = {f: 0 for f in scorable_fields(reader.schema)}
        for docnum in record["docs"]:
            for field, length in document_lengths(reader.schema, leaves[0].stored_fields(docnum)).items():
                measured[field] += length
        assert record["lengths"] == measured
        plain = whoosh_index.open_dir(str(indexes[1]))
        with plain.reader() as other:
            unrecorded = next(leaf for leaf, _ in other.leaf_readers() if leaf.has_deletions())
            assert getattr(unrecorded.segment(), RECORD, None) is None
            assert deleted_lengths(unrecorded) == measured  # measured when read


def test_document_lengths_match_the_index(engine: Engine) -> None:
    """Re-analysing stored fields gives each article's exact lengths (their sum is Whoosh's total)."""
    reader = engine._open().reader()
    totals = dict.fromkeys(scorable_fields(reader.schema), 0)
    for docnum, stored in reader.iter_docs():
        for field, length in document_lengths(reader.schema, stored).items():
            totals[field] += length
            assert length_to_byte(length) == length_to_byte(reader.doc_field_length(docnum, field, 0))
    assert totals == {f: reader.field_length(f) for f in totals}
    assert not live_stats(engine._open()).has_deletions


@pytest.mark.parametrize("which", [0, 1])
def test_scores_equal_a_rebuild(indexes: tuple[Path, Path, Path], which: int) -> None:
    def ranked(path: Path, query: wq.Query) -> list[tuple[str, float]]:
        ix = whoosh_index.open_dir(str(path))
        with ix.searcher(weighting=weighting()) as searcher:
            collector = ExactTopCollector(1000, ranks=id_ranks(searcher))
            searcher.search_with_collector(query, collector)
            return [(hit["id"], hit.score) for hit in collector.results()]

    queries = [
        wq.Or([wq.Term("text", "common"), wq.Term("title", "w3"), wq.Term("text", "w2")]),
        wq.And([wq.Term("text", "w2"), wq.Term("text", "w5")]),
        wq.Or([wq.Term("meta", "w4"), wq.Term("text", "paragraph"), wq.Term("title", "extra")]),
    ]
    for query in queries:
        got, want = ranked(indexes[which], query), ranked(indexes[2], query)
        assert got, query
        assert [i for i, _ in got] == [i for i, _ in want]
        assert got == want, max(abs(a - b) for (_, a), (_, b) in zip(got, want, strict=True))


class _Seg:
    def __init__(self, live: int, deleted: int = 0) -> None:
        self.live, self.deleted = live, deleted

    def doc_count(self) -> int:
        return self.live

    def doc_count_all(self) -> int:
        return self.live + self.deleted

    def deleted_count(self) -> int:
        return self.deleted


def test_merge_policy_is_bounded() -> None:
    big = _Seg(20_000, 200)
    assert choose_merges(200, [big]) == []  # a 1 % update rewrites nothing
    small = _Seg(150)
    assert choose_merges(200, [big, small]) == [small]  # no larger than the new segment
    gone = _Seg(0, 50)
    assert choose_merges(0, [big, gone]) == [gone]  # fully deleted segments are dropped
    stale = _Seg(600, 400)
    assert choose_merges(10, [big, stale]) == [stale]  # mostly deleted: rewritten
    many = [_Seg(5000 - i) for i in range(MAX_SEGMENTS + 3)]
    assert len(many) - len(choose_merges(1, many)) == MAX_SEGMENTS - 1  # the new one makes MAX_SEGMENTS
    # daily 1 % updates: segments stay few and each article is rewritten a few times at most
    segments: list[_Seg] = [_Seg(20_000)]
    rewritten = 0
    for _ in range(200):
        merged = choose_merges(200, segments)
        rewritten += sum(s.live for s in merged)
        segments = [s for s in segments if s not in merged] + [_Seg(200 + sum(s.live for s in merged))]
        assert len(segments) <= 8
    assert rewritten < 200 * 200 * 8
