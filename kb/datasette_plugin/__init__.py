"""Datasette plugin: kb's SQL functions on every connection, a Korean search page for
staff at ``/`` and ``/-/search`` (with ``.json`` and ``.csv``), and report pages.

It also hardens the whole site, Datasette's pages included: GET and HEAD only, security
headers on every response, errors as one log line and a page without a traceback, and
no machine paths in ``/-/databases.json`` or ``/-/threads.json``.

The views only parse parameters and render: searching is :func:`kb.search.search`,
the same function the command line calls.
"""

from __future__ import annotations

import asyncio
import json
import logging
import pdb
import re
import sqlite3
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import fields
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlencode

from datasette import hookimpl
from datasette.utils import add_cors_headers
from datasette.utils.asgi import Base400, Request, Response
from datasette.views.base import DatasetteError
from datasette.views.special import JsonDataView
from markupsafe import Markup

from kb import search as kbsearch
from kb.copies import FOLD_MIN
from kb.errors import InstitutionNotFound, KbError
from kb.export import csv_text
from kb.kinds import LABELS
from kb.knowledge import KnowledgeBase
from kb.sql import register

KIND_LABELS = LABELS
PER_PAGE = 10
MAX_PAGE = 50
# Every result field but the HTML snippet, whose text is in "text".
CSV_COLUMNS = [f.name for f in fields(kbsearch.Result) if f.name != "snippet"]
# What a spreadsheet reads as the start of a formula (OWASP, "CSV Injection").
SQLITE_MAX_INT = 2**63 - 1
# kb serves a database to read: nothing on the site takes a POST (Datasette's own POST
# views are for writable canned queries, sign-in and debugging, none of which kb uses).
READ_METHODS = ("GET", "HEAD")
INTERNAL_ERROR = "서버 오류가 났습니다 (internal server error)"
# kb's pages have no JavaScript of their own, but Datasette's table, database and query
# pages run inline <script>s (DATASETTE_ALLOW_FACET, CodeMirror's set-up, closing open
# menus), its templates and kb's use <style> blocks and style="" attributes, and app.css
# draws the <select> arrow with a data: image: the policy allows those and nothing else
# from outside the site (checked with Chromium: no CSP violations on those pages).
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self' 'unsafe-inline'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),  # frame-ancestors for browsers without CSP
    # A search's words stay off other sites' logs; Datasette's data pages say the same.
    (b"referrer-policy", b"no-referrer"),
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
]
# An absolute path in a task's description (Datasette only strips site-packages/).
ABSOLUTE_PATH = re.compile(r"(?<!\S)/\S*/")

log = logging.getLogger(__name__)
T = TypeVar("T")


class BadRequest(KbError, ValueError):
    """A request parameter kb cannot use; the message names it."""


def _kb_database(datasette):
    """The database kb serves: the first one backed by a file."""
    for name, db in datasette.databases.items():
        if name != "_internal" and db.path and not db.is_memory:
            return db
    raise BadRequest("no kb database is being served")


@hookimpl
def prepare_connection(conn, database, datasette):
    db = datasette.databases.get(database)
    if db is not None and db.path and not db.is_memory:
        register(conn, readers(datasette).base)


class Readers:
    """The served database's KnowledgeBase, read on threads of kb's own.

    Datasette runs every query on a pool of three SQL threads, and a query on its SQL
    page may hold one up to the SQL time limit: three slow ones stalled the search page
    for six seconds. kb's pages read through these threads instead (each with the
    KnowledgeBase's read-only connection for it), and a search embeds its query before
    it takes a thread at all (see search_page)."""

    THREADS = 2

    def __init__(self, path: str):
        self.base = KnowledgeBase(path)
        self._executor = ThreadPoolExecutor(self.THREADS, thread_name_prefix="kb-read")

    async def run(self, fn: Callable[[KnowledgeBase], T]) -> T:
        """``fn(base)`` on one of kb's threads."""
        return await asyncio.get_running_loop().run_in_executor(self._executor, fn, self.base)

    async def rows(self, sql: str, params: Sequence = ()) -> list[sqlite3.Row]:
        def fetch(base: KnowledgeBase) -> list[sqlite3.Row]:
            cursor = base.db.conn.cursor()
            cursor.row_factory = sqlite3.Row
            return cursor.execute(sql, params).fetchall()

        return await self.run(fetch)


