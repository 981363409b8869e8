"""What the knowledge base holds, for its home page: how many reports, trips by country,
city and year, and the newest reports."""

from __future__ import annotations

import json
from collections import Counter

import sqlite_utils

from kb.institutions import all_institutions

NEWEST = 5


def overview(db: sqlite_utils.Database) -> dict:
    """Counts and lists for the home page; trips are counted once per report."""
    reports = db.execute("select id, title, issuer, trip_start, year, countries, places from reports").fetchall()
    countries, cities, years = Counter(), Counter(), Counter()
    for _, _, _, _, year, country_list, city_list in reports:
        countries.update(set(json.loads(country_list or "[]")))
        cities.update(set(json.loads(city_list or "[]")))
        if year:
            years[year] += 1
    newest = sorted(reports, key=lambda r: (r[3] or "", r[0]), reverse=True)[:NEWEST]
    return {
        "reports": len(reports),
        "chunks": db.execute("select count(*) from chunks").fetchone()[0],
        "institutions": len(all_institutions(db)),
        "countries": _ranked(countries),
        "cities": _ranked(cities),
        "years": sorted(years.items(), reverse=True),
        "newest": [{"id": r[0], "title": r[1], "issuer": r[2], "trip_start": r[3]} for r in newest],
    }


def _ranked(counts: Counter) -> list[tuple[str, int]]:
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
