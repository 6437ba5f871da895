"""Garbage input gives a clear PageError (or a normal article), never a hang or a crash."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from indexer.corpus import MAX_PAGE_BYTES, read_page_file
from indexer.errors import NoArticleError, PageError
from indexer.parse import parse_article
from search import Engine


def test_binary_data(tmp_path: Path) -> None:
    path = tmp_path / "image.html"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 64)
    with pytest.raises(PageError, match="binary"):
        parse_article(path.read_bytes(), source=str(path))


def test_fifty_megabyte_file(tmp_path: Path) -> None:
    path = tmp_path / "huge.html"
    with path.open("wb") as out:
        out.write(b"<html><body><p>")
        chunk = b"word " * 200_000
        for _ in range(50):
            out.write(chunk)
        out.write(b"</p></body></html>")
    with pytest.raises(PageError, match="too large"):
        Engine.extract(path)


def test_fifty_megabytes_of_text(tmp_path: Path) -> None:
    with pytest.raises(PageError, match="too large"):
        parse_article("<p>" + "x" * 50_000_000, source="huge.html")


def test_markup_nested_ten_thousand_levels() -> None:
    html = "<html><body>" + "<div>" * 10_000 + "</div>" * 10_000 + "</body></html>"
    with pytest.raises(NoArticleError):
        parse_article(html, source="deep.html")


def test_nested_markup_with_text_still_parses_or_fails_cleanly() -> None:
    text = "A sentence of real article text, long enough to count as content. " * 5
    html = "<html><body>" + "<div><span>" * 10_000 + f"<p>{text}</p>" + "</body></html>"
    try:
        article = parse_article(html, source="deep.html")
    except PageError:
        return
    assert "real article text" in article.text


@pytest.mark.parametrize("content", [b"", b"   \n\t ", "".encode("utf-16")])
def test_empty_file(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "empty.html"
    path.write_bytes(content)
    with pytest.raises(PageError):
        parse_article(path.read_bytes(), source=str(path))


def test_markup_without_text() -> None:
    with pytest.raises(NoArticleError):
        parse_article("<html><head><title>Only a title</title></head><body><img src=a.png></body></html>", source="x")


def test_tag_dense_page_is_refused_before_parsing() -> None:
    html = "<html><body>" + "<div><a href='/x'>y</a></div>" * 200_000 + "</body></html>"
    with pytest.raises(PageError, match="too much markup"):
        parse_article(html, source="dense.html")


def test_page_bytes_and_facts_come_from_the_open_file(tmp_path: Path, corpus_dir: Path) -> None:
    page = sorted(corpus_dir.rglob("*.html"))[0]
    read = read_page_file(page)
    st = page.stat()
    assert (read.data, read.size, read.mtime_ns) == (page.read_bytes(), st.st_size, st.st_mtime_ns)
    zipped = tmp_path / "zipped.html.gz"
    zipped.write_bytes(gzip.compress(read.data))
    assert read_page_file(zipped).data == read.data
    assert read_page_file(zipped).size == zipped.stat().st_size
    (tmp_path / "empty.html").write_bytes(b"")
    assert read_page_file(tmp_path / "empty.html").data == b""
    (tmp_path / "folder.html").mkdir()
    with pytest.raises(PageError, match="cannot read"):
        read_page_file(tmp_path / "folder.html")
    with pytest.raises(PageError, match="vanished"):
        read_page_file(tmp_path / "gone.html")
    huge = tmp_path / "huge.html"
    with huge.open("wb") as out:
        out.truncate(MAX_PAGE_BYTES + 1)  # sparse: no 16 MiB written
    with pytest.raises(PageError, match="too large"):
        read_page_file(huge)
