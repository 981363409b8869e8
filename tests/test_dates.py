"""Trip dates in the forms Korean reports write them (kb.dates)."""

from __future__ import annotations

import pytest

from kb.dates import parse_range, parse_single, states_date, trip_dates

RANGES = [
    # dotted, with and without weekdays and 박/일 tails
    ("2019. 9. 23.(월) ~ 9. 28.(토) [4박 6일]", ("2019-09-23", "2019-09-28")),
    ("2022. 11. 7. ~ 11. 12.", ("2022-11-07", "2022-11-12")),
    ("2019.12.22.~12.27.", ("2019-12-22", "2019-12-27")),
    ("2016.10.10~10.15", ("2016-10-10", "2016-10-15")),
    ("2019. 9. 23.( 화 ) ~ 9. 28.( 토 )", ("2019-09-23", "2019-09-28")),
    ("2019. 12. 22.(일) ~ 12. 27.(금)【5박 6일】", ("2019-12-22", "2019-12-27")),
    ("2018. 8. 23.(목) ~ 25.(토)", ("2018-08-23", "2018-08-25")),
    # two-digit years
    ("’23. 3. 6.(월) ~ 3. 9.(목)", ("2023-03-06", "2023-03-09")),
    ("'23.3.6.~3.9.", ("2023-03-06", "2023-03-09")),
    ("‘19. 12. 30. ~ ‘20. 1. 2.", ("2019-12-30", "2020-01-02")),
    ("23. 3. 6. ~ 3. 9.", ("2023-03-06", "2023-03-09")),
    # Korean words
    ("2017년 9월 11일 ~ 9월 18일(6박 8일)", ("2017-09-11", "2017-09-18")),
    ("2024년 4월 7일(일) ~ 4월 13일(토)", ("2024-04-07", "2024-04-13")),
    ("2025년 5월 19일(월)부터 22일(목)까지", ("2025-05-19", "2025-05-22")),
    ("2025년 5월 19일부터 5월 22일까지", ("2025-05-19", "2025-05-22")),
    ("2019년 12월 30일 ~ 2020년 1월 3일", ("2019-12-30", "2020-01-03")),
    # ISO-ish
    ("2019-12-22 ~ 2019-12-27", ("2019-12-22", "2019-12-27")),
    ("2019/12/22~12/27", ("2019-12-22", "2019-12-27")),
    # converter leftovers
    (r"2024\. 4. 7.(일) \~ 4. 13.(토)", ("2024-04-07", "2024-04-13")),
    (r"2024\. 4\. 7\.\(일\) \- 4\. 13\.", ("2024-04-07", "2024-04-13")),
    ("2024.&nbsp;4.\u00a07.(일)&nbsp;~&nbsp;4. 13.(토)", ("2024-04-07", "2024-04-13")),
    # separators
    ("2019. 9. 23. ∼ 9. 28.", ("2019-09-23", "2019-09-28")),
    ("2019. 9. 23. ～ 9. 28.", ("2019-09-23", "2019-09-28")),
    ("2019. 9. 23. 〜 9. 28.", ("2019-09-23", "2019-09-28")),
    ("2019. 9. 23. - 9. 28.", ("2019-09-23", "2019-09-28")),
    ("2019. 9. 23. – 9. 28.", ("2019-09-23", "2019-09-28")),
    ("2019. 9. 23. — 9. 28.", ("2019-09-23", "2019-09-28")),
    ("출장 기간: 2023-09-18 → 2023-09-23", ("2023-09-18", "2023-09-23")),  # a note-taking app's arrow
    # over a year's end
    ("2019. 12. 30.(월) ~ 1. 3.(금)", ("2019-12-30", "2020-01-03")),
    # a one-day trip, only where labelled
    ("출장기간: 2019. 5. 3.(금)", ("2019-05-03", "2019-05-03")),
]


@pytest.mark.parametrize(("line", "expected"), RANGES)
def test_parse_range(line, expected):
    assert parse_range(line) == expected


def test_parse_range_year_fallback():
    assert parse_range("3. 6.(월) ~ 3. 9.(목)", year=2023) == ("2023-03-06", "2023-03-09")
    assert parse_range("3. 6.(월) ~ 3. 9.(목)") is None  # no year anywhere


@pytest.mark.parametrize(
    "line",
    [
        "2019. 5. 3.(금)",  # a lone date, unlabelled
        "보고일자 2019. 10.",
        "2019. 10.",
        "2025~2029",
        "사업기간: 2025 ~ 2029",
        "2020년부터 2030년까지",
        "010-1234-5678",
        "1/1 (총1건)",
        "09:30~12:00",
        "2019. 12. 23.(월) 11:00 ~ 15:00",  # one day's hours
        "pp. 12-15",
        "2019. 9. 28. ~ 9. 23.",  # end before start
        "2019. 9. 1. ~ 2019. 12. 28.",  # far longer than a trip
        "2019. 2. 30. ~ 3. 2.",  # no such day
        "2019. 13. 1. ~ 13. 5.",  # no such month
    ],
)
def test_parse_range_rejects(line):
    assert parse_range(line) is None


@pytest.mark.parametrize("line", ["pp. 12-15", "1/1 (총1건)", "09:30~12:00", "12-15쪽"])
def test_parse_range_rejects_with_year(line):
    assert parse_range(line, year=2023) is None


