"""The layout model on short inline reports, one per numbering family, table form and
reflow rule, so each rule can be read (and changed) without a whole ingest."""

from __future__ import annotations

import pytest

from kb.parse import classify, clean_markup, institution_name, parse


def blocks(text: str) -> list[tuple[str, str, list[str]]]:
    """(kind, section path, item kinds) of each block."""
    return [(b.kind, " › ".join(b.path), [it.kind for it in b.items]) for b in parse(text).blocks]


def kinds_of(text: str) -> dict[str, str]:
    """Each item's first line -> its kind."""
    return {it.paras[0].text: it.kind for b in parse(text).blocks for it in b.items}


def paths(text: str) -> list[str]:
    return [" › ".join(b.path) for b in parse(text).blocks]


# One report shape written in each numbering family: a top heading, a visit heading under
# it, then a 시사점 label with one lesson under the visit.
FAMILIES = {
    "roman": "Ⅲ. 방문 결과\n{i}1. 헬싱키시청\n{i}{i}○ 시사점\n{i}{i}{i}- 조례 제정 검토\n",
    "ascii roman": "III 방문 결과\n{i}1. 헬싱키시청\n{i}{i}○ 시사점\n{i}{i}{i}- 조례 제정 검토\n",
    "decimal": "2. 방문 결과\n가. 헬싱키시청\n{i}1) 시사점\n{i}{i}- 조례 제정 검토\n",
    "hangul": "가. 방문 결과\n{i}(1) 헬싱키시청\n{i}{i}① 시사점\n{i}{i}{i}- 조례 제정 검토\n",
    "paren": "1) 방문 결과\n{i}가) 헬싱키시청\n{i}{i}(가) 시사점\n{i}{i}{i}• 조례 제정 검토\n",
    "chapter": "제2장 방문 결과\n1) 헬싱키시청\n가) 시사점\n① 조례 제정 검토\n",
    "part": "Part 2. 방문 결과 (Site Visits)\n2-1. 헬싱키시청\n • 시사점\n   - 조례 제정 검토\n",
    "markdown": "## Ⅱ. 방문 결과\n\n### 1. 헬싱키시청\n\n#### 시사점\n\n- 조례 제정 검토\n",
    "symbols": "■ 방문 결과\n\n(1) 헬싱키시청\n\n ▶ 시사점\n   - 조례 제정 검토\n",
    "brackets": "【 방문 결과 】\n\n【방문 1】 헬싱키시청\n\n ◇ 시사점\n   ◦ 조례 제정 검토\n",
    "bold": "□ 방문 결과\n\n**헬싱키시청**\n\n◎ 시사점\n  - 조례 제정 검토\n",
    "dark circles": "❷ 방문 결과\n{i}㉮ 헬싱키시청\n{i}{i}◎ 시사점\n{i}{i}{i}· 조례 제정 검토\n",
    "full width": "２. 방문 결과\n{i}◈ 헬싱키시청\n{i}{i}㉮ 시사점\n{i}{i}{i}- 조례 제정 검토\n",
    "roman and bar": "Ⅲ│방문 결과\n{i}◈ 헬싱키시청\n{i}{i}⇒ 시사점\n{i}{i}{i}- 조례 제정 검토\n",
    "heading row": "3\t방문 결과\n① 헬싱키시청\n{i}○ 시사점\n{i}{i}- 조례 제정 검토\n",
}


@pytest.mark.parametrize("family", FAMILIES)
def test_every_numbering_family_gives_the_same_outline(family):
    text = FAMILIES[family].format(i="  ")
    found = [b for b in parse(text).blocks if b.items]
    assert len(found) == 1, blocks(text)
    block = found[0]
    assert block.path[-2:] == ["헬싱키시청", "시사점"], block.path
    assert "방문 결과" in block.path[0]
    assert block.kind == "implication"
    assert block.institution == "헬싱키시청"
    assert block.items[0].text.endswith("조례 제정 검토")


def test_a_part_heading_shows_its_word_as_written():
    assert paths("Part2. 방문 결과\n2-1. 헬싱키시청\n - 면담\n") == ["Part 2 방문 결과 › 헬싱키시청"]
    assert paths("SECTION B. 방문 결과\nB-1 | 헬싱키시청\n - 면담\n") == ["Section B 방문 결과 › 헬싱키시청"]


def test_full_width_numbers_number_headings():
    text = "１. 연수 개요\n◈ 연수 목적 : 제도 조사\n２. 연수 일정\n▸ 6. 27.(수) : 인천 출발\n"
    assert paths(text) == ["1 연수 개요", "2 연수 일정"]


def test_a_heading_drawn_as_a_one_row_table():
    # a word processor's heading box exports as "number <tab> title"; a table after it stays a table
    text = "1\t출장 개요\n□ 출장 기간 : 2024. 2. 27.∼3. 1.\n2\t세부 일정\n날짜\t활동\n2/27(화)\t인천 출발\n"
    assert blocks(text) == [("overview", "1 출장 개요", ["overview"]), ("itinerary", "2 세부 일정", ["itinerary"])]
    # a row of a table of two columns is no heading where its title names no kind
    assert paths("1 출장 개요\n번호\t이름\n1\t헬싱키시청\n") == ["출장 개요"]


