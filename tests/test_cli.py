"""The kb command line as a user meets it."""

from __future__ import annotations

import json

from conftest import REPORTS, run_kb


def test_ingest_then_search_json(tmp_path):
    db = str(tmp_path / "kb.db")
    first = run_kb("ingest", str(REPORTS), "--db", db)
    assert first.returncode == 0, first.stderr
    assert "2 added" in first.stdout and "chunks embedded" in first.stdout
    again = run_kb("ingest", str(REPORTS), "--db", db, "--json")
    summary = json.loads(again.stdout)
    assert summary["counts"]["unchanged"] == 2 and summary["embedded"] == 0
    found = run_kb("search", "빅데이터밸리 기업 유치", "--db", db, "--json", "--limit", "3")
    results = json.loads(found.stdout)
    assert len(results) == 3 and {"chunk_id", "snippet", "fts_rank", "vector_rank"} <= set(results[0])
    human = run_kb("search", "화훼", "--db", db, "--kind", "finding", "--limit", "2")
    assert human.returncode == 0 and "[finding]" in human.stdout and "full text #" in human.stdout
    sim = run_kb("similar", str(results[0]["chunk_id"]), "--db", db, "--json", "--limit", "2")
    assert sim.returncode == 0 and len(json.loads(sim.stdout)) == 2


def test_errors_are_clear(tmp_path):
    missing = run_kb("search", "빅데이터", "--db", str(tmp_path / "none.db"))
    assert missing.returncode == 2 and "database not found" in missing.stderr
    bad = run_kb("ingest", str(tmp_path / "nowhere"), "--db", str(tmp_path / "kb.db"), "--no-embed")
    assert bad.returncode == 1 and "no such file or folder" in bad.stdout
    empty = run_kb("search", "  ", "--db", str(tmp_path / "kb.db"))
    assert empty.returncode == 2 and "empty query" in empty.stderr
    place = run_kb("search", "빅데이터", "--db", str(tmp_path / "kb.db"), "--place", "아틀란티스")
    assert place.returncode == 2 and "unknown place" in place.stderr
    usage = run_kb("similar", "--db", str(tmp_path / "kb.db"))
    assert usage.returncode == 2 and "CHUNK_ID" in usage.stderr


def test_help_and_version():
    out = run_kb("--help")
    assert out.returncode == 0 and "ingest" in out.stdout and "search" in out.stdout
    assert run_kb("--version").stdout.startswith("kb, version")


def test_failures_are_one_line_and_debug_shows_the_traceback(tmp_path):
    garbage = tmp_path / "kb.db"
    garbage.write_bytes(b"this is not sqlite" * 50)
    plain = run_kb("export", "--db", str(garbage))
    assert plain.returncode == 2 and "Traceback" not in plain.stderr
    assert plain.stderr.count("\n") == 1 and "not a kb database" in plain.stderr
    debug = run_kb("--debug", "export", "--db", str(garbage))
    assert debug.returncode != 0 and "Traceback" in debug.stderr
