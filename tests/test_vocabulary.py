"""Vocabulary.terms_within returns what Whoosh's reader.terms_within returns, on one or more segments."""

from __future__ import annotations

import random
from typing import Any

from whoosh.filedb.filestore import RamStorage
from whoosh.reading import MultiReader, SegmentReader

from indexer.analysis import analyze
from indexer.schema import build_schema
from search import Engine
from search.vocabulary import Vocabulary


def _typos(words: list[str], rng: random.Random, n: int) -> list[str]:
    """``n`` words with one or two random edits (deletion, insertion, substitution, transposition)."""
    out = []
    for _ in range(n):
        word = rng.choice(words)
        for _ in range(rng.choice((1, 1, 2))):
            i, c = rng.randrange(len(word)), rng.choice("abcdefghijklmnopqrstuvwxyzé1")
            op = rng.randrange(4)
            if op == 0 and len(word) > 2:
                word = word[:i] + word[i + 1 :]
            elif op == 1:
                word = word[:i] + c + word[i:]
            elif op == 2:
                word = word[:i] + c + word[i + 1 :]
            elif i < len(word) - 1:
                word = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
        out.append(word)
    return out


def _same_as_whoosh(reader: object, words: list[str], reference: object = None) -> int:
    """Vocabulary(reader) finds what ``reference`` (default: the reader itself) finds."""
    vocabulary = Vocabulary(reader)  # type: ignore[arg-type]
    reference = reference or reader
    found = 0
    for word in words:
        for field in ("text", "title"):
            for dist, prefix in ((2, 1), (3, 2)):
                expected = {
                    t.decode("utf-8") if isinstance(t, bytes) else t
                    for t in reference.terms_within(field, word, dist, prefix=prefix)  # type: ignore[attr-defined]
                }
                got = vocabulary.terms_within(field, word, dist, prefix)
                assert sorted(got) == sorted(expected), (word, field, dist, prefix)
                found += len(got)
    return found


def test_one_segment_matches_whooshs_damerau_levenshtein(engine: Engine) -> None:
    """One segment finds what Whoosh finds over several (its one-segment automaton misses transpositions)."""
    reader = engine._open().reader()
    assert isinstance(reader, SegmentReader)
    words = sorted({t for _, stored in reader.iter_docs() for t in analyze(stored.get("text", "")) if t.isalpha() and len(t) >= 3})
    assert _same_as_whoosh(reader, _typos(words, random.Random(1), 300) + words[:50], MultiReader([reader])) > 300
    assert "pain" in Vocabulary(reader).terms_within("text", "pian", 1, 1)
    assert "pain" not in reader.terms_within("text", "pian", 1, prefix=1)  # Whoosh's automaton


def _two_segments(stored: list[dict[str, Any]]) -> Any:
    """An index in memory of ``stored`` articles' id, title and text, in two segments."""
    index = RamStorage().create_index(build_schema())
    for half in (stored[: len(stored) // 2], stored[len(stored) // 2 :]):
        with index.writer() as writer:
            writer.merge = False
            for fields in half:
                writer.add_document(id=fields["id"], title=fields.get("title", ""), text=fields.get("text", ""))
    return index


def test_several_segments_match_whooshs_damerau_levenshtein(engine: Engine) -> None:
    stored = [fields for _, fields in engine._open().reader().iter_docs()]
    with _two_segments(stored).reader() as reader:
        assert isinstance(reader, MultiReader)
        words = sorted({t for fields in stored for t in analyze(fields.get("text", "")) if t.isalpha() and len(t) >= 3})
        assert _same_as_whoosh(reader, _typos(words, random.Random(2), 300) + words[:50]) > 300


def test_a_stem_shorter_than_the_prefix_gets_suggestions_not_an_error(engine: Engine) -> None:
    reader = engine._open().reader()
    assert isinstance(reader, SegmentReader)
    found = Vocabulary(reader).terms_within("text", "u", 3, 2)
    assert found and all(t.startswith("u") and len(t) <= 4 for t in found)
    engine.search("ued")  # stems to "u": Whoosh's automaton alone raised IndexError


def test_first_documents_of_a_stem_are_those_of_the_merged_postings(engine: Engine) -> None:
    from search.suggest import _first_docs

    stored = [fields for _, fields in engine._open().reader().iter_docs()]
    with _two_segments(stored).reader() as reader:
        checked = 0
        for field in ("text", "title"):
            for term in [t.decode("utf-8") for t in reader.lexicon(field)][::7]:
                merged = list(reader.postings(field, term).all_ids())[:3]
                assert _first_docs(reader, field, term, 3) == merged
                checked += merged[-1] >= len(stored) // 2  # some lists reach into the second segment
        assert checked > 10
