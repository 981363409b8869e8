"""The library's front door: one object that owns a kb database and all that kb derives
from it. The command line, the Datasette plugin, the SQL functions, the tests and the
benchmarks all go through it (as sqlite-utils' ``Database`` or llm's ``Collection``)."""

from __future__ import annotations

import hashlib
import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import numpy as np
import sqlite_utils

from kb import fulltext, indexfiles, vectors
from kb.analysis import Analyzer
from kb.db import bump_generation, connect, database_id, generation, open_readonly, transaction
from kb.embed import QUEUE
from kb.errors import InstitutionNotFound, KbError
from kb.institutions import Institution, add_alias, all_institutions, lessons

T = TypeVar("T")
QUERY_CACHE = 1024  # query embeddings kept: users repeat and page through searches
MAX_EMBED_QUERY = 400  # characters of a query that are embedded (a chunk is ~400-700)


class KnowledgeBase:
    """A kb database file and what is built from it on first use: the Korean analyzer
    (Kiwi, taught the database's place and institution names), the full-text and vector
    indexes, the embedder and a cache of query embeddings.

    What is built is kept until the database changes: kb's writes count a generation in
    ``kb_meta``, and the size and time of the file and its write-ahead log catch other
    tools' writes. Reading never creates, upgrades or writes the file. One object may
    serve many threads: each reads through a read-only connection of its own.

    >>> base = KnowledgeBase("data/kb.db")
    >>> [r.report_title for r in base.search("인재 유치", limit=2)]
    """

    def __init__(self, path: str | Path, model: str | None = None):
        self.path = Path(path)
        self.model = model  # the embedding model asked for; None: the database's own
        self._local = threading.local()
        self._lock = threading.Lock()  # one build at a time, however many threads ask
        self._built: dict[tuple, tuple[tuple, object]] = {}
        self._queries: OrderedDict[tuple[str, str], np.ndarray] = OrderedDict()
        self._queries_lock = threading.Lock()

    def __repr__(self) -> str:
        return f"KnowledgeBase({str(self.path)!r})"

    # -- the database ------------------------------------------------------------------

    @property
    def db(self) -> sqlite_utils.Database:
        """This thread's read-only connection (opened on first use)."""
        db = getattr(self._local, "db", None)
        if db is None:
            db = self._local.db = open_readonly(self.path)
            from kb.sql import register

            register(db.conn, self)
        return db

    def close(self) -> None:
        """Close this thread's connection and let go of everything built."""
        db = getattr(self._local, "db", None)
        if db is not None:
            db.close()
            self._local.db = None
        with self._lock:
            self._built.clear()
        self.forget_queries()

    # -- what is derived, per generation -----------------------------------------------

    def _derived(self, key: tuple, build: Callable[[], T]) -> T:
        stamp = (generation(self.db), _stat(self.path), _stat(f"{self.path}-wal"))
        with self._lock:
            hit = self._built.get(key)
            if hit is not None and hit[0] == stamp:
                return hit[1]  # type: ignore[return-value]
            value = build()
            self._built[key] = (stamp, value)
            return value

    def analyzer(self) -> Analyzer:
        """Kiwi with this database's place and institution names (given to Kiwi as
        texts that contain them are analysed)."""
        return self._derived(("analyzer",), lambda: Analyzer.from_db(self.db, lazy=True))

    def term_index(self) -> fulltext.TermIndex:
        """BM25 postings of every chunk's analysed terms (mapped from the index files,
        updated with what changed since they were written)."""

        def load() -> fulltext.TermIndex:
            loaded = self._refresh(
                "terms", [], lambda: fulltext.chunk_ids(self.db), lambda ids, _: fulltext.read(self.db, ids)
            )
            return fulltext.TermIndex.from_segments(loaded.segments, loaded.removed)

        return self._derived(("terms",), load)

    def vector_index(self, model_id: str, mode: str = "auto") -> vectors.VectorIndex:
        """The vectors of ``model_id``: exact, or compact (auto: above AUTO_COMPACT chunks)."""
        if mode == "auto":
            count = self._derived(("count", model_id), lambda: vectors.count(self.db, model_id))
            mode = "compact" if count > vectors.AUTO_COMPACT else "exact"

        def build(ids: np.ndarray | None, existing: list[indexfiles.Segment]) -> indexfiles.Segment:
            mean = existing[0].arrays["mean"] if existing and mode == "compact" else None
            return vectors.segment(*vectors.read(self.db, model_id, ids), mode, mean)

        def load() -> vectors.VectorIndex:
            name = f"vectors-{mode}-{hashlib.sha1(model_id.encode()).hexdigest()[:12]}"
            loaded = self._refresh(
                name, [vectors.count(self.db, model_id)], lambda: vectors.chunk_ids(self.db, model_id), build
            )
            return vectors.VectorIndex(model_id, mode, loaded.segments, loaded.removed)

        return self._derived(("vectors", model_id, mode), load)

    def _refresh(self, name: str, counts: list[int], current, build) -> indexfiles.Loaded:
        chunks = list(self.db.execute("select count(*), coalesce(max(id), 0) from chunks").fetchone())
        version = [generation(self.db), *chunks, *counts]
        # A migration may rewrite terms or vectors in place: index files of an older
        # schema are not updated but built again.
        owner = f"{database_id(self.db)}/{self.db.execute('PRAGMA user_version').fetchone()[0]}"
        return indexfiles.refresh(indexfiles.index_dir(self.path), name, owner, version, current, build)

    def embedder(self, model: str | None = None):
        """The embedder for searches: ``model``, else the one this object was made with,
        else $KB_MODEL, else the model that made the database's vectors."""
        return vectors.embedder_for(self.db, model or self.model)

    def has_vectors(self) -> bool:
        """Whether the database holds any vectors yet (none after ``ingest --no-embed``)."""
        return self.db.execute("select 1 from vectors limit 1").fetchone() is not None

    def query_vector(self, text: str, embedder=None) -> np.ndarray:
        return self.query_vector_later(text, embedder).result()

    def query_vector_later(self, text: str, embedder=None) -> Future[np.ndarray]:
        """A query's embedding, as a future a server can await without holding a thread.
        Only the first MAX_EMBED_QUERY characters are embedded: a pasted page costs no
        more than a chunk's worth, and its opening says what it is about."""
        embedder = embedder or self.embedder()
        text = text[:MAX_EMBED_QUERY]
        key = (embedder.model_id, text)
        with self._queries_lock:
            if key in self._queries:
                self._queries.move_to_end(key)
                done: Future[np.ndarray] = Future()
                done.set_result(self._queries[key])
                return done

        def remember(f: Future[np.ndarray]) -> None:
            if not f.cancelled() and f.exception() is None:
                with self._queries_lock:
                    self._queries[key] = f.result()
                    while len(self._queries) > QUERY_CACHE:
                        self._queries.popitem(last=False)

        future = QUEUE.submit(len(text), lambda: embedder.query([text])[0])
        future.add_done_callback(remember)
        return future

    def forget_queries(self) -> None:
        """Empty the query-embedding cache (benchmarks time fresh embeddings)."""
        with self._queries_lock:
            self._queries.clear()

    def warm(self) -> None:
        """Load Kiwi (with every place and institution name), the indexes and the
        embedding model now, so that a server's searches do not pay seconds for them
        (and overrun its SQL time limit)."""
        self.analyzer().learn_names()
        self.term_index()
        try:
            embedder = self.embedder()
            self.query_vector("빅데이터", embedder)
            self.vector_index(embedder.model_id)
        except Exception:  # noqa: BLE001 - a model problem shows on the first search, with its message
            pass

    # -- reading -----------------------------------------------------------------------

    def search(self, query: str, **kw):
        """Hybrid (or ``mode="fts"``/``"semantic"``) search; see :func:`kb.search.search`."""
        from kb.search import search

        return search(self, query, **kw)

    def similar(self, chunk_id: int | None = None, text: str | None = None, **kw):
        """Chunks like a stored chunk or a text; see :func:`kb.search.similar`."""
        from kb.search import similar

        return similar(self, chunk_id, text, **kw)

    def nearest(self, text: str, k: int = 10) -> list[tuple[int, float]]:
        """The ``k`` chunks whose vectors are nearest the text's, as (chunk id, cosine)."""
        from kb.search import nearest

        embedder = self.embedder()
        return nearest(self, embedder.model_id, self.query_vector(text, embedder), k)

    def report(self, report_id: int) -> dict:
        """One report as kb understood it (the object ``kb export`` writes)."""
        from kb.export import report_object

        return report_object(self.db, report_id)

    def export(self, report_ids: Iterable[int] | None = None) -> Iterator[dict]:
        """Every report (or those asked for), one object each."""
        from kb.export import report_objects

        return report_objects(self.db, report_ids)

    def brief(self, place: str | None = None, topic: str | None = None) -> dict:
        """What earlier trips to a place, or about a theme, learned; see :func:`kb.brief.brief`."""
        from kb.brief import brief

        return brief(self, place, topic)

    def copies(self, minimum: float | None = None) -> list:
        """Chunks that copy an earlier report's text, with their originals; see kb.copies."""
        from kb import copies

        return copies.stored(self.db, copies.FOLD_MIN if minimum is None else minimum)

    def overview(self) -> dict:
        """What the knowledge base holds (the home page): counts, trips by country, city
        and year, the newest reports."""
        from kb.overview import overview

        return overview(self.db)

    def institutions(self) -> list[Institution]:
        """Every institution visited, merged across reports (see kb.institutions)."""
        return all_institutions(self.db)

    def institution(self, institution_id: int) -> tuple[Institution, list[dict]]:
        """One institution (by any of its rows' ids) and what the reports found and
        concluded about it."""
        found = next((i for i in self.institutions() if int(institution_id) in i.rows), None)
        if found is None:
            raise InstitutionNotFound(f"no institution with id {institution_id}")
        return found, lessons(self.db, found)

    # -- writing -----------------------------------------------------------------------

    def alias(self, alias: str, name: str) -> None:
        """Say that ``alias`` and ``name`` name one institution (they are merged from now on)."""
        if not alias.strip() or not name.strip():
            raise KbError("give two names: kb alias ALIAS NAME")
        db = connect(self.path, create=False)
        try:
            with transaction(db):
                add_alias(db, alias, name)
                bump_generation(db)
        finally:
            db.close()

    def ingest(self, paths: Iterable[Path | str], **kw):
        """Store report files and folders; see :func:`kb.ingest.ingest`. The indexes
        follow on their next use."""
        from kb.ingest import ingest

        return ingest(paths, self.path, model=kw.pop("model", self.model), **kw)

    def embed(self, model: str | None = None, progress: Callable | None = None) -> EmbedSummary:
        """Embed chunks without a vector (everything, for a new ``model``), then drop
        the vectors of other models and of chunks that went."""
        db = connect(self.path, create=False)
        try:
            embedder = vectors.embedder_for(db, model or self.model, switch=True)
            embedded = vectors.embed_missing(db, embedder, progress)
            removed = vectors.drop_other_models(db, embedder.model_id)
            vectors.prune(db)
            return EmbedSummary(embedder.model_id, embedded, removed)
        finally:
            db.close()


@dataclass
class EmbedSummary:
    model_id: str
    embedded: int  # chunk texts embedded now
    removed: int  # vectors of other models removed


def _stat(path: str | Path) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return st.st_mtime_ns, st.st_size
