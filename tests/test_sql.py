"""kb.sql: the SQL functions on a plain SQLite connection."""

from __future__ import annotations

import json
import sqlite3

import pytest

from kb.knowledge import KnowledgeBase
from kb.sql import MAX_K, register


@pytest.fixture(scope="module")
def conn(sample_db_path):
    c = sqlite3.connect(sample_db_path)
    register(c, KnowledgeBase(sample_db_path))
    yield c
    c.close()


def test_match_runs_against_the_index(conn):
    match = conn.execute("select kb_match('귀양의 빅데이터 거래소는')").fetchone()[0]
    assert '"구이양"' in match and '"거래소"' in match
    n = conn.execute("select count(*) from chunk_terms where chunk_terms match kb_match('거래소')").fetchone()[0]
    assert n >= 1


def test_embed_nearest_similar_search(conn):
    vector = json.loads(conn.execute("select kb_embed('데이터센터')").fetchone()[0])
    assert len(vector) == 384 and abs(sum(x * x for x in vector) - 1) < 1e-3
    near = json.loads(conn.execute("select kb_nearest('데이터센터 기후', 5)").fetchone()[0])
    assert len(near) == 5 and near[0]["score"] >= near[-1]["score"]
    chunk = near[0]["id"]
    similar = json.loads(conn.execute("select kb_similar(?, 3)", [chunk]).fetchone()[0])
    assert len(similar) == 3 and chunk not in {s["id"] for s in similar}
    hybrid = json.loads(conn.execute("select kb_search('빅데이터 거래소', 4)").fetchone()[0])
    assert len(hybrid) == 4 and {"id", "score", "fts_rank", "vector_rank"} <= set(hybrid[0])
    rows = conn.execute(
        "select c.kind from json_each(kb_search('빅데이터 거래소', 4)) j join chunks c on c.id = j.value ->> 'id'"
    ).fetchall()
    assert len(rows) == 4


@pytest.mark.parametrize(
    "sql",
    [
        "select kb_nearest('빅데이터', 0)",
        "select kb_nearest('빅데이터', -1)",
        f"select kb_nearest('빅데이터', {MAX_K + 1})",
        "select kb_nearest('빅데이터', 'abc')",
        "select kb_search('', 5)",
        "select kb_embed(null)",
        f"select kb_embed('{'가' * 1001}')",
        "select kb_similar('x', 5)",
    ],
)
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")  # Datasette logs UDF errors
def test_functions_bound_their_work(conn, sql):
    with pytest.raises(sqlite3.OperationalError):
        conn.execute(sql).fetchone()


def test_functions_are_deterministic(conn):
    # SQLite accepts only deterministic functions in an index on an expression.
    conn.execute("create temp table t(x text)")
    conn.execute("create index temp.t_match on t(kb_match(x))")
    conn.execute("insert into temp.t values ('정책')")
    assert conn.execute("select kb_match(x) from temp.t").fetchone()[0].startswith('"정책"')  # then its synonyms
