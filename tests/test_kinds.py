"""The kinds vocabulary: heading words, precedence, inheritance, and the content's
evidence where no heading decides; and that every place that lists kinds reads this table."""

from __future__ import annotations

from pathlib import Path

import pytest

from kb import kinds

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    "title, kind",
    [
        ("결론 및 정책 제언", "implication"),  # implication words win over conclusion's
        ("성과 및 향후 과제", "implication"),
        ("방문성과 및 시사점", "implication"),
        ("결과 및 시사점", "implication"),
        ("향후 조치계획", "implication"),
        ("착안점", "implication"),  # as 착안사항
        ("우리 시가 배울 점", "implication"),
        ("방문성과", "finding"),
        ("주요 청취 내용", "finding"),
        ("방문 결과", "visit"),
        ("Ⅲ 기관별 활동 결과", "visit"),
        ("Ⅲ 기관별 면담 결과", "visit"),  # a chapter of visits
        ("기관별 주요 시사점", "implication"),
        ("출장 성과 및 도정 반영 과제", "implication"),
        ("방문국 개황", "background"),  # not the trip's overview
        ("출장 개요", "overview"),
        ("출장자 명단", "participants"),
        ("세부 일정", "itinerary"),
        ("출장목적", "purpose"),
        ("목적", "purpose"),
        ("의원별 소감", "conclusion"),
        ("Ⅴ. 마치며", "conclusion"),
        ("1. 들어가며", "overview"),  # an opening chapter in prose: why, where, who
        ("머리말", "overview"),
        ("3. 현장에서 보고 들은 것", "visit"),
        ("Part 2. Site Visits", "visit"),
        ("헬싱키시청", None),
        ("목적지 안내", None),  # "목적" must be the whole heading
        ("Ⅲ 방문지역 개요", "background"),  # the places-visited family
        ("출장국가 및 도시 개관", "background"),
        ("덴마크 개관", "background"),  # a place's 개관
        ("개관 시간", None),  # opening hours
        ("City Snapshot", "background"),
        ("5. 종합 소견", "conclusion"),
        ("대기질 측정소 견학", None),  # 측정소 견학 holds no 소견
    ],
)
def test_heading_kind(title, kind):
    assert kinds.heading_kind(title) == kind


@pytest.mark.parametrize(
    "title, parent, kind",
    [
        ("헬싱키시청", "visit", "visit"),  # no words of its own: the parent's
        ("헬싱키시청", None, "text"),
        ("방문 개요", "visit", "visit"),  # a visit's own 개요
        ("방문목적", "finding", "visit"),
        ("[기관방문 2] 충칭시 위베이구", "itinerary", "itinerary"),
        ("IT 기업 투자유치 활용 방안 연구", "purpose", "purpose"),
        ("방문도시 개황", "itinerary", "background"),
        ("총평", "implication", "implication"),
        ("주요성과", "implication", "finding"),
        ("현장 견학 결과", None, "visit"),  # a chapter of site visits in its own words
        ("현지 시찰", "text", "visit"),
        ("현지 연수 활동", None, "visit"),
        ("방문기관별 활동 내용", None, "visit"),
        ("출장 활동", None, "visit"),
        ("청두 첨단산업단지 시찰", None, "text"),  # one visit by its name
        ("현장 견학", "visit", "visit"),  # a visit's part: still the parent's
        ("현장 견학", "finding", "finding"),
    ],
)
def test_kind_of_inherits_from_the_parent(title, parent, kind):
    assert kinds.kind_of(title, parent) == kind


@pytest.mark.parametrize(
    "text, lesson",
    [
        ("가로시설물 통합 디자인 지침 마련", True),
        ("조례 제정 검토", True),
        ("대여소 간격 기준을 먼저 정해야 함", True),
        ("우리 군도 공동 브랜드를 만들 필요가 있다.", True),
        ("집행부와 협의하겠다.", True),
        ("2026년 추진 예정", True),
        ("청년 귀농인이 에너지 관리자로 활동하도록 교육 과정을 만들자.", True),  # a member's call
        ("주민 총회에서 사업 내용을 정하도록 하자", True),
        ("통합지원센터를 두어 행정 부담을 덜어 주어야 한다.", True),  # any verb's 어야 한다
        ("전용 저금리 융자 상품을 만드는 방안을 찾아보고 싶다.", True),  # a member's wish
        ("예산 심의에 반영하고, 보고서는 누리집에 게시하여 군민과 나누고자 한다.", True),
        ("준공 후 시공 하자", False),  # 하자, a defect
        ("시는 2008년 장기 전략을 수립함", False),
        ("공공시설을 지원함", False),
        ("저소득층 접근성이 과제로 지적됨", False),
        ("", False),
    ],
)
def test_says_lesson(text, lesson):
    assert kinds.says_lesson(text) is lesson


def test_where_no_heading_decides_the_wording_does():
    # 소감, 결론 and text under no heading: a lesson phrase anywhere
    assert kinds.item_kind("conclusion", "조례 개정을 검토할 필요가 있음") == "implication"
    assert kinds.item_kind("text", "조례 개정을 검토할 필요가 있음") == "implication"
    assert kinds.item_kind("conclusion", "일정이 순조로웠다.") == "conclusion"
    # a visit told as prose: only a last sentence that says what to do
    assert kinds.item_kind("visit", "단지는 온실을 빌려줌. 우리 군도 시범 운영을 검토하여야 함") == "implication"
    assert kinds.item_kind("visit", "소득 지원이 필요하다는 활동가의 의견을 청취") == "visit"
    # a heading that said what its items are decides
    assert kinds.item_kind("finding", "조례 개정을 검토할 필요가 있음") == "finding"


@pytest.mark.parametrize(
    "text, lesson",
    [
        ("공동 연구 협약을 맺는 방안을 검토하여야 함", True),
        ("정규 교육으로 개설하여 2020년부터 추진하겠음", True),
        ("운영 계획을 보완할 필요가 있음. 수직농장은 초기 설비비가 큼", False),
        (
            "이용객이 2배로 늘었다. 요금은 시가 보전한다. 운영비는 회사가 낸다. 기본계획에 포함하도록 요구할 계획임",
            False,
        ),
        ("관리위원회가 온실을 제공하는 방식으로 운영됨", False),
        ("2015년 제도를 도입", False),
        ("차 없이 다니는 것을 확인하였다. 우리 도에도 순환버스를 함께 설계하는 방안을 제안하고자 한다.", True),
        ("관련 조례 개정과 예산 반영을 함께 살펴보겠습니다.", True),
    ],
)
def test_ends_with_lesson(text, lesson):
    assert kinds.ends_with_lesson(text) is lesson


def test_one_table_of_kinds():
    assert len(kinds.KEYS) == len(set(kinds.KEYS)) == len(kinds.LABELS)
    assert set(kinds.PRECEDENCE) <= set(kinds.KEYS)
    assert kinds.TIE_ORDER[:2] == ("finding", "implication")
    assert {k.lift for k in kinds.KINDS} <= {"", "wording", "ending"}


def test_metadata_yml_and_readme_list_the_kinds_of_the_table():
    """The Datasette metadata and the README are written from kinds.summary() and
    kinds.markdown_table(): after changing the table, run `make docs`."""
    assert kinds.summary() in (ROOT / "metadata.yml").read_text(encoding="utf-8")
    assert kinds.markdown_table() in (ROOT / "README.md").read_text(encoding="utf-8")


def test_search_and_the_plugin_use_the_table():
    from kb import search
    from kb.datasette_plugin import KIND_LABELS

    assert search.KINDS == kinds.KEYS
    assert KIND_LABELS == kinds.LABELS
