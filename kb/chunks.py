"""Size parsed blocks into chunks for search: ~100-400 characters, whole sentences,
one kind per chunk, and an item (a bullet with its notes) kept whole where it fits."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from kb.parse import Block, Item, Para
from kb.textutil import split_sentences

TARGET = 400  # aim for chunks up to this many characters
MIN = 150  # chunks shorter than this take in the next piece of the same kind
MAX_ITEM = 700  # an item up to this size stays whole even above TARGET


@dataclass
class Chunk:
    kind: str
    section: list[str]
    text: str
    start: int
    end: int
    institution: str | None = None
    place_context: str = ""

    @property
    def content_hash(self) -> str:
        return hashlib.sha256(self.text.encode()).hexdigest()[:16]


def _pieces(item: Item) -> list[tuple[str, int, int]]:
    """Split one item into pieces of at most TARGET characters at paragraph, then
    sentence boundaries; an item up to MAX_ITEM characters stays one piece."""
    text = item.text
    if len(text) <= MAX_ITEM:
        return [(text, item.paras[0].start, item.paras[-1].end)]
    out: list[tuple[str, int, int]] = []
    cur: list[Para] = []

    def emit() -> None:
        if cur:
            out.append(("\n".join(p.text for p in cur), cur[0].start, cur[-1].end))
            cur.clear()

    for para in item.paras:
        if len(para.text) > TARGET and not para.table:
            emit()
            group = ""
            for sentence in split_sentences(para.text):
                if group and len(group) + len(sentence) + 1 > TARGET:
                    out.append((group, para.start, para.end))
                    group = ""
                group = f"{group} {sentence}".strip()
            if group:
                out.append((group, para.start, para.end))
            continue
        if cur and sum(len(p.text) + 1 for p in cur) + len(para.text) > TARGET:
            emit()
        cur.append(para)
    emit()
    return out


def make_chunks(blocks: list[Block]) -> list[Chunk]:
    """Chunks in document order. Neighbouring pieces merge while the first is short,
    they share kind, item kind, section and level-one heading, and the sum fits."""
    chunks: list[Chunk] = []
    prev_key = None
    for block in blocks:
        for item in block.items:
            kind = item.kind or block.kind
            key = (kind, tuple(block.path[:2]), block.institution)
            for text, start, end in _pieces(item):
                last = chunks[-1] if chunks else None
                mergeable = last is not None and key == prev_key and item.kind is None
                fits = last is not None and (
                    (len(last.text) < MIN and len(last.text) + len(text) + 1 <= TARGET)
                    # a short tail joins the chunk before it rather than stand alone
                    or (len(text) < MIN // 2 and len(last.text) + len(text) + 1 <= MAX_ITEM)
                )
                if mergeable and fits:
                    last.text += "\n" + text
                    last.end = end
                    last.section = _common_prefix(last.section, block.path)
                else:
                    chunks.append(
                        Chunk(kind, list(block.path), text, start, end, block.institution, block.place_context)
                    )
                prev_key = key if item.kind is None else None
    return chunks


def _common_prefix(a: list[str], b: list[str]) -> list[str]:
    out = []
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        out.append(x)
    return out
