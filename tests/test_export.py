"""kb export (JSON Lines) and kb show, as a user and structure.py meet them."""

from __future__ import annotations

import csv
import io
import json

import pytest
import sqlite_utils

from kb.export import ReportNotFound, format_report, report_object, report_objects, safe_cell

from conftest import run_kb

KEYS = {
    "id", "file", "title", "issuer", "issuer_unit", "trip_start", "trip_end", "countries", "cities",
    "traveller_count", "participants", "institutions", "chunks",
}  # fmt: skip


def test_export_writes_one_utf8_report_a_line(sample_db_path, tmp_path):
    out = run_kb("export", "--db", str(sample_db_path))
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert len(lines) == 2
    assert "\\u" not in out.stdout and "고양시의회" in out.stdout  # UTF-8, not escapes
    reports = [json.loads(line) for line in lines]
    for r in reports:
        assert KEYS <= set(r)
        assert r["file"].endswith(".txt") and "/" not in r["file"]
        assert {"name", "position", "affiliation", "role"} <= set(r["participants"][0])
        assert {"name", "date", "city"} <= set(r["institutions"][0])
        assert {"id", "kind", "section", "text", "institution", "place"} <= set(r["chunks"][0])
    r19 = next(r for r in reports if r["trip_start"].startswith("2019"))
    assert r19["cities"] == ["충칭", "구이양"] and r19["countries"] == ["중국"]
    assert r19["traveller_count"] == 14 and len(r19["participants"]) == 14
    one = run_kb("export", "--db", str(sample_db_path), "--report", str(r19["id"]), "-o", str(tmp_path / "one.jsonl"))
    assert one.returncode == 0 and one.stdout == ""
    assert json.loads((tmp_path / "one.jsonl").read_text(encoding="utf-8")) == r19


def test_show_prints_a_report_readably_and_as_json(sample_db_path):
    text = run_kb("show", "1", "--db", str(sample_db_path))
    assert text.returncode == 0
    assert (
        "기간 (dates):" in text.stdout
        and "출장자 (participants):" in text.stdout
        and "[시사점 · implication]" in text.stdout
    )
    as_json = run_kb("show", "1", "--db", str(sample_db_path), "--json")
    exported = json.loads(run_kb("export", "--db", str(sample_db_path), "--report", "1").stdout)
    assert json.loads(as_json.stdout) == exported


def test_unknown_report_and_missing_database_are_clear_errors(sample_db_path, tmp_path):
    missing = run_kb("show", "999", "--db", str(sample_db_path))
    assert missing.returncode == 2 and "no report with id 999" in missing.stderr
    bad = run_kb("export", "--db", str(sample_db_path), "--report", "999")
    assert bad.returncode == 2 and "no report with id 999" in bad.stderr
    nodb = run_kb("export", "--db", str(tmp_path / "none.db"))
    assert nodb.returncode == 2 and "database not found" in nodb.stderr
    assert not (tmp_path / "none.db").exists()


def test_library_functions(sample_db_path):
    db = sqlite_utils.Database(sample_db_path)
    objs = list(report_objects(db))
    assert [o["id"] for o in objs] == [1, 2]
    assert format_report(objs[0]).startswith(f"[1] {objs[0]['title']}")
    try:
        report_object(db, 42)
    except ReportNotFound as e:
        assert "42" in str(e)
    else:
        raise AssertionError("no error for a missing report")


# CSV cells Excel would run as formulas (search and brief CSV go through csv_text)
@pytest.mark.parametrize(
    ("cell", "safe"),
    [
        ("=1+2", "'=1+2"),
        ("+82 10", "'+82 10"),
        ("- 빅데이터 센터 유치", "'- 빅데이터 센터 유치"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=cmd", "'\t=cmd"),
        ("\r=cmd", "'\r=cmd"),
        ('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'),
        ("빅데이터 - 센터", "빅데이터 - 센터"),
        ("", ""),
        (None, None),
        (-1.5, -1.5),
        (3, 3),
    ],
)
def test_safe_cell(cell, safe):
    assert safe_cell(cell) == safe


def test_safe_cell_keeps_csv_quoting():
    out = io.StringIO()
    csv.writer(out).writerow([safe_cell('=HYPERLINK("http://x","y")'), safe_cell("- a, b\n- c")])
    assert out.getvalue() == '"\'=HYPERLINK(""http://x"",""y"")","\'- a, b\n- c"\r\n'
    assert next(csv.reader(io.StringIO(out.getvalue()))) == ['\'=HYPERLINK("http://x","y")', "'- a, b\n- c"]
