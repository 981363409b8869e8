"""Serving the knowledge base with Datasette: the same settings for ``kb serve`` and tests."""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

from kb.db import connect

SETTINGS = {
    "sql_time_limit_ms": 3000,  # kb's SQL functions bound their own work (see kb.sql)
    "max_returned_rows": 1000,
    "default_page_size": 50,
    "facet_time_limit_ms": 500,
}


def prepare(db_path: Path) -> None:
    """Make sure the database exists and has the current schema: it is then served
    read-only (immutable), where no migration could run."""
    if not Path(db_path).exists():
        raise FileNotFoundError(f"database not found: {db_path} (build it with: kb ingest data/reports --db {db_path})")
    connect(db_path, create=False).close()


def datasette_args(db_path: Path, metadata: Path | None, host: str, port: int) -> list[str]:
    """The command line that serves ``db_path`` with kb's plugin and settings."""
    args = [
        sys.executable,
        "-m",
        "datasette",
        "serve",
        "--immutable",
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
    return Datasette(immutables=[str(db_path)], metadata=meta, settings=SETTINGS)
