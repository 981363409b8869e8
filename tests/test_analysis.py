"""kb.analysis: the same Korean analysis on chunks and queries."""

from __future__ import annotations

import subprocess
import sys
import unicodedata

import pytest
import sqlite_utils

from kb.analysis import Analyzer, QueryError, abbreviates
from kb.knowledge import KnowledgeBase
from kb.search import highlight_words


@pytest.fixture(scope="module")
def analyzer(sample_db_path) -> Analyzer:
    return KnowledgeBase(sample_db_path).analyzer()


def test_particles_are_dropped(analyzer):
    assert {"출장", "보고서"} <= set(analyzer.terms("출장보고서에서"))
    assert "정책" in analyzer.terms("정책을")  # a two-syllable word, which trigram indexes miss


def test_compound_nouns_give_their_parts(analyzer):
    terms = set(analyzer.terms("시엔타오 국제빅데이터밸리"))
    assert "빅데이터밸리" in terms  # so a query for 빅데이터밸리 finds it
    assert "밸리" in terms


def test_codes_and_chinese_names_stay_whole(analyzer):
    terms = analyzer.terms("아시아나(OZ3543) 仙桃国际大数据谷 2,000억")
    assert "oz3543" in terms
    assert "仙桃国际大数据谷" in terms
    assert "2000" in terms


def test_place_names_expand_to_one_name(analyzer):
    for variant in ("귀양", "貴陽", "Guiyang", "구이양시"):
        assert "구이양" in analyzer.terms(f"{variant}의 빅데이터"), variant


def test_nfd_queries_match_nfc_text(analyzer):
    text = "빅데이터 거래소 운영"
    assert analyzer.terms(unicodedata.normalize("NFD", text)) == analyzer.terms(text)


@pytest.mark.parametrize(
    "query", ["-", "'", '"', ".", "@", "#", "=", "*", "(", ")", "NEAR(a b)", "a OR", '"빅데이터', "구이양*", "x AND (y"]
)
def test_fts_syntax_in_queries_never_errors(sample_db_path, analyzer, query):
    db = sqlite_utils.Database(sample_db_path)
    try:
        match = analyzer.match(query + " 빅데이터")
    except QueryError:
        return
    db.execute("select count(*) from chunk_terms where chunk_terms match ?", [match]).fetchone()


def test_empty_queries_get_a_clear_message(analyzer):
    with pytest.raises(QueryError, match="empty query"):
        analyzer.match("   ")
    with pytest.raises(QueryError, match="nothing to search for"):
        analyzer.match("?! ...")


def test_irregular_verb_and_adjective_stems_are_terms(analyzer):
    """Kiwi tags irregular stems VV-I, VA-I, VV-R: 짓다, 돕다, 어렵다 are terms like 만들다."""
    assert {"짓", "건물"} <= set(analyzer.terms("건물을 지어"))
    assert "돕" in analyzer.terms("어르신을 돕는 사업")
    assert "어렵" in analyzer.terms("형편이 어려운 주민")


def test_a_prefixed_noun_is_also_a_term_whole(analyzer):
    """Kiwi reads 비대면 as the prefix 비 and 대면: the chunk also holds 비대면, so a search
    for 비대면 ranks it above one about 대면 (meeting in person)."""
    assert {"대면", "비대면"} <= set(analyzer.terms("비대면 상담"))
    assert "비대면" not in analyzer.terms("대면 상담")


def test_an_english_query_in_korean_words(analyzer):
    """For its second embedding: places in Korean, glossary words as their first
    rendering, function words dropped, unknown words kept; Korean queries untouched."""
    korean = analyzer.in_korean("How do libraries in Toronto help elderly residents with zzq?")
    assert korean.split()[:2] == ["도서관", "토론토"] and "zzq?" in korean.split()
    assert not {"How", "do", "in", "with"} & set(korean.split())
    assert analyzer.in_korean("구이양 빅데이터밸리 기업") is None
    assert analyzer.in_korean("Oodi 도서관 로봇") is None  # mostly Hangul


def test_korean_query_words_also_carry_their_synonyms(analyzer, tmp_path):
    """kb/synonyms.tsv: the everyday word a user types also finds the administrative one
    a report writes; verbs by their stem, and words Kiwi reads in parts or as less than
    themselves are left out (거대자료 would find every 자료, 비대면 every 대면)."""
    table = tmp_path / "synonyms.tsv"
    table.write_text("# test\n토지,땅\n징수하다,걷다\n빅데이터,거대자료\n비대면,온라인\n", encoding="utf-8")
    assert analyzer.synonyms(["땅"], table) == {"토지"} and analyzer.synonyms(["걷"], table) == {"징수"}
    assert analyzer.synonyms(["빅데이터"], table) == set() and analyzer.synonyms(["자료"], table) == set()
    assert analyzer.synonyms(["대면"], table) == set() and analyzer.synonyms(["비대면"], table) == {"온라인"}
    words = dict(analyzer.word_terms("땅 주인에게 돈을 걷어"))  # the real table
    assert {"땅", "토지"} <= words["땅"] and "징수" in words["걷어"] and "소유자" in words["주인에게"]
    assert {"토지", "징수"} <= set(analyzer.match_terms("땅 주인에게 돈을 걷어"))


