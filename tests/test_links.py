"""Link resolution: the shortcut for plain root-relative paths gives what urljoin gives."""

from __future__ import annotations

import random
import re
from pathlib import Path
from urllib.parse import urldefrag, urljoin

import pytest

from indexer.extract.links import _PLAIN_PATH, _resolve

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
        return "ValueError"


def _resolved(base: str, href: str) -> str | None:
    try:
        return _resolve(base, href)
    except ValueError:
        return "ValueError"


@pytest.mark.parametrize("base", BASES)
def test_resolve_equals_urljoin(base: str) -> None:
    rng = random.Random(base)
    hrefs = HREFS + ["/" + "".join(rng.choice(PIECES) for _ in range(rng.randrange(8))) for _ in range(2000)]
    for href in hrefs:
        assert _resolved(base, href) == _urljoin(base, href), (base, href)


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
        assert _resolved(base, href) == _urljoin(base, href), (base, href)