def test_levels_come_from_the_order_a_document_uses_them():
    # 가. above 1. here: the reverse of the usual order, and still read as written.
    text = "가. 출장 개요\n1. 출장 목적\n- 사례 조사\n1. 출장 기간 : 2019. 9. 23. ~ 9. 28.\n나. 방문 결과\n1. 시청\n- 면담\n"
    assert paths(text) == ["가 출장 개요 › 출장 목적", "가 출장 개요", "나 방문 결과 › 시청"]


def test_a_family_seen_again_closes_the_levels_below_it():
    text = "Ⅰ. 출장 개요\n□ 출장인원\n  ○ 의원 3명\nⅡ. 방문 결과\n□ 시청 방문\n  ○ 면담 내용\n"
    assert paths(text) == ["Ⅰ 출장 개요 › 출장인원", "Ⅱ 방문 결과 › 시청 방문"]


def test_markdown_heading_levels_are_explicit():
    text = "# 2024 국외연수 결과보고서\n\n## Ⅰ. 개요\n\n### 1. 출장자 명단\n\n| 성명 | 직위 |\n|---|---|\n| 홍길동 | 과장 |\n\n## Ⅱ. 방문 결과\n\n- 시청 방문\n"
    found = blocks(text)
    assert found[0] == ("cover", "", ["cover"])  # the document's own title is not a section
    assert found[1] == ("participants", "Ⅰ 개요 › 출장자 명단", ["participants"])
    assert found[2][1] == "Ⅱ 방문 결과" and found[2][0] != "participants"  # the list ends with its heading


@pytest.mark.parametrize(
    "heading, kind",
    [
        ("○ 건의사항", "implication"),
        ("▶ 우리 시 적용 가능성", "implication"),
        ("3) 시사점 및 활용방안", "implication"),
        ("Ⅴ. 결론 및 정책 제언", "implication"),
        ("4. 성과 및 향후 과제", "implication"),
        ("Ⅵ. 향후 추진계획", "implication"),
        ("가. 개선 방안", "implication"),
        ("▷ 착안 사항", "implication"),
        ("◎ 벤치마킹 포인트", "implication"),
        ("2) 주요 청취내용", "finding"),
        ("#### 주요내용", "finding"),
        ("3) 의원 질의 및 답변", "finding"),
        ("※ 스페인 일반현황", "background"),
        ("바. 방문국 개황", "background"),
        ("■ 세부 일정", "itinerary"),
        ("□ 출장자 명단", "participants"),
        ("Ⅳ. 의원별 소감", "conclusion"),
        ("3. 종합 의견", "conclusion"),
    ],
)
def test_heading_words_decide_the_kind(heading, kind):
    text = f"{heading}\n  - 현지 사례를 조사하였음\n"
    assert kinds_of(text)["- 현지 사례를 조사하였음"] == kind


@pytest.mark.parametrize(
    "line, kind",
    [
        ("→ 시사점: 배차 간격 보장 노선을 지정·홍보하는 방식 도입 검토", "implication"),
        ("◎ 시사점 : 임시 시설물로 먼저 시험한 뒤 상설화하는 접근이 유효함", "implication"),
        ("☞ 적용 가능성 : 원도심 골목길에 시범 적용", "implication"),
        ("○ 일시 : 2019. 9. 24.(화) 10:00", "visit"),
    ],
)
def test_an_inline_label_decides_its_item(line, kind):
    text = f"Ⅲ. 방문 결과\n1. 시청\n{line}\n"
    assert kinds_of(text)[line] == kind


def test_where_no_heading_decides_the_wording_does():
    text = (
        "Ⅳ. 의원별 소감\n\n홍길동 의원\n  이번 연수에서 브랜드의 힘을 느꼈다. 우리 군도 공동 브랜드를 만들 필요가 있다.\n\n"
        "김철수 의원\n  날씨가 좋아 일정이 순조로웠다.\n"
    )
    found = kinds_of(text)  # each member's name line opens the item of his paragraph
    assert found["홍길동 의원"] == "implication"
    assert found["김철수 의원"] == "conclusion"


def test_findings_are_not_lifted_by_their_verbs():
    text = "2) 주요 청취내용\n  - 시는 공공시설을 먼저 짓고 민간 투자를 유도함\n  - 2015년 제도를 도입하여 운영함\n"
    assert set(kinds_of(text).values()) == {"finding"}


