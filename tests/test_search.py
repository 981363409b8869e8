"""kb.search: hybrid ranking, filters, similarity and search quality on the samples."""

from __future__ import annotations

import re

import numpy as np
import pytest
import sqlite_utils

from kb.analysis import QueryError
from kb.knowledge import KnowledgeBase
from kb.search import Filters, SearchError, intents

from conftest import RESULT_KEYS


@pytest.fixture(scope="module")
def db(sample_db_path):
    return sqlite_utils.Database(sample_db_path)


@pytest.fixture(scope="module")
def base(sample_db_path):
    return KnowledgeBase(sample_db_path)


def squash(s: str) -> str:
    return re.sub(r"\s+", "", s)


def test_big_data_valley_lessons_from_both_reports(base):
    results = base.search("빅데이터밸리 기업 유치", limit=5)
    lessons = {r.report_id for r in results if r.kind in ("finding", "implication")}
    assert lessons == {1, 2}
    assert set(results[0].to_dict()) >= RESULT_KEYS


def test_english_query_finds_the_climate_findings_first(base):
    results = base.search("data center climate", limit=5)
    top2 = {(r.place, r.kind) for r in results[:2]}
    assert top2 == {("구이양", "finding"), ("충칭", "implication")}
    assert "데이터센터" in results[0].text and "데이터센터" in results[1].text


def test_results_keep_both_ranks(base):
    results = base.search("화훼 시장 전망", limit=3)
    assert results[0].fts_rank == 1 and results[0].vector_rank == 1
    assert "<mark>화훼</mark>" in results[0].snippet
    assert [r.score for r in results] == sorted((r.score for r in results), reverse=True)


# Queries of our own, with every phrase that answers them: Korean keywords, the variant
# place name, paraphrases sharing few words with the text, English, Chinese, a code.
QUALITY = [
    ("구이양 빅데이터 거래소", ["국가자본 36%"]),
    ("귀양 데이터 거래소 설립", ["국가자본 36%"]),
    ("젊은 인재를 끌어들이는 방법", ["청년인재 유인", "인재의 중요성", "인재유치와 발굴"]),
    ("우수 인재를 유치하려면", ["청년인재 유인", "인재의 중요성", "인재유치와 발굴"]),
    ("병원에 가기 어려운 시민을 위한 원격 진료", ["원격 진료 서비스"]),
    ("창업 지원 공간", ["혁신창업공간 93개"]),
    ("스마트 교통 기술을 도시에 적용", ["스마트 교통"]),
    ("flower industry cooperation with Goyang", ["화훼산업이 급증"]),
    ("how to attract young talent", ["청년인재 유인", "인재의 중요성", "인재유치와 발굴"]),
    ("Chongqing automobile production", ["자동차, 오토바이"]),
    ("貴陽 大数据", ["빅데이터局", "귀양빅데이터거래소", "빅데이터를 포함한 디지털정보"]),
    ("OZ3543", ["OZ3543"]),
    ("仙桃国际大数据谷", ["등록기업 512개"]),
]


def test_results_say_which_words_matched_and_their_cosine(base, db):
    """Each result explains itself: the query's words it contains and its exact cosine."""
    query = "구이양 빅데이터밸리 기업 유치 zzq"
    qvec = base.query_vector(query)
    words = dict(base.analyzer().word_terms(query))  # each with its synonyms (기업: 업체)
    for r in base.search(query, limit=8):
        assert set(r.matched) <= {"구이양", "빅데이터밸리", "기업", "유치"}
        if r.fts_rank is not None:
            assert r.matched  # a full-text match contains some of the query's words
        for word in r.matched:
            if word != "구이양":  # a place also matches its other names (귀양, 貴陽)
                assert any(squash(t)[:2] in squash(r.section + r.text) for t in words[word])
        (blob,) = db.execute(
            "select v.vector from chunks c join vectors v using (content_hash) where c.id = ?", [r.chunk_id]
        ).fetchone()
        assert r.cosine == pytest.approx(float(np.frombuffer(blob, np.float32) @ qvec), abs=1e-4)
    english = base.search("data center climate", limit=3)
    assert all(r.cosine is not None and 0 < r.cosine <= 1 for r in english)


def test_a_list_of_names_is_found_by_its_trip(base):
    """A participant list holds names, not the trip: embedded under its report's title,
    it is what the vectors find for "who went on that trip" (before: an overview first,
    then the other trip's list)."""
    results = base.search("2019년 구이양 출장 간 사람 명단", mode="semantic", limit=2)
    assert [r.kind for r in results] == ["participants", "participants"]
    assert {r.report_title for r in results} == {results[0].report_title} and "2019" in results[0].report_title


