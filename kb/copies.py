"""Copied text across reports: paragraphs taken from an earlier report (or from the same
encyclopaedia) with light edits.

Copies crowd search results with one paragraph several times and hide what a report itself
found. Each chunk's analysed terms (``chunk_terms``) are cut into overlapping three-term
shingles; MinHash signatures banded for locality-sensitive hashing propose candidate pairs,
and the Jaccard similarity of their shingle sets decides. A group of copies keeps its chunk
of the earliest trip (then the first stored) as the original; every other member is stored
in ``copies`` with its original and similarity. Chunks of fewer than MIN_SHINGLES shingles
(a date line, a table row) are left out: reports share those without copying.
"""

from __future__ import annotations

import zlib
from dataclasses import asdict, dataclass

import numpy as np
import sqlite_utils

STORE_MIN = 0.5  # pairs kept in the table (kb copies --min filters above it)
FOLD_MIN = 0.8  # search shows copies this similar as one result
MIN_SHINGLES = 8
HASHES, BANDS = 32, 16  # 16 bands of 2 rows: a pair at Jaccard 0.5 is proposed with p 0.99
_PRIME = (1 << 61) - 1


@dataclass
class Copy:
    chunk_id: int
    report_id: int
    original_id: int
    original_report_id: int
    similarity: float

    def to_dict(self) -> dict:
        return asdict(self)


def shingles(terms: str) -> set[int]:
    """Three-term shingles of a chunk's analysed terms, hashed."""
    words = terms.split()
    return {zlib.crc32(" ".join(words[i : i + 3]).encode()) for i in range(max(len(words) - 2, 0))}


def jaccard(a: set[int], b: set[int]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def find(db: sqlite_utils.Database, minimum: float = STORE_MIN) -> list[Copy]:
    """Every chunk whose text copies an earlier report's (at ``minimum`` or more)."""
    rows = db.execute(
        "select c.id, c.report_id, t.terms, r.trip_start from chunks c join chunk_terms t on t.rowid = c.id "
        "join reports r on r.id = c.report_id"
    ).fetchall()
    sets = {cid: s for cid, _, terms, _ in rows if len(s := shingles(terms)) >= MIN_SHINGLES}
    report_of = {cid: report for cid, report, _, _ in rows}
    order = {cid: (start or "9999", report, cid) for cid, report, _, start in rows}  # earliest first
    parent = {cid: cid for cid in sets}

    def root(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in _candidates(sets):
        if report_of[a] == report_of[b]:
            continue  # a report repeating itself is not a copy
        similarity = jaccard(sets[a], sets[b])
        if similarity >= minimum:
            ra, rb = root(a), root(b)
            if ra != rb:
                parent[max(ra, rb, key=order.get)] = min(ra, rb, key=order.get)
    out = []
    for cid in sets:  # a chunk in no group is its own root
        original = root(cid)
        if original != cid and report_of[original] != report_of[cid]:
            similarity = round(jaccard(sets[cid], sets[original]), 3)
            out.append(Copy(cid, report_of[cid], original, report_of[original], similarity))
    return sorted(out, key=lambda c: (c.original_id, c.chunk_id))


def _candidates(sets: dict[int, set[int]]):
    """Pairs of chunks whose MinHash signatures agree on at least one band."""
    rng = np.random.default_rng(20261130)
    a = rng.integers(1, _PRIME, HASHES, dtype=np.uint64)
    b = rng.integers(0, _PRIME, HASHES, dtype=np.uint64)
    buckets: dict[tuple, list[int]] = {}
    rows = HASHES // BANDS
    for cid, s in sets.items():
        x = np.fromiter(s, np.uint64, len(s))
        signature = ((a[:, None] * x[None, :] + b[:, None]) % np.uint64(_PRIME)).min(axis=1)
        for band in range(BANDS):
            buckets.setdefault((band, *signature[band * rows : (band + 1) * rows].tolist()), []).append(cid)
    seen = set()
    for members in buckets.values():
        for i, x in enumerate(members):
            for y in members[i + 1 :]:
                pair = (x, y) if x < y else (y, x)
                if pair not in seen:
                    seen.add(pair)
                    yield pair


def store(db: sqlite_utils.Database) -> int:
    """Find the copies anew and store them (in the caller's write transaction)."""
    found = find(db)
    db.execute("delete from copies")
    db.conn.executemany(
        "insert into copies(chunk_id, original_id, similarity) values (?, ?, ?)",
        [(c.chunk_id, c.original_id, c.similarity) for c in found],
    )
    return len(found)


def stored(db: sqlite_utils.Database, minimum: float = FOLD_MIN) -> list[Copy]:
    """The stored copies at ``minimum`` or more."""
    return [
        Copy(*row)
        for row in db.execute(
            "select k.chunk_id, c.report_id, k.original_id, o.report_id, k.similarity from copies k "
            "join chunks c on c.id = k.chunk_id join chunks o on o.id = k.original_id "
            "where k.similarity >= ? order by k.original_id, k.chunk_id",
            [minimum],
        )
    ]
