"""User query text → Whoosh query: the syntax users know, parsed leniently and bounded.

Syntax: bare words (OR-combined, articles matching more of them rank higher), ``"exact
phrases"``, ``AND``/``OR``/``NOT``, ``-word``, ``title:word``, ``category:x``, ``word*`` prefixes,
``word~`` fuzzy terms.
"""

from __future__ import annotations

import copy
import heapq
import itertools
import re
import unicodedata

from whoosh import qparser
from whoosh import query as wq
from whoosh.fields import Schema
from whoosh.reading import IndexReader

from indexer.errors import QueryError
from indexer.schema import TEXT_FIELDS
from search.livestats import LiveStats
from search.phrase import use_phrase_plugin
from search.postings import CachedFrequency
from search.ranking import FIELD_BOOSTS, QTF_POWER

MAX_QUERY_CHARS = 4000
MAX_EXPANSIONS = 64  # index terms a prefix, wildcard or fuzzy term may expand to
MAX_SCANNED = 20_000  # index terms scanned to choose them
HIGHLIGHTED_FIELDS = ("title", "text")  # the stored text fields whose terms snippets highlight
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_MINUS = re.compile(r"(^|\s)-(?=[^\s-])")
_SYNTAX = re.compile(r"[\"()*~^:\[\]{}]|\b(AND|OR|NOT|TO)\b")


def clean_query(text: str) -> str:
    """Strip control characters and normalise width; raise on empty or oversized queries."""
    text = unicodedata.normalize("NFKC", _CONTROL.sub(" ", text)).strip()
    if not text:
        raise QueryError(text, "empty query")
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(text, f"query too long ({len(text)} characters; limit {MAX_QUERY_CHARS})")
    return text


def make_parser(schema: Schema) -> qparser.QueryParser:
    """The parser of user queries over the text fields, with field boosts."""
    parser = qparser.MultifieldParser(
        list(TEXT_FIELDS), schema, fieldboosts=FIELD_BOOSTS, group=qparser.OrGroup.factory(0.9)
    )
    parser.add_plugin(qparser.FuzzyTermPlugin())
    parser.remove_plugin_class(qparser.BoostPlugin)
    # only ``word*`` prefixes: a ``?`` ending a natural-language question is not a wildcard
    parser.remove_plugin_class(qparser.WildcardPlugin)
    parser.add_plugin(qparser.PrefixPlugin())
    use_phrase_plugin(parser)  # CJK phrases as bigram chains (search/phrase.py)
    return parser


def parse_query(text: str, parser: qparser.QueryParser) -> wq.Query:
    """Parse ``text``; malformed syntax falls back to its plain words, never an exception.

    Raises:
        QueryError: the query is empty (or only stop words / syntax) or too long.
    """
    cleaned = clean_query(text)
    if cleaned.count('"') % 2:
        cleaned = cleaned.replace('"', " ")
    cleaned = _MINUS.sub(r"\1NOT ", cleaned)
    try:
        query = _parse(parser, cleaned)
    except Exception:  # whoosh's parser can raise on odd input; fall back to plain words
        query = None
    if query is None or _has_errors(query):
        plain = " ".join(_SYNTAX.sub(" ", cleaned).split())
        query = _parse(parser, plain) if plain else wq.NullQuery
    if query is wq.NullQuery or isinstance(query, type(wq.NullQuery)):
        raise QueryError(text, "no searchable words (only stop words or syntax)")
    return _restructure(query)


def _parse(parser: qparser.QueryParser, text: str) -> wq.Query:
    """Parse, weight repeated words, then normalise (which would otherwise drop the repeats)."""
    return weight_repeats(parser.parse(text, normalize=False)).normalize()


def weight_repeats(query: wq.Query) -> wq.Query:
    """Merge repeated clauses of each group into one clause boosted by its count ``** QTF_POWER``.

    A word a long query repeats is what the query is about (query term frequency, as in BM25's
    ``qtf``): ``titles ... titles ... titles`` weighs ``titles`` more than a word said once.
    """

    def visit(node: wq.Query) -> wq.Query:
        if not isinstance(node, (wq.Or, wq.And)):
            return node
        counts: dict[wq.Query, int] = {}
        for child in node.subqueries:
            counts[child] = counts.get(child, 0) + 1
        if len(counts) == len(node.subqueries):
            return node
        merged = [c if n == 1 else c.with_boost(c.boost * n**QTF_POWER) for c, n in counts.items()]
        clone = copy.copy(node)
        clone.subqueries = merged
        return clone

    return query.accept(visit)


FILTER_FIELDS = frozenset({"category", "lang", "date", "id", "url"})


