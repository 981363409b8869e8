"""Parse the layout of a trip report into blocks of items under their headings.

Reports number their headings in many families - Roman (Ⅰ.), chapters (제1장), "Part 1.",
Markdown ``#``, ``【…】``, ``1.``, ``2-1.``, ``가.``, ``1)``, ``가)``, ``(1)``, ①, bold lines -
and mark items with symbols (□ ■ ◆ ◇ ▶ ◎ ○ ◦ ㅇ • - ※ …). No family has a fixed level: as
in a word processor's outline, a family's level is where the document first uses it. A
family seen again closes everything opened below it; a new family opens a level below the
current one; symbol items at the same indentation are siblings whatever their symbol.

A marked line is a *heading* when it reads like a label (short, no sentence end, no
"key: value") and has content below it; otherwise it is an *item*, and the lines marked
below it belong to it. Tables come in every form :mod:`kb.tables` knows. Plain lines
continue the paragraph before them unless it ended a sentence; a heading, a marked line
or a table row is never joined to another line.

The result is a flat list of :class:`Block` s, each with its heading path, its kind
(:mod:`kb.kinds`) and its items; :mod:`kb.chunks` sizes them into chunks.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

from kb import tables
from kb.kinds import BY_KEY, heading_kind, item_kind, kind_of
from kb.textutil import HANGUL, ends_sentence, join_lines, kiwi, squash

UNICODE_ROMAN = "ⅠⅡⅢⅣⅤⅥⅦⅧⅨⅩⅪⅫ"
ROMAN = {r: i + 1 for i, r in enumerate(("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"))}
GLYPH = "\uf000"  # private-use heading bullet left by HWP conversion
HANGUL_ORDER = "가나다라마바사아자차카타파하"
SYMBOLS = "□■◆◇▶▷►▸▹○◦●◎•‣※*＊→⇒⇨➡➜·ㆍ・‧–—-▣◈☞❍❏◉▪◼◻➢➤✓✔√"  # and ㅇ followed by a space
# Label families placed by indentation rather than by first use: the symbols, and bracketed
# labels ("[착안 사항]"), which documents put at any depth.
SYMBOL_FAMILIES = frozenset(SYMBOLS) | {"ㅇ", "[]"}
STRONG_FAMILIES = ("roman", "chapter", "part", "【】", "【】+", "section", "glyph", "attachment")
# Pictographs used as bullets ("💡 시사점: …" in a note-taking app's callout), each a family.
_PICTOGRAPHS = "\U0001f300-\U0001faff"
_PICTOGRAPH = re.compile(rf"(?P<tok>[{_PICTOGRAPHS}])\ufe0f?\s*(?P<rest>\S.*)")


def _is_pictograph(family: str) -> bool:
    return len(family) == 1 and "\U0001f300" <= family <= "\U0001faff"


# The word of a numbered visit: "(방문 1)", "【방문기관 2】", "◈ 방문 1 : 기관명", "< 기관 3 >".
_VISIT_WORD = "(?:방문기관|방문지|방문|기관|현장)"
# Its number: 1 or ① ("[방문 ①] 기타큐슈시 환경국").
_VISIT_NUMBER = r"(?:\d{1,2}|[\u2460-\u2473])"

# Heading families that are always headings, in the order they are tried.
_STRONG = [
    ("#", re.compile(r"(?P<tok>#{1,6})\s+(?P<rest>.*)")),
    # also "Ⅰ . 연수 개요", a space before the dot
    # also "Ⅰ│출장 개요", a bar after the number
    (
        "roman",
        re.compile(rf"(?P<tok>[{UNICODE_ROMAN}]|[IVX]{{1,4}})(?:\s?[.│|｜]|\s+|$)\s*(?P<rest>(?:[{HANGUL}].*)?)$"),
    ),
    ("chapter", re.compile(r"제\s*(?P<tok>\d{1,2})\s*(?:장|편|부)\.?\s*(?P<rest>.*)")),
    (
        "part",
        re.compile(
            rf"(?:Part|PART|Chapter|CHAPTER|Section|SECTION)\s*(?P<tok>\d{{1,2}}|[IVX]{{1,4}}|[{UNICODE_ROMAN}]|[A-H])"
            r"\s*[.:]?\s+(?P<rest>.*)"
        ),
    ),
    ("【】", re.compile(r"【\s*(?P<tok>[^】]{0,30}?)\s*】\s*(?P<rest>.*)")),
    ("section", re.compile(r"제\s*(?P<tok>\d{1,2})\s*절\.?\s*(?P<rest>.*)")),
    # an official letter's attachment ("붙임 1", "[붙임 2] 세부 활동 내용"): the outline starts again
    # ("붙임 : 1. 자료 목록" lists the attachments instead)
    ("attachment", re.compile(r"\[?\s*붙임\s*(?P<tok>\d{0,2})\s*\]?\s*\.?(?![\s.]*[:：])\s*(?P<rest>.*)")),
]
# Numbered families: headings or list items, as their text reads.
_NUMBERED = [
    # a chapter's numbered parts: "Ⅲ-1. 빈 시영주택공사", "II.2 출장 일정"
    ("Ⅰ-1.", re.compile(rf"(?P<tok>(?:[{UNICODE_ROMAN}]|[IVX]{{1,4}})\s*[-.]\s*\d{{1,2}})\.?\s+(?P<rest>\S.*)")),
    # also "2-1) Stadt Freiburg", and a part's letter: "B-1 | Boston Planning & Development Agency"
    ("1-1.", re.compile(r"(?P<tok>(?:\d{1,2}|[A-Z])-\d{1,2})(?:[.)]|\s*\|(?=[^|]*$))?\s+(?P<rest>[^\s|].*)")),
    ("1.1.1.", re.compile(r"(?P<tok>\d{1,2}\.\d{1,2}\.\d{1,2})\.?\s+(?P<rest>[^\d\s].*)")),
    ("1.1.", re.compile(r"(?P<tok>\d{1,2}\.\d{1,2})\.?\s+(?P<rest>[^\d\s].*)")),
    ("1.", re.compile(r"(?P<tok>\d{1,2}) ?\.\s*(?P<rest>[^\d\s.)].*)")),  # also "1 . 출장 목적"
    ("1)", re.compile(r"(?P<tok>\d{1,2})\)\s*(?P<rest>\S.*)")),
    # a numbered visit in brackets: "(방문 1) 선전시 교통운수국", "[방문기관 2] 도시재개발청(URA)"
    (
        "[방문 1]",
        re.compile(rf"[\[(〔〈<]\s*{_VISIT_WORD}\s*(?P<tok>{_VISIT_NUMBER})\s*[\])〕〉>]\s*[:：.]?\s*(?P<rest>\S.*)"),
    ),
    ("(1)", re.compile(r"\(\s*(?P<tok>\d{1,2})\s*\)\s*(?P<rest>\S.*)")),
    ("⑴", re.compile(r"(?P<tok>[\u2474-\u2487])\s*(?P<rest>\S.*)")),  # (1) as one character: "⑴ 암스테르담시 교통국"
    # also spaced like a letter-spaced heading: "가 . 방 문 목 적"
    ("가.", re.compile(rf"(?P<tok>[{HANGUL_ORDER}]) ?\.\s*(?P<rest>\S.*)")),
    ("가)", re.compile(rf"(?P<tok>[{HANGUL_ORDER}]) ?\)\s*(?P<rest>\S.*)")),
    ("(가)", re.compile(rf"\(\s*(?P<tok>[{HANGUL_ORDER}])\s*\)\s*(?P<rest>\S.*)")),
    ("[1.1]", re.compile(r"\[\s*(?P<tok>\d{1,2}[.-]\d{1,2})\s*\]\s*(?P<rest>\S.*)")),  # "[2.1] City of Phoenix"
    ("[1]", re.compile(r"\[\s*(?P<tok>\d{1,2})\s*\]\s*(?P<rest>\S.*)")),
    # a label in brackets on a line of its own: "[착안 사항]", "〈주요 내용〉", "《시사점》"
    ("[]", re.compile(r"[\[〔〈《<「『]\s*(?P<rest>[^\]〕〉》>」』]{1,30}?)\s*[\]〕〉》>」』]\s*$(?P<tok>)")),
    ("<1>", re.compile(r"[<〈＜]\s*(?P<tok>\d{1,2})\s*[>〉＞]\s*(?P<rest>\S.*)")),
    ("①", re.compile(r"(?P<tok>[\u2460-\u2473])\s*(?P<rest>\S.*)")),
    # digits in dark or sans-serif circles: "❶ 연수 개요", "➊", "➀"
    ("❶", re.compile(r"(?P<tok>[\u2776-\u2793])\s*(?P<rest>\S.*)")),
    ("㉮", re.compile(r"(?P<tok>[\u326e-\u327b\u3260-\u326d])\s*(?P<rest>\S.*)")),
    # a time of day opening a day's entry: "16:00~17:30  주알마티 대한민국 총영사관 간담회"
    ("time", re.compile(r"(?P<tok>\d{1,2}:\d{2}\s*[~∼\-–]\s*(?:\d{1,2}:\d{2})?)\s+(?P<rest>\S.*)")),
    # a bare number before a short Hangul title: "1 출장목적"
    ("1", re.compile(rf"(?P<tok>\d{{1,2}})\s+(?P<rest>[{HANGUL}](?:(?!\s{{2}})[^\t\d]){{0,24}})$")),
]
# Full-width digits and brackets number headings as their ASCII forms do: "１. 연수 개요"
_FULL_WIDTH = str.maketrans("０１２３４５６７８９．（）", "0123456789.()")
_SYMBOL = re.compile(rf"(?P<tok>[{re.escape(SYMBOLS)}]|ㅇ(?=\s))\s*(?P<rest>\S.*)")
_BOLD_LINE = re.compile(r"^\s*(?:\*\*|__)(?P<rest>[^*_]+?)(?:\*\*|__)\s*:?\s*$")
_INLINE_LABEL = re.compile(r"^(?P<label>[^:：]{1,16}?)\s*(?<!\d)[:：](?!\d)\s*(?P<value>.*)$")  # not 1:1, 10:00
# A numbered visit as a label: "◈ 방문 1 : 인간과 방재 미래센터", "기관 2: 고베시 위기관리실".
_VISIT_LABEL = re.compile(rf"^{_VISIT_WORD}\s*{_VISIT_NUMBER}\s*[:：]\s*(?P<value>\S.*)$")
_MD_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!~|<>\"'])")
_MD_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)(?:\{[^}]*\})?")
_MD_BOLD = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_MD_ITALIC_LINE = re.compile(r"^(\s*)[*_](?=\S)(.+?)(?<=\S)[*_]\s*$")  # "*2019. 10. 8.(화) 10:00*"
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]{0,400})?/?>")
_RULE = re.compile(r"^\s*(?:[-=_*~─━]\s*){3,}$")
# A page number on a line of its own, as text exports of paged documents leave them: "- 3 -",
# "— 12 —", "- 3 / 12 -", "Page 3", "p. 3 of 12".
_PAGE_TOKEN = r"[-–—─━]\s*\d{1,4}(?:\s*/\s*\d{1,4})?\s*[-–—─━]"
_PAGE_NUMBER = re.compile(rf"^(?:{_PAGE_TOKEN}|(?:page|p\.)\s*\d{{1,4}}(?:\s*(?:/|of)\s*\d{{1,4}})?)$", re.I)
_TOC_TAIL = re.compile(r"(?:\t\s*\d*|\s*(?:\.{2,}|·{2,}|…+|ㆍ{2,}|-{3,})\s*\d+|\s+\d{1,3})\s*$")
# A line that starts a row of its own even without a table: a date or day ("9월 11일(월)",
# "11. 7.(월)", "Day 2"), or columns separated by runs of spaces.
_ROW_START = re.compile(r"^\s*(?:\d{1,2}\s*[./월]\s*\d{1,2}\s*일?\.?\s*\(|\d{1,2}/\d{1,2}\b|Day\s*\d|제?\s*\d+\s*일차)")
COLUMN_GAP = re.compile(r"\S\s{3,}\S")
_FIELD = re.compile(
    r"^(?:\d{1,2}(?:[-.]\d{1,2})*[.)]?\s+)?[^\s:：]{1,6}(?: {1,3}[^\s:：]{1,6}){0,2}\s*[:：]\s*\S"
)  # "일시: …", "3 연수 지역 : …", "기  간 : …"
# A short line of its own ending with a colon names what follows: "연수 개요:", "우리 시에 바라는 점:"
_COLON_HEADING = re.compile(r"^(?P<rest>[^\s:：][^:：]{0,20}?)\s*[:：]$")
# when a visit was, after its name: "타이중시정부 문화국 (10.14. 오후)", "면담(14:30)"
_WHEN = re.compile(r"\s*\((?:[\d.:~∼\-–\s/,]|오전|오후|\([월화수목금토일]\)|[월화수목금토일])+\)$")
_PAREN = re.compile(r"\([^)]*\)|（[^）]*）")
_ACTIVITY = re.compile(
    r"\s+(?:시찰|참석|참가|방문|면담|견학|주제발표|체결|간담회|설명회|답사|현장\s*답사|조사|현장\s*조사|업무협의|협의|회의)(?:\s.*)?$"
)


@dataclass
class Line:
    start: int  # character offsets of the line in the source text
    end: int
    type: str  # blank, skip (no text: rules, borders, images), page (page numbers, running heads), toc, table, mark, heading, text
    content: str = ""  # text without numbering, markup or tags
    family: str = ""  # a marked line's numbering family: "roman", "1.", "가)", "□", "#2", ...
    number: str = ""  # the numbering as written: "Ⅲ", "2-1", "가"
    indent: int = 0
    cells: list[str] = field(default_factory=list)
    text: str = ""  # a marked line as written, markup removed: "라. 출장 인원 : 의원 4명"

    @property
    def strong(self) -> bool:
        return self.family in STRONG_FAMILIES or self.family.startswith("#")

    @property
    def symbol(self) -> bool:
        return self.family in SYMBOL_FAMILIES or _is_pictograph(self.family)


@dataclass
class Para:
    text: str
    start: int
    end: int
    table: bool = False
    cells: list[str] | None = None  # a table row's cells, ditto marks resolved


@dataclass
class Item:
    paras: list[Para] = field(default_factory=list)
    kind: str | None = None  # set by the parser: the block's kind, a label's or a table's
    header: list[str] | None = None  # table header row
    label_kind: str | None = None  # the kind an inline label names ("시사점: ...")

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
    lift: str = ""  # how items become implications by what they say (kinds.Kind.lift)


@dataclass
class Parsed:
    lines: list[Line]
    blocks: list[Block]
    has_headings: bool
    front_end: int  # where the first heading starts: before it, the cover or memo header


def strip_tags(s: str) -> str:
    return html.unescape(_TAG.sub(" ", s)) if "<" in s or "&" in s else s


def collapse_spaced(s: str) -> str:
    """Undo letter-spacing: "출 장 개 요" -> "출장 개요", "일 시" -> "일시". Two syllables
    are letter-spaced only when they are the whole line: in "오스트리아 및 빈" they are words."""

    def fix(m: re.Match) -> str:
        return kiwi().space(squash(m.group(0)), reset_whitespace=True)

    if re.fullmatch(rf"\s*[{HANGUL}] +[{HANGUL}]\s*", s):
        return squash(s)
    return re.sub(rf"(?<![{HANGUL}])(?:[{HANGUL}] +){{2,}}[{HANGUL}](?![{HANGUL}])", fix, s)


def clean_markup(s: str, tags: bool = True) -> str:
    """A line without Markdown escapes, images, bold markers, quote marks or (unless
    ``tags`` is false) HTML tags."""
    if "\\" in s:
        s = _MD_ESCAPE.sub(r"\1", s)
    if "![" in s:
        s = _MD_IMAGE.sub("", s)
    s = re.sub(r"^(\s*)>\s?", r"\1", s)
    s = re.sub(r"^(\s*[-*+]\s+)\[[ xX]\]\s+", r"\1", s)  # a checkbox: "- [ ] 후속 조치: …"
    if "**" in s or "__" in s:
        s = _MD_BOLD.sub(r"\2", s)
    s = _MD_ITALIC_LINE.sub(r"\1\2", s)
    return (strip_tags(s) if tags else s).replace("\u00a0", " ")


def _indent(raw: str) -> int:
    lead = raw[: len(raw) - len(raw.lstrip())]
    return len(lead.replace("\t", "    ").replace("\u3000", "  "))


def institution_name(heading: str) -> str:
    """The institution a visit heading names: "충칭 시엔타오빅데이터밸리 시찰" -> "충칭 시엔타오빅데이터밸리"."""
    name = _WHEN.sub("", heading.strip())
    name = _ACTIVITY.sub("", name)
    name = re.sub(r"(\s+(?:및|관계자))+$", "", name)
    return name.strip() or heading.strip()


def _bold_heading(text: str) -> tuple[str, str, str]:
    """A bold line: of its numbering's family when it has one ("**Ⅰ. 출장 개요**"), else
    of the bold family."""
    marked = _marked(text)
    return marked if marked and not marked[0].startswith("#") else ("bold", "", text.strip())


def _marked(raw: str) -> tuple[str, str, str] | None:
    """(family, number, text) of a line that starts with a heading or item marker."""
    s = raw.strip().translate(_FULL_WIDTH)
    if s.startswith(GLYPH):
        return "glyph", "", s.lstrip(GLYPH + " \t")
    for family, pattern in _STRONG + _NUMBERED:
        m = pattern.match(s)
        if not m:
            continue
        tok, rest = m.group("tok"), m.group("rest").strip()
        if family == "#":
            return f"#{len(tok)}", tok, rest
        if family == "【】" and rest:
            return "【】+", tok, rest  # "【방문 1】 기관명": another family than a whole-line 【 개요 】
        if family == "attachment" and (len(rest) > 30 or re.search(r"\d\s*부\.?|끝\.?$", rest)):
            continue  # the list of attachments at a letter's end: "붙임 1. 세부 활동 내용 1부. 끝."
        if family == "roman":
            if tok not in ROMAN and tok not in UNICODE_ROMAN:
                continue
            return family, UNICODE_ROMAN[ROMAN[tok] - 1] if tok in ROMAN else tok, rest
        return family, tok, rest
    m = _SYMBOL.match(s) or _PICTOGRAPH.match(s)
    if m:
        tok = m.group("tok")
        if tok in "-–—" and (re.match(r"[-–—]\d", s) or s.endswith(tok)):
            return None  # a negative number, or a subtitle between dashes: "- 전자정부 벤치마킹 -"
        return tok, tok, m.group("rest").strip()
    return None


def classify(text: str) -> list[Line]:
    """Split text into typed lines with their offsets."""
    raws = text.split("\n")
    lines: list[Line] = []
    pos = 0
    for raw in raws:
        lines.append(Line(pos, pos + len(raw), "blank"))
        pos += len(raw) + 1
    cleaned = [clean_markup(r) for r in raws]
    stripped = [c.strip() for c in cleaned]
    _mark_toc(cleaned, lines)
    _mark_page_breaks(stripped, lines)
    i = 0
    while i < len(raws):
        ln, raw, clean = lines[i], raws[i], cleaned[i]
        if ln.type in ("toc", "page") or not clean.strip():
            if ln.type == "blank" and raw.strip():
                ln.type = "skip"  # markup only: an image, an empty quote
            i += 1
            continue
        lead = len(raw) - len(raw.lstrip())
        ln.start, ln.end = ln.start + lead, ln.start + len(raw.rstrip())
        ln.indent = _indent(clean)
        if _RULE.match(clean) or tables.is_border(clean) or tables.is_pipe_alignment(clean):
            ln.type = "skip"
            i += 1
            continue
        cells = tables.tab_cells(clean) or tables.pipe_cells(clean) or tables.box_cells(clean)
        if cells is not None:
            if heading := _heading_row(cells):
                _type_line(ln, clean.strip(), heading)  # "1 | 출장 개요": a heading, not a table
            else:
                ln.type, ln.cells = "table", cells
            i += 1
            continue
        n = tables.one_cell_header(stripped, i)
        if n:
            i = _one_cell_table(lines, cleaned, i, n)
            continue
        if tables.is_space_header(clean):
            i = _space_table(lines, cleaned, i)
            continue
        bold = _BOLD_LINE.match(re.sub(r"^\s*>\s?", "", raw))
        marked = (
            _bold_heading(clean_markup(bold["rest"])) if bold and len(squash(bold["rest"])) <= 40 else _marked(clean)
        )
        colon = _COLON_HEADING.match(clean.strip())
        if not marked and colon and (i == 0 or not stripped[i - 1]):
            marked = ("colon", "", colon["rest"])
        _type_line(ln, clean.strip(), marked)
        i += 1
    lines = _unfold_label_tables(lines, raws)
    _join_wrapped_marks(lines)
    return lines


def _heading_row(cells: list[str]) -> tuple[str, str, str] | None:
    """A row of a number and a chapter's title ("1 | 출장 개요", "3 | 방문기관별 활동 내용"): a
    heading drawn as a one-row table, as word processors' exports leave them."""
    if len(cells) != 2 or len(cells[1]) > 30:
        return None
    number, title = cells[0].strip(), cells[1].strip()
    if not re.fullmatch(rf"\d{{1,2}}|[{UNICODE_ROMAN}]", number) or kind_of(title, None) == "text":
        return None
    return "1|", number, title


