"""kb.brief: what earlier trips to a place, or about a theme, learned - on one page."""

from __future__ import annotations

import csv
import io

import pytest

from kb.brief import to_csv, to_markdown
from kb.errors import SearchError
from kb.knowledge import KnowledgeBase


@pytest.fixture(scope="module")
def base(sample_db_path):
    return KnowledgeBase(sample_db_path)


def test_a_destination_gives_both_sample_trips_their_institutions_and_lessons(base):
    b = base.brief(place="重庆")  # any spelling kb knows
    assert b["place"] == "충칭" and [t["trip_start"][:4] for t in b["trips"]] == ["2019", "2018"]  # newest first
    for t in b["trips"]:
        assert {"report_id", "title", "trip_start", "trip_end", "travellers", "institutions"} <= set(t)
        assert t["institutions"] and len(t["travellers"]) == t["traveller_count"]
    valley = next(i for i in b["institutions"] if "시엔타오" in i["name"])
    assert {v["report_id"] for v in valley["visits"]} == {1, 2}
    kinds = {lesson["kind"] for lesson in b["lessons"]}
    assert "implication" in kinds and kinds <= {"implication", "finding", "conclusion"}
    order = [lesson["report_id"] for lesson in b["lessons"]]
    assert order == sorted(order, key=lambda r: -r) and {1, 2} == set(order)  # grouped by report, newest first
    assert base.brief(place="중국")["trips"] == b["trips"]  # the country holds both trips


def test_a_theme_ranks_lessons_from_anywhere(base):
    b = base.brief(topic="데이터센터")
    assert any("기후" in lesson["text"] and lesson["report_id"] == 2 for lesson in b["lessons"][:3])
    assert {t["report_id"] for t in b["trips"]} == {lesson["report_id"] for lesson in b["lessons"]}
    both = base.brief(place="청두", topic="인재 유치")
    assert both["lessons"] and {lesson["report_id"] for lesson in both["lessons"]} == {1}
    assert both["elsewhere"] and {lesson["report_id"] for lesson in both["elsewhere"]} == {2}  # 구이양's talent lessons
    assert "## 다른 곳의 관련 내용" in to_markdown(both)


@pytest.mark.parametrize(
    "kw, message",
    [
        ({}, "give a place"),
        ({"topic": "  "}, "give a place"),
        ({"place": "아틀란티스"}, "unknown place '아틀란티스'"),
        ({"topic": "가" * 5000}, "topic is too long"),
    ],
)
def test_bad_parameters_say_what_is_wrong(base, kw, message):
    with pytest.raises(SearchError, match=message):
        base.brief(**kw)


def test_markdown_and_csv_hold_the_same_lessons(base):
    b = base.brief(place="충칭")
    md = to_markdown(b)
    assert md.startswith("# 출장 전 참고자료: 충칭\n") and "## 이전 출장" in md and "## 시사점과 주요성과" in md
    assert md.count("\n### ") == 2 and "출장자: " in md  # one heading per report
    text = to_csv(b)
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert [int(r["chunk_id"]) for r in rows] == [lesson["chunk_id"] for lesson in b["lessons"]]
    assert not any(r["text"].startswith(("=", "+", "-", "@")) for r in rows)  # safe in a spreadsheet