def test_a_short_form_finds_the_long_one(base):
    """가오신구 is the reports' short form of 가오신기술산업개발구 (kb.analysis.abbreviates):
    the table row that gives the zone's registered firms matches it by that word too."""
    results = base.search("가오신구 등록 기업 수", mode="fts", limit=10)
    row = next(r for r in results if "29,163" in r.text)
    assert "가오신구" not in row.text and "가오신구" in row.matched
    assert row.fts_rank == 1


def test_quality_floor(base):
    ranks = {}
    for query, golds in QUALITY:
        results = base.search(query, limit=10)
        ranks[query] = next(
            (i for i, r in enumerate(results, 1) if any(squash(g) in squash(r.text) for g in golds)), None
        )
    recall5 = sum(1 for r in ranks.values() if r and r <= 5) / len(ranks)
    mrr = sum(1 / r for r in ranks.values() if r) / len(ranks)
    assert recall5 >= 0.9 and mrr >= 0.75, ranks


def test_modes(base):
    fts = base.search("마일리지 적립", mode="fts", limit=3)
    assert fts and all(r.vector_rank is None for r in fts)
    sem = base.search("마일리지 적립", mode="semantic", limit=3)
    assert sem and all(r.fts_rank is None for r in sem)
    with pytest.raises(QueryError):
        base.search("...", mode="fts")
    assert base.search("...", mode="semantic", limit=1)  # meaning needs no words


def test_filters(base):
    guiyang = base.search("빅데이터", filters=Filters(place="귀양"), limit=20)
    assert guiyang and {r.place for r in guiyang} == {"구이양"}
    lessons = base.search("인재", filters=Filters(kind=["implication"]), limit=20)
    assert lessons and {r.kind for r in lessons} == {"implication"}
    y2018 = base.search("빅데이터", filters=Filters(since=2018, until=2018), limit=20)
    assert {r.trip_start[:4] for r in y2018} == {"2018"}
    china = base.search("산업", filters=Filters(country="China"), limit=5)
    assert china and {r.country for r in china} == {"중국"}
    inst = base.search("회의", filters=Filters(institution="우호도시"), limit=5)
    assert inst and all("우호도시" in r.institution for r in inst)
    assert base.search("빅데이터", filters=Filters(since=2030)) == []


def test_paging(base):
    first = base.search("빅데이터 산업", limit=4)
    second = base.search("빅데이터 산업", limit=4, offset=4)
    assert not {r.chunk_id for r in first} & {r.chunk_id for r in second}


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": 100000}, "limit"),
        ({"offset": -1}, "offset"),
        ({"offset": 10**6}, "offset"),
        ({"mode": "magic"}, "mode"),
        ({"filters": Filters(kind=["gossip"])}, "kind"),
        ({"filters": Filters(place="아틀란티스")}, "place"),
    ],
)
def test_bad_parameters_name_themselves(base, kw, message):
    with pytest.raises(SearchError, match=message):
        base.search("빅데이터", **kw)


def test_bad_queries(base):
    with pytest.raises(QueryError, match="empty"):
        base.search("  ")
    with pytest.raises(SearchError, match="too long"):
        base.search("가" * 5000)


def test_similar_finds_other_trips_talent_lessons(base, db):
    source = next(
        db.query(
            "select id from chunks where kind = 'implication' and text like '%창조적 인재 유치%' and report_id = 2"
        )
    )["id"]
    results = base.similar(source, limit=5)
    assert all(r.report_id == 1 for r in results)
    talent = [r for r in results if "인재" in r.text]
    assert {r.place for r in talent} >= {"충칭", "청두"}
    same = base.similar(source, limit=5, same_report=True)
    assert any(r.report_id == 2 for r in same) and source not in {r.chunk_id for r in same}


def test_similar_to_a_text(base):
    results = base.similar(text="데이터센터는 서늘한 기후의 지역에 유치하면 전력을 아낀다", limit=3)
    assert any("데이터센터" in r.text for r in results)
    with pytest.raises(SearchError, match="no chunk"):
        base.similar(99999)


def test_hybrid_answers_by_words_before_anything_is_embedded(tmp_path):
    from kb.ingest import ingest

    from conftest import REPORT_2019

    db_path = tmp_path / "kb.db"
    ingest([REPORT_2019], db_path, embed=False)
    base = KnowledgeBase(db_path)
    results = base.search("빅데이터 거래소", limit=3)
    assert results and all(r.vector_rank is None and r.fts_rank for r in results)
    with pytest.raises(SearchError, match="kb embed"):
        base.search("빅데이터 거래소", mode="semantic")