# Two-column tables of labels (구분 | 내용), one per visit.
_FIELD_LABELS = frozenset(
    {
        "기관명",
        "기관",
        "방문기관",
        "방문처",
        "일시",
        "일자",
        "장소",
        "위치",
        "면담자",
        "면담",
        "참석자",
        "대상",
        "담당자",
    }
)
_CONTENT_KINDS = ("finding", "implication", "conclusion", "visit")
_BARE_VISIT = re.compile(rf"^{_VISIT_WORD}?\s*{_VISIT_NUMBER}$")


def _unfold_label_tables(lines: list[Line], raws: list[str]) -> list[Line]:
    """A two-column table whose first column labels the second (구분 | 내용: 기관명, 일시, 주요내용,
    시사점 …) with cells of several lines, as a grid table gives one visit: read as the visit's
    outline. A label naming findings, lessons or a visit heads its cell's lines, which keep
    their own marks (○, -); another label is a field ("일시 : …"); a 기관명 row names the
    visit whose heading was only a number ("< 방문 2 >")."""
    out: list[Line] = []
    i = 0
    while i < len(lines):
        run = [i]
        j = i + 1
        while lines[i].type == "table" and j < len(lines) and lines[j].type in ("table", "skip", "page"):
            if lines[j].type == "table":
                run.append(j)
            j += 1
        rows = [lines[k] for k in run]
        labels = [squash(r.cells[0]) for r in rows if len(r.cells) == 2 and r.cells[0]]
        if not (
            lines[i].type == "table"
            and all(len(r.cells) == 2 for r in rows)
            and any(not r.cells[0] for r in rows)
            and any(heading_kind(label) in _CONTENT_KINDS and label not in _FIELD_LABELS for label in labels)
            and sum(label in _FIELD_LABELS or heading_kind(label) is not None for label in labels) >= 2
        ):
            out.append(lines[i])
            i += 1
            continue
        for k in range(i, j):
            ln = lines[k]
            if ln.type != "table":
                out.append(ln)
                continue
            label, value = ln.cells
            parts = tables.cells_as_written(raws[k])
            value_raw = parts[1] if len(parts) == 2 else value
            indent = ln.indent + 2 + len(value_raw) - len(value_raw.lstrip())
            if squash(label) in ("구분", "항목") and squash(value) == "내용":
                ln.type = "skip"
                out.append(ln)
                continue
            if label and squash(label) not in _FIELD_LABELS and heading_kind(label) in _CONTENT_KINDS:
                ln.type, ln.family, ln.number, ln.content, ln.text, ln.cells = "mark", "cell", "", label, label, []
                out.append(ln)
                if not value:
                    continue
                ln = Line(ln.start, ln.end, "text")
            elif label:
                if squash(label) in ("기관명", "기관", "방문기관") and value:
                    _name_the_visit(out, value)
                ln.type, ln.content, ln.cells = "text", f"{label} : {value}", []
                out.append(ln)
                continue
            ln.indent, ln.cells = indent, []
            _type_line(ln, value, _marked(value))
            out.append(ln)
        i = j
    return out