@pytest.mark.parametrize(
    "text, rows",
    [
        ("성명\t직위\t소속\n홍길동\t과장\t도시재생과\n", [["성명", "직위", "소속"], ["홍길동", "과장", "도시재생과"]]),
        ("| 성명 | 직위 |\n|:---:|---|\n| 홍길동 | 과장 |\n", [["성명", "직위"], ["홍길동", "과장"]]),
        (
            "┌────┬────┐\n│ 성  명 │ 직  위 │\n├────┼────┤\n│ 홍길동 │ 과장 │\n└────┴────┘\n",
            [["성  명", "직  위"], ["홍길동", "과장"]],
        ),
        (
            "  구분   직위              성명\n  의원   산업건설위원장    길태섭\n",
            [["구분", "직위", "성명"], ["의원", "산업건설위원장", "길태섭"]],
        ),
        (
            "  구분   직위              성명\n  ------------------------------\n  의원   산업건설위원장    길태섭\n"
            "  ------------------------------\n  직원   주무관            박소연\n",
            [["구분", "직위", "성명"], ["의원", "산업건설위원장", "길태섭"], ["직원", "주무관", "박소연"]],
        ),
        ("연번 소속 직위 성명\n\n1 고양시의회 의장 이윤승\n\n2 ″ 부위원장 채우석\n", None),
        (
            "연번\n소속\n직급\n성명\n1\n항만물류과\n과장\n인서준\n",
            [["연번", "소속", "직급", "성명"], ["1", "항만물류과", "과장", "인서준"]],
        ),
    ],
    ids=["tabs", "pipes", "box", "aligned", "aligned-ruled", "single-spaced", "one-cell-per-line"],
)
def test_table_forms(text, rows):
    items = [it for b in parse(text).blocks for it in b.items if it.header]
    assert len(items) == 1
    found = [p.cells for p in items[0].paras]
    if rows is None:  # single spaces: ditto marks take the cell above
        assert found == [
            ["연번", "소속", "직위", "성명"],
            ["1", "고양시의회", "의장", "이윤승"],
            ["2", "고양시의회", "부위원장", "채우석"],
        ]
    else:
        assert found == rows
    assert items[0].kind == "participants"


def test_a_space_aligned_cell_of_several_lines_stays_in_its_column_and_table():
    text = (
        "  구분   직위                  성명\n"
        "  의원   산업건설위원회        길태섭\n"
        "         부위원장\n"
        "  직원   주무관                박소연\n"
        "\n"
        "         - 3 -\n"
        "\n"
        "○ 출장 목적\n"
    )
    (table,) = [it for b in parse(text).blocks for it in b.items if it.header]
    assert [p.cells for p in table.paras] == [
        ["구분", "직위", "성명"],
        ["의원", "산업건설위원회 부위원장", "길태섭"],
        ["직원", "주무관", "박소연"],
    ]


def test_reflow_joins_broken_sentences_and_words_but_never_a_heading_marker_or_row():
    text = (
        "Ⅰ. 출장 개요\n빅데이터 거래와 유\n\n통의 활성화를 위해 방문하였다.\n"
        "○ 출장기간 : 2019. 12. 22. ~ 12. 27.\n"
        "  9월 11일(월)  인천 출발\n  9월 12일(화)  파리 도착\n"
        "일시: 2024년 4월 8일\n장소: 시청\n"
    )
    paras = [p.text for b in parse(text).blocks for it in b.items for p in it.paras]
    assert "빅데이터 거래와 유통의 활성화를 위해 방문하였다." in paras
    assert "○ 출장기간 : 2019. 12. 22. ~ 12. 27." in paras
    assert "9월 11일(월)  인천 출발" in paras and "9월 12일(화)  파리 도착" in paras
    assert "일시: 2024년 4월 8일" in paras and "장소: 시청" in paras


@pytest.mark.parametrize(
    "line",
    ["- 특히, 북경현대는 충칭시에 생산공장을", "○ 중국 화훼시장은 세계 평균에 미달해 향후 발전 가능성이 매우"],
)
def test_a_wrapped_clause_is_not_a_heading(line):
    # the second names a kind (가능성) but has a subject: a sentence, not a label
    assert paths(f"Ⅴ. 방문 내용\n{line}\n\n  높다고 함.\n") == ["Ⅴ 방문 내용"]


def test_a_heading_with_a_verb_still_heads_when_it_names_a_kind():
    assert paths("Ⅴ. 방문 결과\n○ 우리 시에 주는 시사점\n  - 조례 개정 검토\n") == [
        "Ⅴ 방문 결과 › 우리 시에 주는 시사점"
    ]


def test_table_of_contents_is_front_matter_not_headings():
    text = "목  차\n1. 출장 개요 ······· 1\n   가. 시청\n2. 방문 결과 ······· 4\n\n\n1. 출장 개요\n○ 출장목적\n  - 사례 조사\n"
    found = blocks(text)
    assert found[0][:2] == ("cover", "목차")
    assert found[1][1] == "1 출장 개요 › 출장목적"


def test_a_roman_numeral_alone_takes_its_title_from_the_next_line():
    assert paths("Ⅵ\n방문성과 및 시사점\n☞ 주요 시사점\n - 데이터센터 유치 검토\n") == [
        "Ⅵ 방문성과 및 시사점 › 주요 시사점"
    ]


def test_nothing_is_lost_even_an_empty_heading():
    text = "Ⅰ. 개요\n- 내용\nⅡ. 붙임 자료\n"
    parsed = parse(text)
    texts = [p.text for b in parsed.blocks for it in b.items for p in it.paras]
    assert texts == ["- 내용", "붙임 자료"]


def test_markup_is_removed_from_text():
    assert (
        clean_markup(r"**기간**: 2024\. 4. 7. \~ 4. 13. ![](media/a.png){width=1in}") == "기간: 2024. 4. 7. ~ 4. 13. "
    )
    assert clean_markup("<p class=x>○&nbsp;목적</p>").strip() == "○ 목적"


def test_lines_are_typed():
    types = [ln.type for ln in classify("Ⅰ. 개요\n\n------\n성명\t직위\n- 항목\n본문")]
    assert types == ["mark", "blank", "skip", "table", "mark", "text"]


