"""``Engine``: the one facade over an artsearch index — build, search, related, get, stats."""

from __future__ import annotations

import logging
import os
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any, Literal

from whoosh import index as whoosh_index
from whoosh import query as wq
from whoosh.collectors import (
    CollapseCollector,
    Collector,
    SortingCollector,
)
from whoosh.index import Index
from whoosh.searching import Searcher
from whoosh.sorting import FieldFacet

from indexer import store
from indexer.analysis import analyze
from indexer.article import Article
from indexer.check import CheckReport, check_index
from indexer.corpus import read_page
from indexer.documents import article_from_fields, content_hash
from indexer.errors import (
    ArtsearchError,
    IndexMissingError,
    IndexVersionError,
    QueryError,
    UnknownArticleError,
)
from indexer.extract.profile import PROFILE_NAME, load_profile
from indexer.fingerprint import simhash
from indexer.parse import parse_article
from indexer.update import UpdateReport, update_index
from indexer.writer import BuildReport, build_index
from search import query as user_query
from search.collect import ExactTopCollector
from search.fastpath import FastResults, run_matched
from search.fastpath import run as run_fast
from search.filters import SORTS, category_facets, filter_query
from search.livestats import live_stats
from search.plainquery import plain_query
from search.postings import IndexArrays
from search.ranking import weighting
from search.related import Candidate, RelatedFinder, Source, source_of_article, source_of_stored
from search.results import Hit, IndexStats, Related, RelatedArticle, Results
from search.scorer import Scorer, Unsupported, plan
from search.similarity import IndexView
from search.snippets import make_snippet
from search.suggest import suggest

logger = logging.getLogger(__name__)

DEFAULT_INDEX = ".artsearch"
MAX_LIMIT = 1000
MAX_PAGE = 10_000
SUGGEST_BELOW = 3  # below this many results, rare words get spelling suggestions too (unknown ones always)


def default_index_dir() -> Path:
    """``$ARTSEARCH_INDEX`` if set, else ``./.artsearch``."""
    return Path(os.environ.get("ARTSEARCH_INDEX") or DEFAULT_INDEX)


