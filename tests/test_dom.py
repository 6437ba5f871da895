"""The extraction tree: built from libxml2's events, it is the tree bs4 gives, node for node."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup

from indexer.extract import dom
from indexer.extract.dom import Element, Text, Unsupported, from_soup, parse_html
from indexer.extract.profile import SelectablePage
from indexer.parse import _tree
from tests.test_fastsoup import EDGE_CASES, page_texts, random_markups


def _shape(document: dom.Document) -> list[tuple[Any, ...]]:
    """Every node: its class, name or value, attributes, parent, children and extent (as indices)."""
    rows: list[tuple[Any, ...]] = []
    for i, node in enumerate(document.nodes):
        assert node.order == i and node.document is document and not node.gone
        parent = node.parent.order if node.parent is not None else None
        if isinstance(node, Element):
            attrs = [(k, type(k), v, type(v)) for k, v in node.attrs.items()]
            rows.append((type(node), node.name, attrs, parent, [c.order for c in node.contents], node.end))
        else:
            rows.append((type(node), str(node), parent))
    return rows


def _bs4_tree(text: str) -> dom.Document:
    return from_soup(BeautifulSoup(text, "lxml", multi_valued_attributes=None))


def _assert_same(text: str) -> None:
    assert _shape(parse_html(text)) == _shape(_bs4_tree(text))


@pytest.mark.parametrize("text", [t for t in EDGE_CASES if "<o:p>" not in t])  # namespaced: see below
def test_edge_cases(text: str) -> None:
    _assert_same(text)


def test_random_markup() -> None:
    for text in random_markups(EDGE_CASES[:14], seed=11):
        _assert_same(text)


def test_bundled_corpus(corpus_dir: Path) -> None:
    assert len(list(corpus_dir.rglob("*.html"))) >= 50
    for text in page_texts(corpus_dir):
        _assert_same(text)


def test_shared_pages(shared_dir: Path) -> None:
    for text in page_texts(shared_dir / "data" / "html"):
        _assert_same(text)


def test_string_kinds_and_text() -> None:
    document = parse_html(
        "<div id=d>one <!-- note --><script>var x</script><b>two</b><ruby>漢<rt>kan</rt></ruby>"
        "<style>p{}</style></div>"
    )
    div = next(n for n in document.nodes if isinstance(n, Element) and n.name == "div")
    kinds = {str(n): type(n) for n in div.descendants if isinstance(n, Text)}
    assert kinds == {
        "one ": Text, " note ": dom.Comment, "var x": dom.Script, "two": Text, "漢": Text,
        "kan": dom.RubyText, "p{}": dom.Stylesheet,
    }  # fmt: skip
    assert div.get_text() == "one two漢"  # bs4's rule: only plain strings, whatever their depth
    one = div.contents[0]
    assert one.order == div.order + 1 and one.index("e") == 2 and one.upper() == "ONE "  # still a str
    script = next(n for n in div.descendants if isinstance(n, Element) and n.name == "script")
    assert script.get_text() == "var x" and script.string == "var x"
    assert div.get("id") == "d" and div["id"] == "d" and div.get("class", "none") == "none"


def test_decompose_prunes_the_subtree() -> None:
    document = parse_html("<div><p>a<b>b</b></p><p>a</p> tail</div>")
    div, first, bold, second = (n for n in document.nodes if isinstance(n, Element) and n.name in "div p b")
    inside = first.descendants
    first.decompose()
    assert [str(n) if isinstance(n, Text) else n.name for n in div.descendants] == ["p", "a", " tail"]
    assert div.contents == [second, div.contents[1]] and div.contents[0] is second
    assert all(n.gone for n in [first, *inside]) and not second.gone
    assert first.parent is None and bold.parent is None and first.name == "" and first.descendants == []
    assert [str(n) for n in second.next_elements] == ["a", " tail"]


def test_siblings_by_identity_not_by_value() -> None:
    """Equal strings are different nodes: sibling links find the node itself."""
    document = parse_html("<p>x<br>x<br>x</p>")
    p = next(n for n in document.nodes if isinstance(n, Element) and n.name == "p")
    strings = [n for n in p.contents if isinstance(n, Text)]
    assert strings[1].next_sibling is p.contents[3]
    assert [n.order for n in strings[2].previous_siblings] == [c.order for c in reversed(p.contents[:4])]
    assert strings[2].next_sibling is None
    assert [e.name for e in strings[0].parents] == ["p", "body", "html", "[document]"]


def test_namespaced_names_are_declined_and_converted_from_bs4() -> None:
    text = "<div><p>before <b {urn:x}attr=1>x</b> after</p></div>"
    with pytest.raises(Unsupported):
        parse_html(text)
    document, _ = _tree(text, "page.html", None)
    assert _shape(document) == _shape(_bs4_tree(text))
    _assert_same("<div><p>next page</p><ul><li>one<li>two</ul></div>")  # the parser is whole again


def test_selectors_see_the_pruned_page() -> None:
    """A profile's selectors run over bs4's tree; what extraction removed is gone there too."""
    soup = BeautifulSoup("<ul><li>1</li><li>2</li></ul><p class=x>p</p>", "lxml", multi_valued_attributes=None)
    document = from_soup(soup)
    page = SelectablePage(soup, document)
    first, second = page.select("li")
    assert (first.name, str(first.contents[0]), second.order) == ("li", "1", first.end + 0)
    first.decompose()
    assert [str(li.contents[0]) for li in page.select("li:first-child")] == ["2"]
    assert page.select("p.x")[0] is next(n for n in document.nodes if isinstance(n, Element) and n.name == "p")
