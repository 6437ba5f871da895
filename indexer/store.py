"""The index folder: generations, the ``CURRENT`` pointer, the writer lock and index metadata.

Layout of an index folder::

    CURRENT            name of the live generation (replaced atomically)
    write.lock         held (flock) by the one writer
    gen-<stamp>/       a complete Whoosh index + meta.json + manifest.json

A full rebuild writes a new generation and then replaces ``CURRENT``: readers see the old or
the new index, never a partial one. The generation before the live one is kept so that readers
which still have it open keep working; older ones and unfinished builds are removed by the next
writer.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import logging
import os
import shlex
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from indexer.errors import IndexLockedError, IndexMissingError, IndexVersionError
from indexer.schema import SCHEMA_VERSION

logger = logging.getLogger(__name__)

POINTER = "CURRENT"
LOCK = "write.lock"
META = "meta.json"
GEN_PREFIX = "gen-"


def current_generation(index_dir: Path) -> Path:
    """The folder of the live generation.

    Raises:
        IndexMissingError: no index has been built at ``index_dir``.
    """
    try:
        name = (index_dir / POINTER).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        raise IndexMissingError(index_dir, "no index here (run `artsearch build` first)") from None
    except OSError as exc:
        raise IndexMissingError(index_dir, f"cannot read {POINTER} ({exc.strerror})") from None
    gen = index_dir / name
    if not name.startswith(GEN_PREFIX) or not gen.is_dir():
        raise IndexMissingError(index_dir, f"{POINTER} names a missing generation {name!r}; rebuild")
    return gen


def pointer_state(index_dir: Path) -> tuple[int, int] | None:
    """A cheap fingerprint of ``CURRENT`` (inode, mtime) to notice a swapped-in rebuild."""
    try:
        st = (index_dir / POINTER).stat()
    except OSError:
        return None
    return (st.st_ino, st.st_mtime_ns)


def new_generation(index_dir: Path) -> Path:
    """Create and return an empty folder for a new generation."""
    index_dir.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
    gen = index_dir / f"{GEN_PREFIX}{stamp}-{os.getpid()}-{time.monotonic_ns() % 10**6:06d}"
    gen.mkdir()
    return gen


def publish(index_dir: Path, gen: Path) -> None:
    """Make ``gen`` the live generation (atomic rename of the pointer file), then tidy up."""
    previous = None
    with contextlib.suppress(IndexMissingError):
        previous = current_generation(index_dir)
    tmp = index_dir / f".{POINTER}.{os.getpid()}.tmp"
    with open(tmp, "w", encoding="utf-8") as handle:
        handle.write(gen.name + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, index_dir / POINTER)
    _fsync_dir(index_dir)
    remove_stale_generations(index_dir, keep={gen.name, previous.name if previous else ""})


def remove_stale_generations(index_dir: Path, keep: set[str]) -> None:
    """Delete generations (and leftover temp files) not named in ``keep``. Writer-lock holders only."""
    if not index_dir.is_dir():
        return
    for entry in index_dir.iterdir():
        if entry.name in keep:
            continue
        if entry.name.startswith(GEN_PREFIX) and entry.is_dir():
            logger.info("removing old or unfinished index generation %s", entry.name)
            shutil.rmtree(entry, ignore_errors=True)
        elif entry.name.startswith(f".{POINTER}.") and entry.name.endswith(".tmp"):
            entry.unlink(missing_ok=True)


def live_and_previous(index_dir: Path) -> set[str]:
    """Names of the generations a new writer must not delete."""
    try:
        return {current_generation(index_dir).name}
    except IndexMissingError:
        return set()


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@contextlib.contextmanager
def writer_lock(index_dir: Path, wait: float = 0.0) -> Iterator[None]:
    """Hold the index's writer lock; wait up to ``wait`` seconds for another writer.

    Raises:
        IndexLockedError: another writer still holds the lock after ``wait`` seconds.
    """
    index_dir.mkdir(parents=True, exist_ok=True)
    path = index_dir / LOCK
    handle = open(path, "a+")  # noqa: SIM115 - held for the whole block
    deadline = time.monotonic() + max(0.0, wait)
    try:
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                    raise
                if time.monotonic() >= deadline:
                    holder = _lock_holder(handle)
                    raise IndexLockedError(
                        index_dir,
                        f"another writer{holder} holds the lock {path} "
                        f"(waited {wait:g}s; use --wait SECONDS to wait longer)",
                    ) from None
                time.sleep(0.1)
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        yield
    finally:
        handle.close()


def _lock_holder(handle: Any) -> str:
    try:
        handle.seek(0)
        pid = handle.read().strip()
    except OSError:
        return ""
    return f" (pid {pid})" if pid.isdigit() else ""


def write_json_atomic(path: Path, data: Any, *, indent: int | None = None) -> None:
    """Write ``data`` as JSON to ``path`` atomically (temp file, fsync, ``os.replace``)."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "w", encoding="utf-8") as handle:
            # json.dumps, not json.dump: only the one-shot call uses the C encoder (a 100,000-page
            # manifest: 0.42 s -> 0.25 s, docs/BENCHMARKS.md).
            handle.write(json.dumps(data, indent=indent, sort_keys=True, ensure_ascii=False))
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_meta(gen: Path, meta: dict[str, Any]) -> None:
    """Write ``meta.json`` of a generation atomically (schema version added)."""
    write_json_atomic(gen / META, {"schema_version": SCHEMA_VERSION, **meta}, indent=2)


def clone_generation(index_dir: Path, source: Path) -> Path:
    """A new generation holding the files of ``source`` as hard links (copies where links fail).

    Whoosh never rewrites a file in place (new segments, a new TOC, deletions in the TOC), so
    writing to the clone leaves ``source`` untouched for the readers that still use it.
    """
    gen = new_generation(index_dir)
    try:
        for entry in sorted(source.iterdir()):
            if not entry.is_file() or "LOCK" in entry.name or entry.name.startswith("."):
                continue
            target = gen / entry.name
            try:
                os.link(entry, target)
            except OSError:
                shutil.copy2(entry, target)
    except BaseException:
        shutil.rmtree(gen, ignore_errors=True)
        raise
    return gen


def read_meta(gen: Path, index_dir: Path) -> dict[str, Any]:
    """Read ``meta.json`` of a generation and check its schema version.

    Raises:
        IndexVersionError: the index was built by an incompatible version.
    """
    try:
        meta = json.loads((gen / META).read_text(encoding="utf-8"))
        if not isinstance(meta, dict):
            raise ValueError("not a JSON object")
    except (OSError, ValueError):
        raise IndexVersionError(
            index_dir, f"{gen.name}/{META} is missing or unreadable; rebuild with `artsearch build`"
        ) from None
    version = meta.get("schema_version")
    if version != SCHEMA_VERSION:
        corpus = meta.get("corpus")
        corpus = corpus if isinstance(corpus, str) and corpus else None
        raise IndexVersionError(
            index_dir,
            f"built with schema version {version}, this artsearch needs {SCHEMA_VERSION}; "
            f"rebuild with `artsearch build {shlex.quote(corpus) if corpus else 'CORPUS'} "
            f"--index {shlex.quote(str(index_dir))}`",
            corpus=corpus,
        )
    return meta
