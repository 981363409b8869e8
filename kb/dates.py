"""Trip dates in the forms Korean reports write them, read into ISO strings.

A date is year (optional), month and day.  The families read:

* dotted / slashed / ISO: ``2019. 9. 23.(월)``, ``2019.12.22.``, ``2016.10.10``, ``2019/12/22``, ``2019-12-22``
* two-digit years after an apostrophe of any kind: ``’23. 3. 6.``, ``'23.3.6.``; a bare ``23. 3. 6.`` only
  as the start of a fully dotted range (``23. 3. 6. ~ 3. 9.``), since ``12. 3. 4.`` alone is often a list
* Korean words: ``2017년 9월 11일``, ``9월 14일(목)``
* yearless ``3. 6.(월)``, ``10/11, Tue`` when the caller knows the year

A range is a date, a separator (``~ ∼ ～ 〜 - – —`` or ``부터 … 까지``) and an end that may drop the year,
the month, or both (``~ 12. 27.``, ``부터 22일까지``); an end before the start crosses into the next
month or year.  Weekdays ``(월)`` and ``(4박 6일)`` / ``[3박 4일]`` tails are skipped.  Markdown escapes
(``\\.``, ``\\~``), ``&nbsp;`` and other odd spaces are cleaned first.
"""

from __future__ import annotations

import datetime as dt
import re

MAX_TRIP_DAYS = 60
_SPACES = {ord(c): " " for c in "\u00a0\u2002\u2003\u2009\u202f\u3000\t"}
_TILDES = {ord(c): "~" for c in "∼～〜→"}  # "2023-09-18 → 2023-09-23" from a note-taking app
_DASHES = {ord(c): "-" for c in "–—−‐"}
_QUOTES = {ord(c): "'" for c in "’‘`´′"}
_CLEAN = {**_SPACES, **_TILDES, **_DASHES, **_QUOTES}

WEEKDAY = r"(?:\s*\(\s*[^()\d]{1,8}?\s*\))"  # (월), ( 화 ), (화요일), (Mon); never (4박 6일) or (총1건)
YEAR4 = r"(?:19|20)\d{2}"


def _date_re(p: str, bare_year: bool) -> str:
    """A date with its groups prefixed by `p`, so a start and an end can share one pattern."""
    bare = rf"|(?P<{p}bare>\d{{2}})\.\s*(?=\d{{1,2}}\.\s*\d{{1,2}}\.)" if bare_year else ""
    return (
        rf"(?<![\d.'])(?:'?(?P<{p}y>{YEAR4})\s*(?:년|[./-])\s*|'(?P<{p}yy>\d{{2}})\s*[./]\s*{bare})?"
        rf"(?P<{p}m>\d{{1,2}})\s*(?P<{p}msep>월|[./-])\s*(?P<{p}d>\d{{1,2}})(?![\d:])\s*(?P<{p}dsep>일|\.)?"
        rf"(?P<{p}wd>{WEEKDAY})?"
    )


END = (
    rf"(?:(?P<ey>{YEAR4})\s*(?:년|[./-])\s*|'(?P<eyy>\d{{2}})\s*[./]\s*)?"
    r"(?:(?P<em>\d{1,2})\s*(?:월|[./-])\s*)?(?P<ed>\d{1,2})(?![\d:]|\s*[박시%])"
)
RANGE = re.compile(_date_re("s", bare_year=True) + r"\s*(?:~|-|부터)\s*" + END)
SINGLE = re.compile(_date_re("", bare_year=False))
NIGHTS = re.compile(r"(\d{1,2})\s*박\s*(\d{1,2})\s*일")
_LABEL_TAIL = r"\s*(?:\([^)]*\))?\s*[:：|\-]?\s*$"
TRIP_LABEL = re.compile(r"(?:출\s*장|연\s*수|방\s*문|여\s*행|체\s*류)\s*(?:기\s*간|일\s*정)" + _LABEL_TAIL)
PLAIN_LABEL = re.compile(r"(?<![가-힣])(?:기\s*간|일\s*정)" + _LABEL_TAIL)  # not 사업기간, 계획기간


