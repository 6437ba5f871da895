"""Index lifecycle: killed builds, searches during builds, lock contention, schema versions, inputs."""

from __future__ import annotations

import gzip
import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from indexer import store
from indexer.errors import IndexLockedError, IndexVersionError
from indexer.segment_workers import CHUNK_PAGES
from search import Engine
from search.cli import cli

QUERIES = ("calcium", "back pain", "breastfeeding", "产后", "sleep")

# Runs a build or update in a child process and SIGKILLs it at a chosen point.
KILLER = textwrap.dedent(
    """
    import os, signal, sys
    from search import Engine
    corpus, index, command, point, n = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])

    def die(*_args, **_kw):
        os.kill(os.getpid(), signal.SIGKILL)

    def progress(done, total):
        if point == "pages" and done >= n:
            die()

    import indexer.pipeline
    indexer.pipeline.PARALLEL_MIN_PAGES = 8  # let the small test corpus use the worker pool
    if point == "meta":  # after the Whoosh commit, while writing meta.json
        import indexer.store as store
        store.write_meta = die
    if point == "publish":  # the new CURRENT is written but not yet renamed into place
        real = os.replace
        def replace(src, dst):
            if str(dst).endswith("CURRENT"):
                die()
            return real(src, dst)
        os.replace = replace
    engine = Engine(index)
    getattr(engine, command)(corpus, workers=int(os.environ.get("WORKERS", "1")), progress=progress)
    print("finished")
    """
)


def snapshot(engine: Engine) -> dict[str, list[tuple[str, float]]]:
    return {q: [(h.id, round(h.score, 9)) for h in engine.search(q, limit=100).hits] for q in QUERIES}


@pytest.fixture(scope="module")
def small_corpus(tmp_path_factory: pytest.TempPathFactory, corpus_dir: Path) -> Path:
    """The 20 postpartum pages of the bundled corpus (English and Chinese): quick to build."""
    target = tmp_path_factory.mktemp("small") / "corpus"
    shutil.copytree(corpus_dir / "postpartum", target / "postpartum")
    return target


@pytest.fixture(scope="module")
def base_index(small_corpus: Path) -> Path:
    index = small_corpus.parent / "index"
    Engine(index).build(small_corpus, workers=1)
    return index


@pytest.fixture
def corpus_copy(small_corpus: Path, tmp_path: Path) -> Path:
    """A writable copy of the small corpus (same mtimes, so the base index's manifest matches)."""
    target = tmp_path / "corpus"
    shutil.copytree(small_corpus, target)
    return target


@pytest.fixture
def index_copy(base_index: Path, tmp_path: Path) -> Path:
    target = tmp_path / "index"
    shutil.copytree(base_index, target)
    return target