@pytest.mark.parametrize(
    ("query", "kinds"),
    [
        ("포틀랜드 출장 간 사람 명단", {"participants", "overview", "text"}),
        ("늘봄구 독일 출장 기간은 언제부터", {"itinerary", "overview", "visit", "text", "purpose"}),
        ("도서관 리모델링에 대한 건의사항", {"implication", "conclusion"}),
        ("Who went to Guiyang in 2019?", {"participants", "overview", "text"}),
        ("When did the council visit Chengdu?", {"itinerary", "overview", "visit", "text", "purpose"}),
        ("At what time did they tour the software park?", {"itinerary", "overview", "visit", "text", "purpose"}),
        ("원탁회의 몇 시에 했나", {"itinerary", "overview", "visit", "text", "purpose"}),
        ("How many officials went to Kaohsiung?", {"participants", "overview", "text"}),
        ("아라시 포틀랜드 출장 같이 간 사람들", {"participants", "overview", "text"}),
        ("포틀랜드에서 본 공원 이름", set()),  # a name, not who went
        ("How long is the Ming-dynasty city wall?", set()),  # a length, not a stay
        ("빅데이터 산업단지 기업 유치", set()),
        ("How does the library serve seniors who cannot leave home?", set()),  # "who" only opening a question
        ("How does the storm surge barrier decide when to close?", set()),
        ("헨트 목요일 채식의 날 학교급식", set()),  # a day named, not asked
        ("무슨 요일에 시청을 방문했나", {"itinerary", "overview", "visit", "text", "purpose"}),
        ("전기버스 배터리 보증 기간", set()),  # another thing's period, not the trip's
        ("청두는 어떻게 짧은 기간에 기업을 모았나", set()),
        ("2018 충칭 청두 출장기간", {"itinerary", "overview", "visit", "text", "purpose"}),
        ("몽골 출장 다녀온 기간", {"itinerary", "overview", "visit", "text", "purpose"}),
        ("콜롬비아 출장 인원과 기간", {"participants", "overview", "itinerary", "visit", "text", "purpose"}),
    ],
)
def test_a_question_asks_for_the_kinds_that_answer_it(query, kinds):
    assert set().union(*(i.answers for i in intents(query))) == kinds


def test_an_overview_answers_who_or_when_only_where_it_says_so():
    """An overview is one of the answers to both questions, but a line of dates does not
    say who went, and a count of travellers does not say when."""
    (who,) = intents("해솔시의회 헬싱키 연수에 몇 명이 갔나")
    (when,) = intents("헬싱키 연수 기간은 언제였나")
    dates_only = "1. 연수 기간 : 2024. 4. 8.(월) ~ 4. 12.(금) [3박 5일]"
    count = "2. 연수 인원 : 총 4명 (의원 3명, 직원 1명)"
    assert who.answered_by("overview", count) and not who.answered_by("overview", dates_only)
    assert when.answered_by("overview", dates_only) and not when.answered_by("overview", count)
    assert who.answered_by("participants", "구분 | 직위 | 성명")  # a participant table always does


def test_a_purpose_that_states_the_dates_answers_when():
    """Some reports tell the trip's dates in the paragraph that says why it was made."""
    (when,) = intents("도담군의회 독일 연수는 언제 다녀왔나")
    dated = "연수는 지난 10월 29일(월)부터 11월 5일(월)까지 6박 8일 일정으로 진행되었다."
    undated = "재생에너지 마을 조성 사례를 조사하여 군 정책에 반영하고자 함"
    assert when.answered_by("purpose", dated) and not when.answered_by("purpose", undated)


def test_plain_text_answers_who_or_when_only_where_it_says_so():
    """A report written as a letter has no headings: its plain text is where it says who
    went and when, and elsewhere it is findings like any other."""
    (who,) = intents("누가 암스테르담에 다녀왔나")
    (when,) = intents("암스테르담 출장은 언제였나")
    names = "의원 김하늘, 이바다, 박산들 3명이 2023. 10. 16.부터 10. 20.까지 다녀왔습니다."
    finding = "자전거 주차장은 역과 바로 이어져 환승이 쉬웠다."
    assert who.answered_by("text", names) and when.answered_by("text", names)
    assert not who.answered_by("text", finding) and not when.answered_by("text", finding)


