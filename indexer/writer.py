"""Writing the index: a full rebuild into a new generation, swapped in atomically when complete."""

from __future__ import annotations

import json
import logging
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index

from indexer import store
from indexer.corpus import WalkProblem, check_corpus, walk_corpus
from indexer.errors import BuildError, CorpusError
from indexer.schema import build_schema
from indexer.segment_workers import write_segments
from indexer.segments import BulkWriter

logger = logging.getLogger(__name__)

MANIFEST = "manifest.json"
WRITER_LIMIT_MB = 256

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Skip:
    """A page left out of the index, and why."""

    path: str
    reason: str

    def to_dict(self) -> dict[str, str]:
        """JSON shape: ``{"path", "reason"}`` (build/update summaries, index metadata)."""
        return {"path": self.path, "reason": self.reason}


@dataclass
class BuildReport:
    """What a build did: counts, skipped pages with reasons, timing and where the index is."""

    index_dir: str
    corpus_dir: str
    indexed: int = 0
    skipped: list[Skip] = field(default_factory=list)
    seconds: float = 0.0
    generation: str = ""

    @property
    def pages(self) -> int:
        """Pages seen: indexed plus skipped."""
        return self.indexed + len(self.skipped)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "index": self.index_dir,
            "corpus": self.corpus_dir,
            "pages": self.pages,
            "indexed": self.indexed,
            "skipped": [s.to_dict() for s in self.skipped],
            "seconds": round(self.seconds, 3),
            "generation": self.generation,
        }


def build_index(
    corpus_dir: Path,
    index_dir: Path,
    *,
    workers: int | None = None,
    strict: bool = False,
    wait: float = 0.0,
    progress: Progress | None = None,
) -> BuildReport:
    """Rebuild the index of ``corpus_dir`` at ``index_dir`` from scratch.

    The new index is written into a new generation folder and published only when complete;
    on any failure the previous index stays live and the partial folder is removed.

    Raises:
        CorpusError: the corpus folder is missing or holds no pages.
        BuildError: nothing could be indexed, or ``strict`` and a page was skipped.
        IndexLockedError: another writer holds the lock for longer than ``wait`` seconds.
    """
    started = time.perf_counter()
    corpus = check_corpus(corpus_dir)
    problems: list[WalkProblem] = []
    pages = list(walk_corpus(corpus, problems))
    if not pages:
        raise CorpusError(corpus_dir, "no .html/.htm pages found")
    report = BuildReport(index_dir=str(index_dir), corpus_dir=str(corpus))
    report.skipped.extend(Skip(p.path, p.reason) for p in problems)

    with store.writer_lock(index_dir, wait=wait):
        store.remove_stale_generations(index_dir, keep=store.live_and_previous(index_dir))
        gen = store.new_generation(index_dir)
        try:
            manifest = _write_generation(gen, pages, report, workers=workers, progress=progress)
            if report.indexed == 0:
                reasons = "; ".join(f"{s.path}: {s.reason}" for s in report.skipped[:3])
                raise BuildError(f"no page of {corpus_dir} could be indexed ({reasons})")
            if strict and report.skipped:
                first = report.skipped[0]
                raise BuildError(
                    f"--strict: {len(report.skipped)} page(s) skipped, first {first.path}: {first.reason}; "
                    "the live index was not changed"
                )
            report.seconds = time.perf_counter() - started
            _write_metadata(gen, corpus, report, manifest)
            store.publish(index_dir, gen)
        except BaseException:
            shutil.rmtree(gen, ignore_errors=True)
            raise
    report.generation = gen.name
    report.seconds = time.perf_counter() - started
    logger.info("indexed %d pages (%d skipped) in %.2fs", report.indexed, len(report.skipped), report.seconds)
    return report


def _write_generation(
    gen: Path,
    pages: list[Any],
    report: BuildReport,
    *,
    workers: int | None,
    progress: Progress | None,
) -> dict[str, dict[str, Any]]:
    ix = whoosh_index.create_in(str(gen), build_schema())
    # Pages are parsed, analysed and filed into segments by the workers; this process lists them.
    writer = BulkWriter(ix, limit_mb=WRITER_LIMIT_MB)
    try:
        written = write_segments(gen, pages, limit_mb=WRITER_LIMIT_MB, workers=workers, progress=progress)
    except BaseException:
        writer.cancel()
        raise
    manifest: dict[str, dict[str, Any]] = {}
    for outcome in written.outcomes:
        manifest[outcome.relative] = outcome.entry
        if outcome.entry["indexed"]:
            report.indexed += 1
        else:
            report.skipped.append(Skip(outcome.path, outcome.entry["reason"] or "skipped"))
    writer.add_segments(written.segments)
    writer.commit()
    ix.close()
    return manifest


def read_manifest(gen: Path) -> dict[str, dict[str, Any]]:
    """The manifest of a generation (``{}`` when it has none or it is unreadable)."""
    try:
        data = json.loads((gen / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        logger.warning("%s/%s is missing or unreadable; every page counts as new", gen.name, MANIFEST)
        return {}
    return data if isinstance(data, dict) else {}


def write_manifest(gen: Path, manifest: dict[str, dict[str, Any]]) -> None:
    """Write the manifest of a generation atomically."""
    store.write_json_atomic(gen / MANIFEST, manifest)


def _write_metadata(gen: Path, corpus: Path, report: BuildReport, manifest: dict[str, Any]) -> None:
    write_manifest(gen, manifest)
    store.write_meta(
        gen,
        {
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "corpus": str(corpus),
            "articles": report.indexed,
            "skipped": [s.to_dict() for s in report.skipped],
            "build_seconds": round(report.seconds, 3),
        },
    )