@pytest.mark.parametrize(
    "heading, name",
    [
        ("충칭 시엔타오빅데이터밸리 시찰", "충칭 시엔타오빅데이터밸리"),
        ("울란바토르시 대기환경오염저감청 면담", "울란바토르시 대기환경오염저감청"),
        ("바양주르흐구청 업무협약(MOU) 체결", "바양주르흐구청 업무협약(MOU)"),
        (
            "TriMet (Tri-County Metropolitan Transportation District)",
            "TriMet (Tri-County Metropolitan Transportation District)",
        ),
        ("타이중시정부 문화국 (10.14. 오후)", "타이중시정부 문화국"),
        ("쿠알라룸푸르 시청(DBKL) 면담(14:30)", "쿠알라룸푸르 시청(DBKL)"),
    ],
)
def test_institution_name_drops_the_activity(heading, name):
    assert institution_name(heading) == name


@pytest.mark.parametrize(
    "text, path",
    [
        (
            "Ⅲ. 방문 결과\n[1] 뉴욕시 환경보호국\n○ 주요 설명\n  - 빗물 정원을 조성함\n",
            "Ⅲ 방문 결과 › 뉴욕시 환경보호국 › 주요 설명",
        ),
        (
            "Ⅲ. 방문 결과\n<1> 교토시 관광국\n○ 주요 설명\n  - 분산 관광을 추진함\n",
            "Ⅲ 방문 결과 › 교토시 관광국 › 주요 설명",
        ),
        (
            "3. 방문 결과\n 3.4 트랜스밀레니오 (TransMilenio S.A.)\n   가) 일시 : 4.19.\n   나) 주요 설명\n     - 2000년 개통\n",
            None,
        ),
        (
            "Ⅲ. 방문기관별 활동 내용\nⅢ-1. 빈 시영주택공사 (Wiener Wohnen)\n □ 주요 청취 내용\n  - 입주 자격을 관리함\n",
            "Ⅲ 방문기관별 활동 내용 › 빈 시영주택공사 (Wiener Wohnen) › 주요 청취 내용",
        ),
        (
            "II. 출장 개요\nII.2 출장 일정\n○ 5. 9.(월) 인천 출발\n",
            "Ⅱ 출장 개요 › 출장 일정",
        ),
        (
            "Ⅳ . 방문기관별 연수 결과\n◆ 1. 덴마크 청소년협의회(DUF)\n ◇ 청취 내용\n   ① 회원 단체 100여 개\n",
            "Ⅳ 방문기관별 연수 결과 › 덴마크 청소년협의회(DUF) › 청취 내용",
        ),
        (
            "PART Ⅱ. 기관별 방문 결과 (Site Visits)\n2-1) Stadt Freiburg, Umweltschutzamt\n• 청취내용\n - 기후보호 목표\n",
            "Part Ⅱ 기관별 방문 결과 (Site Visits) › Stadt Freiburg, Umweltschutzamt › 청취내용",
        ),
    ],
    ids=["[1]", "<1>", "latin-abbreviation", "Ⅲ-1.", "II.2", "Ⅳ .", "PART Ⅱ. / 2-1)"],
)
def test_more_numbering_families(text, path):
    found = paths(text)
    if path:
        assert path in found
    else:
        assert "3 방문 결과 › 트랜스밀레니오 (TransMilenio S.A.) › 주요 설명" in found


def test_a_heading_wrapped_inside_its_parenthesis_is_one_line():
    text = (
        "3. 기관별 방문 결과\n3.1 시트랄 – 리옹 광역교통조합 (SYTRAL, Syndicat mixte\n    des transports pour le Rhône et\n"
        "    l'agglomération lyonnaise)\n3.1.1 방문 개요\n ◦ 일시 : 2016. 9. 20.(화) 09:30\n3.1.2 주요 청취 내용\n"
        " ▶ 2001년 T1 노선을 개통함\n"
    )
    assert paths(text)[-1] == (
        "3 기관별 방문 결과 › 시트랄 – 리옹 광역교통조합 (SYTRAL, Syndicat mixte des transports pour le Rhône et "
        "l'agglomération lyonnaise) › 주요 청취 내용"
    )


def test_letter_spaced_headings_with_a_spaced_marker():
    text = "Ⅲ. 기 관 별 방 문 결 과\n가 . 함 부 르 크 항 만 공 사 (Hamburg Port Authority)\n◆ 주요 내용\n◇ 스마트포트 전략을 세움\n"
    assert paths(text)[-1] == "Ⅲ 기관별 방문 결과 › 함부르크 항만 공사 (Hamburg Port Authority) › 주요 내용"


def test_two_spaced_syllables_are_letter_spacing_only_as_a_whole_heading():
    text = "Ⅱ. 오스트리아 및 빈\n1. 개 요\n○ 인구 약 190만 명\n2. 주 요 현 황\n○ 시영주택 22만 호\n"
    assert paths(text) == ["Ⅱ 오스트리아 및 빈 › 개요", "Ⅱ 오스트리아 및 빈 › 주요 현황"]


