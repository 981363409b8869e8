"""PDF through its text layer (pdfplumber on pdfminer.six), one visual line per line.

Korean PDFs break lines inside words; the lines are kept as they are and the parser
reflows them. Indentation is kept as leading spaces (the parser reads bullet depth from
it), ruled tables come out as tab-joined rows, and wide gaps between words on one line
as tabs (unruled columns). Files that would give no text or garbage are refused with
the reason: scans without a text layer, fonts that yield "(cid:NN)" codes, passwords.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path

from kb.readers import Document, Reader, ReadError

COL_GAP = 2.0  # a gap wider than this many font sizes separates columns
WORD_GAP = 0.15  # a gap wider than this many font sizes separates words
INDENT_UNIT = 0.5  # font sizes of left offset per leading space
MAX_PAGES = 5000
_PAGE_NUMBER = re.compile(r"^(?:[-–—]\s*\d{1,4}\s*[-–—]|\d{1,4}(?:\s*/\s*\d{1,4})?|page\s*\d{1,4})$", re.I)
_CID = re.compile(r"^\(cid:\d+\)$")


@dataclass
class Line:
    top: float
    x0: float
    size: float
    text: str
    table: bool = False  # a table row or box line: already laid out


@dataclass
class Stats:
    pages: int = 0
    chars: int = 0  # non-space characters
    cid: int = 0  # "(cid:NN)" characters: glyphs without a Unicode mapping
    images: int = 0


def sniff(data: bytes) -> bool:
    return b"%PDF-" in data[:1024]


def read(path: Path, data: bytes) -> Document:
    if b"%PDF-" not in data[:1024]:
        raise ReadError("not a PDF file: the %PDF- header is missing")
    if b"%%EOF" not in data.rstrip(b"\x00\r\n\t ")[-2048:]:
        raise ReadError("truncated PDF: the file does not end with %%EOF (an interrupted download?)")
    import pdfplumber

    stats = Stats()
    lines: list[Line] = []
    try:
        with pdfplumber.open(io.BytesIO(data), password="") as pdf:
            if len(pdf.pages) > MAX_PAGES:
                raise ReadError(f"the PDF has {len(pdf.pages)} pages; kb reads at most {MAX_PAGES}")
            for page in pdf.pages:
                lines.extend(_page_lines(page, stats))
                page.close()
    except ReadError:
        raise
    except Exception as e:  # pdfminer raises many types on damaged or locked files
        raise ReadError(_reason(e)) from None
    if stats.cid > max(10, stats.chars // 20):
        raise ReadError(
            f"the PDF's fonts carry no Unicode mapping: {stats.cid} of {stats.chars} characters come out as"
            " (cid:NN) codes; it needs OCR or a re-export from the original document"
        )
    if stats.chars < 20 * stats.pages and stats.images:
        raise ReadError("the PDF has no text layer (a scanned document?): kb does not do OCR; run OCR first")
    if not stats.chars:
        raise ReadError(
            "the PDF gives no text: its text is drawn as outlines or set in fonts that cannot be decoded;"
            " it needs OCR or a re-export from the original document"
        )
    return Document(text="\n".join(_indented(lines)), format="pdf")


def _reason(e: Exception) -> str:
    """Why pdfminer failed; pdfplumber wraps its errors, so look at the wrapped one too."""
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect

    inner = e.args[0] if e.args and isinstance(e.args[0], Exception) else (e.__context__ or e)
    if isinstance(inner, PDFPasswordIncorrect) or isinstance(e, PDFPasswordIncorrect):
        return "password-protected (encrypted) PDF: kb cannot open it without the password"
    if isinstance(inner, PDFEncryptionError) or isinstance(e, PDFEncryptionError):
        return f"encrypted PDF with a method kb cannot open ({inner})"
    return f"corrupt or unreadable PDF ({type(inner).__name__}: {inner})"


def _page_lines(page, stats: Stats) -> list[Line]:
    """The page's lines and table rows in reading order (top to bottom)."""
    chars = [c for c in page.chars if c.get("upright", True)]
    stats.pages += 1
    stats.images += len(page.images)
    stats.chars += sum(1 for c in chars if not c["text"].isspace())
    stats.cid += sum(1 for c in chars if _CID.match(c["text"]))
    tables = [t for t in page.find_tables() if len(t.rows) > 0]
    boxes = [t.bbox for t in tables]
    body = [c for c in chars if not any(_inside(c, b) for b in boxes)]
    out = [ln for ln in _lines(body) if not _page_number(ln, page.height)]
    for t in tables:
        out.extend(_table(t, chars))
    out.sort(key=lambda ln: ln.top)
    return out


