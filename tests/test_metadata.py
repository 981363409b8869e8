"""Report metadata from short inline reports: title, destinations, travellers,
participants, institutions."""

from __future__ import annotations

import pytest

from kb.db import connect
from kb.metadata import extract, split_institutions
from kb.parse import parse
from kb.places import Gazetteer


@pytest.fixture(scope="module")
def gazetteer(tmp_path_factory):
    db = connect(tmp_path_factory.mktemp("g") / "kb.db")
    try:
        return Gazetteer.from_db(db)
    finally:
        db.close()


def md(text: str, gazetteer):
    return extract(text, parse(text), gazetteer)


COVER = "2019 공무국외출장 결과보고서\n\n- 핀란드·에스토니아 전자정부 벤치마킹 -\n\n2019. 10.\n\n누리구의회\n\n"


def test_a_generic_title_takes_its_subtitle(gazetteer):
    m = md(COVER + "1. 출장 개요\n가. 출장 지역 : 핀란드(헬싱키), 에스토니아(탈린)\n", gazetteer)
    assert m.title == "2019 핀란드·에스토니아 전자정부 벤치마킹 공무국외출장 결과보고서"
    assert m.issuer == "누리구의회"


def test_the_title_is_never_taken_from_the_closing_lines(gazetteer):
    """A closing line that mentions the report ("결과보고서는 누리집에 공개") is no title,
    however much better it names something than the cover's generic one."""
    for closing in ("2) 출장 결과보고서는 의회 누리집에 공개하고, 관련 부서에 공유", "○ 향후 과제 국외출장 결과보고"):
        m = md(COVER + "1. 출장 개요\n가. 출장 지역 : 핀란드(헬싱키)\n2. 건의\n" + closing + "\n", gazetteer)
        assert m.title == "2019 핀란드·에스토니아 전자정부 벤치마킹 공무국외출장 결과보고서"


def test_a_memo_title(gazetteer):
    text = (
        "보  고  서\n\n제    목 : 2017년도 미르군의회 의원 공무국외여행(프랑스 농촌관광) 결과 보고\n\nⅠ. 개요\n본문.\n"
    )
    assert md(text, gazetteer).title == "2017년도 미르군의회 의원 공무국외여행(프랑스 농촌관광) 결과 보고"


@pytest.mark.parametrize(
    "line, cities",
    [
        ("○ 출 장 지 : 호주 시드니, 멜버른", ["시드니", "멜버른"]),
        ("**장소**: 캐나다 밴쿠버(브리티시컬럼비아주), 토론토(온타리오주)", ["밴쿠버", "토론토"]),
        ("□ 출 장 지 : 대만 타이베이(台北), 가오슝(高雄)", ["타이베이", "가오슝"]),
        ("◆ 방문지역 : 스페인 바르셀로나, 빌바오", ["바르셀로나", "빌바오"]),
        ("가. 출장국가 : 중국(충칭시, 구이양시)", ["충칭", "구이양"]),
        # where the trip changed planes is no destination
        ("ㅇ 장    소 : 브라질 쿠리치바, 상파울루 (경유지 : 두바이)", ["쿠리치바", "상파울루"]),
        ("ㅇ 출 장 지 : 브라질 상파울로(두바이 경유)", ["상파울루"]),
    ],
)
def test_destinations_from_the_destination_line(gazetteer, line, cities):
    found = md(f"Ⅰ. 출장 개요\n{line}\n○ 출장기간 : 2019. 9. 23. ~ 9. 28.\n", gazetteer).destinations
    assert [p.name for p in found if p.kind == "city"] == cities


def test_destinations_from_a_sentence_when_there_is_no_line(gazetteer):
    text = (
        "Ⅰ. 연수 개요\n  우리 의회는 2017년 9월 11일 ~ 9월 18일 일정으로 프랑스 파리와 리옹, 스위스 쮜리히 일원을 "
        "방문하였다. 예산을 절감하고 구조를 바꾸는 브랜드 사례를 보았다.\n"
    )
    m = md(text, gazetteer)
    assert [p.name for p in m.destinations] == ["파리", "리옹", "취리히"]  # a variant spelling, no common nouns
    assert (m.trip_start, m.trip_end) == ("2017-09-11", "2017-09-18")


