"""Snippets: the fast matcher agrees with the tokenizer; windows, cuts and HTML marking."""

from __future__ import annotations

import random
from pathlib import Path

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


def _shuffled_case(text: str, rng: random.Random) -> str:
    """``text`` with some words capitalised or upper-cased and some ``_``, ``'s`` and digits added."""
    words = []
    for word in text.split():
        roll = rng.random()
        word = word.capitalize() if roll < 0.1 else word.upper() if roll < 0.15 else word
        word = word + "'s" if roll > 0.97 else "_" + word if roll > 0.95 else word + "2" if roll > 0.93 else word
        words.append(word)
    return " ".join(words)


def test_ascii_matcher_equals_the_tokenizer_on_test_collections(shared_dir: Path) -> None:
    import json

    from search.snippets import _ascii_matches, _latin_matches

    rng = random.Random(11)
    checked = 0
    for name in ("cisi", "cranfield", "cacm"):
        lines = (shared_dir / "data" / "ir" / name / "docs.jsonl").read_text(encoding="utf-8").splitlines()
        for line in lines[:150]:
            doc = json.loads(line)
            text = _shuffled_case(" ".join(f"{doc['title']} {doc['text']}".split()), rng)
            tokens = [t for t in analyze(text) if t.isascii() and t.isalnum()]
            if not text.isascii() or len(tokens) < 5:
                continue
            terms = set(rng.sample(tokens, 5)) | {"die", "lie"}
            expected = tokenizer_matches(text, terms)
            assert _ascii_matches(text, terms) == expected
            assert matches(text, terms) == expected
            # one-letter and digit terms too (there both fast paths also match the "s" of "will's")
            odd = terms | {"s", "2", "a", rng.choice(tokens)[:1]}
            assert _ascii_matches(text, odd) == _latin_matches(text, odd)
            checked += 1
    assert checked > 300


def test_written_forms_are_the_tokenizers_originals(shared_dir: Path) -> None:
    import json

    from search.snippets import written_forms

    rng = random.Random(12)
    lines = (shared_dir / "data" / "ir" / "cisi" / "docs.jsonl").read_text(encoding="utf-8").splitlines()
    checked = 0
    for line in lines[:200]:
        doc = json.loads(line)
        text = _shuffled_case(f"{doc['title']} {doc['text']}", rng) + " It's the THE an only onli Only's"
        tokens = [t for t in analyze(text) if t.isascii() and t.isalnum()]
        if not text.isascii() or not tokens:
            continue
        for term in {*rng.sample(tokens, min(4, len(tokens))), "it", "the", "onli"}:
            expected = [t.original for t in _TOKENIZER(text, keeporiginal=True) if t.text == term]
            assert written_forms(text, term) == expected
        checked += 1
    assert checked > 150
    assert written_forms("Ünïcode text", "ünïcod") is None
    mixed = "Ünïcode TEXT 文本text, texts and the 中文 Text's"
    expected = [t.original for t in _TOKENIZER(mixed, keeporiginal=True) if t.text == "text"]
    assert written_forms(mixed, "text") == expected == ["TEXT", "text", "texts", "Text's"]


def test_plain_terms_in_chinese_text_match_like_the_tokenizer(engine: Engine) -> None:
    rng = random.Random(4)
    reader = engine._open().reader()
    checked = 0
    for _, stored in reader.iter_docs():
        text = " ".join(stored["text"].split())
        if stored.get("lang") == "en":
            continue
        words = ["Vitamin", "DHA", "B12", "Omega-3", "ｆｏｌａｔｅ", "app's", "中文abc", "WHO"]
        mixed = " ".join(rng.choice(words) + piece for piece in text.split("。"))  # latin glued to Han too
        terms = {t for t in analyze(mixed) if t.isascii() and t.isalnum()} or {"vitamin"}
        terms = set(rng.sample(sorted(terms), min(4, len(terms)))) | {"dha", "b12", "app"}
        assert matches(mixed, terms) == tokenizer_matches(mixed, terms)
        checked += 1
    assert checked > 10


def test_cjk_terms_match_like_the_tokenizer(engine: Engine) -> None:
    """Chinese (and kana, Hangul) query terms: runs without a term are skipped, the rest cut into
    pieces — the same matches, in the same order, as filtering every token of the text."""
    rng = random.Random(5)
    reader = engine._open().reader()
    extra = "產後腰痛與產后恢復 カタカナのテスト 한국어 텍스트 Vitamin D 补充 ｶﾀｶﾅ 钙"
    checked = 0
    for _, stored in reader.iter_docs():
        if stored.get("lang") == "en":
            continue
        text = " ".join(stored["text"].split()) + " " + extra
        tokens = sorted(set(analyze(text)))
        cjk = [t for t in tokens if not t.isascii()]
        terms = set(rng.sample(cjk, min(5, len(cjk)))) | {"产后", "腰", "カタ", "한국", "vitamin", "补充钙质"}
        found = matches(text, terms)
        assert found == tokenizer_matches(text, terms)
        assert len(found) > 5
        checked += 1
    assert checked > 10
