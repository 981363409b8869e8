"""Indexes derived from the database, kept in files beside it and memory-mapped.

Building the full-text postings and the vector index from SQLite takes half a minute at
1M chunks and a gigabyte of temporaries, in every process that searches. So what is built
is written once to ``<database>-index/`` (next to ``-wal`` and ``-shm``) as segments of
``.npy`` arrays, and a later process maps them instead of building.

A manifest per index names its segments, the chunk ids removed since they were written,
the database they belong to (``kb_meta.database_id``) and the version they reflect
(``kb_meta.generation``, which kb's writes count, and the number of chunks and vectors, which
other tools' writes change). When the database moved on, only what changed is built: the
chunks added since become one more segment, those removed are masked. Chunk ids are
never reused (``kb.db.next_chunk_id``), so an id in a segment always means the same text.
Too many segments, or too much removed, and the index is built again as one segment.

Nothing here is needed for correctness: a folder that cannot be written (a read-only
disk) only means each process builds in memory, as before.
"""

from __future__ import annotations

import json
import os
import shutil
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np

FORMAT = 1
MAX_SEGMENTS = 8  # more, and searching pays a loop per segment: build one again
MAX_REMOVED = 0.25  # share of indexed rows removed that makes a new build cheaper than masking
GARBAGE_AGE = 600  # seconds before a segment no manifest names is deleted (a writer may be between steps)


@dataclass
class Segment:
    """Arrays (each with one row per chunk id in ``arrays["ids"]``, or index-wide) and
    an optional word list."""

    arrays: dict[str, np.ndarray]
    words: list[str] | None = None
    name: str | None = None  # its folder, once written

    @property
    def ids(self) -> np.ndarray:
        return self.arrays["ids"]

    @cached_property
    def vocab(self) -> dict[str, int]:
        """Word -> its number (its place in ``words``)."""
        return {w: i for i, w in enumerate(self.words or ())}


@dataclass
class Loaded:
    segments: list[Segment]
    removed: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))  # chunk ids masked out
    persisted: bool = False  # whether the files on disk now match


def index_dir(db_path: Path | str) -> Path:
    return Path(f"{db_path}-index")


def refresh(
    folder: Path,
    name: str,
    database_id: str,
    version: list,
    current_ids: Callable[[], np.ndarray],
    build: Callable[[np.ndarray | None, list[Segment]], Segment],
) -> Loaded:
    """The segments of index ``name`` for this ``version`` of the database (its
    generation, and counts that catch other tools' writes): mapped from ``folder`` when
    they are up to date, else updated (``build(ids, existing)`` makes a segment of the
    given chunk ids, or of all with None) and written back when the folder allows it.
    ``current_ids()`` lists, in ascending order, the chunk ids the index should hold."""
    manifest = _read_manifest(folder, name)
    old: Loaded | None = None
    if manifest and manifest.get("format") == FORMAT and manifest.get("database") == database_id:
        old = _load(folder, manifest)
        if old is not None and manifest.get("version") == version:
            old.persisted = True
            return old
    loaded = _update(old, current_ids, build)
    try:
        _write(folder, name, database_id, version, loaded)
        loaded.persisted = True
    except OSError:
        pass  # a read-only place: keep it in memory
    return loaded


def _update(old: Loaded | None, current_ids, build) -> Loaded:
    if old is None or not old.segments:
        return Loaded([build(None, [])])
    have = np.concatenate([s.ids for s in old.segments])
    current = np.asarray(current_ids(), np.int64)
    removed = np.setdiff1d(have, current, assume_unique=True)
    added = np.setdiff1d(current, have, assume_unique=True)
    if len(old.segments) + bool(len(added)) > MAX_SEGMENTS or len(removed) > MAX_REMOVED * max(len(have), 1):
        return Loaded([build(None, [])])
    segments = list(old.segments)
    if len(added):
        segments.append(build(added, segments))
    return Loaded(segments, removed)


def _read_manifest(folder: Path, name: str) -> dict | None:
    try:
        return json.loads((folder / f"{name}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _load(folder: Path, manifest: dict) -> Loaded | None:
    try:
        segments = [_load_segment(folder / s, s) for s in manifest["segments"]]
        removed = manifest.get("removed")
        ids = np.load(folder / removed) if removed else np.zeros(0, np.int64)
        return Loaded(segments, ids)
    except (OSError, ValueError, KeyError):
        return None  # half written or cleaned away: build again


def _load_segment(path: Path, name: str) -> Segment:
    arrays = {p.stem: np.load(p, mmap_mode="r") for p in path.glob("*.npy")}
    words_file = path / "words.txt"
    words = None
    if words_file.exists():
        text = words_file.read_text(encoding="utf-8")
        words = text.split("\n") if text else []
    if "ids" not in arrays:
        raise ValueError(f"segment {name} has no ids")
    return Segment(arrays, words, name)


def _write(folder: Path, name: str, database_id: str, version: list, loaded: Loaded) -> None:
    folder.mkdir(exist_ok=True)
    for segment in loaded.segments:
        if segment.name is None:
            segment.name = _write_segment(folder, segment)
    removed = None
    if len(loaded.removed):
        removed = f"removed-{uuid.uuid4().hex}.npy"
        np.save(folder / removed, loaded.removed)
    manifest = {
        "format": FORMAT,
        "database": database_id,
        "version": version,
        "segments": [s.name for s in loaded.segments],
        "removed": removed,
    }
    tmp = folder / f".{name}.{uuid.uuid4().hex}.json"
    tmp.write_text(json.dumps(manifest), encoding="utf-8")
    os.replace(tmp, folder / f"{name}.json")  # readers see the old manifest or the new, never half
    _collect_garbage(folder)


def _write_segment(folder: Path, segment: Segment) -> str:
    name = f"seg-{uuid.uuid4().hex}"
    tmp = folder / f".{name}"
    tmp.mkdir()
    for key, array in segment.arrays.items():
        np.save(tmp / f"{key}.npy", np.ascontiguousarray(array))
    if segment.words is not None:
        (tmp / "words.txt").write_text("\n".join(segment.words), encoding="utf-8")
    os.replace(tmp, folder / name)
    return name


def _collect_garbage(folder: Path) -> None:
    """Delete segments and masks no manifest names (after a while: another process may
    be writing its manifest, and mapped files stay readable after deletion anyway)."""
    named: set[str] = set()
    for path in folder.glob("*.json"):
        manifest = _read_manifest(folder, path.stem) or {}
        named.update(manifest.get("segments", []))
        named.add(manifest.get("removed") or "")
    now = time.time()
    for path in folder.iterdir():
        if path.name in named or path.suffix == ".json" and not path.name.startswith("."):
            continue
        try:
            if now - path.stat().st_mtime > GARBAGE_AGE:
                shutil.rmtree(path) if path.is_dir() else path.unlink()
        except OSError:
            pass
