"""kb.ingest: the two sample reports, idempotence, bad files, kills and races."""

from __future__ import annotations

import json
import os
import resource
import signal
import sqlite3
import subprocess
import sys
import time
import unicodedata
from pathlib import Path

import sqlite_utils

from kb.ingest import ingest
from kb.report import PARSER_VERSION

from conftest import REPORT_2018, REPORT_2019, REPORTS


def _report(db: sqlite_utils.Database, year: int) -> dict:
    return next(db.query("select * from reports where year = ?", [year]))


def _places(db, report_id: int, role: str = "destination") -> set[str]:
    sql = "select p.name from report_places rp join places p on p.id = rp.place_id where rp.report_id = ? and rp.role = ? and p.kind = 'city'"
    return {r["name"] for r in db.query(sql, [report_id, role])}


def test_sample_reports_metadata(sample_db_path):
    db = sqlite_utils.Database(sample_db_path)
    assert db["reports"].count == 2
    r19 = _report(db, 2019)
    assert (r19["trip_start"], r19["trip_end"]) == ("2019-12-22", "2019-12-27")
    assert _places(db, r19["id"]) == {"충칭", "구이양"}
    assert json.loads(r19["countries"]) == ["중국"]
    assert r19["traveller_count"] == 14
    assert db["participants"].count_where("report_id = ?", [r19["id"]]) == 14
    assert r19["issuer"] == "고양시의회"

    r18 = _report(db, 2018)
    assert (r18["trip_start"], r18["trip_end"]) == ("2018-08-21", "2018-08-24")
    assert _places(db, r18["id"]) == {"충칭", "청두"}
    assert r18["traveller_count"] == 3
    assert r18["title"] == "2018 중국 충칭·청두 공무국외출장 결과보고서"
    people = list(
        db.query("select name, position, affiliation from participants where report_id = ? order by seq", [r18["id"]])
    )
    # The ditto marks (") of the table resolve to the row above.
    assert people[1] == {"name": "채우석", "position": "기획행정위원회 부위원장", "affiliation": "고양시의회"}


def test_guiyang_variants_are_one_place(sample_db_path):
    """The 2019 report writes 귀양 as often as 구이양: both are the one city."""
    db = sqlite_utils.Database(sample_db_path)
    r19 = _report(db, 2019)
    guiyang = next(db.query("select id from places where name_en = 'Guiyang'"))["id"]
    mentions = next(
        db.query("select mentions from report_places where report_id = ? and place_id = ?", [r19["id"], guiyang])
    )["mentions"]
    source = db["sources"].get(r19["id"])["text"]
    assert mentions == source.count("귀양") + source.count("구이양")
    chunk_places = {
        r["name"]
        for r in db.query(
            "select distinct p.name from chunks c join places p on p.id = c.place_id where c.report_id = ? and c.text like '%귀양%'",
            [r19["id"]],
        )
    }
    assert "구이양" in chunk_places


def test_visited_institutions(sample_db_path):
    db = sqlite_utils.Database(sample_db_path)
    r19 = _report(db, 2019)
    rows = {
        r["name"]: r
        for r in db.query(
            "select i.name, i.visit_date, p.name as city from institutions i left join places p on p.id = i.place_id where report_id = ?",
            [r19["id"]],
        )
    }
    assert rows["시엔타오 빅데이터밸리"]["visit_date"] == "2019-12-23"
    assert rows["시엔타오 빅데이터밸리"]["city"] == "충칭"
    assert rows["구이양 빅데이터전람관"]["visit_date"] == "2019-12-24"
    assert rows["구이양 빅데이터전람관"]["city"] == "구이양"
    assert rows["충칭 우전대학교"]["visit_date"] == "2019-12-26"
    r18 = _report(db, 2018)
    rows18 = {
        r["name"]: r for r in db.query("select name, visit_date from institutions where report_id = ?", [r18["id"]])
    }
    assert rows18["2018 중국국제스마트산업박람회(Smart China Expo)"]["visit_date"] == "2018-08-23"
    assert rows18["충칭 시엔타오빅데이터밸리"]["visit_date"] == "2018-08-24"


