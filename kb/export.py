"""Reports as plain objects: what kb understood of each report, for ``kb export`` (JSON
Lines), ``kb show`` and anything else that reads the knowledge base without SQL."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator, Sequence

import sqlite_utils

from kb.errors import ReportNotFound
from kb.kinds import LABELS


def report_ids(db: sqlite_utils.Database) -> list[int]:
    return [r[0] for r in db.execute("select id from reports order by id")]


def report_objects(db: sqlite_utils.Database, ids: Iterable[int] | None = None) -> Iterator[dict]:
    """One object per report, in id order (or in the order of ``ids``)."""
    for report_id in report_ids(db) if ids is None else ids:
        yield report_object(db, report_id)


def report_object(db: sqlite_utils.Database, report_id: int) -> dict:
    rows = list(db.query("select * from reports where id = ?", [report_id]))
    if not rows:
        raise ReportNotFound(f"no report with id {report_id}")
    r = rows[0]
    return {
        "id": r["id"],
        "file": r["file_name"],
        "path": r["path"],
        "format": r["format"],
        "title": r["title"],
        "issuer": r["issuer"],
        "issuer_unit": r.get("issuer_unit"),
        "trip_start": r["trip_start"],
        "trip_end": r["trip_end"],
        "year": r["year"],
        "countries": json.loads(r["countries"] or "[]"),
        "cities": json.loads(r["places"] or "[]"),
        "traveller_count": r["traveller_count"],
        "purpose": r["purpose"],
        "warnings": json.loads(r["warnings"] or "[]"),
        "participants": list(
            db.query(
                "select name, position, affiliation, role from participants where report_id = ? order by seq",
                [report_id],
            )
        ),
        "institutions": list(
            db.query(
                "select i.id, i.name, i.visit_date as date, p.name as city from institutions i "
                "left join places p on p.id = i.place_id where i.report_id = ? order by i.id",
                [report_id],
            )
        ),
        "places_mentioned": [
            row["name"]
            for row in db.query(
                "select p.name from report_places rp join places p on p.id = rp.place_id "
                "where rp.report_id = ? and rp.role = 'mentioned' order by rp.mentions desc, p.name",
                [report_id],
            )
        ],
        "chunks": list(
            db.query(
                "select c.id, c.kind, c.section, c.text, i.name as institution, p.name as place "
                "from chunks c left join institutions i on i.id = c.institution_id "
                "left join places p on p.id = c.place_id where c.report_id = ? order by c.seq",
                [report_id],
            )
        ),
    }


def format_report(obj: dict) -> str:
    """A report as readable text, Korean labels first."""
    dates = f"{obj['trip_start']} ~ {obj['trip_end']}" if obj["trip_start"] else "미상"
    lines = [
        f"[{obj['id']}] {obj['title'] or obj['file']}",
        f"  파일 (file):        {obj['file']}",
        f"  발행 (issuer):      {' '.join(x for x in (obj['issuer'], obj['issuer_unit']) if x) or '미상'}",
        f"  기간 (dates):       {dates}",
        f"  출장지 (cities):    {', '.join(obj['cities']) or '미상'} ({', '.join(obj['countries']) or '-'})",
        f"  인원 (travellers):  {obj['traveller_count'] if obj['traveller_count'] is not None else '미상'}",
    ]
    if obj["participants"]:
        lines.append("  출장자 (participants):")
        for p in obj["participants"]:
            extra = " / ".join(x for x in (p["position"], p["affiliation"], p["role"]) if x)
            lines.append(f"    - {p['name']}" + (f" ({extra})" if extra else ""))
    if obj["institutions"]:
        lines.append("  방문기관 (institutions):")
        for i in obj["institutions"]:
            where = ", ".join(x for x in (i["date"], i["city"]) if x)
            lines.append(f"    - {i['name']}" + (f" ({where})" if where else ""))
    for w in obj["warnings"]:
        lines.append(f"  경고 (warning): {w}")
    lines.append(f"  단락 (chunks): {len(obj['chunks'])}")
    for c in obj["chunks"]:
        lines.append("")
        lines.append(f"  #{c['id']} [{LABELS.get(c['kind'], c['kind'])} · {c['kind']}] {c['section'] or ''}")
        lines.extend("    " + t for t in c["text"].split("\n"))
    return "\n".join(lines)


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # what spreadsheets run as a formula


def safe_cell(value: str | float | None) -> str | float | None:
    """A CSV cell a spreadsheet shows as text: Excel, LibreOffice and Sheets run a cell that
    begins with = + - @, a tab or a carriage return as a formula (which can fetch URLs or run
    commands), and report text often begins with "- ". As OWASP's "CSV Injection" page
    (https://owasp.org/www-community/attacks/CSV_Injection) recommends, such text gets a
    leading single quote; csv.writer then quotes and escapes the cell as CSV requires.
    Numbers and None are left alone: they are never read as formulas."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def csv_text(rows: Iterable[dict], columns: Sequence[str]) -> str:
    """Rows as CSV for spreadsheets: a BOM, so that Excel reads the Korean as UTF-8, and
    every cell through :func:`safe_cell`."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([safe_cell(row[c]) for c in columns])
    return out.getvalue()
