"""Related articles: key terms of an article (or a text) turned into a weighted query."""

from __future__ import annotations

from dataclasses import dataclass

from whoosh import query as wq
from whoosh.collectors import TermsCollector, TopCollector
from whoosh.searching import Searcher

from indexer.cjk import is_cjk_char

KEY_TERMS = 25
TITLE_TERMS = 8


@dataclass(frozen=True)
class Candidate:
    """A related document found by the key-term query, with the key terms it shares."""

    docnum: int
    score: float
    shared: tuple[str, ...]


def key_terms_query(
    searcher: Searcher, docnum: int | None = None, text: str | None = None
) -> tuple[wq.Query, list[str]]:
    """A weighted OR of the key terms of a stored article (``docnum``) or of ``text``."""
    if docnum is not None:
        body = searcher.key_terms([docnum], "text", numterms=2 * KEY_TERMS)
        title = searcher.key_terms([docnum], "title", numterms=2 * TITLE_TERMS)
    else:
        body = searcher.key_terms_from_text("text", text or "", numterms=2 * KEY_TERMS)
        title = []
    # one-character CJK terms (index-time unigrams) are too common to say what an article is about
    body = [(t, w) for t, w in body if not is_cjk_char(t)][:KEY_TERMS]
    title = [(t, w) for t, w in title if not is_cjk_char(t)][:TITLE_TERMS]
    subqueries = [wq.Term("text", term, boost=weight) for term, weight in body]
    subqueries += [wq.Term("title", term, boost=weight) for term, weight in title]
    terms = sorted({t for t, _ in body} | {t for t, _ in title})
    return wq.Or(subqueries), terms


def find_related(
    searcher: Searcher,
    limit: int,
    *,
    docnum: int | None = None,
    text: str | None = None,
) -> list[Candidate]:
    """The best ``limit`` related documents, never the article itself nor its exact duplicates."""
    query, terms = key_terms_query(searcher, docnum=docnum, text=text)
    if not terms:
        return []
    excluded_hash = None
    if docnum is not None:
        excluded_hash = searcher.stored_fields(docnum).get("content_hash")
    collector = TermsCollector(TopCollector(limit + 20, usequality=False))
    searcher.search_with_collector(query, collector)
    out: list[Candidate] = []
    for hit in collector.results():
        if hit.docnum == docnum or (excluded_hash and hit.get("content_hash") == excluded_hash):
            continue
        shared = sorted({_text(t) for _, t in hit.matched_terms()})
        out.append(Candidate(hit.docnum, hit.score, tuple(shared)))
        if len(out) >= limit:
            break
    return out


def _text(term: bytes | str) -> str:
    return term.decode("utf-8") if isinstance(term, bytes) else term