def clean(s: str) -> str:
    """Undo what converters leave behind (Markdown escapes, bold, &nbsp;) and unify look-alike characters."""
    s = s.replace("&nbsp;", " ").replace("&#160;", " ").replace("**", "")
    s = re.sub(r"\\([.~\-()\[\]*_])", r"\1", s)
    return s.translate(_CLEAN)


def _iso(y: int, m: int, d: int) -> dt.date | None:
    try:
        return dt.date(y, m, d)
    except ValueError:
        return None


def _year(four: str | None, two: str | None) -> int | None:
    if four:
        return int(four)
    return 2000 + int(two) if two else None


def _start_of(m: re.Match, p: str, fallback: int | None) -> dt.date | None:
    """The date a SINGLE or RANGE match starts with; yearless ones must look like dates, not 3.5% or 1/1."""
    year = _year(m[f"{p}y"], m[f"{p}yy"] or m.groupdict().get(f"{p}bare"))
    if year is None:
        if fallback is None or m[f"{p}msep"] == "-":
            return None
        marked = m[f"{p}dsep"] or m[f"{p}wd"] or m[f"{p}msep"] in "월/"
        date_end = max(m.end(g) for g in (f"{p}d", f"{p}dsep") if m[g])
        followed_by_count = not m[f"{p}wd"] and re.match(r"\s*\(", m.string[date_end:])
        if not marked or followed_by_count:
            return None
        year = fallback
    return _iso(year, int(m[f"{p}m"]), int(m[f"{p}d"]))


def _end_of(m: re.Match, start: dt.date) -> dt.date | None:
    """The range's end; a missing month or year comes from the start, rolling over when the end is earlier."""
    year = _year(m["ey"], m["eyy"])
    month = int(m["em"]) if m["em"] else start.month
    end = _iso(year or start.year, month, int(m["ed"]))
    if end and end < start and year is None:
        if m["em"]:
            end = _iso(start.year + 1, month, int(m["ed"]))  # 2019. 12. 30. ~ 1. 3.
        else:
            y, mo = (start.year, month + 1) if month < 12 else (start.year + 1, 1)
            end = _iso(y, mo, int(m["ed"]))  # 2019. 9. 29. ~ 2.
    return end


def _plausible(start: dt.date | None, end: dt.date | None) -> bool:
    return bool(start and end and 0 <= (end - start).days < MAX_TRIP_DAYS)


def _ranges(line: str, year: int | None) -> list[tuple[re.Match, dt.date, dt.date]]:
    """Every plausible range in one cleaned line, in order."""
    out = []
    for m in RANGE.finditer(line):
        if m["sbare"] and not m["em"]:
            continue  # a bare two-digit year only counts in a fully dotted range
        start = _start_of(m, "s", year)
        end = _end_of(m, start) if start else None
        if _plausible(start, end):
            out.append((m, start, end))
    return out


def _first_single(line: str, year: int | None) -> dt.date | None:
    for m in SINGLE.finditer(line):
        day = _start_of(m, "", year)
        if day:
            return day
    return None


def _label_score(prefix: str) -> int:
    """How surely the text before a date names the trip period: 2 for 출장기간 and kin, 1 for a bare 기간/일정."""
    if TRIP_LABEL.search(prefix):
        return 2
    return 1 if PLAIN_LABEL.search(prefix) else 0


def parse_range(s: str, year: int | None = None) -> tuple[str, str] | None:
    """First date range in one line -> ISO (start, end); `year` is the fallback when the line has none.

    A lone date counts as a one-day range only on a line labelled as the trip period (출장기간: 2019. 5. 3.).
    """
    line = clean(s)
    found = _ranges(line, year)
    if found:
        _, start, end = found[0]
        return start.isoformat(), end.isoformat()
    m = SINGLE.search(line)
    if m and _label_score(line[: m.start()]):
        day = _first_single(line, year)
        return (day.isoformat(), day.isoformat()) if day else None
    return None


def parse_single(s: str, year: int | None = None) -> str | None:
    """One date (a visit's 일시 line, an itinerary day) -> ISO, the year from the text or `year`."""
    day = _first_single(clean(s), year)
    return day.isoformat() if day else None


CLOCK = re.compile(r"(?<![\d:])\d{1,2}:\d{2}(?![\d:])")