def _name_the_visit(before: list[Line], name: str) -> None:
    """A visit heading that is only a number ("< 방문 2 >") takes its 기관명 row's name."""
    for ln in reversed(before):
        if ln.type in ("blank", "skip", "page"):
            continue
        if ln.type == "mark" and _BARE_VISIT.match(squash(ln.content)):
            ln.content = ln.text = name
        return


def _type_line(ln: Line, text: str, marked: tuple[str, str, str] | None) -> None:
    """A line as a marked line (its family, number and text without the mark) or as text."""
    if marked:
        ln.type, (ln.family, ln.number, ln.content) = "mark", marked
        ln.text = text
        # "5. 출장내용 :" with nothing after the colon introduces what follows, as a heading would
        ln.content = re.sub(r"\s*[:：]$", "", ln.content.strip())
    else:
        ln.type, ln.content = "text", text


def _depth(text: str) -> int:
    return text.count("(") + text.count("（") - text.count(")") - text.count("）")


def _join_wrapped_marks(lines: list[Line], most: int = 3) -> None:
    """A marked line whose parenthesis the next lines close ("3.1 시트랄 (SYTRAL, Syndicat
    mixte" / "des transports pour le Rhône et" / "l'agglomération lyonnaise)"): a heading
    wrapped at a fixed width by a PDF conversion, read as one line."""
    for i, ln in enumerate(lines):
        depth = _depth(ln.content) if ln.type == "mark" else 0
        if depth <= 0:
            continue
        taken: list[Line] = []
        for nxt in lines[i + 1 : i + 1 + most]:
            if nxt.type != "text":
                break
            taken.append(nxt)
            depth += _depth(nxt.content)
            if depth <= 0:
                break
        if taken and depth == 0:
            ln.content = " ".join([ln.content, *(t.content for t in taken)])
            ln.text = " ".join([ln.text, *(t.content for t in taken)])
            ln.end = taken[-1].end
            for t in taken:
                t.type = "skip"


