"""Institutions across reports: one body visited on several trips is one institution,
however each report wrote its name.

Reports write the same body differently: with or without its city (충칭 시엔타오빅데이터밸리,
시엔타오 빅데이터밸리), with spaces or without, with a Hanja or English gloss in brackets
(위베이구(渝北区)), after the year of an event. Names are merged by a key: the name without
bracketed glosses, spaces and punctuation, in lower case, without a leading year and without
leading names of its city or country; rows with the same key and the same city are one
institution (a row without a city joins the only group of its key). What no rule can see
(仙桃国际大数据谷 and 시엔타오 빅데이터밸리) a user says with ``kb alias``: the table
``institution_aliases`` maps a name's key to another's.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import asdict, dataclass, field

import sqlite_utils

from kb.kinds import LESSONS

_BRACKETS = re.compile(r"[(（\[【<〈][^)）\]】>〉]*[)）\]】>〉]")
_NOISE = re.compile(r"[\s·ㆍ.,\-_'\"“”‘’/&]+")
_YEAR = re.compile(r"^(?:19|20)\d\d(?:년)?")
LESSON_KINDS = (*LESSONS, "visit")  # what an institution page shows


@dataclass
class Visit:
    report_id: int
    report_title: str | None
    date: str | None  # the visit's date, else the trip's start
    name: str  # as that report wrote it
    institution_id: int  # the row in ``institutions``


@dataclass
class Institution:
    id: int  # the smallest row id of its group: a stable address while those rows stay
    name: str  # the most used of its written names (Korean, then the shortest, among equals)
    city: str | None
    country: str | None
    names: list[str]
    visits: list[Visit] = field(default_factory=list)

    @property
    def rows(self) -> list[int]:
        return [v.institution_id for v in self.visits]

    def to_dict(self) -> dict:
        d = asdict(self)
        d["reports"] = len({v.report_id for v in self.visits})
        return d


def key(name: str, place_names: tuple[str, ...] = ()) -> str:
    """What two written forms of one institution's name share (see the module's doc).
    A place name is dropped only as a word of its own (충칭 시엔타오…, 충칭시 위베이구),
    never from inside one (충칭임시정부)."""
    s = _YEAR.sub("", _BRACKETS.sub(" ", unicodedata.normalize("NFKC", name).lower()).strip())
    places = {p.lower() for p in place_names if p}
    words = s.split()
    while len(words) > 1 and (words[0] in places or words[0][:-1] in places and words[0][-1] in "시성도주"):
        words = words[1:]
    return _NOISE.sub("", "".join(words)) or _NOISE.sub("", name.lower())


def all_institutions(db: sqlite_utils.Database) -> list[Institution]:
    """Every institution, merged across reports, most visited first."""
    rows = db.execute(
        "select i.id, i.name, i.visit_date, i.place_id, p.name, p.country, r.id, r.title, r.trip_start "
        "from institutions i join reports r on r.id = i.report_id left join places p on p.id = i.place_id "
        "order by i.id"
    ).fetchall()
    names_of = _place_names(db)
    every = tuple({n for names in names_of.values() for n in names})
    aliases = {key(a, every): key(n, every) for a, n in db.execute("select alias, name from institution_aliases")}
    groups: dict[tuple[str, int | None], list[tuple]] = {}
    for row in rows:
        place_names = names_of.get(row[3], ()) + ((row[5],) if row[5] else ())
        k = key(row[1], place_names)
        k = aliases.get(k, k)
        groups.setdefault((k, row[3]), []).append(row)
    for k, place in list(groups):
        if place is None:  # no city: the only group of its key takes it
            others = [g for g in groups if g[0] == k and g[1] is not None]
            if len(others) == 1:
                groups[others[0]].extend(groups.pop((k, place)))
    out = [_institution(sorted(members)) for members in groups.values()]
    out.sort(key=lambda i: (-len({v.report_id for v in i.visits}), -len(i.visits), i.name))
    return out


def _institution(members: list[tuple]) -> Institution:
    written = Counter(m[1] for m in members)
    name = min(written, key=lambda n: (-written[n], not re.search("[가-힣]", n), len(n), n))
    with_city = next((m for m in members if m[4]), members[0])
    visits = [Visit(m[6], m[7], m[2] or m[8], m[1], m[0]) for m in members]
    visits.sort(key=lambda v: (v.date or "", v.report_id))
    return Institution(members[0][0], name, with_city[4], with_city[5], sorted(written), visits)


def _place_names(db: sqlite_utils.Database) -> dict[int, tuple[str, ...]]:
    """Korean and other names of the places institutions are in."""
    out: dict[int, list[str]] = {}
    for place_id, alias in db.execute(
        "select a.place_id, a.alias from place_aliases a where a.place_id in (select place_id from institutions)"
    ):
        out.setdefault(place_id, []).append(alias)
    for place_id, name in db.execute("select id, name from places where id in (select place_id from institutions)"):
        out.setdefault(place_id, []).append(name)
    return {k: tuple(v) for k, v in out.items()}


def lessons(db: sqlite_utils.Database, institution: Institution) -> list[dict]:
    """What the reports found and concluded about an institution: its chunks of the
    kinds in LESSON_KINDS, by trip date."""
    marks = ",".join("?" * len(institution.rows))
    kinds = ",".join("?" * len(LESSON_KINDS))
    return list(
        db.query(
            f"select c.id as chunk_id, c.report_id, r.title as report_title, r.trip_start, c.kind, c.section, c.text "
            f"from chunks c join reports r on r.id = c.report_id where c.institution_id in ({marks}) "
            f"and c.kind in ({kinds}) order by r.trip_start, c.report_id, c.seq",
            [*institution.rows, *LESSON_KINDS],
        )
    )


def add_alias(db: sqlite_utils.Database, alias: str, name: str) -> None:
    """Say that ``alias`` names the same institution as ``name`` (in the write transaction)."""
    db.execute("insert or replace into institution_aliases(alias, name) values (?, ?)", [alias.strip(), name.strip()])
