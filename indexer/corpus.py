"""Walking a corpus folder: which files are pages, their ids, and reading their bytes."""

from __future__ import annotations

import gzip
import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from indexer.errors import CorpusError, PageError

logger = logging.getLogger(__name__)

PAGE_SUFFIXES = (".html.gz", ".htm.gz", ".html", ".htm")
MAX_PAGE_BYTES = 16 * 1024 * 1024


@dataclass(frozen=True)
class PageFile:
    """One page file of a corpus: its absolute path and its article id.

    The path is kept as a string (``location``): a walk of 100,000 pages spent half its time
    making ``Path`` objects that reading a page does not need; ``path`` makes one on demand.
    """

    location: str
    relative: str
    id: str

    @property
    def path(self) -> Path:
        """The page's absolute path."""
        return Path(self.location)

    @property
    def url_path(self) -> str:
        """The page's root-relative path, the base for its relative links (``/a/b.html``)."""
        return "/" + self.relative


@dataclass(frozen=True)
class WalkProblem:
    """A file or folder the walk could not use (unreadable folder, symlink loop)."""

    path: str
    reason: str


def article_id(relative: str) -> str:
    """The id of a page at ``relative`` (``/`` separators, page extension removed)."""
    rel = relative.replace(os.sep, "/")
    lower = rel.lower()
    for suffix in PAGE_SUFFIXES:
        if lower.endswith(suffix):
            return rel[: -len(suffix)]
    return rel


def is_page(name: str) -> bool:
    """True for ``.html``, ``.htm`` and their gzip-compressed ``.gz`` forms."""
    return name.lower().endswith(PAGE_SUFFIXES) and not name.startswith(".")


def check_corpus(root: Path) -> Path:
    """The resolved corpus folder; raises :class:`CorpusError` if it is missing or not a folder."""
    if not root.exists():
        raise CorpusError(root, "no such folder")
    if not root.is_dir():
        raise CorpusError(root, "not a folder")
    return root.resolve()


def walk_corpus(root: Path, problems: list[WalkProblem] | None = None) -> Iterator[PageFile]:
    """Yield the page files under ``root`` in sorted order (deterministic ids).

    Hidden files and folders are skipped; symlinked folders are followed once (loops are reported
    in ``problems``, not followed). When two files map to one id (``a.html`` and ``a.htm``), the
    first in sorted order wins and the other is reported.
    """
    root = check_corpus(root)
    seen_dirs: set[tuple[int, int]] = set()
    seen_ids: set[str] = set()
    stack = [(root, "")]  # each folder with its path relative to root ("" or ending in "/")
    while stack:
        folder, prefix = stack.pop()
        try:
            info = folder.stat()
        except OSError as exc:
            _report(problems, folder, f"cannot read folder ({exc.strerror})")
            continue
        key = (info.st_dev, info.st_ino)
        if key in seen_dirs:
            _report(problems, folder, "symlink loop (folder already visited)")
            continue
        seen_dirs.add(key)
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            _report(problems, folder, f"cannot read folder ({exc.strerror})")
            continue
        subdirs: list[tuple[Path, str]] = []
        for entry in entries:
            if entry.name.startswith("."):
                continue
            try:
                is_dir = entry.is_dir()
            except OSError:
                is_dir = False
            if is_dir:
                subdirs.append((Path(entry.path), f"{prefix}{entry.name}/"))
            elif is_page(entry.name):
                relative = prefix + entry.name  # path.relative_to(root).as_posix(), without pathlib's parsing
                page_id = article_id(relative)
                if page_id in seen_ids:
                    _report(problems, Path(entry.path), f"another file already has the id {page_id!r}")
                    continue
                seen_ids.add(page_id)
                yield PageFile(entry.path, relative, page_id)
        stack.extend(reversed(subdirs))


def _report(problems: list[WalkProblem] | None, path: Path, reason: str) -> None:
    logger.warning("%s: %s", path, reason)
    if problems is not None:
        problems.append(WalkProblem(str(path), reason))


def read_page(path: Path) -> bytes:
    """The bytes of a page (decompressed for ``.gz``), at most ``MAX_PAGE_BYTES``.

    Raises:
        PageError: unreadable, vanished, too large, or a broken gzip file.
    """
    return read_page_file(path).data


@dataclass(frozen=True)
class PageBytes:
    """A page's bytes and the file's size and modification time when they were read."""

    data: bytes
    size: int
    mtime_ns: int


def read_page_file(path: str | Path) -> PageBytes:
    """The bytes of a page (decompressed for ``.gz``), at most ``MAX_PAGE_BYTES``, with the file's
    size and time from the open file (one ``fstat``; no path look-up of its own).

    Raises:
        PageError: unreadable, vanished, too large, or a broken gzip file.
    """
    try:
        if os.fspath(path).lower().endswith(".gz"):
            st = os.stat(path)
            _check_size(path, st.st_size)
            with gzip.open(path, "rb") as handle:
                data = handle.read(MAX_PAGE_BYTES + 1)
            if len(data) > MAX_PAGE_BYTES:
                raise PageError(path, f"decompressed page larger than {MAX_PAGE_BYTES // 2**20} MiB")
            return PageBytes(data, st.st_size, st.st_mtime_ns)
        fd = os.open(path, os.O_RDONLY)
        try:
            st = os.fstat(fd)
            _check_size(path, st.st_size)
            return PageBytes(_read_all(fd, st.st_size), st.st_size, st.st_mtime_ns)
        finally:
            os.close(fd)
    except FileNotFoundError:
        reason = "broken symlink" if os.path.islink(path) else "file vanished while reading"
        raise PageError(path, reason) from None
    except PermissionError:
        raise PageError(path, "permission denied") from None
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        raise PageError(path, f"cannot read ({exc.__class__.__name__}: {exc})") from None


def _check_size(path: str | Path, size: int) -> None:
    if size > MAX_PAGE_BYTES:
        raise PageError(path, f"file too large ({size / 1e6:.1f} MB; limit {MAX_PAGE_BYTES // 2**20} MiB)")


def _read_all(fd: int, size: int) -> bytes:
    """Everything an open file holds (``size``: what ``fstat`` said; read on if the file changed)."""
    data = os.read(fd, size + 1)
    if len(data) == size:
        return data
    chunks = [data]
    while chunk := os.read(fd, 1 << 16):
        chunks.append(chunk)
    return b"".join(chunks)
