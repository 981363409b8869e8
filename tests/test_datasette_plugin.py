"""The Datasette plugin through Datasette's own test client: pages, JSON, CSV, hostile input."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from urllib.parse import quote

import pytest
import sqlite_utils

from kb.ingest import ingest
from kb.serve import make_datasette

from conftest import RESULT_KEYS, ROOT


class Client:
    """Datasette's ASGI client, driven from synchronous tests on one event loop."""

    def __init__(self, db_path):
        self.loop = asyncio.new_event_loop()
        self.ds = make_datasette(db_path, ROOT / "metadata.yml")
        self.loop.run_until_complete(self.ds.invoke_startup())

    def get(self, path: str):
        return self.loop.run_until_complete(self.ds.client.get(path))

    def post(self, path: str, **kw):
        return self.loop.run_until_complete(self.ds.client.post(path, **kw))


@pytest.fixture(scope="module")
def client(sample_db_path):
    c = Client(sample_db_path)
    yield c
    c.loop.close()


def q(text: str) -> str:
    return quote(text)


def test_home_page_searches_in_korean(client):
    r = client.get("/?q=" + q("인재 유치"))
    assert r.status_code == 200
    html = r.text
    assert '<form class="kb-search" action="/-/search" method="get"' in html  # works without JavaScript
    assert "<mark>인재</mark>" in html and "<mark>유치</mark>" in html
    assert "2018 중국 충칭·청두" in html and "2019 고양시의회 중국 충칭·구이양" in html
    assert "비슷한 내용 찾기" in html and "/-/reports/" in html
    assert 'href="/-/search.json?q=' in html and 'href="/-/search.csv?q=' in html
    assert 'title="전문검색 순위' in html  # the two ranks on hover
    assert 'class="kb-meta kb-why"' in html and "유사도 0." in html  # why: matched words, cosine
    empty = client.get("/")
    assert empty.status_code == 200 and 'name="q"' in empty.text and '<li class="kb-result"' not in empty.text


def test_json_and_csv_give_the_page_results(client, sample_db_path):
    from kb.knowledge import KnowledgeBase

    data = client.get("/-/search.json?q=" + q("인재 유치")).json()
    assert isinstance(data, list) and len(data) == 10
    assert RESULT_KEYS <= set(data[0])
    assert data[0]["matched"] and 0 < data[0]["cosine"] <= 1
    lib = KnowledgeBase(sample_db_path).search("인재 유치")
    assert [d["chunk_id"] for d in data] == [r.chunk_id for r in lib]
    r = client.get("/-/search.csv?q=" + q("인재 유치"))
    assert r.headers["content-type"].startswith("text/csv")
    assert r.content.startswith("\ufeff".encode())  # Excel reads the Korean as UTF-8
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert [int(row["chunk_id"]) for row in rows] == [d["chunk_id"] for d in data]


def test_filters_and_paging_as_parameters(client):
    guiyang = client.get("/-/search.json?q=" + q("빅데이터") + "&place=" + q("귀양") + "&k=20").json()
    assert guiyang and {d["place"] for d in guiyang} == {"구이양"}
    lessons = client.get("/-/search.json?q=" + q("인재") + "&kind=implication&kind=finding").json()
    assert {d["kind"] for d in lessons} <= {"implication", "finding"}
    y = client.get("/-/search.json?q=" + q("빅데이터") + "&since=2019&until=2019").json()
    assert {d["trip_start"][:4] for d in y} == {"2019"}
    p1 = client.get("/-/search.json?q=" + q("빅데이터") + "&k=5").json()
    p2 = client.get("/-/search.json?q=" + q("빅데이터") + "&k=5&page=2").json()
    assert not {d["chunk_id"] for d in p1} & {d["chunk_id"] for d in p2}
    page = client.get("/?q=" + q("빅데이터") + "&k=5")
    assert "다음 →" in page.text and "page=2" in page.text


def test_similar_link(client):
    first = client.get("/-/search.json?q=" + q("창조적 인재 유치")).json()[0]
    r = client.get(f"/-/search?similar={first['chunk_id']}")
    assert r.status_code == 200 and "비슷한 다른 출장의 내용" in r.text
    data = client.get(f"/-/search.json?similar={first['chunk_id']}").json()
    assert data and all(d["report_id"] != first["report_id"] for d in data)


@pytest.mark.parametrize("k", ["0", "-1", "100000", "abc"])
def test_bad_parameters_are_a_clear_400(client, k):
    r = client.get("/-/search.json?q=" + q("빅데이터") + "&k=" + k)
    assert r.status_code == 400
    assert r.json()["error"].startswith("k must be")
    page = client.get("/-/search?q=" + q("빅데이터") + "&k=" + k)
    assert page.status_code == 400 and "k must be" in page.text