# The head of a one-trip report, with its cover.
HAESOL_TRIP = """2024 해솔시의회 교육위원회
핀란드 헬싱키 공공도서관 국외연수 결과보고서

2024. 5.
해솔시의회 교육위원회


Ⅰ. 연수 개요

1. 연수 기간 : 2024. 4. 8.(월) ~ 4. 12.(금) [3박 5일]

"""
COVERED_TRIP = (
    HAESOL_TRIP
    + """2. 연수 인원 : 총 4명 (의원 3명, 직원 1명)

  구분 | 직위 | 성명
  의원 | 위원장 | 도하윤
  의원 | 부위원장 | 남궁별
  의원 | 의원 | 석다온
  직원 | 전문위원 | 편서진

Ⅱ. 방문 결과

1. 헬싱키 중앙도서관 오디(Oodi)

 가. 주요내용
  - 1층은 카페와 영화관, 2층은 재봉틀과 3D 프린터를 갖춘 작업실, 3층은 조용한 열람 공간으로 나눔
  - 시민 2,000여 명의 바람을 모아 설계에 반영하였으며 개관 첫해 방문객이 300만 명을 넘음

 나. 시사점
  - 우리 시 미래도서관도 층별로 소음 수준을 달리하여 활동 공간과 열람 공간을 함께 두는 방안을 검토할 필요가 있음
"""
)


def test_a_cover_answers_no_question_about_its_trip(tmp_path):
    """The cover holds every word of the trip's name, so it matches a question about the
    trip best of all, by words and by vector; yet it says neither who went nor when."""
    from kb.ingest import ingest

    report = tmp_path / "2024_haesol_finland.txt"
    report.write_text(COVERED_TRIP, encoding="utf-8")
    ingest([report], tmp_path / "kb.db")
    base = KnowledgeBase(tmp_path / "kb.db")
    results = base.search("2024 해솔시의회 교육위원회 헬싱키 공공도서관 연수 참가자", limit=5)
    cover = next(r for r in results if r.kind == "cover")
    assert cover.fts_rank == 1 and cover.vector_rank == 1
    assert results[0].kind == "participants"
    assert results[-1] is cover  # behind the lesson and the finding too: they at least answer something


VISITED_LIBRARY = (
    HAESOL_TRIP
    + """2. 연수 인원 : 총 2명 (의원 1명, 직원 1명)

Ⅱ. 방문 결과

1. 헬싱키 중앙도서관 오디(Oodi)

 가. 방문 개요
  - 일시 : 4. 9.(화) 10:00~12:00
  - 응대 : 관장 외 2명

 나. 기관 현황
  - 오디 도서관은 헬싱키 중앙도서관으로 견학 온 방문객이 한 해 300만 명에 이르며, 도서관 견학 프로그램을 따로 운영함
  - 오디 도서관 견학은 1층 카페와 영화관, 2층 작업실, 3층 열람 공간 순서로 진행됨
"""
)


def test_a_visit_answers_when_by_its_date(tmp_path):
    """Both chunks of the visit are of kind visit, which a question about when asks for;
    the one about the library's tours holds the question's words more often and comes
    first in both lists, yet only the other says on which day the visit was."""
    from kb.ingest import ingest

    report = tmp_path / "2024_haesol_oodi.txt"
    report.write_text(VISITED_LIBRARY, encoding="utf-8")
    ingest([report], tmp_path / "kb.db")
    results = KnowledgeBase(tmp_path / "kb.db").search("오디 도서관 견학 날짜", limit=5)
    tours = next(r for r in results if "견학 프로그램" in r.text)
    assert tours.kind == "visit" and tours.fts_rank == 1 and tours.vector_rank == 1
    assert results[0].kind == "visit" and "4. 9.(화)" in results[0].text


def test_a_question_naming_a_year_is_answered_by_that_years_trip(tmp_path):
    """Two trips to Helsinki: under "2023년 … 기간은 언제", the 2024 trip's overview states a
    date but is not the trip asked about, so it is no answer; the 2023 trip's is."""
    from kb.ingest import ingest
    from kb.search import QUERY_YEAR, _answers

    for year in (2023, 2024):
        (tmp_path / f"{year}_helsinki.txt").write_text(
            HAESOL_TRIP.replace("2024", str(year)) + "Ⅱ. 방문 결과\n1. 오디 도서관\n - 견학함\n", encoding="utf-8"
        )
    ingest(sorted(tmp_path.glob("*.txt")), tmp_path / "kb.db", embed=False)
    db = KnowledgeBase(tmp_path / "kb.db").db
    kinds = dict(db.execute("select id, kind from chunks"))
    query = "2023년 헬싱키 도서관 연수 기간은 언제"
    answers = _answers(db, intents(query), kinds, set(QUERY_YEAR.findall(query)))
    trips = {
        r[0]
        for r in db.execute(
            f"select r.trip_start from chunks c join reports r on r.id = c.report_id where c.id in ({','.join(map(str, answers))})"
        )
    }
    assert answers and trips == {"2023-04-08"}
    assert len(_answers(db, intents(query), kinds, set())) == 2 * len(answers)  # no year named: both trips