def readers(datasette) -> Readers:
    """The served kb database's Readers, made on first use and kept with the Datasette."""
    found = getattr(datasette, "_kb_readers", None)
    if found is None:
        found = datasette._kb_readers = Readers(_kb_database(datasette).path)
    return found


@hookimpl
def startup(datasette):
    async def inner():
        if any(db.path and not db.is_memory for db in datasette.databases.values()):
            await readers(datasette).run(KnowledgeBase.warm)

    return inner


@hookimpl
def register_routes(datasette):
    # Plugin routes come before Datasette's own, so these two replace its views.
    databases = JsonDataView.as_view(datasette, "databases.json", lambda: _databases(datasette))
    threads = JsonDataView.as_view(datasette, "threads.json", lambda: _threads(datasette))
    return [
        (r"^/$", search_page),
        (r"^/-/search(?P<format>\.json|\.csv)?$", search_page),
        (r"^/-/reports/(?P<report_id>\d+)$", report_page),
        (r"^/-/reports/(?P<report_id>\d+)/source$", source_page),
        (r"^/-/brief(?P<format>\.json|\.csv|\.md)?$", brief_page),
        (r"^/-/institutions(?P<format>\.json)?$", institutions_page),
        (r"^/-/institutions/(?P<institution_id>\d+)(?P<format>\.json)?$", institution_page),
        (r"^/-/databases(\.(?P<format>json))?$", databases),
        (r"^/-/threads(\.(?P<format>json))?$", threads),
    ]


def _int(args, name: str, low: int, high: int, default: int | None = None) -> int | None:
    raw = args.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadRequest(f"{name} must be a whole number, not {_clip(raw)!r}") from None
    if not low <= value <= high:
        raise BadRequest(f"{name} must be between {low} and {high}, not {_clip(str(value))}")
    return value


