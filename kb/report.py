"""Understand one report: parse its layout, read its metadata, cut its chunks and
tie each chunk to its institution and place."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from kb.chunks import Chunk, make_chunks
from kb.metadata import Institution, Metadata, extract, match_institution, name_grouped_visits
from kb.parse import parse
from kb.places import Gazetteer, Place

# Raised whenever a change to parsing changes what is stored: ingest then reads
# unchanged files again instead of keeping what an older parser made of them.
PARSER_VERSION = 36
# A line longer than this is a report whose line breaks were lost (one paragraph per line
# is rarely over 1,000 characters).
LONG_LINE = 3000


@dataclass
class ChunkInfo:
    chunk: Chunk
    institution: Institution | None = None
    place: Place | None = None


@dataclass
class Report:
    text: str
    metadata: Metadata
    chunks: list[ChunkInfo]
    mentions: Counter  # place id -> mentions in the whole text
    warnings: list[str] = field(default_factory=list)

    @property
    def countries(self) -> list[str]:
        out: list[str] = []
        for p in self.metadata.destinations:
            if p.country not in out:
                out.append(p.country)
        return out


def analyse(text: str, gazetteer: Gazetteer) -> Report:
    """Everything kb stores about a report, from its normalised text."""
    parsed = parse(text)
    name_grouped_visits(parsed.blocks, gazetteer)
    md = extract(text, parsed, gazetteer)
    warnings = []
    if not parsed.has_headings:
        warnings.append("no recognisable section headings (Ⅰ., 1., 가., □, # …): stored as generic chunks")
    if not md.trip_start:
        warnings.append("no trip dates found")
    longest = max(map(len, text.split("\n")))
    if longest > LONG_LINE:
        warnings.append(
            f"almost no line breaks (a line of {longest:,} characters): its layout is lost; cut into chunks at sentence ends"
        )
    chunks = [ChunkInfo(c) for c in make_chunks(parsed.blocks)]
    dest = md.destinations
    for info in chunks:
        c = info.chunk
        if c.institution:
            info.institution = match_institution(c.institution, md.institutions, gazetteer)
        info.place = _place_for(c, dest, gazetteer)
    # An institution's city: named in it, else where most of its chunks are.
    for inst in md.institutions:
        if inst.place is None:
            places = Counter(i.place.id for i in chunks if i.institution is inst and i.place and i.place.kind == "city")
            if places:
                inst.place = gazetteer.places[places.most_common(1)[0][0]]
    for info in chunks:
        if info.institution and info.institution.place and (info.place is None or info.place.kind == "country"):
            info.place = info.institution.place
    return Report(text, md, chunks, gazetteer.count(text), warnings)


def _place_for(c: Chunk, dest: list[Place], gazetteer: Gazetteer) -> Place | None:
    """A chunk's place: a city its headings name, else the destination city its text
    mentions most, else a destination country it mentions, else the only destination."""
    dest_ids = {p.id for p in dest}
    dest_countries = {p.country_code for p in dest}
    heading = " ".join(c.section[1:]) + " " + c.place_context
    cities = [m.place for m in gazetteer.find(heading) if m.place.id in dest_ids and m.place.kind == "city"]
    if cities:
        return cities[-1]
    counts = gazetteer.count(c.text)
    in_dest = [(n, pid) for pid, n in counts.items() if pid in dest_ids and gazetteer.places[pid].kind == "city"]
    if in_dest:
        return gazetteer.places[max(in_dest)[1]]
    countries = [
        gazetteer.places[pid]
        for pid in counts
        if gazetteer.places[pid].kind == "country" and gazetteer.places[pid].country_code in dest_countries
    ]
    if countries:
        return countries[0]
    dest_cities = [p for p in dest if p.kind == "city"]
    if len(dest_cities) == 1:
        return dest_cities[0]
    return None
