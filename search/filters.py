"""Search filters (category, language, date range) and the category facet counts."""

from __future__ import annotations

import re
from collections import Counter

from whoosh import query as wq
from whoosh.searching import Searcher

from indexer.documents import category_key
from indexer.errors import QueryError

_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
SORTS = ("relevance", "date")


def parse_date(value: str, *, end: bool = False) -> str:
    """``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` as a full date (the period's first day, or last if ``end``).

    Raises:
        QueryError: not one of those forms.
    """
    match = _DATE.match(value.strip())
    if not match:
        raise QueryError(value, "dates are YYYY-MM-DD (or YYYY-MM, YYYY)")
    year, month, day = match.groups()
    if (month and not 1 <= int(month) <= 12) or (day and not 1 <= int(day) <= 31):
        raise QueryError(value, "no such date")
    month = month or ("12" if end else "01")
    day = day or ("31" if end else "01")
    return f"{year}-{month}-{day}"


def filter_query(
    *,
    category: str | None = None,
    lang: str | None = None,
    after: str | None = None,
    before: str | None = None,
) -> wq.Query | None:
    """The query that allowed articles must match, or ``None`` when nothing is filtered.

    ``after`` and ``before`` are inclusive; articles without a date are left out when either is set.
    """
    parts: list[wq.Query] = []
    if category:
        parts.append(wq.Term("category", category_key(category)))
    if lang:
        parts.append(wq.Term("lang", lang.strip().lower()))
    if after or before:
        low = parse_date(after) if after else "0000-00-00"
        high = parse_date(before, end=True) if before else "9999-99-99"
        if low > high:
            raise QueryError(f"{after}..{before}", "--after is later than --before")
        parts.append(wq.TermRange("date", low, high))
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else wq.And(parts)


def category_facets(searcher: Searcher, query: wq.Query, allow: wq.Query | None) -> dict[str, int]:
    """Matching articles per category key (duplicates counted once, like the results)."""
    reader = searcher.reader()
    allowed = set(allow.docs(searcher)) if allow is not None else None
    categories = reader.column_reader("category")
    hashes = reader.column_reader("content_hash")
    seen: set[str] = set()
    counts: Counter[str] = Counter()
    for docnum in query.docs(searcher):
        if allowed is not None and docnum not in allowed:
            continue
        key = hashes[docnum]
        if key in seen:
            continue
        seen.add(key)
        counts[categories[docnum] or ""] += 1
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
