"""The text layout every reader produces for :mod:`kb.parse`: one paragraph per line,
a table row as one line of tab-separated cells.

Merged cells keep their grid position (the parser reads columns by index), so a cell
spanning rows or columns leaves empty cells where it extends, as converters do. A
one-column table is a framed box of paragraphs (Korean reports put summaries and
"시사점" in them), so its paragraphs come out as lines of their own. So do the paragraphs of
a two-column table's second cell (구분 | 내용: 주요내용 | ○ … ○ …), after the first, as rows
whose label cell is empty, as a grid table's lines in text are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kb.readers import ReadError

MAX_COLS = 1024
# Text that carries its own number or mark ("Ⅱ. 방문 결과", "1. 시청", "□ 개요", "- 조례"): a
# heading or list style adds none, since the parser reads the level from that.
_OWN_MARK = re.compile(
    r"\s*(?:[ⅠⅡⅢⅣⅤⅥⅦⅧⅨⅩ]|[IVX]{1,4}\.|\d|[가-하]\s?[.)]|제\s*\d|[(\[【<〈\u2460-\u2473□■○◆◇▶•·ㆍ※*-])"
)


def marked(text: str) -> bool:
    """Whether ``text`` starts with a number or mark of its own."""
    return bool(_OWN_MARK.match(text))


@dataclass
class Cell:
    row: int
    col: int
    lines: list[str] = field(default_factory=list)  # the cell's paragraphs (nested rows tab-joined)
    rowspan: int = 1
    colspan: int = 1

    @property
    def text(self) -> str:
        """The cell as one line: its paragraphs, tabs and line breaks become spaces."""
        return re.sub(r"\s+", " ", " ".join(self.lines)).strip()


def table_lines(cells: list[Cell]) -> list[str]:
    """Tab-joined rows from cells placed on a grid; empty rows are dropped."""
    if not cells:
        return []
    if any(c.col >= MAX_COLS or c.row < 0 or c.col < 0 for c in cells):
        raise ReadError(f"corrupt table: a cell lies outside {MAX_COLS} columns")
    width = max(c.col + min(max(c.colspan, 1), MAX_COLS - c.col) for c in cells)
    if width == 1:
        ordered = sorted(cells, key=lambda c: c.row)
        return [line for c in ordered for line in c.lines]
    rows: dict[int, list[str]] = {}
    more: dict[int, list[str]] = {}  # a label's cell of several paragraphs: the ones after its first
    for c in cells:
        row = rows.setdefault(c.row, [""] * width)
        if not row[c.col]:
            paras = [re.sub(r"\s+", " ", line).strip() for line in c.lines if line.strip()]
            if width == 2 and c.col == 1 and len(paras) > 1:
                row[1], more[c.row] = paras[0], paras[1:]
            else:
                row[c.col] = c.text
    out = []
    for r, row in sorted(rows.items()):
        if any(row):
            out.append("\t".join(row))
            out.extend(f"\t{para}" for para in more.get(r, []))
    return out