def test_implication_chunks(sample_db_path):
    """☞ 주요 시사점, ○ 시사점 and the VI/Ⅵ 결론 및 시사점 blocks become implication chunks,
    each holding whole items and nothing of another kind."""
    db = sqlite_utils.Database(sample_db_path)
    rows = list(
        db.query("select c.*, r.year from chunks c join reports r on r.id = c.report_id where kind = 'implication'")
    )
    sections = {(r["year"], r["section"].split(" › ")[-1]) for r in rows}
    assert (2018, "주요 시사점") in sections
    assert (2018, "Ⅵ 방문성과 및 시사점") in sections
    assert (2019, "시사점") in sections
    assert any(y == 2019 and s.startswith("Ⅵ 결론 및 시사점") or y == 2019 and "총평" in s for y, s in sections)
    for r in rows:
        source = db["sources"].get(r["report_id"])["text"]
        assert "시사점" in r["section"]
        # Each chunk is whole: it starts at a bullet and ends at a sentence or item end.
        first = source[r["char_start"] : r["char_end"]].lstrip()[0]
        assert first in "-○‣※*", r["text"][:40]
        # Nothing from the visit facts or the background slipped in.
        assert "방문목적" not in r["text"] and "일 시" not in r["text"]
    texts = "\n".join(r["text"] for r in rows)
    assert "데이터센터 운영에 적합" in texts  # ☞ 주요 시사점, 2018
    assert "실시간 주차‧교통현황" in texts  # ○ 시사점, 2019
    assert "빅데이터 거래와 유통의 활성화" in texts  # Ⅵ 결론 및 시사점, reflowed


def test_chunk_offsets_point_into_source(sample_db_path):
    db = sqlite_utils.Database(sample_db_path)
    for c in db.query(
        "select c.text, c.char_start, c.char_end, s.text as source from chunks c join sources s using (report_id)"
    ):
        span = c["source"][c["char_start"] : c["char_end"]]
        words = [w for w in c["text"].split() if len(w) > 3 and "|" not in w][:3]
        for w in words:
            assert w.strip("-○□‣※*·") in span.replace("\n", "") or w in " ".join(span.split()), (w, span[:80])


def test_chunk_sizes_and_kinds(sample_db_path):
    db = sqlite_utils.Database(sample_db_path)
    kinds = {r["kind"]: r["n"] for r in db.query("select kind, count(*) n from chunks group by kind")}
    for kind in ("finding", "implication", "visit", "background", "purpose", "itinerary", "participants"):
        assert kinds.get(kind, 0) > 0, kinds
    lengths = [len(r["text"]) for r in db.query("select text from chunks where kind in ('finding', 'implication')")]
    assert max(lengths) <= 700
    assert sum(lengths) / len(lengths) >= 150


def test_reingest_is_a_no_op(db_copy):
    db = sqlite_utils.Database(db_copy)
    before = {t: db[t].count for t in ("reports", "chunks", "institutions", "participants", "report_places", "sources")}
    summary = ingest([REPORTS], db_copy, embed=False)
    assert summary.counts["unchanged"] == 2 and summary.counts["added"] == summary.counts["updated"] == 0
    after = {t: db[t].count for t in before}
    assert before == after


def test_a_newer_parser_reads_unchanged_files_again(db_copy):
    db = sqlite_utils.Database(db_copy)
    db.execute("update reports set parser_version = parser_version - 1, title = 'old parse'")
    db.conn.commit()
    summary = ingest([REPORTS], db_copy, embed=False)
    assert summary.counts["updated"] == 2
    assert all(r["title"] != "old parse" and r["parser_version"] == PARSER_VERSION for r in db["reports"].rows)


def test_changed_file_replaces_its_report(db_copy, tmp_path):
    db = sqlite_utils.Database(db_copy)
    src = tmp_path / REPORT_2018.name
    original = REPORT_2018.read_text(encoding="utf-8")
    src.write_text(original + "\n☞ 주요 시사점\n- 첫 번째 덧붙인 시사점 문장입니다.\n", encoding="utf-8")
    first = ingest([src], db_copy, embed=False)
    assert first.files[0].status == "added"
    rid = first.files[0].report_id
    assert db["chunks"].count_where("report_id = ? and text like '%첫 번째 덧붙인%'", [rid]) == 1
    src.write_text(original + "\n☞ 주요 시사점\n- 두 번째 덧붙인 시사점 문장입니다.\n", encoding="utf-8")
    second = ingest([src], db_copy, embed=False)
    assert second.files[0].status == "updated" and second.files[0].report_id == rid
    assert db["chunks"].count_where("report_id = ? and text like '%첫 번째 덧붙인%'", [rid]) == 0
    assert db["chunks"].count_where("report_id = ? and text like '%두 번째 덧붙인%'", [rid]) == 1
    assert db["chunks"].count_where("report_id = ?", [rid]) == db["reports"].get(rid)["chunk_count"]
    assert db["reports"].count == 3


