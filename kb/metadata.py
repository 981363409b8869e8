"""Report metadata read from the parsed text: title, issuing body, trip dates,
destinations, travellers, purpose and visited institutions."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kb.dates import parse_single, trip_dates
from kb.issuer import issuer_of
from kb.kinds import heading_kind
from kb.parse import COLUMN_GAP, Block, Parsed, clean_markup, institution_name
from kb.places import REGIONS, Gazetteer, Place
from kb.textutil import HANGUL, split_label, squash
from kb.travellers import (
    CLAUSE_END,
    PERSONS,
    TOTAL,
    TOTAL_ROW,
    count_field,
    count_in_prose,
    count_in_value,
    inline_participants,
    listed_one_per_line,
    named_in_prose,
)

VISIT_ENTRY = re.compile(
    r"(?:\[\s*(?:기관|현장)?\s*방문\s*\d*\s*\]|방\s*문\s*(?:기\s*관|처)\s*(?:명)?\s*[:：])\s*(?P<name>.+)"
)
TRANSIT = re.compile(r"\([^()]*경유[^()]*\)|경유지?\s*[:：][^,()]*")
VISIT_COLUMNS = {"방문기관", "방문처", "방문기관명", "기관", "방문지"}
DATE_COLUMNS = {"일자", "일시", "날짜", "일정"}
DAY_START = re.compile(r"^\s*(?:제\s*\d+\s*일\s*)?(?P<m>\d{1,2})\s*[./]\s*(?P<d>\d{1,2})\.?\s*\(")
VISIT_DATE = re.compile(r"일\s*시[^:：]{0,6}[:：]\s*(?P<value>.+)")
COLUMNS = {
    "name": ("성명", "이름"),
    "position": ("직위", "직급", "직책"),
    "affiliation": ("소속", "기관", "부서"),
    "role": ("비고", "역할", "임무"),
    "gender": ("성별",),
}


@dataclass
class Participant:
    seq: int
    name: str
    position: str | None = None
    affiliation: str | None = None
    role: str | None = None
    gender: str | None = None


@dataclass
class Institution:
    name: str
    visit_date: str | None = None
    place: Place | None = None
    source: str = "section"  # "itinerary" or "section"
    key: str = ""


@dataclass
class Metadata:
    title: str | None = None
    issuer: str | None = None
    issuer_unit: str | None = None  # the writing unit, e.g. 도시재생과, 의회사무국
    trip_start: str | None = None
    trip_end: str | None = None
    destinations: list[Place] = field(default_factory=list)
    other_cities: list[str] = field(default_factory=list)  # destinations the gazetteer does not know
    traveller_count: int | None = None
    participants: list[Participant] = field(default_factory=list)
    purpose: str | None = None
    institutions: list[Institution] = field(default_factory=list)


# who went or the half-year may stand in it too: "2023년도 의원 공무국외출장 결과보고서"
_GENERIC_TITLE = re.compile(
    r"^(?:\d{4}년?도?)?(?:상반기|하반기)?(?:의원|의회|직원|공무원)?(?:공무)?(?:국외|해외)?(?:출장|연수|여행|공무여행)*(?:결과)?보고서?$"
)
_SUBTITLE_WRAP = re.compile(
    r"^\s*(?:[-–—―~]\s*(?P<a>.+?)\s*[-–—―~]|\((?P<b>.+)\)|[<〈《＜〔]\s*(?P<c>.+?)\s*[>〉》＞〕]|「(?P<d>.+)」)\s*$"
)
_SLOGAN = re.compile(r"^\s*[“\"‘'].*[”\"’']\s*$")
_REPORT_WORD = re.compile(rf"보\s*고(?![{HANGUL}])|보\s*고\s*서")  # not 보고타 (Bogotá)
_TITLE_FIELD = re.compile(
    r"^(?:(?:제\s*목|건\s*명)(?:\s*[:：]\s*|\s+)|title\s*:\s*)(?P<v>\S.*)$"
)  # a memo's 제목 or 건명
_SPACED_YEAR = re.compile(r"\b(\d) (\d) (\d) (\d)\b")  # "2 0 2 4" on a cover
_DATE_LINE = re.compile(r"\d{4}\s*[.년]\s*\d{1,2}|^\s*\d{4}\s*$")


def title_of(front: list[str], issuer: str | None, year: str | None, places: list[Place]) -> str:
    """The report's title: a memo's 제목, or the cover's title line with the lines that
    name the trip: those wrapped before it ("콜롬비아 메데인·보고타" over "대중교통 … 결과보고서"),
    or, for a title line that alone names no trip ("2019 공무국외출장 결과보고서", "하늬시의회
    공무국외출장 결과보고"), its subtitle."""
    lines = [_SPACED_YEAR.sub(r"\1\2\3\4", re.sub(r"^#+\s*", "", clean_markup(ln, tags=False)).strip()) for ln in front]
    for i, ln in enumerate(lines):
        m = _TITLE_FIELD.match(ln)
        if m:  # a memo's 제목 (its value may wrap onto indented lines), or front matter's title:
            value = m["v"].strip().strip("\"'")
            for raw, more in zip(front[i + 1 : i + 3], lines[i + 1 : i + 3], strict=False):
                if not raw[:1].isspace() or not more or split_label(more) or COLUMN_GAP.search(more):
                    break
                value += " " + more
            return value
    candidates = [
        (i, ln)
        for i, ln in enumerate(lines)
        if _REPORT_WORD.search(ln)
        and len(ln) <= 90
        and not re.match(r"^[-□○◦ㅇ•*]\s", ln)
        and "목차" not in squash(ln)
        and not _SUBTITLE_WRAP.match(ln)  # "(… 사례를 보고)": a subtitle, not the title
        and not re.match(r"^보\s*고\s*[자일처]", ln)  # "보 고 자  팀장 …": a memo's field
        and ln.count(" > ") < 2  # "홈 > 정보공개 > … 결과보고": a web page's breadcrumb
    ]
    named = [(i, ln) for i, ln in candidates if not _generic(ln, issuer)]
    if named:  # one that names the year too, if any
        i, ln = max(named, key=lambda c: bool(re.search(r"\d{4}", c[1])))
        wrapped = _title_block(lines, i, issuer, places)[0]
        return re.sub(r"\s+", " ", " ".join([*wrapped[-1:], ln]))
    subtitles = [(found[0], i, found[1]) for i, _ in candidates if (found := _subtitle(lines, i, issuer))]
    if subtitles:  # the title line whose subtitle is nearest (a cover's, not a running header's)
        _, i, j = min(subtitles)
        before, after = _title_block(lines, j, issuer, places)
        words = " ".join(_unwrap(w) for w in [*before, lines[j], *after])
        m = re.match(r"^(\d{4}년?도?)\s*(.*)$", lines[i])
        return re.sub(r"\s+", " ", f"{m[1]} {words} {m[2]}" if m else f"{words} {lines[i]}")
    if candidates:
        ln = candidates[0][1]
        return f"{year} {ln}" if year and not re.search(r"\d{4}", ln) else ln
    where = "·".join(p.name for p in places if p.kind == "city")
    country = next((p.country for p in places), "")
    parts = [year or "", issuer or "", f"{country} {where}".strip(), "공무국외출장 결과보고서"]
    return " ".join(p for p in parts if p)


_UNIT = re.compile(rf"^[{HANGUL}]{{2,}}(?:위원회|사무처|사무국|사무과|담당관|과|팀|실)$")


def _generic(line: str, issuer: str | None) -> bool:
    """A title line that names no trip: the report's kind, with at most the issuing body,
    one of its units and the year ("청아시 관광진흥과 2018 공무국외출장 결과보고서")."""
    words = [
        w
        for w in line.split()
        if not (re.match(r"^\d{4}년?도?$", w) or _UNIT.match(w) or (issuer and squash(w) == squash(issuer)))
    ]
    return bool(_GENERIC_TITLE.match(squash(" ".join(words))))


def _continues(line: str, issuer: str | None) -> bool:
    """A cover line that can be part of a title wrapped over lines: words, no date, no
    label, not the issuer, not the report line itself."""
    return (
        len(re.findall(f"[{HANGUL}]", line)) >= 2
        and len(line) <= 60
        and not _REPORT_WORD.search(line)
        and not _DATE_LINE.search(line)
        and not (issuer and squash(issuer) in squash(line))
        and not split_label(line)
        and not COLUMN_GAP.search(line)
    )


def _title_block(lines: list[str], i: int, issuer: str | None, places: list[Place]) -> tuple[list[str], list[str]]:
    """The lines just before and just after line ``i`` that continue it (up to two each,
    up to a blank line) and name one of the trip's places ("콜롬비아 메데인·보고타")."""
    before: list[str] = []
    for j in range(i - 1, max(i - 3, -1), -1):
        if not _continues(lines[j], issuer):
            break
        before.insert(0, lines[j])
    after: list[str] = []
    for j in range(i + 1, min(i + 3, len(lines))):
        if not _continues(lines[j], issuer):
            break
        after.append(lines[j])
    return tuple(
        [ln for ln in block if any(p.name in ln or (p.country and p.country in ln) for p in places)]
        for block in (before, after)
    )


def _unwrap(line: str) -> str:
    m = _SUBTITLE_WRAP.match(line)
    return next(g for g in m.groups() if g).strip() if m else line.strip()


def _subtitle(lines: list[str], i: int, issuer: str | None) -> tuple[tuple[bool, int], int] | None:
    """Where the line is that names the trip next to a generic title line: a wrapped one
    ("- … -", "( … )") first, else the nearest after it, else before it; with how near
    it is (unwrapped, lines apart)."""
    filled = [j for j in range(len(lines)) if lines[j]]
    near = [j for j in filled if j > i][:4] + [j for j in reversed(filled) if j < i][:3]
    candidates = []
    for j in near:
        ln = lines[j]
        if _DATE_LINE.search(ln) or (issuer and squash(issuer) in squash(ln)) or split_label(ln):
            continue  # "경  유 : 의회사무국장": a memo's field
        if _SLOGAN.match(ln):
            continue  # "“ 해가 진 뒤에도 머물고 싶은 도시 ”": a cover's slogan names no trip
        if len(re.findall(f"[{HANGUL}]", ln)) < 4 or _UNIT.match(_unwrap(ln)):  # "(관광진흥과)": who wrote it
            continue
        candidates.append((not _SUBTITLE_WRAP.match(ln), j < i, abs(j - i), j))
    if not candidates:
        return None
    unwrapped, _, apart, j = min(candidates)
    return (unwrapped, apart), j


def participants_of(parsed: Parsed) -> list[Participant]:
    """The people of the report's participant tables: members, staff and advisers may
    stand in tables of their own; a name in two tables (a mileage table) counts once."""
    out: list[Participant] = []
    for block in parsed.blocks:
        for item in block.items:
            if item.kind != "participants" or not item.header:
                continue
            header = [squash(h) for h in item.header]
            index = {
                field_: next((i for i, h in enumerate(header) if h in names), None) for field_, names in COLUMNS.items()
            }
            if index["name"] is None:
                continue
            for para in item.paras[1:]:
                cells = para.cells or []
                if len(cells) > len(header):  # space-separated rows: the rest is the last column
                    cells = cells[: len(header) - 1] + [" ".join(cells[len(header) - 1 :])]
                get = {
                    f: (cells[i].strip() if i is not None and i < len(cells) and cells[i].strip() else None)
                    for f, i in index.items()
                }
                if any(TOTAL_ROW.match(squash(c)) for c in cells[:2]) or PERSONS.fullmatch(get["name"] or ""):
                    continue
                if get["name"] and all(p.name != get["name"] for p in out):
                    out.append(Participant(len(out) + 1, **get))
    return out


def institution_key(name: str, gazetteer: Gazetteer) -> str:
    """A name reduced for matching: no spaces or parentheses, places by canonical name."""
    name = re.sub(r"\([^)]*\)", "", name)
    for m in sorted(gazetteer.find(name, strict=False), key=lambda m: -m.start):
        name = name[: m.start] + m.place.name + name[m.start + len(m.alias) :]
    return squash(name)


def _bigrams(s: str) -> set[str]:
    return {s[i : i + 2] for i in range(len(s) - 1)}


def _similar(a: str, b: str) -> bool:
    """Two keys for one institution: most of the shorter one's letter pairs are in the other."""
    short, long = sorted((_bigrams(a), _bigrams(b)), key=len)
    return bool(short) and len(short & long) / len(short) >= 0.6


def _itinerary_lines(text: str, parsed: Parsed) -> list[str]:
    """The source lines of the itinerary: runs of itinerary blocks, with the label
    lines between their items."""
    spans: list[list[int]] = []
    prev_itinerary = False
    for b in parsed.blocks:
        for it in b.items:
            if (it.kind or b.kind) != "itinerary":
                prev_itinerary = False
                continue
            start, end = it.paras[0].start, it.paras[-1].end
            if prev_itinerary:
                spans[-1][1] = end
            else:
                spans.append([start, end])
            prev_itinerary = True
    return [ln for a, b in spans for ln in text[a:b].split("\n")]


def split_institutions(name: str) -> list[str]:
    """One visit heading may name several institutions: "탈린시청 및 탈린 중앙도서관",
    "Portland Bureau of Transportation (PBOT) & BIKETOWN" (not inside parentheses, not
    before a bare common word: "위베이구 및 산업단지" is one visit, and at "&" only after a
    name closed by its bracket: "Parks & Recreation" is one)."""
    parts, depth, start = [], 0, 0
    for m in re.finditer(r"[()（）]|\s+(?:및|&|／|/)\s+", name):
        token = m.group(0)
        if token in "(（":
            depth += 1
        elif token in ")）":
            depth = max(0, depth - 1)
        elif token.strip() == "&" and not name[: m.start()].endswith((")", "）")):
            continue  # "Boston Planning & Development Agency": one English name
        elif depth == 0 and not _GENERIC_WORD.match(name[m.end() :]):
            parts.append(name[start : m.start()])
            start = m.end()
    parts.append(name[start:])
    return [p.strip() for p in parts if len(squash(p)) >= 2]


_GENERIC_WORD = re.compile(rf"^[{HANGUL}]{{1,4}}(?:\s+관계자)?\s*$")


def name_grouped_visits(blocks: list[Block], gazetteer: Gazetteer) -> None:
    """Visits grouped under a heading that is only a place's name ("두바이" over "KOTRA 두바이
    무역관 …" and "두바이 도로교통청(RTA) …"): the heading below the place names the
    institution; the place itself is none."""
    for block in blocks:
        if not block.institution or gazetteer.lookup(block.institution) is None:
            continue
        at = next((k for k, title in enumerate(block.path) if institution_name(title) == block.institution), None)
        below = block.path[at + 1] if at is not None and at + 1 < len(block.path) else None
        block.institution = institution_name(below) if below and heading_kind(below) is None else None


def institutions_of(
    text: str,
    parsed: Parsed,
    gazetteer: Gazetteer,
    trip: tuple[str | None, str | None],
    destinations: list[Place],
) -> list[Institution]:
    """Visited institutions: itinerary entries "[기관방문 N] NAME" under their day, then
    visit headings not already listed, dated by their 일시 line or the itinerary."""
    year = int(trip[0][:4]) if trip[0] else None
    out: list[Institution] = []
    day_lines: list[tuple[str | None, str]] = []  # (date, squashed line) for fuzzy dating
    day = None
    place = None
    for line in _itinerary_lines(text, parsed):
        m = DAY_START.match(line)
        if m and year:
            date = parse_single(f"{m['m']}. {m['d']}.", year)
            if date and trip[0] <= date <= (trip[1] or trip[0]):  # not "1/1 (총1건)"
                day = date
        cities = [x.place for x in gazetteer.find(line) if x.place.kind == "city"]
        v = VISIT_ENTRY.search(line)
        if v:
            for name in re.split(r"\s*,\s*", v["name"].strip()):
                named = [x.place for x in gazetteer.find(name) if x.place.kind == "city"]
                inst = Institution(name, day, named[0] if named else place, "itinerary")
                inst.key = institution_key(name, gazetteer)
                out.append(inst)
        elif cities:
            place = cities[-1]
        day_lines.append((day, squash(line)))

    dest_ids = {p.id for p in destinations}
    seen_blocks: set[str] = set()
    for block in parsed.blocks:
        if not block.institution or block.institution in seen_blocks:
            continue
        seen_blocks.add(block.institution)
        date = None
        for item in block.items:
            for para in item.paras:
                m = VISIT_DATE.search(para.text)
                if m:
                    date = parse_single(m["value"], year)
                    break
            if date:
                break
        whole = [
            x.place for x in gazetteer.find(block.institution) if x.place.id in dest_ids and x.place.kind == "city"
        ]
        for name in split_institutions(block.institution):
            key = institution_key(name, gazetteer)
            listed = any(
                i.key == key or (i.source == "itinerary" and i.key and (i.key in key or key in i.key)) for i in out
            )
            if listed or gazetteer.lookup(name) is not None:  # already listed, or only a place's name
                continue
            grams = _bigrams(re.sub(r"^\d{4}", "", key))
            scored = [(len(grams & _bigrams(ln)) / len(grams), d) for d, ln in day_lines if d and grams]
            best = max(scored, default=(0, None))
            when = date or (best[1] if best[0] >= 0.7 else None)
            named = [x.place for x in gazetteer.find(name) if x.place.id in dest_ids and x.place.kind == "city"]
            city = named[0] if named else whole[0] if whole else None
            out.append(Institution(name, when, city, "section", key))
    return out + _table_visits(parsed, gazetteer, year, trip, [i.key for i in out])


def _table_visits(
    parsed: Parsed, gazetteer: Gazetteer, year: int | None, trip: tuple[str | None, str | None], known: list[str]
) -> list[Institution]:
    """Institutions in an itinerary table's 방문기관 column, dated by its 일자 column,
    that no visit heading names already (tables abbreviate: "SFU 고령화연구센터")."""
    out: list[Institution] = []
    for block in parsed.blocks:
        for item in block.items:
            header = [squash(h) for h in item.header or []]
            col = next((k for k, h in enumerate(header) if h in VISIT_COLUMNS), None)
            if col is None:
                continue
            day_col = next((k for k, h in enumerate(header) if h in DATE_COLUMNS), None)
            for para in item.paras[1:]:
                cells = para.cells or []
                if col >= len(cells):
                    continue
                day = parse_single(cells[day_col], year) if day_col is not None and day_col < len(cells) else None
                if day and trip[0] and not (trip[0] <= day <= (trip[1] or trip[0])):
                    day = None
                for name in re.split(r"\s*[,/，]\s*", cells[col]):
                    key = institution_key(name, gazetteer)
                    if len(key) < 2 or _ACTIVITY_ONLY.match(name) or gazetteer.lookup(name) is not None:
                        continue
                    if any(key in k or k in key or _similar(key, k) for k in known):
                        continue
                    known.append(key)
                    out.append(Institution(name.strip(), day, None, "itinerary", key))
    return out


# Itinerary cells that are not institutions: travel, arrival, rest.
_ACTIVITY_ONLY = re.compile(
    r"^\s*(?:출국|입국|도착|출발|귀국|이동|해산|휴식|자료\s*정리|국내선\s*이동|.*(?:도착|출발|이동|해산)(?:\s*및\s*\S+)?)\s*$"
)


def match_institution(name: str, institutions: list[Institution], gazetteer: Gazetteer) -> Institution | None:
    key = institution_key(name, gazetteer)
    exact = [i for i in institutions if i.key == key]
    if exact:
        return exact[0]
    # a heading naming several ("탈린시청 및 탈린 중앙도서관"): the first it names
    return next((i for i in institutions if i.key and i.key in key), None)


DESTINATION_LABEL = re.compile(
    r"^(?:출장|방문|연수|여행|견학)?(?:지|지역|국가|국|도시|장소|국가및도시|국및도시|지역및도시|대상국|목적지)$|^장소$|^목적지$"
)
_REGION_AFTER = REGIONS | {"성", "현", "県"}  # 온타리오주, 광둥성, 도쿠시마현: a region, not the city


def _foreign_places(text: str, gazetteer: Gazetteer, evidence: bool = False) -> list[Place]:
    """Foreign places named in ``text`` (``evidence``: a list of places, such as a
    destination line's value, where a weak name counts)."""
    found = []
    for m in gazetteer.find(text, evidence=evidence):
        after = text[m.start + len(m.alias) : m.start + len(m.alias) + 1]
        if m.place.country_code != "KR" and after not in _REGION_AFTER:
            found.append(m.place)
            found += _city_state(m.place, gazetteer)
    return _unique(found)


def _city_state(country: Place, gazetteer: Gazetteer) -> list[Place]:
    """A city-state's city: 싱가포르 the country is also 싱가포르 the city (홍콩, 마카오)."""
    if country.kind != "country":
        return []
    ids = gazetteer.aliases.get(country.name.lower(), [])
    return [
        gazetteer.places[i]
        for i in ids
        if gazetteer.places[i].kind == "city" and gazetteer.places[i].country_code == country.country_code
    ][:1]


def destination_line(facts: list[str]) -> str | None:
    """The value of the trip's destination line (출장지, 방문국가, 연수 지역, 장소 …)."""
    for para in facts:
        for line in para.split("\n"):
            lv = split_label(line)
            if lv and DESTINATION_LABEL.match(lv[0]):
                return lv[1]
    return None


_PLACE_TOKEN = re.compile(rf"[{HANGUL}]{{2,10}}")
_STATE_FORMS = ("공화국", "왕국", "연방", "합중국", "공국", "연합")
_REGION_SUFFIX = ("주", "부", "현", "성", "도", "군", "구", "州", "省", "県")
_NOT_PLACES = {
    "일원",
    "일대",
    "근교",
    "교외",
    "도심",  # 도쿄도 도심 및 아다치구: the centre of the city named before
    "경유",
    "지역",
    "도시",
    "시내",
    "외곽",
    "인근",
    "방문",
    "출장",
    "연수",
    "현지",
    "소재",
    "수도",  # 위앙짠(Vientiane, 수도): the capital
    "농촌",  # 비엔티안주 농촌 마을: the kind of place, not its name
    "어촌",
    "산촌",
    "시골",
    "마을",
}


# A known place's name in brackets right after a word: the word is another name of it.
_GLOSS = re.compile(r"\s*\(\s*")
# What names the word before it an area rather than a city: "와이카토(Waikato) 지역".
_AREA_AFTER = re.compile(r"\s*(?:\([^)]*\))?\s*(?:지역|지방|일대|권역)")
# A site, not a city, and the word before it its name: "베스트란트 온실단지".
_SITE = rf"[{HANGUL}]*(?:단지|지구|센터|공원|농장|시설)(?![{HANGUL}])"
_SITE_AFTER = re.compile(rf"\s*(?:\([^)]*\))?\s*{_SITE}")


def other_cities(value: str, gazetteer: Gazetteer) -> list[str]:
    """Cities a destination line lists that the gazetteer has no Korean name for: the
    other words of the list ("슬로베니아(류블랴나, 블레드)", "도야마현 도야마시"), but not
    regions (오리건주, 교토부, 도야마현), sites (베스트란트 온실단지) or words such as 일원, 근교."""
    spans = [(m.start, m.start + len(m.alias)) for m in gazetteer.find(value, evidence=True)]
    starts = {a for a, _ in spans}
    out: list[str] = []
    for m in _PLACE_TOKEN.finditer(value):
        word = m.group(0)
        if any(a < m.end() and m.start() < b for a, b in spans) or word in _NOT_PLACES:
            continue
        if _AREA_AFTER.match(value, m.end()):
            continue  # "와이카토(Waikato) 지역": a region
        if (gloss := _GLOSS.match(value, m.end())) and gloss.end() in starts:
            continue  # "위앙짠(Vientiane, 수도)": another name of the place glossed
        if re.fullmatch(_SITE, word) or _SITE_AFTER.match(value, m.end()):
            continue  # "베스트란트 온실단지": a site
        next_word = len(value) - len(value[m.end() :].lstrip(" "))
        if next_word > m.end() and next_word in starts:
            continue  # "잉글랜드 리버풀": the region of the city named next
        if word.endswith(_STATE_FORMS):
            continue  # "독일 연방공화국": the country named before, by its form of state
        if word.endswith("시") and len(word) > 2:
            word = word[:-1]  # 도야마시 -> 도야마
        elif word.endswith(("정", "촌")) and len(word) > 2 and re.search(r"[현県]\s*$", value[: m.start()]):
            word = word[:-1]  # a Japanese town or village after its prefecture: 도쿠시마현 가미카쓰정
        elif word.endswith(_REGION_SUFFIX):
            continue
        if word not in out and gazetteer.lookup(word) is None:
            out.append(word)
    return out


def destinations_of(
    text: str, parsed: Parsed, gazetteer: Gazetteer, facts: list[str], value: str | None
) -> list[Place]:
    """Places the trip went to: the destination line (출장지, 방문국가, 장소 …), else a
    sentence of the trip's overview that says where it went, else the itinerary's
    cities, else the cities the report mentions most. ``value``: the destination line's."""
    found = _foreign_places(value, gazetteer, evidence=True) if value else []
    if found:
        return found
    for para in facts:
        for sentence in CLAUSE_END.split(para):
            if re.search(r"방문|일원|출장|연수|다녀", sentence):
                cities = [p for p in _foreign_places(sentence, gazetteer) if p.kind == "city"]
                if cities:
                    return cities
    itinerary = "\n".join(_itinerary_lines(text, parsed))
    cities = [p for p in _foreign_places(itinerary, gazetteer) if p.kind == "city"]
    if cities:
        return cities
    counts = gazetteer.count(text, kinds=("city",))
    top = [pid for pid, n in counts.most_common(3) if n >= 3 and gazetteer.places[pid].country_code != "KR"]
    return _unique(gazetteer.places[pid] for pid in top)


def _unique(places) -> list[Place]:
    seen, out = set(), []
    for p in places:
        if p.id not in seen:
            seen.add(p.id)
            out.append(p)
    return out


def purpose_of(blocks: list[Block]) -> str | None:
    purpose = [b for b in blocks if b.kind == "purpose"]
    main = [b for b in purpose if any("목적" in squash(p) for p in b.path)] or purpose
    text = "\n".join(it.text for b in main for it in b.items)
    return text or None


# Where the trip's own facts are stated (not the visits, which count other people).
FACT_KINDS = ("cover", "overview", "participants", "purpose", "itinerary", "text")


def _fact_paras(parsed: Parsed) -> list[str]:
    """The text of the trip's own facts; a two-column table row ("출 장 자 | 농축산국장 등
    5명") reads as the "label : value" line it stands for."""
    out = []
    for b in parsed.blocks:
        for it in b.items:
            if (it.kind or b.kind) not in FACT_KINDS and b.kind not in FACT_KINDS:
                continue
            for p in it.paras:
                cells = [c for c in p.cells or [] if c.strip()]
                if not p.table:
                    out.append(p.text)
                elif len(cells) in (2, 4):  # label, value (and a second pair)
                    out += [f"{cells[k]} : {cells[k + 1]}" for k in range(0, len(cells), 2)]
    return out


PARTICIPANT_LABEL = re.compile(r"^(?:출장|연수|방문|참가)?(?:자|단|자명단|명단|참가자|참석자)$")


def listed_participants(facts: list[str]) -> list[Participant]:
    """Participants named in a line rather than a table: "출 장 자 : 교통정책과장 강민호, …"."""
    for para in facts:
        for line in para.split("\n"):
            lv = split_label(line)
            if lv and PARTICIPANT_LABEL.match(lv[0]):
                people = inline_participants(lv[1])
                if people:
                    return [Participant(k + 1, name, position) for k, (name, position) in enumerate(people)]
    return []


def bulleted_participants(parsed: Parsed) -> tuple[list[Participant], int]:
    """Travellers listed one per line under a 출장자 heading, and how many they are
    (kb.travellers.listed_one_per_line)."""
    lines = [
        p.text for b in parsed.blocks if b.kind == "participants" for it in b.items if not it.header for p in it.paras
    ]
    people, count = listed_one_per_line(lines) if lines else ([], 0)
    return [Participant(k + 1, name, position) for k, (name, position) in enumerate(people)], count


def traveller_count(facts: list[str], listed: int) -> int | None:
    """A count line's number, else a sentence's, else how many the participant list holds.
    A line that names the travellers ("참 가 자 : 과장 도하진, …, 주무관 1명") counts only
    where no line states the number ("인 원 : 5명"): names cut by a line break are missed."""
    named = []
    for k, text in enumerate(facts):
        for line in text.split("\n"):
            value = count_field(line)
            if value is None:
                continue
            if inline_participants(value) and not TOTAL.search(value):
                named.append(value)
                continue
            n = count_in_value(value)
            if n:
                return n
            if n is None:
                # the list runs on over the next lines and ends with its total: "… 탁성우 (계 3명)"
                for more in facts[k + 1 : k + 6]:
                    if split_label(more):
                        break
                    if total := TOTAL.search(more):
                        return int(total.group(1))
    for value in named:
        if n := count_in_value(value):
            return n
    return count_in_prose(" ".join(facts)) or listed or None


def cover_lines(text: str, parsed: Parsed) -> list[str]:
    """The cover or memo header: the lines before the first heading."""
    return (text[: parsed.front_end].split("\n") if parsed.has_headings else text.split("\n")[:15])[:80]


def front_lines(text: str, parsed: Parsed) -> list[str]:
    """The cover or memo header and the closing lines (where a signature names the issuer)."""
    return cover_lines(text, parsed) + text.split("\n")[-5:]


def extract(text: str, parsed: Parsed, gazetteer: Gazetteer) -> Metadata:
    md = Metadata()
    front = front_lines(text, parsed)
    md.issuer, md.issuer_unit = issuer_of(text, front)
    md.trip_start, md.trip_end = trip_dates(text)
    year = int(md.trip_start[:4]) if md.trip_start else None
    facts = _fact_paras(parsed)
    value = destination_line(facts)
    if value:  # where the trip changed planes is no destination: "(경유지 : 두바이)", "(두바이 경유)"
        value = TRANSIT.sub("", value)
    md.destinations = destinations_of(text, parsed, gazetteer, facts, value)
    if value and md.destinations:  # a line about places abroad: its other 시 are cities too
        md.other_cities = other_cities(value, gazetteer)
    # Not from the closing lines: "결과보고서는 누리집에 공개" there is no title.
    md.title = title_of(cover_lines(text, parsed), md.issuer, str(year) if year else None, md.destinations)
    md.participants = participants_of(parsed) or listed_participants(facts)
    listed = len(md.participants)
    if not md.participants:
        md.participants, listed = bulleted_participants(parsed)
    if not md.participants:
        people = named_in_prose(" ".join(facts))
        md.participants = [Participant(k + 1, name, position) for k, (name, position) in enumerate(people)]
        listed = len(people)
    md.traveller_count = traveller_count(facts, listed)
    md.purpose = purpose_of(parsed.blocks)
    md.institutions = institutions_of(text, parsed, gazetteer, (md.trip_start, md.trip_end), md.destinations)
    return md
