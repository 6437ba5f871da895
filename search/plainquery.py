"""A shortcut for the commonest queries: plain words, no syntax.

``plain_query("postpartum back pain", schema)`` builds the very query :func:`search.query.parse_query`
would (an OR over the text fields with their boosts, repeated words weighted by ``n ** QTF_POWER``),
without Whoosh's query parser, which costs about half a millisecond per query. Anything that is not
ASCII letters and digits separated by spaces, has an upper-case word that could be an operator
(``AND``, ``NOT``...), or has a word that analyses to more than one term returns ``None``: the full
parser handles it. ``tests/test_plainquery.py`` checks both give equal queries on many queries.
"""

from __future__ import annotations

import re

from whoosh import query as wq
from whoosh.fields import Schema

from indexer.schema import TEXT_FIELDS
from search.query import MAX_QUERY_CHARS
from search.ranking import FIELD_BOOSTS, QTF_POWER

_PLAIN = re.compile(r" *[A-Za-z0-9]+(?: +[A-Za-z0-9]+)* *")


def plain_query(text: str, schema: Schema) -> wq.Query | None:
    """The parsed query of plain ``text``, or ``None`` when the full parser is needed."""
    if len(text) > MAX_QUERY_CHARS or not _PLAIN.fullmatch(text):
        return None
    counts: dict[str, int] = {}
    for word in text.split():
        if len(word) > 1 and word.isupper():
            return None  # AND, OR, NOT, ANDNOT, REQUIRE...: let the parser decide
        found = {tuple(schema[f].process_text(word, mode="query")) for f in TEXT_FIELDS}
        if len(found) != 1:
            return None
        (tokens,) = found
        if len(tokens) > 1:
            return None
        if tokens:
            counts[tokens[0]] = counts.get(tokens[0], 0) + 1
    terms = []
    for term, n in counts.items():
        group_boost = 1.0 if n == 1 else 1.0 * n**QTF_POWER
        for field in TEXT_FIELDS:
            boost = FIELD_BOOSTS.get(field, 1.0)
            terms.append(wq.Term(field, term, boost=boost if n == 1 else boost * group_boost))
    if not terms:
        return None
    return terms[0] if len(terms) == 1 else wq.Or(terms)