def test_copy_of_a_stored_file_is_not_stored_twice(db_copy, tmp_path):
    copy = tmp_path / "copy.txt"
    copy.write_bytes(REPORT_2018.read_bytes())
    summary = ingest([copy], db_copy, embed=False)
    assert summary.files[0].status == "duplicate"
    assert "same content as" in summary.files[0].warnings[0]
    assert sqlite_utils.Database(db_copy)["reports"].count == 2


def test_bad_files_are_named_and_skipped(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "empty.txt").write_bytes(b"")
    (folder / "blank.txt").write_text("  \n\n\t\n", encoding="utf-8")
    (folder / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)
    (folder / "noise.txt").write_bytes(bytes(b for b in os.urandom(4000) if b >= 0x80))
    (folder / "broken.txt").symlink_to(folder / "missing-target.txt")
    (folder / "good.txt").write_bytes(REPORT_2019.read_bytes())
    db_path = tmp_path / "kb.db"
    summary = ingest([folder, tmp_path / "nowhere"], db_path, embed=False)
    by_name = {Path(f.path).name: f for f in summary.files}
    assert by_name["good.txt"].status == "added"
    assert "no text" in by_name["empty.txt"].error
    assert "no text" in by_name["blank.txt"].error
    assert "binary" in by_name["binary.txt"].error
    assert by_name["noise.txt"].status == "failed" and (
        "undecodable" in by_name["noise.txt"].error or "binary" in by_name["noise.txt"].error
    )
    assert by_name["broken.txt"].status == "skipped" and "broken symbolic link" in by_name["broken.txt"].error
    assert "no such file" in by_name["nowhere"].error
    assert summary.failed
    db = sqlite_utils.Database(db_path)
    assert db["reports"].count == 1


def test_encodings_give_the_same_report(tmp_path):
    """UTF-8 with BOM, UTF-16 with BOM and NFD text all store the same NFC chunks."""
    text = REPORT_2018.read_text(encoding="utf-8")
    variants = {
        "bom.txt": b"\xef\xbb\xbf" + text.encode("utf-8"),
        "utf16.txt": text.encode("utf-16"),
        "nfd.txt": unicodedata.normalize("NFD", text).encode("utf-8"),
    }
    for name, data in variants.items():
        (tmp_path / name).write_bytes(data)
    db_path = tmp_path / "kb.db"
    summary = ingest([REPORT_2018, *(tmp_path / name for name in variants)], db_path, embed=False)
    assert [f.status for f in summary.files] == ["added"] * 4, summary.to_dict()
    db = sqlite_utils.Database(db_path)

    def texts(name: str) -> list[str]:
        sql = "select c.text from chunks c join reports r on r.id = c.report_id where r.path like ? order by c.seq"
        return [r["text"] for r in db.query(sql, [f"%{name}"])]

    expected = texts(REPORT_2018.name)
    assert expected
    for name in variants:
        got = texts(name)
        assert got == expected, name
        assert all(unicodedata.is_normalized("NFC", t) for t in got)


def test_cp949_with_syllables_euc_kr_lacks(tmp_path):
    text = "Ⅰ 출장 개요\n○ 출장기간 : 2020. 1. 6.(월) ~ 1. 9.(목)\n○ 출장지역 : 태국 방콕\n\nⅡ 시사점\n- 똠양꿍 식당 거리의 관광 활성화 사례를 참고할 필요가 있음.\n"
    data = text.replace("Ⅰ", "I").replace("Ⅱ", "II").encode("cp949")
    try:
        data.decode("euc-kr")
        raise AssertionError("the fixture should hold a syllable EUC-KR lacks")
    except UnicodeDecodeError:
        pass
    path = tmp_path / "legacy.txt"
    path.write_bytes(data)
    db_path = tmp_path / "kb.db"
    summary = ingest([path], db_path, embed=False)
    assert summary.files[0].status == "added", summary.to_dict()
    db = sqlite_utils.Database(db_path)
    assert db["reports"].get(1)["encoding"] == "cp949"
    assert "똠양꿍" in next(db.query("select text from chunks where kind = 'implication'"))["text"]
    assert db["reports"].get(1)["trip_start"] == "2020-01-06"


def test_report_without_headings_is_stored_with_a_warning(tmp_path):
    path = tmp_path / "memo.txt"
    path.write_text(
        "출장 메모\n\n현지 기관은 데이터센터 유치를 위해 전기요금을 낮추었다.\n\n우리 시도 비슷한 정책을 검토할 만하다.\n",
        encoding="utf-8",
    )
    summary = ingest([path], tmp_path / "kb.db", embed=False)
    f = summary.files[0]
    assert f.status == "added" and f.chunks >= 1
    assert any("no recognisable section headings" in w for w in f.warnings)
    kinds = {r["kind"] for r in sqlite_utils.Database(tmp_path / "kb.db").query("select kind from chunks")}
    assert kinds == {"text"}


