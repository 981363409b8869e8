"""Datasette plugin: kb's SQL functions on every connection, a Korean search page for
staff at ``/`` and ``/-/search`` (with ``.json`` and ``.csv``), and report pages.

The views only parse parameters and render: searching is :func:`kb.search.search`,
the same function the command line calls.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import fields
from urllib.parse import urlencode

from datasette import hookimpl
from datasette.utils.asgi import Response

from kb import search as kbsearch
from kb.analysis import QueryError
from kb.embed import EmbedError
from kb.kinds import LABELS
from kb.sql import register
from kb.vectors import ModelMismatch

KIND_LABELS = LABELS
PER_PAGE = 10
MAX_PAGE = 50
# Every result field but the HTML snippet, whose text is in "text".
CSV_COLUMNS = [f.name for f in fields(kbsearch.Result) if f.name != "snippet"]


class BadRequest(ValueError):
    pass


def _kb_database(datasette):
    """The database kb serves: the first one backed by a file."""
    for name, db in datasette.databases.items():
        if name != "_internal" and db.path and not db.is_memory:
            return db
    raise BadRequest("no kb database is being served")


@hookimpl
def prepare_connection(conn, database, datasette):
    db = datasette.databases.get(database)
    if db is not None and db.path:
        register(conn, db.path)


@hookimpl
def startup(datasette):
    async def inner():
        import sqlite_utils

        for db in datasette.databases.values():
            if db.path and not db.is_memory:
                await db.execute_fn(
                    lambda conn, db=db: kbsearch.warm(sqlite_utils.Database(conn, execute_plugins=False), db.path)
                )

    return inner


@hookimpl
def register_routes():
    return [
        (r"^/$", search_page),
        (r"^/-/search(?P<format>\.json|\.csv)?$", search_page),
        (r"^/-/reports/(?P<report_id>\d+)$", report_page),
        (r"^/-/reports/(?P<report_id>\d+)/source$", source_page),
    ]


def _int(args, name: str, low: int, high: int, default: int | None = None) -> int | None:
    raw = args.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadRequest(f"{name} must be a whole number, not {raw!r}") from None
    if not low <= value <= high:
        raise BadRequest(f"{name} must be between {low} and {high}, not {value}")
    return value


def _params(request) -> dict:
    """Search parameters from the query string, checked; BadRequest names the bad one."""
    args = request.args
    q = (args.get("q") or "").strip()
    if len(q) > kbsearch.MAX_QUERY:
        raise BadRequest(f"q is too long ({len(q)} characters; the limit is {kbsearch.MAX_QUERY})")
    kinds = [k for k in args.getlist("kind") if k]
    for k in kinds:
        if k not in kbsearch.KINDS:
            raise BadRequest(f"kind must be one of {', '.join(kbsearch.KINDS)}, not {k!r}")
    mode = args.get("mode") or "hybrid"
    if mode not in kbsearch.MODES:
        raise BadRequest(f"mode must be one of {', '.join(kbsearch.MODES)}, not {mode!r}")
    return {
        "q": q,
        "similar": _int(args, "similar", 1, 2**62),
        "kind": kinds,
        "place": (args.get("place") or "").strip() or None,
        "country": (args.get("country") or "").strip() or None,
        "since": _int(args, "since", 1900, 2100),
        "until": _int(args, "until", 1900, 2100),
        "page": _int(args, "page", 1, 100, 1),  # with k <= 100: offset <= kbsearch.MAX_OFFSET
        "k": _int(args, "k", 1, MAX_PAGE, PER_PAGE),
        "mode": mode,
    }


def _run(conn, path, p: dict) -> list:
    import sqlite_utils

    db = sqlite_utils.Database(conn, execute_plugins=False)
    filters = kbsearch.Filters(
        kind=p["kind"], place=p["place"], country=p["country"], since=p["since"], until=p["until"]
    )
    offset = (p["page"] - 1) * p["k"]
    if p["similar"]:
        return kbsearch.similar(db, p["similar"], limit=p["k"], offset=offset, filters=filters, db_path=path)
    if not p["q"]:
        return []
    return kbsearch.search(db, p["q"], limit=p["k"], offset=offset, filters=filters, mode=p["mode"], db_path=path)


async def _choices(db) -> dict:
    """What the filter menus offer: the kinds, places, countries and years stored."""
    places = await db.execute(
        "select p.name, count(*) n from chunks c join places p on p.id = c.place_id where p.kind = 'city' "
        "group by p.name order by n desc"
    )
    countries = await db.execute(
        "select country, count(*) n from chunks where country is not null group by country order by n desc"
    )
    years = await db.execute("select distinct year from reports where year is not null order by year")
    kinds = await db.execute("select kind, count(*) n from chunks group by kind")
    present = {r["kind"] for r in kinds.rows}
    return {
        "kinds": [(k, KIND_LABELS[k]) for k in kbsearch.KINDS if k in present],
        "places": [r["name"] for r in places.rows],
        "countries": [r["country"] for r in countries.rows],
        "years": [r["year"] for r in years.rows],
    }


async def search_page(datasette, request):
    fmt = (request.url_vars.get("format") or "").lstrip(".")
    db = _kb_database(datasette)
    error, results, p = None, [], {}
    try:
        p = _params(request)
        results = await db.execute_fn(lambda conn: _run(conn, db.path, p))
    except (BadRequest, kbsearch.SearchError, QueryError, ModelMismatch, EmbedError) as e:
        error = str(e)
    if fmt == "json":
        if error:
            return Response.json({"ok": False, "error": error}, status=400)
        return Response.json([r.to_dict() for r in results])
    if fmt == "csv":
        if error:
            return Response.text(f"error: {error}\n", status=400)
        return _csv(results)
    source = None
    if p.get("similar"):
        rows = await db.execute("select id, report_id, kind, text from chunks where id = ?", [p["similar"]])
        source = dict(rows.first()) if rows.first() else None
    pairs = [(k, v) for k in request.args.keys() for v in request.args.getlist(k)]
    query_string = urlencode([(k, v) for k, v in pairs if k != "page"])
    context = {
        "p": p,
        "q": p.get("q", request.args.get("q", "")),
        "error": error,
        "results": [{**r.to_dict(), "kind_label": KIND_LABELS.get(r.kind, r.kind)} for r in results],
        "source": source,
        "choices": await _choices(db),
        "query_string": query_string,
        "json_url": "/-/search.json?" + urlencode(pairs),
        "csv_url": "/-/search.csv?" + urlencode(pairs),
        "page": p.get("page", 1),
        "per_page": p.get("k", PER_PAGE),
        "kind_labels": KIND_LABELS,
        "database": db.name,
    }
    html = await datasette.render_template("kb_search.html", context, request=request)
    return Response.html(html, status=400 if error else 200)


def _csv(results) -> Response:
    out = io.StringIO()
    out.write("\ufeff")  # so Excel opens the Korean text as UTF-8
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for r in results:
        d = r.to_dict()
        writer.writerow([d[c] for c in CSV_COLUMNS])
    return Response(
        out.getvalue(),
        content_type="text/csv; charset=utf-8",
        headers={"content-disposition": 'attachment; filename="kb-search.csv"'},
    )


async def report_page(datasette, request):
    db = _kb_database(datasette)
    report_id = int(request.url_vars["report_id"])
    rows = await db.execute("select * from reports where id = ?", [report_id])
    report = rows.first()
    if report is None:
        return Response.html(
            await datasette.render_template(
                "kb_search.html",
                {
                    "error": f"보고서 {report_id}번이 없습니다 (no report {report_id})",
                    "choices": await _choices(db),
                    "results": [],
                    "p": {},
                    "q": "",
                    "kind_labels": KIND_LABELS,
                },
                request=request,
            ),
            status=404,
        )
    participants = await db.execute("select * from participants where report_id = ? order by seq", [report_id])
    institutions = await db.execute(
        "select i.*, p.name as city from institutions i left join places p on p.id = i.place_id where report_id = ? "
        "order by visit_date is null, visit_date, id",
        [report_id],
    )
    chunks = await db.execute(
        "select c.*, p.name as place, i.name as institution from chunks c left join places p on p.id = c.place_id "
        "left join institutions i on i.id = c.institution_id where c.report_id = ? order by seq",
        [report_id],
    )
    context = {
        "report": dict(report),
        "countries": ", ".join(json.loads(report["countries"] or "[]")),
        "places": ", ".join(json.loads(report["places"] or "[]")),
        "warnings": json.loads(report["warnings"] or "[]"),
        "participants": [dict(r) for r in participants.rows],
        "institutions": [dict(r) for r in institutions.rows],
        "chunks": [{**dict(r), "kind_label": KIND_LABELS.get(r["kind"], r["kind"])} for r in chunks.rows],
        "database": db.name,
    }
    return Response.html(await datasette.render_template("kb_report.html", context, request=request))


async def source_page(datasette, request):
    """The report's stored text with one chunk's span marked, to read it in context."""
    db = _kb_database(datasette)
    report_id = int(request.url_vars["report_id"])
    rows = await db.execute(
        "select r.id, r.title, s.text from reports r join sources s on s.report_id = r.id where r.id = ?", [report_id]
    )
    row = rows.first()
    if row is None:
        return Response.text(f"no report {report_id}", status=404)
    try:
        chunk_id = _int(request.args, "chunk", 1, 2**62)
    except BadRequest as e:
        return Response.text(str(e), status=400)
    text = row["text"]
    before, marked, after = text, "", ""
    if chunk_id:
        span = (
            await db.execute(
                "select char_start, char_end from chunks where id = ? and report_id = ?", [chunk_id, report_id]
            )
        ).first()
        if span:
            before, marked, after = text[: span[0]], text[span[0] : span[1]], text[span[1] :]
    context = {"report": dict(row), "before": before, "marked": marked, "after": after, "chunk_id": chunk_id}
    return Response.html(await datasette.render_template("kb_source.html", context, request=request))
