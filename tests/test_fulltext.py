"""kb.fulltext: BM25 in memory, checked against FTS5's own bm25() on the sample reports."""

from __future__ import annotations

import numpy as np
import pytest
import sqlite_utils

from kb import fulltext
from kb.analysis import fts_match
from kb.knowledge import KnowledgeBase

QUERIES = [
    "빅데이터밸리 기업 유치",
    "귀양 데이터센터 기후",
    "인재 유치 정책",
    "화훼 박람회",
    "OZ3543",
    "仙桃国际大数据谷",
]


@pytest.fixture(scope="module")
def db(sample_db_path):
    return sqlite_utils.Database(sample_db_path)


@pytest.fixture(scope="module")
def index(db):
    return fulltext.load(db)


@pytest.mark.parametrize("query", QUERIES)
def test_scores_are_fts5_bm25(db, sample_db_path, index, query):
    terms = KnowledgeBase(sample_db_path).analyzer().match_terms(query)
    fts5 = db.execute(
        "select rowid, -bm25(chunk_terms, 1.0, 0.3) from chunk_terms where chunk_terms match ? "
        "order by bm25(chunk_terms, 1.0, 0.3), rowid",
        [fts_match(terms)],
    ).fetchall()
    ours = index.search(terms, 1000)
    assert fts5, query
    assert [c for c, _ in ours] == [c for c, _ in fts5]
    np.testing.assert_allclose([s for _, s in ours], [s for _, s in fts5], rtol=1e-5)


def test_index_covers_every_chunk(db, index):
    assert len(index) == db["chunks"].count
    assert (
        index.doc_freq("빅데이터")
        == db.execute("select doc from chunk_terms_vocab where term = '빅데이터'").fetchone()[0]
    )
    assert index.doc_freq("없는말") == 0 and index.search(["없는말"], 10) == []


def test_words_and_filters(index):
    both = {c for c, _ in index.search(["화훼", "박람회"], 100, [{"화훼"}, {"박람회"}], need=2)}
    either = {c for c, _ in index.search(["화훼", "박람회"], 100)}
    flower = {c for c, _ in index.search(["화훼"], 100)}
    fair = {c for c, _ in index.search(["박람회"], 100)}
    assert both == flower & fair and either == flower | fair and both < either
    allowed = np.isin(index.ids, sorted(either)[:2])
    assert {c for c, _ in index.search(["화훼", "박람회"], 100, allowed=allowed)} == set(sorted(either)[:2])
    for repeat in (9, 20, 69):  # bit sets of 16, 32 and two groups of 64 words
        words = [{"화훼"}] * repeat + [{"박람회"}]
        assert {c for c, _ in index.search(["화훼", "박람회"], 100, words, need=repeat + 1)} == both
        assert {c for c, _ in index.search(["화훼", "박람회"], 100, words, need=repeat)} == flower
    top = index.search(["화훼", "박람회"], 3)
    assert len(top) == 3 and top[0][1] >= top[1][1] >= top[2][1]


def test_terms_by_prefix(db, index):
    vocab = {r[0] for r in db.execute("select term from chunk_terms_vocab") if r[0].startswith("빅데이터")}
    found = index.with_prefix("빅데이터")
    assert found == sorted(vocab) and "빅데이터밸리" in found
    assert index.with_prefix("zzq") == []


def test_a_term_of_several_tokens_needs_them_all(db, index):
    """FTS5 reads "14:00" as the phrase "14 00"; here a chunk must hold both tokens."""
    ours = {c for c, _ in index.search(["14:00"], 1000)}
    phrase = {r[0] for r in db.execute("select rowid from chunk_terms where chunk_terms match '\"14:00\"'")}
    both = {r[0] for r in db.execute("select rowid from chunk_terms where chunk_terms match '14 AND 00'")}
    assert phrase and phrase <= ours == both


def test_empty_corpus():
    index = fulltext.build([])
    assert len(index) == 0 and index.search(["빅데이터"], 10) == []


@pytest.mark.parametrize("query", QUERIES)
def test_segments_and_removed_chunks_score_as_one_index_of_what_is_left(db, sample_db_path, query):
    """An index updated by a second segment, with chunks removed, ranks and scores exactly
    as one built from the chunks that are left (the statistics are the collection's)."""
    rows = list(db.execute(fulltext.ROWS + " order by rowid"))
    removed = [r[0] for r in rows[::7]]
    updated = fulltext.TermIndex.from_segments(
        [fulltext.segment(rows[:50]), fulltext.segment(rows[50:])], np.array(removed, np.int64)
    )
    fresh = fulltext.build(r for r in rows if r[0] not in set(removed))
    terms = KnowledgeBase(sample_db_path).analyzer().match_terms(query)
    ours, theirs = updated.search(terms, 1000), fresh.search(terms, 1000)
    assert len(updated) == len(fresh) and [c for c, _ in ours] == [c for c, _ in theirs]
    np.testing.assert_allclose([s for _, s in ours], [s for _, s in theirs], rtol=1e-5)