@pytest.mark.parametrize(
    "body, n",
    [
        ("○ 출장인원 : 총 4명 (도시재생과 2, 건축과 1, 도시디자인과 1)\n", 4),
        ("라. 출장 인원 : 의원 4명, 직원 1명\n", 5),
        ("  의원 5명과 직원 2명 등 모두 7명이 참여하였다.\n", 7),
        ("| 성명 | 직급 |\n|---|---|\n| 도윤희 | 과장 |\n| 편재우 | 팀장 |\n| 여하린 | 주무관 |\n", 3),
        ("1.3 출장자\n- 일자리경제국장 황보진우\n- 창업지원과장 어태린\n- 진흥원 선임연구원 1명\n", 3),
        # a names line cut by a line break ("주무관\n권태오" joins as one word) loses a name: the count line decides
        ("▪ 참 가 자 : 과장 도하진(단장), 팀장 석라희, 녹지팀 주무관\n권태오, 간호주무관 1명\n▪ 인    원 : 5명\n", 5),
    ],
    ids=["total", "parts", "prose", "table-only", "list-only", "count-over-names"],
)
def test_traveller_count_in_order_of_evidence(gazetteer, body, n):
    assert md(f"Ⅰ. 출장 개요\n{body}", gazetteer).traveller_count == n


def test_participants_from_an_inline_list(gazetteer):
    m = md("Part 1. 출장개요\n • 출 장 자 : 교통정책과장 강민호, 대중교통팀장 석유나\n • 인원 : 2명\n", gazetteer)
    assert [(p.name, p.position) for p in m.participants] == [("강민호", "교통정책과장"), ("석유나", "대중교통팀장")]
    assert m.traveller_count == 2


def test_institutions_from_visit_headings(gazetteer):
    text = (
        "Ⅰ. 출장 개요\n○ 출장지역 : 에스토니아 탈린\n○ 출장기간 : 2019. 9. 26. ~ 9. 28.\n"
        "Ⅱ. 방문 결과\n1. 탈린시청 및 탈린 중앙도서관\n○ 일시 : 2019. 9. 27.(금) 09:30\n○ 주요내용\n  - 무료 대중교통을 운영함\n"
        "2. 탈린\n○ 주요내용\n  - 구시가지를 둘러봄\n"
    )
    insts = md(text, gazetteer).institutions
    assert [(i.name, i.visit_date, i.place.name if i.place else None) for i in insts] == [
        ("탈린시청", "2019-09-27", "탈린"),
        ("탈린 중앙도서관", "2019-09-27", "탈린"),
    ]  # a heading that is only a city's name is not an institution


def test_split_institutions():
    assert split_institutions("Portland Bureau of Transportation (PBOT) & BIKETOWN") == [
        "Portland Bureau of Transportation (PBOT)",
        "BIKETOWN",
    ]
    assert split_institutions("밴쿠버시청 사회정책과 (City of Vancouver, Social Policy)") == [
        "밴쿠버시청 사회정책과 (City of Vancouver, Social Policy)"
    ]
    # "&" inside an English name is not two institutions
    assert split_institutions("Boston Planning & Development Agency (BPDA)") == [
        "Boston Planning & Development Agency (BPDA)"
    ]


def test_a_two_column_table_row_reads_as_a_label_line(gazetteer):
    text = "1. 출장 개요\n기간\t2023. 9. 4. ~ 9. 9.\n출 장 지\t우즈베키스탄 타슈켄트\n출 장 자\t농축산국장 등 5명\n"
    m = md(text, gazetteer)
    assert m.traveller_count == 5
    assert [p.name for p in m.destinations if p.kind == "city"] == ["타슈켄트"]


