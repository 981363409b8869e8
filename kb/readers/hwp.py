"""HWP 5 (Hancom binary): an OLE compound file whose BodyText/Section* streams hold
zlib-compressed records; HWPTAG_PARA_TEXT records carry each paragraph's UTF-16 text.

Read with olefile and this module's record walk rather than a converter, because HWP
converters fail silently: a 배포용 (distribution) or password-protected file gives empty
text or a placeholder sentence, and tables lose their rows. Here the FileHeader flags
say which files cannot be read, and tables keep their cell grid (LIST_HEADER records
give each cell's row and column).
"""

from __future__ import annotations

import io
import re
import struct
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from kb.readers import Document, Reader, ReadError
from kb.readers.layout import Cell, table_lines

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
SIGNATURE = b"HWP Document File"
HWP3_SIGNATURE = b"HWP Document File V3"
MAX_SECTION = 256 * 1024 * 1024  # decompressed bytes of all sections together

# FileHeader property bits
COMPRESSED, PASSWORD, DISTRIBUTION, DRM, CERT_ENCRYPTED = 0x1, 0x2, 0x4, 0x10, 0x100

# Record tags (HWPTAG_BEGIN = 0x10)
PARA_HEADER, PARA_TEXT, CTRL_HEADER, LIST_HEADER, TABLE = 0x42, 0x43, 0x47, 0x48, 0x4D

# PARA_TEXT control characters that occupy 8 UTF-16 units (the char, 6 units of data, the char again).
WIDE_CONTROLS = {1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23}
CHAR_CONTROLS = {9: "\t", 10: "\n", 24: "-", 30: " ", 31: " "}
SKIP_CONTROLS = {b"head", b"foot", b"fn  ", b"en  "}  # page header/footer, foot/endnotes
_SECTION = re.compile(r"^Section(\d+)$")


@dataclass
class Record:
    tag: int
    level: int
    data: bytes
    children: list[Record] = field(default_factory=list)


def sniff(data: bytes) -> bool:
    if data.startswith(HWP3_SIGNATURE):
        return True
    return data.startswith(OLE_MAGIC) and "FileHeader".encode("utf-16-le") in data[: 1024 * 1024]


def read(path: Path, data: bytes) -> Document:
    if data.startswith(HWP3_SIGNATURE):
        raise ReadError("an HWP 3 (Hangul 97 era) file: kb reads HWP 5 and HWPX; save it again in a current Hangul")
    import olefile

    if not data.startswith(OLE_MAGIC):
        raise ReadError("not an HWP 5 file: it lacks the OLE compound-file signature")
    try:
        ole = olefile.OleFileIO(io.BytesIO(data))
    except Exception as e:  # olefile raises OSError, struct.error, ... on damage
        raise ReadError(f"truncated or corrupt HWP file: its OLE structure cannot be read ({e})") from None
    with ole:
        header = _stream(ole, "FileHeader")
        if not header.startswith(SIGNATURE) or len(header) < 40:
            raise ReadError("not an HWP 5 file: its FileHeader lacks the HWP signature")
        flags = struct.unpack_from("<I", header, 36)[0]
        if flags & (PASSWORD | CERT_ENCRYPTED):
            raise ReadError("password-protected (encrypted) HWP file: remove the password in Hangul and save again")
        if flags & DRM:
            raise ReadError("DRM-protected HWP file: its text is locked")
        names = ["/".join(e) for e in ole.listdir()]
        if flags & DISTRIBUTION or (any(n.startswith("ViewText/") for n in names) and "BodyText/Section0" not in names):
            raise ReadError(
                "a 배포용 (distribution) HWP file: its text is encrypted for viewing only;"
                " ask for the original .hwp, an .hwpx or a PDF"
            )
        sections = sorted(
            (int(m.group(1)), n) for n in names if n.startswith("BodyText/") and (m := _SECTION.match(n[9:]))
        )
        if not sections:
            raise ReadError("corrupt HWP file: it has no BodyText/Section streams")
        budget = [MAX_SECTION]
        lines: list[str] = []
        for _, name in sections:
            raw = _stream(ole, name)
            body = _inflate(raw, name, budget) if flags & COMPRESSED else raw
            lines.extend(_block_lines(_tree(_records(body, name))))
    return Document(text="\n".join(lines), format="hwp")


def _stream(ole, name: str) -> bytes:
    try:
        return ole.openstream(name).read()
    except Exception as e:
        raise ReadError(f"truncated or corrupt HWP file: stream {name} cannot be read ({e})") from None


