"""Traveller counts in the forms reports state them."""

from __future__ import annotations

import pytest

from kb.travellers import (
    count_in_line,
    count_in_prose,
    inline_participants,
    listed_one_per_line,
    named_in_prose,
    states_people,
)


@pytest.mark.parametrize(
    "line, n",
    [
        ("ㅇ 출장인원 : 총 4명 (도시재생과 2, 도시디자인과 1, 건축과 1)", 4),
        ("◆ 출장인원 : 총 9명(의원 7명, 의회사무국 직원 2명)", 9),
        ("라. 출장 인원 : 의원 4명, 직원 1명", 5),
        ("◆ 연수 인원 : 의원 6명과 의회사무국 직원 2명 등 8명", 8),  # 등 N명 is the total
        ("출장인원 : 의원 6명·직원 2명", 8),
        ("□ 출장인원 : 3명 (항만물류과장 외 2명)", 3),
        (" • 인원 : 4명", 4),
        ("○ 출 장 자 : 2명", 2),
        ("- 출장인원 : 총3명(시의원 2명, 의회사무국직원 1명)", 3),
        ("출장자 : 단장 외 5명", 6),
        # the named and the counted: four by name, one nurse unnamed
        ("▪ 참 가 자 : 과장 도하진(단장), 팀장 석라희, 주무관 권태오, 주무관 위수민, 간호주무관 1명", 5),
        ("㉱ 연수 인원 : 의원 5인, 수행직원 2인", 7),  # counted in 인
        ("◦ 출장인원 : 하천관리과장 등 5인", 5),
        ("○ 연수단 : 6명 (1인당 경비 3,620천원)", 6),  # 1인당 is per head, no traveller
        ("4명(과장 1, 팀장 1, 주무관 2)", None),  # no label: not a count line
        ("면적 : 약 33만㎢", None),
        ("출장기간 : 2019. 9. 23. ~ 9. 28.", None),
    ],
)
def test_count_in_line(line, n):
    assert count_in_line(line) == n


def test_count_in_prose():
    text = "의장을 단장으로 의원 5명과 의회사무과 직원 2명 등 모두 7명이 참여하였으며, 농가를 방문하였다."
    assert count_in_prose(text) == 7
    assert count_in_prose("시장을 단장으로 관계 공무원 등 모두 6명이 참여하였다.") == 6
    assert count_in_prose("인구는 모두 250만 명이다.") is None


def test_count_in_prose_of_the_trips_number_of_people():
    text = "이번 출장에는 위원장 탁윤호, 위원 명재훈이 참여하였으며, 출장 인원은 7명(의원 5, 직원 2)임"
    assert count_in_prose(text) == 7
    assert count_in_prose("의원 6명에 직원 2명이 동행하여 연수단은 8명으로 꾸려졌고, 의장이 단장을 맡았다.") == 8


def test_a_list_of_one_traveller_per_line():
    lines = ["- 일자리경제국장 황보진우", "- 창업지원과장 어태린", "- 진흥원 투자지원팀 선임연구원 1명"]
    assert listed_one_per_line(lines) == ([("황보진우", "일자리경제국장"), ("어태린", "창업지원과장")], 3)
    # prose under the heading is no list
    assert listed_one_per_line(["- 창업지원과장 어태린", "- 이번 출장에는 위원 다섯 명과 직원이 함께 참여하였음"]) == (
        [],
        0,
    )


def test_inline_participants():
    value = "교통정책과장 강민호, 대중교통팀장 석유나, 자전거정책팀 주무관 하윤재"
    assert inline_participants(value) == [
        ("강민호", "교통정책과장"),
        ("석유나", "대중교통팀장"),
        ("하윤재", "자전거정책팀 주무관"),
    ]
    assert inline_participants("4명") == []


@pytest.mark.parametrize(
    "line, n",
    [
        ("1-4. 출장자 : 관광진흥과장 외 2명", 3),
        ("4 연수 인원 : 8명(의원 6, 사무처 2)", 8),
        ("○ 출장인원 : 모두 다섯 명", 5),
    ],
)
def test_count_lines_with_other_numbering_and_number_words(line, n):
    assert count_in_line(line) == n


def test_count_in_prose_with_number_words():
    assert count_in_prose("주무관이 일정 관리를 맡아 모두 네 명이 다녀왔습니다.") == 4


def test_travellers_named_in_a_sentence():
    text = (
        "이번 국외연수에는 도시건설위원회 육태경 위원장(단장), 함수정 부위원장(부단장), 구본찬 의원과 "
        "의회사무국 심규리 전문위원(총괄), 방하윤 주무관(수행)이 함께하였으며, 통역은 교민 1명이 맡았음"
    )
    assert named_in_prose(text) == [
        ("육태경", "위원장"),
        ("함수정", "부위원장"),
        ("구본찬", "의원"),
        ("심규리", "전문위원"),
        ("방하윤", "주무관"),
    ]
    # a body before a title is not a person; two names are no list
    assert named_in_prose("유럽 의회 의원, 김철수 의원, 이영희 의원이 함께 참석하였다") == []


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("2. 연수 인원 : 총 4명 (의원 3명, 직원 1명)", True),
        ("의원 다섯 명과 직원 두 명이 함께 다녀왔다", True),
        ("이번 연수에는 육태경 위원장(단장), 함수정 부위원장, 구본찬 의원이 함께하였다", True),
        ("1. 연수 기간 : 2024. 4. 8.(월) ~ 4. 12.(금) [3박 5일]", False),
        ("출장지역 : 중국 충칭(重庆), 청두(成都)", False),
    ],
)
def test_a_text_that_says_who_went(text, says):
    assert states_people(text) is says