def _mark_toc(cleaned: list[str], lines: list[Line]) -> None:
    """Lines of a table of contents: after 목차 (or 목 차 / CONTENTS), up to a run of blank
    lines, a line no table of contents has (a sentence, a long line), or the first
    entry's heading seen again."""
    i = 0
    while i < len(cleaned):
        word = squash(cleaned[i]).lower()
        if word not in ("목차", "차례", "contents", "목", "<목차>", "【목차】", "[목차]"):
            i += 1
            continue
        if word == "목" and (i + 1 >= len(cleaned) or squash(cleaned[i + 1]) != "차"):
            i += 1
            continue
        j = i + (2 if word == "목" else 1)
        first: str | None = None
        blanks = 0
        while j < len(cleaned):
            s = cleaned[j].strip()
            if not s:
                blanks += 1
                if blanks >= 2 and first is not None:
                    break
                j += 1
                continue
            entry = _toc_key(s)
            if first is not None and (entry == first or len(s) > 70 or ends_sentence(s)):
                break
            if first is None:
                first = entry
            blanks = 0
            j += 1
        for k in range(i, j):
            if cleaned[k].strip():
                lines[k].type, lines[k].content = "toc", cleaned[k].strip()
        i = j


def _mark_page_breaks(stripped: list[str], lines: list[Line], reach: int = 3) -> None:
    """Page furniture in text exported from a paged document: page numbers ("- 3 -", or a
    footer that repeats around its number: "하늬시의회 ─ 3 ─") and the running header or
    footer beside them (a line found next to two page numbers or more, rules between them),
    as lines of type "page", which the walk skips. Where a sentence runs across the page
    break, the blank lines of the break are skipped too, so that the sentence reads as one
    paragraph ("에너지 자립형" / "- 3 -" / header / "건물(HIKARI)과 …")."""
    footer = {  # a line holding a page number, as written around it: "하늬시의회 ─ # ─"
        i: re.sub(_PAGE_TOKEN, "#", squash(s))
        for i, s in enumerate(stripped)
        if len(s) <= 60 and re.search(_PAGE_TOKEN, s)
    }
    repeated = Counter(footer.values())
    numbers = {i for i, s in enumerate(stripped) if _PAGE_NUMBER.match(s) or i in footer and repeated[footer[i]] >= 2}
    if not numbers:
        return
    near: set[int] = set()  # lines next to a page number
    for n in numbers:
        for step in (-1, 1):
            j, seen = n + step, 0
            while 0 <= j < len(stripped) and seen < reach and j not in numbers:
                if stripped[j] and not _RULE.match(stripped[j]):
                    near.add(j)
                    seen += 1
                j += step
    repeats = Counter(squash(stripped[j]) for j in near)
    furniture = numbers | {j for j in near if repeats[squash(stripped[j])] >= 2}

    def in_break(k: int) -> bool:
        return k in furniture or not stripped[k] or bool(_RULE.match(stripped[k]))

    for n in numbers:
        lo = hi = n  # the break: furniture, rules and blank lines around the page number
        while lo > 0 and in_break(lo - 1):
            lo -= 1
        while hi + 1 < len(stripped) and in_break(hi + 1):
            hi += 1
        across = lo > 0 and not ends_sentence(stripped[lo - 1])
        for k in range(lo, hi + 1):
            if k in furniture or (across and not stripped[k]) or _RULE.match(stripped[k]):
                lines[k].type = "page"


