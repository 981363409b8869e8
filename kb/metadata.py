"""Report metadata read from the parsed text: title, issuing body, trip dates,
destinations, travellers, purpose and visited institutions."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field

from kb.dates import parse_single, trip_dates
from kb.parse import Block, Parsed
from kb.places import Gazetteer, Place
from kb.textutil import squash

ISSUER = re.compile(r"[가-힣]{1,10}(?:특별자치시|특별자치도|특별시|광역시|시|군|구|도)의회")
DESTINATION = re.compile(r"(?:출장|방문)\s*(?:지역|국가|도시|국|지)\s*(?:및\s*도시)?\s*:\s*(?P<value>.+)")
TRAVELLERS = re.compile(r"(?:출장|방문|참가)\s*(?:인원|자)\s*:\s*총\s*(?P<n>\d+)\s*명")
VISIT_ENTRY = re.compile(r"\[\s*(?:기관|현장)?\s*방문\s*\d*\s*\]\s*(?P<name>.+)")
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
    traveller_count: int | None = None
    participants: list[Participant] = field(default_factory=list)
    purpose: str | None = None
    institutions: list[Institution] = field(default_factory=list)


def _date(y: int, m: int, d: int) -> str | None:
    try:
        return dt.date(int(y), int(m), int(d)).isoformat()
    except ValueError:
        return None


def title_of(text: str, issuer: str | None, year: str | None, places: list[Place]) -> str:
    """The report's title line; failing that, one made from what is known."""
    lines = [ln.strip() for ln in text.split("\n")]
    candidates: Counter = Counter()
    for i, ln in enumerate(lines):
        if "보고서" in ln and len(ln) <= 80 and not ln.startswith(("-", "□", "○")):
            title = ln
            prev = next((p for p in reversed(lines[:i]) if p), "")
            if not re.search(r"\d{4}", ln) and re.match(r"\d{4}\s", prev) and len(prev) < 40:
                title = f"{prev} {ln}"
            candidates[re.sub(r"\s+", " ", title)] += 1
    if candidates:
        # Prefer a title naming the year, then the most repeated (running page headers).
        return max(candidates, key=lambda t: (bool(re.search(r"\d{4}", t)), candidates[t], -len(t)))
    where = "·".join(p.name for p in places if p.kind == "city")
    country = next((p.country for p in places), "")
    parts = [year or "", issuer or "", f"{country} {where}".strip(), "공무국외출장 결과보고서"]
    return " ".join(p for p in parts if p)


def participants_of(parsed: Parsed) -> list[Participant]:
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
            out = []
            for para in item.paras[1:]:
                cells = para.cells or []
                if len(cells) > len(header):  # space-separated rows: the rest is the last column
                    cells = cells[: len(header) - 1] + [" ".join(cells[len(header) - 1 :])]
                get = {
                    f: (cells[i].strip() if i is not None and i < len(cells) and cells[i].strip() else None)
                    for f, i in index.items()
                }
                if get["name"]:
                    out.append(Participant(len(out) + 1, **get))
            if out:
                return out
    return []


def institution_key(name: str, gazetteer: Gazetteer) -> str:
    """A name reduced for matching: no spaces or parentheses, places by canonical name."""
    name = re.sub(r"\([^)]*\)", "", name)
    for m in sorted(gazetteer.find(name, strict=False), key=lambda m: -m.start):
        name = name[: m.start] + m.place.name + name[m.start + len(m.alias) :]
    return squash(name)


def _bigrams(s: str) -> set[str]:
    return {s[i : i + 2] for i in range(len(s) - 1)}


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


def institutions_of(
    text: str, parsed: Parsed, gazetteer: Gazetteer, trip: tuple[str | None, str | None]
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
            date = _date(year, int(m["m"]), int(m["d"]))
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

    for block in parsed.blocks:
        if not block.institution:
            continue
        key = institution_key(block.institution, gazetteer)
        if any(i.key == key for i in out) or any(i.source == "itinerary" and i.key and i.key in key for i in out):
            continue
        date = None
        for item in block.items:
            for para in item.paras:
                m = VISIT_DATE.search(para.text)
                if m:
                    date = parse_single(m["value"], year)
                    break
            if date:
                break
        if not date:
            grams = _bigrams(re.sub(r"^\d{4}", "", key))
            scored = [(len(grams & _bigrams(ln)) / len(grams), d) for d, ln in day_lines if d and grams]
            best = max(scored, default=(0, None))
            date = best[1] if best[0] >= 0.7 else None
        named = [x.place for x in gazetteer.find(block.institution) if x.place.kind == "city"]
        out.append(Institution(block.institution, date, named[0] if named else None, "section", key))
    return out


def match_institution(name: str, institutions: list[Institution], gazetteer: Gazetteer) -> Institution | None:
    key = institution_key(name, gazetteer)
    exact = [i for i in institutions if i.key == key]
    if exact:
        return exact[0]
    return next((i for i in institutions if i.source == "itinerary" and i.key and i.key in key), None)


def destinations_of(text: str, parsed: Parsed, gazetteer: Gazetteer) -> list[Place]:
    """Places the trip went to: the 출장지역/출장국가 line, else the most-mentioned cities."""
    for line in text.split("\n"):
        m = DESTINATION.search(line)
        if m:
            found = _unique(x.place for x in gazetteer.find(m["value"]))
            if found:
                return found
    counts = gazetteer.count(text, kinds=("city",))
    top = [pid for pid, n in counts.most_common(3) if n >= 3]
    cities = [gazetteer.places[pid] for pid in top]
    return _unique(cities)


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


def extract(text: str, parsed: Parsed, gazetteer: Gazetteer) -> Metadata:
    md = Metadata()
    issuers = Counter(ISSUER.findall(text))
    md.issuer = issuers.most_common(1)[0][0] if issuers else None
    md.trip_start, md.trip_end = trip_dates(text)
    year = int(md.trip_start[:4]) if md.trip_start else None
    md.destinations = destinations_of(text, parsed, gazetteer)
    md.title = title_of(text, md.issuer, str(year) if year else None, md.destinations)
    md.participants = participants_of(parsed)
    m = TRAVELLERS.search(text)
    md.traveller_count = int(m["n"]) if m else (len(md.participants) or None)
    md.purpose = purpose_of(parsed.blocks)
    md.institutions = institutions_of(text, parsed, gazetteer, (md.trip_start, md.trip_end))
    return md
