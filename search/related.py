"""Related articles: content similarity, the site's link graph and categories, duplicates left out.

The score of a candidate article ``c`` for a source article ``s`` is

    similarity(s, c)                                  (see :mod:`search.similarity`, 1.0 = same terms)
    + LINK_WEIGHTS[kind]          if s links to c (Recommend, prev/next)
    + LINK_WEIGHTS[kind] × BACKLINK_FACTOR            if c links to s
    + CO_CITED_WEIGHT × min(n, CO_CITED_CAP)          if n articles link to both
    + SAME_CATEGORY_WEIGHT        if both have the same category

The source itself, its exact duplicates (same ``content_hash``), near-duplicates (SimHash within
:data:`indexer.fingerprint.NEAR_DUPLICATE_BITS` bits) and articles with nearly the same title are never
returned, and of several duplicates among the results only the best-ranked one is kept.
Ties are broken by article id, so results are deterministic (and the same after an update as
after a rebuild).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import Any

import numpy as np
import numpy.typing as npt

from indexer.article import Article, make_blurb
from indexer.documents import category_key, content_hash, link_key
from indexer.fingerprint import near_duplicates, simhash
from search.linkgraph import NEXT, PREV, RECOMMEND, LinkGraph
from search.similarity import IndexView

LINK_WEIGHTS = {RECOMMEND: 0.15, PREV: 0.1, NEXT: 0.1}
BACKLINK_FACTOR = 0.5
CO_CITED_WEIGHT = 0.03
CO_CITED_CAP = 3
SAME_CATEGORY_WEIGHT = 0.05
SAME_TITLE_RATIO = 0.92
SHARED_WORDS = 5
# how an inbound link reads from the source's side: a page whose "prev" is the source comes next
_INBOUND = {RECOMMEND: "recommended_by", PREV: NEXT, NEXT: PREV}
_BRACKETS = re.compile(r"\([^)]*\)|\[[^\]]*\]")


@dataclass(frozen=True)
class Source:
    """The article (or text) whose related articles are wanted."""

    title: str
    text: str
    docnum: int | None = None
    id: str | None = None
    url: str | None = None
    category: str = ""
    content_hash: str | None = None
    simhash: int = 0
    links: dict[str, Any] | None = None

    @property
    def keys(self) -> list[str]:
        """The link keys other articles use to link here (id and URL path)."""
        keys = [self.id.casefold()] if self.id else []
        if self.url:
            keys.append(link_key(self.url))
        return [k for k in dict.fromkeys(keys) if k]


@dataclass(frozen=True)
class Info:
    """What ranking needs to know of a candidate article (read once from its stored fields)."""

    id: str
    title: str
    url: str | None
    blurb: str
    category: str
    content_hash: str
    simhash: int
    title_key: str


@dataclass(frozen=True)
class Candidate:
    """A related article with its score and the reasons for it."""

    docnum: int
    score: float
    similarity: float
    shared: tuple[str, ...] = ()
    links: tuple[str, ...] = ()
    co_cited: int = 0
    same_category: bool = False
    info: Info | None = field(default=None, compare=False)

    def reasons(self) -> dict[str, Any]:
        """JSON reasons: shared key words, link kinds, co-citations, same category, similarity."""
        out: dict[str, Any] = {"shared_terms": list(self.shared), "similarity": round(self.similarity, 4)}
        out["linked"] = bool(self.links)
        if self.links:
            out["link"] = list(self.links)
        if self.co_cited:
            out["co_cited"] = self.co_cited
        out["same_category"] = self.same_category
        return out


def title_key(title: str) -> str:
    """A title reduced for comparison: case-folded words, bracketed asides dropped."""
    return " ".join(re.findall(r"\w+", _BRACKETS.sub(" ", title.casefold())))


def same_title(a: str, b: str) -> bool:
    """True when two title keys are equal or nearly so (a typo, a suffix)."""
    if not a or not b:
        return False
    if a == b:
        return True
    shorter, total = min(len(a), len(b)), len(a) + len(b)
    if shorter < 12 or 2 * shorter / total < SAME_TITLE_RATIO:
        return False
    if a[:3] != b[:3] and a[-3:] != b[-3:]:  # nearly equal titles keep their start or their end
        return False
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    return matcher.quick_ratio() >= SAME_TITLE_RATIO and matcher.ratio() >= SAME_TITLE_RATIO


def source_of_stored(docnum: int, stored: dict[str, Any]) -> Source:
    """The source of an indexed article, from its stored fields."""
    data = stored.get("data") or {}
    text = stored.get("text") or ""
    return Source(
        title=stored.get("title") or "",
        text=text,
        docnum=docnum,
        id=stored.get("id"),
        url=stored.get("url") or None,
        category=stored.get("category") or "",
        content_hash=stored.get("content_hash"),
        simhash=_simhash_of(data, text),
        links=data.get("links"),
    )


def source_of_article(article: Article) -> Source:
    """The source of a parsed page that may or may not be indexed."""
    return Source(
        title=article.title,
        text=article.text,
        id=article.id,
        url=article.url,
        category=category_key(article.category),
        content_hash=content_hash(article),
        simhash=simhash(article.text),
        links={
            "prev": article.links.prev,
            "next": article.links.next,
            "recommended": list(article.links.recommended),
        },
    )


def _simhash_of(data: dict[str, Any], text: str) -> int:
    stored = data.get("simhash")
    return int(stored, 16) if isinstance(stored, str) and stored else simhash(text)


class RelatedFinder:
    """Ranks related articles over one index snapshot (``cache=True`` for many calls in a row)."""

    def __init__(self, view: IndexView) -> None:
        self.view = view
        self.graph = LinkGraph(view)
        self._info: dict[int, Info] = {}
        self._category: dict[str, frozenset[int]] = {}
        self._member_arrays: dict[str, npt.NDArray[np.int64]] = {}

    def info(self, docnum: int) -> Info:
        """The ranking facts of an indexed article (cached)."""
        found = self._info.get(docnum)
        if found is None:
            stored = self.view.stored(docnum)
            text = stored.get("text") or ""
            title = stored.get("title") or ""
            found = Info(
                id=stored["id"],
                title=title,
                url=stored.get("url") or None,
                blurb=make_blurb(text),
                category=stored.get("category") or "",
                content_hash=stored.get("content_hash") or "",
                simhash=_simhash_of(stored.get("data") or {}, text),
                title_key=title_key(title),
            )
            if self.view.cache or len(self._info) < 10_000:
                self._info[docnum] = found
        return found

    def category_members(self, category: str) -> frozenset[int]:
        """Document numbers of the articles of a category."""
        found = self._category.get(category)
        if found is None:
            reader = self.view.reader
            ids: set[int] = set()
            if category and ("category", category) in reader:
                ids = {int(d) for d in reader.postings("category", category).all_ids()}
            found = frozenset(ids)
            self._category[category] = found
        return found

    def find(self, source: Source, limit: int) -> list[Candidate]:
        """The best ``limit`` related articles of ``source``, duplicates and itself left out."""
        vector = self.view.vector(source.title, source.text)
        similar, similarity = self.view.content_score_arrays(vector)
        graph = self.graph.links(source.docnum, source.keys, source.links)
        kinds: dict[int, list[str]] = {}
        bonus: dict[int, float] = {}
        for target, kind in graph.out.items():
            kinds.setdefault(target, []).append(kind)
            bonus[target] = bonus.get(target, 0.0) + LINK_WEIGHTS[kind]
        for origin, kind in graph.into.items():
            kinds.setdefault(origin, []).append(_INBOUND[kind])
            bonus[origin] = bonus.get(origin, 0.0) + LINK_WEIGHTS[kind] * BACKLINK_FACTOR
        for other, count in graph.cocited.items():
            bonus[other] = bonus.get(other, 0.0) + CO_CITED_WEIGHT * min(count, CO_CITED_CAP)
        members = self.category_members(source.category) if source.category else frozenset()
        docs, totals = _totals(similar, similarity, bonus)
        if members:
            totals[np.isin(docs, self._member_array(source.category))] += SAME_CATEGORY_WEIGHT
        picked = self._pick(source, _best_first(docs, totals, limit + 25, self.view.ranks()), limit)
        out = []
        for docnum, info in picked:
            at = int(np.searchsorted(similar, docnum))
            out.append(
                Candidate(
                    docnum=docnum,
                    score=float(totals[np.flatnonzero(docs == docnum)[0]]),
                    similarity=float(similarity[at]) if at < len(similar) and similar[at] == docnum else 0.0,
                    shared=tuple(self.view.shared_words(vector, docnum, SHARED_WORDS)),
                    links=tuple(dict.fromkeys(kinds.get(docnum, ()))),  # prev both ways is one prev
                    co_cited=graph.cocited.get(docnum, 0),
                    same_category=docnum in members,
                    info=info,
                )
            )
        return out

    def _member_array(self, category: str) -> npt.NDArray[np.int64]:
        """:meth:`category_members` as a sorted array (cached)."""
        found = self._member_arrays.get(category)
        if found is None:
            found = np.array(sorted(self.category_members(category)), dtype=np.int64)
            self._member_arrays[category] = found
        return found

    def _pick(self, source: Source, ordered: Iterator[int], limit: int) -> list[tuple[int, Info]]:
        """Walk candidates best first, skipping the source, its duplicates and duplicates of picks."""
        source_title = title_key(source.title)
        picked: list[tuple[int, Info]] = []
        for docnum in ordered:
            if len(picked) >= limit:
                break
            if docnum == source.docnum:
                continue
            info = self.info(docnum)
            if source.id is not None and info.id == source.id:
                continue
            if source.url and info.url == source.url:
                continue
            if _duplicate(info, source.content_hash, source.simhash, source_title):
                continue
            if any(_duplicate(info, p.content_hash, p.simhash, p.title_key) for _, p in picked):
                continue
            picked.append((docnum, info))
        return picked


def _totals(
    similar: npt.NDArray[np.int64], similarity: npt.NDArray[np.float64], bonus: dict[int, float]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]:
    """Every candidate (similar or linked) and its similarity plus link bonus (one addition each)."""
    if not bonus:
        return similar, similarity.copy()
    linked = np.fromiter(bonus, dtype=np.int64, count=len(bonus))
    extra = np.fromiter(bonus.values(), dtype=np.float64, count=len(bonus))
    at = np.minimum(np.searchsorted(similar, linked), max(len(similar) - 1, 0))
    known = similar[at] == linked if len(similar) else np.zeros(len(linked), dtype=bool)
    totals = similarity.copy()
    totals[at[known]] += extra[known]
    return np.concatenate([similar, linked[~known]]), np.concatenate([totals, 0.0 + extra[~known]])


def _best_first(
    docs: npt.NDArray[np.int64], totals: npt.NDArray[np.float64], head: int, ranks: npt.NDArray[np.int64]
) -> Iterator[int]:
    """Candidates by descending score (ties: article id, by ``ranks``); sorts all only if the
    first ``head`` run out."""
    negative = -totals
    first = np.arange(len(docs))
    if len(docs) > head:  # only those that can be among the head: not above the head-th score
        first = np.flatnonzero(negative <= np.partition(negative, head - 1)[head - 1])
    order = first[np.lexsort((docs[first], ranks[docs[first]], negative[first]))][:head]
    yield from docs[order].tolist()
    if len(order) < len(docs):
        everything = np.lexsort((docs, ranks[docs], negative))
        yield from docs[everything[len(order) :]].tolist()


def _duplicate(info: Info, hash_: str | None, fingerprint: int, key: str) -> bool:
    return (
        (bool(hash_) and info.content_hash == hash_)
        or near_duplicates(info.simhash, fingerprint)
        or same_title(info.title_key, key)
    )
