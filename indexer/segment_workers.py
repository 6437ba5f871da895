"""A full build's pages parsed, analysed and filed into Whoosh segments by worker processes.

The pages are cut into one run per worker, in corpus order and of about equal size in bytes
(:func:`split_pages`). Each worker parses and analyses its run and adds the documents to segments
of its own (:class:`indexer.segments.SegmentSeries`) in the new index's folder. What comes back to
the parent is small: each page's outcome (its manifest entry), and at the end the worker's
finished segments, which the parent lists in the index in run order
(:meth:`indexer.segments.BulkWriter.add_segments`). No analysed document crosses a process
boundary, and segments are flushed in every worker at once instead of in one writer process.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import queue as queue_module
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index

from indexer import pipeline
from indexer.corpus import PageFile
from indexer.documents import article_fields
from indexer.errors import BuildError
from indexer.extract.profile import SiteProfile
from indexer.prepared import prepare_fields
from indexer.segments import SegmentSeries

logger = logging.getLogger(__name__)

# Pages parsed, analysed and filed as one batch (see file_pages); a worker sends their outcomes
# back together (progress moves in such steps).
CHUNK_PAGES = 32
# Fewer pages than this per worker: fewer workers (each costs a process and its own segments).
MIN_PAGES_PER_WORKER = 32
# Postings all workers together hold in memory before flushing segments: each worker gets its
# share, between MIN_WORKER_LIMIT_MB and the caller's limit (memory stays bounded on many cores).
WORKERS_BUDGET_MB = 512
MIN_WORKER_LIMIT_MB = 64
# How often the parent checks that its workers are alive while it waits for them.
WORKER_CHECK_SECONDS = 1.0


@dataclass(frozen=True)
class PageOutcome:
    """What the parent keeps of one page: where it is, and its manifest entry."""

    relative: str
    path: str
    entry: dict[str, Any]


@dataclass
class SegmentsWritten:
    """The pages' outcomes in corpus order, and the segments written, in the index's order."""

    outcomes: list[PageOutcome]
    segments: list[Any]


def _outcome_of(result: pipeline.PageResult) -> PageOutcome:
    """The outcome of a parsed (or skipped) page."""
    return PageOutcome(result.page.relative, result.page.location, pipeline.manifest_entry(result))


def file_pages(pages: list[PageFile], profile: SiteProfile | None, series: SegmentSeries) -> list[PageOutcome]:
    """Parse a batch of pages, then turn their articles into fields, then analyse those, then add them
    to ``series``; the pages' outcomes.

    One stage at a time over the whole batch rather than page by page: each stage's code and data
    stay warm in the CPU's caches across the batch, which makes a build ~11 % faster
    (docs/BENCHMARKS.md). Articles are added in page order, as page by page.
    """
    results = [pipeline.parse_page(page, profile) for page in pages]
    fields = [article_fields(result.article) for result in results if result.article is not None]
    prepared = [prepare_fields(f) for f in fields]  # a list, not a generator: a stage of its own
    for doc in prepared:
        series.add(doc)
    return [_outcome_of(result) for result in results]


def write_segments(
    index_dir: Path,
    pages: list[PageFile],
    *,
    limit_mb: int,
    workers: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> SegmentsWritten:
    """Parse ``pages`` into new segments of the (empty) Whoosh index at ``index_dir``.

    Uses ``workers`` processes (default: one per core) when there are enough pages, else this one.
    A segment is flushed when its postings reach ``limit_mb``, or the worker's share of
    :data:`WORKERS_BUDGET_MB` if smaller. The caller lists the segments in the index, or removes
    the folder on failure.

    Raises:
        BuildError: a worker process failed or died (its error is in the message).
    """
    workers = pipeline.default_workers() if workers is None else max(1, workers)
    workers = min(workers, max(1, len(pages) // MIN_PAGES_PER_WORKER))
    profile = pipeline.load_corpus_profile(pages)
    if workers == 1 or len(pages) < pipeline.PARALLEL_MIN_PAGES:
        return _write_here(index_dir, pages, profile, limit_mb, progress)
    share = max(MIN_WORKER_LIMIT_MB, WORKERS_BUDGET_MB // workers)
    return _write_in_workers(index_dir, pages, profile, min(limit_mb, share), workers, progress)


def _write_here(
    index_dir: Path,
    pages: list[PageFile],
    profile: SiteProfile | None,
    limit_mb: int,
    progress: Callable[[int, int], None] | None,
) -> SegmentsWritten:
    ix = whoosh_index.open_dir(str(index_dir))
    series = SegmentSeries(ix, ix.schema, limit_mb=limit_mb)
    outcomes: list[PageOutcome] = []
    try:
        for start in range(0, len(pages), CHUNK_PAGES):
            outcomes += file_pages(pages[start : start + CHUNK_PAGES], profile, series)
            if progress:
                progress(len(outcomes), len(pages))
        return SegmentsWritten(outcomes, series.finish())
    except BaseException:
        series.cancel()
        raise


def _write_in_workers(
    index_dir: Path,
    pages: list[PageFile],
    profile: SiteProfile | None,
    limit_mb: int,
    workers: int,
    progress: Callable[[int, int], None] | None,
) -> SegmentsWritten:
    # Chinese analysis dictionaries (jieba's, OpenCC's) are loaded by a worker when it first meets
    # Chinese text, not here for all: ~0.5 s that other corpora would wait for before any page.
    context: Any = multiprocessing.get_context(pipeline.start_method())
    parts = split_pages(pages, workers)
    results = context.Queue()
    procs = [
        context.Process(
            target=_worker,
            args=(os.getpid(), str(index_dir), profile, limit_mb, number, part, results),
            name=f"artsearch-build-{number}",
            daemon=True,
        )
        for number, part in enumerate(parts)
    ]
    for proc in procs:
        proc.start()
    outcomes: list[list[PageOutcome]] = [[] for _ in parts]
    segments: list[list[Any] | None] = [None for _ in parts]
    done = 0
    try:
        while any(s is None for s in segments):
            kind, number, payload = _next_message(results, procs)
            if kind == "pages":
                outcomes[number].extend(payload)
                done += len(payload)
                if progress:
                    progress(done, len(pages))
            elif kind == "segments":
                segments[number] = payload
            else:
                raise BuildError(f"a build worker failed: {payload}")
        for proc in procs:
            proc.join()
    finally:
        for proc in procs:
            if proc.is_alive():
                proc.terminate()
                proc.join()
    return SegmentsWritten(
        [o for part in outcomes for o in part], [segment for part in segments for segment in part or ()]
    )


def split_pages(pages: list[PageFile], parts: int) -> list[list[PageFile]]:
    """``pages`` cut into at most ``parts`` runs, in order, of about equal size in bytes.

    Each worker files one run, so the index holds the documents in corpus order, as one process
    would write them (what depends on document order, such as which articles a spelling
    suggestion's written form is read from, does not depend on the number of workers).
    """
    sizes = [max(pipeline.file_facts(page)[0], 0) + 1 for page in pages]
    total = sum(sizes)
    runs: list[list[PageFile]] = [[] for _ in range(parts)]
    seen = 0
    for page, size in zip(pages, sizes, strict=True):
        runs[min(parts - 1, seen * parts // total)].append(page)
        seen += size
    return [run for run in runs if run]


def _next_message(results: Any, procs: list[Any]) -> tuple[str, int, Any]:
    """The next message of a worker; raises as soon as a worker has died (killed, out of memory)."""
    while True:
        try:
            message: tuple[str, int, Any] = results.get(timeout=WORKER_CHECK_SECONDS)
        except queue_module.Empty:
            message = ("", -1, None)
        for proc in procs:
            if proc.exitcode not in (None, 0):
                raise BuildError(f"build worker {proc.name} died (exit code {proc.exitcode})")
        if message[0]:
            return message


def _worker(
    parent: int,
    index_dir: str,
    profile: SiteProfile | None,
    limit_mb: int,
    number: int,
    pages: list[PageFile],
    results: Any,
) -> None:
    """A worker process: file its run of pages, reporting outcomes as it goes, then its segments."""
    pipeline.worker_init(parent)
    try:
        ix = whoosh_index.open_dir(index_dir)
        series = SegmentSeries(ix, ix.schema, limit_mb=limit_mb)
        for start in range(0, len(pages), CHUNK_PAGES):
            results.put(("pages", number, file_pages(pages[start : start + CHUNK_PAGES], profile, series)))
        results.put(("segments", number, series.finish()))
    except BaseException as exc:  # reported to the parent, which fails the build
        logger.debug("build worker failed", exc_info=True)
        detail = traceback.format_exception_only(type(exc), exc)[-1].strip()
        results.put(("error", number, detail))
    results.close()
    results.join_thread()
