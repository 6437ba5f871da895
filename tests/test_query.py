"""User query parsing: the syntax, repeated words, and hostile input."""

from __future__ import annotations

import pytest
from whoosh import query as wq

from search import Engine, QueryError
from search import query as uq


@pytest.fixture(scope="module")
def parser(engine: Engine):
    engine._open()
    return engine._parser


def _terms(q: wq.Query) -> set[tuple[str, str]]:
    return {(f, t) for f, t in q.all_terms()}


def test_bare_words_are_or_combined_across_fields(parser) -> None:
    q = uq.parse_query("calcium sleep", parser)
    assert isinstance(q, wq.Or)
    assert {("title", "calcium"), ("text", "calcium"), ("text", "sleep")} <= _terms(q)


def test_question_mark_is_not_a_wildcard(parser) -> None:
    q = uq.parse_query("what about titles?", parser)
    assert ("text", "titl") in _terms(q)
    assert not any(isinstance(n, wq.Wildcard) for n in q.leaves())


def test_prefix_and_fuzzy_terms(parser) -> None:
    q = uq.parse_query("preg* calcum~", parser)
    kinds = {type(n) for n in q.leaves()}
    assert wq.Prefix in kinds and wq.FuzzyTerm in kinds


def test_repeated_words_weigh_more(parser) -> None:
    q = uq.parse_query("titles and calcium titles and titles", parser)
    boosts = {t.text: t.boost for t in q.leaves() if t.fieldname == "text"}
    assert boosts["titl"] == pytest.approx(3 * boosts["calcium"])


def test_minus_and_not_exclude(parser) -> None:
    for text in ("pain -back", "pain NOT back"):
        q = uq.parse_query(text, parser)
        assert isinstance(q, wq.AndNot), text


def test_filter_field_is_required(parser) -> None:
    q = uq.parse_query("pain category:pregnancy", parser)
    assert isinstance(q, wq.And)
    assert ("category", "pregnancy") in _terms(q)


@pytest.mark.parametrize(
    "text",
    ['"unbalanced quote', "title:x AND (y", "a) b ( c", "x:y:z w", "café ÉCOLE", "AND pain OR"],
)
def test_malformed_queries_parse_to_words(parser, text: str) -> None:
    assert uq.parse_query(text, parser) is not None


@pytest.mark.parametrize("text", ["", "   ", "((((", "the of and", "AND OR NOT", "-", "\x00\x01\x02"])
def test_queries_without_words_raise_query_error(parser, text: str) -> None:
    with pytest.raises(QueryError):
        uq.parse_query(text, parser)


def test_too_long_query_raises_query_error(parser) -> None:
    with pytest.raises(QueryError, match="too long"):
        uq.parse_query("word " * 2000, parser)


def test_control_characters_are_removed(parser) -> None:
    q = uq.parse_query("calc\x00ium\x07 sleep", parser)
    assert ("text", "sleep") in _terms(q)


def test_prefix_expansion_is_bounded(engine: Engine, parser) -> None:
    reader = engine._open().reader()
    q = uq.expand_multiterms(uq.parse_query("a* b* c* *", parser), reader)
    assert len(list(q.leaves())) <= 4 * len(uq.TEXT_FIELDS) * uq.MAX_EXPANSIONS
    assert not any(isinstance(n, wq.MultiTerm) and not isinstance(n, wq.Term) for n in q.leaves())


def test_quoted_word_keeps_its_field_weight(parser) -> None:
    quoted = {t.fieldname: t.boost for t in uq.parse_query('"calcium" sleep', parser).leaves() if t.text == "calcium"}
    bare = {t.fieldname: t.boost for t in uq.parse_query("calcium sleep", parser).leaves() if t.text == "calcium"}
    assert quoted == bare


def test_contractions_of_stop_words_are_stop_words() -> None:
    from indexer.analysis import analyze

    assert analyze("I'm sure it's what we don't want; isn't it Mary's") == ["sure", "want", "mari"]