def _restructure(query: wq.Query) -> wq.Query:
    """Give OR groups the meaning users expect of ``NOT x`` and ``field:value`` filters.

    In an OR group, ``NOT x`` excludes (``AndNot``) rather than matching everything without
    ``x``, and terms on filter fields (``category:``, ``lang:``...) are required.
    """

    def visit(node: wq.Query) -> wq.Query:
        if not isinstance(node, wq.Or):
            return node
        nots = [c.query for c in node.subqueries if isinstance(c, wq.Not)]
        filters = [c for c in node.subqueries if _is_filter(c)]
        rest = [c for c in node.subqueries if not isinstance(c, wq.Not) and not _is_filter(c)]
        if not nots and not filters:
            return node
        positive: wq.Query = (
            node.__class__(rest, boost=node.boost, scale=getattr(node, "scale", None))
            if len(rest) > 1
            else rest[0]
            if rest
            else wq.Every()
        )
        if filters:
            positive = (
                wq.And([positive, *filters]) if rest else wq.And(filters) if len(filters) > 1 else filters[0]
            )
        if nots:
            positive = wq.AndNot(positive, wq.Or(nots) if len(nots) > 1 else nots[0])
        return positive

    return query.accept(visit)


def _is_filter(node: wq.Query) -> bool:
    return isinstance(node, wq.Term) and node.fieldname in FILTER_FIELDS


def _has_errors(query: wq.Query) -> bool:
    stack = [query]
    while stack:
        node = stack.pop()
        if getattr(node, "error", None):
            return True
        stack.extend(node.children())
    return False


def expand_multiterms(query: wq.Query, reader: IndexReader, stats: LiveStats | None = None) -> wq.Query:
    """Replace prefix, wildcard and fuzzy terms by an OR of their most frequent index terms.

    Bounds the work of ``a* b* c*`` on a large vocabulary: each expands to at most
    ``MAX_EXPANSIONS`` terms, chosen by document frequency among the first ``MAX_SCANNED``.
    With ``stats``, frequencies count live documents only and terms left only by deleted
    documents are skipped (the expansion of a rebuilt index).
    """
    doc_frequency = stats.doc_frequency if stats is not None else reader.doc_frequency

    def replace(node: wq.Query) -> wq.Query:
        if not isinstance(node, wq.MultiTerm) or isinstance(node, wq.Variations):
            return node
        field = node.fieldname
        texts = node._btexts(reader)
        if stats is not None and stats.has_deletions:
            texts = (t for t in texts if stats.doc_frequency(field, t))
        scanned = itertools.islice(texts, MAX_SCANNED)
        ranked = heapq.nlargest(MAX_EXPANSIONS, scanned, key=lambda t: doc_frequency(field, t))
        decode = reader.schema[field].from_bytes
        texts = sorted(decode(t) if isinstance(t, bytes) else t for t in ranked)
        terms = [wq.Term(field, t, boost=node.boost) for t in texts]
        if not terms:
            return wq.NullQuery
        return terms[0] if len(terms) == 1 else wq.Or(terms)

    return query.accept(replace)


def query_terms(
    query: wq.Query, reader: IndexReader, known: CachedFrequency | None = None
) -> set[str]:
    """The index terms of the text fields that ``query`` matches (prefixes and fuzzy expanded).

    ``known`` gives a term's live document frequency when it is at hand (postings the search has
    just read), sparing the look-up in every segment; a term no live document holds cannot be
    highlighted in a hit, so leaving it out changes no snippet.
    """
    terms: set[str] = set()
    try:
        # per leaf: Query.existing_terms reuses its `fieldname` argument as a loop variable, so
        # over a whole tree it drops every field but the first leaf's (Whoosh 2.7 bug)
        pairs = set()
        for leaf in query.leaves():
            if type(leaf) is wq.Term and known is not None and isinstance(leaf.text, str):
                if leaf.fieldname not in HIGHLIGHTED_FIELDS:
                    continue
                frequency = known(leaf.fieldname, leaf.text)
                if frequency is not None:
                    if frequency:
                        pairs.add((leaf.fieldname, leaf.text))
                    continue
            pairs.update(leaf.existing_terms(reader, phrases=True, expand=True))
    except Exception:  # pragma: no cover - defensive: highlighting must not fail a search
        pairs = query.all_terms(phrases=True)
    for field, text in pairs:
        if field in HIGHLIGHTED_FIELDS and isinstance(text, str):
            terms.add(text)
        elif field in HIGHLIGHTED_FIELDS and isinstance(text, bytes):
            terms.add(text.decode("utf-8", "replace"))
    return terms
