"""The artsearch CLI through click's CliRunner: commands, JSON shapes, exit codes, errors."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from indexer import store
from search import Engine
from search.cli import cli

BACK_PAIN = "postpartum/back-pain-treatment"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def index_dir(engine: Engine) -> str:
    return str(engine.index_dir)


def run(runner: CliRunner, *args: str, code: int = 0) -> str:
    result = runner.invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == code, result.output
    return result.output


def test_search_json_shape_and_ranking(runner: CliRunner, index_dir: str) -> None:
    data = json.loads(run(runner, "search", "postpartum back pain", "--index", index_dir, "--json"))
    assert {"query", "total", "page", "took_ms", "results", "suggestion"} <= set(data)
    assert data["query"] == "postpartum back pain"
    assert data["page"] == 1
    assert data["results"][0]["id"] == BACK_PAIN
    assert {"id", "title", "url", "score", "snippet"} <= set(data["results"][0])
    assert len(data["results"]) == 10


def test_search_text_output_and_paging(runner: CliRunner, index_dir: str) -> None:
    out = run(runner, "search", "postpartum back pain", "--index", index_dir, "--limit", "3")
    assert "How to Treat Back Pain After Childbirth" in out
    assert f"[{BACK_PAIN}]" in out
    page2 = json.loads(run(runner, "search", "pregnancy", "--index", index_dir, "--limit", "2", "--page", "2", "--json"))
    assert page2["page"] == 2 and len(page2["results"]) == 2


def test_index_from_environment(runner: CliRunner, index_dir: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARTSEARCH_INDEX", index_dir)
    data = json.loads(run(runner, "search", "iron", "--json"))
    assert data["total"] > 0


def test_related_json(runner: CliRunner, index_dir: str) -> None:
    data = json.loads(run(runner, "related", BACK_PAIN, "--index", index_dir, "--json"))
    assert data["id"] == BACK_PAIN
    ids = [r["id"] for r in data["related"]]
    assert len(ids) >= 5 and BACK_PAIN not in ids
    for item in data["related"]:
        assert {"id", "title", "url", "score", "blurb"} <= set(item)
        assert item["blurb"].endswith("...")


def test_show_and_stats(runner: CliRunner, index_dir: str) -> None:
    shown = json.loads(run(runner, "show", BACK_PAIN, "--index", index_dir, "--json"))
    assert shown["title"] == "How to Treat Back Pain After Childbirth"
    assert "How to Treat Back Pain After Childbirth" in run(runner, "show", BACK_PAIN, "--index", index_dir)
    stats = json.loads(run(runner, "stats", "--index", index_dir, "--json"))
    assert stats["articles"] == 100
    assert "articles:" in run(runner, "stats", "--index", index_dir)


def test_extract_json_lines_in_input_order(runner: CliRunner, corpus_dir: Path) -> None:
    pages = [corpus_dir / "postpartum/back-pain-treatment.html", corpus_dir / "menstruation/zh-tongjing-huanjie.html"]
    lines = run(runner, "extract", *map(str, pages), "--json").splitlines()
    assert len(lines) == 2
    first, second = (json.loads(line) for line in lines)
    assert list(first)[:11] == [
        "source", "id", "url", "title", "text", "date", "author", "category", "description", "lang", "links",
    ]  # fmt: skip
    assert first["source"] == str(pages[0])
    assert first["title"] == "How to Treat Back Pain After Childbirth"
    assert set(first["links"]) == {"prev", "next", "recommended"}
    assert second["title"] == "痛经怎么缓解？这些方法值得一试"
    for boilerplate in ("Share to", "Recommend", "Copyright", "Advertisement", "Privacy Policy", "<<:", ">>:"):
        assert boilerplate not in first["text"]


def test_extract_text_format(runner: CliRunner, corpus_dir: Path) -> None:
    out = run(runner, "extract", str(corpus_dir / "postpartum/back-pain-treatment.html"), "--format", "text")
    assert out.startswith("How to Treat Back Pain After Childbirth\n\nPostpartum back pain")


def test_build_summary_and_json(runner: CliRunner, tmp_path: Path, corpus_dir: Path) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(corpus_dir / "nutrition", corpus / "nutrition")
    (corpus / "nutrition" / "broken.html").write_bytes(b"\x00\x00\x00")
    out = run(runner, "-q", "build", str(corpus), "--index", str(tmp_path / "ix"), "--workers", "1")
    pages = len(list((corpus_dir / "nutrition").glob("*.html")))
    assert f"indexed {pages} of {pages + 1} pages" in out
    assert "broken.html: binary content" in out
    data = json.loads(run(runner, "-q", "build", str(corpus), "--index", str(tmp_path / "ix"), "--json"))
    assert data["indexed"] == pages and data["skipped"][0]["path"].endswith("broken.html")


@pytest.fixture
def in_site_folder(tmp_path: Path, corpus_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The current folder holds ``./corpus`` (one category of the sample site) and no index; no
    ``$ARTSEARCH_INDEX``: the README's first command's situation."""
    shutil.copytree(corpus_dir / "postpartum", tmp_path / "corpus" / "postpartum")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ARTSEARCH_INDEX", raising=False)
    return tmp_path


