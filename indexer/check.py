"""Checking an index against its corpus: missing, stale and orphaned articles, unreadable documents."""

from __future__ import annotations

import hashlib
import logging
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index

from indexer import store
from indexer.corpus import WalkProblem, check_corpus, read_page, walk_corpus
from indexer.documents import article_from_fields
from indexer.errors import PageError
from indexer.pipeline import file_facts
from indexer.sidecar import verify_sidecar
from indexer.writer import read_manifest

logger = logging.getLogger(__name__)


@dataclass
class CheckReport:
    """The findings of :func:`check_index`; ``ok`` when there are none."""

    index_dir: str
    corpus_dir: str
    generation: str = ""
    articles: int = 0
    pages: int = 0
    missing: list[str] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)
    orphaned: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)
    skipped: list[dict[str, str]] = field(default_factory=list)
    deleted_docs: int = 0
    sidecars: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when the index opens, reads back and matches the corpus."""
        return not (
            self.missing or self.stale or self.orphaned or self.duplicates or self.unreadable or self.sidecars
        )

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "ok": self.ok,
            "index": self.index_dir,
            "corpus": self.corpus_dir,
            "generation": self.generation,
            "articles": self.articles,
            "pages": self.pages,
            "missing": self.missing,
            "stale": self.stale,
            "orphaned": self.orphaned,
            "duplicates": self.duplicates,
            "unreadable": self.unreadable,
            "skipped": self.skipped,
            "deleted_docs": self.deleted_docs,
            "sidecars": self.sidecars,
        }


def check_index(index_dir: Path, corpus_dir: Path | None = None) -> CheckReport:
    """Open the index, read back every stored document and compare it with the corpus.

    * missing: pages in the corpus whose article is not in the index (and not known as skipped);
    * stale: pages whose content changed since they were indexed (size/mtime, then sha1);
    * orphaned: articles in the index whose page is gone from the corpus;
    * duplicates: ids stored more than once; unreadable: stored documents that do not read back;
    * sidecars: posting sidecars (:mod:`indexer.sidecar`) that do not match their segment.

    ``corpus_dir`` defaults to the corpus the index was built from.

    Raises:
        IndexMissingError, IndexVersionError: there is no usable index.
        CorpusError: the corpus folder is missing.
    """
    gen = store.current_generation(index_dir)
    meta = store.read_meta(gen, index_dir)
    corpus = check_corpus(Path(corpus_dir) if corpus_dir is not None else Path(meta.get("corpus") or "."))
    report = CheckReport(index_dir=str(index_dir), corpus_dir=str(corpus), generation=gen.name)
    ids = _read_back(gen, report)
    manifest = read_manifest(gen)
    problems: list[WalkProblem] = []
    corpus_ids: set[str] = set()
    for page in walk_corpus(corpus, problems):
        report.pages += 1
        corpus_ids.add(page.id)
        entry = manifest.get(page.relative)
        if entry is None:
            if page.id not in ids:
                report.missing.append(page.relative)
            else:  # indexed under an id we have no manifest entry for: cannot tell if current
                report.stale.append(page.relative)
            continue
        if _is_stale(page.path, entry, page):
            report.stale.append(page.relative)
        elif entry.get("indexed") and page.id not in ids:
            report.missing.append(page.relative)
        elif not entry.get("indexed"):
            report.skipped.append({"path": str(page.path), "reason": entry.get("reason") or "skipped"})
    report.orphaned = sorted(ids - corpus_ids)
    report.skipped.extend({"path": p.path, "reason": p.reason} for p in problems)
    return report


def _read_back(gen: Path, report: CheckReport) -> set[str]:
    """Open the generation's index and turn every stored document back into an article.

    An index that cannot be opened at all is reported in ``unreadable`` (no exception).
    """
    counts: Counter[str] = Counter()
    try:
        ix = whoosh_index.open_dir(str(gen))
        try:
            report.deleted_docs = ix.doc_count_all() - ix.doc_count()
            with ix.reader() as reader:
                for leaf, _ in reader.leaf_readers():
                    report.sidecars.extend(verify_sidecar(gen, leaf, leaf.segment()))
                for docnum in reader.all_doc_ids():
                    try:
                        counts[article_from_fields(reader.stored_fields(docnum)).id] += 1
                    except Exception as exc:
                        report.unreadable.append(f"document {docnum}: {exc.__class__.__name__}: {exc}")
        finally:
            ix.close()
    except Exception as exc:
        logger.debug("cannot open %s", gen, exc_info=True)
        report.unreadable.append(f"index {gen.name} cannot be opened: {exc.__class__.__name__}: {exc}")
    report.articles = sum(counts.values())
    report.duplicates = sorted(i for i, n in counts.items() if n > 1)
    return set(counts)


def _is_stale(path: Path, entry: dict[str, Any], page: Any) -> bool:
    size, mtime = file_facts(page)
    if size == entry.get("size") and mtime == entry.get("mtime_ns"):
        return False
    try:
        return hashlib.sha1(read_page(path)).hexdigest() != entry.get("sha1")
    except PageError:
        return bool(entry.get("indexed"))
