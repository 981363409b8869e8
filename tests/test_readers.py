"""kb.readers: HWPX, HWP, PDF, DOCX and HTML give the same report as the text version;
damaged, locked and hostile files fail with their reason and never stop an ingest."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import formats
import pytest
import sqlite_utils

from kb.ingest import ingest
from kb.readers import ReadError, package, read_bytes, read_document
from kb.readers.layout import Cell, table_lines

from conftest import REPORT_2018, REPORT_2019

HWP_SAMPLES = Path(__file__).parent / "data" / "hwp"
BUILDERS = {
    "hwpx": formats.make_hwpx,
    "hwp": formats.make_hwp,
    "pdf": formats.make_pdf,
    "docx": formats.make_docx,
    "html": formats.make_html,
}


@pytest.fixture(scope="module")
def fonts() -> None:
    """The PDF builder's fonts; `make test` installs them (see formats.KOREAN_FONTS)."""
    try:
        formats.font_paths()
    except formats.MissingFont as e:
        pytest.fail(str(e))


def build(fmt: str, source: Path, folder: Path, request: pytest.FixtureRequest) -> Path:
    if fmt == "pdf":
        request.getfixturevalue("fonts")
    path = folder / f"{source.stem}.{fmt}"
    path.write_bytes(BUILDERS[fmt](source.read_text(encoding="utf-8")))
    return path


def stored_reports(db_path: Path) -> dict[str, dict]:
    """What the comparisons look at, per source file name without its extension."""
    db = sqlite_utils.Database(db_path)
    out = {}
    for r in db.query("select * from reports"):
        places = db.query(
            "select p.name from report_places rp join places p on p.id = rp.place_id"
            " where rp.report_id = ? and rp.role = 'destination'",
            [r["id"]],
        )
        chunks = db.query(
            "select text from chunks where report_id = ? and kind = 'implication' order by seq", [r["id"]]
        )
        out[Path(r["file_name"]).stem] = {
            "title": r["title"],
            "trip": (r["trip_start"], r["trip_end"]),
            "travellers": r["traveller_count"],
            "destinations": sorted(p["name"] for p in places),
            "implications": [re.sub(r"\s+", "", c["text"]) for c in chunks],
            "format": r["format"],
        }
    return out


@pytest.fixture(scope="module")
def text_version(tmp_path_factory) -> dict[str, dict]:
    db_path = tmp_path_factory.mktemp("text") / "kb.db"
    summary = ingest([REPORT_2018, REPORT_2019], db_path, embed=False)
    assert summary.counts["added"] == 2, summary.to_dict()
    reports = stored_reports(db_path)
    assert all(r["implications"] and r["trip"][0] and r["format"] == "text" for r in reports.values())
    return reports


@pytest.mark.parametrize("fmt", list(BUILDERS))
def test_same_report_as_text(fmt, text_version, tmp_path, request):
    folder = tmp_path / "in"
    folder.mkdir()
    for source in (REPORT_2018, REPORT_2019):
        build(fmt, source, folder, request)
    summary = ingest([folder], tmp_path / "kb.db", embed=False)
    assert summary.counts["added"] == 2, summary.to_dict()
    got = stored_reports(tmp_path / "kb.db")
    for name, expected in text_version.items():
        assert got[name].pop("format") == fmt
        expected = {k: v for k, v in expected.items() if k != "format"}
        assert got[name] == expected, f"{fmt}: {name}"


