"""Incremental update: re-index only the pages whose content changed since the last build.

How it stays safe:

* The manifest of the live generation (relative path → id, size, mtime, sha1, outcome) says what
  the index holds. A page whose size and mtime match is unchanged without being read; otherwise
  its content hash decides: same hash → unchanged (only the manifest entry is refreshed), new
  hash → re-parsed and replaced.
* Changes are written into a *new generation* that starts as hard links to the live one (Whoosh
  never rewrites a file in place), then published by replacing ``CURRENT``. Readers see the old
  or the new index, never a half-applied update; a killed update leaves a stray folder that the
  next writer removes. The index, ``manifest.json`` and ``meta.json`` of a generation always agree.
* When only manifest entries changed (mtime-only touches), the live manifest is replaced
  atomically in place (write temp + ``os.replace``); the index files are not touched.
* Scores equal those of a full rebuild without rewriting old segments: replaced and removed
  articles are only marked deleted, and scoring reads statistics of the live documents
  (:mod:`search.livestats`; the exact field lengths of deleted documents are recorded with their
  segment, :mod:`indexer.deletions`). :func:`indexer.merge.merge_live` folds small segments, and
  segments mostly deleted, into the new one, so segments do not pile up. ``exact=False``
  (``--fast``) is kept for compatibility and does the same: the default is as fast.
"""

from __future__ import annotations

import hashlib
import logging
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index

from indexer import store
from indexer.corpus import PageFile, WalkProblem, check_corpus, read_page, walk_corpus
from indexer.documents import article_fields
from indexer.errors import BuildError, IndexMissingError, PageError
from indexer.merge import merge_live
from indexer.pipeline import file_facts, manifest_entry, parse_pages
from indexer.sidecar import ensure_sidecars
from indexer.writer import (
    WRITER_LIMIT_MB,
    BuildReport,
    Skip,
    build_index,
    read_manifest,
    write_manifest,
)

logger = logging.getLogger(__name__)

Progress = Callable[[int, int], None]

@dataclass
class UpdateReport:
    """What an update did: per-kind counts, skipped pages with reasons, timing."""

    index_dir: str
    corpus_dir: str
    added: int = 0
    changed: int = 0
    deleted: int = 0
    unchanged: int = 0
    touched: int = 0
    skipped: list[Skip] = field(default_factory=list)
    seconds: float = 0.0
    generation: str = ""
    rebuilt: bool = False
    exact: bool = True
    rewritten: int = 0

    @property
    def modified(self) -> bool:
        """True when the index content changed."""
        return bool(self.added or self.changed or self.deleted)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "index": self.index_dir,
            "corpus": self.corpus_dir,
            "added": self.added,
            "changed": self.changed,
            "deleted": self.deleted,
            "unchanged": self.unchanged,
            "touched": self.touched,
            "skipped": [s.to_dict() for s in self.skipped],
            "seconds": round(self.seconds, 3),
            "generation": self.generation,
            "rebuilt": self.rebuilt,
            "exact": self.exact,
            "rewritten": self.rewritten,
        }


@dataclass
class _Plan:
    """The difference between the corpus on disk and the live manifest."""

    manifest: dict[str, dict[str, Any]]
    to_parse: list[PageFile] = field(default_factory=list)
    added: set[str] = field(default_factory=set)
    remove_ids: list[str] = field(default_factory=list)
    changed: int = 0
    deleted: int = 0
    unchanged: int = 0
    touched: int = 0


