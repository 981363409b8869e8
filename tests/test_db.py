"""Opening databases: read-only commands never write, and a file that is not a kb
database of this version gets one clear line, from the library and from the CLI."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
import time

import pytest
import sqlite_utils

from kb.analysis import Analyzer
from kb.db import SCHEMA_VERSION, bump_generation, connect, generation, open_readonly, schema_version
from kb.errors import DatabaseError, SchemaError
from kb.places import READING

from conftest import run_kb


def _digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def unrelated(tmp_path):
    """Some other application's SQLite file."""
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("create table notes (id integer primary key, body text)")
    conn.execute("insert into notes (body) values ('hello')")
    conn.commit()
    conn.close()
    return path


def test_read_commands_never_change_an_unrelated_database(unrelated):
    before = _digest(unrelated)
    for args in (["search", "빅데이터"], ["export"], ["show", "1"], ["similar", "1"], ["serve", "--port", "1"]):
        out = run_kb(*args, "--db", str(unrelated))
        assert out.returncode == 2, (args, out.stdout, out.stderr)
        assert "not a kb database" in out.stderr and "Traceback" not in out.stderr
    assert _digest(unrelated) == before
    assert sqlite_utils.Database(unrelated).table_names() == ["notes"]


def test_ingest_refuses_an_unrelated_database(unrelated, tmp_path):
    (tmp_path / "r.txt").write_text("Ⅰ. 개요\n보고서", encoding="utf-8")
    with pytest.raises(DatabaseError, match="not a kb database"):
        connect(unrelated)
    assert sqlite_utils.Database(unrelated).table_names() == ["notes"]


@pytest.mark.parametrize("damage", ["garbage", "truncated", "empty"])
def test_damaged_files_get_a_message(sample_db_path, tmp_path, damage):
    path = tmp_path / "kb.db"
    data = sample_db_path.read_bytes()
    path.write_bytes({"garbage": b"not sqlite at all" * 100, "truncated": data[:8192], "empty": b""}[damage])
    with pytest.raises(DatabaseError, match="not a kb database"):
        open_readonly(path)
    for args in (["search", "빅데이터"], ["serve"]):
        out = run_kb(*args, "--db", str(path))
        assert out.returncode == 2 and "not a kb database" in out.stderr and "Traceback" not in out.stderr


def test_an_older_schema_is_named_and_upgraded_only_by_writing(db_copy):
    conn = sqlite3.connect(db_copy)
    conn.execute(f"pragma user_version = {SCHEMA_VERSION - 1}")  # as an older kb left it
    conn.commit()
    conn.close()
    with pytest.raises(SchemaError, match="kb migrate"):
        open_readonly(db_copy)
    out = run_kb("search", "빅데이터", "--db", str(db_copy))
    assert out.returncode == 2 and "run kb migrate" in out.stderr
    assert schema_version(db_copy) == SCHEMA_VERSION - 1  # still: reading changed nothing
    migrated = run_kb("migrate", "--db", str(db_copy))
    assert migrated.returncode == 0, migrated.stderr
    assert schema_version(db_copy) == SCHEMA_VERSION
    open_readonly(db_copy).close()


def test_a_newer_schema_is_refused(db_copy):
    conn = sqlite3.connect(db_copy)
    conn.execute(f"pragma user_version = {SCHEMA_VERSION + 1}")
    conn.commit()
    conn.close()
    for open_ in (open_readonly, connect):
        with pytest.raises(SchemaError, match="newer"):
            open_(db_copy)
    out = run_kb("ingest", str(db_copy.parent), "--db", str(db_copy), "--no-embed")
    assert out.returncode == 2 and "upgrade kb" in out.stderr and "Traceback" not in out.stderr


def test_readonly_connections_cannot_write(sample_db_path):
    db = open_readonly(sample_db_path)
    try:
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            db.execute("delete from chunks")
    finally:
        db.close()


def test_generation_counts_writes(tmp_path):
    db = connect(tmp_path / "kb.db")
    start = generation(db)
    with db.conn:
        bump_generation(db)
        bump_generation(db)
    assert generation(db) == start + 2
    assert db.execute("pragma journal_mode").fetchone()[0] == "wal"


def test_a_database_that_cannot_be_made_is_a_message(tmp_path):
    (tmp_path / "a-file").write_text("x")
    with pytest.raises(DatabaseError, match="cannot create"):
        connect(tmp_path / "a-file" / "kb.db")