def _clip(text: str, limit: int = 24) -> str:
    """``text`` cut short, to echo what a visitor typed in a message but not at length."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _row_id(raw: str) -> int | None:
    """The id in a path, or None where no row can have it: SQLite's integers stop at
    2**63 - 1 (past it the query raised OverflowError) and int() refuses 4300 digits."""
    digits = raw.lstrip("0") or "0"
    if len(digits) > len(str(SQLITE_MAX_INT)) or int(digits) > SQLITE_MAX_INT:
        return None
    return int(digits)


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


def _run(base: KnowledgeBase, p: dict) -> list:
    filters = kbsearch.Filters(
        kind=p["kind"], place=p["place"], country=p["country"], since=p["since"], until=p["until"]
    )
    offset = (p["page"] - 1) * p["k"]
    if p["similar"]:
        return base.similar(p["similar"], limit=p["k"], offset=offset, filters=filters)
    if not p["q"]:
        return []
    return base.search(p["q"], limit=p["k"], offset=offset, filters=filters, mode=p["mode"])


async def _choices(reader: Readers) -> dict:
    """What the filter menus offer: the kinds, places, countries and years stored."""
    places = await reader.rows(
        "select p.name, count(*) n from chunks c join places p on p.id = c.place_id where p.kind = 'city' "
        "group by p.name order by n desc"
    )
    countries = await reader.rows(
        "select country, count(*) n from chunks where country is not null group by country order by n desc"
    )
    years = await reader.rows("select distinct year from reports where year is not null order by year")
    kinds = await reader.rows("select kind, count(*) n from chunks group by kind")
    present = {r["kind"] for r in kinds}
    return {
        "kinds": [(k, KIND_LABELS[k]) for k in kbsearch.KINDS if k in present],
        "places": [r["name"] for r in places],
        "countries": [r["country"] for r in countries],
        "years": [r["year"] for r in years],
    }


async def search_page(datasette, request):
    fmt = (request.url_vars.get("format") or "").lstrip(".")
    db = _kb_database(datasette)
    reader = readers(datasette)
    error, results, p = None, [], {}
    try:
        p = _params(request)
        if p["q"] and p["mode"] != "fts" and not p["similar"]:
            # Embedded first, holding no thread while it waits its turn (kb.embed.QUEUE).
            embedder = await reader.run(KnowledgeBase.embedder)
            await asyncio.wrap_future(reader.base.query_vector_later(p["q"], embedder))
        results = await reader.run(lambda base: _run(base, p))
    except KbError as e:
        error = str(e)
    if fmt == "json":
        if error:
            return Response.json({"ok": False, "error": error}, status=400)
        return Response.json([r.to_dict() for r in results])
    if fmt == "csv":
        if error:
            return Response.text(f"error: {error}\n", status=400)
        return _csv(results)
    home = None
    if not p.get("q") and not p.get("similar") and not error:
        home = await reader.run(KnowledgeBase.overview)
    source = None
    if p.get("similar"):
        rows = await reader.rows("select id, report_id, kind, text from chunks where id = ?", [p["similar"]])
        source = dict(rows[0]) if rows else None
    pairs = [(k, v) for k in request.args.keys() for v in request.args.getlist(k)]
    query_string = urlencode([(k, v) for k, v in pairs if k != "page"])
    context = {
        "p": p,
        "q": p.get("q", request.args.get("q", "")),
        "error": error,
        "results": [{**r.to_dict(), "kind_label": KIND_LABELS.get(r.kind, r.kind)} for r in results],
        "source": source,
        "home": home,
        "choices": await _choices(reader),
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
    return Response(
        csv_text((r.to_dict() for r in results), CSV_COLUMNS),
        content_type="text/csv; charset=utf-8",
        headers={"content-disposition": 'attachment; filename="kb-search.csv"'},
    )


async def report_page(datasette, request):
    db = _kb_database(datasette)
    reader = readers(datasette)
    report_id = _row_id(request.url_vars["report_id"])
    rows = await reader.rows("select * from reports where id = ?", [report_id])  # None: no row
    report = rows[0] if rows else None
    if report is None:
        return Response.html(
            await datasette.render_template(
                "kb_search.html",
                {
                    "error": _no_report(request),
                    "choices": await _choices(reader),
                    "results": [],
                    "p": {},
                    "q": "",
                    "kind_labels": KIND_LABELS,
                },
                request=request,
            ),
            status=404,
        )
    participants = await reader.rows("select * from participants where report_id = ? order by seq", [report_id])
    institutions = await reader.rows(
        "select i.*, p.name as city from institutions i left join places p on p.id = i.place_id where report_id = ? "
        "order by visit_date is null, visit_date, id",
        [report_id],
    )
    chunks = await reader.rows(
        "select c.*, p.name as place, i.name as institution, o.report_id as copied_from from chunks c "
        "left join places p on p.id = c.place_id left join institutions i on i.id = c.institution_id "
        "left join copies k on k.chunk_id = c.id and k.similarity >= ? left join chunks o on o.id = k.original_id "
        "where c.report_id = ? order by c.seq",
        [FOLD_MIN, report_id],
    )
    copied = sum(len(r["text"]) for r in chunks if r["copied_from"])
    total = sum(len(r["text"]) for r in chunks) or 1
    context = {
        "report": dict(report),
        "countries": ", ".join(json.loads(report["countries"] or "[]")),
        "places": ", ".join(json.loads(report["places"] or "[]")),
        "warnings": json.loads(report["warnings"] or "[]"),
        "participants": [dict(r) for r in participants],
        "institutions": [dict(r) for r in institutions],
        "chunks": [{**dict(r), "kind_label": KIND_LABELS.get(r["kind"], r["kind"])} for r in chunks],
        "copied_share": round(100 * copied / total),
        "database": db.name,
    }
    return Response.html(await datasette.render_template("kb_report.html", context, request=request))


async def brief_page(datasette, request):
    """Before a trip: the earlier trips to a place (or about a theme), their institutions
    and lessons; as a page (prints on A4), JSON, CSV (the lessons) and Markdown."""
    fmt = (request.url_vars.get("format") or "").lstrip(".")
    place, topic = request.args.get("place", ""), request.args.get("topic", "")
    error, data = None, None
    if place or topic or fmt:
        try:
            data = await readers(datasette).run(lambda base: base.brief(place, topic))
        except KbError as e:
            error = str(e)
    if fmt == "json":
        return Response.json({"ok": False, "error": error}, status=400) if error else Response.json(data)
    if fmt in ("csv", "md"):
        if error:
            return Response.text(f"error: {error}\n", status=400)
        from kb.brief import to_csv, to_markdown

        body, kind = (to_csv(data), "text/csv") if fmt == "csv" else (to_markdown(data), "text/markdown")
        disposition = f'attachment; filename="kb-brief.{fmt}"'
        return Response(body, content_type=f"{kind}; charset=utf-8", headers={"content-disposition": disposition})
    query = urlencode([(k, v) for k, v in (("place", place), ("topic", topic)) if v])
    if data:
        for lesson in data["lessons"] + data["elsewhere"]:
            lesson["kind_label"] = KIND_LABELS.get(lesson["kind"], lesson["kind"])
    context = {"b": data, "error": error, "place": place, "topic": topic, "query": query}
    html = await datasette.render_template("kb_brief.html", context, request=request)
    return Response.html(html, status=400 if error else 200)


async def institutions_page(datasette, request):
    """Every institution visited, merged across reports: city, visits, reports."""
    found = await readers(datasette).run(lambda base: base.institutions())
    if request.url_vars.get("format") == ".json":
        return Response.json({"institutions": [i.to_dict() for i in found]})
    context = {"institutions": [i.to_dict() for i in found]}
    return Response.html(await datasette.render_template("kb_institutions.html", context, request=request))


async def institution_page(datasette, request):
    """One institution: its visits across reports and what each report found and concluded."""
    institution_id = _row_id(request.url_vars["institution_id"])
    if institution_id is None:
        raise InstitutionNotFound(f"no institution with id {_clip(request.url_vars['institution_id'])}")
    institution, lessons = await readers(datasette).run(lambda base: base.institution(institution_id))
    data = {**institution.to_dict(), "lessons": lessons}
    if request.url_vars.get("format") == ".json":
        return Response.json(data)
    for lesson in lessons:
        lesson["kind_label"] = KIND_LABELS.get(lesson["kind"], lesson["kind"])
    return Response.html(await datasette.render_template("kb_institution.html", {"i": data}, request=request))


async def source_page(datasette, request):
    """The report's stored text with one chunk's span marked, to read it in context."""
    reader = readers(datasette)
    report_id = _row_id(request.url_vars["report_id"])
    rows = await reader.rows(
        "select r.id, r.title, s.text from reports r join sources s on s.report_id = r.id where r.id = ?", [report_id]
    )
    row = rows[0] if rows else None
    if row is None:
        return Response.text(_no_report(request), status=404)
    try:
        chunk_id = _int(request.args, "chunk", 1, 2**62)
    except BadRequest as e:
        return Response.text(str(e), status=400)
    text = row["text"]
    before, marked, after = text, "", ""
    if chunk_id:
        spans = await reader.rows(
            "select char_start, char_end from chunks where id = ? and report_id = ?", [chunk_id, report_id]
        )
        if spans:
            span = spans[0]
            before, marked, after = text[: span[0]], text[span[0] : span[1]], text[span[1] :]
    context = {"report": dict(row), "before": before, "marked": marked, "after": after, "chunk_id": chunk_id}
    return Response.html(await datasette.render_template("kb_source.html", context, request=request))


def _no_report(request) -> str:
    """The not-found message, with the id asked for (not at length)."""
    shown = _clip(request.url_vars["report_id"])
    return f"보고서 {shown}번이 없습니다 (no report {shown})"


def _databases(datasette) -> list[dict]:
    """Datasette's /-/databases.json with each file's name for its path: the absolute
    path told anyone where the server keeps its files."""
    return [{**d, "path": d["path"] and Path(d["path"]).name} for d in datasette._connected_databases()]


def _threads(datasette) -> dict:
    """Datasette's /-/threads.json without the directories in its tasks' source paths."""
    data = datasette._threads()
    if "tasks" in data:
        data["tasks"] = [ABSOLUTE_PATH.sub("", task) for task in data["tasks"]]
    return data


@hookimpl
def asgi_wrapper(datasette):
    """Every response gets the security headers, and anything but GET and HEAD a 405
    (Datasette answered POST to a table with a 500, and POST to kb's pages as a GET)."""

    def wrap(app):
        async def kb_app(scope, receive, send):
            if scope["type"] != "http":
                return await app(scope, receive, send)
            send = _with_security_headers(send)
            if scope["method"] not in READ_METHODS:
                return await _refuse_method(datasette, Request(scope, receive), send)
            await app(scope, receive, send)

        return kb_app

    return wrap


def _with_security_headers(send):
    """``send`` adding SECURITY_HEADERS to the response, but none a view set itself."""

    async def send_with_headers(message):
        if message["type"] == "http.response.start":
            headers = list(message.get("headers", []))
            present = {key.lower() for key, _ in headers}
            headers += [(key, value) for key, value in SECURITY_HEADERS if key not in present]
            message = {**message, "headers": headers}
        await send(message)

    return send_with_headers


async def _refuse_method(datasette, request, send) -> None:
    log.info(_one_line(f"405 {request.method} {request.path}"))
    message = f"{_clip(request.method)} 요청은 받지 않습니다 (method not allowed: kb only reads)"
    response = await _error_response(datasette, request, 405, message)
    response.headers["allow"] = ", ".join(READ_METHODS)
    await response.asgi_send(send)


@hookimpl(hookwrapper=True)
def handle_exception(datasette, request, exception):
    """kb answers every error itself. Datasette's default handler (which runs too, since
    every plugin's answer is awaited) printed ~16 KB of traceback with locals per 404,
    and crashed when no exception was being handled (a path no route matches, e.g.
    ``/kb/..``), so its answer is dropped before it runs."""
    outcome = yield
    outcome.force_result([lambda: _handle_exception(datasette, request, exception)])


async def _handle_exception(datasette, request, exception: Exception) -> Response:
    """Datasette's error page for ``exception``, and one log line: an expected error (a
    4xx) at INFO, anything else at ERROR with its type and message (the traceback goes
    to DEBUG) and a page that says only that the server failed."""
    status, message, title, info = _error_of(exception)
    line = _one_line(f"{status} {request.method} {request.path}: {type(exception).__name__}: {exception}")
    if status < 500:
        log.info(line)
    else:
        log.error(line)
        log.debug("traceback of the error above", exc_info=exception)
        if datasette.pdb:
            pdb.post_mortem(exception.__traceback__)
    return await _error_response(datasette, request, status, message, title, info)


def _error_of(exception: Exception) -> tuple[int, str, str | None, dict]:
    """Status, message, title and extra JSON keys for an error page. Only the errors
    raised on purpose show their message (a bug's may hold SQL or paths); Datasette's
    own keep their status, even the 500 it gives some bad requests (``?_sort=nosuch``)."""
    if isinstance(exception, Base400):
        return exception.status, str(exception.args[0]) if exception.args else "", None, {}
    if isinstance(exception, DatasetteError):
        message = Markup(exception.message) if exception.message_is_html else exception.message
        return exception.status, message, exception.title, dict(exception.error_dict)
    if isinstance(exception, InstitutionNotFound):
        return 404, str(exception), None, {}
    if isinstance(exception, KbError):  # raised on purpose: the message says what was wrong
        return 400, str(exception), None, {}
    return 500, INTERNAL_ERROR, None, {}


async def _error_response(
    datasette, request, status: int, message: str, title: str | None = None, info: dict | None = None
) -> Response:
    """The page (or JSON, for a .json path) Datasette's default handler renders."""
    info = {**(info or {}), "ok": False, "error": message, "status": status, "title": title}
    headers = {}
    if datasette.cors:
        add_cors_headers(headers)
    if request.path.endswith(".json"):
        return Response.json(info, status=status, headers=headers)
    template = datasette.jinja_env.select_template([f"{status}.html", "error.html"])
    context = {**info, "urls": datasette.urls, "app_css_hash": datasette.app_css_hash(), "menu_links": lambda: []}
    return Response.html(await template.render_async(context), status=status, headers=headers)


def _one_line(text: str, limit: int = 280) -> str:
    """``text`` as one log line of at most ``limit`` bytes: no newline or control character
    from a path or message can split it, nor a 5000-digit path swell it."""
    text = " ".join("".join(c if c.isprintable() else " " for c in text).split())
    data = text.encode()
    return text if len(data) <= limit else data[: limit - 3].decode(errors="ignore") + "…"
