"""Link resolution and link keys: the shortcuts for plain URLs give what urljoin and urlsplit give."""

from __future__ import annotations

import random
import re
from pathlib import Path
from urllib.parse import unquote, urldefrag, urljoin, urlsplit

import pytest

from indexer.documents import _PLAIN_URL_PATH, link_key
from indexer.extract.links import _PLAIN_PATH, _resolve, join_url

BASES = [
    "", "/", "/a/b.html", "//host/x", "a/b", "https://h", "https://h/", "https://h/x/y.html?q=1#f",
    "http://H:80/x", "HTTPS://h/x", "https://h?x", "https://h#f", "https://u@h:8/p;x", "https://[::1]/x",
    "https://h;p/x", "ftp://h/x", "mailto:x@y", " https://h/x", "https://h\t/x", "https://hé/x",
    "file:///tmp/x", "https:/h/x", "https:h/x", "https://h/a/../b", "/x:y/z", "?q", "#f", "./x",
]  # fmt: skip
HREFS = [
    "/", "/a", "/a/", "/a/b.html", "//h2/x", "/.", "/..", "/a/./b", "/a/../b", "/a//b", "/a?x", "/a#x",
    "/a;p", "/é", "/a b", "/a\tb", "/%41", "/a.b/c.d", "/a./b", "/.a", "/a..b", "/x:y", "/@a",
]  # fmt: skip
PIECES = [*"/./a-b_~%20!$&'()*+,=@:?#;é\\ ", "..", "//", "/./", "/../"]


def _urljoin(base: str, href: str) -> str | None:
    try:
        return urldefrag(urljoin(base, href))[0] or None
    except ValueError:
        return None  # urljoin rejects the URL: _resolve says None (no link)


@pytest.mark.parametrize("base", BASES)
def test_resolve_equals_urljoin(base: str) -> None:
    rng = random.Random(base)
    hrefs = HREFS + ["/" + "".join(rng.choice(PIECES) for _ in range(rng.randrange(8))) for _ in range(2000)]
    for href in hrefs:
        assert _resolve(base, href) == _urljoin(base, href), (base, href)


def test_resolve_equals_urljoin_on_the_sample_sites_links(corpus_dir: Path) -> None:
    pages = sorted(corpus_dir.rglob("*.html"))
    pairs = set()
    for page in pages:
        text = page.read_bytes().decode("utf-8", "replace")  # a few pages are in GBK or Big5
        canonical = re.search(r'rel="canonical" href="([^"]+)"', text)
        for base in (canonical.group(1) if canonical else "", "/" + page.relative_to(corpus_dir).as_posix()):
            pairs.update((base, href) for href in re.findall(r'href="([^"]+)"', text))
    assert len(pairs) > 1000
    assert sum(1 for _, href in pairs if _PLAIN_PATH.fullmatch(href)) > len(pairs) / 2  # the shortcut's case
    for base, href in pairs:
        assert _resolve(base, href) == _urljoin(base, href), (base, href)


URLS = [
    "https://h/x", "HTTPS://h/x", "http:x", "h:80/x", "localhost:8080", "a+b.c-d:x", "1a:x", "+a:x",
    "é:x", " https://h/x", "\thttps://h/x", "ht\ttps://h/x", "https\n://h", "//h/x", "/a", "a/b", "?q",
    "#f", "mailto:x@y", "javascript:void(0)", "https://[::1/x", "https://h]/x", "https://a／b/x", "a:b:c", ":x", "x", "",
]  # fmt: skip


@pytest.mark.parametrize("base", [*BASES, "/a:b", "/é/x", "/a/b.html?x=1"])
def test_join_url_equals_urljoin(base: str) -> None:
    rng = random.Random(base)
    pieces = [*"aZ09+-.:/é \t", "https", "://"]
    urls = URLS + ["".join(rng.choice(pieces) for _ in range(rng.randrange(8))) for _ in range(2000)]
    for url in urls:
        try:
            expected: str | None = urljoin(base, url)
        except ValueError:
            expected = None  # urljoin rejects the host: join_url says so with None
        assert join_url(base, url) == expected, (base, url)


def _url_path(url: str) -> str:
    try:
        return unquote(urlsplit(url).path)
    except ValueError:
        return "ValueError"


def test_link_key_path_equals_urlsplit() -> None:
    """Link keys read a plain URL's path without urlsplit: the same path, for any URL."""
    rng = random.Random(5)
    starts = ["", "/", "//", "http://h", "HTTPS://h.example:8080", "https://[::1]", "https://hé", "//h\t",
              "mailto:", "ftp://h", "http:", "https:h", " /", "\t/", "a:"]  # fmt: skip
    pieces = [*PIECES, "\t", "\n", "\r", "%2F", "[", "]", "index.html", "a.htm", "文章"]
    urls = [*BASES, *HREFS]
    urls += [rng.choice(starts) + "".join(rng.choice(pieces) for _ in range(rng.randrange(10))) for _ in range(20000)]
    shortcut = 0
    for url in urls:
        plain = _PLAIN_URL_PATH.match(url)
        if plain is not None:
            shortcut += 1
            assert unquote(plain.group(1) or plain.group(2)) == _url_path(url), url
        if _url_path(url) != "ValueError":
            assert link_key(url) == link_key.__wrapped__(url)
    assert shortcut > 1000  # the shortcut was taken often enough to be tested


def test_link_keys_of_urls_and_paths() -> None:
    assert link_key("https://site.example/postpartum/Back-Pain.html?x=1#top") == "postpartum/back-pain"
    assert link_key("/postpartum/back-pain.htm") == link_key("//cdn/postpartum/back-pain.php") == "postpartum/back-pain"
    assert link_key("/a/index.html") == "a" and link_key("/") == ""
    assert link_key("/a\tb/c.html") == "ab/c"  # urlsplit drops tabs and line breaks
    assert link_key("/%E6%96%87%E7%AB%A0.html") == "文章"
