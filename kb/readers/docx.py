"""DOCX (Word 2007+): the main document part's paragraphs and tables, in body order.

Read from the zip's XML rather than through python-docx so that the zip-bomb guards of
:mod:`kb.readers.package` hold, text boxes and content controls are not lost, and the
bullets and numbers Word generates from numbering.xml appear in the text (the parser
reads the □ ○ - markers and "1." headings). A legacy .doc or an encrypted .docx is an
OLE file, not a zip: it is refused with that reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from xml.etree.ElementTree import Element

from kb.readers import Document, Reader, ReadError
from kb.readers.layout import Cell, marked, table_lines
from kb.readers.package import Package, ole_refusal, zip_names

MAIN_TYPES = (
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    "application/vnd.ms-word.document.macroEnabled.main+xml",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml",
)
SKIP = {"rPr", "pPr", "tblPr", "trPr", "tcPr", "sectPr", "del", "delText", "instrText", "Fallback", "moveFrom"}
INLINE = {"tab": "\t", "ptab": "\t", "cr": "\n", "br": "\n", "noBreakHyphen": "-"}
_SYMBOL_BULLETS = {"\uf0b7": "•", "\uf0a7": "▪", "\uf06c": "●", "\uf0d8": "▶", "\uf0fc": "✓", "\uf06e": "■", "o": "◦"}
_GANADA = "가나다라마바사아자차카타파하"
_CHOSUNG = "ㄱㄴㄷㄹㅁㅂㅅㅇㅈㅊㅋㅌㅍㅎ"


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _attr(el: Element | None, name: str) -> str | None:
    """An attribute by local name (w:val, whatever the namespace prefix)."""
    if el is None:
        return None
    for k, v in el.attrib.items():
        if _local(k) == name:
            return v
    return None


def _child(el: Element | None, name: str) -> Element | None:
    if el is None:
        return None
    return next((c for c in el if _local(c.tag) == name), None)


def sniff(data: bytes) -> bool:
    return "word/document.xml" in zip_names(data)


def read(path: Path, data: bytes) -> Document:
    if refusal := ole_refusal(data, "DOCX"):
        raise ReadError(refusal)
    pkg = Package(data, "DOCX")
    root = pkg.xml(_main_part(pkg))
    body = _child(root, "body")
    if body is None:
        raise ReadError("corrupt DOCX file: the document part has no body")
    numbering = Numbering(
        pkg.xml("word/numbering.xml") if "word/numbering.xml" in pkg.names else None,
        pkg.xml("word/styles.xml") if "word/styles.xml" in pkg.names else None,
    )
    return Document(text="\n".join(block_lines(body, numbering)), format="docx")


def _main_part(pkg: Package) -> str:
    """The main document part named in [Content_Types].xml (usually word/document.xml)."""
    if "[Content_Types].xml" in pkg.names:
        for el in pkg.xml("[Content_Types].xml"):
            if _attr(el, "ContentType") in MAIN_TYPES and _attr(el, "PartName"):
                name = _attr(el, "PartName").lstrip("/")
                if name in pkg.names:
                    return name
    if "word/document.xml" in pkg.names:
        return "word/document.xml"
    raise ReadError("not a Word document: the DOCX package has no word/document.xml")


def block_lines(container: Element, numbering: Numbering) -> list[str]:
    """Lines of the paragraphs and tables in a body, cell, text box or content control."""
    out: list[str] = []
    for child in container:
        name = _local(child.tag)
        if name == "p":
            out.extend(paragraph_lines(child, numbering))
        elif name == "tbl":
            out.extend(table_lines(_cells(child, numbering)))
        elif name not in SKIP:
            out.extend(block_lines(child, numbering))
    return out


def paragraph_lines(p: Element, numbering: Numbering) -> list[str]:
    """A paragraph's text, prefixed with its list bullet or number; text boxes anchored
    in it come out as lines of their own."""
    out: list[str] = []
    p_pr = _child(p, "pPr")
    label = numbering.label(p_pr)
    buf: list[str] = [label]

    def walk(el: Element) -> None:
        name = _local(el.tag)
        if name == "t":
            buf.append(el.text or "")
        elif name in INLINE:
            if name != "br" or _attr(el, "type") in (None, "textWrapping"):
                buf.append(INLINE[name])
        elif name == "sym":
            code = _attr(el, "char") or ""
            try:
                buf.append(_SYMBOL_BULLETS.get(chr(int(code, 16)), chr(int(code, 16))))
            except ValueError:
                pass
        elif name == "txbxContent":
            out.extend(block_lines(el, numbering))
        elif name not in SKIP:
            for child in el:
                walk(child)

    for child in p:
        walk(child)
    text = "".join(buf)
    if not label and not marked(text):
        text = numbering.heading_marks(p_pr) + text
    return text.split("\n") + out


def _cells(tbl: Element, numbering: Numbering) -> list[Cell]:
    cells: list[Cell] = []
    rows = [el for el in tbl if _local(el.tag) == "tr"]
    for r, tr in enumerate(rows):
        col = _int(_attr(_child(_child(tr, "trPr"), "gridBefore"), "val"), 0)
        for tc in (el for el in tr if _local(el.tag) == "tc"):
            span = max(_int(_attr(_child(_child(tc, "tcPr"), "gridSpan"), "val"), 1), 1)
            cells.append(Cell(r, col, block_lines(tc, numbering), 1, span))
            col += span
    return cells


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


@dataclass
class Numbering:
    """Word's list definitions: the bullet or number each list paragraph shows."""

    root: Element | None  # numbering.xml
    styles: Element | None  # styles.xml: list styles ("List Bullet") carry their numbering
    levels: dict[tuple[str, int], tuple[str, str, int]] = field(default_factory=dict)  # (numId, ilvl): fmt, text, start
    style_num: dict[str, Element] = field(default_factory=dict)  # styleId: its numPr
    style_outline: dict[str, int] = field(default_factory=dict)  # styleId: outline level (Heading 1 = 0)
    counters: dict[str, list[int]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._read_styles()
        if self.root is None:
            return
        abstract: dict[str, dict[int, tuple[str, str, int]]] = {}
        for el in self.root:
            if _local(el.tag) == "abstractNum":
                lvls = {}
                for lvl in el:
                    if _local(lvl.tag) == "lvl":
                        fmt = _attr(_child(lvl, "numFmt"), "val") or "decimal"
                        text = _attr(_child(lvl, "lvlText"), "val") or ""
                        start = _int(_attr(_child(lvl, "start"), "val"), 1)
                        lvls[_int(_attr(lvl, "ilvl"), 0)] = (fmt, text, start)
                abstract[_attr(el, "abstractNumId") or ""] = lvls
        for el in self.root:
            if _local(el.tag) == "num":
                ref = _attr(_child(el, "abstractNumId"), "val") or ""
                for ilvl, spec in abstract.get(ref, {}).items():
                    self.levels[(_attr(el, "numId") or "", ilvl)] = spec

    def _read_styles(self) -> None:
        if self.styles is None:
            return
        based: dict[str, str] = {}
        for st in self.styles:
            sid = _attr(st, "styleId")
            if _local(st.tag) != "style" or not sid:
                continue
            num_pr = _child(_child(st, "pPr"), "numPr")
            if num_pr is not None:
                self.style_num[sid] = num_pr
            level = _attr(_child(_child(st, "pPr"), "outlineLvl"), "val")
            if level is not None:
                self.style_outline[sid] = _int(level, 9)
            if parent := _attr(_child(st, "basedOn"), "val"):
                based[sid] = parent
        for table in (self.style_num, self.style_outline):
            for sid in based:  # a style without numbering or level inherits its base style's
                seen, cur = {sid}, based.get(sid)
                while sid not in table and cur and cur not in seen:
                    if cur in table:
                        table[sid] = table[cur]
                    seen.add(cur)
                    cur = based.get(cur)

    def heading_marks(self, p_pr: Element | None) -> str:
        """ "## " for a paragraph at outline level 1 (Word's Heading 2), so that headings
        styled without a number in their text still head what follows; "" for body text."""
        level = _attr(_child(p_pr, "outlineLvl"), "val")
        value = (
            _int(level, 9)
            if level is not None
            else self.style_outline.get(_attr(_child(p_pr, "pStyle"), "val") or "", 9)
        )
        return "#" * (value + 1) + " " if 0 <= value < 6 else ""

    def label(self, p_pr: Element | None) -> str:
        """The marker Word shows before this paragraph ("○ ", "1. ", "가. "), or ""."""
        num_pr = _child(p_pr, "numPr")
        if num_pr is None:
            num_pr = self.style_num.get(_attr(_child(p_pr, "pStyle"), "val") or "")
        if num_pr is None:
            return ""
        num_id = _attr(_child(num_pr, "numId"), "val") or ""
        ilvl = _int(_attr(_child(num_pr, "ilvl"), "val"), 0)
        spec = self.levels.get((num_id, ilvl))
        if spec is None:
            return ""
        fmt, text, _ = spec
        if fmt == "bullet":
            return f"{_SYMBOL_BULLETS.get(text, text)} " if text else ""
        if fmt == "none":
            return f"{text} " if text else ""
        counts = self.counters.setdefault(num_id, [0] * 9)
        if not 0 <= ilvl < 9:
            return ""
        counts[ilvl] = counts[ilvl] + 1 if counts[ilvl] else spec[2]
        for deeper in range(ilvl + 1, 9):
            counts[deeper] = 0
        label = text
        for lvl in range(ilvl + 1):
            lvl_fmt = self.levels.get((num_id, lvl), ("decimal", "", 1))[0]
            label = label.replace(f"%{lvl + 1}", _format(counts[lvl] or 1, lvl_fmt))
        return f"{label} " if label else ""


def _format(n: int, fmt: str) -> str:
    if fmt in ("ganada", "koreanDigital2") and 1 <= n <= len(_GANADA):
        return _GANADA[n - 1]
    if fmt == "chosung" and 1 <= n <= len(_CHOSUNG):
        return _CHOSUNG[n - 1]
    if fmt in ("upperRoman", "lowerRoman") and 1 <= n <= 12:
        s = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"][n - 1]
        return s if fmt == "upperRoman" else s.lower()
    if fmt in ("upperLetter", "lowerLetter") and 1 <= n <= 26:
        s = chr(ord("A") + n - 1)
        return s if fmt == "upperLetter" else s.lower()
    if fmt == "decimalEnclosedCircle" and 1 <= n <= 20:
        return chr(0x2460 + n - 1)
    return str(n)


# .doc is listed so that a folder's legacy Word files are reported, not silently skipped.
READER = Reader("docx", (".docx", ".docm", ".doc"), sniff, read)
