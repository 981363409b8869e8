"""Fixtures built from the two sample reports in data/reports."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
REPORTS = ROOT / "data" / "reports"
REPORT_2018 = next(REPORTS.glob("2018-*.txt"))
REPORT_2019 = next(REPORTS.glob("2019-*.txt"))
# What every search result carries, in the CLI's --json and in /-/search.json (the list).
RESULT_KEYS = {
    "chunk_id", "report_id", "report_title", "kind", "section", "institution", "place", "country",
    "trip_start", "text", "snippet", "score", "fts_rank", "vector_rank", "matched", "cosine",
}  # fmt: skip


@pytest.fixture(scope="session")
def sample_db_path(tmp_path_factory) -> Path:
    """A database holding the two sample reports, built once per test session."""
    from kb.ingest import ingest

    path = tmp_path_factory.mktemp("db") / "kb.db"
    summary = ingest([REPORTS], path)
    assert summary.counts["added"] == 2, summary.to_dict()
    return path


@pytest.fixture
def db_copy(sample_db_path, tmp_path) -> Path:
    """A private copy of the sample database that a test may change."""
    path = tmp_path / "kb.db"
    shutil.copy(sample_db_path, path)
    return path


@pytest.fixture(scope="session")
def gazetteer(sample_db_path):
    from kb.db import connect
    from kb.places import Gazetteer

    db = connect(sample_db_path)
    try:
        return Gazetteer.from_db(db)
    finally:
        db.close()


def run_kb(*args: str, cwd: Path | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run the installed ``kb`` command line as a user would."""
    return subprocess.run(
        [sys.executable, "-m", "kb.cli", *args], capture_output=True, text=True, cwd=cwd, timeout=timeout
    )