def test_hostile_queries(client, sample_db_path):
    script = "<script>alert('x')</script> 빅데이터"
    r = client.get("/?q=" + q(script))
    assert r.status_code == 200
    assert "<script>alert" not in r.text and "&lt;script&gt;alert" in r.text
    before = sqlite_utils.Database(sample_db_path)["chunks"].count
    for sql_like in ["'; drop table chunks; --", '" OR 1=1 --', "빅데이터) OR (1=1", "NEAR(빅데이터 유치)"]:
        res = client.get("/-/search.json?q=" + q(sql_like))
        assert res.status_code in (200, 400), sql_like
    assert sqlite_utils.Database(sample_db_path)["chunks"].count == before
    long = client.get("/-/search.json?q=" + "가" * 1200)
    assert long.status_code == 400 and "too long" in long.json()["error"]
    assert client.get("/-/search.json?q=" + q("빅데이터") + "&kind=gossip").status_code == 400
    assert client.get("/-/search.json?q=" + q("빅데이터") + "&place=" + q("아틀란티스")).status_code == 400
    assert client.get("/-/search.json?q=" + q("빅데이터") + "&since=abc").status_code == 400


def test_writes_and_extensions_are_refused(client, sample_db_path):
    for sql in ["delete from chunks", "insert into kb_meta values ('x', 'y')", "select load_extension('/tmp/x.so')"]:
        r = client.get("/kb.json?sql=" + q(sql))
        assert r.status_code >= 400 or r.json().get("ok") is False, sql
    assert sqlite_utils.Database(sample_db_path)["chunks"].count > 0


def test_sql_functions_in_datasette(client):
    rows = client.get("/kb.json?_shape=array&sql=" + q("select kb_match('출장보고서에서') as m")).json()
    assert '"출장"' in rows[0]["m"] and '"보고서"' in rows[0]["m"]
    sql = "select c.id, j.value ->> 'score' as s from json_each(kb_nearest('데이터센터 기후', 3)) j join chunks c on c.id = j.value ->> 'id'"
    rows = client.get("/kb.json?_shape=array&sql=" + q(sql)).json()
    assert len(rows) == 3 and rows[0]["s"] >= rows[2]["s"]


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("hybrid_search", {"q": "인재 유치", "k": "5"}),
        ("semantic_search", {"q": "data center climate", "k": "5"}),
        ("similar_chunks", {"chunk_id": "10", "k": "5"}),
        ("lessons_about_a_place", {"place": "귀양"}),
        ("implications_by_year", {"year": "2019"}),
        ("institution_visitors", {"institution": "빅데이터밸리"}),
    ],
)
def test_canned_queries_export(client, name, params):
    query = "&".join(f"{k}={q(v)}" for k, v in params.items())
    rows = client.get(f"/kb/{name}.json?_shape=array&{query}").json()
    assert isinstance(rows, list) and rows, name
    r = client.get(f"/kb/{name}.csv?{query}")
    assert r.status_code == 200 and len(r.text.strip().splitlines()) >= 2


def test_report_page(client):
    r = client.get("/-/reports/2")
    assert r.status_code == 200
    html = r.text
    assert "2019-12-22 ~ 2019-12-27" in html and "김수환" in html and "박재훈" in html  # 14 travellers
    assert "구이양 빅데이터전람관" in html and "2019-12-24" in html
    assert html.count('class="kb-chunk') >= 30 and "시사점" in html
    src = client.get("/-/reports/2/source?chunk=60")
    assert src.status_code == 200 and '<mark id="mark">' in src.text
    assert client.get("/-/reports/999").status_code == 404
    assert client.get("/-/reports/2/source?chunk=x").status_code == 400


def test_script_in_a_stored_title_is_escaped(tmp_path):
    report = tmp_path / "evil.txt"
    report.write_text(
        "2020 <script>alert(1)</script> 결과보고서\n\nⅠ 출장 개요\n○ 출장기간 : 2020. 1. 6.(월) ~ 1. 9.(목)\n"
        "○ 출장지역 : 일본 도쿄\n\nⅡ 시사점\n- 빅데이터 센터 유치를 위해 전력 요금 지원을 검토할 필요가 있음.\n",
        encoding="utf-8",
    )
    db_path = tmp_path / "kb.db"
    assert ingest([report], db_path).files[0].status == "added"
    title = sqlite_utils.Database(db_path)["reports"].get(1)["title"]
    assert "<script>" in title
    c = Client(db_path)
    try:
        for path in ["/?q=" + q("빅데이터 센터"), "/-/reports/1"]:
            html = c.get(path).text
            assert "<script>alert(1)</script>" not in html
            assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert json.loads(c.get("/-/search.json?q=" + q("빅데이터")).text)[0]["report_title"] == title
    finally:
        c.loop.close()


