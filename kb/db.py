"""The SQLite database: schema, migrations and connections.

The schema version lives in ``PRAGMA user_version``; :data:`MIGRATIONS` upgrades an
older database step by step, each step in its own transaction, so a later release
opens a database made by an earlier one.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import sqlite_utils

DEFAULT_DB = Path("data/kb.db")

SCHEMA_1 = """
CREATE TABLE reports (
    id INTEGER PRIMARY KEY,
    path TEXT NOT NULL UNIQUE,          -- the file, relative to where kb ran when possible
    file_name TEXT NOT NULL,
    format TEXT NOT NULL,
    encoding TEXT,
    content_hash TEXT NOT NULL,         -- sha256 of the file's bytes
    title TEXT,
    issuer TEXT,                        -- 발행 기관, e.g. 고양시의회
    trip_start TEXT,                    -- ISO date
    trip_end TEXT,
    year INTEGER,
    countries TEXT,                     -- JSON list of Korean country names
    places TEXT,                        -- JSON list of Korean place names
    traveller_count INTEGER,
    purpose TEXT,
    chunk_count INTEGER NOT NULL DEFAULT 0,
    warnings TEXT,                      -- JSON list
    ingested_at TEXT NOT NULL
);
CREATE TABLE sources (
    report_id INTEGER PRIMARY KEY REFERENCES reports(id) ON DELETE CASCADE,
    text TEXT NOT NULL                  -- the normalised text chunk offsets point into
);
CREATE TABLE places (
    id INTEGER PRIMARY KEY,             -- GeoNames id
    name TEXT NOT NULL,                 -- Korean name
    name_en TEXT,
    kind TEXT NOT NULL,                 -- city | country
    country_code TEXT,
    country TEXT,                       -- Korean country name
    population INTEGER,
    latitude REAL,
    longitude REAL
);
CREATE TABLE place_aliases (
    alias TEXT NOT NULL,
    place_id INTEGER NOT NULL REFERENCES places(id),
    source TEXT NOT NULL,               -- geonames | curated | user
    ambiguous INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (alias, place_id)
);
CREATE TABLE report_places (
    report_id INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
    place_id INTEGER NOT NULL REFERENCES places(id),
    role TEXT NOT NULL,                 -- destination | mentioned
    mentions INTEGER NOT NULL,
    PRIMARY KEY (report_id, place_id)
);
CREATE TABLE institutions (
    id INTEGER PRIMARY KEY,
    report_id INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    place_id INTEGER REFERENCES places(id),
    visit_date TEXT,
    source TEXT NOT NULL                -- itinerary | section
);
CREATE TABLE participants (
    id INTEGER PRIMARY KEY,
    report_id INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    name TEXT NOT NULL,
    position TEXT,
    affiliation TEXT,
    role TEXT,
    gender TEXT
);
CREATE TABLE chunks (
    id INTEGER PRIMARY KEY,
    report_id INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    kind TEXT NOT NULL,
    section TEXT,
    institution_id INTEGER REFERENCES institutions(id) ON DELETE SET NULL,
    place_id INTEGER REFERENCES places(id),
    country TEXT,
    year INTEGER,                       -- the trip's year, for facets
    text TEXT NOT NULL,
    char_start INTEGER NOT NULL,
    char_end INTEGER NOT NULL,
    content_hash TEXT NOT NULL
);
CREATE INDEX idx_reports_year ON reports(year);
CREATE INDEX idx_reports_trip_start ON reports(trip_start);
CREATE INDEX idx_place_aliases_place ON place_aliases(place_id);
CREATE INDEX idx_report_places_place ON report_places(place_id);
CREATE INDEX idx_institutions_report ON institutions(report_id);
CREATE INDEX idx_institutions_place ON institutions(place_id);
CREATE INDEX idx_participants_report ON participants(report_id);
CREATE INDEX idx_chunks_report ON chunks(report_id, seq);
CREATE INDEX idx_chunks_kind ON chunks(kind);
CREATE INDEX idx_chunks_place ON chunks(place_id);
CREATE INDEX idx_chunks_country ON chunks(country);
CREATE INDEX idx_chunks_year ON chunks(year);
CREATE INDEX idx_chunks_institution ON chunks(institution_id);
"""


def _migration_1(db: sqlite_utils.Database) -> None:
    """The first schema and a plain FTS5 index on chunks (places are seeded by migration 3)."""
    db.executescript(SCHEMA_1)
    db["chunks"].enable_fts(["text", "section"], create_triggers=True, tokenize="unicode61")


def _migration_2(db: sqlite_utils.Database) -> None:
    """Korean full-text search on morpheme-analysed chunks, and stored vectors."""
    from kb.analysis import Analyzer
    from kb.chunks import content_hash

    db.executescript(SCHEMA_2)
    rows = list(db.query("select id, section, text from chunks"))
    if rows:
        analyzer = Analyzer.from_db(db)
        for r in rows:
            db.execute(
                "update chunks set content_hash = ? where id = ?",
                [content_hash(r["section"] or "", r["text"]), r["id"]],
            )
        index_chunks(db, [(r["id"], *analyzer.chunk_terms(r["text"], r["section"] or "")) for r in rows])


SCHEMA_2 = """
CREATE VIRTUAL TABLE chunk_terms USING fts5(terms, section_terms, tokenize = 'unicode61 remove_diacritics 0');
CREATE VIRTUAL TABLE chunk_terms_vocab USING fts5vocab(chunk_terms, 'row');
CREATE TABLE vectors (
    model TEXT NOT NULL,                -- the embedding model's id
    content_hash TEXT NOT NULL,         -- chunks.content_hash of the embedded text
    vector BLOB NOT NULL,               -- float32, L2-normalised
    PRIMARY KEY (model, content_hash)
);
CREATE TABLE kb_meta (key TEXT PRIMARY KEY, value TEXT);
CREATE INDEX idx_chunks_content_hash ON chunks(content_hash);
"""


def _migration_3(db: sqlite_utils.Database) -> None:
    """The writing unit of a report (e.g. 도시재생과), the parser version each report was
    understood with (a newer parser re-reads unchanged files), and the gazetteer seeded
    anew (spelling-variant families, common nouns that need evidence); aliases a user
    added are kept."""
    db.executescript(
        """
        ALTER TABLE reports ADD COLUMN issuer_unit TEXT;
        ALTER TABLE reports ADD COLUMN parser_version INTEGER NOT NULL DEFAULT 0;
        DELETE FROM place_aliases WHERE source != 'user';
        """
    )
    reseed_places(db)


def reseed_places(db: sqlite_utils.Database) -> None:
    """Insert (or refresh) the seeded places and aliases, keeping the user's."""
    from kb.places import seed_rows

    places, aliases = seed_rows()
    db["places"].insert_all(places, batch_size=1000, replace=True)
    db["place_aliases"].insert_all(aliases, batch_size=2000, ignore=True)