def update_index(
    corpus_dir: Path,
    index_dir: Path,
    *,
    workers: int | None = None,
    strict: bool = False,
    wait: float = 0.0,
    exact: bool = True,
    progress: Progress | None = None,
) -> UpdateReport:
    """Bring the index at ``index_dir`` up to date with ``corpus_dir``.

    Without an index yet, this is a full build (``rebuilt`` is true in the report). ``exact`` is
    kept for compatibility: every update scores exactly like a rebuild (``--fast`` is an alias).

    Raises:
        CorpusError: the corpus folder is missing.
        IndexVersionError: the index needs a rebuild (incompatible schema version).
        BuildError: ``strict`` and a page is skipped (the live index is not changed).
        IndexLockedError: another writer holds the lock for longer than ``wait`` seconds.
    """
    started = time.perf_counter()
    corpus = check_corpus(corpus_dir)
    # exact=False (``--fast``) is an alias since every update scores exactly like a rebuild
    report = UpdateReport(index_dir=str(index_dir), corpus_dir=str(corpus), exact=True)
    try:
        live = store.current_generation(index_dir)
    except IndexMissingError:
        logger.info("no index at %s yet: building it", index_dir)
        return _from_build(
            build_index(corpus, index_dir, workers=workers, strict=strict, wait=wait, progress=progress),
            report,
        )
    with store.writer_lock(index_dir, wait=wait):
        live = store.current_generation(index_dir)  # another writer may have published meanwhile
        meta = store.read_meta(live, index_dir)
        store.remove_stale_generations(index_dir, keep=store.live_and_previous(index_dir))
        if meta.get("corpus") and meta["corpus"] != str(corpus):
            logger.warning("index was built from %s; updating it from %s", meta["corpus"], corpus)
        problems: list[WalkProblem] = []
        pages = list(walk_corpus(corpus, problems))
        manifest = read_manifest(live)
        plan = _plan(pages, manifest)
        if not manifest:  # lost manifest: replace every article, as a rebuild would
            plan.remove_ids = _indexed_ids(live)
        report.changed, report.deleted = plan.changed, plan.deleted
        report.unchanged, report.touched = plan.unchanged, plan.touched
        report.skipped.extend(Skip(p.path, p.reason) for p in problems)
        if not plan.to_parse and not plan.remove_ids:
            _check_strict(report, corpus, plan.manifest, strict)
            new_meta = _meta(meta, corpus, report, plan.manifest, None, started)
            if plan.touched or new_meta["skipped"] != meta.get("skipped"):
                store.write_meta(live, new_meta)
                write_manifest(live, plan.manifest)
            report.generation = live.name
        else:
            report.generation = _apply(
                index_dir, live, meta, corpus, plan, report, workers, strict, progress, started
            )
    report.skipped = _all_skips(report.skipped, corpus, plan.manifest)
    report.seconds = time.perf_counter() - started
    logger.info(
        "update: %d added, %d changed, %d deleted, %d unchanged, %d skipped in %.2fs",
        report.added, report.changed, report.deleted, report.unchanged, len(report.skipped), report.seconds,
    )  # fmt: skip
    return report


def _from_build(build: BuildReport, report: UpdateReport) -> UpdateReport:
    report.added = build.indexed
    report.skipped = list(build.skipped)
    report.seconds = build.seconds
    report.generation = build.generation
    report.rebuilt = True
    return report


def _plan(pages: list[PageFile], old: dict[str, dict[str, Any]]) -> _Plan:
    """Compare the walked pages with the manifest; hash only pages whose size or mtime moved."""
    plan = _Plan(manifest={})
    seen: set[str] = set()
    for page in pages:
        seen.add(page.relative)
        entry = old.get(page.relative)
        if entry is None:
            plan.added.add(page.relative)
            plan.to_parse.append(page)
            continue
        size, mtime = file_facts(page)
        if size == entry.get("size") and mtime == entry.get("mtime_ns") and size >= 0:
            plan.manifest[page.relative] = entry
            plan.unchanged += 1
            continue
        digest = _content_hash(page)
        if digest and digest == entry.get("sha1") and entry.get("id") == page.id:
            plan.manifest[page.relative] = {**entry, "size": size, "mtime_ns": mtime}
            plan.unchanged += 1
            plan.touched += 1
            continue
        plan.changed += 1
        if entry.get("indexed"):
            plan.remove_ids.append(entry["id"])
        plan.to_parse.append(page)
    for relative, entry in old.items():
        if relative not in seen:
            plan.deleted += 1
            if entry.get("indexed"):
                plan.remove_ids.append(entry["id"])
    return plan


def _indexed_ids(gen: Path) -> list[str]:
    """Every article id stored in a generation's index."""
    ix = whoosh_index.open_dir(str(gen))
    try:
        with ix.reader() as reader:
            return [stored["id"] for _, stored in reader.iter_docs()]
    finally:
        ix.close()


