"""How many people travelled, however a report says it: a count line ("출장인원 : 총 9명",
"인원 : 4명", "3명 (항만물류과장 외 2명)", "의원 4명, 직원 1명", "의원 6명·직원 2명",
"단장 외 5명"), a sentence ("… 등 모두 7명이 참여", "출장 인원은 7명"), or only the rows of
the participant table or the lines of a list. Also the participants of an inline list ("출 장
자 : 교통정책과장 강민호, …"), of a list of one traveller per line ("- 창업지원과장 어태린") and
of a sentence that names them ("육태경 위원장(단장), 함수정 부위원장 … 함께하였으며").

The order of evidence: a count line's total, then its parts summed, then a sentence's
total, then the table's rows or the list's lines (the caller's fallback).
"""

from __future__ import annotations

import re

from kb.textutil import HANGUL, split_label

# Labels of a count line, compared without spaces ("출 장 자" -> "출장자").
COUNT_LABELS = re.compile(
    r"^(?:출장|연수|방문|참가|여행|파견|견학)?(?:인원|자|단|인원수|단구성|인원및명단|자명단|참가자|참석자|구성)(?:현황)?$"
)
# A stated total: "총 9명", "모두 7명", "(계 3명)", "… 직원 2명 등 8명" (등 closes the list).
# People are counted in 명 or 인 ("의원 5인, 수행직원 2인"), not per head (1인당) or seats (4인승).
PEOPLE = r"(?:명|인(?![당승용실분석조]))"
TOTAL = re.compile(rf"(?:총|모두|전체|합계|계|등)\s*(\d{{1,3}})\s*{PEOPLE}")
PERSONS = re.compile(rf"(\d{{1,3}})\s*{PEOPLE}")
TOTAL_ROW = re.compile(r"^(?:합계|총계|소계|계|총원)$")  # a table's total row ("계 | 3명"), not a traveller
OTHERS = re.compile(rf"[{HANGUL}A-Za-z]+\s*외\s*(\d{{1,3}})\s*{PEOPLE}")
PARENS = re.compile(r"\([^)]*\)|\[[^\]]*\]|（[^）]*）")
PROSE = re.compile(
    r"(?:모두|총|전체)\s*(\d{1,3})\s*명(?:이|의|으로|을|\s*(?:이|가)?\s*(?:참여|참가|출장|방문|연수|구성|함께))"
    # "… 참여하였으며, 출장 인원은 7명(의원 5, 직원 2)임"
    r"|(?:인원|연수단|출장단|방문단|대표단|일행)(?:은|이|수는)\s*(?:모두|총)?\s*(\d{1,3})\s*명"
)
TRAVEL_WORDS = re.compile(r"참여|참가|출장|방문|연수|구성|다녀|일정|단장")
CLAUSE_END = re.compile(r"(?<=[.다])\s+")  # where prose is split into sentences to read them one by one


# Counts written in words: "모두 네 명", "다섯 명".
_NUMBER_WORDS = {"한": 1, "두": 2, "세": 3, "네": 4, "다섯": 5, "여섯": 6, "일곱": 7, "여덟": 8, "아홉": 9, "열": 10}
_WORD_COUNT = re.compile(rf"(?<![{HANGUL}])(열\s*)?({'|'.join(sorted(_NUMBER_WORDS, key=len, reverse=True))})?\s*명")


def _digits(text: str) -> str:
    """ "모두 네 명" -> "모두 4명", "열두 명" -> "12명"."""

    def number(m: re.Match) -> str:
        if not m.group(1) and not m.group(2):
            return m.group(0)
        return f"{(10 if m.group(1) else 0) + _NUMBER_WORDS.get(m.group(2) or '', 0)}명"

    return _WORD_COUNT.sub(number, text)


def count_field(line: str) -> str | None:
    """The value of a line labelled as the travellers ("출 장 자 : …", "인원 : …"), or None."""
    field = split_label(line)
    return field[1] if field is not None and COUNT_LABELS.match(field[0]) else None


def count_in_line(line: str) -> int | None:
    """The traveller count a count line states, or None when ``line`` is not one."""
    value = count_field(line)
    return count_in_value(value) if value is not None else None


