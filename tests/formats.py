"""Build report files in every format kb reads from the text of a sample report, and
broken ones, so that the reader tests need no binary fixtures.

The text's lines become paragraphs; runs of tab-separated lines become tables (rows
padded to the table's width, as real tables are). Each builder writes what a real file
of its kind holds: OWPML XML for HWPX, an OLE compound file of zlib-compressed records
for HWP, python-docx output, an fpdf2 PDF with ruled tables whose lines wrap at the page
width inside words (as HWP's character wrapping does), and HTML.
"""

from __future__ import annotations

import html
import io
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

# Korean fonts the PDF builder can use (Debian packages), in order of preference.
KOREAN_FONTS = [
    ("/usr/share/fonts/truetype/nanum/NanumGothic.ttf", "fonts-nanum"),
]
# NanumGothic lacks a few symbols of the reports (‣ ․), which DejaVu Sans has. Neither has
# the few simplified Chinese characters of the 2018 report: the PDF leaves them out, which
# none of the compared fields depends on.
FALLBACK_FONT = ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "fonts-dejavu-core")


class MissingFont(RuntimeError):
    pass


def font_paths() -> tuple[str, str]:
    """The Korean font and the fallback font, or MissingFont naming the apt packages."""
    korean = next((p for p, _ in KOREAN_FONTS if Path(p).exists()), None)
    missing = []
    if korean is None:
        missing.append(f"{KOREAN_FONTS[0][0]} (apt-get install {KOREAN_FONTS[0][1]})")
    if not Path(FALLBACK_FONT[0]).exists():
        missing.append(f"{FALLBACK_FONT[0]} (apt-get install {FALLBACK_FONT[1]})")
    if missing:
        raise MissingFont("the PDF tests need these fonts: " + "; ".join(missing))
    return korean, FALLBACK_FONT[0]


# -- the report as paragraphs and tables ----------------------------------------


@dataclass
class Table:
    rows: list[list[str]]

    @property
    def width(self) -> int:
        return max(len(r) for r in self.rows)

    def padded(self) -> list[list[str]]:
        return [r + [""] * (self.width - len(r)) for r in self.rows]


def blocks(text: str) -> list[str | Table]:
    """Paragraph lines (str) and tables (runs of lines with tabs)."""
    out: list[str | Table] = []
    for line in text.split("\n"):
        if "\t" in line:
            if out and isinstance(out[-1], Table):
                out[-1].rows.append(line.split("\t"))
            else:
                out.append(Table([line.split("\t")]))
        else:
            out.append(line)
    return out


# -- HWPX ------------------------------------------------------------------------

HP = "http://www.hancom.co.kr/hwpml/2011/paragraph"
HS = "http://www.hancom.co.kr/hwpml/2011/section"


def _hwpx_para(text: str) -> str:
    t = html.escape(text, quote=False)
    return f'<hp:p paraPrIDRef="0" styleIDRef="0"><hp:run charPrIDRef="0"><hp:t>{t}</hp:t></hp:run></hp:p>'


def _hwpx_table(table: Table) -> str:
    rows = []
    for r, row in enumerate(table.padded()):
        cells = "".join(
            f'<hp:tc><hp:subList textDirection="HORIZONTAL">{_hwpx_para(cell)}</hp:subList>'
            f'<hp:cellAddr colAddr="{c}" rowAddr="{r}"/><hp:cellSpan colSpan="1" rowSpan="1"/></hp:tc>'
            for c, cell in enumerate(row)
        )
        rows.append(f"<hp:tr>{cells}</hp:tr>")
    tbl = f'<hp:tbl rowCnt="{len(table.rows)}" colCnt="{table.width}">{"".join(rows)}</hp:tbl>'
    return f'<hp:p paraPrIDRef="0" styleIDRef="0"><hp:run charPrIDRef="0">{tbl}<hp:t/></hp:run></hp:p>'


def make_hwpx(text: str) -> bytes:
    # A page header first, which the reader leaves out, then the body.
    head = _hwpx_para("머리말")
    header = f"<hp:p><hp:run><hp:ctrl><hp:header><hp:subList>{head}</hp:subList></hp:header></hp:ctrl></hp:run></hp:p>"
    body = "".join(_hwpx_para(b) if isinstance(b, str) else _hwpx_table(b) for b in blocks(text))
    xml = '<?xml version="1.0" encoding="UTF-8" standalone="yes" ?>'
    section = f'{xml}<hs:sec xmlns:hp="{HP}" xmlns:hs="{HS}">{header}{body}</hs:sec>'
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/hwp+zip", compress_type=zipfile.ZIP_STORED)
        z.writestr("version.xml", '<?xml version="1.0" encoding="UTF-8"?><hv:HCFVersion xmlns:hv="x" major="5"/>')
        z.writestr("META-INF/container.xml", "<container/>")
        z.writestr("Contents/content.hpf", "<package/>")
        z.writestr("Contents/header.xml", "<head/>")
        z.writestr("Contents/section0.xml", section)
    return buf.getvalue()