def test_a_parenthesis_that_lists_words_counts_in_the_line_a_name_does_not():
    text = (
        "Ⅰ. 출장 개요\n바. 소요 경비\n◎ 총 41,280천원(항공료, 숙박비, 일비, 식비, 통역비 등)으로 의원 국외\n"
        "여비 예산에서 집행하였음\n"
        "Ⅱ. 기관 방문\n2.1 Liverpool City Council – Culture Liverpool (리버풀시 문화국)\n• 주요 내용\n– 문화 정책을 설명함\n"
    )
    found = paths(text)
    assert not any("41,280천원" in p for p in found)  # a wrapped sentence, not a heading
    assert "Ⅱ 기관 방문 › Liverpool City Council – Culture Liverpool (리버풀시 문화국) › 주요 내용" in found


def test_a_numbered_visit_label_heads_its_visit():
    text = "Ⅳ. 방문 결과\n◈ 방문 1 : 고베시 위기관리실 (神戸市 危機管理室)\n  ❍ 주요 내용\n    - 방재 교육을 운영함\n"
    assert "Ⅳ 방문 결과 › 고베시 위기관리실 (神戸市 危機管理室) › 주요 내용" in paths(text)


@pytest.mark.parametrize(
    "text, path",
    [
        (
            "5 . 방문 결과\n[방문기관 1] 싱가포르 주택개발청(HDB)\n□ 주요 청취 내용\n - 공공주택 비율 80%\n",
            "5 방문 결과 › 싱가포르 주택개발청(HDB) › 주요 청취 내용",
        ),
        (
            "[2] 기관별 활동 내용\n(방문 1) 선전시 교통운수국\n ○ 주요 청취 내용\n   - 전기버스 1만 6천 대\n",
            "2 기관별 활동 내용 › 선전시 교통운수국 › 주요 청취 내용",
        ),
        (
            "Ⅲ  방문 결과\n[방문 ①] 기타큐슈시 환경국(北九州市 環境局)\n 나) 청취 내용\n   ㅇ 쓰레기 봉투 유료화\n",
            "Ⅲ 방문 결과 › 기타큐슈시 환경국(北九州市 環境局) › 청취 내용",
        ),
        (  # (1) as one character
            "◆ 방 문 결 과\n⑴ 암스테르담시 교통국 (Gemeente Amsterdam)\n  ○ 청취 내용\n     · 주차면 1만 면 축소\n",
            "방문 결과 › 암스테르담시 교통국 (Gemeente Amsterdam) › 청취 내용",
        ),
        (  # a dotted number in brackets
            "PART 2 ─ 기관별 방문 결과 (Site Visits)\n[2.1] City of Phoenix – Office of Heat Response\n ▪ 주요 내용\n   – 쿨링 센터 100곳\n",
            "Part 2 ─ 기관별 방문 결과 (Site Visits) › City of Phoenix – Office of Heat Response › 주요 내용",
        ),
        (  # a section by its letter, a visit by the section's letter and a bar
            "Section B. 기관별 방문 내용 (Field Visits)\nB-1 | Boston Planning & Development Agency (BPDA)\n"
            " ▪ 주요 청취 내용\n   · 혁신지구 선포\n",
            "Section B 기관별 방문 내용 (Field Visits) › Boston Planning & Development Agency (BPDA) › 주요 청취 내용",
        ),
        (  # a chapter of site visits in its own words
            "III. 현장 견학 결과\n\n⑴ 뮌헨 시영 에너지공사(Stadtwerke München, SWM)\n\n첫 방문지인 공사는 시가 출자한 공기업이다.\n",
            "Ⅲ 현장 견학 결과 › 뮌헨 시영 에너지공사(Stadtwerke München, SWM)",
        ),
    ],
)
def test_a_visit_numbered_in_brackets_heads_its_visit(text, path):
    assert paths(text)[-1] == path
    assert parse(text).blocks[-1].institution == path.split(" › ")[1]


def test_an_attachment_starts_the_outline_again():
    text = (
        "2. 위와 관련하여 결과를 보고합니다.\n  가. 향후 조치계획\n    ○ 로드맵에 반영\n"
        "  붙임  1. 세부 활동 내용 1부.  끝.\n\n붙임 1\n\n      세부 활동 내용\n\n[1] 방문도시 개황\n ○ 선전시\n"
        "   - 1980년 경제특구\n[2] 기관별 활동 내용\n(방문 1) 선전시 교통운수국\n ○ 주요 청취 내용\n   - 보조금 구조\n"
    )
    assert paths(text)[-2:] == [
        "붙임 1 세부 활동 내용 › 방문도시 개황 › 선전시",
        "붙임 1 세부 활동 내용 › 기관별 활동 내용 › 선전시 교통운수국 › 주요 청취 내용",
    ]
    assert [b.kind for b in parse(text).blocks][-2:] == ["background", "finding"]


def test_a_sub_item_followed_by_its_parents_sibling_is_an_item():
    text = "나. 주요활동\n  ○ 12-30(월) 선전시 교통운수국 면담\n     - 보조금 구조, 노선 개편 방향 청취\n  ○ 12-31(화) 선전버스그룹 시찰\n"
    assert not any("보조금" in p for p in paths(text))  # "- 보조금 …" had been read as a heading
    assert {b.kind for b in parse(text).blocks} == {"visit"}