def test_search_with_an_explicit_missing_index_does_not_build(runner: CliRunner, in_site_folder: Path) -> None:
    result = runner.invoke(cli, ["search", "pain", "--index", "elsewhere"])
    assert result.exit_code == 1 and "no index here" in result.stderr
    assert not (in_site_folder / "elsewhere").exists()


def test_search_builds_a_missing_index_from_the_default_corpus(runner: CliRunner, in_site_folder: Path) -> None:
    result = runner.invoke(cli, ["-q", "search", "postpartum back pain", "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "building it from ./corpus" in result.stderr
    assert json.loads(result.stdout)["results"][0]["id"] == BACK_PAIN
    assert (in_site_folder / ".artsearch" / "CURRENT").is_file()


def _age_index(index_dir: Path, corpus: str) -> None:
    """Make the index at ``index_dir`` look built from ``corpus`` by an older schema version."""
    gen = store.current_generation(index_dir)
    meta = json.loads((gen / store.META).read_text(encoding="utf-8"))
    meta.update(schema_version=meta["schema_version"] - 1, corpus=corpus)
    (gen / store.META).write_text(json.dumps(meta), encoding="utf-8")


def test_search_rebuilds_an_outdated_default_index_only_of_the_default_corpus(
    runner: CliRunner, in_site_folder: Path
) -> None:
    run(runner, "-q", "build", "corpus")
    _age_index(in_site_folder / ".artsearch", str(in_site_folder / "elsewhere"))
    result = runner.invoke(cli, ["-q", "search", "back pain"])
    assert result.exit_code == 1, result.output
    assert f"rebuild with `artsearch build {in_site_folder / 'elsewhere'} --index" in result.stderr

    _age_index(in_site_folder / ".artsearch", str((in_site_folder / "corpus").resolve()))
    result = runner.invoke(cli, ["-q", "search", "postpartum back pain", "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "an index from an older artsearch at" in result.stderr
    assert json.loads(result.stdout)["results"][0]["id"] == BACK_PAIN


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["search", "anything", "--index", "{tmp}/none"], "no index here"),
        (["show", "no/such", "--index", "{index}"], "unknown article id: 'no/such'"),
        (["related", "no/such", "--index", "{index}"], "unknown article id"),
        (["stats", "--index", "{tmp}/none"], "no index here"),
        (["search", "the of", "--index", "{index}"], "no searchable words"),
        (["search", "x" * 5000, "--index", "{index}"], "query too long"),
        (["build", "{tmp}/missing", "--index", "{tmp}/ix"], "no such folder"),
        (["build", "{tmp}/empty", "--index", "{tmp}/ix"], "no .html/.htm pages"),
        (["extract", "{tmp}/missing.html"], "missing.html"),
        (["extract", "{tmp}/binary.html"], "binary content"),
    ],
)
def test_errors_are_one_line_and_exit_1(
    runner: CliRunner, tmp_path: Path, index_dir: str, args: list[str], message: str
) -> None:
    (tmp_path / "binary.html").write_bytes(bytes(range(256)))
    (tmp_path / "empty").mkdir()
    argv = ["-q", *(a.format(tmp=tmp_path, index=index_dir) for a in args)]
    result = runner.invoke(cli, argv, catch_exceptions=False)
    assert result.exit_code == 1
    assert message in result.stderr
    assert "Traceback" not in result.output
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(
    "args",
    [["search"], ["search", "x", "--limit", "0"], ["search", "x", "--page", "abc"], ["nosuchcommand"], ["related"]],
)
def test_usage_errors_exit_2(runner: CliRunner, args: list[str]) -> None:
    assert runner.invoke(cli, args).exit_code == 2


def test_every_command_is_documented_in_the_readme() -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    for name in cli.commands:
        assert f"artsearch {name}" in readme, f"README.md does not document `artsearch {name}`"


def test_extract_applies_the_site_profile_above_the_page(runner: CliRunner, tmp_path: Path) -> None:
    from tests.conftest import page_html

    page = tmp_path / "site" / "a" / "page.html"
    page.parent.mkdir(parents=True)
    page.write_text(page_html("Generic Title", before='<div class="headline">Profile Title</div>'), encoding="utf-8")
    assert json.loads(run(runner, "extract", str(page), "--json"))["title"] == "Generic Title"
    (tmp_path / "site" / "artsearch.toml").write_text('[extract]\ntitle = "div.headline"\n', encoding="utf-8")
    assert json.loads(run(runner, "extract", str(page), "--json"))["title"] == "Profile Title"


def test_a_closed_pipe_stops_quietly(index_dir: str) -> None:
    """`artsearch search ... | head` where the reader is gone before the output: no error line,
    no traceback, the shell's exit status for a writer stopped by SIGPIPE."""
    proc = subprocess.Popen(
        [sys.executable, "-c", "from search.cli import cli; cli()", "search", "pain", "--index", index_dir, "--limit", "50"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # the reader goes away before a line is written
    stderr = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 141
    assert stderr == ""
