"""KnowledgeBase: the front door owns its connections and what it derives, per generation."""

from __future__ import annotations

import threading

import numpy as np
import pytest

import kb
from kb import fulltext, indexfiles, vectors
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


def test_indexes_are_written_beside_the_database_and_updated_by_what_changed(db_copy, tmp_path):
    """A new process maps the index files instead of building; after an ingest only the
    new report's chunks are indexed, and it ranks as an index built from scratch."""
    KnowledgeBase(db_copy).warm()
    folder = indexfiles.index_dir(db_copy)
    manifests = sorted(p.name for p in folder.glob("*.json"))
    assert manifests[0] == "terms.json" and manifests[1].startswith("vectors-exact-")
    base = KnowledgeBase(db_copy)
    terms = base.term_index()
    assert all(isinstance(s.arrays["rows"], np.memmap) for s in terms.segments)
    assert isinstance(base.vector_index(base.embedder().model_id).segments[0].arrays["matrix"], np.memmap)

    new = tmp_path / "new.txt"
    new.write_text(REPORT_2019.read_text(encoding="utf-8") + "\n- 새 보고서 표식 zq7x 확인.\n", encoding="utf-8")
    added = base.ingest([new]).files[0]
    again = KnowledgeBase(db_copy)
    terms, vecs = again.term_index(), again.vector_index(again.embedder().model_id)
    assert len(terms.segments) == 2 and len(terms.segments[1].ids) == added.chunks
    assert len(vecs.segments) == 2 and len(vecs) == len(vectors.chunk_ids(again.db, vecs.model))
    fresh = fulltext.load(again.db)
    for query in ("zq7x", "빅데이터밸리 기업 유치", "화훼 박람회"):
        words = again.analyzer().match_terms(query)
        ours, theirs = terms.search(words, 50), fresh.search(words, 50)
        assert [c for c, _ in ours] == [c for c, _ in theirs]
        np.testing.assert_allclose([s for _, s in ours], [s for _, s in theirs], rtol=1e-5)

    new.write_text(REPORT_2019.read_text(encoding="utf-8") + "\n- 바뀐 표식 kq9w.\n", encoding="utf-8")
    before = {r[0] for r in again.db.execute("select id from chunks where report_id = ?", [added.report_id])}
    assert again.ingest([new]).files[0].status == "updated"
    after = {r[0] for r in again.db.execute("select id from chunks where report_id = ?", [added.report_id])}
    assert min(after) > max(before)  # ids are never handed out twice
    terms = KnowledgeBase(db_copy).term_index()
    live = terms.ids if terms.live is None else terms.ids[terms.live]  # half the chunks changed: built again
    assert len(terms) == len(fresh) and not set(before) & set(live.tolist())
    assert KnowledgeBase(db_copy).search("kq9w", mode="fts")[0].report_id == added.report_id
    assert not any("zq7x" in r.text for r in KnowledgeBase(db_copy).search("zq7x", mode="fts"))


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
