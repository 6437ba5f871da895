"""The parsing pool: worker processes replaced mid-build (``maxtasksperchild``) shut down cleanly."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from search import Engine

# Builds with a pool whose workers are replaced after every task (as a large build replaces them
# every WORKER_MAX_TASKS tasks), in a child process so that a hang fails the test instead of CI.
BUILD_WITH_REPLACED_WORKERS = """
import sys
import indexer.pipeline as pipeline
pipeline.WORKER_MAX_TASKS = 1
from search import Engine
print(Engine(sys.argv[2]).build(sys.argv[1], workers=2).indexed)
"""


def test_build_with_replaced_workers_finishes(corpus_copy: Path, tmp_path: Path) -> None:
    index = tmp_path / "index"
    done = subprocess.run(
        [sys.executable, "-c", BUILD_WITH_REPLACED_WORKERS, str(corpus_copy), str(index)],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    pages = len(list(corpus_copy.rglob("*.html")))
    assert int(done.stdout.split()[-1]) == pages
    assert Engine(index).search("postpartum back pain").hits[0].id == "postpartum/back-pain-treatment"
