"""The parsing pool of updates: worker processes replaced mid-run (``maxtasksperchild``) shut down cleanly."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from search import Engine

# Updates every page with a pool whose workers are replaced after every task (as a large update
# replaces them every WORKER_MAX_TASKS tasks), in a child process so that a hang fails the test
# instead of CI.
UPDATE_WITH_REPLACED_WORKERS = """
import sys
import indexer.pipeline as pipeline
pipeline.WORKER_MAX_TASKS = 1
from search import Engine
print(Engine(sys.argv[2]).update(sys.argv[1], workers=2).changed)
"""


def test_update_with_replaced_workers_finishes(corpus_copy: Path, tmp_path: Path) -> None:
    index = tmp_path / "index"
    Engine(index).build(corpus_copy, workers=1)
    pages = sorted(corpus_copy.rglob("*.html"))
    for page in pages:
        page.write_bytes(page.read_bytes().replace(b"</title>", b" (revised)</title>", 1))
    done = subprocess.run(
        [sys.executable, "-c", UPDATE_WITH_REPLACED_WORKERS, str(corpus_copy), str(index)],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert int(done.stdout.split()[-1]) == len(pages)
    updated = Engine(index)
    assert updated.search("postpartum back pain").hits[0].id == "postpartum/back-pain-treatment"
    assert updated.check(corpus_copy).ok  # the index matches the revised corpus
