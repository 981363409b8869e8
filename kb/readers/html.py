"""HTML pages (councils' web posts, HWP's "save as HTML"): block elements become lines,
<tr> rows tab-joined cells, scripts and styles are dropped.

The charset comes from a byte-order mark, else the page's <meta>, else detection as
for plain text (CP949 pages often declare nothing). &nbsp; indentation is kept, since
the parser reads bullet depth from leading spaces.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from kb.readers import Document, Reader, ReadError
from kb.readers.layout import Cell, marked, table_lines

BLOCK = {
    "address", "article", "aside", "blockquote", "caption", "center", "dd", "div", "dl", "dt", "fieldset",
    "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li",
    "main", "nav", "ol", "p", "pre", "section", "ul",
}  # fmt: skip
HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}  # marked "#" to "######" for the parser
SKIP = {"script", "style", "head", "noscript", "template", "svg", "math", "object", "iframe", "select"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr"}
KOREAN_ALIASES = {"euc-kr", "euc_kr", "ks_c_5601-1987", "ksc5601", "ks_c_5601", "x-windows-949", "windows-949", "uhc"}
_META = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_HTML_START = re.compile(r"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html[\s>])", re.I | re.S)
_SPACE = re.compile(r"[ \t\n\r\f]+")
MAX_TABLE_DEPTH = 200


def sniff(data: bytes) -> bool:
    head = data[:2048]
    for bom, enc in (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if head.startswith(bom):
            return bool(_HTML_START.match(head[len(bom) :].decode(enc, "ignore")))
    return bool(_HTML_START.match(head.decode("latin-1")))


def decode(data: bytes) -> tuple[str, str]:
    """The page's text and the charset used: BOM, then <meta charset>, then detection."""
    from kb.readers.text import BOMS
    from kb.readers.text import decode as detect

    if any(data.startswith(bom) for bom, _ in BOMS):
        return detect(data)
    m = _META.search(data[:8192])
    if m:
        declared = m.group(1).decode("ascii").lower()
        name = "cp949" if declared in KOREAN_ALIASES else declared
        try:
            return data.decode(name), name
        except LookupError:
            pass  # an unknown charset name: detect instead
        except UnicodeDecodeError as e:
            # A page re-saved in another encoding often keeps its old declaration.
            try:
                return detect(data)
            except ReadError as why:
                raise ReadError(
                    f"the page declares charset {declared} but byte {e.start} is not valid {declared}; {why}"
                ) from None
    return detect(data)


def read(path: Path, data: bytes) -> Document:
    text, encoding = decode(data)
    parser = _Extractor()
    parser.feed(text)
    parser.close()
    return Document(text="\n".join(parser.finish()), format="html", encoding=encoding)


def table_rows(html: str) -> list[str]:
    """The lines of an HTML fragment: a table's rows as tab-joined cells."""
    parser = _Extractor()
    parser.feed(html)
    parser.close()
    return parser.finish()


@dataclass
class _Table:
    cells: list[Cell] = field(default_factory=list)
    row: int = -1
    col: int = 0
    taken: set[tuple[int, int]] = field(default_factory=set)  # grid slots covered by rowspans
    cell: Cell | None = None


class _Extractor(HTMLParser):
    """Collects lines; inside a table cell, the lines go to the cell."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.buf: list[str] = []
        self.skip = 0
        self.pre = 0
        self.tables: list[_Table] = []
        self.heading = 0  # inside <h1>…<h6>: its level
        self.lists = 0  # how deep in <ul>/<ol>
        self.item = False  # inside <li>

    # -- where text goes ----------------------------------------------------
    def _target(self) -> list[str]:
        t = self.tables[-1] if self.tables else None
        return t.cell.lines if t and t.cell is not None else self.lines

    def _flush(self) -> None:
        line = "".join(self.buf)
        self.buf = []
        line = line.lstrip(" ").replace("\xa0", " ").rstrip()
        if line and not self.tables:
            # headings and list items of pages written in HTML (a web post, a Google Docs
            # export) as the parser reads them: "## 1. 출장 개요", "## 요약", "  • 목표를 설정"
            if self.heading:
                line = "#" * self.heading + " " + line
            elif self.item and not marked(line):
                line = "  " * (self.lists - 1) + "• " + line
        if line:
            self._target().append(line)

    def _end_cell(self) -> None:
        t = self.tables[-1]
        if t.cell is not None:
            self._flush()
            t.cells.append(t.cell)
            t.cell = None

    def _end_table(self) -> None:
        self._end_cell()
        rows = table_lines(self.tables.pop().cells)
        self._target().extend(rows)

    # -- parser callbacks ---------------------------------------------------
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in SKIP:
            self.skip += 1
            return
        if self.skip:
            return
        if tag == "br":
            self._flush()
        elif tag == "table":
            self._flush()
            if len(self.tables) >= MAX_TABLE_DEPTH:
                raise ReadError(f"the HTML nests tables more than {MAX_TABLE_DEPTH} deep")
            self.tables.append(_Table())
        elif tag == "tr" and self.tables:
            self._flush()
            self._end_cell()
            t = self.tables[-1]
            t.row += 1
            t.col = 0
        elif tag in ("td", "th") and self.tables:
            self._flush()
            self._end_cell()
            self._start_cell(dict(attrs))
        elif tag in BLOCK:
            self._flush()
            if tag == "pre":
                self.pre += 1
            elif tag in HEADINGS:
                self.heading = int(tag[1])
            elif tag in ("ul", "ol"):
                self.lists += 1
            elif tag == "li":
                self.item = True

    def _start_cell(self, attrs: dict[str, str | None]) -> None:
        t = self.tables[-1]
        t.row = max(t.row, 0)
        while (t.row, t.col) in t.taken:
            t.col += 1
        rowspan, colspan = _span(attrs.get("rowspan"), 500), _span(attrs.get("colspan"), 50)
        for r in range(t.row + 1, t.row + rowspan):
            for c in range(t.col, t.col + colspan):
                t.taken.add((r, c))
        t.cell = Cell(t.row, t.col, [], rowspan, colspan)
        t.col += colspan

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIP:
            self.skip = max(0, self.skip - 1)
            return
        if self.skip:
            return
        if tag == "table" and self.tables:
            self._end_table()
        elif tag in ("td", "th", "tr") and self.tables:
            self._end_cell()
        elif tag in BLOCK:
            self._flush()
            if tag == "pre":
                self.pre = max(0, self.pre - 1)
            elif tag in HEADINGS:
                self.heading = 0
            elif tag in ("ul", "ol"):
                self.lists = max(0, self.lists - 1)
            elif tag == "li":
                self.item = False

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.handle_endtag(tag)

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        if self.pre:
            for k, part in enumerate(data.split("\n")):
                if k:
                    self._flush()
                self.buf.append(part)
        else:
            self.buf.append(_SPACE.sub(" ", data))

    def finish(self) -> list[str]:
        self._flush()
        while self.tables:  # tables left unclosed
            self._end_table()
        return self.lines


def _span(value: str | None, limit: int) -> int:
    try:
        return min(max(int(value or 1), 1), limit)
    except ValueError:
        return 1


READER = Reader("html", (".html", ".htm", ".xhtml"), sniff, read)
