"""The numpy posting sidecar (``indexer/sidecar.py``): equal to Whoosh's postings, used and safe."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from whoosh import index as whoosh_index

from indexer import store
from indexer.sidecar import EXTENSION, Sidecar, decode_matcher, segment_lengths, sidecar_path
from search import Engine
from search.cli import cli
from tests.test_update import QUERIES, mutate

RELATED = 12  # articles whose related lists are compared


def sidecar_files(index: Path) -> list[Path]:
    return sorted(store.current_generation(index).glob(f"*{EXTENSION}"))


def assert_sidecars_equal_whoosh(index: Path) -> int:
    """Every segment has a sidecar, and for every term of its fields the sidecar's documents and
    weights, and every field length, equal what Whoosh decodes. Returns the number of segments."""
    gen = store.current_generation(index)
    ix = whoosh_index.open_dir(str(gen))
    try:
        with ix.reader() as reader:
            leaves = list(reader.leaf_readers())
            for leaf, _ in leaves:
                side = Sidecar(sidecar_path(gen, leaf.segment()), leaf.segment())
                assert side.crc_ok()
                for field in side.fields:
                    whoosh_terms = [t for f, t in leaf._terms.terms_from(field, b"") if f == field]
                    side_terms = [t for f, t, _ in side.terms() if f == field]
                    assert side_terms == whoosh_terms, field
                    assert whoosh_terms, field
                    for tbytes in whoosh_terms:
                        found = side.postings(field, tbytes)
                        assert found is not None
                        docs, weights = decode_matcher(
                            leaf._terms.matcher(field, tbytes, ix.schema[field].format)
                        )
                        assert np.array_equal(found[0], docs), (field, tbytes)
                        assert np.array_equal(found[1].astype(np.float32), weights), (field, tbytes)
                    lengths = side.lengths(field)
                    assert lengths is not None
                    assert np.array_equal(lengths, segment_lengths(leaf, field, leaf.doc_count_all()))
            return len(leaves)
    finally:
        ix.close()


def answers(engine: Engine) -> tuple[list[object], list[object]]:
    """Hits (id, score), totals and facets of the test queries, and related lists of some articles."""
    hits = []
    for q in (*QUERIES, "pregnancy AND sleep", "title:calcium", "pain -back"):
        found = engine.search(q, limit=1000)
        hits.append((q, [(h.id, h.score) for h in found.hits], found.total, found.facets, found.suggestion))
    ids = [h.id for h in engine.search("health", limit=RELATED).hits]
    related = [(i, [(r.id, r.score) for r in engine.related(i, limit=20).related]) for i in ids]
    return hits, related


def without_sidecars(index: Path, target: Path) -> Path:
    shutil.copytree(index, target)
    for path in sidecar_files(target):
        path.unlink()
    return target


@pytest.fixture(scope="module")
def built(engine: Engine) -> Path:
    """The session's index of the bundled corpus (read here; tests that change it work on copies)."""
    return engine.index_dir


def test_build_writes_sidecars_equal_to_whoosh(built: Path) -> None:
    assert assert_sidecars_equal_whoosh(built) == len(sidecar_files(built)) >= 1


def test_results_equal_with_and_without_sidecars(built: Path, tmp_path: Path) -> None:
    with_side = Engine(built)
    without = Engine(without_sidecars(built, tmp_path / "plain"))
    assert answers(with_side) == answers(without)
    # a field without sidecar arrays is read from Whoosh, and the sidecar stays in use
    arrays = with_side._scorer_of(with_side._open()).arrays
    plain = without._scorer_of(without._open()).arrays
    category = arrays.column("category").values[0]
    assert np.array_equal(
        arrays.postings("category", category).docs, plain.postings("category", category).docs
    )
    assert len(arrays.postings("category", category).docs)
    # the sidecar was read (and not the fallback), and the copy has none
    assert all(s is not None for s in arrays.sidecars)
    assert all(s is None for s in plain.sidecars)


def test_update_and_merge_write_sidecars(built: Path, corpus_copy: Path, tmp_path: Path) -> None:
    index = tmp_path / "index"
    shutil.copytree(built, index)
    engine = Engine(index)
    mutate(corpus_copy)  # added, changed, deleted and renamed pages: a new segment, deletions
    report = engine.update(corpus_copy, workers=1)
    assert report.added and report.changed and report.deleted
    assert assert_sidecars_equal_whoosh(index) == 2
    for page in (corpus_copy / "postpartum" / "new-article.html", *corpus_copy.glob("pregnancy/renamed-*")):
        page.write_bytes(page.read_bytes().replace(b"<p>", b"<p>Magnesium helps. ", 1))
    report = engine.update(corpus_copy, workers=1)
    assert report.rewritten  # the first update's segment, mostly deleted now, was merged into the new one
    assert assert_sidecars_equal_whoosh(index) == len(sidecar_files(index)) == 2  # merged one removed
    rebuilt = Engine(tmp_path / "rebuilt")
    rebuilt.build(corpus_copy, workers=1)
    hits, related = answers(engine)
    want_hits, _ = answers(rebuilt)
    assert [(q, [i for i, _ in h]) for q, h, *_ in hits] == [(q, [i for i, _ in h]) for q, h, *_ in want_hits]
    assert answers(Engine(without_sidecars(index, tmp_path / "plain"))) == (hits, related)
    assert engine.check(corpus_copy).ok


@pytest.mark.parametrize("damage", ["truncate", "flip_docs", "flip_lengths", "garbage"])
def test_damaged_sidecar_is_never_trusted(
    built: Path, tmp_path: Path, corpus_dir: Path, damage: str, caplog: pytest.LogCaptureFixture
) -> None:
    want = answers(Engine(built))
    index = tmp_path / "index"
    shutil.copytree(built, index)
    path = sidecar_files(index)[0]
    data = bytearray(path.read_bytes())
    side = Sidecar(path, _segment_of(index))
    base = side._base
    if damage == "truncate":
        del data[len(data) // 2 :]
    elif damage == "garbage":
        data[:16] = b"not a sidecar..."
    else:
        name = "docs" if damage == "flip_docs" else "len.text"
        _, offset, count = side.header["arrays"][name]
        for at in range(base + offset, base + offset + count, 97):  # many postings of many terms
            data[at] ^= 0x01
    del side
    path.unlink()
    path.write_bytes(bytes(data))
    with caplog.at_level(logging.WARNING):
        assert answers(Engine(index)) == want
    assert "sidecar" in caplog.text
    result = CliRunner().invoke(
        cli, ["check", str(corpus_dir), "--index", str(index)], catch_exceptions=False
    )
    assert result.exit_code == 1
    assert "sidecars: 1" in result.output
    assert "Traceback" not in result.output


def _segment_of(index: Path) -> object:
    ix = whoosh_index.open_dir(str(store.current_generation(index)))
    try:
        return ix._segments()[0]
    finally:
        ix.close()