def _toc_key(line: str) -> str:
    """An entry or heading reduced to its letters: "I. 출장 개요\t2" and "I 출 장 개 요" agree."""
    return re.sub(r"\W", "", _TOC_TAIL.sub("", line))


def _one_cell_table(lines: list[Line], cleaned: list[str], i: int, n: int) -> int:
    """A table flattened to one cell per line: ``n`` header lines, then rows of ``n`` lines."""
    cells = [c.strip() for c in cleaned]
    j = i
    while (
        j < len(cells)
        and cells[j]
        and len(cells[j]) <= 40
        and _marked(cells[j]) is None
        or (j < len(cells) and cells[j] and j < i + n)
    ):
        j += 1
    rows = range(i, j, n)
    for r in rows:
        end = min(r + n, j)
        first = lines[r]
        first.type, first.cells = "table", cells[r:end]
        first.end = lines[end - 1].end
        for k in range(r + 1, end):
            lines[k].type = "skip"  # held by the row's first line
    return j


def _space_table(lines: list[Line], cleaned: list[str], i: int) -> int:
    """A table whose columns are aligned with spaces. Runs of spaces: cells are cut at the
    header's column starts, and a line with one cell right of the first column continues
    the cell above it (a long 직위 wrapped in its column). Single spaces: cells are words,
    and rows are the lines that start with a number. Blank lines and rules (------) between
    rows are allowed; a page number is not a row."""
    header = cleaned[i]
    aligned = len(tables.space_cells(header)) >= 3
    starts = [col for col, _ in tables.aligned_cells(header)]
    lines[i].type = "table"
    lines[i].cells = tables.space_cells(header) if aligned else header.split()

    def gap(k: int) -> bool:
        return not cleaned[k].strip() or bool(_RULE.match(cleaned[k])) or tables.is_border(cleaned[k])

    def is_row(k: int) -> bool:
        return lines[k].type != "page" and _space_row(cleaned[k], aligned, starts)

    j, last = i + 1, i
    while j < len(cleaned):
        if gap(j):
            nxt = next((k for k in range(j + 1, min(j + 4, len(cleaned))) if not gap(k)), None)
            if nxt is None or not is_row(nxt):
                break
            if cleaned[j].strip():
                lines[j].type = "skip"
            j += 1
            continue
        if not is_row(j):
            break
        row = cleaned[j]
        if aligned:
            cells = [""] * len(starts)
            for start, cell in tables.aligned_cells(row):
                col = max((k for k, s in enumerate(starts) if s <= start + 2), default=0)
                cells[col] = f"{cells[col]} {cell}".strip()
            if len(tables.aligned_cells(row)) == 1:  # the cell above goes on
                above = lines[last].cells  # the header's cells may be fewer than its columns
                joined = [f"{a} {c}".strip() for a, c in zip(above, cells, strict=False)]
                lines[last].cells = joined + above[len(joined) :] + cells[len(joined) :]
                lines[last].end = lines[j].end
                lines[j].type = "skip"
                j += 1
                continue
        else:
            cells = row.split()
        lines[j].start += len(row) - len(row.lstrip())
        lines[j].type, lines[j].cells = "table", cells
        j, last = j + 1, j
    return j


def _space_row(row: str, aligned: bool, starts: list[int]) -> bool:
    if aligned:
        cells = tables.aligned_cells(row)
        if len(cells) == 1:  # a cell's second line, in a column right of the first
            return any(abs(cells[0][0] - s) <= 2 for s in starts[1:])
        return len(tables.space_cells(row)) >= 2
    return bool(re.match(r"^\s*\d{1,3}\s+\S+\s+\S+", row))


