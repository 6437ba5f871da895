"""The ``artsearch`` command line: each command parses options, makes one Engine call, formats."""

from __future__ import annotations

import html
import json
import logging
import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from search import ArtsearchError, Engine, QueryError
from search.batch import read_batch_file, trec_lines
from search.filters import SORTS
from search.results import Results
from search.snippets import render_marked

logger = logging.getLogger(__name__)

DEFAULT_CORPUS = "corpus"
INDEX_HELP = "Index folder [default: $ARTSEARCH_INDEX, else ./.artsearch]."


class ArtsearchGroup(click.Group):
    """A click group that turns every library error into one line on stderr and exit code 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ArtsearchError as exc:
            raise click.ClickException(str(exc)) from None
        except (click.ClickException, click.exceptions.Exit, click.Abort, SystemExit):
            raise
        except KeyboardInterrupt:
            raise click.ClickException("interrupted") from None
        except BrokenPipeError:
            # the reader of stdout went away (`artsearch search ... | head`): stop quietly, as
            # command-line tools do; stdout is pointed at /dev/null so the exit flush cannot fail
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            raise SystemExit(141) from None  # 128 + SIGPIPE, what a shell reports for a killed writer
        except Exception as exc:
            logger.debug("internal error", exc_info=True)
            raise click.ClickException(
                f"internal error: {exc.__class__.__name__}: {exc} (run with -vv for details)"
            ) from None


def _echo_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False))


def _engine(index: str | None) -> Engine:
    return Engine(index)


index_option = click.option(
    "--index", "index", type=click.Path(file_okay=False), default=None, help=INDEX_HELP
)
json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON.")


def writer_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """``--workers``, ``--strict`` and ``--wait``: the options of the commands that write the index."""
    command = click.option(
        "--wait", type=click.FloatRange(0), default=0.0, help="Seconds to wait for another writer."
    )(command)
    command = click.option(
        "--strict", is_flag=True, help="Fail (exit 1, live index untouched) if any page is skipped."
    )(command)
    return click.option(
        "--workers", type=click.IntRange(1, 256), default=None, help="Worker processes (parse, analyse, write) [default: cores]."
    )(command)


@click.group(cls=ArtsearchGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-v", "--verbose", count=True, help="More log output on stderr (-vv for debug).")
@click.option("-q", "--quiet", is_flag=True, help="No progress output, warnings only.")
@click.version_option(package_name="artsearch")
@click.pass_context
def cli(ctx: click.Context, verbose: int, quiet: bool) -> None:
    """Full-text search and related articles for a folder of scraped article pages."""
    level = (
        logging.ERROR
        if quiet
        else logging.DEBUG
        if verbose > 1
        else logging.INFO
        if verbose
        else logging.WARNING
    )
    logging.basicConfig(
        level=level, format="artsearch: %(levelname)s: %(message)s", stream=sys.stderr, force=True
    )
    ctx.obj = {"quiet": quiet}


@contextmanager
def _progress(ctx: click.Context, label: str) -> Iterator[Callable[[int, int], None] | None]:
    """A progress callback: a bar on a terminal, periodic lines otherwise, nothing with ``-q``."""
    if ctx.obj.get("quiet"):
        yield None
        return
    if sys.stderr.isatty():
        bar: Any = None

        def on_tty(done: int, total: int) -> None:
            nonlocal bar
            if bar is None:
                bar = click.progressbar(
                    length=total, label=label, file=sys.stderr, show_pos=True, show_eta=True
                )
                bar.__enter__()
            bar.update(done - bar.pos)

        try:
            yield on_tty
        finally:
            if bar is not None:
                bar.__exit__(None, None, None)
        return
    started = last = time.monotonic()

    def on_pipe(done: int, total: int) -> None:
        nonlocal last
        now = time.monotonic()
        if now - last >= 5 or done == total:
            last = now
            rate = done / max(now - started, 1e-9)
            click.echo(f"{label}: {done}/{total} pages ({rate:.0f}/s)", err=True)

    yield on_pipe


@cli.command()
@click.argument("corpus", type=click.Path(), default=DEFAULT_CORPUS)
@index_option
@writer_options
@json_option
@click.pass_context
def build(
    ctx: click.Context,
    corpus: str,
    index: str | None,
    workers: int | None,
    strict: bool,
    wait: float,
    as_json: bool,
) -> None:
    """Rebuild the index of CORPUS [default: ./corpus] from scratch (atomic swap)."""
    with _progress(ctx, "indexing") as progress:
        report = _engine(index).build(corpus, workers=workers, strict=strict, wait=wait, progress=progress)
    if as_json:
        _echo_json(report.to_dict())
        return
    click.echo(
        f"indexed {report.indexed} of {report.pages} pages from {report.corpus_dir} "
        f"into {report.index_dir} in {report.seconds:.2f}s"
    )
    if report.skipped:
        click.echo(f"skipped {len(report.skipped)}:")
        for skip in report.skipped:
            click.echo(f"  {skip.path}: {skip.reason}")


@cli.command()
@click.argument("corpus", type=click.Path(), default=DEFAULT_CORPUS)
@index_option
@writer_options
@click.option(
    "--fast",
    is_flag=True,
    help="Kept for compatibility: every update is now fast and scores exactly like a rebuild.",
)
@json_option
@click.pass_context
def update(
    ctx: click.Context,
    corpus: str,
    index: str | None,
    workers: int | None,
    strict: bool,
    wait: float,
    fast: bool,
    as_json: bool,
) -> None:
    """Update the index from CORPUS [default: ./corpus]: only new, changed and deleted pages."""
    with _progress(ctx, "updating") as progress:
        report = _engine(index).update(
            corpus, workers=workers, strict=strict, wait=wait, exact=not fast, progress=progress
        )
    if as_json:
        _echo_json(report.to_dict())
        return
    click.echo(
        f"{'built' if report.rebuilt else 'updated'} {report.index_dir} from {report.corpus_dir}: "
        f"{report.added} added, {report.changed} changed, {report.deleted} deleted, "
        f"{report.unchanged} unchanged, {len(report.skipped)} skipped in {report.seconds:.2f}s"
    )
    if report.rewritten:
        click.echo(f"merged {report.rewritten} unchanged articles of small or mostly deleted segments")
    for skip in report.skipped:
        click.echo(f"  skipped {skip.path}: {skip.reason}")


@cli.command()
@click.argument("corpus", type=click.Path(), required=False)
@index_option
@json_option
def check(corpus: str | None, index: str | None, as_json: bool) -> None:
    """Check the index against CORPUS [default: the corpus it was built from]; exit 1 on problems."""
    report = _engine(index).check(corpus)
    if as_json:
        _echo_json(report.to_dict())
    else:
        click.echo(
            f"index {report.index_dir} ({report.generation}): {report.articles} articles, "
            f"{report.pages} pages in {report.corpus_dir}"
        )
        for kind in ("missing", "stale", "orphaned", "duplicates", "unreadable", "sidecars"):
            items = getattr(report, kind)
            if items:
                click.echo(f"{kind}: {len(items)}")
                for item in items[:20]:
                    click.echo(f"  {item}")
                if len(items) > 20:
                    click.echo(f"  ... {len(items) - 20} more")
        if report.skipped:
            click.echo(f"skipped (not indexed, known): {len(report.skipped)}")
        fix = "artsearch build" if report.unreadable or report.sidecars else "artsearch update"
        click.echo("ok" if report.ok else f"problems found: run `{fix}` to fix them")
    if not report.ok:
        raise click.exceptions.Exit(1)


@cli.command()
@click.argument("query", required=False)
@index_option
@click.option(
    "--limit", type=click.IntRange(1, 1000), default=10, show_default=True, help="Results per page."
)
@click.option("--page", type=click.IntRange(1, 10_000), default=1, show_default=True, help="Page of results.")
@click.option("--category", default=None, help="Only articles of this category.")
@click.option("--lang", default=None, help="Only articles in this language (en, zh, ...).")
@click.option("--after", default=None, metavar="DATE", help="Only articles dated on or after DATE (YYYY-MM-DD).")
@click.option("--before", default=None, metavar="DATE", help="Only articles dated on or before DATE.")
@click.option(
    "--sort", type=click.Choice(SORTS), default="relevance", show_default=True, help="Order of results."
)
@click.option("--html", "as_html", is_flag=True, help="Snippets as HTML: matches in <mark>, the rest escaped.")
@click.option(
    "--batch",
    type=click.Path(dir_okay=False, exists=True),
    default=None,
    help="Run each line of FILE as a query (`id<TAB>query` or one query a line); one JSON line each.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["json", "trec"]),
    default="json",
    show_default=True,
    help="With --batch: JSON lines, or a TREC run (qid Q0 docid rank score tag).",
)
@json_option
@click.pass_context
def search(
    ctx: click.Context,
    query: str | None,
    index: str | None,
    limit: int,
    page: int,
    category: str | None,
    lang: str | None,
    after: str | None,
    before: str | None,
    sort: str,
    as_html: bool,
    batch: str | None,
    fmt: str,
    as_json: bool,
) -> None:
    """Search the index for QUERY (words, "phrases", AND/OR/NOT, -word, title:, category:, word*, word~).

    Without --index or $ARTSEARCH_INDEX, a missing ./.artsearch (or one an older artsearch built from
    ./corpus) is first built from ./corpus.
    """
    if (query is None) == (batch is None):
        raise click.UsageError("give either a QUERY or --batch FILE")
    engine = _engine(index)
    default_location = index is None and not os.environ.get("ARTSEARCH_INDEX")
    reason = engine.needs_build(DEFAULT_CORPUS) if default_location and Path(DEFAULT_CORPUS).is_dir() else None
    if reason is not None:
        why = "no index" if reason == "missing" else "an index from an older artsearch"
        click.echo(f"artsearch: {why} at {engine.index_dir}; building it from ./{DEFAULT_CORPUS} first", err=True)
        with _progress(ctx, "indexing") as progress:
            engine.build(DEFAULT_CORPUS, progress=progress)
    options: dict[str, Any] = dict(
        limit=limit, page=page, category=category, lang=lang, after=after, before=before, sort=sort
    )
    if batch is not None:
        _search_batch(engine, Path(batch), fmt, as_html, options)
        return
    assert query is not None
    results = engine.search(query, **options)
    if as_json:
        _echo_json(_results_json(results, as_html))
    elif as_html:
        _print_html(results)
    else:
        _print_results(results)


def _results_json(results: Results, as_html: bool) -> dict[str, Any]:
    data = results.to_dict()
    if as_html:
        for hit, item in zip(results.hits, data["results"], strict=True):
            item["snippet_html"] = render_marked(hit.snippet, "<mark>", "</mark>", escape=True)
    return data


def _search_batch(engine: Engine, path: Path, fmt: str, as_html: bool, options: dict[str, Any]) -> None:
    """One line of output per query; a bad query gives an ``error`` line (JSON) or a warning (TREC)."""
    for qid, text in read_batch_file(path):
        try:
            results = engine.search(text, **options)
        except QueryError as exc:
            if fmt == "trec":
                click.echo(f"artsearch: query {qid}: {exc}", err=True)
            else:
                _echo_json({"id": qid, "query": text, "error": str(exc)})
            continue
        if fmt == "trec":
            for line in trec_lines(qid, results):
                click.echo(line)
        else:
            _echo_json({"id": qid, **_results_json(results, as_html)})


def _print_html(results: Results) -> None:
    for hit in results.hits:
        title = html.escape(hit.title)
        snippet = render_marked(hit.snippet, "<mark>", "</mark>", escape=True)
        click.echo(f'<li><a href="{html.escape(hit.url or hit.id)}">{title}</a><p>{snippet}</p></li>')


def _print_results(results: Results) -> None:
    first = (results.page - 1) * results.limit
    click.echo(
        f"{results.total} result{'s' if results.total != 1 else ''} for {results.query!r} "
        f"(page {results.page}, {results.took_ms:.1f} ms)"
    )
    if results.corrected:
        click.echo(f"no results; showing results for: {results.suggestion}")
    elif results.suggestion:
        click.echo(f"did you mean: {results.suggestion}")
    bold_on, bold_off = click.style("", bold=True, reset=False), "\x1b[22m"
    for rank, hit in enumerate(results.hits, start=first + 1):
        click.echo(f"\n{rank:>3}. {click.style(hit.title, bold=True)}  [{hit.id}]  {hit.score:.2f}")
        click.echo("     " + render_marked(hit.snippet, bold_on, bold_off))
    if results.facets.get("category"):
        counts = ", ".join(f"{k or '-'} {v}" for k, v in results.facets["category"].items())
        click.echo(f"\ncategories: {counts}")


@cli.command()
@click.argument("article_id", metavar="[ID]", required=False)
@index_option
@click.option(
    "--limit", type=click.IntRange(1, 1000), default=10, show_default=True, help="How many articles."
)
@click.option("--text", default=None, help="Articles related to this text instead of an indexed article.")
@click.option(
    "--file", "page", type=click.Path(dir_okay=False), default=None, help="Articles related to this page."
)
@click.option("--all", "every", is_flag=True, help="Related articles of every article, as JSON lines.")
@click.option(
    "--out", type=click.Path(dir_okay=False, writable=True), default="-", help="With --all: output file."
)
@json_option
@click.pass_context
def related(
    ctx: click.Context,
    article_id: str | None,
    index: str | None,
    limit: int,
    text: str | None,
    page: str | None,
    every: bool,
    out: str,
    as_json: bool,
) -> None:
    """Articles related to the article ID, a --text, a --file page, or --all of them (JSON lines)."""
    chosen = [name for name, value in (("ID", article_id), ("--text", text), ("--file", page)) if value]
    chosen += ["--all"] if every else []
    if len(chosen) != 1:
        raise click.UsageError("give exactly one of ID, --text, --file or --all")
    engine = _engine(index)
    if every:
        with _progress(ctx, "related") as progress, click.open_file(out, "w", encoding="utf-8") as handle:
            for result in engine.related_all(limit=limit, progress=progress):
                handle.write(json.dumps(result.to_dict(), ensure_ascii=False) + "\n")
        return
    if text is not None:
        result = engine.related_to_text(text, limit=limit)
    elif page is not None:
        result = engine.related_to_page(page, limit=limit)
    else:
        result = engine.related(str(article_id), limit=limit)
    if as_json:
        _echo_json(result.to_dict())
        return
    click.echo(f"related to {result.id or 'the text'}:")
    for item in result.related:
        click.echo(f"  {click.style(item.title, bold=True)}  [{item.id}]")
        click.echo(f"    {item.blurb}")


@cli.command()
@click.argument("article_id", metavar="ID")
@index_option
@json_option
def show(article_id: str, index: str | None, as_json: bool) -> None:
    """Show the stored article ID."""
    article = _engine(index).get(article_id)
    if as_json:
        _echo_json(article.to_dict())
        return
    click.echo(_format_article(article.to_dict()))


@cli.command()
@index_option
@json_option
def stats(index: str | None, as_json: bool) -> None:
    """What the index holds and how it was built."""
    info = _engine(index).stats()
    if as_json:
        _echo_json(info.to_dict())
        return
    click.echo(f"index:      {info.index_dir} ({info.generation}, schema {info.schema_version})")
    click.echo(f"articles:   {info.articles}")
    click.echo(f"built:      {info.built_at} from {info.corpus}")
    click.echo(f"size:       {info.size_bytes / 1e6:.1f} MB")
    click.echo("categories: " + ", ".join(f"{k or '-'} {v}" for k, v in info.categories.items()))
    click.echo("languages:  " + ", ".join(f"{k or '-'} {v}" for k, v in info.languages.items()))
    if info.skipped:
        click.echo(f"skipped:    {len(info.skipped)}")
        for skip in info.skipped:
            click.echo(f"  {skip['path']}: {skip['reason']}")


@cli.command()
@click.argument("pages", nargs=-1, required=True, type=click.Path())
@json_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["full", "text"]),
    default="full",
    show_default=True,
    help="full: metadata, text and links; text: title and text only.",
)
def extract(pages: tuple[str, ...], as_json: bool, fmt: str) -> None:
    """Show what the indexer extracts from each PAGE (exit 1 if any page fails)."""
    failed = 0
    for page in pages:
        try:
            article = Engine.extract(page)
        except ArtsearchError as exc:
            failed += 1
            click.echo(f"Error: {exc}", err=True)
            continue
        data = article.to_dict()
        data["source"] = page
        if as_json:
            _echo_json(
                {k: data[k] for k in EXTRACT_KEYS}
                | {"paragraphs": data["paragraphs"], "keywords": data["keywords"]}
            )
        elif fmt == "text":
            click.echo(f"{article.title}\n\n{article.text}\n")
        else:
            click.echo(_format_article(data) + "\n")
    if failed:
        raise click.exceptions.Exit(1)


EXTRACT_KEYS = (
    "source",
    "id",
    "url",
    "title",
    "text",
    "date",
    "author",
    "category",
    "description",
    "lang",
    "links",
)


def _format_article(data: dict[str, Any]) -> str:
    lines = [click.style(data["title"], bold=True), f"id: {data['id']}"]
    for key in ("url", "date", "author", "category", "lang", "description"):
        if data.get(key):
            lines.append(f"{key}: {data[key]}")
    lines += ["", data["text"], ""]
    links = data["links"]
    if links.get("prev"):
        lines.append(f"prev: {links['prev']}")
    if links.get("next"):
        lines.append(f"next: {links['next']}")
    for url in links.get("recommended", []):
        lines.append(f"recommended: {url}")
    return "\n".join(lines)


def main() -> None:  # pragma: no cover - console entry point alias
    """Run the CLI."""
    cli()