def test_mixed_folder_stores_the_good_and_names_the_bad(tmp_path, request):
    folder = tmp_path / "mixed"
    folder.mkdir()
    good = {build(fmt, REPORT_2019, folder, request).name for fmt in BUILDERS}
    text = REPORT_2019.read_text(encoding="utf-8")
    hwp, docx, hwpx, pdf = (BUILDERS[f](text) for f in ("hwp", "docx", "hwpx", "pdf"))
    bad = {
        "truncated.docx": (docx[: len(docx) // 2], "truncated or corrupt DOCX"),
        "truncated.hwpx": (hwpx[: len(hwpx) // 2], "truncated or corrupt HWPX"),
        "truncated.hwp": (hwp[: len(hwp) // 2], "truncated or corrupt HWP"),
        "truncated.pdf": (pdf[: len(pdf) * 2 // 3], "truncated PDF"),
        "encrypted.pdf": (formats.make_pdf(text[:800], user_password="secret"), "password-protected"),
        "scanned.pdf": (formats.make_image_pdf(), "no text layer"),
        "cid.pdf": (formats.make_cid_pdf(text), "(cid:NN)"),
        "legacy.docx": (formats.make_legacy_doc(), "legacy Word"),
        "legacy.doc": (formats.make_legacy_doc(), "legacy Word"),
        "bomb.docx": (formats.make_zip_bomb("docx"), "zip bomb"),
        "bomb.hwpx": (formats.make_zip_bomb("hwpx"), "zip bomb"),
        "distribution.hwp": (formats.make_hwp(text, distribution=True), "배포용"),
        "encrypted.hwp": (formats.make_hwp(text, encrypted=True), "password-protected"),
        "empty.html": (
            b"<!DOCTYPE html><html><head><title>x</title></head><body><script>1</script></body></html>",
            "no text",
        ),
    }
    for name, (data, _) in bad.items():
        (folder / name).write_bytes(data)
    summary = ingest([folder], tmp_path / "kb.db", embed=False)
    results = {Path(f.path).name: f for f in summary.files}
    assert summary.failed
    for name in good:
        assert results[name].status == "added", (name, results[name].error)
    for name, (_, reason) in bad.items():
        assert results[name].status == "failed", name
        assert reason in results[name].error, (name, results[name].error)
    db = sqlite_utils.Database(tmp_path / "kb.db")
    assert {r["file_name"] for r in db.query("select file_name from reports")} == good


# -- real Hancom files ----------------------------------------------------------------


def test_real_hwp_and_hwpx_give_the_same_text():
    hwp = read_document(HWP_SAMPLES / "sample_document.hwp")
    hwpx = read_document(HWP_SAMPLES / "sample_document.hwpx")
    assert (hwp.format, hwpx.format) == ("hwp", "hwpx")
    lines = [ln for ln in hwp.text.split("\n") if ln]
    assert lines == [ln for ln in hwpx.text.split("\n") if ln]
    assert lines[0] == "동해 물과 백두산이 마르고 닳도록"
    assert lines[-4:] == ["무궁화 삼천리", "화려 강산", "대한 사람 대한으로", "길이 보전하세"]  # a one-cell table


def test_real_password_protected_hwp():
    with pytest.raises(ReadError, match="password-protected"):
        read_document(HWP_SAMPLES / "protected_document.hwp")


# -- layout details -------------------------------------------------------------------


def test_files_are_read_by_content_not_name(tmp_path):
    text = "Ⅰ 출장 개요\n- 출장기간 : 2019. 12. 22.(일) ~ 12. 27.(금)"
    for fmt, name in (("hwp", "report.docx"), ("docx", "report.hwpx"), ("hwpx", "report.txt"), ("html", "report.txt")):
        path = tmp_path / name
        path.write_bytes(BUILDERS[fmt](text))
        doc = read_document(path)
        assert doc.format == fmt
        assert "출장기간 : 2019. 12. 22." in doc.text


def test_text_with_html_tags_stays_text(tmp_path):
    path = tmp_path / "report.txt"
    path.write_text('<input type="checkbox"/> 출장목적\n<p>본문</p>', encoding="utf-8")
    assert read_document(path).format == "text"


def test_tables_keep_merged_cells_on_the_grid():
    cells = [Cell(0, 0, ["일자"]), Cell(0, 1, ["시 간"], colspan=2), Cell(0, 3, ["비고"])]
    cells += [Cell(1, 0, ["제1일"], rowspan=2), Cell(1, 1, ["08:35"]), Cell(1, 2, ["4시간"]), Cell(2, 1, ["12:30"])]
    assert table_lines(cells) == ["일자\t시 간\t\t비고", "제1일\t08:35\t4시간\t", "\t12:30\t\t"]
    # A one-column table is a framed box: its paragraphs stay lines of their own.
    assert table_lines([Cell(0, 0, ["☞ 주요 시사점", "- 첫째", "- 둘째"])]) == ["☞ 주요 시사점", "- 첫째", "- 둘째"]
    # a label's cell of several paragraphs: one row each, the label cell empty after the first
    label_table = [
        Cell(0, 0, ["기관명"]),
        Cell(0, 1, ["HOFOR"]),
        Cell(1, 0, ["주요내용"]),
        Cell(1, 1, ["○ 첫째", "○ 둘째"]),
    ]
    assert table_lines(label_table) == ["기관명\tHOFOR", "주요내용\t○ 첫째", "\t○ 둘째"]


def test_pdf_unruled_columns_become_tabs(tmp_path, fonts):
    path = tmp_path / "columns.pdf"
    path.write_bytes(
        formats.make_columns_pdf([["연번", "성명", "직위", "소속"], ["1", "김수환", "위원장", "고양시의회"]])
    )
    assert read_document(path).text.split("\n") == ["연번\t성명\t직위\t소속", "1\t김수환\t위원장\t고양시의회"]


def test_pdf_with_only_an_owner_password_is_read(tmp_path, fonts):
    """Permissions-only encryption (no password to open) is common in official PDFs."""
    path = tmp_path / "locked.pdf"
    path.write_bytes(formats.make_pdf("Ⅰ 출장 개요\n○ 출장국가 : 중국(충칭시, 구이양시)", owner_password="owner"))
    assert "출장국가 : 중국(충칭시, 구이양시)" in read_document(path).text


def test_html_charset_from_meta(tmp_path):
    path = tmp_path / "page.html"
    path.write_bytes(formats.make_html("Ⅰ 출장 개요\n  ○ 출장국가 : 중국\n연번\t성명\n1\t김수환", charset="euc-kr"))
    doc = read_document(path)
    assert doc.encoding == "cp949"
    assert doc.text.split("\n") == ["Ⅰ 출장 개요", "  ○ 출장국가 : 중국", "연번\t성명", "1\t김수환"]
    assert "스크립트" not in doc.text


def test_html_headings_and_list_items_are_marked_as_the_parser_reads_them(tmp_path):
    path = tmp_path / "export.html"
    path.write_text(
        "<!DOCTYPE html><html><body><h1>요약</h1><p>총 5명이 다녀왔다.</p><h2>1. 출장 개요</h2>"
        "<ul><li><span>목표를 설정</span></li><li>- 이미 표시된 항목</li><ul><li>하위 항목</li></ul></ul>"
        "<table><tr><td>연번</td><td>성명</td></tr></table></body></html>",
        encoding="utf-8",
    )
    assert read_document(path).text.split("\n") == [
        "# 요약",
        "총 5명이 다녀왔다.",
        "## 1. 출장 개요",
        "• 목표를 설정",
        "- 이미 표시된 항목",
        "  • 하위 항목",
        "연번\t성명",
    ]


def test_an_html_table_inside_markdown_becomes_rows_of_cells(tmp_path):
    path = tmp_path / "converted.md"
    path.write_text(
        "**다. 출장자**\n\n<table><tr><td>연번</td><td>성명</td></tr>\n<tr><td>1</td><td>편재석</td></tr></table>\n\n본문\n",
        encoding="utf-8",
    )
    assert read_document(path).text.split("\n") == ["**다. 출장자**", "", "연번\t성명", "1\t편재석", "", "본문", ""]


def test_docx_list_numbering_appears_in_the_text(tmp_path):
    import docx

    document = docx.Document()
    document.add_paragraph("출장 개요", style="List Number")
    document.add_paragraph("출장목적", style="List Bullet")
    document.add_paragraph("출장기간", style="List Number")
    path = tmp_path / "numbered.docx"
    document.save(path)
    assert read_document(path).text.split("\n") == ["1. 출장 개요", "• 출장목적", "2. 출장기간"]


def test_docx_heading_styles_without_numbers_are_marked_by_level(tmp_path):
    import docx

    document = docx.Document()
    document.add_paragraph("미국 자원순환 정책 공무국외출장 결과보고서", style="Title")
    document.add_heading("출장 개요", level=1)
    document.add_heading("출장 목적", level=2)
    document.add_paragraph("제로 웨이스트 조례 조사", style="List Bullet")
    document.add_paragraph("본문 문단")
    path = tmp_path / "headings.docx"
    document.save(path)
    assert read_document(path).text.split("\n") == [
        "미국 자원순환 정책 공무국외출장 결과보고서",
        "# 출장 개요",
        "## 출장 목적",
        "• 제로 웨이스트 조례 조사",
        "본문 문단",
    ]


def test_zip_declared_size_limit(tmp_path, monkeypatch):
    path = tmp_path / "report.docx"
    path.write_bytes(formats.make_docx("Ⅰ 출장 개요"))
    monkeypatch.setattr(package, "MAX_TOTAL", 10_000)
    with pytest.raises(ReadError, match="zip bomb.*declare"):
        read_document(path)


@pytest.mark.parametrize("fmt", ["hwpx", "hwp", "docx", "html"])
def test_no_stray_exceptions_from_damaged_files(fmt):
    """Every cut of a file, and every flipped byte at a sample of places, fails with a
    ReadError or reads: never another exception."""
    data = BUILDERS[fmt]("Ⅰ 출장 개요\n연번\t성명\n1\t김수환\n" * 20)
    path = Path(f"damaged.{fmt}")
    step = max(1, len(data) // 40)
    damaged = [data[:cut] for cut in range(0, len(data), step)]
    damaged += [data[:k] + bytes([data[k] ^ 0xFF]) + data[k + 1 :] for k in range(0, len(data), step)]
    reader = importlib.import_module(f"kb.readers.{fmt}")  # not read_document, whose net catches all
    for broken in damaged:
        try:
            reader.read(path, broken)
        except ReadError:
            pass


def test_zip_read_budget(tmp_path, monkeypatch):
    """A package whose text parts unpack past MAX_READ is refused, however honest its
    declared sizes (a 21 MB .docx of 252 MB XML took 590 s and 3.6 GB)."""
    path = tmp_path / "report.docx"
    path.write_bytes(formats.make_docx("Ⅰ 출장 개요\n" + "본문 문장입니다. " * 2000))
    monkeypatch.setattr(package, "MAX_READ", 10_000)
    with pytest.raises(ReadError, match="unpack to more than 10,000 bytes"):
        read_document(path)


def test_text_size_limit(tmp_path, monkeypatch):
    import kb.readers

    path = tmp_path / "long.txt"
    path.write_text("Ⅰ. 개요\n" + "가나다라 " * 1000, encoding="utf-8")
    monkeypatch.setattr(kb.readers, "MAX_TEXT", 2000)
    with pytest.raises(ReadError, match="characters of text; the limit is 2,000"):
        read_document(path)


def test_file_size_limit(tmp_path):
    path = tmp_path / "big.txt"
    path.write_bytes(b"a" * 5000)
    with pytest.raises(ReadError, match="too large"):
        read_bytes(path, limit=4096)


def test_special_files_are_refused_without_waiting(tmp_path):
    import os

    os.mkfifo(tmp_path / "pipe.txt")
    with pytest.raises(ReadError, match="not a regular file"):
        read_bytes(tmp_path / "pipe.txt")  # opening a FIFO for reading used to wait for a writer
    with pytest.raises(ReadError, match="directory"):
        read_bytes(tmp_path)