def count_in_value(value: str) -> int | None:
    """ "총 4명 (…)" -> 4; "의원 4명, 직원 1명" -> 5; "항만물류과장 외 2명" -> 3."""
    value = _digits(value)
    outside = PARENS.sub(" ", value)
    m = TOTAL.search(outside) or TOTAL.search(value)
    if m:
        return int(m.group(1))
    others = OTHERS.search(outside)
    numbers = [int(n) for n in PERSONS.findall(outside)]
    if named := inline_participants(value):  # "과장 도하진(단장), 팀장 석라희, 간호주무관 1명": 3
        return len(named) + sum(numbers)
    if others and len(numbers) == 1:
        return int(others.group(1)) + 1
    if numbers:
        return sum(numbers)
    return None


def count_in_prose(text: str) -> int | None:
    """ "의원 5명과 직원 2명 등 모두 7명이 참여하였으며" -> 7."""
    for sentence in CLAUSE_END.split(_digits(text)):
        m = PROSE.search(sentence)
        if m and TRAVEL_WORDS.search(sentence):
            return int(m.group(1) or m.group(2))
    return None


NAME = re.compile(rf"^[{HANGUL}]{{2,4}}$")


def _position_and_name(words: list[str]) -> tuple[str, str] | None:
    """(name, position) of "교통정책과장 강민호": the last word a name, those before it the position."""
    return (words[-1], " ".join(words[:-1])) if len(words) >= 2 and NAME.match(words[-1]) else None


def inline_participants(value: str) -> list[tuple[str, str | None]]:
    """(name, position) pairs of an inline list: "교통정책과장 강민호, 대중교통팀장 석유나" ."""
    out = []
    for part in re.split(r"\s*[,，、/]\s*", PARENS.sub(" ", value)):
        words = part.split()
        if person := _position_and_name(words):
            out.append(person)
        elif len(words) == 1 and NAME.match(words[0]) and len(out) >= 1:
            out.append((words[0], None))
    return out if len(out) >= 2 else []


# "육태경 위원장(단장), 함수정 부위원장(부단장), …": a name before its title, in a sentence.
TITLE = r"(?:부?위원장|부?의장|의원|수석전문위원|전문위원|주무관|사무관|서기관|주사|[가-힣]{0,8}?(?:과장|팀장|국장|실장|계장|소장|원장))"
NAME_TITLE = re.compile(
    rf"(?<![{HANGUL}])([{HANGUL}]{{2,4}})\s+({TITLE})(?:\s*\([^)]*\))?(?=\s*(?:[,，、]|과|와|및|이|가|\s))"
)
NOT_NAMES = tuple("회청부처단시군")  # "유럽 의회 의원", "시청 과장" name bodies, not people


def named_in_prose(text: str) -> list[tuple[str, str]]:
    """(name, position) of travellers named in a sentence ("이번 연수에는 육태경 위원장(단장),
    함수정 부위원장, 구본찬 의원 … 방하윤 주무관(수행)이 함께하였으며"): three or more, in a
    sentence about the trip."""
    for sentence in CLAUSE_END.split(text):
        if not (TRAVEL_WORDS.search(sentence) or "함께" in sentence):
            continue
        people: dict[str, str] = {}
        for name, title in NAME_TITLE.findall(sentence):
            if not name.endswith(NOT_NAMES):
                people.setdefault(name, title)
        if len(people) >= 3:
            return list(people.items())
    return []


def states_people(text: str) -> bool:
    """Whether ``text`` says who or how many went: a count of people ("총 3명", "일곱 명")
    or three travellers named in a sentence. (A participant table is known by its kind.)"""
    return bool(PERSONS.search(_digits(text)) or named_in_prose(text))


UNNAMED = re.compile(r"^.{0,30}?(\d{1,2})\s*명$")


def listed_one_per_line(lines: list[str]) -> tuple[list[tuple[str, str | None]], int]:
    """(name, position) pairs of a list with one traveller per line ("- 창업지원과장 어태린"),
    and how many travelled, a line without a name counting its number ("- 진흥원
    선임연구원 1명"); nothing when a line is neither (prose under the heading)."""
    people, count = [], 0
    for line in lines:
        words = re.sub(r"^[^\w(]+", "", line).split()
        if len(words) <= 6 and (person := _position_and_name(words)):
            people.append(person)
            count += 1
        elif m := UNNAMED.match(" ".join(words)):
            count += int(m.group(1))
        else:
            return [], 0
    return (people, count) if len(people) >= 2 else ([], 0)