def test_cities_the_gazetteer_does_not_know_still_count_from_the_destination_line(gazetteer):
    m = md("1. 출장 개요\n○ 연수 지역 : 일본 이시카와현 가나자와시, 뽀로로현 뽀로로시\n", gazetteer)
    assert [p.name for p in m.destinations if p.kind == "city"] == ["가나자와"]
    assert m.other_cities == ["뽀로로"]
    m = md("1. 출장 개요\n○ 출장 지역 : 슬로베니아(류블랴나, 크롱크롱) 일원, 미국 오리건주 포틀랜드\n", gazetteer)
    assert m.other_cities == ["크롱크롱"]  # not 일원, not the state 오리건주
    m = md("1. 출장 개요\n○ 연수 지역 : 뉴질랜드 오클랜드, 크롱크롱(Krong) 지역\n", gazetteer)
    assert m.other_cities == []  # an area, not a city
    m = md("1. 출장 개요\n• 출장지 : 영국 크롱랜드 리버풀(Liverpool), 뽀롱랜드 글래스고\n", gazetteer)
    assert m.other_cities == []  # the regions of the cities named next
    m = md("1. 출장 개요\n○ 출장국가 : 네덜란드(암스테르담, 뽀로로 및 크롱크롱 온실단지)\n", gazetteer)
    assert m.other_cities == ["뽀로로"]  # a site and its name are no city
    m = md("1. 출장 개요\n* **방문지** : 일본 도쿄도(東京都) 도심 및 뽀로로구, 아키타현 아키타시\n", gazetteer)
    assert m.other_cities == []  # the city's centre, and a ward
    m = md("1. 출장 개요\n◦ 출 장 지 : 라오스 위앙짠(Vientiane, 수도) 및 비엔티안주 농촌 마을\n", gazetteer)
    assert m.other_cities == []  # another name of the place glossed; the kind of a place
    m = md("1. 출장 개요\n▣ 연수 국가 및 도시 : 독일 연방공화국 / 프라이부르크(Freiburg), 뽀로로\n", gazetteer)
    assert m.other_cities == ["뽀로로"]  # not the country's form of state
    m = md("1. 연수 개요\n◈ 연수 지역 : 일본 도쿠시마현 뽀로로정, 크롱현 크롱촌\n", gazetteer)
    assert [p.name for p in m.destinations if p.kind == "city"] == []  # a prefecture, not its city
    assert m.other_cities == ["뽀로로", "크롱"]  # towns and villages after their prefecture


def test_participants_of_several_tables_and_without_the_total_row(gazetteer):
    """Officials and an adviser in tables of their own; a name in two tables counts once;
    a 계 row is the total, not a traveller."""
    text = (
        "3. 출장단 구성\n〈출장 공무원〉\n| 번호 | 성명 | 직위 |\n|---|---|---|\n| 1 | 남궁현 | 국장 |\n"
        "| 2 | 변서아 | 과장 |\n| 계 | 2명 | |\n\n〈동행 자문위원〉\n| 번호 | 성명 | 분야 |\n|---|---|---|\n"
        "| 1 | 라경민 | 수문학 |\n| 2 | 변서아 | 총괄 |\n\n4. 방문 결과\n가. 코펜하겐시\n"
    )
    m = md(text, gazetteer)
    assert [p.name for p in m.participants] == ["남궁현", "변서아", "라경민"]
    assert m.traveller_count == 3


def test_a_city_state_is_a_destination_city(gazetteer):
    m = md("Ⅰ. 출장 개요\n○ 출 장 지 : 싱가포르, 말레이시아(쿠알라룸푸르)\n", gazetteer)
    assert [p.name for p in m.destinations if p.kind == "city"] == ["싱가포르", "쿠알라룸푸르"]


@pytest.mark.parametrize(
    "cover, title",
    [
        (
            '---\ntitle: "2019 온새미구 폴란드 주민참여예산 공무국외출장 결과보고"\n---\n',
            "2019 온새미구 폴란드 주민참여예산 공무국외출장 결과보고",
        ),
        (
            "보 고 자   농업정책과 팀장 도은솔\n제    목   중국 상하이·항저우 스마트농업 국외연수\n           결과 보고\n\n",
            "중국 상하이·항저우 스마트농업 국외연수 결과 보고",
        ),
        (
            "홈 > 정보공개 > 국외출장 결과보고\n제목 [수자원정책과] 네덜란드 물관리 국외출장 결과보고\n",
            "[수자원정책과] 네덜란드 물관리 국외출장 결과보고",
        ),
        (
            "2 0 2 4  공무국외출장 결과보고서\n〈 북유럽 공공도서관 운영 사례 연수 〉\n",
            "2024 북유럽 공공도서관 운영 사례 연수 공무국외출장 결과보고서",
        ),
        (
            "공무국외출장 결과보고서\n(포르투갈 전통시장 재생 사례)\n",
            "포르투갈 전통시장 재생 사례 공무국외출장 결과보고서",
        ),
        (  # who went named in the title line; a slogan in quotes passed over for the subtitle
            "버들시의회\n\n\n2023년도 의원 공무국외출장 결과보고서\n\n\n“ 해가 진 뒤에도 머물고 싶은 도시 ”\n\n"
            "〔 헝가리 부다페스트 야간관광 사례 연수 〕\n",
            "2023년도 헝가리 부다페스트 야간관광 사례 연수 의원 공무국외출장 결과보고서",
        ),
        (  # a memo's 건명 field
            "결  과  보  고\n\n건    명 : 갈매군의회 2018년 하반기 공무국외연수(이탈리아 슬로시티 견학) 결과\n",
            "갈매군의회 2018년 하반기 공무국외연수(이탈리아 슬로시티 견학) 결과",
        ),
    ],
)
def test_title_families(gazetteer, cover, title):
    """Front matter, a memo's wrapped 제목 field or its 건명, a web page's breadcrumb, a spaced
    year, a subtitle in 〈〉, 〔〕 or ( ) (not a slogan in quotes)."""
    assert md(cover + "\n1. 출장 개요\n가. 출장 지역 : 독일\n", gazetteer).title == title


