"""KnowledgeBase: the front door owns its connections and what it derives, per generation."""

from __future__ import annotations

import threading

import pytest

import kb
from kb.errors import DatabaseError
from kb.knowledge import MAX_EMBED_QUERY, KnowledgeBase

from conftest import REPORT_2019


def test_exported_from_the_package():
    assert kb.KnowledgeBase is KnowledgeBase


def test_search_similar_nearest_report_export(sample_db_path):
    base = KnowledgeBase(sample_db_path)
    results = base.search("인재 유치", limit=3)
    assert len(results) == 3 and results[0].fts_rank is not None
    like = base.similar(results[0].chunk_id, limit=2)
    assert len(like) == 2 and all(r.report_id != results[0].report_id for r in like)
    near = base.nearest("데이터센터 기후", k=4)
    assert len(near) == 4 and near[0][1] >= near[-1][1]
    assert base.report(1)["id"] == 1
    assert [r["id"] for r in base.export()] == [1, 2]


def test_what_is_derived_is_kept_until_the_database_changes(db_copy, tmp_path):
    base = KnowledgeBase(db_copy)
    analyzer, terms = base.analyzer(), base.term_index()
    assert base.analyzer() is analyzer and base.term_index() is terms
    new = tmp_path / "new.txt"
    new.write_text(REPORT_2019.read_text(encoding="utf-8") + "\n- 새 보고서 표식 zq7x 확인.\n", encoding="utf-8")
    summary = base.ingest([new])
    assert summary.counts["added"] == 1
    assert base.term_index() is not terms  # a new generation: rebuilt
    assert base.search("zq7x", mode="fts")[0].report_id == summary.files[0].report_id


def test_query_embeddings_are_cached_and_capped(sample_db_path):
    base = KnowledgeBase(sample_db_path)
    first = base.query_vector("빅데이터 산업")
    assert base.query_vector("빅데이터 산업") is first
    long = "가" * (MAX_EMBED_QUERY + 50)
    assert base.query_vector(long) is base.query_vector(long[:MAX_EMBED_QUERY])  # only the start is embedded
    base.forget_queries()
    assert base.query_vector("빅데이터 산업") is not first


def test_each_thread_reads_through_its_own_connection(sample_db_path):
    base = KnowledgeBase(sample_db_path)
    seen = []
    threads = [threading.Thread(target=lambda: seen.append(base.db)) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert seen[0] is not seen[1] and base.db not in seen


def test_opening_a_missing_database_names_it(tmp_path):
    with pytest.raises(DatabaseError, match="database not found"):
        KnowledgeBase(tmp_path / "none.db").search("빅데이터")
    assert not (tmp_path / "none.db").exists()