def test_an_english_possessive_is_not_a_word_s(analyzer):
    """China's (or China’s) is China: Kiwi reads 's as a word "s", which every "s/w" of a
    report holds."""
    for query in ("China's big data", "China’s big data"):
        words = dict(analyzer.word_terms(query))
        assert "s" not in analyzer.match_terms(query) and "s" not in set().union(*words.values())
        assert "중국" in analyzer.in_korean(query).split()
        assert "s" not in highlight_words(analyzer, query)  # nor marked in snippets
    assert "s" in analyzer.match_terms("s/w 개발")  # a report's s/w is still a word


def test_a_korean_reading_in_a_query_also_means_its_city(analyzer):
    """중경 (重慶 read in Korean) is a word as well as 충칭 in a report, where it needs a sign
    beside it; a query's 중경 also finds 충칭."""
    assert "충칭" in analyzer.match_terms("중경 빅데이터 산업")
    assert dict(analyzer.word_terms("중경 빅데이터"))["중경"] >= {"중경", "충칭"}
    assert "충칭" not in analyzer.match_terms("빅데이터 산업")


def test_english_query_words_also_carry_their_korean_translations(analyzer):
    """kb/glossary.tsv: an English word (or two-word phrase) of a query also matches
    the Korean words for it; Korean words and chunk texts are not translated."""
    words = dict(analyzer.word_terms("libraries for elderly residents"))
    assert "도서관" in words["libraries"] and "library" not in words  # plural folded
    assert {"노인"} & words["elderly"] and "주민" in words["residents"]
    phrase = dict(analyzer.word_terms("participatory budget"))
    assert {"주민", "참여", "예산"} <= phrase["participatory"] & phrase["budget"]  # 주민참여예산, analysed
    assert all(t.isascii() is False for _, ts in analyzer.word_terms("도서관 리모델링") for t in ts)  # not translated
    assert "도서관" not in analyzer.terms("library")  # chunks keep their own words
    assert "도서관" in analyzer.match_terms("library robots")
    assert {"주택"} <= dict(analyzer.word_terms("houses"))["houses"]  # not "hous"
    assert {"기부"} <= dict(analyzer.word_terms("donated"))["donated"]
    assert "댐" in dict(analyzer.word_terms("dam"))["dam"]  # read as a noun, not the verb 대다


def test_a_name_kiwi_knows_already_is_read_whole_when_added_late():
    """Kiwi takes a word it knows already (중앙도서관, 산업단지) only at its next rebuild:
    a name given after it has analysed text is read whole at once, as in a fresh process
    (a process of its own here, for a Kiwi that has not met the name)."""
    code = (
        "from kb.analysis import Analyzer\n"
        "from kb.places import Gazetteer\n"
        "a = Analyzer(Gazetteer.from_rows({}, []), lazy=True)\n"
        "a.terms('첫 분석')\n"
        "a.add_words(['중앙도서관'])\n"
        "print(' '.join(a.terms('중앙도서관에')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split()[0] == "중앙도서관"


def test_a_chunks_context_names_its_reports_body_once(analyzer):
    """A question names the trip it asks about: by the report's title, and by its issuing
    body where the title does not name it (not twice where it does)."""
    context = analyzer.context_terms("Ⅰ 출장 개요", "독일 청년정책 벤치마킹 결과보고서", "늘봄구").split()
    assert {"개요", "독일", "청년", "늘봄구"} <= set(context)
    named = analyzer.context_terms("Ⅰ 출장 개요", "2019 늘봄구 독일 출장 결과보고서", "늘봄구").split()
    assert named.count("늘봄구") == 1
    assert analyzer.chunk_terms("본문 내용", "Ⅰ 출장 개요", "제목", "늘봄구")[1] == analyzer.context_terms(
        "Ⅰ 출장 개요", "제목", "늘봄구"
    )


@pytest.mark.parametrize(
    ("short", "long", "expected"),
    [
        ("서울시", "서울특별시", True),
        ("가오신구", "가오신기술산업개발구", True),
        ("환경국", "환경보호국", True),
        ("박람회", "박람회협회", False),  # a compound that starts with the word
        ("환경국", "환경부국", False),  # one syllable longer: a different word, not a short form
        ("시청", "시민회관청", False),  # two syllables: too short to tell
        ("서울시", "서울특별구", False),  # another category
        ("NY시", "NY특별시", False),
    ],
)
def test_short_forms_keep_the_head_and_the_category_syllable(short, long, expected):
    assert abbreviates(short, long) is expected


def test_a_word_asked_twice_counts_once(analyzer):
    """A query's words are what a full-text match must hold a share of: "year on year?"
    asks for a year once, "소각재 매립과 소각재 재활용" for 소각재 once."""
    assert [w for w, _ in analyzer.word_terms("value added grew year on year?")].count("year") == 1
    assert len(analyzer.word_terms("소각재 매립과 소각재 재활용")) == 3
