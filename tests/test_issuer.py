"""Issuing body and writing unit from a report's front matter."""

from __future__ import annotations

import pytest

from kb.issuer import issuer_of


@pytest.mark.parametrize(
    "front, issuer, unit",
    [
        (["누리구의회", "의회사무국", "2019 공무국외출장 결과보고서", "누리구의회"], "누리구의회", "의회사무국"),
        (["2020 공무국외출장 결과보고서", "다온시의회 문화복지위원회"], "다온시의회", "문화복지위원회"),
        (["호주 도시재생 벤치마킹 결과보고", "      2022. 11. 21.", "      새솔시 도시재생과"], "새솔시", "도시재생과"),
        (["국외출장 결과보고", "2023. 3. 14.", "해오름시 해양항만국 항만물류과"], "해오름시", "해양항만국 항만물류과"),
        (["**하람도 복지국 노인복지과**"], "하람도", "복지국 노인복지과"),
        (["2025. 5. 27.  솔뫼구 환경과"], "솔뫼구", "환경과"),
        (["국외출장 결과보고서", "2024. 7. 19.", "하늬구 보건소 감염병관리과"], "하늬구", "보건소 감염병관리과"),
        (
            ["보  고  서", "제    목 : 2017년도 미르군의회 의원 공무국외여행 결과 보고", "보 고 자 : 의회사무과장"],
            "미르군의회",
            "의회사무과",
        ),
        (["해 담 군 청", "기획예산과"], "해담군", "기획예산과"),
        (["본문 바로가기", "# 나래도", "## 국외출장 결과보고", "작성부서 : 수자원정책과"], "나래도", "수자원정책과"),
        (["고양시의회", "(의회사무국)"], "고양시의회", "의회사무국"),
        (
            [
                "한울연구원                    문서번호 : 한울연-143",
                "연구원 국외출장 결과보고",
                "보 고 자 : 도시공간연구실 연구위원",
            ],
            "한울연구원",
            "도시공간연구실",
        ),
    ],
)
def test_issuer_of_front_matter(front, issuer, unit):
    assert issuer_of("\n".join(front), front) == (issuer, unit)


def test_a_body_visited_abroad_is_not_the_issuer():
    text = "국외출장 결과보고\n\n1. 개요\n가) 바양주르흐구청 업무협약 체결\n- 바양주르흐구청 회의실\n"
    assert issuer_of(text, ["국외출장 결과보고"]) == (None, None)


def test_a_council_named_only_in_the_body_is_still_found():
    text = "국외연수 결과\n\n1. 개요\n○ 한빛시의회 의원 5명이 참여"
    assert issuer_of(text, ["국외연수 결과"])[0] == "한빛시의회"
