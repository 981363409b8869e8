"""Full-text ranking in memory: BM25 over the analysed terms that ``chunk_terms`` holds.

FTS5 ranks by calling bm25() on every row a query matches: 14 ms for the 15,000 chunks
a three-word query matches at 100k chunks, 220 ms for the 240,000 it matches at 1M.
The same formula (FTS5's: k1 1.2, b 0.75, section terms weighted 0.3) over postings in
numpy arrays is one scatter-add per query term. ``chunk_terms`` stays the source of the
terms, and FTS5 stays for SQL (``kb_match``).
"""

from __future__ import annotations

import math
import re
from bisect import bisect_left
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import sqlite_utils

from kb.indexfiles import Segment

K1, B = 1.2, 0.75
SECTION_WEIGHT = 0.3  # as bm25(chunk_terms, 1.0, 0.3): a section title names many chunks
BATCH = 8192
# FTS5's unicode61 tokens: runs of letters and digits ("14:00" is 14 and 00), so that
# this index and FTS5 (kb_match) agree on tokens, lengths and scores.
TOKEN = re.compile(r"[^\W_]+")
NONE = np.zeros(0, np.int64)


@dataclass
class TermIndex:
    """Postings in one or more segments (see :mod:`kb.indexfiles`), over one row space:
    segment ``s``'s row ``r`` is row ``offsets[s] + r``. Term frequencies and chunk
    lengths are stored, not BM25 weights, so that a segment added later, or chunks
    removed, change the collection's statistics without rewriting older segments."""

    segments: list[Segment]
    ids: np.ndarray  # chunk ids, int64, one per row (removed ones too)
    offsets: list[int]
    live: np.ndarray | None  # bool per row; None: every row is live
    norm: np.ndarray  # float32 per row: K1 * (1 - B + B * length / mean length)

    @classmethod
    def from_segments(cls, segments: list[Segment], removed: np.ndarray = NONE) -> TermIndex:
        ids = np.concatenate([s.ids for s in segments]) if segments else np.zeros(0, np.int64)
        offsets = np.cumsum([0] + [len(s.ids) for s in segments[:-1]]).tolist()
        lengths = np.concatenate([s.arrays["lengths"] for s in segments]) if segments else np.zeros(0, np.float32)
        live = ~np.isin(ids, removed) if len(removed) else None
        kept = lengths if live is None else lengths[live]
        mean = float(kept.mean()) if len(kept) else 0.0
        norm = (K1 * (1 - B + B * lengths / max(mean, 1e-9))).astype(np.float32)
        return cls(segments, ids, offsets, live, norm)

    def __len__(self) -> int:
        return len(self.ids) if self.live is None else int(self.live.sum())

    @property
    def nbytes(self) -> int:
        arrays = [a for s in self.segments for a in s.arrays.values()] + [self.ids, self.norm]
        return sum(a.nbytes for a in arrays)

    def doc_freq(self, term: str) -> int:
        """How many chunks contain ``term``."""
        return len(self._occurrences(term)[0])

    def contains(self, term: str) -> bool:
        """Whether the collection has ``term``'s tokens at all: a look-up in each segment's
        vocabulary, without reading postings (chunks removed since are not checked)."""
        tokens = TOKEN.findall(term)
        return bool(tokens) and all(any(t in s.vocab for s in self.segments) for t in tokens)

    def with_prefix(self, prefix: str) -> list[str]:
        """The collection's terms that start with ``prefix`` (chunks removed since are not
        checked), from a sorted copy of the vocabulary made on first use."""
        vocab = self._sorted_vocab
        out = []
        for i in range(bisect_left(vocab, prefix), len(vocab)):
            if not vocab[i].startswith(prefix):
                break
            out.append(vocab[i])
        return out

    @cached_property
    def _sorted_vocab(self) -> list[str]:
        return sorted({t for s in self.segments for t in s.vocab})

    def idf(self, term: str) -> float:
        return self._idf(self.doc_freq(term))

    def _idf(self, df: int) -> float:
        n = len(self)
        return max(math.log((n - df + 0.5) / (df + 0.5)), 1e-6)  # FTS5's floor

    def _occurrences(self, token: str) -> tuple[np.ndarray, np.ndarray]:
        """Rows holding ``token`` (live ones) and its frequency there."""
        rows, tf = [], []
        for segment, offset in zip(self.segments, self.offsets, strict=True):
            t = segment.vocab.get(token)
            if t is not None:
                starts = segment.arrays["starts"]
                a, b = starts[t], starts[t + 1]
                rows.append(segment.arrays["rows"][a:b] + offset)
                tf.append(segment.arrays["tf"][a:b])
        if not rows:
            return np.zeros(0, np.int64), np.zeros(0, np.float32)
        rows, tf = (rows[0], tf[0]) if len(rows) == 1 else (np.concatenate(rows), np.concatenate(tf))
        if self.live is not None:
            keep = self.live[rows]
            rows, tf = rows[keep], tf[keep]
        return rows, tf

    def _term(self, term: str) -> tuple[np.ndarray, np.ndarray]:
        """Rows holding ``term`` and its BM25 there. A term of several tokens ("14:00")
        needs all of them, where FTS5 would need them as a phrase."""
        rows, scores = None, None
        for token in dict.fromkeys(TOKEN.findall(term)):
            r, tf = self._occurrences(token)
            w = np.float32(self._idf(len(r))) * (tf * np.float32(K1 + 1) / (tf + self.norm[r]))
            if rows is None:
                rows, scores = r, w
            else:
                rows, i, j = np.intersect1d(rows, r, assume_unique=True, return_indices=True)
                scores = scores[i] + w[j]
        return (rows, scores) if rows is not None else (np.zeros(0, np.int64), np.zeros(0, np.float32))

    def search(
        self,
        terms: list[str],
        k: int,
        words: list[set[str]] = (),
        need: int = 0,
        allowed: np.ndarray | None = None,
    ) -> list[tuple[int, float]]:
        """The ``k`` chunks with the best BM25 for ``terms`` (OR-ed), as (chunk id, score),
        best first; ties by chunk id. With ``words``, a chunk must contain at least
        ``need`` of them (a word counts when any of its terms is there). ``allowed`` is a
        boolean mask over the rows (filters)."""
        scores = np.zeros(len(self.ids), np.float32)
        for term in dict.fromkeys(terms):
            rows, term_scores = self._term(term)
            scores[rows] += term_scores  # rows are distinct within a term
        hits = np.flatnonzero(scores)
        if need:
            have = np.zeros(len(hits), np.int16)
            for group in range(0, len(words), 64):  # a bit per word: a word's terms may share rows
                part = words[group : group + 64]
                kind = next(t for t in (np.uint8, np.uint16, np.uint32, np.uint64) if len(part) <= 8 * t().itemsize)
                bits = np.zeros(len(self.ids), kind)  # small: at 1M chunks, 1 MB for up to 8 words
                for w, word in enumerate(part):
                    for term in word:
                        bits[self._term(term)[0]] |= kind(1 << w)
                have += np.bitwise_count(bits[hits])
            hits = hits[have >= need]
        if allowed is not None:
            hits = hits[allowed[hits]]
        if len(hits) > k:
            hits = hits[np.argpartition(-scores[hits], k - 1)[:k]]
        hits = hits[np.lexsort((self.ids[hits], -scores[hits]))]
        return [(int(self.ids[r]), float(scores[r])) for r in hits]