@pytest.mark.parametrize(
    ("text", "year", "expected"),
    [
        ("2024년 4월 8일(월) 10:00", None, "2024-04-08"),
        ("3. 6.(월) 15:00~17:00", 2023, "2023-03-06"),
        ("2016.10.11(화) 09:30~12:00", None, "2016-10-11"),
        ("10/11, Tue", 2016, "2016-10-11"),
        ("9월 14일(목)", 2023, "2023-09-14"),
        ("’23. 3. 6.(월)", None, "2023-03-06"),
        (r"2024\. 4\. 8\.\(월\)", None, "2024-04-08"),
        ("3. 6.(월)", None, None),  # no year to give it
        ("09:30~12:00", 2023, None),
        ("2019. 10.", None, None),
        ("1/1 (총1건)", 2023, None),
        ("010-1234-5678", 2023, None),
        ("증가율 3.5%", 2023, None),
    ],
)
def test_parse_single(text, year, expected):
    assert parse_single(text, year) == expected


def test_trip_dates_prefers_labelled_line_over_earlier_dates():
    text = (
        "보고일자: 2019. 10. 2.\n"
        "사전 준비회의 2019. 9. 2.(월) ~ 9. 3.(화)\n"
        "- 출 장 기 간 : 2019. 9. 23.(월) ~ 9. 28.(토) [4박 6일]\n"
        "- 일 시 : 2019. 9. 24.(화) ~ 25.(수)\n"
    )
    assert trip_dates(text) == ("2019-09-23", "2019-09-28")


def test_trip_dates_from_prose():
    text = (
        "Ⅰ. 개요\n"
        "본 위원회 의원 8명은 2017년 9월 11일 ~ 9월 18일(6박 8일) 일정으로 독일을 방문하였다.\n"
        "2025~2029 사업비 120억원, 2020년부터 2030년까지 추진\n"
    )
    assert trip_dates(text) == ("2017-09-11", "2017-09-18")


def test_trip_dates_a_line_break_cuts_from_prose():
    text = (
        "독일의 프라이부르크를 연수지로 정하였다. 연수는 2019년\n  4월 28일부터 5월 5일까지 6박 8일 동안 진행되었으며"
    )
    assert trip_dates(text) == ("2019-04-28", "2019-05-05")
    text = "연수는 2019년 4월 28일부터\n5월 5일까지 6박 8일 동안"
    assert trip_dates(text) == ("2019-04-28", "2019-05-05")
    assert trip_dates("예산은 2019년\n4월 현재 3억 원") == (None, None)


def test_trip_dates_markdown_escaped():
    text = "# 결과보고서\n\n**기간**: 2024\\. 4\\. 7\\.(일) \\~ 4\\. 13\\.(토)\n\n1/1 (총1건)\n"
    assert trip_dates(text) == ("2024-04-07", "2024-04-13")


def test_trip_dates_label_in_its_own_cell_and_year_end():
    text = "사업기간: 2025. 1. 1. ~ 2029. 12. 31.\n출장기간\n2019. 12. 30.(월) ~ 1. 3.(금) [4박 5일]\n"
    assert trip_dates(text) == ("2019-12-30", "2020-01-03")


def test_trip_dates_one_day_trip_in_a_table():
    assert trip_dates("| 출장기간 | 2019. 5. 3.(금) |\n보고일 2019. 5. 10.") == ("2019-05-03", "2019-05-03")


def test_trip_dates_nights_note_breaks_a_tie():
    text = "2019. 9. 2. ~ 9. 3. 사전교육\n2019. 9. 23.(월) ~ 9. 28.(토) 4박 6일 방문\n"
    assert trip_dates(text) == ("2019-09-23", "2019-09-28")


def test_trip_dates_without_a_year_take_the_reports_year():
    """A range with no year ("지난 10월 29일(월)부터 11월 5일(월)까지") takes the title's or
    the report date's, and only where no range gives its own."""
    text = "결 과 보 고\n보 고 일 : 2018. 11. 14.\n\n연수는 지난 10월 29일(월)부터 11월 5일(월)까지 6박 8일 일정으로"
    assert trip_dates(text) == ("2018-10-29", "2018-11-05")
    assert trip_dates("2019 결과보고\n일정 : 12월 27일(금) ~ 1월 3일(금)") == ("2019-12-27", "2020-01-03")
    dated = "2019 결과보고\n○ 출장기간 : 2019. 3. 4.(월) ~ 3. 8.(금)\n  - 현장 : 3월 5일(화) ~ 3월 6일(수)"
    assert trip_dates(dated) == ("2019-03-04", "2019-03-08")


def test_trip_dates_nothing():
    assert trip_dates("보고일자 2019. 10.\n2025~2029 사업") == (None, None)


def test_a_trip_told_in_prose_by_its_departure_and_return():
    text = "이번 출장은 2023년 10월 16일(월) 인천을 떠나\n10월 22일(일) 돌아오는 5박 7일 일정이었습니다."
    assert trip_dates(text) == ("2023-10-16", "2023-10-22")
    assert trip_dates("2023년 10월 16일 보고서를 냈고 이후 출발 준비를 하였다.") == (None, None)


@pytest.mark.parametrize(
    "text",
    [
        "- 일시 : 4. 9.(화) 10:00~12:00",
        "2020. 1. 2. 시 사회국 청사",
        "9월 14일 오후 방문",
        "14:30 면담",
        "3. 8.(수) 본사",
        "○ 출장기간 : '24.9.2.~9.7. (4박 6일)",  # a two-digit year
    ],
)
def test_a_text_that_states_when(text):
    assert states_date(text)


@pytest.mark.parametrize(
    "text",
    ["황 함유량 0.5% 이하 연료", "버전 2.1 배포", "방문객이 300만 명", "1. 2. 3. 순서로 진행", "비율은 3:1"],
)
def test_a_text_that_does_not_say_when(text):
    assert not states_date(text)
