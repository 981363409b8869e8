"""Tables in the forms report text takes once converted: tab-separated rows, pipe
(Markdown) rows, box-drawing grids, columns aligned with runs of spaces, and tables
flattened to one cell per line. Each is turned into rows of cells for :mod:`kb.parse`.
(HTML tables arrive as tab-separated rows from :mod:`kb.readers.html`.)"""

from __future__ import annotations

import re
import unicodedata

from kb.textutil import squash

# Words of a table's header row: who travelled, when and where.
HEADER_WORDS = {
    "연번", "번호", "순번", "구분", "성명", "이름", "직위", "직급", "직책", "소속", "부서", "기관", "비고",
    "역할", "임무", "담당", "성별", "일자", "일시", "날짜", "일정", "요일", "시간", "도시", "장소",
    "방문기관", "방문지", "주요내용", "내용", "활동내용", "세부내용", "주요일정", "지역", "숙박",
}  # fmt: skip
BOX_BORDER = re.compile(r"^[\s┌┐└┘├┤┬┴┼─━│┃╋┏┓┗┛┣┫┳┻═║╔╗╚╝╠╣╦╩╬+=\-]+$")
BOX_ROW = re.compile(r"[│┃║]")
PIPE_ROW = re.compile(r"^\s*\|.*\|\s*$")
PIPE_ALIGN = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)*\|?\s*$")
DITTO = {'"', "″", "〃", "”", "“", "''", "상동", "동"}


def is_border(line: str) -> bool:
    """A box-drawing or ASCII border line of a table: no text of its own."""
    s = line.strip()
    return bool(s) and bool(BOX_BORDER.match(s)) and any(ch in s for ch in "─━═-+┼")


def tab_cells(line: str) -> list[str] | None:
    cells = line.split("\t")
    if len([c for c in cells if c.strip()]) >= 2 or (len(cells) > 1 and not cells[0].strip() and line.strip()):
        return [c.strip() for c in cells]
    return None


def pipe_cells(line: str) -> list[str] | None:
    if not PIPE_ROW.match(line) or line.count("|") < 3:
        return None
    return [c.strip() for c in line.strip().strip("|").split("|")]


def box_cells(line: str) -> list[str] | None:
    if not BOX_ROW.search(line) or len(BOX_ROW.findall(line)) < 2:
        return None
    parts = BOX_ROW.split(line.strip())
    if parts and not parts[0].strip():
        parts = parts[1:]
    if parts and not parts[-1].strip():
        parts = parts[:-1]
    return [p.strip() for p in parts]


def cells_as_written(line: str) -> list[str]:
    """The cells of a pipe or box row with their leading spaces, which show a cell's
    indentation ("|        |   - (질문) …|")."""
    return re.split(r"[|│┃║]", line.strip().strip("|│┃║"))


def is_pipe_alignment(line: str) -> bool:
    return bool(PIPE_ALIGN.match(line)) and "-" in line


def space_cells(line: str) -> list[str]:
    """Cells of a line whose columns are separated by two or more spaces."""
    return [c.strip() for c in re.split(r"\s{2,}", line.strip()) if c.strip()]


def display_width(text: str) -> int:
    """Columns a monospaced screen gives ``text``: Hangul and other wide characters take two,
    which is how space-aligned tables were lined up."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def aligned_cells(line: str) -> list[tuple[int, str]]:
    """(display column, text) of each cell of a line whose cells are separated by runs of spaces."""
    return [(display_width(line[: m.start()]), m.group(0)) for m in re.finditer(r"\S+(?: \S+)*", line)]


def header_score(cells: list[str]) -> int:
    """How many cells are table-header words (spaces inside a cell ignored: "성  명")."""
    return sum(1 for c in cells if squash(c) in HEADER_WORDS)


def is_space_header(line: str) -> bool:
    """A header row whose columns are separated by spaces: runs of them, or single
    spaces when every word is a header word ("연번 소속 직위 성명 성별 비고")."""
    cells = space_cells(line)
    if len(cells) >= 3 and header_score(cells) >= max(2, len(cells) - 1):
        return True
    words = line.split()
    return len(words) >= 3 and header_score(words) == len(words) and squash(words[0]) in HEADER_WORDS


def one_cell_header(lines: list[str], i: int) -> int:
    """The number of header cells when a table flattened to one cell per line starts at
    line ``i`` (consecutive short lines that are all header words, at least three), else 0."""
    n = 0
    while i + n < len(lines) and squash(lines[i + n]) in HEADER_WORDS:
        n += 1
    return n if n >= 3 else 0


def resolve_ditto(row: list[str], previous: list[str]) -> list[str]:
    """Ditto marks (″, 〃, "상동") repeat the cell above."""
    return [previous[k] if c in DITTO and k < len(previous) else c for k, c in enumerate(row)]
