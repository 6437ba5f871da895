"""Shared test fixtures: the bundled corpus, a built index, ../shared data, small page builders."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from search import Engine

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "corpus"
SHARED = REPO.parent / "shared"


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    """The sample corpus that ships with the project (read-only: copy it before changing it)."""
    return CORPUS


@pytest.fixture(scope="session")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """An Engine over an index of the bundled corpus, built once per test session."""
    index = tmp_path_factory.mktemp("index")
    eng = Engine(index)
    eng.build(CORPUS, workers=1)
    yield eng
    eng.close()


@pytest.fixture
def corpus_copy(tmp_path: Path) -> Path:
    """A writable copy of the bundled corpus."""
    target = tmp_path / "corpus"
    shutil.copytree(CORPUS, target)
    return target


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """``../shared`` beside the repo; tests that need it skip cleanly when it is absent."""
    if not (SHARED / "data").is_dir():
        pytest.skip("../shared/data is not available")
    return SHARED


def page_html(
    title: str = "A Test Article",
    paragraphs: tuple[str, ...] = (
        "The first paragraph of the test article talks about calcium, sleep and gentle exercise after birth.",
        "The second paragraph adds more detail, so that the article clearly has enough text to be indexed.",
    ),
    *,
    head: str = "",
    before: str = "",
    after: str = "",
    lang: str = "en",
) -> str:
    """A small page in the sample site's template with the given title and paragraphs."""
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>{title} - Test Site</title>{head}</head>'
        '<body><div class="header"><ul class="nav"><li><a href="/">Home</a></li><li><a href="/a/">Menu item</a></li></ul></div>'
        f'<div class="breadcrumb"><a href="/">Home</a> &gt; <a href="/cat/">Category</a> &gt; {title}</div>'
        f'{before}<div class="article"><h1>{title}</h1><div class="content">{body}</div></div>{after}'
        '<div class="footer"><p>Copyright © Test Site. All rights reserved.</p></div></body></html>'
    )


@pytest.fixture
def write_page(tmp_path: Path) -> Callable[..., Path]:
    """Write a page (text or bytes) under ``tmp_path/pages`` and return its path."""

    def write(relative: str, content: str | bytes) -> Path:
        path = tmp_path / "pages" / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            path.write_text(content, encoding="utf-8")
        else:
            path.write_bytes(content)
        return path

    return write