def test_callouts_and_checkboxes_of_a_note_taking_app():
    text = (
        "## 2. 방문 결과\n### 2.1 Port of Rotterdam (로테르담항만공사)\n**주요 내용**\n- 수소 수입 허브를 조성\n"
        "> 💡 시사점: 배후단지에 수소 배관을 공공이 먼저 구축할 필요\n## 4. 후속 조치\n- [ ] 후속 조치: 열 지도 작성 예산 편성 요청\n"
    )
    found = kinds_of(text)
    assert found["💡 시사점: 배후단지에 수소 배관을 공공이 먼저 구축할 필요"] == "implication"
    assert found["- 후속 조치: 열 지도 작성 예산 편성 요청"] == "implication"


def test_a_table_of_labels_per_visit_reads_as_the_visits_outline():
    text = (
        "Ⅲ. 방문기관별 결과\n < 방문 1 >\n   +--------+------------------------------+\n"
        "   | 구분   | 내용                         |\n   +========+==============================+\n"
        "   | 기관명 | HOFOR(상하수도공사)          |\n   +--------+------------------------------+\n"
        "   | 일시   | 2024. 9. 4.(수) 10:00~12:00  |\n   +--------+------------------------------+\n"
        "   | 주요내용 | ○ 빗물 요금을 따로 부과하여 |\n   |        |   재원을 마련함              |\n"
        "   |        | ○ 질의응답                   |\n   |        |   - (질문) 요금 저항은?      |\n"
        "   +--------+------------------------------+\n"
        "   | 시사점 | ○ 빗물 요금 도입 검토 필요   |\n   +--------+------------------------------+\n"
    )
    found = {it.text: (b.kind, " › ".join(b.path), b.institution) for b in parse(text).blocks for it in b.items}
    visit = "Ⅲ 방문기관별 결과 › HOFOR(상하수도공사)"
    assert found["일시 : 2024. 9. 4.(수) 10:00~12:00"] == ("visit", visit, "HOFOR(상하수도공사)")
    assert found["○ 빗물 요금을 따로 부과하여 재원을 마련함"][:2] == ("finding", visit + " › 주요내용")
    assert found["○ 빗물 요금 도입 검토 필요"][:2] == ("implication", visit + " › 시사점")


def test_a_days_timed_entries_with_content_under_them_are_visits():
    text = (
        "2. 일자별 활동 내용\n\n제1일차 (9.2. 월)\n  08:50~13:10  인천공항 출발 → 알마티공항 도착\n"
        "  16:00~17:30  주알마티 대한민국 총영사관 간담회\n    - 라벨에 러시아어 표기가 필요하다는 안내\n"
        "  19:00~     숙소 이동\n\n제2일차 (9.3. 화)\n  09:30~11:00  알마티시 아키마트 면담\n    - 공동 투자를 환영\n"
    )
    visits = [(b.path[-1], b.institution) for b in parse(text).blocks if b.institution]
    assert visits == [
        ("주알마티 대한민국 총영사관 간담회", "주알마티 대한민국 총영사관"),
        ("알마티시 아키마트 면담", "알마티시 아키마트"),
    ]


def test_a_bokmyeongseo_numbered_fields_with_nothing_after_the_colon_head_what_follows():
    text = (
        "복  명  서\n\n1. 출 장 자 : 안전건설과장    서광호\n2. 출장기간 : 2019. 5. 13. ∼ 5. 17.\n"
        "5. 출장내용 :\n   가) 요코하마시 위기관리실 (2019. 5. 14.(화) 10:00∼12:00)\n"
        "      ㆍ 약 450곳을 지역방재거점으로 지정\n6. 건의사항 :\n   ㆍ 대피계획 수립을 검토할 필요\n"
    )
    found = {it.text: (b.kind, " › ".join(b.path), b.institution) for b in parse(text).blocks for it in b.items}
    assert found["ㆍ 약 450곳을 지역방재거점으로 지정"] == (
        "visit",
        "5 출장내용 › 요코하마시 위기관리실 (2019. 5. 14.(화) 10:00∼12:00)",
        "요코하마시 위기관리실",
    )
    assert found["ㆍ 대피계획 수립을 검토할 필요"][:2] == ("implication", "6 건의사항")


def test_a_web_pages_site_name_and_title_headings_are_its_cover():
    text = "# 서하도\n## [결과보고] 우즈베키스탄 농업협력 공무국외출장\n## 1. 출장 개요\n- 기간 : 2023-09-04 ~ 2023-09-09\n"
    assert paths(text) == ["", "출장 개요"]


def test_a_short_line_ending_with_a_colon_heads_the_prose_after_it():
    text = (
        "연수자 : 의원 석지환\n기  간 : 2017. 3. 5 ~ 3. 11\n\n연수 개요:\n동료 의원 4명과 함께 다녀왔다.\n\n"
        "인상 깊었던 점:\n강변 산책로가 넓었다.\n\n우리 시에 바라는 점:\n둔치 정비에 보행로 기준을 두어야 한다.\n"
    )
    assert paths(text) == ["", "연수 개요", "인상 깊었던 점", "우리 시에 바라는 점"]
    assert [p.text for b in parse(text).blocks[:1] for it in b.items for p in it.paras] == [
        "연수자 : 의원 석지환",
        "기  간 : 2017. 3. 5 ~ 3. 11",
    ]  # a letter-spaced label is a field of its own, not the line before's continuation