@dataclass
class _Node:
    """An open heading or item on the outline stack."""

    family: str
    indent: int
    heading: bool
    title: str = ""
    kind: str = "text"
    institution: str | None = None
    item: Item | None = None
    lift: str = ""  # set where a heading lets its items' wording decide
    strong: bool = False
    line: Line | None = None  # a heading's own line
    child_indent: int | None = None  # how far its first marked child was indented
    used: bool = False  # a heading with content below it (else its line is kept as text)

    def symbol_heading_at(self, indent: int) -> bool:
        return (
            self.heading
            and self.family in SYMBOL_FAMILIES
            and self.indent == indent
            and self.child_indent is not None
            and self.child_indent > indent
        )

    def sibling_symbol(self, line: Line) -> bool:
        """A symbol item at the same indentation as this open item is its sibling, whatever
        marks the two ("가) 주요 설명" … "⇒ 접목 과제 : …")."""
        return not self.heading and self.indent == line.indent


def _annotates(line: Line, node: _Node) -> bool:
    """A footnote (*, **) right after an open item of another mark annotates that item,
    even where the converter lost the indentation that showed it ("- 귀양빅데이터거래소 …"
    then "* 5,000만위안 등기자본으로 '14. 12.에 설립": on its own the note names nothing).
    A ※ note is left as it was: it often closes a whole list ("※ 추진 상황은 … 점검")."""
    return line.family == "*" and node.family != "*" and node.item is not None