def run_killer(
    tmp_path: Path, corpus: Path, index: Path, command: str, point: str, n: int = 0, workers: int = 1
):
    script = tmp_path / "killer.py"
    script.write_text(KILLER, encoding="utf-8")
    env = {**os.environ, "WORKERS": str(workers)}
    return subprocess.run(
        [sys.executable, str(script), str(corpus), str(index), command, point, str(n)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )


@pytest.mark.parametrize(
    ("command", "point", "n", "workers"),
    [
        ("build", "pages", 1, 1),
        ("build", "pages", 12, 2),
        ("build", "meta", 0, 1),
        ("build", "publish", 0, 1),
        ("update", "publish", 0, 1),
    ],
)
def test_killed_writer_leaves_old_index_serving(
    index_copy: Path, corpus_copy: Path, tmp_path: Path, command: str, point: str, n: int, workers: int
) -> None:
    reader = Engine(index_copy)
    before = snapshot(reader)
    live = store.current_generation(index_copy).name
    # change the corpus so that a finished build or update would change the results
    for page in sorted(corpus_copy.rglob("*.html")):
        page.write_bytes(page.read_bytes().replace(b"calcium", b"magnesium"))
    proc = run_killer(tmp_path, corpus_copy, index_copy, command, point, n, workers)
    assert proc.returncode == -signal.SIGKILL, proc.stdout + proc.stderr
    assert "finished" not in proc.stdout
    assert store.current_generation(index_copy).name == live
    assert snapshot(reader) == before
    assert snapshot(Engine(index_copy)) == before
    assert Engine(index_copy).check().ok  # opens, reads back, matches the corpus it was built from
    leftovers = {p.name for p in index_copy.iterdir() if p.name.startswith("gen-")} - {live}
    assert leftovers, "the killed writer left its unfinished generation"
    # the next writer cleans up and publishes
    Engine(index_copy).build(corpus_copy, workers=1)
    names = {p.name for p in index_copy.iterdir()}
    assert not (leftovers & names)
    assert not [n for n in names if n.endswith(".tmp")]
    assert len([n for n in names if n.startswith("gen-")]) == 2  # the new one and the previous
    assert snapshot(reader) != before  # the long-lived engine noticed the new index
    assert Engine(index_copy).check(corpus_copy).ok


def test_searches_during_builds_never_fail(index_copy: Path, corpus_copy: Path) -> None:
    reader = Engine(index_copy)
    first = store.current_generation(index_copy).name
    errors: list[BaseException] = []
    seen: set[str] = set()
    stop = threading.Event()

    def search_loop() -> None:
        while not stop.is_set():
            try:
                for q in QUERIES:
                    assert reader.search(q).total > 0
                seen.add(reader.stats().generation)
            except BaseException as exc:  # collected and reported below
                errors.append(exc)
                return

    thread = threading.Thread(target=search_loop)
    thread.start()
    try:
        for i in range(3):
            page = corpus_copy / "postpartum" / "back-pain-treatment.html"
            page.write_bytes(page.read_bytes().replace(b"</h1>", f" {i}</h1>".encode(), 1))
            command = "build" if i % 2 == 0 else "update"
            subprocess.run(
                [
                    sys.executable,
                    "-c",
                    "from search.cli import cli; cli()",
                    "-q",
                    command,
                    str(corpus_copy),
                    "--index",
                    str(index_copy),
                ],
                check=True,
                timeout=300,
            )
    finally:
        stop.set()
        thread.join()
    assert not errors, errors
    assert store.current_generation(index_copy).name != first
    assert reader.stats().generation == store.current_generation(index_copy).name
    assert len(seen) >= 2


def test_second_writer_waits_then_names_the_lock(index_copy: Path, small_corpus: Path) -> None:
    with store.writer_lock(index_copy):
        with pytest.raises(IndexLockedError, match=r"write\.lock.*--wait"):
            Engine(index_copy).build(small_corpus, workers=1, wait=0.3)
        out = CliRunner().invoke(
            cli, ["-q", "update", str(small_corpus), "--index", str(index_copy), "--wait", "0.2"]
        )
        assert out.exit_code == 1
        assert "write.lock" in out.output and "waited 0.2s" in out.output
        # writers never block searches
        assert Engine(index_copy).search("calcium").total > 0


def test_second_writer_waits_for_the_first(index_copy: Path, small_corpus: Path) -> None:
    held = threading.Event()

    def hold_lock() -> None:
        with store.writer_lock(index_copy):
            held.set()
            threading.Event().wait(0.5)

    holder = threading.Thread(target=hold_lock)
    holder.start()
    held.wait()
    report = Engine(index_copy).update(small_corpus, workers=1, wait=30)
    holder.join()
    assert report.unchanged == len(list(small_corpus.rglob("*.html")))


def test_old_schema_version_asks_for_rebuild(index_copy: Path, small_corpus: Path) -> None:
    gen = store.current_generation(index_copy)
    meta = json.loads((gen / store.META).read_text(encoding="utf-8"))
    meta["schema_version"] = 0
    (gen / store.META).write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(IndexVersionError, match=r"rebuild with `artsearch build \S+ --index"):
        Engine(index_copy).search("calcium")
    with pytest.raises(IndexVersionError):
        Engine(index_copy).update(small_corpus, workers=1)
    out = CliRunner().invoke(cli, ["search", "calcium", "--index", str(index_copy)])
    assert out.exit_code == 1 and "artsearch build" in out.output
    Engine(index_copy).build(small_corpus, workers=1)
    assert Engine(index_copy).search("calcium").total > 0


def test_meta_that_is_not_an_object_asks_for_rebuild(index_copy: Path) -> None:
    (store.current_generation(index_copy) / store.META).write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(IndexVersionError, match=r"meta.json is missing or unreadable"):
        Engine(index_copy).search("calcium")
    assert Engine(index_copy).needs_build("corpus") is None  # broken, not outdated: not rebuilt silently


def test_strict_build_keeps_live_index(index_copy: Path, corpus_copy: Path) -> None:
    live = store.current_generation(index_copy).name
    (corpus_copy / "broken.html").write_bytes(b"\x00\x01\x02" * 100)
    out = CliRunner().invoke(cli, ["-q", "build", str(corpus_copy), "--index", str(index_copy), "--strict"])
    assert out.exit_code == 1 and "--strict" in out.output and "broken.html" in out.output
    assert store.current_generation(index_copy).name == live
    out = CliRunner().invoke(cli, ["-q", "build", str(corpus_copy), "--index", str(index_copy)])
    assert out.exit_code == 0 and "broken.html" in out.output
    stats = CliRunner().invoke(cli, ["stats", "--index", str(index_copy)])
    assert "skipped:    1" in stats.output and "broken.html" in stats.output


def test_inputs_gz_symlink_loop_vanishing(tmp_path: Path, corpus_dir: Path) -> None:
    corpus = tmp_path / "corpus"
    (corpus / "a").mkdir(parents=True)
    pages = sorted(corpus_dir.rglob("*.html"))
    for page in pages[:3]:
        shutil.copy(page, corpus / "a" / page.name.replace(".html", ".htm"))
    (corpus / "a" / "zipped.html.gz").write_bytes(gzip.compress(pages[3].read_bytes()))
    (corpus / "a" / "broken.html.gz").write_bytes(b"not gzip at all")
    os.symlink("..", corpus / "a" / "loop")
    # A batch of pages is read before the first progress report: a full one comes before the
    # page that vanishes once the build has started.
    (corpus / "b").mkdir()
    for page in pages[6 : 6 + CHUNK_PAGES]:
        shutil.copy(page, corpus / "b" / page.name)
    (corpus / "c").mkdir()
    shutil.copy(pages[4], corpus / "c" / "vanishing.html")
    shutil.copy(pages[5], corpus / "c" / "zz-last.html")

    def progress(done: int, total: int) -> None:
        if (corpus / "c" / "vanishing.html").exists():
            (corpus / "c" / "vanishing.html").unlink()

    report = Engine(tmp_path / "ix").build(corpus, workers=1, progress=progress)
    reasons = {Path(s.path).name: s.reason for s in report.skipped}
    assert report.indexed == 5 + CHUNK_PAGES  # 3 .htm, the .gz, folder b, zz-last
    assert "vanished" in reasons["vanishing.html"]
    assert "gzip" in reasons["broken.html.gz"].lower() or "cannot read" in reasons["broken.html.gz"]
    assert "symlink loop" in reasons["loop"]
    assert Engine(tmp_path / "ix").get("a/zipped").title


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read files without read permission")
def test_unreadable_file_is_skipped(tmp_path: Path, corpus_dir: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for page in sorted(corpus_dir.rglob("*.html"))[:2]:
        shutil.copy(page, corpus / page.name)
    locked = corpus / sorted(p.name for p in corpus.iterdir())[0]
    locked.chmod(0)
    report = Engine(tmp_path / "ix").build(corpus, workers=1)
    assert report.indexed == 1
    assert "permission denied" in report.skipped[0].reason