def test_a_heading_over_a_visits_parts_is_the_visit():
    text = "■ 출장 개요\n ○ 기간 : 5일\n■ Port of Hamburg Marketing\n□ 개요\n ○ 회원사 약 270개\n□ 청취 내용\n ○ 항만 홍보를 맡음\n"
    found = [(b.kind, " › ".join(b.path), b.institution) for b in parse(text).blocks]
    assert found[-2:] == [
        ("visit", "Port of Hamburg Marketing › 개요", "Port of Hamburg Marketing"),
        ("finding", "Port of Hamburg Marketing › 청취 내용", "Port of Hamburg Marketing"),
    ]


def test_a_bold_line_naming_the_report_is_its_title_not_a_section():
    text = "**2023 중국 청두 공원도시 사례**\n\n**공무국외출장 결과보고서**\n\n2023. 11.\n\n**늘봄구 공원녹지과**\n\n**Ⅰ. 출장 개요**\n\n○ 기간 : 4박 5일\n"
    assert paths(text) == ["", "Ⅰ 출장 개요"]


def test_a_labelled_line_under_an_item_is_an_item_of_its_own():
    text = "Ⅲ. 방문 결과\n1. 농업부\n※ 협약서는 3개 언어로 작성\n ▷ 도정 반영사항 : 실무 협의를 정례화\n"
    found = kinds_of(text)
    assert found["※ 협약서는 3개 언어로 작성"] == "visit"
    assert found["▷ 도정 반영사항 : 실무 협의를 정례화"] == "implication"


def test_a_symbol_after_another_familys_item_at_its_indentation_is_its_sibling():
    text = "3. 방문 결과\n3.1 메트로\n   가) 일시 : 4.16.\n   나) 주요 설명\n     - 1995년 개통\n   ⇒ 하늬시 접목 과제 : 케이블카 도입 타당성을 검토할 것\n"
    assert kinds_of(text)["⇒ 하늬시 접목 과제 : 케이블카 도입 타당성을 검토할 것"] == "implication"


def test_page_numbers_and_running_headers_are_left_out_and_a_sentence_runs_across_the_break():
    header = "물빛시의회 도시건설위원회                 공무국외출장 결과보고서"
    text = (
        f"Ⅲ. 방문 결과\n1. 콩플뤼앙스 개발공사\n가. 주요 내용\n  ▶ 2003년 착공한 재개발 사업임\n"
        f"  ▶ NEDO와 함께 에너지 자립형\n\n          - 3 -\n\n{header}\n──────────\n\n"
        f"    건물과 전기차 공유를 실증함\n나. 시사점\n  ▶ 역세권 개발계획을 함께 세울 것\n\n\n          - 4 -\n\n{header}\n\n"
        "Ⅳ. 종합 의견\n  ○ 트램 도입을 검토할 것\n\n          - 5 -\n"
    )
    items = {it.text: (b.kind, " › ".join(b.path)) for b in parse(text).blocks for it in b.items}
    assert items["▶ NEDO와 함께 에너지 자립형 건물과 전기차 공유를 실증함"] == (
        "finding",
        "Ⅲ 방문 결과 › 콩플뤼앙스 개발공사 › 주요 내용",
    )
    assert items["▶ 역세권 개발계획을 함께 세울 것"][0] == "implication"
    assert not any("- 4 -" in t or "- 5 -" in t or "결과보고서" in t for t in items)


def test_a_footer_that_repeats_around_its_page_number_is_left_out():
    text = (
        "Ⅱ. 방문국 개황\n  ㆍ보고타 : 수도, 인구 약 790만 명\n\n          하늬시의회 ─ 3 ─\n-----------\n"
        "하늬시의회 공무국외출장 결과보고\n-----------\n\nⅢ. 기관방문 결과\n  ㆍ 케이블카를 운영함\n\n"
        "          하늬시의회 ─ 4 ─\n-----------\n하늬시의회 공무국외출장 결과보고\n-----------\n"
    )
    assert not any("하늬시의회" in it.text for b in parse(text).blocks for it in b.items)


def test_a_note_stays_with_the_item_it_annotates_where_the_indentation_was_lost():
    text = (
        "Ⅱ. 도시 개요\n○ (주요산업) 빅데이터 산업을 육성함\n- 빅데이터거래소는 세계 최초의 거래소\n"
        "* 2014. 12.에 설립, 2015. 4.부터 운영\n** 회원사 2,000개\n※ 2019년 기준\n"
    )
    items = [[p.text for p in it.paras] for b in parse(text).blocks for it in b.items]
    assert items == [
        ["○ (주요산업) 빅데이터 산업을 육성함"],
        ["- 빅데이터거래소는 세계 최초의 거래소", "* 2014. 12.에 설립, 2015. 4.부터 운영", "** 회원사 2,000개"],
        ["※ 2019년 기준"],
    ]


def test_markdown_italic_lines_and_quoted_bold_headings():
    text = "### 3-1. 시청\n\n*2019. 10. 8.(화) 10:00*\n\n- 시민예산을 운영함\n\n> **우리 구 적용 방안**\n> - 지원관을 지정하여 정례화\n"
    found = blocks(text)
    assert ("implication", "시청 › 우리 구 적용 방안", ["implication"]) in found
    assert any("2019. 10. 8.(화) 10:00" in p.text for b in parse(text).blocks for it in b.items for p in it.paras)


