"""Things built from a database file once, and rebuilt when the file changes."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")
_CACHE: dict[tuple, tuple[tuple, object]] = {}
_LOCK = threading.Lock()


def per_file(path: str | Path | None, key: tuple, build: Callable[[], T]) -> T:
    """``build()``'s result for this file, kept until the file's size or time changes.

    One build at a time, however many threads ask: a server's first queries after a
    change wait for one load instead of each making its own."""
    if path is None or str(path) == ":memory:":
        return build()
    st = os.stat(path)
    full, stamp = (os.path.abspath(path), *key), (st.st_mtime_ns, st.st_size)
    with _LOCK:
        hit = _CACHE.get(full)
        if hit is not None and hit[0] == stamp:
            return hit[1]  # type: ignore[return-value]
        value = build()
        _CACHE[full] = (stamp, value)
        return value
