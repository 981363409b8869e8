"""Read and understand files in worker processes that can be stopped.

A file is untrusted: a damaged PDF, a package that unpacks to hundreds of megabytes,
or a layout nobody foresaw may take minutes or gigabytes. Reading and parsing run in
one child process (started once per ingest, reused for every file), so a file over the
time or memory limit is stopped on its own and the others still go in. A pool of them
(one a core) reads files in parallel while ingest stores the ones before, and shares
out the Kiwi analysis of each batch of read files (the slowest step).
"""

from __future__ import annotations

import multiprocessing
import os
import resource
import threading
import traceback
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import closing
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TypeVar

from kb.errors import ReadError

T = TypeVar("T")

TIME_LIMIT = 300.0  # seconds to read and parse one file (a real report takes under 5)
START_LIMIT = 120.0  # seconds for the worker to load Kiwi and the gazetteer
MEMORY_LIMIT = 8 * 1024**3  # bytes of address space for the worker


class FileWorker:
    """``understand(path, data)`` in a child process, each call stopped after
    ``time_limit`` seconds. Use as a context manager; the child starts on first use."""

    def __init__(self, db_path: Path | str, time_limit: float = TIME_LIMIT):
        self.db_path = str(db_path)
        self.time_limit = time_limit
        self._proc = None
        self._conn: Connection | None = None

    def __enter__(self) -> FileWorker:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def understand(self, path: Path, data: bytes):
        """(Document, Report) of the file, or a ReadError saying why not."""
        return self._ask(("read", path, data), "reading and parsing", "this file")

    def terms(self, names: list[str], pieces: list[tuple[str, str, str, str]]) -> list[tuple[str, str]]:
        """Search terms of (text, section, title, issuer) pieces, as :meth:`Analyzer.chunk_terms`
        makes them once Kiwi knows ``names`` and every institution stored so far."""
        return self._ask(("terms", names, pieces), "analysing", "these chunks")

    def _ask(self, request: tuple, doing: str, what: str):
        if self._proc is None:
            self._start()
        assert self._conn is not None
        try:
            self._conn.send(request)
            if not self._conn.poll(self.time_limit):
                self._stop()
                raise ReadError(
                    f"{doing} took longer than {self.time_limit:g} s: stopped "
                    "(a larger limit: kb ingest --time-limit SECONDS)"
                )
            status, payload = self._conn.recv()
        except (EOFError, OSError):
            self._stop()
            raise ReadError(
                f"the process {doing} {what} stopped (it ran out of memory or crashed): not stored"
            ) from None
        if status == "error":
            raise ReadError(payload)
        return payload

    def _start(self) -> None:
        ctx = multiprocessing.get_context("spawn")  # a clean process: no inherited threads or locks
        parent, child = ctx.Pipe()
        self._proc = ctx.Process(target=_main, args=(child, self.db_path), daemon=True, name="kb-reader")
        self._proc.start()
        child.close()
        self._conn = parent
        if not parent.poll(START_LIMIT):
            self._stop()
            raise ReadError(f"the reading process did not start within {START_LIMIT:g} s")
        try:
            status, payload = parent.recv()
        except (EOFError, OSError):
            self._stop()
            raise ReadError("the reading process could not start") from None
        if status == "error":
            self._stop()
            raise ReadError(payload)

    def _stop(self) -> None:
        """Kill the child (the next file starts a new one)."""
        if self._proc is not None and self._proc.pid is not None:  # a child that never started has none
            self._proc.kill()
            self._proc.join()
        if self._conn is not None:
            self._conn.close()
        self._proc = self._conn = None

    def close(self) -> None:
        if self._proc is not None and self._conn is not None:
            try:
                self._conn.send(None)
                self._proc.join(timeout=5)
            except OSError:
                pass
        self._stop()


class WorkerPool:
    """Up to ``size`` FileWorkers (default: one a core), each driven by a thread of its
    own: files are read, parsed and analysed on every core while the caller stores the
    ones before them. Workers start as work comes (one file: one worker)."""

    def __init__(self, db_path: Path | str, time_limit: float = TIME_LIMIT, size: int | None = None):
        self.db_path, self.time_limit = db_path, time_limit
        self.size = size or os.cpu_count() or 1
        self._executor = ThreadPoolExecutor(self.size, thread_name_prefix="kb-reader")
        self._local = threading.local()
        self._workers: list[FileWorker] = []
        self._lock = threading.Lock()

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def submit(self, fn: Callable[[FileWorker], T]) -> Future[T]:
        """``fn(worker)`` on one of the pool's threads, with that thread's worker."""
        return self._executor.submit(lambda: fn(self._worker()))

    def _worker(self) -> FileWorker:
        worker = getattr(self._local, "worker", None)
        if worker is None:
            worker = self._local.worker = FileWorker(self.db_path, self.time_limit)
            with self._lock:
                self._workers.append(worker)
        return worker

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)
        for worker in self._workers:
            worker.close()


def _main(conn: Connection, db_path: str) -> None:
    """The child: load once, then answer requests (read a file, or analyse chunks) until told to stop."""
    try:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
        from kb.analysis import Analyzer
        from kb.db import open_readonly
        from kb.places import Gazetteer
        from kb.readers import read_document
        from kb.report import analyse

        with closing(open_readonly(db_path)) as db:
            stored = StoredNames(db_path, db.execute("select coalesce(max(id), 0) from institutions").fetchone()[0])
            gazetteer = Gazetteer.from_db(db)
            analyzer = Analyzer.from_db(db, gazetteer)
        # Load Kiwi's models now (analysis, and the reflow of broken lines), outside any
        # file's time limit.
        analyse("Ⅰ. 출장 개요\n- 충칭시 정부를 방문하여\n협력 방안을 논의함.", gazetteer)
        analyzer.terms("충칭시 정부")
    except Exception as e:
        conn.send(("error", f"the reading process could not start ({type(e).__name__}: {e})"))
        return
    conn.send(("ok", None))
    while True:
        try:
            request = conn.recv()
        except EOFError:
            return
        if request is None:
            return
        try:
            if request[0] == "terms":
                _, names, pieces = request
                analyzer.add_words(stored.new())
                analyzer.add_words(names)
                conn.send(("ok", [analyzer.chunk_terms(*piece) for piece in pieces]))
                continue
            _, path, data = request
            doc = read_document(path, data)
            conn.send(("ok", (doc, analyse(doc.text, gazetteer))))
        except ReadError as e:
            conn.send(("error", str(e)))
        except MemoryError:
            conn.send(("error", "reading this file needs more memory than kb allows a file: not stored"))
        except Exception as e:  # a parser bug must not stop the other files
            where = traceback.extract_tb(e.__traceback__)[-1]
            conn.send(
                (
                    "error",
                    f"could not be processed ({type(e).__name__}: {e}, at {Path(where.filename).name}:{where.lineno})",
                )
            )


class StoredNames:
    """Institution names stored since the last call: each worker learns what ingest
    stored from the files the others read."""

    def __init__(self, db_path: str, last: int):
        self.db_path = db_path
        self.last = last  # the names up to this institution id are known already

    def new(self) -> list[str]:
        from kb.db import open_readonly

        with closing(open_readonly(self.db_path)) as db:
            rows = db.execute("select id, name from institutions where id > ? order by id", [self.last]).fetchall()
        if rows:
            self.last = rows[-1][0]
        return [name for _, name in rows]