def test_migration_4_drops_the_absolute_part_of_stored_paths(db_copy):
    db = sqlite_utils.Database(db_copy)
    ids = [r[0] for r in db.execute("select id from reports order by id")]
    with db.conn:
        db.execute("update reports set path = '/home/kim/보고서/2018.txt' where id = ?", [ids[0]])
        db.execute("update reports set path = 'C:\\Users\\kim\\보고서\\2018.txt' where id = ?", [ids[1]])
        db.execute("pragma user_version = 3")  # as before migration 4
    db.close()
    connect(db_copy).close()
    paths = [r[0] for r in sqlite_utils.Database(db_copy).execute("select path from reports order by id")]
    assert paths == ["보고서/2018.txt", "kim/보고서/2018.txt"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes to read-only files")
def test_a_read_only_database_is_a_message(db_copy):
    os.chmod(db_copy, 0o444)
    try:
        out = run_kb("ingest", str(db_copy.parent), "--db", str(db_copy), "--no-embed")
        assert out.returncode == 2 and "read-only" in out.stderr and "Traceback" not in out.stderr
        assert run_kb("export", "--db", str(db_copy)).returncode == 0  # reading still works
    finally:
        os.chmod(db_copy, 0o644)


def test_migration_5_drops_the_unicode61_index(db_copy):
    """A database made before migration 5 had chunks_fts and its triggers; a new one never has them."""
    db = sqlite_utils.Database(db_copy)
    with db.conn:
        db["chunks"].enable_fts(["text", "section"], create_triggers=True, tokenize="unicode61")
        db.execute("pragma user_version = 4")
    db.close()
    connect(db_copy).close()
    names = {r[0] for r in sqlite_utils.Database(db_copy).execute("select name from sqlite_master")}
    assert not {n for n in names if n.startswith("chunks_fts") or n in ("chunks_ai", "chunks_ad", "chunks_au")}
    assert "chunk_terms" in names


def _stale_then_migrated(path, column: str, cid: int, version: int) -> tuple[str, bool]:
    """One chunk's ``column`` of ``chunk_terms`` made stale in a database set back to
    schema ``version``, then opened (migrated): that column's value now, and whether the
    database id changed (index files holding the old terms are then built again)."""
    db = sqlite_utils.Database(path)
    old_id = db.execute("select value from kb_meta where key = 'database_id'").fetchone()[0]
    with db.conn:
        db.execute(f"update chunk_terms set {column} = 'stale' where rowid = ?", [cid])
        db.execute(f"pragma user_version = {version}")
    db.close()
    connect(path).close()
    db = sqlite_utils.Database(path)
    value = db.execute(f"select {column} from chunk_terms where rowid = ?", [cid]).fetchone()[0]
    return value, db.execute("select value from kb_meta where key = 'database_id'").fetchone()[0] != old_id


def test_migration_10_analyses_every_chunk_again(db_copy):
    """Terms stored before irregular stems were kept are read again."""
    cid, terms = (
        sqlite_utils.Database(db_copy).execute("select rowid, terms from chunk_terms order by rowid limit 1").fetchone()
    )
    assert _stale_then_migrated(db_copy, "terms", cid, 9) == (terms, True)


def test_migration_12_adds_each_reports_issuer_to_its_chunks_context(db_copy):
    """A database made before chunks' context held their report's issuer gets it."""
    db = sqlite_utils.Database(db_copy)
    cid, issuer = db.execute(
        "select c.id, r.issuer from chunks c join reports r on r.id = c.report_id "
        "where r.issuer is not null and instr(r.title, r.issuer) = 0 order by c.id limit 1"
    ).fetchone()
    context, renewed = _stale_then_migrated(db_copy, "section_terms", cid, 11)
    assert renewed and "stale" not in context.split()
    assert set(Analyzer.from_db(db, lazy=True).terms(issuer)) <= set(context.split())


def test_migration_13_adds_place_names_without_diacritics_and_keeps_the_users(db_copy):
    db = sqlite_utils.Database(db_copy)
    with db.conn:
        db.execute("delete from place_aliases where alias in ('Zurich', 'Ulaanbaatar')")
        db.execute(
            "insert into place_aliases(alias, place_id, source, ambiguous) select '취리히시', place_id, 'user', 0 "
            "from place_aliases where alias = '취리히' limit 1"
        )
        db.execute("pragma user_version = 12")
    db.close()
    connect(db_copy).close()
    aliases = {r[0]: r[1] for r in sqlite_utils.Database(db_copy).execute("select alias, source from place_aliases")}
    assert {"Zurich", "Ulaanbaatar"} <= set(aliases)
    assert aliases["취리히시"] == "user"


def test_migration_17_shows_sao_paulo_by_its_standard_korean_name(db_copy):
    db = sqlite_utils.Database(db_copy)
    with db.conn:
        db.execute("update places set name = '상파올로' where name_en = 'São Paulo' and kind = 'city'")
        db.execute("pragma user_version = 16")
    db.close()
    connect(db_copy).close()
    names = [
        r[0] for r in sqlite_utils.Database(db_copy).execute("select name from places where name_en = 'São Paulo'")
    ]
    assert "상파울루" in names and "상파올로" not in names


def test_migration_18_adds_korean_readings_of_chinese_cities(db_copy):
    db = sqlite_utils.Database(db_copy)
    with db.conn:
        db.execute("delete from place_aliases where alias = '중경'")
        db.execute("pragma user_version = 17")
    db.close()
    connect(db_copy).close()
    rows = list(
        sqlite_utils.Database(db_copy).query("select place_id, ambiguous from place_aliases where alias = '중경'")
    )
    assert [r["ambiguous"] for r in rows] == [READING]


def test_migration_19_names_cities_the_gazetteer_has_only_in_latin_letters(db_copy):
    db = sqlite_utils.Database(db_copy)
    with db.conn:
        db.execute("delete from place_aliases where place_id in (select id from places where name = '프라이부르크')")
        db.execute("delete from places where name = '프라이부르크'")
        db.execute("pragma user_version = 18")
    db.close()
    connect(db_copy).close()
    rows = list(sqlite_utils.Database(db_copy).query("select name_en, country from places where name = '프라이부르크'"))
    assert rows == [{"name_en": "Freiburg", "country": "독일"}]


def test_migration_14_embeds_lists_under_their_reports_title(db_copy):
    """A participant list embedded before lists carried their trip's title gets the titled
    text's hash, and `kb migrate` embeds it; index files of the old vectors are dropped."""
    from kb.chunks import content_hash

    db = sqlite_utils.Database(db_copy)
    cid, section, text, titled = db.execute(
        "select c.id, c.section, c.text, c.content_hash from chunks c join reports r on r.id = c.report_id "
        "where c.kind = 'participants' and r.title != '' order by c.id limit 1"
    ).fetchone()
    old_id = db.execute("select value from kb_meta where key = 'database_id'").fetchone()[0]
    with db.conn:
        db.execute("update chunks set content_hash = ? where id = ?", [content_hash(section, text), cid])
        db.execute("delete from vectors where content_hash = ?", [titled])
        db.execute("pragma user_version = 13")
    db.close()
    out = run_kb("migrate", "--db", str(db_copy))
    assert out.returncode == 0 and "schema version 13 -> " in out.stdout and "1 chunks embedded" in out.stdout
    db = sqlite_utils.Database(db_copy)
    assert db.execute("select content_hash from chunks where id = ?", [cid]).fetchone()[0] == titled
    assert db.execute("select 1 from vectors where content_hash = ?", [titled]).fetchone()
    assert db.execute("select value from kb_meta where key = 'database_id'").fetchone()[0] != old_id


def test_migration_15_embeds_lists_under_their_title_and_issuer(db_copy):
    """A participant list hashed under its title alone (migration 14) gets the hash of its
    title with its issuing body, where the title does not name it, and `kb migrate` embeds it."""
    from kb.chunks import content_hash, passage_title

    db = sqlite_utils.Database(db_copy)
    with db.conn:  # a title that does not name its body, as a cover's title line may
        db.execute("update reports set title = '중국 충칭·구이양 공무국외출장 결과보고서' where issuer = '고양시의회'")
    cid, section, text, title, issuer = db.execute(
        "select c.id, c.section, c.text, r.title, r.issuer from chunks c join reports r on r.id = c.report_id "
        "where c.kind = 'participants' and r.issuer = '고양시의회' order by c.id limit 1"
    ).fetchone()
    with db.conn:
        db.execute("update chunks set content_hash = ? where id = ?", [content_hash(section, text, title), cid])
        db.execute("pragma user_version = 14")
    db.close()
    out = run_kb("migrate", "--db", str(db_copy))
    assert out.returncode == 0 and "schema version 14 -> " in out.stdout, out.stdout + out.stderr
    wanted = content_hash(section, text, passage_title("participants", title, issuer))
    assert wanted == content_hash(section, text, f"고양시의회 {title}")
    db = sqlite_utils.Database(db_copy)
    assert db.execute("select content_hash from chunks where id = ?", [cid]).fetchone()[0] == wanted
    assert db.execute("select 1 from vectors where content_hash = ?", [wanted]).fetchone()


def test_processes_creating_one_database_at_once_all_succeed(tmp_path):
    """Two ingests started together on a new file: each waits for the other instead of
    failing with "database is locked" (the switch to WAL) or "not a kb database" (kb's
    tables seen before their schema version)."""
    code = (
        "import sys, time; from kb.db import connect; "
        "time.sleep(max(0, float(sys.argv[2]) - time.time())); connect(sys.argv[1]).close()"
    )
    for round_ in range(6):
        path, start = tmp_path / f"new{round_}.db", str(time.time() + 1.5)  # after both have loaded kb
        procs = [
            subprocess.Popen([sys.executable, "-c", code, str(path), start], stderr=subprocess.PIPE, text=True)
            for _ in range(2)
        ]
        errors = [p.communicate(timeout=120)[1] for p in procs]
        assert [p.returncode for p in procs] == [0, 0], errors
        assert schema_version(path) == SCHEMA_VERSION
