"""The HTTP side under hostile or careless requests: clean 4xx errors instead of 500s,
one log line per error, security headers on every response, no database download or
machine paths, and CSV cells Excel cannot run as formulas."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import logging
import sys
from urllib.parse import quote, unquote

import pytest
from datasette import hookimpl
from datasette.plugins import pm

from kb.export import FORMULA_START
from kb.serve import SETTINGS, make_datasette

from conftest import ROOT

HUGE = "99999999999999999999"  # past SQLite's largest integer (2**63 - 1)
ENORMOUS = "9" * 5000  # past the 4300 digits Python's int() reads


class Http:
    """Datasette's own client, plus raw ASGI requests for paths httpx would tidy (``..``)."""

    def __init__(self, ds):
        self.loop = asyncio.new_event_loop()
        self.ds = ds
        self.loop.run_until_complete(ds.invoke_startup())
        self.app = ds.app()

    def request(self, method: str, path: str, **kw):
        return self.loop.run_until_complete(self.ds.client.request(method, path, **kw))

    def get(self, path: str):
        return self.request("GET", path)

    def raw(self, method: str, raw_path: str) -> tuple[int, dict[str, str], bytes]:
        """Send ``raw_path`` exactly as given; an exception out of the app is what a
        server would turn into a 500."""
        path, _, query = raw_path.partition("?")
        scope = {
            "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method,
            "headers": [(b"host", b"localhost")], "scheme": "http", "path": unquote(path),
            "raw_path": path.encode(), "query_string": query.encode(), "server": ("localhost", 80),
            "client": ("127.0.0.1", 5000),
        }  # fmt: skip
        messages = []

        async def receive():
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message):
            messages.append(message)

        self.loop.run_until_complete(self.app(scope, receive, send))
        start = next(m for m in messages if m["type"] == "http.response.start")
        headers = {k.decode().lower(): v.decode() for k, v in start["headers"]}
        return start["status"], headers, b"".join(m.get("body", b"") for m in messages[1:])

    def close(self):
        self.loop.close()


@pytest.fixture(scope="module")
def http(sample_db_path):
    h = Http(make_datasette(sample_db_path, ROOT / "metadata.yml"))
    yield h
    h.close()


# 1. No 500s from odd input -------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        f"/-/reports/{HUGE}",
        "/-/reports/9223372036854775808",
        f"/-/reports/{ENORMOUS}",
        f"/-/reports/{HUGE}/source",
        f"/-/reports/{ENORMOUS}/source",
    ],
)
def test_huge_report_ids_are_404(http, path):
    r = http.get(path)
    assert r.status_code == 404, r.text[:300]
    assert "no report" in r.text and len(r.text) < 20_000  # the id is not echoed at length


@pytest.mark.parametrize(
    "path",
    [
        f"/-/search.json?similar={HUGE}",
        f"/-/search.json?similar={ENORMOUS}",
        f"/-/search?similar={HUGE}",
        f"/-/reports/2/source?chunk={HUGE}",
        f"/-/reports/2/source?chunk={ENORMOUS}",
    ],
)
def test_huge_parameters_are_400(http, path):
    r = http.get(path)
    assert r.status_code == 400
    if path.startswith("/-/search.json"):
        assert len(r.json()["error"]) < 200
    elif "/source" in path:
        assert len(r.text) < 200


@pytest.mark.parametrize(
    "path",
    [
        "/..",
        "/../..",
        "/-/reports/..",
        "/-/reports/2/..",
        "/kb/..",
        "/kb/..%2f..",
        "/kb/~2E~2E~2f~2E~2E",
        "/kb/chunks/..",
        "/kb/chunks/1/..",
        "/kb/chunks/..%2f..%2fetc%2fpasswd",
        "/-/static/../../etc/passwd",
        "/-/static/..%2f..%2fetc%2fpasswd",
        "/-/static-plugins/kb/x",
    ],
)
def test_dot_dot_paths_never_500(http, path):
    status, _, body = http.raw("GET", path)
    assert status in (301, 302, 400, 403, 404), (status, body[:300])
    assert b"root:" not in body


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
@pytest.mark.parametrize("path", ["/kb/reports", "/-/search", "/", "/-/search.json", "/kb", "/kb/hybrid_search"])
def test_only_get_and_head(http, method, path):
    r = http.request(method, path)
    assert r.status_code == 405, r.text[:300]
    assert r.headers["allow"] == "GET, HEAD"
    if path.endswith(".json"):
        assert r.json()["status"] == 405
    else:
        assert "Error 405" in r.text


def test_head_still_works(http):
    assert http.request("HEAD", "/").status_code == 200
    assert http.request("HEAD", "/kb/reports").status_code == 200


# 2. One short log line per error ----------------------------------------------------------


def _printed(capsys) -> str:
    out = capsys.readouterr()
    return out.out + out.err


@pytest.mark.parametrize("path", ["/nosuch", "/kb/nosuch", "/-/reports/..", "/-/static/nosuch.css"])
def test_404_logs_at_most_one_short_line(http, capsys, caplog, path):
    caplog.set_level(logging.INFO)
    _printed(capsys)
    status, _, _ = http.raw("GET", path)
    assert status == 404
    printed = _printed(capsys)
    assert printed.count("\n") <= 1 and len(printed.encode()) < 300, printed[:500]
    assert len(caplog.records) <= 1 and all("\n" not in r.getMessage() for r in caplog.records)


class Boom:
    """A plugin whose page fails the way a bug would."""

    __name__ = "kb_test_boom"  # Datasette lists plugins by module name

    @hookimpl
    def register_routes(self):
        async def boom(request):
            raise RuntimeError("secret detail at /home/someone/kb.db\nsecond line")

        return [(r"^/-/boom(\.json)?$", boom)]


