"""Text helpers: joining hard-wrapped lines."""

from __future__ import annotations

import pytest

from kb.textutil import join_lines


@pytest.mark.parametrize(
    ("prev", "nxt", "joined"),
    [
        ("빅데이터 거래와 유", "통의 활성화", "빅데이터 거래와 유통의 활성화"),  # a word cut in two
        ("통합 관리 데이", "터베이스와 연계", "통합 관리 데이터베이스와 연계"),  # made whole: a word Kiwi knows
        ("에밀리아로마냐주의 주도", "볼로냐와 트렌토에서", "에밀리아로마냐주의 주도 볼로냐와 트렌토에서"),  # two nouns
        ("숙소는 오사카", "덴만구 인근", "숙소는 오사카 덴만구 인근"),
        ("연수단 구성 ", "의원 6명", "연수단 구성 의원 6명"),  # the break after a space
        ("효율화․", "산업화", "효율화․산업화"),  # after a joining mark
        ("Legacoop", "Emilia-Romagna", "Legacoop Emilia-Romagna"),
    ],
)
def test_join_lines(prev, nxt, joined):
    assert join_lines(prev, nxt) == joined
