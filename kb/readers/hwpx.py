"""HWPX (Hancom OWPML): a zip of Contents/section*.xml whose hp:p paragraphs hold runs
of hp:t text, and hp:tbl tables of hp:tr rows and hp:tc cells.

Elements are matched by local name, so the 2011 and 2016 namespaces both read; page
headers, footers and notes are left out (they repeat or interrupt the body text).
"""

from __future__ import annotations

import re
from pathlib import Path
from xml.etree.ElementTree import Element

from kb.readers import Document, Reader, ReadError
from kb.readers.layout import Cell, table_lines
from kb.readers.package import Package, zip_names

MIMETYPE = b"application/hwp+zip"
_SECTION = re.compile(r"^Contents/section(\d+)\.xml$")
SKIP = {"header", "footer", "footNote", "endNote", "script", "metaTag", "hiddenComment"}
INLINE = {"tab": "\t", "lineBreak": "\n", "nbSpace": " ", "fwSpace": " ", "hyphen": "-"}


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def sniff(data: bytes) -> bool:
    if not data.startswith(b"PK\x03\x04"):
        return False
    if data[30:38] == b"mimetype" and MIMETYPE in data[38:120]:
        return True
    return any(_SECTION.match(n) for n in zip_names(data))


def read(path: Path, data: bytes) -> Document:
    pkg = Package(data, "HWPX")
    if "META-INF/manifest.xml" in pkg.names and b"encryption-data" in pkg.read("META-INF/manifest.xml"):
        raise ReadError("encrypted HWPX file (password-protected or 배포용 distribution document): its text is locked")
    sections = sorted((int(m.group(1)), n) for n in pkg.names if (m := _SECTION.match(n)))
    if not sections:
        raise ReadError("not an HWPX document: it has no Contents/section*.xml")
    lines: list[str] = []
    for _, name in sections:
        lines.extend(block_lines(pkg.xml(name)))
    return Document(text="\n".join(lines), format="hwpx")


def block_lines(container: Element) -> list[str]:
    """Lines of the paragraphs (and their tables) inside a section, cell or text box."""
    out: list[str] = []
    for child in container:
        name = _local(child.tag)
        if name == "p":
            out.extend(paragraph_lines(child))
        elif name not in SKIP:
            out.extend(block_lines(child))
    return out


def paragraph_lines(p: Element) -> list[str]:
    """One paragraph's text; a table or text box inside it comes out as lines of its own."""
    out: list[str] = []
    buf: list[str] = []

    def flush() -> None:
        if buf:
            out.extend("".join(buf).split("\n"))
            buf.clear()

    def walk(el: Element) -> None:
        name = _local(el.tag)
        if name == "t":
            buf.append(el.text or "")
            for child in el:
                buf.append(INLINE.get(_local(child.tag), ""))
                buf.append(child.tail or "")
        elif name == "tbl":
            flush()
            out.extend(table_lines(_cells(el)))
        elif name == "subList":  # a text box or caption
            flush()
            out.extend(block_lines(el))
        elif name not in SKIP:
            for child in el:
                walk(child)

    for child in p:
        walk(child)
    text = "".join(buf)
    if text or not out:
        out.extend(text.split("\n"))
    return out


def _cells(tbl: Element) -> list[Cell]:
    cells = []
    rows = [el for el in tbl if _local(el.tag) == "tr"]
    for r, tr in enumerate(rows):
        for c, tc in enumerate(el for el in tr if _local(el.tag) == "tc"):
            cell = Cell(r, c)
            for el in tc:
                name = _local(el.tag)
                if name == "cellAddr":
                    cell.row = _int(el.get("rowAddr"), r)
                    cell.col = _int(el.get("colAddr"), c)
                elif name == "cellSpan":
                    cell.rowspan = _int(el.get("rowSpan"), 1)
                    cell.colspan = _int(el.get("colSpan"), 1)
                elif name == "subList":
                    cell.lines = block_lines(el)
            cells.append(cell)
    return cells


def _int(value: str | None, default: int) -> int:
    try:
        return max(int(value), 0) if value is not None else default
    except ValueError:
        return default


READER = Reader("hwpx", (".hwpx",), sniff, read)
