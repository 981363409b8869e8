"""kb.institutions: one institution per body visited, however each report wrote it."""

from __future__ import annotations

import pytest
import sqlite_utils

from kb.errors import InstitutionNotFound
from kb.institutions import key
from kb.knowledge import KnowledgeBase

CHONGQING = ("충칭", "重庆", "chongqing")


@pytest.mark.parametrize(
    "a, b",
    [
        ("충칭 시엔타오빅데이터밸리", "시엔타오 빅데이터밸리"),  # city in front, spaces
        ("충칭시 위베이구", "위베이구"),  # the city with 시
        ("위베이구(渝北区)", "위베이구"),  # a Hanja gloss
        ("2018 중국국제스마트산업박람회(Smart China Expo)", "중국국제스마트산업박람회"),  # the event's year
        ("Chongqing University of Posts", "chongqing university-of posts"),  # case, punctuation
    ],
)
def test_written_forms_of_one_name_share_a_key(a, b):
    assert key(a, CHONGQING) == key(b, CHONGQING)


@pytest.mark.parametrize(
    "a, b",
    [
        ("충칭임시정부", "임시정부"),  # a place name inside a word stays
        ("충칭 우전대학교", "충칭 대학교"),
        ("구이양 빅데이터밸리", "구이양 빅데이터전람관"),
    ],
)
def test_different_names_keep_different_keys(a, b):
    assert key(a, CHONGQING + ("구이양",)) != key(b, CHONGQING + ("구이양",))


def test_the_sample_trips_share_one_institution(sample_db_path):
    """시엔타오 빅데이터밸리, visited in 2018 and in 2019, is one institution of both reports."""
    found = KnowledgeBase(sample_db_path).institutions()
    valley = next(i for i in found if "시엔타오" in i.name)
    assert {(v.report_id, v.date[:4]) for v in valley.visits} == {(1, "2018"), (2, "2019")}
    assert valley.city == "충칭" and len(valley.names) == 2 and found[0] is valley  # most visited first
    assert sum(len(i.visits) for i in found) == sqlite_utils.Database(sample_db_path)["institutions"].count


def test_one_institution_by_any_of_its_ids_with_what_reports_said(sample_db_path):
    base = KnowledgeBase(sample_db_path)
    valley = next(i for i in base.institutions() if "시엔타오" in i.name)
    for row in valley.rows:
        again, lessons = base.institution(row)
        assert again.id == valley.id
    assert lessons and {c["report_id"] for c in lessons} <= {1, 2}
    assert all(c["kind"] in ("implication", "finding", "conclusion", "visit") for c in lessons)
    with pytest.raises(InstitutionNotFound, match="no institution with id 99999"):
        base.institution(99999)


def test_same_name_in_two_cities_stays_two(db_copy):
    db = sqlite_utils.Database(db_copy)
    db["institutions"].insert_all(
        [
            {"report_id": 1, "name": "청두 시청", "place_id": _place(db, "청두"), "source": "section"},
            {"report_id": 2, "name": "구이양 시청", "place_id": _place(db, "구이양"), "source": "section"},
        ]
    )
    halls = [i for i in KnowledgeBase(db_copy).institutions() if i.name.endswith("시청")]
    assert sorted(i.city for i in halls) == ["구이양", "청두"]


def test_an_alias_said_by_hand_merges_two_names(db_copy):
    db = sqlite_utils.Database(db_copy)
    db["institutions"].insert(
        {"report_id": 1, "name": "仙桃国际大数据谷", "place_id": _place(db, "충칭"), "source": "section"}
    )
    base = KnowledgeBase(db_copy)
    assert len([i for i in base.institutions() if "시엔타오" in i.name]) == 1
    assert any(i.name == "仙桃国际大数据谷" for i in base.institutions())
    base.alias("仙桃国际大数据谷", "충칭 시엔타오빅데이터밸리")
    (valley,) = [i for i in KnowledgeBase(db_copy).institutions() if "시엔타오" in i.name]
    assert "仙桃国际大数据谷" in valley.names and len(valley.visits) == 3


def _place(db, name: str) -> int:
    return db.execute("select id from places where name = ? order by population desc", [name]).fetchone()[0]
