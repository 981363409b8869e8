"""kb.copies: text copied from an earlier report is found, folded in search and counted."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from urllib.parse import quote

import pytest

from kb import copies
from kb.knowledge import KnowledgeBase
from kb.serve import make_datasette

from conftest import REPORT_2019, ROOT

PARAGRAPH = (
    "구이양시는 연평균 기온이 15도 안팎으로 서늘하고 지질이 안정되어 데이터센터 냉각 비용이 적게 들며 "
    "전력 요금도 낮아 중국 3대 통신사와 애플의 데이터센터가 입주하였음. 시는 빅데이터 산업을 전략 산업으로 "
    "지정하고 기업 유치를 위한 세제 혜택과 인재 정착 지원을 함께 제공하고 있음."
)
SAME_TOPIC = (
    "충칭시는 여름철 기온이 높지만 양쯔강의 풍부한 수자원을 냉각에 활용하는 방식으로 대형 데이터센터를 "
    "유치하였으며, 클라우드 기업에 토지 임대료를 감면하고 데이터 전문 인력을 양성하는 대학과 협력하고 있음."
)


@pytest.fixture(scope="module")
def analyse(sample_db_path):
    analyzer = KnowledgeBase(sample_db_path).analyzer()
    return lambda text: copies.shingles(analyzer.index_text(text))


def test_a_lightly_edited_copy_is_similar_and_another_paragraph_on_the_topic_is_not(analyse):
    original = analyse(PARAGRAPH)
    edited = analyse(PARAGRAPH.replace("세제 혜택과", "세금 감면과"))
    assert copies.jaccard(original, edited) >= copies.FOLD_MIN
    assert copies.jaccard(original, analyse(SAME_TOPIC)) < 0.1
    assert copies.jaccard(original, original) == 1.0 and copies.jaccard(set(), original) == 0.0


def test_a_copied_report_is_found_folded_in_search_and_counted(db_copy, tmp_path):
    """The 2019 sample again, one sentence edited: its chunks are copies of the first."""
    text = REPORT_2019.read_text(encoding="utf-8")
    line = next(x for x in text.splitlines() if "빅데이터" in x and len(x) > 40)
    copy = tmp_path / "copy.txt"
    copy.write_text(text.replace(line, line.replace("빅데이터", "대용량 정보", 1)), encoding="utf-8")
    base = KnowledgeBase(db_copy)
    added = base.ingest([copy], embed=False).files[0]
    pairs = base.copies()
    assert pairs and all(p.report_id == added.report_id and p.original_report_id == 2 for p in pairs)
    assert any(p.similarity < 1 for p in pairs) and min(p.similarity for p in pairs) >= copies.FOLD_MIN
    assert len(pairs) >= 0.7 * added.chunks  # all but the short ones (dates, table rows)
    out = subprocess.run(
        [sys.executable, "-m", "kb.cli", "copies", "--json", "--db", str(db_copy)], capture_output=True, text=True
    )
    listed = json.loads(out.stdout)
    assert {"chunk_id", "report_id", "original_id", "original_report_id", "similarity"} <= set(listed[0])
    assert len(listed) == len(pairs)
    results = base.search("구이양 데이터센터 기후", mode="fts", limit=10)
    assert results and all(r.report_id != added.report_id for r in results)  # the original shown
    assert any(r.same_as for r in results)
    copied = {p.chunk_id for p in pairs}
    assert all(set(r.same_as) <= copied for r in results)
    page = _get(db_copy, f"/-/reports/{added.report_id}")
    assert "이전 보고서에 같은 내용이 있습니다" in page and page.count('class="kb-copies"') == len(pairs)
    assert "이전 보고서에 같은 내용이" not in _get(db_copy, "/-/reports/2")  # the original copies nothing
    assert "같은 내용 2건" in _get(db_copy, "/-/search?mode=fts&q=" + quote("구이양 데이터센터 기후"))


def _get(db_path, path: str) -> str:
    ds = make_datasette(db_path, ROOT / "metadata.yml")
    loop = asyncio.new_event_loop()
    try:
        loop.run_until_complete(ds.invoke_startup())
        return loop.run_until_complete(ds.client.get(path)).text
    finally:
        loop.close()


def test_independent_reports_share_no_copies(sample_db_path):
    """The two sample trips (one city, one subject, two years) copy nothing of each other."""
    assert KnowledgeBase(sample_db_path).copies(copies.STORE_MIN) == []
