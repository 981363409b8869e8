"""Serving the knowledge base with Datasette: the same settings for ``kb serve`` and tests.

The file is served mutable, not immutable: Datasette then reads it through read-only
connections that see each commit, so ``kb ingest`` may add reports while it is served
(the database is in WAL mode: readers never wait for the writer, nor it for them), and
kb's indexes are rebuilt when the database's generation changes (kb.knowledge). Immutable
mode promises SQLite the file never changes; ingest then broke the server until restart.
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

from kb.db import open_readonly

SETTINGS = {
    "sql_time_limit_ms": 3000,  # kb's SQL functions bound their own work (see kb.sql)
    "max_returned_rows": 1000,
    "default_page_size": 50,
    "facet_time_limit_ms": 500,
    "allow_download": False,  # the file is served to be searched, not copied
}


def prepare(db_path: Path) -> None:
    """Make sure the file is a kb database of this version before serving it (serving
    never creates or upgrades one: kb migrate does)."""
    open_readonly(db_path).close()


def datasette_args(db_path: Path, metadata: Path | None, host: str, port: int) -> list[str]:
    """The command line that serves ``db_path`` with kb's plugin and settings."""
    args = [
        sys.executable,
        "-m",
        "datasette",
        "serve",
        str(db_path),
        "--host",
        host,
        "--port",
        str(port),
    ]
    if metadata:
        args += ["--metadata", str(metadata)]
    for key, value in SETTINGS.items():
        args += ["--setting", key, str(value)]
    return args


def make_datasette(db_path: Path, metadata: Path | None = None):
    """A Datasette instance configured as ``kb serve`` configures it (for tests and scripts)."""
    from datasette.app import Datasette

    meta = yaml.safe_load(Path(metadata).read_text(encoding="utf-8")) if metadata else None
    return Datasette([str(db_path)], metadata=meta, settings=SETTINGS)
