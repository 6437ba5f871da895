"""Batch searching: reading a file of queries and writing TREC run lines."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from search.results import Results

RUN_TAG = "artsearch"


def read_batch(lines: Iterable[str]) -> Iterator[tuple[str, str]]:
    """``(query id, query)`` of each non-blank line: ``id<TAB>query``, or a query numbered from 1."""
    number = 0
    for raw in lines:
        line = raw.rstrip("\r\n")
        if not line.strip():
            continue
        number += 1
        qid, tab, text = line.partition("\t")
        yield (qid.strip(), text) if tab and qid.strip() else (str(number), line)


def read_batch_file(path: Path) -> list[tuple[str, str]]:
    """The queries of a batch file (UTF-8)."""
    with path.open(encoding="utf-8", errors="replace") as handle:
        return list(read_batch(handle))


def trec_lines(qid: str, results: Results, tag: str = RUN_TAG) -> list[str]:
    """The TREC run lines (``qid Q0 docid rank score tag``) of one query's results."""
    first = (results.page - 1) * results.limit
    return [
        f"{qid} Q0 {hit.id.replace(' ', '%20')} {rank} {hit.score:.6f} {tag}"
        for rank, hit in enumerate(results.hits, start=first + 1)
    ]
