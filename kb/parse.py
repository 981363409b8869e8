"""Parse the layout of a Korean government trip report into sections, blocks and items.

The layout, as the sample reports show it: Roman-numeral sections (ASCII or Unicode,
sometimes spaced letter by letter, sometimes the numeral alone on its line), level-one
headings marked □, U+F000 or "1.", labels such as "☞ 주요 시사점" or "○ 시사점" that
open a block of items, the bullet hierarchy □ ○ - ‣ ※ * **, tab- or space-separated
tables, HTML left by converters, and hard line breaks inside sentences and words.

The result is a flat list of :class:`Block` s, each with its section path, its kind
(finding, implication, ...) and its items; :mod:`kb.chunks` sizes them into chunks.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from kb.textutil import HANGUL, ends_sentence, join_lines, kiwi, squash

ROMAN = {
    "I": 1,
    "II": 2,
    "III": 3,
    "IV": 4,
    "V": 5,
    "VI": 6,
    "VII": 7,
    "VIII": 8,
    "IX": 9,
    "X": 10,
    "XI": 11,
    "XII": 12,
}
UNICODE_ROMAN = "ⅠⅡⅢⅣⅤⅥⅦⅧⅨⅩⅪⅫ"
GLYPH = "\uf000"  # private-use heading bullet left by HWP conversion

# Bullet markers and their depth: smaller is higher in the hierarchy.
MARKERS = {
    "□": 10,
    "■": 10,
    "◆": 10,
    "◇": 10,
    "☞": 20,
    "▶": 20,
    "▷": 20,
    "►": 20,
    "○": 20,
    "◦": 20,
    "●": 20,
    "◎": 20,
    "ㅇ": 20,
    "-": 30,
    "–": 30,
    "—": 30,
    "•": 30,
    "→": 30,
    "·": 30,
    "‣": 40,
    "※": 50,
    "*": 50,
    "**": 60,
}
_MARKER_RE = re.compile(
    r"^(?P<indent>\s*)(?P<marker>\*\*|<input type=\"checkbox\"\s*/?>|[□■◆◇☞▶▷►○◦●◎‣※*•→–—·-]|ㅇ(?=\s))\s*(?P<rest>.*)$"
)
_ROMAN_RE = re.compile(rf"^\s*(?P<num>[IVX]{{1,4}}|[{UNICODE_ROMAN}])(?:\.|\s+|$)\s*(?P<title>.*)$")
_NUMBER_RE = re.compile(r"^\s*(?P<num>\d{1,2})\.\s+(?P<title>[^\d\s].*)$")
_TOC_TAIL = re.compile(r"(\t\s*\d*|\s*(\.{3,}|·{3,}|…+)\s*\d+)\s*$")
_TAG_RE = re.compile(r"</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]{0,400})?/?>")
_DITTO = {'"', "″", "〃", "”", "“", "''"}
# Labels that open a block of items even when the next line is not indented deeper.
LABEL_WORDS = {
    "시사점",
    "주요시사점",
    "성과",
    "주요성과",
    "방문성과",
    "주요내용",
    "주요논의내용",
    "논의내용",
    "방문목적",
    "출장목적",
    "일반현황",
    "방문기관현황",
    "결론",
    "총평",
    "건의사항",
    "느낀점",
    "소감",
}


@dataclass
class Line:
    start: int  # character offsets of the content in the source text
    end: int
    type: str  # blank, toc, roman, glyph, number, bullet, table, text
    content: str = ""  # text without marker, tags removed
    marker: str = ""
    depth: int = 100  # bullet depth (marker rank + indentation)
    cells: list[str] = field(default_factory=list)


@dataclass
class Para:
    text: str
    start: int
    end: int
    table: bool = False
    cells: list[str] | None = None  # a table row's cells, ditto marks resolved


@dataclass
class Item:
    depth: int
    paras: list[Para] = field(default_factory=list)
    kind: str | None = None  # overrides the block's kind (a participants table, ...)
    header: list[str] | None = None  # table header row

    @property
    def text(self) -> str:
        return "\n".join(p.text for p in self.paras)


@dataclass
class Block:
    path: list[str]
    kind: str
    institution: str | None = None  # the visited institution this block is about
    place_context: str = ""  # headings above that may name a place
    items: list[Item] = field(default_factory=list)


@dataclass
class Parsed:
    lines: list[Line]
    blocks: list[Block]
    has_headings: bool


def strip_tags(s: str) -> str:
    return html.unescape(_TAG_RE.sub(" ", s)) if "<" in s else s


def collapse_spaced(s: str) -> str:
    """Undo letter-spacing: "출 장 개 요" -> "출장 개요", "일 시" -> "일시"."""

    def fix(m: re.Match) -> str:
        return kiwi().space(squash(m.group(0)), reset_whitespace=True)

    return re.sub(rf"(?<![{HANGUL}])(?:[{HANGUL}] +){{1,}}[{HANGUL}](?![{HANGUL}])", fix, s)


def _clean_cell(c: str) -> str:
    return re.sub(r"\s+", " ", strip_tags(c)).strip()


def classify(text: str) -> list[Line]:
    """Split text into typed lines with their offsets."""
    lines: list[Line] = []
    pos = 0
    toc = ""  # "" outside a table of contents, "목" after its first syllable, "in" inside
    for raw in text.split("\n"):
        start, end = pos, pos + len(raw)
        pos = end + 1
        stripped = raw.strip()
        lead = len(raw) - len(raw.lstrip())
        s, e = start + lead, start + lead + len(stripped)
        if not stripped:
            lines.append(Line(start, end, "blank"))
            continue
        word = squash(stripped)
        if word == "목차" or (word == "차" and toc == "목"):
            toc = "in"
        elif word == "목":
            toc = "목"
        elif toc == "in" and _TOC_TAIL.search(raw):
            pass
        else:
            toc = ""
        if toc:
            lines.append(Line(s, e, "toc", stripped))
            continue
        if stripped.lstrip().startswith(GLYPH):
            lines.append(Line(s, e, "glyph", collapse_spaced(stripped.lstrip(GLYPH + " \t"))))
            continue
        m = _ROMAN_RE.match(raw)
        if m and (m.group("num") in ROMAN or m.group("num") in UNICODE_ROMAN):
            title = strip_tags(m.group("title"))
            if not title.strip() or re.match(rf"[{HANGUL}]", title.strip()):
                kind = "toc" if _TOC_TAIL.search(m.group("title")) and "\t" in raw else "roman"
                num = m.group("num")
                numeral = UNICODE_ROMAN[ROMAN[num] - 1] if num in ROMAN else num
                lines.append(Line(s, e, kind, collapse_spaced(title.strip()), numeral))
                continue
        cells = raw.split("\t")
        if len([c for c in cells if c.strip()]) >= 2 or (len(cells) > 1 and not cells[0].strip() and stripped):
            lines.append(Line(s, e, "table", cells=[_clean_cell(c) for c in cells]))
            continue
        m = _MARKER_RE.match(raw)
        if m and m.group("rest").strip() and not (m.group("marker") in "-–—" and re.match(r"-?\d", raw.strip()[1:])):
            marker = m.group("marker")
            marker = "□" if marker.startswith("<input") else marker
            depth = MARKERS[marker] + min(len(m.group("indent").replace("\t", "  ")), 9)
            lines.append(Line(s, e, "bullet", strip_tags(m.group("rest")).strip(), marker, depth))
            continue
        m = _NUMBER_RE.match(raw)
        if m and len(m.group("title")) <= 80:
            lines.append(Line(s, e, "number", strip_tags(m.group("title")).strip(), m.group("num")))
            continue
        lines.append(Line(s, e, "text", strip_tags(stripped).strip()))
    _mark_space_tables(lines, text)
    return lines


def _mark_space_tables(lines: list[Line], text: str) -> None:
    """Find tables whose columns are separated by spaces: a header naming 연번/성명 and
    numbered rows below it (converters lose the tabs of HWP tables)."""
    i = 0
    while i < len(lines):
        ln = lines[i]
        if ln.type == "text" and {"연번", "성명"} <= set(ln.content.split()):
            ln.type, ln.cells = "table", ln.content.split()
            j = i + 1
            while j < len(lines) and lines[j].type in ("text", "blank", "number"):
                if lines[j].type != "blank":
                    row = text[lines[j].start : lines[j].end]
                    if not re.match(r"\d+\s", row):
                        break
                    lines[j].type, lines[j].cells = "table", row.split()
                j += 1
            i = j
        i += 1


def _next_nonblank(lines: list[Line], i: int) -> int | None:
    for j in range(i + 1, len(lines)):
        if lines[j].type != "blank":
            return j
    return None


def _prev_nonblank(lines: list[Line], i: int) -> int | None:
    for j in range(i - 1, -1, -1):
        if lines[j].type not in ("blank", "toc"):
            return j
    return None


def kind_of(title: str, parent: str | None) -> str:
    """The kind of content a heading or label introduces, given its parent's kind."""
    t = squash(title)
    if "시사점" in t or parent == "implication":
        return "implication"
    if any(w in t for w in ("결론", "총평", "소감", "맺음말")):
        return "conclusion"
    if "방문목적" in t:
        return "visit"
    if any(w in t for w in ("출장목적", "추진과제", "출장과제")) or t == "목적":
        return "purpose"
    if "성과" in t:
        return "finding"
    if any(w in t for w in ("일정", "체크리스트")):
        return "itinerary"
    if any(w in t for w in ("출장인원", "참가자", "명단", "출장자")):
        return "participants"
    if t in ("출장개요", "개요") and parent in (None, "overview"):
        return "overview"
    if any(w in t for w in ("방문기관", "연수내용", "출장내용", "방문내용", "활동내용")):
        return "visit"
    if "개요" in t or "일반현황" in t or ("현황" in t and (parent == "background" or "국가" in t or "도시" in t)):
        return "background"
    if any(w in t for w in ("주요내용", "논의내용", "주요논의")):
        return "finding"
    return parent or "text"