def index_chunks(db: sqlite_utils.Database, rows) -> None:
    """Add (chunk id, terms, section terms) rows, from Analyzer.chunk_terms, to the
    Korean full-text index."""
    db.conn.executemany("insert into chunk_terms(rowid, terms, section_terms) values (?, ?, ?)", rows)


def get_meta(db: sqlite_utils.Database, key: str) -> str | None:
    row = db.execute("select value from kb_meta where key = ?", [key]).fetchone()
    return row[0] if row else None


def set_meta(db: sqlite_utils.Database, key: str, value: str) -> None:
    db.execute("insert or replace into kb_meta(key, value) values (?, ?)", [key, value])


MIGRATIONS: list[Callable[[sqlite_utils.Database], None]] = [_migration_1, _migration_2, _migration_3]
SCHEMA_VERSION = len(MIGRATIONS)


class SchemaError(Exception):
    pass


def connect(path: Path | str, *, create: bool = True) -> sqlite_utils.Database:
    """Open (and if needed create or upgrade) the kb database at ``path``."""
    path = Path(path)
    if not path.exists():
        if not create:
            raise FileNotFoundError(f"database not found: {path} (build it with: kb ingest data/reports --db {path})")
        path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(str(path), timeout=60)
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA busy_timeout = 60000")
    db = sqlite_utils.Database(conn)
    migrate(db)
    return db


def migrate(db: sqlite_utils.Database) -> int:
    """Bring the schema up to date; returns the version it started from."""
    start = db.execute("PRAGMA user_version").fetchone()[0]
    if start > SCHEMA_VERSION:
        raise SchemaError(f"the database has schema version {start}, newer than this kb ({SCHEMA_VERSION}); upgrade kb")
    version = start
    while version < SCHEMA_VERSION:
        # IMMEDIATE takes the write lock first, so two processes opening a new
        # database at once do not both run the same migration.
        db.conn.execute("BEGIN IMMEDIATE")
        try:
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version < SCHEMA_VERSION:
                MIGRATIONS[version](db)
                version += 1
                db.conn.execute(f"PRAGMA user_version = {version}")
            db.conn.execute("COMMIT")
        except BaseException:
            db.conn.execute("ROLLBACK")
            raise
    return start
