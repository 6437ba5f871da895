"""The bulk writer (prepared documents → Whoosh segments) gives the index Whoosh's own writer gives."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from whoosh import index as whoosh_index
from whoosh.reading import IndexReader

from indexer.corpus import check_corpus, walk_corpus
from indexer.documents import article_fields
from indexer.pipeline import parse_page
from indexer.prepared import prepare_fields
from indexer.schema import build_schema
from indexer.segments import BulkWriter


@pytest.fixture(scope="module")
def corpus_fields(corpus_dir: Path) -> list[dict[str, Any]]:
    pages = walk_corpus(check_corpus(corpus_dir), [])
    articles = [r.article for r in map(parse_page, pages) if r.article is not None]
    fields = [article_fields(a) for a in articles]
    # Odd text: full-width forms, apostrophes, CJK runs of each script, an overlong word.
    odd = "Ｆｕｌｌ-width Ｗｏｒｄｓ don't it’s 產後腰痛 产后 日本語のテキスト 한국어 " + "x" * 80 + " 42"
    return [*fields, {**fields[0], "id": "odd", "title": odd, "text": odd * 3, "meta": ""}]


def _whoosh_index(path: Path, fields: list[dict[str, Any]]) -> Any:
    path.mkdir()
    ix = whoosh_index.create_in(str(path), build_schema())
    writer = ix.writer()
    for doc in fields:
        writer.add_document(**doc)
    writer.commit()
    return whoosh_index.open_dir(str(path))


def _bulk_index(path: Path, fields: list[dict[str, Any]], limit_mb: int = 256) -> tuple[Any, int]:
    path.mkdir()
    ix = whoosh_index.create_in(str(path), build_schema())
    writer = BulkWriter(ix, limit_mb=limit_mb)
    for doc in fields:
        writer.add(prepare_fields(doc))
    writer.commit()
    return whoosh_index.open_dir(str(path)), len(writer.segments)


def _postings(reader: IndexReader, fieldname: str, text: bytes) -> list[Any]:
    matcher = reader.postings(fieldname, text)
    out = []
    while matcher.is_active():
        positions = matcher.value_as("positions") if matcher.supports("positions") else None
        out.append((matcher.id(), matcher.weight(), positions))
        matcher.next()
    return out


def _assert_same(a: IndexReader, b: IndexReader) -> None:
    assert a.doc_count_all() == b.doc_count_all()
    assert list(a.iter_docs()) == list(b.iter_docs())
    schema = a.schema
    for name in schema.names():
        assert a.field_length(name) == b.field_length(name), name
        if schema[name].scorable:
            assert a.max_field_length(name) == b.max_field_length(name), name
            assert a.min_field_length(name) == b.min_field_length(name), name
            assert [a.doc_field_length(d, name) for d in range(a.doc_count_all())] == [
                b.doc_field_length(d, name) for d in range(b.doc_count_all())
            ]
        if schema[name].column_type:
            assert list(a.column_reader(name)) == list(b.column_reader(name)), name
    terms = list(a.all_terms())
    assert terms == list(b.all_terms())
    # Every term's statistics and postings would take long: a sample, with every non-ASCII term.
    for name, text in terms[::25] + [t for t in terms if not t[1].isascii()][::5]:
        ia, ib = a.term_info(name, text), b.term_info(name, text)
        assert (ia.weight(), ia.doc_frequency(), ia.min_length(), ia.max_length(), ia.max_weight()) == (
            ib.weight(), ib.doc_frequency(), ib.min_length(), ib.max_length(), ib.max_weight(),
        ), (name, text)  # fmt: skip
        assert _postings(a, name, text) == _postings(b, name, text), (name, text)


@pytest.fixture(scope="module")
def expected(tmp_path_factory: pytest.TempPathFactory, corpus_fields: list[dict[str, Any]]) -> Any:
    return _whoosh_index(tmp_path_factory.mktemp("segments") / "whoosh", corpus_fields)


def test_bulk_writer_index_equals_whoosh_writer_index(
    tmp_path: Path, corpus_fields: list[dict[str, Any]], expected: Any
) -> None:
    got, segments = _bulk_index(tmp_path / "bulk", corpus_fields)
    assert segments == 1
    with expected.reader() as a, got.reader() as b:
        _assert_same(a, b)
    assert not (tmp_path / "bulk" / "MAIN.tmp").exists()  # scratch space removed


def test_bulk_writer_splits_segments_without_changing_the_index(
    tmp_path: Path, corpus_fields: list[dict[str, Any]], expected: Any
) -> None:
    got, segments = _bulk_index(tmp_path / "bulk", corpus_fields, limit_mb=1)
    assert segments > 1
    with expected.reader() as a, got.reader() as b:
        _assert_same(a, b)
    with expected.searcher() as sa, got.searcher() as sb:
        assert sa.avg_field_length("text") == sb.avg_field_length("text")
        assert sa.idf("text", "pain") == sb.idf("text", "pain")


def test_posting_lists_of_many_blocks_equal_whoosh_writer(tmp_path: Path, corpus_fields: list[dict[str, Any]]) -> None:
    """Terms in hundreds of documents span several 128-posting blocks; every term is compared."""
    base = corpus_fields[0]
    words = ["pain", "sleep", "iron", "fever", "milk"]
    fields = [
        {
            **base,
            "id": f"doc{i}",
            "title": f"{words[i % 5]} note {i}",
            "text": " ".join(words[: 1 + i % 5] * (1 + i % 3)) + f" day {i % 17}",
            "meta": "" if i % 4 else "weekly",
            "links": " ".join(f"doc{j}" for j in range(i % 3)),
        }
        for i in range(700)
    ]
    expected = _whoosh_index(tmp_path / "whoosh", fields)
    got, _ = _bulk_index(tmp_path / "bulk", fields)
    with expected.reader() as a, got.reader() as b:
        _assert_same(a, b)
        for name, text in a.all_terms():
            assert _postings(a, name, text) == _postings(b, name, text), (name, text)
            ia, ib = a.term_info(name, text), b.term_info(name, text)
            assert (ia.weight(), ia.min_id(), ia.max_id()) == (ib.weight(), ib.min_id(), ib.max_id())
        assert a.doc_frequency("text", "pain") == 700


def test_bulk_writer_index_takes_whoosh_updates(tmp_path: Path, corpus_fields: list[dict[str, Any]]) -> None:
    ix, _ = _bulk_index(tmp_path / "bulk", corpus_fields[:10], limit_mb=1)
    writer = ix.writer()
    writer.delete_by_term("id", corpus_fields[0]["id"])
    writer.add_document(**corpus_fields[10])
    writer.commit()
    ix = whoosh_index.open_dir(str(tmp_path / "bulk"))
    assert ix.doc_count() == 10
    with ix.searcher() as searcher:
        assert searcher.document(id=corpus_fields[10]["id"]) is not None
        assert searcher.document(id=corpus_fields[0]["id"]) is None


def test_prepared_fields_equal_whoosh_field_index(corpus_fields: list[dict[str, Any]]) -> None:
    schema = build_schema()
    for doc in corpus_fields[-5:]:
        for name, postings, length, _, _ in prepare_fields(doc, schema):
            field = schema[name]
            if not field.indexed:
                assert not postings and not length
                continue
            expected = [(t, w * 1.0, v) for t, _, w, v in field.index(doc[name])]
            got = list(zip(*postings, strict=True)) if postings else []
            assert sorted(got) == sorted(expected), name
            assert length == (sum(f for _, f, _, _ in field.index(doc[name])) if field.scorable else 0)
