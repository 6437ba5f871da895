"""The plain-words shortcut builds exactly the query the full parser builds, or declines."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from search import Engine
from search.plainquery import plain_query
from search.query import parse_query

WORDS = (
    "back pain pains painful Pain sleep sleeping baby babies the and of a iron vitamin D 2020 covid19 "
    "running runs breastfeeding postpartum x ab bc exercise Exercises after birth doctor doctors"
).split()


def check(engine: Engine, queries: list[str]) -> int:
    """Assert the shortcut equals the parser wherever it answers; returns how often it answered."""
    searcher = engine._open()
    answered = 0
    for q in queries:
        fast = plain_query(q, searcher.schema)
        if fast is None:
            continue
        answered += 1
        slow = parse_query(q, engine._parser)
        assert fast == slow and repr(fast) == repr(slow), q
    return answered


def test_plain_words_parse_like_the_parser(engine: Engine) -> None:
    rng = random.Random(3)
    queries = WORDS + [" ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 6))) for _ in range(300)]
    queries += ["pain pain back", " back  pain ", "pain painful pains back"]
    assert check(engine, queries) > 250


@pytest.mark.parametrize(
    "query",
    ["pain AND back", "NOT pain", "back -pain", '"back pain"', "pain*", "title:pain", "产后", "pain?", ""],
)
def test_syntax_goes_to_the_parser(engine: Engine, query: str) -> None:
    assert plain_query(query, engine._open().schema) is None


def test_ir_query_words_parse_like_the_parser(engine: Engine, shared_dir: Path) -> None:
    path = shared_dir / "data" / "ir" / "cranfield" / "queries.jsonl"
    texts = [json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines()]
    words = sorted({w for t in texts for w in t.split()})
    rng = random.Random(5)
    queries = words + [" ".join(rng.choice(words) for _ in range(rng.randint(1, 5))) for _ in range(500)]
    assert check(engine, queries) > 300