_ACTIVITY = re.compile(r"\s+(?:시찰|참석|참가|방문|면담|견학|주제발표|체결|간담회|설명회)(?:\s.*)?$")


def institution_name(heading: str) -> str:
    """The institution a visit heading names: "충칭 시엔타오빅데이터밸리 시찰" -> "충칭 시엔타오빅데이터밸리"."""
    name = _ACTIVITY.sub("", heading.strip())
    name = re.sub(r"(\s+(?:및|관계자))+$", "", name)
    return name.strip() or heading.strip()


class _Walker:
    """Walks typed lines once, keeping the heading context, and collects blocks."""

    def __init__(self, lines: list[Line], has_headings: bool):
        self.lines = lines
        self.blocks: list[Block] = []
        self.section: str | None = "표지" if has_headings else None
        self.section_kind: str | None = "cover" if has_headings else None
        self.level1: str | None = None
        self.level1_kind: str | None = None
        self.institution: str | None = None
        self.place_context = ""
        self.label: str | None = None
        self.label_kind: str | None = None
        self.label_depth = 0
        self.block: Block | None = None
        self.item: Item | None = None

    # -- context changes -------------------------------------------------
    def flush(self) -> None:
        self.block = None
        self.item = None

    def set_section(self, title: str, numeral: str) -> None:
        self.flush()
        self.section = f"{numeral} {title}".strip()
        self.section_kind = kind_of(title, None)
        self.level1 = self.level1_kind = self.institution = self.label = None
        self.place_context = ""

    def set_level1(self, title: str, glyph: bool = False) -> None:
        self.flush()
        self.level1 = title
        self.level1_kind = kind_of(title, self.section_kind)
        self.label = None
        visitish = self.section_kind == "visit" and self.level1_kind in ("visit", "finding", "implication")
        self.institution = institution_name(title) if visitish and not glyph else None
        if glyph:
            self.place_context = title
        elif not visitish:
            self.place_context = ""

    def set_label(self, title: str, depth: int) -> None:
        self.flush()
        self.label = title
        self.label_kind = kind_of(title, self.level1_kind or self.section_kind)
        self.label_depth = depth

    def current_kind(self) -> str:
        return self.label_kind if self.label else (self.level1_kind or self.section_kind or "text")

    def ensure_block(self) -> Block:
        if self.block is None:
            path = [p for p in (self.section, self.level1, self.label) if p]
            context = " ".join(p for p in (self.place_context, self.level1 or "", self.label or "") if p)
            self.block = Block(path, self.current_kind(), self.institution, context)
            self.blocks.append(self.block)
        return self.block

    def new_item(self, depth: int) -> Item:
        self.item = Item(depth)
        self.ensure_block().items.append(self.item)
        return self.item

    # -- the walk ----------------------------------------------------------
    def is_label(self, i: int, line: Line) -> bool:
        t = squash(line.content)
        if line.marker == "☞":
            return True
        if len(t) > 20 or ":" in line.content or ends_sentence(line.content) or line.depth >= 40:
            return False
        if t in LABEL_WORDS or t.endswith("시사점"):
            return True
        j = _next_nonblank(self.lines, i)
        return j is not None and self.lines[j].type == "bullet" and self.lines[j].depth > line.depth

    def is_caption(self, i: int, line: Line) -> bool:
        t = squash(line.content)
        if len(t) > 30 or ":" in line.content or ends_sentence(line.content) or not re.search(f"[{HANGUL}]", t):
            return False
        j, k = _next_nonblank(self.lines, i), _prev_nonblank(self.lines, i)
        next_table = j is not None and self.lines[j].type == "table"
        prev_table = k is not None and self.lines[k].type == "table"
        return next_table or (prev_table and (j is None or self.lines[j].type != "table"))

    def walk(self) -> list[Block]:
        for i, line in enumerate(self.lines):
            if line.type in ("blank", "toc"):
                continue
            if line.type == "roman":
                title = line.content
                if not title:  # the numeral alone; its title is on the next line
                    j = _next_nonblank(self.lines, i)
                    if j is not None and self.lines[j].type == "text" and len(self.lines[j].content) <= 40:
                        title = self.lines[j].content
                        self.lines[j].type = "toc"  # consumed
                self.set_section(title, line.marker)
            elif line.type == "glyph":
                self.set_level1(line.content, glyph=True)
            elif line.type == "number":
                head, _, rest = line.content.partition(":")
                self.set_level1(collapse_spaced(head.strip()))
                if rest.strip():
                    self.new_item(0).paras.append(Para(line.content, line.start, line.end))
            elif line.type == "bullet":
                self.bullet(i, line)
            elif line.type == "table":
                self.table(line)
            elif self.section_kind != "cover" and self.is_caption(i, line):
                self.set_level1(collapse_spaced(line.content))
            else:
                self.text(line)
        return [b for b in self.blocks if any(p.text.strip() for it in b.items for p in it.paras)]

    def bullet(self, i: int, line: Line) -> None:
        if line.marker == "□":
            self.set_level1(line.content)
            return
        if self.label and line.depth <= self.label_depth:
            self.label = None
            self.flush()
        if self.section_kind != "cover" and self.is_label(i, line):
            self.set_label(collapse_spaced(line.content), line.depth)
            return
        para = Para(f"{line.marker} {line.content}", line.start, line.end)
        if self.item is None or self.item.header is not None or line.depth <= self.item.depth:
            self.new_item(line.depth)
        self.item.paras.append(para)

    def table(self, line: Line) -> None:
        item = self.item
        if item is None or item.header is None:
            item = self.new_item(0)
            item.header = line.cells
            header = " ".join(line.cells)
            if "성명" in header and "직위" in header:
                item.kind = "participants"
            elif "일자" in header or "일정" in header:
                item.kind = "itinerary"
            row = line.cells
        else:
            prev = item.paras[-1].cells or []
            row = [prev[k] if c in _DITTO and k < len(prev) else c for k, c in enumerate(line.cells)]
        item.paras.append(Para(" | ".join(c for c in row if c), line.start, line.end, True, row))

    def text(self, line: Line) -> None:
        item = self.item
        last = item.paras[-1] if item and item.paras else None
        if re.match(r"\[?\s*출처\s*:", line.content) and item is not None:
            item.paras.append(Para(line.content, line.start, line.end))
        elif last is None or last.table or ends_sentence(last.text):
            self.new_item(100).paras.append(Para(line.content, line.start, line.end))
        else:
            last.text = join_lines(last.text, line.content)
            last.end = line.end


def parse(text: str) -> Parsed:
    """Parse a report's text into blocks of items under their headings."""
    lines = classify(text)
    has_headings = any(ln.type == "roman" for ln in lines)
    blocks = _Walker(lines, has_headings).walk()
    return Parsed(lines, blocks, has_headings)