@pytest.mark.parametrize(
    "cover, title",
    [
        (  # an official document's header above the cover, its title wrapped after the places
            "                 하늬시의회 공무국외출장 결과보고\n=====\n문서번호 : 의사담당관-1187    시행일자 : 2024. 5. 8.\n"
            "경    유 : 의회사무국장          보존기간 : 5년\n\n\n      콜롬비아 메데인·보고타\n"
            "      대중교통 및 도시혁신 사례 공무국외출장 결과보고서\n\n\n      하늬시의회 건설교통위원회\n\n",
            "콜롬비아 메데인·보고타 대중교통 및 도시혁신 사례 공무국외출장 결과보고서",
        ),
        (  # a running header naming only the body, its unit and the year; the cover's subtitle
            "청아시\n\n2018년도 공무국외출장 결과보고서\n\n녹색 관광도시 조성을 위한\n"
            "메데인·보고타 지속가능 관광 정책 조사\n\n2018. 5.\n\n청 아 시\n\n"
            "청아시 관광진흥과                2018 공무국외출장 결과보고서\n\n",
            "2018년도 녹색 관광도시 조성을 위한 메데인·보고타 지속가능 관광 정책 조사 공무국외출장 결과보고서",
        ),
        (  # an official document's header alone: its fields are no subtitle
            "하늬시의회 공무국외출장 결과보고\n문서번호 : 의사담당관-1187\n경    유 : 의회사무국장   보존기간 : 5년\n\n",
            "하늬시의회 공무국외출장 결과보고",
        ),
        (  # the body and year first; the cover's title block after it, the places above the topic
            "은솔군의회 2018 공무국외연수 결과보고서\n────────\n\n\n      콜롬비아 메데인·보고타\n"
            "      산비탈 주거지 교통 사례\n      공무국외연수 결과보고서\n\n\n      2018. 6.\n\n      은 솔 군 의 회\n\n",
            "콜롬비아 메데인·보고타 산비탈 주거지 교통 사례 공무국외연수 결과보고서",
        ),
    ],
)
def test_a_title_line_naming_only_its_body_gives_way_to_the_trips(gazetteer, cover, title):
    """Title lines that name no trip, only the body that wrote the report (with its unit,
    its committee or the year), are passed over for the cover lines that name the trip;
    a place line wrapped above the title joins it; 보고타 is no 보고."""
    body = "\n1. 출장 개요\n가. 출장 지역 : 콜롬비아(메데인, 보고타)\n"
    assert md(cover + body, gazetteer).title == title


def test_a_traveller_list_that_runs_on_and_ends_with_its_total(gazetteer):
    text = (
        "복  명  서\n\n1. 출 장 자 : 안전건설과장    지방시설사무관    서광호\n"
        "               재난안전팀장    지방행정주사      민혜진\n"
        "               재난안전팀      지방행정주사보    탁성우      (계 3명)\n\n"
        "2. 출장기간 : 2019. 5. 13. ∼ 5. 17. (4박 5일)\n4. 출장목적 :\n   ㆍ 방재교육 조사\n"
    )
    assert md(text, gazetteer).traveller_count == 3


def test_visits_grouped_under_a_place_are_named_by_the_heading_below_it(gazetteer):
    from kb.metadata import name_grouped_visits
    from kb.parse import parse

    blocks = parse(
        "2. 방문 결과\n가. 두바이\n1) KOTRA 두바이 무역관 (11. 7. 화 10:00)\n - 에너지 정책 브리핑\n"
        "2) 두바이 도로교통청(RTA)\n - 자율주행 목표 25%\n나. 아부다비\n - 인구 약 150만 명\n"
    ).blocks
    assert [b.institution for b in blocks] == ["두바이", "두바이", "아부다비"]  # as the parser reads it
    name_grouped_visits(blocks, gazetteer)
    assert [b.institution for b in blocks] == ["KOTRA 두바이 무역관", "두바이 도로교통청(RTA)", None]
