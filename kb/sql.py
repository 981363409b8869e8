"""SQL functions that make hybrid and similarity search plain SQL.

Registered on every Datasette connection by the plugin (and usable on any sqlite3
connection with :func:`register`):

- ``kb_match(query)``: the FTS5 MATCH expression for a query, for ``chunk_terms``;
- ``kb_embed(text)``: the query embedding of a text, as a JSON array;
- ``kb_search(query, k)``: hybrid results as a JSON list of {id, score, fts_rank, vector_rank};
- ``kb_nearest(text, k)``: the k chunks nearest a text, as a JSON list of {id, score};
- ``kb_similar(chunk_id, k)``: the k chunks nearest a stored chunk (itself left out).

Join the lists with ``json_each``:
``select c.* from json_each(kb_nearest('인재 유치', 10)) j join chunks c on c.id = j.value ->> 'id'``.

Datasette's SQL time limit is checked between SQLite steps and cannot stop a Python
function, so these bound their own work: text length and k are capped (a call beyond
the caps fails), query embeddings are cached, and all are registered deterministic.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from kb import search as kbsearch

if TYPE_CHECKING:
    from kb.knowledge import KnowledgeBase

MAX_TEXT = 1000  # characters
MAX_K = 100


class SQLFunctionError(ValueError):
    pass


def _text(value, name: str = "text") -> str:
    if not isinstance(value, str) or not value.strip():
        raise SQLFunctionError(f"{name} must be a non-empty string")
    if len(value) > MAX_TEXT:
        raise SQLFunctionError(f"{name} is longer than {MAX_TEXT} characters")
    return value


def _k(value) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_K:
        raise SQLFunctionError(f"k must be a whole number from 1 to {MAX_K}")
    return value


def register(conn, base: KnowledgeBase) -> None:
    """Register the kb SQL functions on a sqlite3 connection, answering from ``base``
    (the KnowledgeBase of the database the connection is to)."""

    def kb_match(query):
        return base.analyzer().match(_text(query, "query"))

    def kb_embed(text):
        return json.dumps([round(float(x), 6) for x in base.query_vector(_text(text))])

    def kb_search(query, k):
        results = base.search(_text(query, "query"), limit=_k(k))
        return json.dumps(
            [
                {"id": r.chunk_id, "score": r.score, "fts_rank": r.fts_rank, "vector_rank": r.vector_rank}
                for r in results
            ]
        )

    def kb_nearest(text, k):
        hits = base.nearest(_text(text), _k(k))
        return json.dumps([{"id": cid, "score": round(score, 6)} for cid, score in hits])

    def kb_similar(chunk_id, k):
        if isinstance(chunk_id, bool) or not isinstance(chunk_id, int):
            raise SQLFunctionError("chunk_id must be a whole number")
        embedder = base.embedder()
        qvec = kbsearch.chunk_vector(base.db, embedder.model_id, chunk_id)
        hits = kbsearch.nearest(base, embedder.model_id, qvec, _k(k) + 1)
        return json.dumps([{"id": cid, "score": round(score, 6)} for cid, score in hits if cid != chunk_id][: _k(k)])

    for name, fn, n in [
        ("kb_match", kb_match, 1),
        ("kb_embed", kb_embed, 1),
        ("kb_search", kb_search, 2),
        ("kb_nearest", kb_nearest, 2),
        ("kb_similar", kb_similar, 2),
    ]:
        conn.create_function(name, n, fn, deterministic=True)