class _Walker:
    """Walks typed lines once, keeping the outline stack, and collects blocks."""

    def __init__(self, lines: list[Line]):
        self.lines = lines
        self.blocks: list[Block] = []
        self.stack: list[_Node] = []
        self.block: Block | None = None
        self.item: Item | None = None
        self.seen_heading = False
        self.front_end = 0
        self.blank_before = False
        self.last_text: Line | None = None  # the plain line just before, if it was one

    # -- context -------------------------------------------------------------
    def headings(self) -> list[_Node]:
        return [n for n in self.stack if n.heading]

    def context_kind(self) -> str:
        """The deepest heading's kind; before any heading, text (the walk makes it the
        cover once a heading has come)."""
        hs = self.headings()
        return hs[-1].kind if hs else "text"

    def ensure_block(self) -> Block:
        if self.block is None:
            hs = self.headings()
            path = [n.title for n in hs]
            institution = next((n.institution for n in hs if n.institution), None)
            context = " ".join(n.title for n in hs[1:])
            kind = self.context_kind()
            lift = (hs[-1].lift if hs else "") or BY_KEY[kind].lift
            self.block = Block(path, kind, institution, context, lift=lift)
            self.blocks.append(self.block)
            for n in hs:
                n.used = True
        return self.block

    def new_item(self) -> Item:
        self.item = Item()
        self.ensure_block().items.append(self.item)
        return self.item

    # -- outline -------------------------------------------------------------
    def next_line(self, i: int) -> Line | None:
        for j in range(i + 1, len(self.lines)):
            if self.lines[j].type not in ("blank", "skip", "page", "toc"):
                return self.lines[j]
        return None

    def is_heading(self, i: int, line: Line) -> bool:
        text = line.content
        if line.family.startswith("#") or line.family in ("glyph", "cell"):
            return True
        plain = _without_names(text).strip()  # "트랜스밀레니오 (TransMilenio S.A.)" ends no sentence
        short = squash(plain)
        if line.strong:
            return len(short) <= 60 and not (len(short) > 30 and ends_sentence(plain))
        if not short or ends_sentence(plain) or plain.endswith((",", "、", "및")):
            return False
        if _INLINE_LABEL.match(text) and not _label_heading(text) and not _VISIT_LABEL.match(text):
            return False
        limit = 30 if line.symbol else 40
        if _width(short) > limit:
            return False
        named = heading_kind(text) is not None  # the words of a kind: 시사점, 주요내용, 개황 …
        if not self.seen_heading and not named:
            return False  # the cover's lines are not sections, unless they name one
        nxt = self.next_line(i)
        if nxt is None:
            return False
        top = self.stack[-1] if self.stack else None
        in_list = top is not None and not top.heading and top.family == line.family and top.indent == line.indent
        if in_list and not named and nxt.indent <= line.indent:
            return False  # the last item of a list, with nothing indented below it, is an item
        if nxt.type == "table":
            return True
        if line.family == "time":
            return nxt.indent > line.indent  # a day's entry heads only what is indented under it
        if nxt.type == "text":
            # the next line, across a page break but not across a blank line or a rule
            after = next((ln for ln in self.lines[i + 1 :] if ln.type != "page"), None)
            continues = after is nxt and nxt.indent > line.indent and not line.family == "bold"
            heads = not continues and (named or len(short) <= 25 or line.family == "bold")
        elif nxt.type != "mark" or nxt.strong:
            heads = False
        elif nxt.family == line.family and nxt.indent == line.indent:
            heads = False  # a sibling: this is a list item
        elif any(
            not n.heading and n.family == nxt.family and n.indent == nxt.indent < line.indent
            for n in self.kept_for(line, heading=False)
        ):
            heads = False  # the next line is a sibling of the item this one is under: nothing is below it
        else:
            heads = not any(n.family == nxt.family for n in self.kept_for(line, heading=True))
        # Kiwi is asked last, and only where its reading can still say no: it costs more
        # than everything else here.
        if not heads or line.family in ("bold", "colon"):  # a colon says it is a label
            return heads
        if any(n.heading and n.family == line.family and n.indent == line.indent for n in self.stack):
            return True  # the sibling of a heading ("마. 오사카시 위기관리실 및 네야가와 …", which Kiwi reads as 네야 + 가 + 와)
        clause = reads_as_clause(text)
        # "…생산공장을" wraps onto the next line; "주요 시사점" heads it; "깨진 관계 박물관"
        # (a verb, but marked lines below it) names a visit
        return not (clause == "sentence" or (clause == "modifier" and nxt.type == "text" and not named))

    def pop_for(self, line: Line, heading: bool) -> None:
        """Close what ``line`` ends: deeper nodes, and the open node of its own family."""
        self.close(len(self.kept_for(line, heading)))

    def close(self, kept: int) -> None:
        """Close the open nodes above ``kept``. A heading with nothing under it (the last
        line of a report, "붙임") is not lost: its line becomes text where it stood."""
        closed = self.stack[kept:]
        if any(n.heading for n in closed):
            self.block = self.item = None  # the heading path changes
        del self.stack[kept:]
        for node in closed:
            if node.heading and not node.used and node.line is not None:
                node.line.type = "text"
                self.new_item().paras.append(Para(node.line.content, node.line.start, node.line.end))
                self.block = self.item = None

    def kept_for(self, line: Line, heading: bool) -> list[_Node]:
        """The open nodes that stay open when ``line`` comes."""
        if line.family == "attachment":
            return []  # an attachment starts the outline again
        stack = list(self.stack)
        if heading:
            while stack and not stack[-1].heading:
                stack.pop()
        if line.family.startswith("#"):
            level = int(line.family[1:])
            while stack and not (stack[-1].family.startswith("#") and int(stack[-1].family[1:]) < level):
                stack.pop()
            return stack
        while stack and not stack[-1].heading and stack[-1].indent > line.indent:
            stack.pop()
        same = [
            k for k, n in enumerate(stack) if n.family == line.family and (not line.symbol or n.indent == line.indent)
        ]
        if same:
            del stack[same[-1] :]
        elif line.symbol and stack and stack[-1].sibling_symbol(line) and not _annotates(line, stack[-1]):
            if stack.pop().family == "*" and stack and stack[-1].sibling_symbol(line):
                stack.pop()  # the item a footnote annotated ends with it
        elif line.symbol:
            # a symbol heading whose children were indented below it: a line at its own
            # indentation is its sibling ("- 주요 논의내용" ... "☞ 주요 시사점")
            while stack and stack[-1].symbol_heading_at(line.indent):
                stack.pop()
        elif heading and line.indent > 0:
            # a new family indented like the open heading is its sibling, not its child
            while stack and stack[-1].heading and not stack[-1].strong and stack[-1].indent >= line.indent:
                stack.pop()
        return stack

    def open_heading(self, line: Line) -> None:
        self.pop_for(line, heading=True)
        self.block = self.item = None
        if not self.seen_heading:
            self.front_end = line.start
        self.seen_heading = True
        title = collapse_spaced(_heading_title(line))
        parents = self.headings()
        parent_kind = parents[-1].kind if parents else None
        # (an attachment's own title, "붙임 1 세부 활동 내용", says what all of it is, not this)
        if parent_kind == "background" and any(
            p.kind in ("visit", "finding") and p.family != "attachment" for p in parents[:-1]
        ):
            parent_kind = "visit"  # a city's overview inside the visits, then that city's visits
        if parents and parent_kind == "text" and not parents[-1].used and _names_a_visits_part(title):
            # "■ Port of Hamburg Marketing" over "개요" and "청취 내용": a visit by its parts
            parents[-1].kind = parent_kind = "visit"
            parents[-1].institution = institution_name(parents[-1].title)
        kind = kind_of(title, parent_kind)
        line.type = "heading"
        self.note_child(line)
        node = _Node(line.family, line.indent, True, title, kind, strong=line.strong, line=line)
        if not parents and _display_number(line):
            node.title = f"{_display_number(line)} {title}"
        if kind == "finding" and any(p.kind == "implication" for p in parents):
            node.kind = "implication"  # 성과 under 성과 및 향후 과제: what the trip achieved, a result to build on
        visit_context = parent_kind in ("visit", "finding") and not any(p.institution for p in parents)
        if visit_context and heading_kind(title) is None and line.family != "glyph":
            node.institution = institution_name(title)
        self.stack.append(node)

    def add_mark_item(self, line: Line) -> None:
        """A marked line that is not a heading: an item of its own, or a line of the open
        item it is marked under - unless its label names a kind ("▷ 반영사항 : …"), which
        makes it an item of its own."""
        self.pop_for(line, heading=False)
        parent = self.stack[-1] if self.stack and not self.stack[-1].heading else None
        para = Para(line.text or line.content, line.start, line.end)
        label = _kind_label(line.content)
        if parent is not None and parent.item is not None and not label:
            item = parent.item
        else:
            item = self.new_item()
            if label:  # read as a heading would be, under this block
                item.label_kind = kind_of(label, self.block.kind)
            if parent is not None:
                # the lines after a labelled one start a new item, so an item's lines stay
                # together: "◦ 목 적 : …" between "◦ 기 간" and "◦ 방문지" under one mark
                parent.item = None if label else item
        item.paras.append(para)
        self.item = item
        self.note_child(line)
        self.stack.append(_Node(line.family, line.indent, False, item=item))

    def note_child(self, line: Line) -> None:
        if self.stack and self.stack[-1].child_indent is None:
            self.stack[-1].child_indent = line.indent

    # -- the walk --------------------------------------------------------------
    def walk(self) -> list[Block]:
        for i, line in enumerate(self.lines):
            if line.type == "blank":
                self.blank_before = True
                continue
            if line.type in ("skip", "page", "heading"):
                continue
            if line.type == "toc":
                self.toc(line)
            elif line.type == "mark":
                if line.family in ("roman", "attachment") and not line.content:
                    nxt = self.next_line(i)  # the numeral alone; its title on the next line
                    if nxt is not None and nxt.type == "text" and len(nxt.content) <= 40:
                        line.content = nxt.content
                        nxt.type = "heading"  # read as part of the numeral's heading
                if not self.seen_heading and _is_cover_line(line):
                    self.text(line)
                elif self.is_heading(i, line):
                    self.open_heading(line)
                else:
                    self.add_mark_item(line)
            elif line.type == "table":
                self.table(line)
            else:
                self.text(line)
            if line.type != "text":
                self.last_text = None
            self.blank_before = False
        self.close(0)
        for block in self.blocks:
            if self.seen_heading and not block.path:
                block.kind, block.lift = "cover", ""  # front matter before the first heading
            for item in block.items:
                if item.kind is None:
                    item.kind = item.label_kind or item_kind(block.kind, item.text, block.lift)
        return [b for b in self.blocks if any(p.text.strip() for it in b.items for p in it.paras)]

    def toc(self, line: Line) -> None:
        block = Block(["목차"], "cover")
        block.items.append(Item([Para(line.content, line.start, line.end)], kind="cover"))
        if self.blocks and self.blocks[-1].path == ["목차"]:
            self.blocks[-1].items[0].paras.append(block.items[0].paras[0])
        else:
            self.blocks.append(block)
        self.block = self.item = None

    def table(self, line: Line) -> None:
        item = self.item
        if item is None or item.header is None:
            while self.stack and not self.stack[-1].heading:
                self.stack.pop()
            item = self.new_item()
            item.header = line.cells
            header = {squash(c) for c in line.cells}
            if header & {"성명", "이름"}:
                item.kind = "participants"
            elif header & {"일자", "일시", "날짜", "일정", "요일"}:
                item.kind = "itinerary"
            row = line.cells
        else:
            prev = item.paras[-1].cells or []
            row = tables.resolve_ditto(line.cells, prev)
        item.paras.append(Para(" | ".join(c for c in row if c), line.start, line.end, True, row))

    def text(self, line: Line) -> None:
        item = self.item
        last = item.paras[-1] if item and item.paras else None
        row = bool(_ROW_START.match(line.content) or COLUMN_GAP.search(line.content) or _FIELD.match(line.content))
        # a first line indented deeper than the plain line before it starts a paragraph
        indented = self.last_text is not None and line.indent > self.last_text.indent
        self.last_text = line
        if last is not None and not last.table and not row and not indented and not ends_sentence(last.text):
            last.text = join_lines(last.text, line.content)
            last.end = line.end
            return
        # a new paragraph is an item of its own, unless indented under an open marked item
        # (a note under a bullet); "Q." and "A." lines and the plan after them are three
        top = self.stack[-1] if self.stack else None
        under_item = top is not None and not top.heading and line.indent > top.indent and not self.blank_before
        # a short line that names what follows ("홍길동 의원") keeps its paragraph
        named = last is not None and indented and not self.blank_before and len(squash(last.text)) <= 15
        if item is None or last is None or last.table or not (under_item or named):
            while self.stack and not self.stack[-1].heading:
                self.stack.pop()
            self.new_item()
            # a paragraph opened by a label that names a kind is of that kind, as a marked
            # line's is: "> **일본 개황**: 일본은 …" inside the purpose section is background
            if label := _kind_label(line.content):
                self.item.label_kind = kind_of(label, self.block.kind)
        self.item.paras.append(Para(line.content, line.start, line.end))


