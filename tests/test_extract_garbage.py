"""Garbage input gives a clear PageError (or a normal article), never a hang or a crash."""

from __future__ import annotations

from pathlib import Path

import pytest

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
