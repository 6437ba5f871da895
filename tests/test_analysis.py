"""The index-time word loop gives the terms and positions of the analyzer's own token stream."""

from __future__ import annotations

import random

from indexer.analysis import ArticleTokenizer


def _token_positions(text: str) -> dict[str, list[int]]:
    found: dict[str, list[int]] = {}
    for token in ArticleTokenizer()(text, positions=True, mode="index"):
        found.setdefault(token.text, []).append(token.pos)
    return found


def test_term_positions_match_the_token_stream() -> None:
    """ASCII texts (their own word pattern) and mixed ones, apostrophes, underscores and digits included."""
    rng = random.Random(8)
    ascii_words = ["Calcium", "it's", "don't", "'quoted'", "o''clock", "a_b", "__init__", "B12", "2024-05-11", "x.y", "THE", "of"]
    other_words = ["naïve", "it’s", "Ünïcode", "孕期", "糖尿病", "ﬁne"]
    for mixed in (False, True):
        vocabulary = ascii_words + (other_words if mixed else [])
        for _ in range(200):
            text = rng.choice([" ", "\n", ", "]).join(rng.choice(vocabulary) for _ in range(rng.randrange(0, 50)))
            assert ArticleTokenizer().term_positions(text) == _token_positions(text), text
