"""The brief before a trip: what earlier trips to a place (or about a theme) learned, on
one page - the trips, the institutions they visited, and their lessons.

A delegation going to 충칭, or studying 데이터센터 anywhere, wants who went before, whom they
met and what they concluded, without running searches and reading chunk by chunk.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from kb.errors import SearchError
from kb.export import csv_text
from kb.institutions import all_institutions
from kb.kinds import LABELS as KIND_LABELS
from kb.kinds import LESSONS
from kb.search import MAX_QUERY, Filters

if TYPE_CHECKING:
    from kb.knowledge import KnowledgeBase

MAX_LESSONS = 60  # a brief is read before a trip, not searched through
ELSEWHERE = 10  # lessons on the theme from trips to other places
LESSON_FIELDS = ("chunk_id", "report_id", "report_title", "kind", "section", "institution", "text")


def brief(base: KnowledgeBase, place: str | None = None, topic: str | None = None) -> dict:
    """``{"place", "topic", "trips", "institutions", "lessons", "elsewhere"}`` for a
    destination (any name kb knows for a city or country) and/or a theme (words or a pasted
    draft plan). Lessons: with a theme, the most relevant first (from every report when no
    place is given; with a place, ``elsewhere`` has the theme's lessons from other places);
    without one, every lesson of the trips there, grouped by report, newest first."""
    place, topic = (place or "").strip(), (topic or "").strip()
    if not place and not topic:
        raise SearchError("give a place (place=충칭) or a theme (topic=데이터센터), or both")
    if len(topic) > MAX_QUERY * 4:
        raise SearchError(f"topic is too long ({len(topic)} characters; the limit is {MAX_QUERY * 4})")
    db = base.db
    found = None
    if place:
        found = base.analyzer().gazetteer.lookup(place)
        if found is None:
            raise SearchError(f"unknown place {place!r}: give a city or country name such as 충칭, 구이양 or 중국")
    report_ids = _reports_for(db, found) if found else None
    elsewhere: list[dict] = []
    if topic:
        results = [_lesson(r.to_dict()) for r in base.search(topic, limit=200, filters=Filters(kind=list(LESSONS)))]
        lessons = [x for x in results if report_ids is None or x["report_id"] in report_ids][:MAX_LESSONS]
        if report_ids is None:
            report_ids = list(dict.fromkeys(lesson["report_id"] for lesson in lessons))
        else:  # the theme in other places too
            elsewhere = [x for x in results if x["report_id"] not in report_ids][:ELSEWHERE]
    else:
        lessons = _lessons_of(db, report_ids)
    trips = _trips(db, report_ids)
    return {
        "place": found.name if found else None,
        "topic": topic or None,
        "trips": trips,
        "institutions": _institutions(db, {t["report_id"] for t in trips}),
        "lessons": lessons,
        "elsewhere": elsewhere,
    }


def _reports_for(db, place) -> list[int]:
    """Reports whose destinations include the place (a city, or any city of a country)."""
    if place.kind == "country":
        rows = db.execute(
            "select distinct rp.report_id from report_places rp join places p on p.id = rp.place_id "
            "where rp.role = 'destination' and p.country = ?",
            [place.country],
        )
    else:
        rows = db.execute("select report_id from report_places where role = 'destination' and place_id = ?", [place.id])
    return [r[0] for r in rows]


def _trips(db, report_ids) -> list[dict]:
    if not report_ids:
        return []
    marks = ",".join("?" * len(report_ids))
    trips = []
    for r in db.query(
        f"select id, title, issuer, trip_start, trip_end, traveller_count, places from reports where id in ({marks}) "
        "order by trip_start desc, id desc",
        list(report_ids),
    ):
        travellers = [
            p["name"] for p in db.query("select name from participants where report_id = ? order by seq", [r["id"]])
        ]
        institutions = [
            i["name"] for i in db.query("select name from institutions where report_id = ? order by id", [r["id"]])
        ]
        trips.append(
            {
                "report_id": r["id"],
                "title": r["title"],
                "issuer": r["issuer"],
                "trip_start": r["trip_start"],
                "trip_end": r["trip_end"],
                "traveller_count": r["traveller_count"],
                "travellers": travellers,
                "cities": json.loads(r["places"] or "[]"),
                "institutions": institutions,
            }
        )
    return trips


def _institutions(db, report_ids: set[int]) -> list[dict]:
    """The institutions these trips visited, each with all its visits (also by other trips)."""
    out = []
    for i in all_institutions(db):
        if report_ids & {v.report_id for v in i.visits}:
            visits = [{"report_id": v.report_id, "date": v.date, "report_title": v.report_title} for v in i.visits]
            out.append({"id": i.id, "name": i.name, "city": i.city, "visits": visits})
    return out


def _lessons_of(db, report_ids) -> list[dict]:
    if not report_ids:
        return []
    marks = ",".join("?" * len(report_ids))
    kinds = ",".join("?" * len(LESSONS))
    rows = db.query(
        f"select c.id as chunk_id, c.report_id, r.title as report_title, c.kind, c.section, c.text, i.name as institution "
        f"from chunks c join reports r on r.id = c.report_id left join institutions i on i.id = c.institution_id "
        f"where c.report_id in ({marks}) and c.kind in ({kinds}) order by r.trip_start desc, c.report_id desc, c.seq",
        [*report_ids, *LESSONS],
    )
    return [_lesson(r) for r in rows][:MAX_LESSONS]


def _lesson(r: dict) -> dict:
    return {k: r.get(k) for k in LESSON_FIELDS}


def to_markdown(b: dict) -> str:
    """The brief as a Markdown document, to paste into a 출장계획서."""
    what = " · ".join(x for x in (b["place"], b["topic"]) if x)
    lines = [f"# 출장 전 참고자료: {what}", ""]
    lines += ["## 이전 출장", ""]
    for t in b["trips"] or []:
        dates = f"{t['trip_start'] or '?'} ~ {t['trip_end'] or '?'}"
        lines.append(f"- **{t['title'] or '제목 없음'}** ({dates}, {t['issuer'] or '발행 기관 미상'})")
        if t["travellers"] or t["traveller_count"]:
            lines.append(
                f"  - 출장자: {', '.join(t['travellers']) or ''} ({t['traveller_count'] or len(t['travellers'])}명)"
            )
        if t["institutions"]:
            lines.append(f"  - 방문 기관: {', '.join(t['institutions'])}")
    if not b["trips"]:
        lines.append("- (없음)")
    lines += ["", "## 방문 기관", ""]
    for i in b["institutions"]:
        dates = ", ".join(v["date"] or "?" for v in i["visits"])
        lines.append(f"- {i['name']} ({i['city'] or ''}; {dates})")
    lines += ["", "## 시사점과 주요성과", ""]
    report = None
    for lesson in b["lessons"]:
        if lesson["report_id"] != report and not b["topic"]:
            report = lesson["report_id"]
            lines += [f"### {lesson['report_title']}", ""]
        where = " › ".join(x for x in (lesson["section"], lesson["institution"]) if x)
        lines.append(f"- [{KIND_LABELS.get(lesson['kind'], lesson['kind'])}] {where}")
        lines += [f"  > {line}" for line in lesson["text"].splitlines() if line.strip()]
    if b.get("elsewhere"):
        lines += ["", "## 다른 곳의 관련 내용", ""]
        for lesson in b["elsewhere"]:
            lines.append(
                f"- [{KIND_LABELS.get(lesson['kind'], lesson['kind'])}] {lesson['report_title']} › {lesson['section']}"
            )
            lines += [f"  > {line}" for line in lesson["text"].splitlines() if line.strip()]
    return "\n".join(lines) + "\n"


def to_csv(b: dict) -> str:
    """The lessons as CSV for Excel."""
    return csv_text(b["lessons"], LESSON_FIELDS)
