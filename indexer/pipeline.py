"""Reading and parsing corpus pages, in worker processes when there are many."""

from __future__ import annotations

import functools
import gc
import hashlib
import itertools
import logging
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from indexer.article import Article
from indexer.corpus import PageFile, read_page_file
from indexer.errors import PageError
from indexer.extract.profile import SiteProfile, load_profile
from indexer.parse import parse_article

logger = logging.getLogger(__name__)

# Below this many pages, worker processes cost more than they save.
PARALLEL_MIN_PAGES = 64
# Pages a worker process handles before it is replaced (bounds what a leak could cost).
WORKER_MAX_TASKS = 2000
PARENT_POLL_SECONDS = 0.5  # a worker outlives a killed parent by at most this long


@dataclass(frozen=True)
class PageResult:
    """The outcome of one page: an article, or the reason it was skipped; plus file facts."""

    page: PageFile
    article: Article | None
    reason: str | None
    size: int
    mtime_ns: int
    sha1: str


def file_facts(page: PageFile) -> tuple[int, int]:
    """``(size, mtime_ns)`` of a page file, ``(-1, -1)`` if it cannot be stat'ed."""
    try:
        st = os.stat(page.location)
    except OSError:
        return -1, -1
    return st.st_size, st.st_mtime_ns


def parse_page(page: PageFile, profile: SiteProfile | None = None) -> PageResult:
    """Read and parse one page; never raises for a bad page (the reason is in the result)."""
    try:
        read = read_page_file(page.location)
    except PageError as exc:
        return PageResult(page, None, exc.reason, *file_facts(page), "")
    data, size, mtime = read.data, read.size, read.mtime_ns
    digest = hashlib.sha1(data).hexdigest()
    try:
        article = parse_article(
            data, source=page.location, article_id=page.id, url=page.url_path, profile=profile
        )
    except PageError as exc:
        return PageResult(page, None, exc.reason, size, mtime, digest)
    except RecursionError:
        return PageResult(page, None, "markup nested too deeply to parse", size, mtime, digest)
    except Exception as exc:  # a parser bug must not stop a build of 100,000 pages
        logger.exception("unexpected error parsing %s", page.path)
        return PageResult(page, None, f"parser error ({exc.__class__.__name__}: {exc})", size, mtime, digest)
    if not article.category and "/" in page.id:
        article = _with_folder_category(article, page.id)
    return PageResult(page, article, None, size, mtime, digest)


def manifest_entry(result: PageResult) -> dict[str, Any]:
    """The manifest entry of a parsed (or skipped) page: id, file facts, hash, outcome."""
    return {
        "id": result.page.id,
        "size": result.size,
        "mtime_ns": result.mtime_ns,
        "sha1": result.sha1,
        "indexed": result.article is not None,
        "reason": result.reason,
    }


def _with_folder_category(article: Article, page_id: str) -> Article:
    from dataclasses import replace

    return replace(article, category=page_id.split("/", 1)[0])


def corpus_root(page: PageFile) -> Path:
    """The corpus folder ``page`` belongs to (its path minus its relative path)."""
    return page.path.parents[len(Path(page.relative).parts) - 1]


def load_corpus_profile(pages: list[PageFile]) -> SiteProfile | None:
    """The site profile (``artsearch.toml``) of the corpus the pages come from (the first page's)."""
    return load_profile(corpus_root(pages[0])) if pages else None


def _with_profile(pages: Iterable[PageFile]) -> tuple[Iterator[PageFile], SiteProfile | None]:
    """Load the corpus's site profile once, from the first page's corpus."""
    it = iter(pages)
    first = next(it, None)
    if first is None:
        return iter(()), None
    return itertools.chain([first], it), load_corpus_profile([first])


def default_workers() -> int:
    """The number of cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def start_method() -> str:
    """``fork`` where it exists: workers need no re-import of ``__main__`` (scripts without a
    ``__main__`` guard, notebooks and ``python -`` keep working); ``spawn`` elsewhere."""
    return "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"


def worker_init(parent: int) -> None:
    """In a worker: leave Ctrl-C to the parent, and die quietly with it (even on SIGKILL).

    A watchdog thread polls the parent's pid. Not ``PR_SET_PDEATHSIG``: it fires when the *thread*
    that forked the worker ends, and the pool forks replacement workers (``maxtasksperchild``) from
    its worker-handler thread, which ends at shutdown: a replacement killed while holding the task
    queue's lock made ``Pool.terminate`` wait forever (seen at the end of a 100,000-page build).
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # What the worker inherited (modules, dictionaries the parent loaded) is never garbage: full collections
    # skip it (~0.05 ms/page) and leave its pages shared with the parent.
    gc.freeze()
    if os.getppid() != parent:  # the parent died before this worker started
        os._exit(1)
    threading.Thread(target=_exit_with_parent, args=(parent,), name="parent-watchdog", daemon=True).start()


def _exit_with_parent(parent: int) -> None:
    """Exit this worker (without cleanup) once its parent process is gone."""
    while os.getppid() == parent:
        time.sleep(PARENT_POLL_SECONDS)
    os._exit(1)


def parse_pages(
    pages: Iterable[PageFile],
    *,
    total: int,
    workers: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Iterator[PageResult]:
    """Parse pages in order, in ``workers`` processes (streaming: bounded memory)."""
    workers = default_workers() if workers is None else max(1, workers)
    done = 0
    pages, profile = _with_profile(pages)
    parse = functools.partial(parse_page, profile=profile)
    if workers == 1 or total < PARALLEL_MIN_PAGES:
        results: Iterable[PageResult] = map(parse, pages)
        for result in results:
            done += 1
            if progress:
                progress(done, total)
            yield result
        return
    context = multiprocessing.get_context(start_method())
    with context.Pool(
        workers, initializer=worker_init, initargs=(os.getpid(),), maxtasksperchild=WORKER_MAX_TASKS
    ) as pool:
        for result in pool.imap(parse, pages, chunksize=16):
            done += 1
            if progress:
                progress(done, total)
            yield result
