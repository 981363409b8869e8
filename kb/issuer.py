"""Who issued a report: the public body (a council, or a city, county, district or
province office) and the unit that wrote it (도시재생과, 의회사무국, 문화복지위원회).

Reports name their issuer on the cover, in a memo header (보고자 / 발신), or in a line
under the title ("새솔시 도시재생과"); the body of the report names many other bodies
(the ones visited: "바양주르흐구청"), so only the front matter is read, and the whole text
only for a council's name, which visited bodies abroad do not carry in Korean.
"""

from __future__ import annotations

import re
from collections import Counter

from kb.parse import clean_markup, collapse_spaced
from kb.textutil import HANGUL, squash

_BODY = rf"[{HANGUL}]{{1,8}}?(?:특별자치시|특별자치도|특별시|광역시|시|군|구|도)"
# A unit: a department or secretariat name, optionally two levels ("해양항만국 항만물류과"),
# or a body's own office above one ("보건소 감염병관리과").
_UNIT_WORD = (
    rf"(?:[{HANGUL}·]{{1,14}}(?:과|국|실|단|관|팀|본부|사무국|사무과|위원회|사업소|센터|담당관)|보건소|소방서|출장소)"
)
COUNCIL = re.compile(rf"(?<![{HANGUL}])(?P<body>{_BODY})\s*의회(?![{HANGUL}])")
COUNCIL_UNIT = re.compile(rf"의회\s*(?P<unit>{_UNIT_WORD})(?![{HANGUL}])")
UNIT_LINE = re.compile(rf"^\s*\(?\s*(?P<unit>의회사무[국과]|{_UNIT_WORD})\s*\)?\s*$")
EXECUTIVE = re.compile(
    rf"(?<![{HANGUL}])(?P<body>{_BODY})(?:\s*청)?\s+(?P<unit>{_UNIT_WORD}(?:\s+{_UNIT_WORD})?)(?![{HANGUL}])"
)
EXECUTIVE_ALONE = re.compile(rf"^\s*(?P<body>{_BODY})\s*(?:청)?\s*$")
# A public agency heading its own cover line: "한울연구원      문서번호 : …", "서울관광재단"
AGENCY = re.compile(rf"^\s*(?P<body>[{HANGUL}]{{1,10}}(?:연구원|연구소|재단|공사|공단|진흥원))(?:\s{{2,}}|\s*$)")
REPORTER = re.compile(r"(?:보\s*고\s*자|작\s*성\s*자|발\s*신|작성부서|담당부서|부\s*서)\s*[:：]\s*(?P<value>.+)")
# Words ending in 시/구/도 that are not bodies.
_NOT_BODY = {
    "도시",
    "당시",
    "동시",
    "표시",
    "지시",
    "개시",
    "수시",
    "상시",
    "일시",
    "연구",
    "요구",
    "지구",
    "도구",
    "제도",
}


def _clean(line: str) -> str:
    """A front line without markup, a Markdown heading's marks ("# 나래도") among them."""
    return collapse_spaced(re.sub(r"^\s*#{1,6}\s+", "", clean_markup(line)).strip())


def issuer_of(text: str, front: list[str]) -> tuple[str | None, str | None]:
    """(issuing body, writing unit) from the front-matter lines ``front`` (the cover,
    the memo header, the lines before the first heading) and the whole ``text``."""
    lines = [_clean(ln) for ln in front if ln.strip()]
    councils = Counter(m["body"] + "의회" for ln in lines for m in COUNCIL.finditer(ln) if m["body"] not in _NOT_BODY)
    if councils:
        issuer = councils.most_common(1)[0][0]
        return issuer, _reporter_unit(lines) or _named_unit(lines)
    for ln in lines:
        for m in EXECUTIVE.finditer(ln):
            if squash(m["body"]) not in _NOT_BODY:
                return squash(m["body"]), _unit(m["unit"])
    for ln in lines:
        m = EXECUTIVE_ALONE.match(ln)
        if m and squash(m["body"]) not in _NOT_BODY and len(squash(m["body"])) >= 2:
            return squash(m["body"]), _reporter_unit(lines) or _named_unit(lines)
    for ln in lines:
        if m := AGENCY.match(ln):
            return m["body"], _reporter_unit(lines) or _named_unit(lines)
    everywhere = Counter(m["body"] + "의회" for m in COUNCIL.finditer(text) if m["body"] not in _NOT_BODY)
    if everywhere:
        return everywhere.most_common(1)[0][0], _named_unit(lines)
    return None, _reporter_unit(lines)


def _unit(unit: str) -> str:
    return re.sub(r"\s+", " ", unit).strip()


def _named_unit(lines: list[str]) -> str | None:
    """A unit on a line of its own ("의회사무국", "(기획예산과)") or after the council's name
    ("다온시의회 문화복지위원회")."""
    for pattern in (UNIT_LINE, COUNCIL_UNIT):
        for ln in lines:
            m = pattern.search(ln)
            if m:
                return _unit(m["unit"])
    return None


def _reporter_unit(lines: list[str]) -> str | None:
    """The unit in a memo header: "보고자 : 의회사무과장" -> 의회사무과."""
    for ln in lines:
        m = REPORTER.search(ln)
        if m:
            unit = re.search(_UNIT_WORD, m["value"].replace(" ", ""))
            if unit:
                return unit.group(0)
    return None
