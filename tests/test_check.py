"""``Engine.check`` / ``artsearch check``: index versus corpus, and reading every document back."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from indexer import store
from search import Engine
from search.cli import cli


@pytest.fixture(scope="module")
def small_corpus(tmp_path_factory: pytest.TempPathFactory, corpus_dir: Path) -> Path:
    target = tmp_path_factory.mktemp("small") / "corpus"
    shutil.copytree(corpus_dir / "nutrition", target / "nutrition")
    return target


@pytest.fixture(scope="module")
def base_index(small_corpus: Path) -> Path:
    index = small_corpus.parent / "index"
    Engine(index).build(small_corpus, workers=1)
    return index


@pytest.fixture
def setup(small_corpus: Path, base_index: Path, tmp_path: Path) -> tuple[Path, Path]:
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    shutil.copytree(small_corpus, corpus)
    shutil.copytree(base_index, index)
    return corpus, index


def test_fresh_index_is_ok(setup: tuple[Path, Path]) -> None:
    corpus, index = setup
    report = Engine(index).check(corpus)
    assert report.ok
    assert report.articles == report.pages == len(list(corpus.rglob("*.html")))
    out = CliRunner().invoke(cli, ["check", str(corpus), "--index", str(index)])
    assert out.exit_code == 0 and out.output.strip().endswith("ok")


def test_missing_stale_orphaned(setup: tuple[Path, Path]) -> None:
    corpus, index = setup
    pages = sorted(corpus.rglob("*.html"))
    pages[0].unlink()
    pages[1].write_bytes(pages[1].read_bytes().replace(b"</h1>", b" (updated)</h1>", 1))
    shutil.copy(pages[2], corpus / "nutrition" / "brand-new.html")
    touched = pages[3]
    os.utime(touched, ns=(10**18, 10**18))  # mtime only: not stale
    report = Engine(index).check(corpus)
    assert not report.ok
    assert report.orphaned == [f"nutrition/{pages[0].stem}"]
    assert report.stale == [f"nutrition/{pages[1].name}"]
    assert report.missing == ["nutrition/brand-new.html"]
    out = CliRunner().invoke(cli, ["check", str(corpus), "--index", str(index), "--json"])
    assert out.exit_code == 1
    data = json.loads(out.output)
    assert data["ok"] is False and data["missing"] == ["nutrition/brand-new.html"]
    Engine(index).update(corpus, workers=1)
    assert Engine(index).check(corpus).ok


def test_default_corpus_is_the_built_one(setup: tuple[Path, Path], small_corpus: Path) -> None:
    _, index = setup
    report = Engine(index).check()
    assert report.corpus_dir == str(small_corpus.resolve()) and report.ok


def test_unreadable_index_is_reported(setup: tuple[Path, Path]) -> None:
    corpus, index = setup
    gen = store.current_generation(index)
    for seg in gen.glob("*.seg"):
        seg.write_bytes(b"\0" * 64)
    out = CliRunner().invoke(cli, ["check", str(corpus), "--index", str(index)])
    assert out.exit_code == 1
    assert "unreadable: 1" in out.output and "cannot be opened" in out.output
    report = Engine(index).check(corpus)
    assert not report.ok and report.articles == 0
