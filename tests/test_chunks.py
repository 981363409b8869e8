"""Chunks: sizes and kinds, and nothing lost - every line of a report's text is in
exactly one chunk or is a heading in the chunks' section paths - on every report kb ships
or is judged on (samples, the public corpus, the held-out sets)."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest

from kb.chunks import MAX_ITEM, content_hash, make_chunks, passage_text, passage_title, sentences
from kb.parse import parse
from kb.readers import read_document
from kb.textutil import split_long


def _letters(text: str) -> str:
    """Text without spaces or punctuation: a heading "Ⅰ. 개요" is the section "Ⅰ 개요", and
    "I. 개요" too (NFKC: Ⅰ is I)."""
    return re.sub(r"\W", "", unicodedata.normalize("NFKC", text))


ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus" / "reports"
FILES = sorted(
    [*(ROOT / "data" / "reports").iterdir(), *(ROOT / "tests" / "data" / "heldout").glob("set*/reports/*")]
    + (sorted(CORPUS.iterdir()) if CORPUS.is_dir() else []),
    key=lambda p: p.name,
)


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_nothing_is_lost(path):
    doc = read_document(path, path.read_bytes())
    parsed = parse(doc.text)
    chunks = make_chunks(parsed.blocks)
    sections = {_letters(s) for c in chunks for s in c.section}
    counted = 0
    for line in parsed.lines:
        if line.type in ("blank", "skip", "page"):  # page numbers and running heads are left out
            continue
        counted += 1
        if line.type == "heading":
            title = _letters(line.content)
            assert any(title in s or s in title for s in sections if s), f"heading lost: {line.content!r}"
            continue
        holders = [c for c in chunks if c.start <= line.start < c.end or c.start == line.start]
        assert len(holders) == 1, f"{doc.text[line.start : line.end]!r} is in {len(holders)} chunks"
    assert counted > 20


def test_a_labelled_line_between_its_siblings_leaves_no_chunk_around_it():
    """ "◦ 목 적 : …" is a purpose item of its own; "◦ 기 간" and "◦ 방문지" after it start a
    new item rather than rejoin the one before it, whose span would then hold it too."""
    text = (
        "덴마크 코펜하겐 자원순환 시설 견학 결과보고\n\n1. 총괄 사항\n\n ◦ 목    적 : 순환경제 전략을 조사하여 반영\n"
        " ◦ 기    간 : 2023. 5. 29. ~ 6. 3.\n ◦ 방 문 지 : 덴마크 코펜하겐\n\n2. 방문 결과\n\n가. 코펜하겐시\n - 매립 제로\n"
    )
    chunks = make_chunks(parse(text).blocks)
    assert "purpose" in [c.kind for c in chunks]
    spans = sorted((c.start, c.end) for c in chunks)
    assert all(end <= start for (_, end), (start, _) in zip(spans, spans[1:], strict=False))


def test_the_pieces_of_a_long_paragraph_have_offsets_of_their_own():
    text = "Ⅰ. 요약\n" + " ".join(f"Sentence number {i} says what the delegation saw." for i in range(40)) + "\n"
    chunks = make_chunks(parse(text).blocks)
    assert len(chunks) > 2
    spans = [(c.start, c.end) for c in chunks]
    assert all(a < b for a, b in spans) and all(b <= c for (_, b), (c, _) in zip(spans, spans[1:], strict=False))
    assert all(text[c.start : c.start + 20] == c.text[:20] for c in chunks)


def test_kinds_do_not_mix_and_sizes_stay_bounded():
    text = (
        "Ⅰ. 방문 결과\n○ 주요내용\n"
        + "".join(f"  - 사실 {i}번을 청취함\n" for i in range(40))
        + "○ 시사점\n  - 도입 검토\n"
    )
    chunks = make_chunks(parse(text).blocks)
    assert {c.kind for c in chunks} == {"finding", "implication"}
    assert all(len(c.text) <= MAX_ITEM for c in chunks)
    assert chunks[-1].kind == "implication" and chunks[-1].text == "- 도입 검토"
    assert chunks[-1].section == ["Ⅰ 방문 결과", "시사점"]


@pytest.mark.parametrize("path", FILES[:6], ids=[p.name for p in FILES[:6]])
def test_a_report_on_one_line_is_cut_at_sentence_ends(path):
    """A report whose line breaks were lost (pasted from a web form, a PDF without
    them) still gives chunks of searchable size, with all its words."""
    text = " ".join(read_document(path, path.read_bytes()).text.split())
    chunks = make_chunks(parse(text).blocks)
    assert len(chunks) >= len(text) // MAX_ITEM
    assert all(len(c.text) <= MAX_ITEM for c in chunks)
    kept = _letters("".join(c.text for c in chunks))
    assert kept in _letters(text) or len(kept) >= 0.8 * len(_letters(text))  # a table of contents may be left out


def test_split_long():
    assert split_long("짧은 문장임.", 100) == ["짧은 문장임."]
    sentences = "가나다 라마바 사업을 추진함. " * 30
    assert all(len(p) <= 100 for p in split_long(sentences, 100))
    no_ends = "□ 첫째 항목 추진함 ○ 둘째 항목 검토 필요함 " + "끝나지 않는 말 " * 40
    parts = split_long(no_ends, 60)
    assert parts[0] == "□ 첫째 항목 추진함" and all(len(p) <= 60 for p in parts)
    assert split_long("가" * 250, 100) == ["가" * 100, "가" * 100, "가" * 50]


def test_sentences_are_embedded_besides_their_chunk():
    """One passage per sentence or line under the chunk's headings; a short one takes in
    the next (the last, the one before); a chunk of one sentence has none."""
    section = "Ⅱ 방문기관 › 더 빌리지 랭리 › 주요내용"
    text = (
        "- 2019년 캐나다 최초로 문을 연 치매 마을로, 단층 주택 여러 동과 상점, 미용실이 있음.\n"
        "- 직원은 유니폼 대신 평상복을 입음. 입소자는 울타리 안에서 자유롭게 산책하며 일상생활을 이어감.\n"
        "- 짧은 줄."
    )
    got = sentences(section, text)
    assert len(got) == 2 and all(s.startswith("더 빌리지 랭리 › 주요내용\n") for s in got)
    assert got[1].startswith("더 빌리지 랭리 › 주요내용\n- 직원은 유니폼 대신 평상복을 입음. 입소자는")
    assert got[1].endswith("이어감. - 짧은 줄.")
    assert sentences(section, "- 직원은 유니폼 대신 평상복을 입음.") == []


def test_lists_are_embedded_under_their_trips_title():
    """Names and days say nothing of the trip they belong to; other kinds say what they
    are about themselves, and a title would tie them to every question about its place."""
    title = "2019 중국 충칭·구이양 공무국외출장 결과보고서"
    assert passage_title("participants", title) == passage_title("itinerary", title) == title
    assert passage_title("finding", title) == passage_title("participants", None) == ""
    section, text = "Ⅰ 출장 개요 › 출장자 명단", "연번 | 성명 | 직위\n1 | 김수환 | 위원장"
    assert passage_text(section, text, title) == f"{title}\n출장자 명단\n{text}"
    assert passage_text("Ⅰ 출장 개요", text) == text
    assert content_hash(section, text, title) != content_hash(section, text)
    long = text + "\n2 | 이윤승 | 의장 겸 단장으로 출장단 전체 일정과 현지 면담을 총괄하였음"
    assert all(s.startswith(f"{title}\n출장자 명단\n") for s in sentences(section, long, title))


def test_lists_name_the_body_their_title_does_not():
    """Two councils' trips to one place differ by who went: the issuing body goes before a
    title that does not name it, and only once."""
    title = "일본 도야마·가나자와 국외연수 결과보고서"
    assert passage_title("participants", title, "하늬도의회") == f"하늬도의회 {title}"
    assert passage_title("itinerary", f"하늬도의회 {title}", "하늬도의회") == f"하늬도의회 {title}"
    assert passage_title("finding", title, "하늬도의회") == ""
