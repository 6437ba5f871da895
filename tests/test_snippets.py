"""Snippets: the fast matcher agrees with the tokenizer; windows, cuts and HTML marking."""

from __future__ import annotations

import random

from indexer.analysis import analyze
from indexer.cjk import HIGHLIGHT
from search import Engine
from search.results import Snippet
from search.snippets import _TOKENIZER, make_snippet, matches, render_marked


def tokenizer_matches(text: str, terms: set[str]) -> list[tuple[int, int, str]]:
    return [
        (t.startchar, t.endchar, t.text)
        for t in _TOKENIZER(text, chars=True, removestops=False, mode=HIGHLIGHT)
        if t.text in terms
    ]


def test_fast_matcher_equals_the_tokenizer_on_every_english_article(engine: Engine) -> None:
    rng = random.Random(3)
    reader = engine._open().reader()
    checked = 0
    for _, stored in reader.iter_docs():
        if stored.get("lang") != "en":
            continue
        text = " ".join(stored["text"].split())
        tokens = [t for t in analyze(text) if t.isascii()]
        terms = set(rng.sample(tokens, 5)) | {"women", "pain", "lie", "die"}
        assert matches(text, terms) == tokenizer_matches(text, terms)
        checked += 1
    assert checked > 50


def test_snippet_window_holds_the_most_distinct_terms() -> None:
    filler = "Nothing relevant is said in this sentence at all. " * 10
    text = filler + "Calcium helps. " + filler + "Calcium and iron and folate together matter. " + filler
    snippet = make_snippet(text, {"calcium", "iron", "fol"})
    marked = {snippet.text[s:e].lower() for s, e in snippet.highlights}
    assert {"calcium", "iron"} <= marked
    assert snippet.text.startswith("…") and snippet.text.endswith("…")
    assert len(snippet.text) <= 202


def test_snippet_without_match_is_the_start_of_the_text() -> None:
    snippet = make_snippet("Short article text about sleep.", {"iron"})
    assert snippet == Snippet("Short article text about sleep.")


def test_html_rendering_escapes_everything_but_the_marks() -> None:
    snippet = Snippet("a <b> & iron", ((8, 12),))
    assert render_marked(snippet, "<mark>", "</mark>", escape=True) == "a &lt;b&gt; &amp; <mark>iron</mark>"