def segment(rows) -> Segment:
    """A segment of (chunk id, terms, section terms) rows, as ``chunk_terms`` holds them."""
    vocab: dict[str, int] = {}
    ids, lengths, parts = [], [], []
    it = iter(rows)
    while batch := [r for _, r in zip(range(BATCH), it, strict=False)]:
        first = len(ids)
        tokens, counts = [], []
        for cid, terms, section in batch:
            text, head = TOKEN.findall(terms), TOKEN.findall(section)
            ids.append(cid)
            tokens += text
            tokens += head
            counts += (len(text), len(head))
        lengths += [a + b for a, b in zip(counts[::2], counts[1::2], strict=True)]
        term = np.array([vocab.setdefault(t, len(vocab)) for t in tokens], np.int64)
        row = np.repeat(np.arange(first, len(ids), dtype=np.int64), np.add(counts[::2], counts[1::2]))
        weight = np.repeat(np.tile(np.array([1.0, SECTION_WEIGHT], np.float32), len(batch)), counts)
        keys, inverse = np.unique((term << 32) | row, return_inverse=True)  # term-major, rows ascending
        parts.append((keys, np.bincount(inverse, weights=weight).astype(np.float32)))
    keys = np.concatenate([k for k, _ in parts]) if parts else np.zeros(0, np.int64)
    tf = np.concatenate([f for _, f in parts]) if parts else np.zeros(0, np.float32)
    del parts
    order = np.argsort(keys >> 32, kind="stable")  # batches are each term-major already
    keys, tf = keys[order], tf[order]
    del order
    starts = np.zeros(len(vocab) + 1, np.int64)
    np.cumsum(np.bincount(keys >> 32, minlength=len(vocab)), out=starts[1:])
    arrays = {
        "ids": np.asarray(ids, np.int64),
        "lengths": np.asarray(lengths, np.float32),
        "starts": starts,
        "rows": (keys & 0xFFFFFFFF).astype(np.int32),
        "tf": tf,
    }
    return Segment(arrays, list(vocab))


def build(rows) -> TermIndex:
    """The index of (chunk id, terms, section terms) rows, in one segment."""
    return TermIndex.from_segments([segment(rows)])


def load(db: sqlite_utils.Database) -> TermIndex:
    """The index of every chunk's terms in ``chunk_terms``, built in memory."""
    return TermIndex.from_segments([read(db)])


def read(db: sqlite_utils.Database, ids: np.ndarray | None = None) -> Segment:
    """A segment of every chunk's terms, or of those of ``ids``."""
    if ids is None:
        return segment(db.execute(ROWS + " order by rowid"))
    wanted = set(ids.tolist())
    rows = db.execute(ROWS + " where rowid >= ? order by rowid", [int(ids.min())])
    return segment(r for r in rows if r[0] in wanted)


def chunk_ids(db: sqlite_utils.Database) -> np.ndarray:
    """Ids of the chunks that have terms, ascending."""
    return np.fromiter((r[0] for r in db.execute("select rowid from chunk_terms order by rowid")), np.int64)


ROWS = "select rowid, terms, section_terms from chunk_terms"