def _inflate(raw: bytes, name: str, budget: list[int]) -> bytes:
    """Raw-deflate a section, refusing more than the bytes left in the budget."""
    d = zlib.decompressobj(-15)
    try:
        out = d.decompress(raw, budget[0] + 1)
    except zlib.error as e:
        raise ReadError(f"corrupt HWP file: {name} does not decompress ({e})") from None
    if len(out) > budget[0]:
        raise ReadError(f"HWP section {name} decompresses to more than {MAX_SECTION} bytes: refused")
    if not d.eof:
        raise ReadError(f"truncated HWP file: {name} ends inside its compressed data")
    budget[0] -= len(out)
    return out


def _records(body: bytes, name: str) -> list[Record]:
    out = []
    pos = 0
    while pos + 4 <= len(body):
        head = struct.unpack_from("<I", body, pos)[0]
        pos += 4
        tag, level, size = head & 0x3FF, (head >> 10) & 0x3FF, head >> 20
        if size == 0xFFF:  # a long record: its size follows the header
            size = struct.unpack_from("<I", body, pos)[0] if pos + 4 <= len(body) else len(body)
            pos += 4
        if pos + size > len(body):
            raise ReadError(f"truncated or corrupt HWP file: a record in {name} runs past the end of the stream")
        out.append(Record(tag, level, body[pos : pos + size]))
        pos += size
    return out


def _tree(records: list[Record]) -> list[Record]:
    """Nest records by level: a record's parent is the nearest earlier one a level up."""
    roots: list[Record] = []
    stack: list[Record] = []
    for rec in records:
        while stack and stack[-1].level >= rec.level:
            stack.pop()
        (stack[-1].children if stack else roots).append(rec)
        stack.append(rec)
    return roots


def _block_lines(siblings: list[Record]) -> list[str]:
    out: list[str] = []
    for rec in siblings:
        if rec.tag == PARA_HEADER:
            out.extend(_paragraph_lines(rec))
    return out


def _paragraph_lines(para: Record) -> list[str]:
    """A paragraph's text; its tables and text boxes come out as lines after it."""
    text = "".join(_text(c.data) for c in para.children if c.tag == PARA_TEXT)
    out = text.split("\n") if text or not any(c.tag == CTRL_HEADER for c in para.children) else []
    for ctrl in para.children:
        if ctrl.tag != CTRL_HEADER:
            continue
        ctrl_id = ctrl.data[:4][::-1]
        if ctrl_id == b"tbl ":
            out.extend(_table_lines(ctrl))
        elif ctrl_id not in SKIP_CONTROLS:
            out.extend(_nested_lines(ctrl))
    return out


def _nested_lines(rec: Record) -> list[str]:
    """Paragraphs anywhere below a control (text boxes, captions, drawn shapes)."""
    out = _block_lines(rec.children)
    for child in rec.children:
        if child.tag != PARA_HEADER:
            out.extend(_nested_lines(child))
    return out


def _table_lines(ctrl: Record) -> list[str]:
    """A table's rows. Each LIST_HEADER after the TABLE record is a cell (with its grid
    position) and the paragraphs after it are its text; one before TABLE is the caption."""
    caption: list[str] = []
    cells: list[Cell] = []
    seen_table = False
    for rec in ctrl.children:
        if rec.tag == TABLE:
            seen_table = True
        elif rec.tag == LIST_HEADER and seen_table:
            d = rec.data
            if len(d) >= 16:
                col, row, colspan, rowspan = struct.unpack_from("<4H", d, 8)
            else:
                col, row, colspan, rowspan = len(cells), 0, 1, 1
            cells.append(Cell(row, col, _block_lines(rec.children), rowspan, colspan))
        elif rec.tag == LIST_HEADER:
            caption.extend(_block_lines(rec.children))
        elif rec.tag == PARA_HEADER:
            (cells[-1].lines if seen_table and cells else caption).extend(_paragraph_lines(rec))
    return table_lines(cells) + caption


def _text(data: bytes) -> str:
    """Decode PARA_TEXT: UTF-16LE with inline/extended controls of 8 units each."""
    n = len(data) // 2
    units = struct.unpack_from(f"<{n}H", data)
    out: list[str] = []
    i = 0
    while i < n:
        u = units[i]
        if u >= 32:
            out.append(chr(u))
            i += 1
        elif u in WIDE_CONTROLS:
            if u in CHAR_CONTROLS:
                out.append(CHAR_CONTROLS[u])
            i += 8
        else:
            if u in CHAR_CONTROLS:
                out.append(CHAR_CONTROLS[u])
            i += 1  # 13 (paragraph end) and other one-unit controls
    return "".join(out).encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


READER = Reader("hwp", (".hwp",), sniff, read)