def test_search_does_not_wait_for_datasettes_sql_threads(sample_db_path):
    """Slow queries on Datasette's SQL page may hold all its SQL threads up to the time
    limit; kb's pages read on threads of their own."""
    import threading

    c = Client(sample_db_path)
    try:
        release = threading.Event()
        busy = [c.ds.executor.submit(release.wait) for _ in range(c.ds.setting("num_sql_threads"))]
        try:
            page = c.loop.run_until_complete(
                asyncio.wait_for(c.ds.client.get("/-/search.json?q=" + quote("인재 유치")), timeout=20)
            )
            assert page.status_code == 200 and len(page.json()) == 10
            report = c.loop.run_until_complete(asyncio.wait_for(c.ds.client.get("/-/reports/1"), timeout=20))
            assert report.status_code == 200
        finally:
            release.set()
            for f in busy:
                f.result()
    finally:
        c.loop.close()


def test_institution_pages_and_json(client):
    data = client.get("/-/institutions.json").json()
    valley = next(i for i in data["institutions"] if "시엔타오" in i["name"])
    assert {"id", "name", "city", "visits"} <= set(valley) and valley["city"] == "충칭"
    assert {(v["report_id"], v["date"][:4]) for v in valley["visits"]} == {(1, "2018"), (2, "2019")}
    page = client.get("/-/institutions")
    assert page.status_code == 200 and f'href="/-/institutions/{valley["id"]}"' in page.text
    one = client.get(f"/-/institutions/{valley['id']}.json").json()
    assert (
        one["id"] == valley["id"]
        and one["lessons"]
        and {"chunk_id", "report_id", "kind", "text"} <= set(one["lessons"][0])
    )
    html = client.get(f"/-/institutions/{valley['id']}").text
    assert "보고서가 전하는 내용" in html and "/-/reports/1" in html and "/-/reports/2" in html
    missing = client.get("/-/institutions/99999.json")
    assert missing.status_code == 404 and "no institution with id 99999" in missing.text
    assert client.get("/-/institutions/99999").status_code == 404


def test_home_page_shows_what_the_knowledge_base_holds(client):
    html = client.get("/").text
    assert "보고서 <strong>2</strong>건" in html and 'href="/-/institutions"' in html
    assert "나라별 출장" in html and "/-/brief?place=%EC%A4%91%EA%B5%AD" in html  # 중국, linked to its brief
    assert "도시별 출장" in html and "최근 보고서" in html and 'href="/-/reports/2"' in html
    assert "kb-home" not in client.get("/?q=" + q("인재 유치")).text  # results instead


def test_brief_page_json_csv_markdown_and_errors(client):
    data = client.get("/-/brief.json?place=" + q("충칭")).json()
    assert {"trips", "lessons", "institutions"} <= set(data) and len(data["trips"]) == 2
    assert {"chunk_id", "report_id", "kind", "section", "text"} <= set(data["lessons"][0])
    html = client.get("/-/brief?place=" + q("충칭")).text
    assert "이전 출장 (2)" in html and "@media print" in html and "@page { size: A4" in html
    assert all(f'href="/-/reports/{t["report_id"]}"' in html for t in data["trips"])
    assert all(lesson["text"][:20] in html.replace("&#34;", '"') for lesson in data["lessons"][:3])
    md = client.get("/-/brief.md?place=" + q("충칭"))
    assert (
        md.status_code == 200 and md.text.startswith("# 출장 전 참고자료") and "markdown" in md.headers["content-type"]
    )
    assert client.get("/-/brief.csv?place=" + q("충칭")).content.startswith("\ufeff".encode())
    bad = client.get("/-/brief.json?place=" + q("아틀란티스"))
    assert bad.status_code == 400 and "unknown place" in bad.json()["error"]
    page = client.get("/-/brief?topic=")
    assert page.status_code == 200 and 'role="alert"' not in page.text  # the empty form
    assert client.get("/-/brief.json").status_code == 400
    long = client.get("/-/brief?topic=" + q("가" * 5000))
    assert long.status_code == 400 and "topic is too long" in long.text