def _content_hash(page: PageFile) -> str:
    """sha1 of the page's (decompressed) bytes, ``""`` when it cannot be read."""
    try:
        return hashlib.sha1(read_page(page.path)).hexdigest()
    except PageError:
        return ""


def _apply(
    index_dir: Path,
    live: Path,
    meta: dict[str, Any],
    corpus: Path,
    plan: _Plan,
    report: UpdateReport,
    workers: int | None,
    strict: bool,
    progress: Progress | None,
    started: float,
) -> str:
    """Write the changes into a clone of the live generation and publish it; returns its name."""
    gen = store.clone_generation(index_dir, live)
    try:
        ix = whoosh_index.open_dir(str(gen))
        old_segments = {seg.segment_id() for seg in ix._segments()}
        writer = ix.writer(limitmb=WRITER_LIMIT_MB)
        try:
            for article_id in plan.remove_ids:
                writer.delete_by_term("id", article_id)
            total = len(plan.to_parse)
            for result in parse_pages(plan.to_parse, total=total, workers=workers, progress=progress):
                relative = result.page.relative
                plan.manifest[relative] = manifest_entry(result)
                if result.article is None:
                    continue
                # The id may still be in the index under another file name (a.html → a.htm).
                writer.delete_by_term("id", result.page.id)
                writer.add_document(**article_fields(result.article))
                if relative in plan.added:
                    report.added += 1
            _check_strict(report, corpus, plan.manifest, strict)
        except BaseException:
            writer.cancel()
            raise

        def counting_policy(writer: Any, segments: list[Any]) -> list[Any]:
            kept = merge_live(writer, segments)
            report.rewritten = sum(seg.doc_count() for seg in segments if seg not in kept)
            return kept

        writer.commit(mergetype=counting_policy)
        # Sidecars of the segments this update wrote (new and merged ones; kept ones have theirs).
        new_segments = [seg for seg in ix._segments() if seg.segment_id() not in old_segments]
        written = ensure_sidecars(gen, ix.storage, ix.schema, new_segments)
        logger.info("posting sidecars: %d segment(s), %d postings", len(new_segments), written)
        deleted_docs = ix.doc_count_all() - ix.doc_count()
        ix.close()
        write_manifest(gen, plan.manifest)
        store.write_meta(gen, _meta(meta, corpus, report, plan.manifest, deleted_docs, started))
        store.publish(index_dir, gen)
    except BaseException:
        shutil.rmtree(gen, ignore_errors=True)
        raise
    return gen.name


def _check_strict(report: UpdateReport, corpus: Path, manifest: dict[str, Any], strict: bool) -> None:
    if not strict:
        return
    skips = _all_skips(report.skipped, corpus, manifest)
    if skips:
        raise BuildError(
            f"--strict: {len(skips)} page(s) skipped, first {skips[0].path}: {skips[0].reason}; "
            "the live index was not changed"
        )


def _all_skips(walk: list[Skip], corpus: Path, manifest: dict[str, dict[str, Any]]) -> list[Skip]:
    """Walk problems plus every page of the manifest that is not in the index."""
    skips = list(walk)
    listed = {s.path for s in skips}
    for relative, entry in sorted(manifest.items()):
        path = str(corpus / relative)
        if not entry.get("indexed") and path not in listed:
            skips.append(Skip(path, entry.get("reason") or "skipped"))
    return skips


def _meta(
    old: dict[str, Any],
    corpus: Path,
    report: UpdateReport,
    manifest: dict[str, dict[str, Any]],
    deleted_docs: int | None,
    started: float,
) -> dict[str, Any]:
    meta = {k: v for k, v in old.items() if k != "schema_version"}
    meta.update(
        updated_at=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        corpus=str(corpus),
        articles=sum(1 for e in manifest.values() if e.get("indexed")),
        skipped=[s.to_dict() for s in _all_skips(report.skipped, corpus, manifest)],
        update_seconds=round(time.perf_counter() - started, 3),
    )
    if deleted_docs is not None:
        meta["deleted_docs"] = deleted_docs
    return meta
