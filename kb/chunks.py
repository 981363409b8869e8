"""Size parsed blocks into chunks for search: ~100-400 characters, whole sentences,
one kind per chunk, and an item (a bullet with its notes) kept whole where it fits."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from kb.kinds import TITLED
from kb.parse import Block, Item, Para
from kb.textutil import split_long, split_sentences, squash

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


def passage_text(section: str, text: str, title: str = "") -> str:
    """The text that is embedded: the chunk under its headings below the section
    numeral ("시엔타오 빅데이터밸리 › 시사점"), which name its institution and kind, and
    under ``title`` (see :func:`passage_title`)."""
    tail = " › ".join(section.split(" › ")[1:])
    return "\n".join(part for part in (title, tail, text) if part)


def passage_title(kind: str, title: str | None, issuer: str | None = None) -> str:
    """The report title a chunk of ``kind`` is embedded under: a list of names or days
    (kinds.TITLED) under its trip's, with the issuing body where the title does not name
    it (two councils' trips to one place differ by it); any other chunk under none (a
    finding under the title of a trip to 구이양 would answer every question about 구이양)."""
    if kind not in TITLED:
        return ""
    title = title or ""
    return f"{issuer} {title}".strip() if issuer and squash(issuer) not in squash(title) else title


SENTENCE_MIN = 40  # a shorter sentence or line takes in the next (the last, the one before)


def sentences(section: str, text: str, title: str = "") -> list[str]:
    """The passages embedded besides a chunk's own, one per sentence or line (a short one
    with the next), each under the chunk's headings; none for a chunk of one sentence.
    Search ranks a chunk by its best passage (kb.vectors.best_sentences_first): "직원은
    유니폼 대신 평상복을 입음" is one line of a 212-character finding."""
    out: list[str] = []
    for line in text.split("\n"):
        for sentence in split_sentences(line):
            if out and len(out[-1]) < SENTENCE_MIN:
                out[-1] += " " + sentence
            else:
                out.append(sentence)
    if len(out) > 1 and len(out[-1]) < SENTENCE_MIN:
        last = out.pop()
        out[-1] += " " + last
    return [passage_text(section, s, title) for s in out] if len(out) > 1 else []


def content_hash(section: str, text: str, title: str = "") -> str:
    """Identifies a chunk's embedded text: an unchanged chunk keeps its vector."""
    return hashlib.sha256(passage_text(section, text, title).encode()).hexdigest()[:32]


def _pieces(item: Item) -> list[tuple[str, int, int]]:
    """Split one item into pieces of at most TARGET characters at paragraph, then
    sentence boundaries; an item up to MAX_ITEM characters stays one piece. A table
    gives one piece per row (the header goes with the first), so that each row - one
    institution, one person, one day - can be found on its own. Whatever is still over
    MAX_ITEM (a report that lost its line breaks) is cut at sentence ends."""
    return [
        piece
        for text, start, end in _parts(item)
        for piece in (
            [(text, start, end)] if len(text) <= MAX_ITEM else _spread(split_long(text, TARGET), text, start, end)
        )
    ]


def _spread(parts: list[str], text: str, start: int, end: int) -> list[tuple[str, int, int]]:
    """The pieces of one long ``text`` (at ``start``:``end`` in the source), each with the
    offsets from where it begins in the text to where the next begins: disjoint, so that
    an offset names one chunk. (Where reflowing changed the text, they are near.)"""
    begins, at = [], 0
    for part in parts:
        found = text.find(part[:20], at)
        at = found if found >= at else at
        begins.append(min(start + at, end))
        at += max(1, len(part))
    ends = begins[1:] + [end]
    return [(part, b, max(b, e)) for part, b, e in zip(parts, begins, ends, strict=True)]


def _parts(item: Item) -> list[tuple[str, int, int]]:
    if item.header is not None:
        rows = [(p.text, p.start, p.end) for p in item.paras]
        if len(rows) > 1:
            rows[1] = (rows[0][0] + "\n" + rows[1][0], rows[0][1], rows[1][2])
            rows = rows[1:]
        return rows
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
            groups, group = [], ""
            for sentence in split_long(para.text, TARGET):
                if group and len(group) + len(sentence) + 1 > TARGET:
                    groups.append(group)
                    group = ""
                group = f"{group} {sentence}".strip()
            if group:
                groups.append(group)
            out += _spread(groups, para.text, para.start, para.end)
            continue
        if cur and sum(len(p.text) + 1 for p in cur) + len(para.text) > TARGET:
            emit()
        cur.append(para)
    emit()
    return out


def make_chunks(blocks: list[Block]) -> list[Chunk]:
    """Chunks in document order. Neighbouring pieces merge while the first is short,
    they share kind, heading path and institution (a heading's words are never lost to
    a merge), and the sum fits."""
    chunks: list[Chunk] = []
    prev_key = None
    for block in blocks:
        for item in block.items:
            kind = item.kind or block.kind
            # An item with a kind of its own (a participants table) merges only with itself.
            key = (kind, tuple(block.path), block.institution, id(item) if item.header is not None else None)
            for text, start, end in _pieces(item):
                last = chunks[-1] if chunks else None
                mergeable = last is not None and key == prev_key
                fits = last is not None and (
                    (len(last.text) < MIN and len(last.text) + len(text) + 1 <= TARGET)
                    # a short tail joins the chunk before it rather than stand alone
                    or (len(text) < MIN // 2 and len(last.text) + len(text) + 1 <= MAX_ITEM)
                )
                if mergeable and fits:
                    last.text += "\n" + text
                    last.end = end
                else:
                    chunks.append(
                        Chunk(kind, list(block.path), text, start, end, block.institution, block.place_context)
                    )
                prev_key = key
    return chunks