def _big_reports(folder: Path, n: int, copies: int) -> None:
    """Large distinct reports, so each one's write transaction takes a while."""
    body = REPORT_2019.read_text(encoding="utf-8")
    folder.mkdir()
    for i in range(n):
        (folder / f"r{i:02d}.txt").write_text("\n".join([body] * copies) + f"\n- 보고서 번호 {i}.\n", encoding="utf-8")


def _consistent(db_path: Path) -> int:
    db = sqlite_utils.Database(db_path)
    assert db.execute("pragma integrity_check").fetchone()[0] == "ok"
    db.execute("insert into chunk_terms(chunk_terms) values('integrity-check')")
    for r in db.query("select id, chunk_count from reports"):
        assert db["chunks"].count_where("report_id = ?", [r["id"]]) == r["chunk_count"]
        assert db["sources"].count_where("report_id = ?", [r["id"]]) == 1
    return db["reports"].count


def _writer_busy(db_path: Path) -> bool:
    """Whether another process holds the write lock (is inside a write transaction)."""
    conn = sqlite3.connect(db_path, timeout=0)
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("ROLLBACK")
        return False
    except sqlite3.OperationalError:
        return True
    finally:
        conn.close()


def test_killed_ingest_leaves_the_database_as_before(tmp_path):
    db_path = tmp_path / "kb.db"
    ingest([REPORT_2018], db_path, embed=False)  # an existing database with one report
    folder = tmp_path / "many"
    _big_reports(folder, 6, 12)
    killed_in_transaction = False
    for _ in range(3):
        proc = subprocess.Popen(
            [sys.executable, "-m", "kb.cli", "ingest", str(folder), "--db", str(db_path), "--no-embed"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.time() + 120
        while time.time() < deadline and proc.poll() is None:
            if _writer_busy(db_path):
                proc.send_signal(signal.SIGKILL)
                killed_in_transaction = True
                break
            time.sleep(0.0005)
        proc.wait()
        if killed_in_transaction:
            break
    assert killed_in_transaction, "never caught the ingest inside a write transaction"
    stored = _consistent(db_path)
    assert 1 <= stored < 7
    assert sqlite_utils.Database(db_path)["reports"].count_where("path like '%2018-%'") == 1
    # Running again finishes the job.
    summary = ingest([folder], db_path, embed=False)
    assert not summary.failed
    assert _consistent(db_path) == 7


def test_two_ingests_of_one_folder_at_once(tmp_path):
    folder = tmp_path / "many"
    _big_reports(folder, 4, 2)
    db_path = tmp_path / "kb.db"
    cmd = [sys.executable, "-m", "kb.cli", "ingest", str(folder), "--db", str(db_path), "--json", "--no-embed"]
    procs = [subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outs = [p.communicate(timeout=300) for p in procs]
    for p, (_out, err) in zip(procs, outs, strict=True):
        assert p.returncode == 0, err
    counts = [json.loads(out)["counts"] for out, _ in outs]
    assert sum(c["added"] for c in counts) == 4, outs
    assert sum(c["added"] + c["unchanged"] for c in counts) == 8, outs
    assert _consistent(db_path) == 4


def test_a_report_on_one_line_is_chunked_with_a_warning(tmp_path):
    one = tmp_path / "one-line.txt"
    one.write_text(" ".join(REPORT_2019.read_text(encoding="utf-8").split()), encoding="utf-8")
    summary = ingest([one], tmp_path / "kb.db", embed=False)
    result = summary.files[0]
    assert result.status == "added" and result.chunks >= 10
    assert any("line breaks" in w for w in result.warnings)


def test_disk_full_while_embedding_keeps_the_reports_and_says_so(tmp_path):
    """The write-ahead log may not grow (as on a full disk) once the reports are in:
    the summary still prints, with one line on what failed, and no traceback."""
    db = tmp_path / "kb.db"
    stored = subprocess.run(
        [sys.executable, "-m", "kb.cli", "ingest", str(REPORTS), "--db", str(db), "--no-embed"],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert stored.returncode == 0, stored.stderr
    full = subprocess.run(
        [sys.executable, "-m", "kb.cli", "ingest", str(REPORTS), "--db", str(db)],
        capture_output=True, text=True, timeout=300,
        preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (40960, 40960)),
    )  # fmt: skip
    assert full.returncode == 1
    assert "2 unchanged" in full.stdout  # the summary is not lost
    assert "embedding failed" in full.stderr and "full" in full.stderr
    assert "Traceback" not in full.stderr
    assert sqlite_utils.Database(db)["reports"].count == 2
