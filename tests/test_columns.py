"""``search/columns.py``: columns read in bulk equal Whoosh's column readers."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from whoosh import index as whoosh_index
from whoosh.columns import VarBytesColumn
from whoosh.fields import ID, Schema

from search import Engine
from search.collect import id_ranks
from search.columns import codes_of, column_values, ranks_of
from tests.test_update import mutate


def assert_columns_like_whoosh(engine: Engine) -> None:
    searcher = engine._open()
    reader = searcher.reader()
    arrays = engine._scorer_of(searcher).arrays
    for name in ("id", "category", "content_hash", "lang", "date"):
        texts = [v or "" for v in reader.column_reader(name)]
        assert [v.decode("utf-8") for v in column_values(reader, name)] == texts
        distinct = sorted({t for t in texts if t})
        codes, values = codes_of(column_values(reader, name))
        assert values == tuple(distinct)
        assert codes.tolist() == [distinct.index(t) if t else -1 for t in texts]
    assert ranks_of(column_values(reader, "id")).tolist() == id_ranks(searcher)
    assert np.array_equal(arrays.ranks, id_ranks(searcher))
    live = np.zeros(reader.doc_count_all(), dtype=bool)
    live[list(reader.all_doc_ids())] = True
    assert np.array_equal(arrays.live, live)


def test_columns_of_a_build(engine: Engine) -> None:
    assert_columns_like_whoosh(engine)


def test_columns_after_an_update(engine: Engine, corpus_copy: Path, tmp_path: Path) -> None:
    index = tmp_path / "index"
    shutil.copytree(engine.index_dir, index)
    updated = Engine(index)
    mutate(corpus_copy)
    updated.update(corpus_copy, workers=1)
    assert updated._open().reader().doc_count() < updated._open().reader().doc_count_all()  # deletions
    assert_columns_like_whoosh(updated)


def test_codes_and_ranks_of_unicode_and_empty_values() -> None:
    values = ["b", "", "数据", "a", "é", "b", "", "ab"]
    raw = [v.encode("utf-8") for v in values]
    codes, distinct = codes_of(raw)
    assert distinct == tuple(sorted(set(values) - {""}))
    assert [distinct[c] if c >= 0 else "" for c in codes.tolist()] == values
    order = sorted(range(len(values)), key=values.__getitem__)
    assert ranks_of(raw).tolist() == [order.index(i) for i in range(len(values))]
    empty_codes, empty_values = codes_of([])
    assert empty_codes.tolist() == [] and empty_values == () and ranks_of([]).tolist() == []


@pytest.mark.parametrize("cutoff", [2, 2**15])
def test_column_values_with_and_without_stored_offsets(tmp_path: Path, cutoff: int) -> None:
    """Whoosh writes an offsets array after ``cutoff`` documents; long values widen the lengths."""
    schema = Schema(key=ID(stored=True, sortable=VarBytesColumn(write_offsets_cutoff=cutoff)))
    ix = whoosh_index.create_in(str(tmp_path), schema)
    values = ["a", "", "数据" * 100, "b" * 70000, "z", ""]
    with ix.writer() as writer:
        for value in values:
            writer.add_document(**({"key": value} if value else {}))
    with ix.reader() as reader:
        assert [v.decode("utf-8") for v in column_values(reader, "key")] == values
        assert [v or "" for v in reader.column_reader("key")] == values
    ix.close()