# -- HWP 5 (OLE compound file) -----------------------------------------------------

ENDOFCHAIN, FREESECT, FATSECT, NOSTREAM = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD, 0xFFFFFFFF


def make_cfb(streams: dict[str, bytes]) -> bytes:
    """A minimal OLE compound file (version 3) holding ``streams`` ("Storage/Stream" paths).

    Streams are padded to 4096 bytes so that none lives in the mini stream: readers take
    the leading bytes they need, and the writer stays small.
    """
    streams = {k: v + b"\0" * max(0, 4096 - len(v)) for k, v in streams.items()}
    # Directory: root, then storages and streams, children as balanced binary trees.
    entries = [{"name": "Root Entry", "type": 5, "kids": [], "data": b""}]
    index = {"": 0}
    for path in sorted(streams):
        parts = path.split("/")
        for depth in range(len(parts)):
            key = "/".join(parts[: depth + 1])
            if key not in index:
                leaf = depth == len(parts) - 1
                index[key] = len(entries)
                entries.append(
                    {"name": parts[depth], "type": 2 if leaf else 1, "kids": [], "data": streams.get(key, b"")}
                )
                entries[index["/".join(parts[:depth])]]["kids"].append(index[key])
    for e in entries:
        e.update(left=NOSTREAM, right=NOSTREAM, child=NOSTREAM)

    def tree(ids: list[int]) -> int:
        if not ids:
            return NOSTREAM
        ids = sorted(ids, key=lambda i: (len(entries[i]["name"]), entries[i]["name"].upper()))
        mid = len(ids) // 2
        entries[ids[mid]]["left"] = tree(ids[:mid])
        entries[ids[mid]]["right"] = tree(ids[mid + 1 :])
        return ids[mid]

    for e in entries:
        e["child"] = tree(e["kids"])
    sectors: list[bytes] = []
    fat: list[int] = []

    def chain(data: bytes) -> int:
        if not data:
            return ENDOFCHAIN
        start = len(sectors)
        n = -(-len(data) // 512)
        for k in range(n):
            sectors.append(data[k * 512 : (k + 1) * 512].ljust(512, b"\0"))
            fat.append(start + k + 1 if k < n - 1 else ENDOFCHAIN)
        return start

    for e in entries:
        e["start"] = chain(e["data"]) if e["type"] == 2 else ENDOFCHAIN
    directory = b"".join(_dir_entry(e) for e in entries)
    directory += _dir_entry(None) * ((-len(entries)) % 4)
    dir_start = chain(directory)
    n_fat = 1
    while len(sectors) + n_fat > n_fat * 128:
        n_fat += 1
    fat_start = len(sectors)
    fat += [FATSECT] * n_fat
    fat += [FREESECT] * (n_fat * 128 - len(fat))
    fat_bytes = struct.pack(f"<{len(fat)}I", *fat)
    for k in range(n_fat):
        sectors.append(fat_bytes[k * 512 : (k + 1) * 512])
    difat = [fat_start + k for k in range(n_fat)] + [FREESECT] * (109 - n_fat)
    header = struct.pack(
        "<8s16sHHHHH6sIIIIIIIII",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
        b"\0" * 16,
        0x3E,
        3,
        0xFFFE,
        9,
        6,
        b"\0" * 6,
        0,
        n_fat,
        dir_start,
        0,
        4096,
        ENDOFCHAIN,
        0,
        ENDOFCHAIN,
        0,
    ) + struct.pack("<109I", *difat)
    return header + b"".join(sectors)


def _dir_entry(e: dict | None) -> bytes:
    if e is None:
        return struct.pack("<64sHBBIII16sIQQIII", b"", 0, 0, 0, NOSTREAM, NOSTREAM, NOSTREAM, b"", 0, 0, 0, 0, 0, 0)
    name = e["name"].encode("utf-16-le") + b"\0\0"
    size = len(e["data"]) if e["type"] == 2 else 0
    return struct.pack(
        "<64sHBBIII16sIQQIII",
        name,
        len(name),
        e["type"],
        1,
        e["left"],
        e["right"],
        e["child"],
        b"",
        0,
        0,
        0,
        e["start"],
        size,
        0,
    )


def _record(tag: int, level: int, data: bytes) -> bytes:
    if len(data) >= 0xFFF:
        return struct.pack("<II", tag | level << 10 | 0xFFF << 20, len(data)) + data
    return struct.pack("<I", tag | level << 10 | len(data) << 20) + data


def _para_text(text: str) -> bytes:
    """PARA_TEXT: UTF-16 with a tab as its 8-unit inline control, ending in 13."""
    out = b""
    for ch in text:
        out += struct.pack("<8H", 9, 0, 0, 0, 0, 0, 0, 9) if ch == "\t" else ch.encode("utf-16-le")
    return out + struct.pack("<H", 13)


def _hwp_para(text: str, level: int, ctrl_mask: int = 0, raw_text: bytes | None = None) -> bytes:
    body = raw_text if raw_text is not None else _para_text(text)
    nchars = len(body) // 2
    header = struct.pack("<IIHBBHHHIH", nchars, ctrl_mask, 0, 0, 0, 1, 0, 1, 0, 0)
    return _record(0x42, level, header) + _record(0x43, level + 1, body)


def _hwp_table(table: Table, level: int) -> bytes:
    rows = table.padded()
    anchor = struct.pack("<H", 11) + b" lbt" + b"\0" * 8 + struct.pack("<H", 11) + struct.pack("<H", 13)
    out = _hwp_para("", level, 1 << 11, anchor)
    out += _record(0x47, level + 1, b" lbt" + b"\0" * 42)  # CTRL_HEADER 'tbl '
    table_rec = struct.pack("<IHHH4H", 0, len(rows), table.width, 0, 0, 0, 0, 0)
    table_rec += struct.pack(f"<{len(rows)}H", *[table.width] * len(rows)) + struct.pack("<H", 1)
    out += _record(0x4D, level + 2, table_rec)
    for r, row in enumerate(rows):
        for c, cell in enumerate(row):
            list_header = struct.pack("<HHIHHHHII4HHI", 1, 0, 0, c, r, 1, 1, 1000, 1000, 0, 0, 0, 0, 1, 0)
            out += _record(0x48, level + 2, list_header)
            out += _hwp_para(cell, level + 2)
    return out


def make_hwp(text: str, *, distribution: bool = False, encrypted: bool = False) -> bytes:
    """An HWP 5 file of the text in two BodyText sections (raw-deflated records)."""
    parts = blocks(text)
    half = len(parts) // 2
    sections = []
    for chunk in (parts[:half], parts[half:]):
        body = b"".join(_hwp_para(b, 0) if isinstance(b, str) else _hwp_table(b, 0) for b in chunk)
        c = zlib.compressobj(9, zlib.DEFLATED, -15)
        sections.append(c.compress(body) + c.flush())
    flags = 0x1 | (0x2 if encrypted else 0) | (0x4 if distribution else 0)
    header = b"HWP Document File".ljust(32, b"\0") + struct.pack("<II", 0x05000300, flags)
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    streams = {"FileHeader": header.ljust(256, b"\0"), "DocInfo": c.compress(b"") + c.flush()}
    store = "ViewText" if distribution else "BodyText"
    for k, data in enumerate(sections):
        streams[f"{store}/Section{k}"] = bytes(b ^ 0x5A for b in data) if distribution else data
    return make_cfb(streams)


def make_legacy_doc() -> bytes:
    """An OLE file as Word 97-2003 writes it (a WordDocument stream)."""
    return make_cfb({"WordDocument": b"\xec\xa5\xc1\x00" + b"\0" * 600, "1Table": b"\0" * 600})


# -- DOCX --------------------------------------------------------------------------


def make_docx(text: str) -> bytes:
    import docx

    document = docx.Document()
    for b in blocks(text):
        if isinstance(b, str):
            document.add_paragraph(b)
        else:
            rows = b.padded()
            table = document.add_table(rows=len(rows), cols=b.width)
            for r, row in enumerate(rows):
                for c, cell in enumerate(row):
                    table.cell(r, c).text = cell
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def make_zip_bomb(kind: str = "docx") -> bytes:
    """A small package whose one member inflates a thousandfold (8 MB of zeros)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        if kind == "hwpx":
            z.writestr(zipfile.ZipInfo("mimetype"), "application/hwp+zip", compress_type=zipfile.ZIP_STORED)
            z.writestr("Contents/section0.xml", b"<hs:sec>" + b" " * (8 << 20) + b"</hs:sec>")
        else:
            z.writestr("[Content_Types].xml", "<Types/>")
            z.writestr("word/document.xml", b"<w:document>" + b" " * (8 << 20) + b"</w:document>")
    return buf.getvalue()


# -- HTML --------------------------------------------------------------------------


def make_html(text: str, charset: str = "utf-8") -> bytes:
    out = [
        "<!DOCTYPE html>",
        f'<html lang="ko"><head><meta charset="{charset}"><title>보고서</title>',
        "<style>p { margin: 0 }</style><script>var s = '<p>스크립트는 본문이 아님</p>';</script></head><body>",
    ]
    for b in blocks(text):
        if isinstance(b, str):
            stripped = b.lstrip(" ")
            indent = "&nbsp;" * (len(b) - len(stripped))
            out.append(f"<p>{indent}{html.escape(stripped)}</p>")
        else:
            out.append("<table border='1'>")
            for r, row in enumerate(b.padded()):
                tag = "th" if r == 0 else "td"
                out.append("<tr>" + "".join(f"<{tag}>{html.escape(c)}</{tag}>" for c in row) + "</tr>")
            out.append("</table>")
    out.append("</body></html>")
    return "\n".join(out).encode(charset)


# -- PDF ---------------------------------------------------------------------------


def _fpdf():
    from fpdf import FPDF

    korean, fallback = font_paths()

    class Report(FPDF):
        def footer(self) -> None:
            self.set_y(-12)
            self.set_font("k", size=8)
            self.cell(0, 6, f"- {self.page_no()} -", align="C")

    pdf = Report(format="A4")
    pdf.add_font("k", fname=korean)
    pdf.add_font("dv", fname=fallback)
    pdf.set_fallback_fonts(["dv"])
    pdf.set_auto_page_break(True, margin=18)
    pdf.set_margins(20, 18, 20)
    return pdf


def make_pdf(text: str, *, user_password: str | None = None, owner_password: str | None = None) -> bytes:
    """A PDF of the text: paragraphs wrapped at the page width (lines break inside
    sentences), indentation as a left offset, tables ruled with wrapped cells."""
    import logging

    logging.getLogger("fpdf").setLevel(logging.ERROR)  # glyphs missing from the fonts
    pdf = _fpdf()
    if owner_password or user_password:
        pdf.set_encryption(owner_password=owner_password or "owner", user_password=user_password)
    pdf.add_page()
    pdf.set_font("k", size=10)
    for b in blocks(text):
        if isinstance(b, str):
            stripped = b.lstrip(" ")
            if not stripped.strip():
                pdf.ln(2)
                continue
            indent = 3.5 * (len(b) - len(stripped))
            pdf.set_x(pdf.l_margin + indent)
            pdf.multi_cell(pdf.epw - indent, 5.5, stripped, new_x="LMARGIN", new_y="NEXT", wrapmode="CHAR")
        else:
            rows = b.padded()
            weights = [min(max(max(len(r[c]) for r in rows), 2), 30) for c in range(b.width)]
            widths = [pdf.epw * w / sum(weights) for w in weights]
            pdf.set_font("k", size=8)
            with pdf.table(col_widths=widths, line_height=4.5, first_row_as_headings=False, text_align="LEFT") as t:
                for row in rows:
                    cells = t.row()
                    for cell in row:
                        cells.cell(cell)
            pdf.set_font("k", size=10)
            pdf.ln(1)
    return bytes(pdf.output())


def make_image_pdf() -> bytes:
    """A scanned page: an image and no text layer."""
    from fpdf import FPDF
    from PIL import Image, ImageDraw

    img = Image.new("L", (600, 840), 255)
    draw = ImageDraw.Draw(img)
    for y in range(60, 800, 24):
        draw.rectangle((60, y, 540, y + 10), fill=40)
    pdf = FPDF()
    pdf.add_page()
    pdf.image(img, x=0, y=0, w=210)
    return bytes(pdf.output())


def make_cid_pdf(text: str) -> bytes:
    """A PDF whose font has no Unicode mapping (no ToUnicode, no embedded font), so text
    extraction yields (cid:NN) codes - as some Korean PDFs made with old printer drivers do."""
    lines = [ln for ln in text.split("\n") if ln.strip()][:40]
    ops = ["BT /F1 10 Tf 50 800 Td 14 TL"]
    for ln in lines:
        gids = "".join(f"{(ord(ch) % 9000) + 1:04X}" for ch in ln[:45])
        ops.append(f"<{gids}> Tj T*")
    ops.append("ET")
    content = "\n".join(ops).encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type0 /BaseFont /HYGoThic-Medium /Encoding /Identity-H /DescendantFonts [6 0 R] >>",
        b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /HYGoThic-Medium"
        b" /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /FontDescriptor 7 0 R /DW 1000 >>",
        b"<< /Type /FontDescriptor /FontName /HYGoThic-Medium /Flags 4 /FontBBox [0 -120 1000 880]"
        b" /ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 700 /StemV 80 >>",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for k, obj in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % k + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return out


def make_columns_pdf(rows: list[list[str]]) -> bytes:
    """Unruled columns: each row's cells placed at fixed x positions on one line."""
    pdf = _fpdf()
    pdf.add_page()
    pdf.set_font("k", size=10)
    xs = [20, 60, 110, 160]
    for row in rows:
        y = pdf.get_y()
        for x, cell in zip(xs, row, strict=False):
            pdf.set_xy(x, y)
            pdf.cell(40, 6, cell)
        pdf.ln(7)
    return bytes(pdf.output())
