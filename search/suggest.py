"""Did you mean: close spellings of a query's words that the index knows, as real words.

The index holds stems (``pregnanc``), so candidates are found among the indexed terms and then
shown in a form read from an article that contains them (``pregnancy``), never as a stem.
"""

from __future__ import annotations

import re
import weakref
from collections import Counter
from dataclasses import dataclass

from whoosh.reading import IndexReader
from whoosh.searching import Searcher

from indexer.analysis import STOP_WORDS, ArticleTokenizer, fold, normalise_word
from search.livestats import LiveStats, live_stats
from search.postings import CachedFrequency
from search.snippets import written_forms
from search.vocabulary import Vocabulary

MAX_DISTANCE = 2  # edits between a typed word and a suggestion
RARE_DF = 2  # a word in at most this many articles may be a typo of a much commoner one
COMMONER = 20  # ... when the suggestion is in this many times more articles
SAMPLE_DOCS = 3  # articles read to find how a suggested stem is written
FIELDS = ("text", "title")
_WORD = re.compile(r"(?<![\w:*~-])([^\W\d_]{3,})(?![\w:*~])")
_OPERATORS = frozenset({"AND", "OR", "NOT", "TO"})
_TOKENIZER = ArticleTokenizer()
MAX_MEMO = 10_000  # corrections remembered per open searcher
_MEMO: weakref.WeakKeyDictionary[Searcher, dict[tuple[str, int], str | None]] = weakref.WeakKeyDictionary()
_SURFACES: weakref.WeakKeyDictionary[Searcher, dict[str, str | None]] = weakref.WeakKeyDictionary()
_VOCABULARIES: weakref.WeakKeyDictionary[Searcher, Vocabulary] = weakref.WeakKeyDictionary()


@dataclass(frozen=True)
class Correction:
    """A query with misspelt words replaced: the new query text and the words changed."""

    query: str
    changes: tuple[tuple[str, str], ...]


def suggest(
    query: str, searcher: Searcher, *, rare: bool = True, cached: CachedFrequency | None = None
) -> Correction | None:
    """The query with each unknown (or, if ``rare``, rare) word replaced by a close, commoner index word.

    Only plain words are checked (not field names, prefixes or fuzzy terms; words of phrases are).
    ``cached`` gives a word's live document frequency when it is at hand (the postings the search
    just read), sparing the look-up in every segment's term table. Returns ``None`` when no word
    needs or has a correction.
    """
    changes: dict[str, str] = {}
    for match in _WORD.finditer(query):
        word = match.group(1)
        if word in _OPERATORS or fold(word) in STOP_WORDS or word in changes:
            continue
        fixed = _memo_correct(word, searcher, RARE_DF if rare else 0, cached)
        if fixed is not None:
            changes[word] = fixed
    if not changes:
        return None
    text = _WORD.sub(lambda m: changes.get(m.group(1), m.group(1)), query)
    return Correction(text, tuple(changes.items()))


def _df(stats: LiveStats, stem: str, cached: CachedFrequency | None = None) -> int:
    """In how many live articles' text or title the stem occurs (the larger count)."""
    counts = []
    for field in FIELDS:
        known = cached(field, stem) if cached is not None else None
        counts.append(stats.doc_frequency(field, stem) if known is None else known)
    return max(counts)


def _memo_correct(word: str, searcher: Searcher, rare_df: int, cached: CachedFrequency | None) -> str | None:
    """:func:`_correct`, remembered while the searcher is open (its terms do not change)."""
    memo = _MEMO.setdefault(searcher, {})
    key = (word, rare_df)
    if key not in memo:
        if len(memo) >= MAX_MEMO:
            memo.clear()
        memo[key] = _correct(word, searcher, rare_df, cached)
    return memo[key]


def _correct(word: str, searcher: Searcher, rare_df: int, cached: CachedFrequency | None) -> str | None:
    reader = searcher.reader()
    stats = live_stats(searcher)
    stem = normalise_word(word)
    own = _df(stats, stem, cached)
    if own > rare_df:
        return None
    folded = fold(word)
    best: tuple[int, int, str] | None = None
    for candidate in _candidates(_vocabulary(searcher, reader), stem):
        df = _df(stats, candidate)
        if df <= own * COMMONER:
            continue
        surface = _memo_surface(searcher, candidate)
        if surface is None or surface == folded:
            continue
        distance = edit_distance(folded, surface)
        if distance > MAX_DISTANCE:
            continue
        key = (distance, -df, surface)
        if best is None or key < best:
            best = key
    return best[2] if best else None


def _vocabulary(searcher: Searcher, reader: IndexReader) -> Vocabulary:
    """The term look-up of the searcher's reader, kept while the searcher is open."""
    vocabulary = _VOCABULARIES.get(searcher)
    if vocabulary is None or vocabulary.reader is not reader:
        vocabulary = _VOCABULARIES[searcher] = Vocabulary(reader)
    return vocabulary


def _candidates(vocabulary: Vocabulary, stem: str) -> set[str]:
    """Index stems close to ``stem`` (one edit more than allowed: stemming shortens words)."""
    found: set[str] = set()
    for field in FIELDS:
        for dist, prefix in ((MAX_DISTANCE, 1), (MAX_DISTANCE + 1, 2)):
            found.update(vocabulary.terms_within(field, stem, dist, prefix))
    found.discard(stem)
    return found


def _memo_surface(searcher: Searcher, stem: str) -> str | None:
    """:func:`_surface`, remembered while the searcher is open."""
    memo = _SURFACES.setdefault(searcher, {})
    if stem not in memo:
        if len(memo) >= MAX_MEMO:
            memo.clear()
        memo[stem] = _surface(searcher, stem)
    return memo[stem]


def _surface(searcher: Searcher, stem: str) -> str | None:
    """The commonest written form of ``stem`` in a few articles that contain it."""
    forms: Counter[str] = Counter()
    for field in FIELDS:
        if not live_stats(searcher).doc_frequency(field, stem):
            continue
        for docnum in _first_docs(searcher.reader(), field, stem, SAMPLE_DOCS):
            text = searcher.stored_fields(docnum).get(field) or ""
            found = written_forms(text, stem)
            if found is None:  # not a plain [a-z0-9] stem: the tokenizer
                found = [token.original for token in _TOKENIZER(text, keeporiginal=True) if token.text == stem]
            forms.update(fold(original) for original in found)
        if forms:
            break
    return forms.most_common(1)[0][0] if forms else None


def _first_docs(reader: IndexReader, field: str, stem: str, count: int) -> list[int]:
    """The first ``count`` documents of ``reader.postings(field, stem)``, reading only the
    segments needed (a reader of several segments lists theirs one after the other)."""
    found: list[int] = []
    for leaf, offset in reader.leaf_readers():
        if (field, stem) in leaf:
            for docnum in leaf.postings(field, stem).all_ids():
                found.append(offset + docnum)
                if len(found) == count:
                    return found
    return found


def edit_distance(a: str, b: str) -> int:
    """Damerau–Levenshtein distance (adjacent transpositions count one edit)."""
    rows = [list(range(len(b) + 1))]
    for i, ca in enumerate(a, 1):
        row = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            row[j] = min(rows[-1][j] + 1, row[j - 1] + 1, rows[-1][j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                row[j] = min(row[j], rows[-2][j - 2] + 1)
        rows.append(row)
    return rows[-1][-1]
