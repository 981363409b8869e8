"""The ``kb`` command line: a thin layer over the library."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from kb import __version__
from kb.db import DEFAULT_DB

STATUS_LABEL = {
    "added": "added",
    "updated": "updated",
    "unchanged": "unchanged",
    "duplicate": "duplicate",
    "failed": "FAILED",
}


def db_option(f):
    return click.option(
        "--db",
        "db_path",
        type=click.Path(dir_okay=False, path_type=Path),
        default=DEFAULT_DB,
        show_default=True,
        envvar="KB_DB",
        help="SQLite database file (or set KB_DB).",
    )(f)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kb")
def cli() -> None:
    """kb: a searchable knowledge base of overseas-trip result reports (공무국외출장 결과보고서)."""


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@db_option
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.option("--progress/--no-progress", default=None, help="Show a progress bar (default: on a terminal).")
def ingest(paths: tuple[Path, ...], db_path: Path, as_json: bool, progress: bool | None) -> None:
    """Store report files (and folders, recursively) in the database.

    Unchanged files are skipped; a changed file replaces its report. A file that
    cannot be read is named with the reason and the others still go in; the exit
    status is 1 when any file failed.
    """
    from kb.ingest import ingest as run_ingest

    show = sys.stderr.isatty() if progress is None else progress

    def bar(files):
        if not show or len(files) < 2:
            return files
        from tqdm import tqdm

        return tqdm(files, unit="file", desc="ingest", file=sys.stderr)

    summary = run_ingest(paths, db_path, progress=bar)
    if as_json:
        click.echo(json.dumps(summary.to_dict(), ensure_ascii=False, indent=2))
    else:
        for f in summary.files:
            detail = f.error if f.status == "failed" else f"{f.chunks} chunks" if f.status != "duplicate" else ""
            click.echo(f"{STATUS_LABEL[f.status]:<10} {f.path}" + (f"  ({detail})" if detail else ""))
            for w in f.warnings:
                click.echo(f"  warning: {w}", err=True)
        c = summary.counts
        click.echo(
            f"{c['added']} added, {c['updated']} updated, {c['unchanged']} unchanged, "
            f"{c['duplicate']} duplicate, {c['failed']} failed -> {db_path}"
        )
        if c["added"] + c["updated"] == 0 and not summary.failed and c["unchanged"]:
            click.echo("Nothing changed.")
    if summary.failed:
        sys.exit(1)


def main() -> None:
    cli()


if __name__ == "__main__":
    main()