_PARTICLES = ("JKS", "JKO", "JX")  # subject, object, topic
_PREDICATES = ("VV", "VA", "VX", "XSV", "XSA")  # verbs and adjectives (not the copula)


def _kind_label(text: str) -> str | None:
    """A line's inline label where it names a kind and a value follows it ("▷ 반영사항 : …",
    "일본 개황: 일본은 …"): the line is an item of that kind."""
    m = _INLINE_LABEL.match(text)
    return m.group("label") if m and m.group("value").strip() and heading_kind(m.group("label")) else None


def _width(text: str) -> float:
    """A line's length with Latin letters at half a syllable's width: "Department of
    Irrigation and Drainage Malaysia (JPS) – SMART Tunnel" is a name, as short as
    its Korean would be."""
    return len(text) - sum(c.isascii() and c.isalpha() for c in text) / 2


@lru_cache(maxsize=1024)
def reads_as_clause(text: str) -> str | None:
    """Whether a line reads as part of a sentence rather than as a label: "sentence" (a
    subject, object or topic, or a verb's connective or final ending: "…생산공장을",
    "…에 위치하여 …" wrap onto the next line), "modifier" (a verb only as a modifier of a
    noun: "깨진 관계 박물관", "우리 시에 주는 시사점" can head a section), or None ("주요
    시사점"). An ending counts only after a verb: Kiwi splits foreign names oddly ("메데인"
    -> 메데 + 이 + ㄴ). Memoised: a report asks about the same line more than once, and
    Kiwi's analysis is the costly part of parsing."""
    tokens = kiwi().tokenize(text)
    modifier = False
    for prev, tok in zip([None, *tokens], tokens, strict=False):
        if tok.tag.startswith(_PARTICLES):
            return "sentence"
        if tok.tag.startswith("E") and prev is not None and prev.tag.startswith(_PREDICATES):
            if tok.tag.startswith("ETM"):
                modifier = True
            else:
                return "sentence"
    return "modifier" if modifier else None


# Numbered families whose number is shown as written ("Ⅲ", "2.", "가)"); the others (a bare
# "1", a time of day, a bracketed label or visit word) show none.
_SHOWN_NUMBERS = frozenset("roman 1| 1. 1-1. 1.1. 1) (1) ⑴ [1] [1.1] <1> 가. 가) (가) ① ❶ ㉮".split())


def _display_number(line: Line) -> str:
    """How a top-level heading's number is shown in section paths: "Ⅲ", "Part 2", "Section B",
    "제1장"."""
    if line.family == "part":
        word = re.match(r"\s*([A-Za-z]+)", line.text).group(1)  # Part, Chapter or Section, as written
        return f"{word.capitalize()} {line.number}"
    if line.family in ("chapter", "section"):
        return f"제{line.number}{'장' if line.family == 'chapter' else '절'}"
    if line.family == "attachment":
        return f"붙임 {line.number}".strip()
    if line.family in _SHOWN_NUMBERS:
        return line.number
    return ""


def _names_a_visits_part(title: str) -> bool:
    """A heading that names a part of a visit: its overview, what was heard, seen or asked."""
    return heading_kind(title) in ("finding", "visit") or squash(title) == "개요"


def _is_cover_line(line: Line) -> bool:
    """Before the first section: the report's title, or a bold line or unnumbered Markdown
    heading that names no kind (a subtitle, a web page's site name)."""
    if _is_document_title(line):
        return True
    if heading_kind(line.content) is not None:
        return False
    return line.family == "bold" or line.family.startswith("#") and _marked(line.content) is None


def _is_document_title(line: Line) -> bool:
    """A first Markdown heading or bold line that names the report itself ("# 2024 …
    결과보고서", "**공무국외출장 결과보고서**")."""
    return (line.family.startswith("#") or line.family == "bold") and "보고" in squash(line.content)


def _without_names(text: str) -> str:
    """``text`` without the parentheses that name ("트랜스밀레니오 (TransMilenio S.A.)",
    "고베시 (神戸市)", "(리버풀시 문화국)"), keeping those that list words of the line ("총
    41,280천원(항공료, 숙박비, 일비 등)으로 …" is a sentence wrapped, not a heading)."""
    return _PAREN.sub(lambda m: m[0] if "," in m[0] and re.search(f"[{HANGUL}]", m[0]) else "", text)


def _label_heading(text: str) -> bool:
    """ "※ 참고 : 방문도시 개황" - a label whose value is itself a short heading."""
    m = _INLINE_LABEL.match(text)
    value = m.group("value").strip() if m else ""
    return bool(value) and len(squash(value)) <= 20 and not ends_sentence(value) and heading_kind(value) is not None


def _heading_title(line: Line) -> str:
    text = line.content
    if line.family == "【】":
        text = line.number
    elif line.family == "【】+":
        text = re.sub(rf"^{_VISIT_WORD}\s*{_VISIT_NUMBER}?\s*", "", text)
    if _label_heading(text):
        text = _INLINE_LABEL.match(text).group("value")
    elif visit := _VISIT_LABEL.match(text):
        text = visit["value"]
    if line.symbol or line.family == "bold":
        text = re.sub(r"^(?:\d{1,2}[.)]|[가-하][.)]|\(\d{1,2}\)|[\u2460-\u2473])\s*", "", text)
    if line.family.startswith("#"):  # "## Ⅱ. 방문 결과" keeps its numeral; "### 1. 시청" is "시청"
        marked = _marked(text)
        if marked and not marked[0].startswith("#"):
            text = f"{marked[1]} {marked[2]}" if marked[0] == "roman" else marked[2]
    return text.strip()


def parse(text: str) -> Parsed:
    """Parse a report's text into blocks of items under their headings."""
    lines = classify(text)
    walker = _Walker(lines)
    blocks = walker.walk()
    return Parsed(lines, blocks, walker.seen_heading, walker.front_end)
