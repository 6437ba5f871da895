"""Quality gate: extraction on the real pages of ../shared (skipped when it is absent).

The floors sit a little below the measured figures (docs/BENCHMARKS.md); raise them when the
extractor improves, never lower them silently.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

F1_FLOOR = 0.97
TITLE_FLOOR = 0.84


def _eval_module() -> ModuleType:
    path = Path(__file__).resolve().parent.parent / "bench" / "eval_extraction.py"
    spec = importlib.util.spec_from_file_location("eval_extraction", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_token_metric() -> None:
    ev = _eval_module()
    assert ev.prf("the cat sat", "The cat sat") == (1.0, 1.0, 1.0)
    p, r, _ = ev.prf("月经期", "月经")
    assert (round(p, 3), r) == (0.667, 1.0)
    assert ev.prf("", "something")[2] == 0.0


def test_mozilla_readability_floors(shared_dir: Path) -> None:
    folder = shared_dir / "data" / "html" / "mozilla-readability"
    if not folder.is_dir():
        pytest.skip("mozilla-readability pages are not available")
    ev = _eval_module()
    summary = ev.summary(ev.evaluate(folder, repeat=1, references=False))
    assert summary["f1"] >= F1_FLOOR
    assert summary["title_exact"] >= TITLE_FLOOR
