"""The lean tree builder gives the tree ``BeautifulSoup(text, "lxml")`` gives, node for node."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup, Tag

from indexer.encoding import decode_html
from indexer.extract import fastsoup
from indexer.extract.fastsoup import Unsupported, lxml_soup
from indexer.extract.profile import SiteProfile
from indexer.parse import _tree

# The soup's own state not compared as a value: what points into the tree or at its builder, and
# bs4's parse-time stack of open tags (its leftovers once parsing is over; the lean builder keeps none).
_SOUP_SELF = ("builder", "currentTag", "_most_recent_element", "tagStack", "open_tag_counter")
_LINKS = ("parent", "previous_element", "next_element", "previous_sibling", "next_sibling")


def _shape(soup: BeautifulSoup) -> list[tuple[Any, ...]]:
    """Every node: its class, value or name, attributes, instance-dict keys and links (as indices)."""
    nodes = [soup, *soup.descendants]
    index = {id(node): i for i, node in enumerate(nodes)}
    rows: list[tuple[Any, ...]] = []
    for node in nodes:
        state = node.__dict__
        links = tuple(index.get(id(state[k]), "outside") if state[k] is not None else None for k in _LINKS if k in state)
        if node is soup:
            own = {k: repr(v) for k, v in state.items() if k not in (*_LINKS, "contents", *_SOUP_SELF)}
            rows.append(("soup", links, [index[id(c)] for c in soup.contents], own, soup.currentTag is soup))
        elif isinstance(node, Tag):
            others = {k: v for k, v in state.items() if k not in (*_LINKS, "attrs", "contents")}
            attrs = [(k, type(k), v, type(v)) for k, v in node.attrs.items()]
            contents = [index[id(c)] for c in node.contents]
            rows.append((type(node), node.name, attrs, type(node.attrs), list(state), repr(others), links, contents))
        else:
            rows.append((type(node), str(node), list(state), node.hidden, links))
    return rows


def _profile_soup(text: str) -> BeautifulSoup:
    """The bs4 tree a page with a site profile gets (the lean builder's, or bs4's own)."""
    _, page = _tree(text, "page.html", SiteProfile())
    assert page is not None
    return page.soup


def _assert_same(text: str) -> None:
    if not fastsoup.ENABLED:
        pytest.skip(f"the lean builder mirrors beautifulsoup4 4.15; {fastsoup.bs4.__version__} is installed")
    expected = BeautifulSoup(text, "lxml", multi_valued_attributes=None)
    built = lxml_soup(text)
    assert str(built) == str(expected)
    assert _shape(built) == _shape(expected)


EDGE_CASES = [
    "<p>plain</p>",
    "<!DOCTYPE html>\n<html>\n<head><title>t</title></head>\n<body>x</body></html>\n",
    '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "x.dtd"><p>x</p>',
    "<!-- before --><!DOCTYPE html><html><body>x</body></html>\n<!-- after -->\n",
    "<html><body>x</body></html>\n after the root",
    "<pre>  keep \n  this </pre><p>  </p><p>\n\n</p><textarea>\n </textarea>",
    "<pre><b>  </b><!--   --></pre>",
    "<script> var a = '<p>'; </script><style> p {} </style><template><p>t<b>u</b></p></template>",
    "<ruby>漢<rp>(</rp><rt>kan</rt><rp>)</rp></ruby>",
    "<p>a<!---->b<!-- c -->d<?php echo 1 ?>e</p>",
    '<meta charset="gbk"><meta http-equiv="Content-Type" content="text/html; charset=big5"><p>x</p>',
    '<p class="a  b" id=x data-x=\'1\' hidden>x &amp; y &nbsp; &bogus; &#x4e2d;</p>',
    '<option selected>a</option><option selected="selected">b</option><input checked disabled="">',
    "<b><i>mis</b>nested</i><table><tr><td>cell<td>cell</table><li>one<li>two",
    "<o:p>office</o:p><svg:rect x=1></svg:rect><p>x</p>",
    "\ufeff<p>bom</p>",
    "<p>\x0c\r\n\t </p>",
    "<frameset><frame src=x></frameset>",
    "<p>" * 600 + "deep",
    "<div>" * 300 + "deep" + "</div>" * 300,
    "<<p>></>  <!> <!- --!> <![CDATA[ x ]]> </p>",
    "<html><body>x</body></html></html><p>again",
]


@pytest.mark.parametrize("text", EDGE_CASES)
def test_edge_cases(text: str) -> None:
    _assert_same(text)


def random_markups(cases: list[str], seed: int) -> list[str]:
    """300 random soups of the pieces of ``cases`` (their tags and texts, shuffled and repeated)."""
    pieces = [piece for case in cases for piece in case.replace(">", ">\0").split("\0") if piece]
    rng = random.Random(seed)
    texts = ("".join(rng.choice(pieces) for _ in range(rng.randint(1, 30))) for _ in range(300))
    return [text for text in texts if text.strip()]


def page_texts(folder: Path, step: int = 1) -> list[str]:
    """The decoded text of every ``step``-th page under ``folder`` (at least one)."""
    pages = sorted(folder.rglob("*.html"))[::step]
    assert pages
    return [decode_html(page.read_bytes())[0] for page in pages]


def test_random_markup() -> None:
    """Random soups of the constructs above: the event stream is libxml2's either way."""
    for text in random_markups(EDGE_CASES[:18], seed=7):
        _assert_same(text)


def test_bundled_corpus(corpus_dir: Path) -> None:
    assert len(list(corpus_dir.rglob("*.html"))) >= 50
    for text in page_texts(corpus_dir):
        _assert_same(text)


def test_shared_pages(shared_dir: Path) -> None:
    for text in page_texts(shared_dir / "data" / "html", step=4):
        _assert_same(text)


def test_namespaced_names_fall_back_to_bs4() -> None:
    text = "<p {urn:x}attr=1>namespaced</p>"
    with pytest.raises(Unsupported):
        lxml_soup(text)
    assert str(_profile_soup(text)) == str(BeautifulSoup(text, "lxml", multi_valued_attributes=None))


def test_a_page_after_a_declined_one_is_built_whole() -> None:
    """The parser is reused from page to page: a page declined midway leaves nothing behind."""
    with pytest.raises(Unsupported):
        lxml_soup("<div><p>before <b {urn:x}attr=1>x</b> after</p></div>")
    _assert_same("<div><p>next page</p><ul><li>one<li>two</ul></div>")
    _assert_same(EDGE_CASES[1])


def test_other_bs4_releases_use_bs4s_own_builder(monkeypatch: pytest.MonkeyPatch) -> None:
    text = "<p class='a b'>text</p>"
    monkeypatch.setattr(fastsoup, "ENABLED", False)
    with pytest.raises(Unsupported, match=r"4\.15"):
        lxml_soup(text)
    assert str(_profile_soup(text)) == str(BeautifulSoup(text, "lxml", multi_valued_attributes=None))