class Engine:
    """Search, related articles and index management for one index folder.

    >>> engine = Engine("my-index")                      # doctest: +SKIP
    >>> engine.build("corpus")                           # doctest: +SKIP
    >>> engine.search("postpartum back pain").hits[0].id  # doctest: +SKIP
    'postpartum/back-pain-treatment'

    An Engine opens its searcher lazily, keeps it between calls and notices when a rebuild
    has been swapped in by another process. Use it as a context manager or call :meth:`close`.
    """

    def __init__(self, index_dir: str | Path | None = None) -> None:
        self.index_dir = Path(index_dir) if index_dir is not None else default_index_dir()
        self._lock = threading.RLock()
        self._ix: Index | None = None
        self._searcher: Searcher | None = None
        self._pointer: tuple[int, int] | None = None
        self._meta: dict[str, Any] = {}
        self._parser: Any = None
        self._related_finder: RelatedFinder | None = None
        self._scorer: Scorer | None = None
        # score the queries it can answer exactly with numpy (search/scorer.py); False: Whoosh only
        self.fast = True

    # -- lifecycle -------------------------------------------------------------------------

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the open searcher and index (they reopen on the next call)."""
        with self._lock:
            if self._searcher is not None:
                self._searcher.close()
            if self._ix is not None:
                self._ix.close()
            self._searcher = self._ix = None
            self._pointer = None

    def exists(self) -> bool:
        """True when an index has been built at ``index_dir``."""
        return store.pointer_state(self.index_dir) is not None

    def needs_build(self, corpus_dir: str | Path) -> Literal["missing", "outdated"] | None:
        """Whether ``corpus_dir`` must be built here before a search can run.

        ``"missing"``: no index yet; ``"outdated"``: the index here was built from ``corpus_dir``
        by a version of artsearch whose schema this one cannot read. ``None`` otherwise, also for an
        outdated index of another corpus (rebuilding that one is its owner's call).
        """
        if not self.exists():
            return "missing"
        try:
            store.read_meta(store.current_generation(self.index_dir), self.index_dir)
        except IndexVersionError as exc:
            if exc.corpus is not None and Path(exc.corpus) == Path(corpus_dir).resolve():
                return "outdated"
        except ArtsearchError:
            pass  # a broken index: searching reports it
        return None

    def _open(self) -> Searcher:
        """The current searcher, reopened if a new generation was published or segments changed."""
        with self._lock:
            pointer = store.pointer_state(self.index_dir)
            if pointer is None:
                self.close()
                raise IndexMissingError(self.index_dir, "no index here (run `artsearch build` first)")
            if self._searcher is None or pointer != self._pointer:
                self.close()
                gen = store.current_generation(self.index_dir)
                self._meta = store.read_meta(gen, self.index_dir)
                self._ix = whoosh_index.open_dir(str(gen))
                self._searcher = self._ix.searcher(weighting=weighting())
                self._parser = user_query.make_parser(self._ix.schema)
                self._pointer = pointer
                self._scorer = None
            elif not self._searcher.up_to_date():
                self._searcher = self._searcher.refresh()
                self._scorer = None
            return self._searcher

    # -- building --------------------------------------------------------------------------

    def build(
        self,
        corpus_dir: str | Path,
        *,
        workers: int | None = None,
        strict: bool = False,
        wait: float = 0.0,
        progress: Callable[[int, int], None] | None = None,
    ) -> BuildReport:
        """Rebuild the index from ``corpus_dir`` (atomic: readers see old or new, never partial).

        Raises:
            CorpusError, BuildError, IndexLockedError: see :func:`indexer.writer.build_index`.
        """
        report = build_index(
            Path(corpus_dir), self.index_dir, workers=workers, strict=strict, wait=wait, progress=progress
        )
        return report

    def update(
        self,
        corpus_dir: str | Path,
        *,
        workers: int | None = None,
        strict: bool = False,
        wait: float = 0.0,
        exact: bool = True,
        progress: Callable[[int, int], None] | None = None,
    ) -> UpdateReport:
        """Re-index only new and changed pages of ``corpus_dir``, drop deleted ones (atomic swap).

        Raises:
            CorpusError, BuildError, IndexLockedError, IndexVersionError:
                see :func:`indexer.update.update_index`.
        """
        return update_index(
            Path(corpus_dir),
            self.index_dir,
            workers=workers,
            strict=strict,
            wait=wait,
            exact=exact,
            progress=progress,
        )

    def check(self, corpus_dir: str | Path | None = None) -> CheckReport:
        """Compare the index with ``corpus_dir`` (default: the corpus it was built from).

        Raises:
            IndexMissingError, IndexVersionError, CorpusError: see :func:`indexer.check.check_index`.
        """
        return check_index(self.index_dir, Path(corpus_dir) if corpus_dir is not None else None)

    # -- querying --------------------------------------------------------------------------

    def search(
        self,
        query: str,
        limit: int = 10,
        page: int = 1,
        *,
        category: str | None = None,
        lang: str | None = None,
        after: str | None = None,
        before: str | None = None,
        sort: str = "relevance",
        correct: bool = True,
    ) -> Results:
        """Rank articles for ``query``; returns one page of hits with snippets and category facets.

        ``after``/``before`` (``YYYY-MM-DD``, inclusive) keep articles dated in that range;
        ``sort="date"`` orders by date, newest first (equal dates by score). When the query finds
        little and a close spelling exists, ``suggestion`` holds the corrected query; when it finds
        nothing (and ``correct``), the results are those of the corrected query and ``corrected``
        is true.

        Raises:
            QueryError: the query is empty, too long, or has no searchable words; a bad date or sort.
            IndexMissingError: no index has been built.
        """
        _check_range("limit", limit, 1, MAX_LIMIT)
        _check_range("page", page, 1, MAX_PAGE)
        if sort not in SORTS:
            raise QueryError(sort, f"sort must be one of {', '.join(SORTS)}")
        started = time.perf_counter()
        with self._lock:
            searcher = self._open()
            # plain words skip Whoosh's query parser (the same query, see search/plainquery.py)
            parsed = plain_query(query, searcher.schema) or user_query.parse_query(query, self._parser)
            parsed = user_query.expand_multiterms(parsed, searcher.reader(), live_stats(searcher))
            allow = filter_query(category=category, lang=lang, after=after, before=before)
            fast = self._fast_search(searcher, parsed, allow, limit * page, by_date=sort == "date")
            cached = self._scorer_of(searcher).arrays.cached_frequency  # the words' postings just read
            terms = user_query.query_terms(parsed, searcher.reader(), cached if fast is not None else None)
            if fast is not None:
                window = slice((page - 1) * limit, page * limit)
                hits = [
                    self._hit_of(searcher.stored_fields(d), s, terms)
                    for d, s in zip(fast.docnums[window], fast.scores[window], strict=True)
                ]
                facets = {"category": fast.categories}
            else:
                hits, facets = self._whoosh_search(searcher, parsed, allow, terms, limit, page, sort)
            total = sum(facets["category"].values())  # matches, exact duplicates counted once
            correction = suggest(query, searcher, rare=total < SUGGEST_BELOW, cached=cached)
        if correction is not None and total == 0 and correct:
            fixed = self.search(
                correction.query, limit, page, category=category, lang=lang,
                after=after, before=before, sort=sort, correct=False,
            )  # fmt: skip
            return replace(fixed, query=query, suggestion=correction.query, corrected=True)
        took = (time.perf_counter() - started) * 1000
        return Results(
            query=query,
            total=total,
            page=page,
            limit=limit,
            took_ms=took,
            hits=hits,
            suggestion=correction.query if correction else None,
            facets=facets,
        )

    def _whoosh_search(
        self, searcher: Searcher, parsed: wq.Query, allow: wq.Query | None, terms: set[str],
        limit: int, page: int, sort: str,
    ) -> tuple[list[Hit], dict[str, dict[str, int]]]:  # fmt: skip
        """One page of hits and the category facets, by Whoosh's matchers and collectors."""
        top: Collector = (
            SortingCollector(FieldFacet("date", reverse=True), limit * page)
            if sort == "date"
            else ExactTopCollector(
                limit * page, ranks=self._scorer_of(searcher).arrays.ranks, facet=searcher.reader().column_reader("category")
            )
        )
        collector: Collector = CollapseCollector(top, "content_hash", limit=1, order=FieldFacet("id"))
        # filters go into the query (scored by ``parsed`` alone): Whoosh's FilterCollector
        # wrapped around a CollapseCollector bypasses the collapsing
        filtered = parsed if allow is None else wq.Require(parsed, allow)
        searcher.search_with_collector(filtered, collector)
        found = collector.results()
        hits = [self._hit(h, terms) for h in found[(page - 1) * limit : page * limit]]
        if isinstance(top, ExactTopCollector):
            counts = {k: v for k, v in top.counts.items() if v > 0}
            facets = {"category": dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))}
        else:
            facets = {"category": category_facets(searcher, parsed, allow)}
        return hits, facets

    def _fast_search(
        self, searcher: Searcher, parsed: wq.Query, allow: wq.Query | None, limit: int, *, by_date: bool = False
    ) -> FastResults | None:
        """The top ``limit`` by numpy scoring (matches found by the numpy plan, or by Whoosh's matchers
        when the query has no plan or ``fast`` is off), or ``None`` when the weighting model is
        not the one the numpy scorer reproduces."""
        scorer = self._scorer_of(searcher)
        mask = scorer.arrays.filter_mask(allow) if allow is not None else None
        scoring_plan = plan(parsed) if self.fast else None
        try:
            if scoring_plan is not None:
                return run_fast(scorer, scoring_plan, limit, mask, by_date)
            # phrases and the rest: Whoosh's matchers find the documents, numpy scores them
            matched = scorer.arrays.mask(list(searcher.docs_for_query(parsed))) & scorer.arrays.live
            return run_matched(scorer, parsed, matched, limit, mask, by_date)
        except Unsupported as exc:  # a weighting model the numpy formula does not reproduce
            logger.debug("numpy path declined: %s", exc)
            return None

    def _scorer_of(self, searcher: Searcher) -> Scorer:
        """The numpy scorer (and posting arrays, shared with related) of the current searcher."""
        if self._scorer is None or self._scorer.searcher is not searcher:
            self._scorer = Scorer(IndexArrays(searcher), searcher)
        return self._scorer

    def _hit(self, hit: Any, terms: set[str]) -> Hit:
        return self._hit_of(hit.fields(), hit.score, terms)

    @staticmethod
    def _hit_of(stored: dict[str, Any], score: Any, terms: set[str]) -> Hit:
        return Hit(
            id=stored["id"],
            title=stored.get("title", ""),
            url=stored.get("url") or None,
            score=float(score),
            snippet=make_snippet(stored.get("text", ""), terms),
            category=(stored.get("data") or {}).get("category"),
            date=stored.get("date") or None,
            lang=stored.get("lang") or None,
        )

    def get(self, article_id: str) -> Article:
        """The stored article with this id.

        Raises:
            UnknownArticleError: no such id in the index.
        """
        with self._lock:
            searcher = self._open()
            stored = searcher.document(id=article_id)
            if stored is None:
                raise UnknownArticleError(article_id)
            return article_from_fields(stored)

    def related(self, article_id: str, limit: int = 10) -> Related:
        """Articles related to the article ``article_id`` (never itself nor its duplicates).

        Raises:
            UnknownArticleError: no such id in the index.
        """
        _check_range("limit", limit, 1, MAX_LIMIT)
        with self._lock:
            finder = self._finder()
            docnum = finder.view.searcher.document_number(id=article_id)
            if docnum is None:
                raise UnknownArticleError(article_id)
            source = source_of_stored(docnum, finder.view.stored(docnum))
            return Related(article_id, [_related_article(c) for c in finder.find(source, limit)])

    def related_to_text(self, text: str, limit: int = 10, *, title: str = "") -> Related:
        """Articles related to a draft or any text (``id`` of the result is ``None``).

        Raises:
            QueryError: the text has no searchable words.
        """
        _check_range("limit", limit, 1, MAX_LIMIT)
        if not analyze(f"{title} {text}"):
            raise QueryError(text[:80], "the text has no searchable words")
        source = Source(title=title, text=text, content_hash=_text_hash(text), simhash=simhash(text))
        with self._lock:
            found = self._finder().find(source, limit)
            return Related(None, [_related_article(c) for c in found])

    def related_to_page(self, path: str | Path, limit: int = 10) -> Related:
        """Articles related to the article of a page file (an indexed copy of it left out).

        Raises:
            PageError: the file cannot be read or holds no article.
        """
        _check_range("limit", limit, 1, MAX_LIMIT)
        article = self.extract(path)
        with self._lock:
            found = self._finder().find(source_of_article(article), limit)
            return Related(article.id, [_related_article(c) for c in found])

    def related_all(
        self, limit: int = 10, *, progress: Callable[[int, int], None] | None = None
    ) -> Iterator[Related]:
        """Related articles of every article, by id, in one pass (same results as :meth:`related`)."""
        _check_range("limit", limit, 1, MAX_LIMIT)
        with self._lock:
            searcher = self._open()
            arrays = self._scorer_of(searcher).arrays
            finder = RelatedFinder(IndexView(searcher, cache=True, arrays=arrays))
            order = sorted(arrays.docnums_by_id().items())  # live articles by id, from the id column
        for done, (article_id, docnum) in enumerate(order, start=1):
            with self._lock:
                source = source_of_stored(docnum, finder.view.stored(docnum))
                found = finder.find(source, limit)
            yield Related(article_id, [_related_article(c) for c in found])
            if progress is not None:
                progress(done, len(order))

    def _finder(self) -> RelatedFinder:
        """The related-article finder of the current searcher (kept while the searcher is)."""
        searcher = self._open()
        finder = self._related_finder
        if finder is None or finder.view.searcher is not searcher:
            finder = RelatedFinder(IndexView(searcher, arrays=self._scorer_of(searcher).arrays))
            self._related_finder = finder
        return finder

    def stats(self) -> IndexStats:
        """Counts and build facts of the index."""
        with self._lock:
            searcher = self._open()
            gen = store.current_generation(self.index_dir)
            reader = searcher.reader()
            # the sortable columns, not the stored documents (which hold the whole text)
            category_column, lang_column = reader.column_reader("category"), reader.column_reader("lang")
            live = list(reader.all_doc_ids())
            categories = Counter(category_column[d] or "" for d in live)
            languages = Counter(lang_column[d] or "" for d in live)
            size = sum(f.stat().st_size for f in gen.iterdir() if f.is_file())
            meta = self._meta
            return IndexStats(
                index_dir=str(self.index_dir),
                articles=searcher.doc_count(),
                generation=gen.name,
                built_at=meta.get("built_at"),
                corpus=meta.get("corpus"),
                schema_version=int(meta.get("schema_version", 0)),
                size_bytes=size,
                categories=dict(sorted(categories.items())),
                languages=dict(sorted(languages.items())),
                skipped=list(meta.get("skipped", [])),
            )

    @staticmethod
    def extract(path: str | Path) -> Article:
        """What the indexer extracts from one page file (no index needed).

        The site profile (``artsearch.toml``) of the nearest folder above the page that has one
        applies, as it does when that folder is indexed.

        Raises:
            PageError: the file cannot be read or holds no article.
            CorpusError: the site profile found is invalid.
        """
        page = Path(path)
        data = read_page(page)
        root = next((d for d in page.resolve().parents if (d / PROFILE_NAME).is_file()), None)
        profile = load_profile(root) if root is not None else None
        return parse_article(data, source=str(page), profile=profile)


def _related_article(candidate: Candidate) -> RelatedArticle:
    info = candidate.info
    assert info is not None
    return RelatedArticle(
        id=info.id,
        title=info.title,
        url=info.url,
        score=candidate.score,
        blurb=info.blurb,
        reasons=candidate.reasons(),
    )


def _text_hash(text: str) -> str:
    return content_hash(Article(id="", title="", paragraphs=(text,)))


def _check_range(name: str, value: int, low: int, high: int) -> None:
    if not low <= value <= high:
        raise ArtsearchError(f"{name} must be between {low} and {high} (got {value})")
