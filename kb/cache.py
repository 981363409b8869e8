"""Things built from a database once, and rebuilt when it changes."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import sqlite_utils

from kb.db import generation

T = TypeVar("T")
_CACHE: dict[tuple, tuple[tuple, object]] = {}
_LOCK = threading.Lock()


def per_file(db: sqlite_utils.Database, path: str | Path | None, key: tuple, build: Callable[[], T]) -> T:
    """``build()``'s result for this database file, kept until the file changes: kb's
    writes count a generation (kb.db.bump_generation), and the size and time of the
    file and its write-ahead log catch changes made by other tools.

    One build at a time, however many threads ask: a server's first queries after a
    change wait for one load instead of each making its own."""
    if path is None or str(path) == ":memory:":
        return build()
    full, stamp = (os.path.abspath(path), *key), (generation(db), _stat(path), _stat(f"{path}-wal"))
    with _LOCK:
        hit = _CACHE.get(full)
        if hit is not None and hit[0] == stamp:
            return hit[1]  # type: ignore[return-value]
        value = build()
        _CACHE[full] = (stamp, value)
        return value


def _stat(path: str) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return st.st_mtime_ns, st.st_size