def test_bracketed_label_lines_and_bold_numbered_sections():
    text = "**Ⅰ. 방문 결과**\n\n1. 시청\n   [착안 사항]\n   ❍ 축제를 여러 광장으로 분산 배치하여 재설계\n"
    found = blocks(text)
    assert found == [("implication", "Ⅰ 방문 결과 › 시청 › 착안 사항", ["implication"])]


def test_each_plain_paragraph_is_an_item_so_a_closing_plan_stands_apart():
    text = (
        "Ⅲ. 방문 결과\n1. 도야마시청\n▸ 노면전차를 운영함\nQ. 운영비는 누가 내는지?\nA. 시가 보전한다고 함\n"
        "우리 도도 대중교통 축과 거점을 함께 정하도록\n권고하는 방안을 검토할 필요가 있다.\n"
    )
    found = kinds_of(text)
    assert found["Q. 운영비는 누가 내는지?"] == "visit" and found["A. 시가 보전한다고 함"] == "visit"
    assert found["우리 도도 대중교통 축과 거점을 함께 정하도록 권고하는 방안을 검토할 필요가 있다."] == "implication"


def test_the_sibling_of_a_heading_is_a_heading_though_kiwi_reads_a_clause():
    """Kiwi splits an unknown name into particles (네야가와: 네야 + 가 + 와) and would take
    the line for a wrapped sentence; its siblings under 2. head visits, so it does."""
    text = (
        "2. 방문 결과\n가. 오사카시 아베노 방재센터\n  (1) 방문 개요\n    ◦ 일시 : 2. 1.\n"
        "나. 오사카시 위기관리실 및 네야가와 지하하천\n  (1) 방문 개요\n    ◦ 일시 : 2. 2.\n"
    )
    assert paths(text)[-1] == "2 방문 결과 › 오사카시 위기관리실 및 네야가와 지하하천 › 방문 개요"


def test_a_latin_name_counts_half_a_syllable_a_letter_in_a_headings_length():
    text = (
        "Part 2. 기관별 연수 내용\n2-7. Department of Irrigation and Drainage Malaysia (JPS) – SMART Tunnel\n"
        "• 일시 : 2019.10.3(목) 14:30~16:30\n• 주요 청취 내용\n - 길이 9.7㎞의 지하 터널\n"
    )
    assert "Department of Irrigation and Drainage Malaysia (JPS) – SMART Tunnel" in paths(text)[-1]


def test_what_the_trip_achieved_under_results_and_tasks_is_an_implication():
    """Under "성과 및 향후 과제", both parts are what the trip leaves to build on, as the
    corpus gold reads them: the 성과 items too, whatever their wording."""
    text = "4. 성과 및 향후 과제\n▪ 성  과\n– 공식 협약을 맺어 공공 선발 경로 확보\n▪ 향후 과제\n– 숙소 점검표 마련\n"
    assert set(kinds_of(text).values()) == {"implication"}


def test_items_to_consider_adopting_are_implications():
    text = "Ⅲ 방문 결과\n[방문 1] 후쿠오카시 환경국\n 다) 도입 검토 사항\n   ㅇ 공공 차량 수소 충전 수요 확보\n"
    assert kinds_of(text)["ㅇ 공공 차량 수소 충전 수요 확보"] == "implication"


def test_a_paragraph_opened_by_a_label_naming_a_kind_is_of_that_kind():
    """A converter's blockquote inside the purpose section: its label says it is background."""
    text = "## I. 출장 개요\n### 1) 출장 배경 및 목적\n\n> **일본 개황**: 일본은 4개 큰 섬으로 이루어진 섬나라이다.\n\n- 저출생 대응 사례 조사\n"
    kinds = kinds_of(text)
    assert [k for t, k in kinds.items() if t.startswith("일본 개황")] == ["background"]
    assert kinds["- 저출생 대응 사례 조사"] == "purpose"


def test_a_fullwidth_asterisk_marks_a_heading_as_an_asterisk_does():
    """'＊ 방문도시 일반현황' closing the itinerary heads the cities' overview (background)."""
    text = (
        "Ⅱ  출장일정\n\n ㅇ 10. 29.(화) : 김포 출발 → 간사이공항 도착\n ㅇ 10. 30.(수) : 구로몬시장 방문\n\n"
        " ＊ 방문도시 일반현황\n   ㅇ 오사카 : 일본 간사이 지방의 중심 도시로 인구는 약 275만 명\n"
    )
    assert kinds_of(text)["ㅇ 오사카 : 일본 간사이 지방의 중심 도시로 인구는 약 275만 명"] == "background"


def test_a_ratio_or_a_clock_time_in_a_heading_is_no_label():
    """ "1:1 상담회" and "14:00" hold a colon, but no label ends there: the line is a
    visit's heading like its siblings, not a "label : value" item."""
    text = (
        "Ⅲ  기관별 활동 결과\n가. 알마티시 보건국 면담\n◦ 의향서를 체결함\n"
        "나. 새암 의료관광 설명회 및 1:1 상담회\n◦ 상담 47건이 이루어짐\n"
    )
    assert paths(text)[-1] == "Ⅲ 기관별 활동 결과 › 새암 의료관광 설명회 및 1:1 상담회"