@pytest.fixture
def boom_http(sample_db_path):
    pm.register(Boom(), name="kb-test-boom")
    try:
        h = Http(make_datasette(sample_db_path, ROOT / "metadata.yml"))
    finally:
        pm.unregister(name="kb-test-boom")
    yield h
    h.close()


def test_unexpected_error_is_one_line_and_no_traceback(boom_http, capsys, caplog):
    caplog.set_level(logging.INFO)
    _printed(capsys)
    r = boom_http.get("/-/boom")
    assert r.status_code == 500
    assert "Traceback" not in r.text and "secret detail" not in r.text and "/home/someone" not in r.text
    assert "서버 오류" in r.text
    data = boom_http.get("/-/boom.json").json()
    assert data["status"] == 500 and data["ok"] is False and "secret" not in json.dumps(data)
    printed = _printed(capsys)
    assert "Traceback" not in printed and len(printed.encode()) < 600, printed[:500]
    errors = [rec for rec in caplog.records if rec.levelno >= logging.ERROR]
    assert len(errors) == 2  # one per request
    line = errors[0].getMessage()
    assert "\n" not in line and len(line.encode()) < 300
    assert "RuntimeError" in line and "secret detail" in line and "/-/boom" in line
    assert errors[0].exc_info is None  # the traceback is logged only at DEBUG


def test_datasette_errors_keep_their_message(http, capsys, caplog):
    caplog.set_level(logging.INFO)
    _printed(capsys)
    r = http.get("/kb/chunks?_sort=nosuch")  # Datasette calls this a 500
    assert r.status_code == 500 and "Cannot sort table by nosuch" in r.text
    assert http.get("/kb.json?sql=" + quote("select nosuch")).status_code == 400
    printed = _printed(capsys)
    assert "Traceback" not in printed and printed.count("\n") <= 1, printed[:500]
    assert all("\n" not in rec.getMessage() for rec in caplog.records)


# 3. Security headers ---------------------------------------------------------------------

HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
}


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/-/search?q=" + quote("빅데이터"),
        "/-/search.json?q=" + quote("빅데이터"),
        "/-/search.csv?q=" + quote("빅데이터"),
        "/-/reports/2",
        "/-/reports/2/source",
        "/-/reports/999",
        "/kb",
        "/kb/chunks",
        "/kb/chunks.csv",
        "/kb.json?sql=" + quote("select 1"),
        "/kb/reports/1",
        "/-/static/app.css",
        "/-/versions.json",
        "/-/databases.json",
        "/nosuch",
        "/kb.db",
    ],
)
def test_security_headers_everywhere(http, path):
    r = http.get(path)
    for name, value in HEADERS.items():
        assert r.headers.get(name) == value, (path, name)
    csp = r.headers["content-security-policy"]
    for part in ["default-src 'self'", "frame-ancestors 'none'", "base-uri 'none'", "object-src 'none'"]:
        assert part in csp, (path, csp)


def test_security_headers_on_refusals(http):
    assert http.request("POST", "/kb/reports").headers["x-frame-options"] == "DENY"
    _, headers, _ = http.raw("GET", "/kb/..")
    assert headers["x-content-type-options"] == "nosniff"


# 4. No download, no machine paths -----------------------------------------------------------


def test_database_is_not_downloadable(http, sample_db_path):
    assert http.get("/-/settings.json").json()["allow_download"] is False
    r = http.get("/kb.db")
    assert r.status_code == 403 and not r.content.startswith(b"SQLite format 3")
    assert 'href="/kb.db"' not in http.get("/kb").text
    from datasette.app import Datasette

    immutable = Http(Datasette(immutables=[str(sample_db_path)], settings=SETTINGS))  # as kb served it before
    try:
        r = immutable.get("/kb.db")
        assert r.status_code == 403 and not r.content.startswith(b"SQLite format 3")
    finally:
        immutable.close()


def _machine_paths(sample_db_path) -> set[str]:
    return {str(sample_db_path.parent), str(ROOT), sys.prefix, sys.base_prefix, str(ROOT.parent)} - {"/"}


@pytest.mark.parametrize(
    "path",
    [
        "/-/databases.json",
        "/-/databases",
        "/-/metadata.json",
        "/-/settings.json",
        "/-/plugins.json",
        "/-/plugins.json?all=1",
        "/-/versions.json",
        "/-/threads.json",
        "/-/threads",
        "/kb.json",
    ],
)
def test_no_machine_paths(http, sample_db_path, path):
    r = http.get(path)
    assert r.status_code == 200
    leaked = [p for p in _machine_paths(sample_db_path) if p in r.text]
    assert not leaked, (path, leaked)


def test_databases_json_names_the_file_only(http):
    dbs = http.get("/-/databases.json").json()
    assert [d["name"] for d in dbs] == ["kb"]
    assert dbs[0]["path"] == "kb.db"
    assert {"route", "size", "is_mutable", "is_memory"} <= set(dbs[0])


# 5. CSV cells Excel would run as formulas -----------------------------------------------------


@pytest.mark.parametrize("query", ["인재 유치", "시사점", "빅데이터"])
def test_search_csv_has_no_formula_cells(http, query):
    r = http.get(f"/-/search.csv?k=50&q={quote(query)}")
    assert r.status_code == 200
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert len(rows) > 10
    cells = [c for row in rows[1:] for c in row]
    assert not [c for c in cells if c.startswith(FORMULA_START)]
    assert any(c.startswith("'- ") for c in cells)  # the bullets are still there, as text