def _inside(c: dict, box: tuple[float, float, float, float]) -> bool:
    x0, top, x1, bottom = box
    mx, my = (c["x0"] + c["x1"]) / 2, (c["top"] + c["bottom"]) / 2
    return x0 <= mx <= x1 and top <= my <= bottom


def _page_number(ln: Line, height: float) -> bool:
    margin = height * 0.08
    return (ln.top < margin or ln.top > height - margin) and bool(_PAGE_NUMBER.match(ln.text.strip()))


def _lines(chars: list[dict]) -> list[Line]:
    """Group characters into visual lines by vertical overlap, then read each left to right."""
    groups: list[list[dict]] = []
    mid = 0.0
    for c in sorted(chars, key=lambda c: (c["top"], c["x0"])):
        cmid = (c["top"] + c["bottom"]) / 2
        if groups and abs(cmid - mid) <= 0.4 * max(c["size"], 1):
            groups[-1].append(c)
        else:
            groups.append([c])
            mid = cmid
    out = []
    for g in groups:
        g.sort(key=lambda c: c["x0"])
        text = _line_text(g)
        if text.strip():
            first = next(c for c in g if not c["text"].isspace())
            out.append(Line(min(c["top"] for c in g), first["x0"], first["size"], text.strip()))
    return out


def _line_text(chars: list[dict]) -> str:
    """A line's text: spaces where words part, a tab where a wide gap parts columns."""
    parts: list[str] = []
    prev = None
    space = False
    run = 0  # characters since the last space or tab
    for i, c in enumerate(chars):
        t = c["text"]
        if t.isspace():
            space = True
            continue
        if _CID.match(t):  # an unmapped glyph (a symbol font's bullet): no text to give
            continue
        if prev is not None:
            size = max(prev["size"], c["size"], 1)
            gap = c["x0"] - prev["x1"]
            # Letter-spaced words ("일    시") have single characters between wide gaps.
            if gap > COL_GAP * size and not (run == 1 and _single(chars, i)):
                parts.append("\t")
                run = 0
            elif space or gap > WORD_GAP * size:
                parts.append(" ")
                run = 0
        parts.append(t)
        run += 1
        prev = c
        space = False
    return "".join(parts)


def _single(chars: list[dict], i: int) -> bool:
    """Whether the word starting at ``chars[i]`` is one character long."""
    if i + 1 >= len(chars):
        return True
    c, nxt = chars[i], chars[i + 1]
    return nxt["text"].isspace() or nxt["x0"] - c["x1"] > WORD_GAP * max(c["size"], 1)


def _table(table, chars: list[dict]) -> list[Line]:
    """A ruled table's rows, tab-joined with each cell's lines reflowed; a one-column
    table (a framed box of paragraphs) gives its visual lines for the parser to reflow."""
    from kb.textutil import join_lines

    out: list[Line] = []
    for row in table.rows:
        cells = [_lines([ch for ch in chars if _inside(ch, box)]) if box else [] for box in row.cells]
        found = [ln for cell in cells for ln in cell]
        if not found:
            continue
        top = min(ln.top for ln in found)
        if len(cells) == 1:  # indented from the box's own left edge
            left = min(ln.x0 for ln in found)
            out.extend(Line(ln.top, 0.0, ln.size, _indent(ln.x0 - left, ln.size) + ln.text, True) for ln in found)
            continue
        texts = []
        for cell in cells:
            text = ""
            for ln in cell:
                text = join_lines(text, ln.text)
            texts.append(text)
        out.append(Line(top, 0.0, found[0].size, "\t".join(texts), True))
    return out


def _indented(lines: list[Line]) -> list[str]:
    """Lines with their left offset as leading spaces (bullet depth), tables as they are."""
    body = [ln for ln in lines if not ln.table]
    left = min((ln.x0 for ln in body), default=0.0)
    out = []
    for ln in lines:
        if ln.table:
            out.append(ln.text)
            continue
        out.append(_indent(ln.x0 - left, ln.size) + ln.text)
    return out


def _indent(offset: float, size: float) -> str:
    """Leading spaces for a left offset: more offset, more spaces (the parser compares depths)."""
    if offset <= 0.2 * size:
        return ""
    return " " * min(max(round(offset / (INDENT_UNIT * size)), 1), 12)


READER = Reader("pdf", (".pdf",), sniff, read)