def states_date(text: str) -> bool:
    """Whether ``text`` says when something happened: a date with its weekday, year or
    월 (``3. 8.(수)``, ``2020. 1. 2.``, ``9월 14일``) or a clock time (``09:30``); not a
    bare ``3.5`` (a share, a version), which the date pattern alone would take."""
    text = clean(text)
    return bool(CLOCK.search(text)) or any(
        m["wd"] or m["y"] or m["yy"] or m["msep"] == "월" for m in SINGLE.finditer(text)
    )


def _nights_agree(line: str, start: dt.date, end: dt.date) -> bool:
    note = NIGHTS.search(line)
    return bool(note and int(note[2]) == (end - start).days + 1)


def _candidates(line: str, labelled_before: bool, year: int | None = None) -> list[tuple[int, dt.date, dt.date]]:
    """Scored ranges of one line: a trip label before the range, an agreeing 박/일 note and a 4-digit year count."""
    out = []
    for m, start, end in _ranges(line, year):
        label = _label_score(line[: m.start()]) or (2 if labelled_before else 0)
        score = 4 * label + 2 * _nights_agree(line, start, end) + bool(m["sy"])
        out.append((score, start, end))
    if not out:
        m = SINGLE.search(line)
        label = _label_score(line[: m.start()]) if m else 0
        day = _first_single(line, None) if label else None
        if day:
            out.append((4 * label, day, day))
    return out


# A line of prose ending in a date's first part or a range's start: the next line ends it.
_CUT_DATE = re.compile(rf"{YEAR4}\s*년(?:\s*\d{{1,2}}\s*월(?:\s*\d{{1,2}}\s*일(?:\s*부터|\s*~)?)?)?$")


def trip_dates(text: str) -> tuple[str | None, str | None]:
    """The trip's first and last day from a whole report's text. Where no range gives its
    year ("지난 10월 29일(월)부터 11월 5일(월)까지"), the year is the report's first
    (its title's or its date's)."""
    found = _best_range(text)
    if not found and (year := re.search(rf"(?<!\d)({YEAR4})(?!\d)", text)):
        found = _best_range(text, int(year[1]))
    if found:
        return found[1].isoformat(), found[2].isoformat()
    return _departure_and_return(text)


def _best_range(text: str, year: int | None = None) -> tuple[int, dt.date, dt.date] | None:
    """The best scored range of the text's lines; yearless ones only with ``year``."""
    best: tuple[int, dt.date, dt.date] | None = None
    label_pending = False  # a label alone on its line (a table cell) labels the next line
    cut = ""  # the start of a date that a hard line break cut ("… 연수는 2019년")
    for raw in text.split("\n"):
        line = clean(raw).strip()
        if not line:
            continue
        for cand in _candidates(line, label_pending, year) + (_candidates(f"{cut} {line}", False) if cut else []):
            if best is None or cand[0] > best[0]:
                best = cand
        label_pending = bool(TRIP_LABEL.search(line) or PLAIN_LABEL.search(line))
        cut = m.group(0) if (m := _CUT_DATE.search(line)) else ""
    return best


_LEAVE = re.compile(r"떠나|떠났|출발|출국")
_BACK = re.compile(r"돌아오|돌아왔|귀국|귀환|입국")


def _departure_and_return(text: str) -> tuple[str | None, str | None]:
    """A trip told in prose: "10월 16일(월) 인천을 떠나 10월 22일(일) 돌아오는 일정" - the
    date before a departure verb and the date before a return verb, in one sentence."""
    for sentence in re.split(r"(?<=[.!?])\s+|\n\s*\n", clean(text)):
        leave, back = _LEAVE.search(sentence), _BACK.search(sentence)
        if not (leave and back and leave.start() < back.start()):
            continue
        first = [m for m in SINGLE.finditer(sentence[: leave.start()])]
        last = [m for m in SINGLE.finditer(sentence[leave.start() : back.start()])]
        start = parse_single(first[-1].group(0)) if first else None
        if start and last:
            end = parse_single(last[-1].group(0), int(start[:4]))
            if end and 0 <= (dt.date.fromisoformat(end) - dt.date.fromisoformat(start)).days < MAX_TRIP_DAYS:
                return start, end
    return None, None
