"""kb: a searchable knowledge base of overseas-trip result reports (공무국외출장 결과보고서)."""

import os

# Threads that busy-wait after their work take the two cores from each other: numpy's
# OpenBLAS threads after each matrix product, and the embedding engine's OpenMP threads
# after each query. A query embedding took 18-26 ms instead of 9 in a search, and the
# exact scan at 100k chunks 14 ms instead of 8 (bench/README.md). Both libraries read
# these when they load, so they are set here, before either does.
os.environ.setdefault("OPENBLAS_THREAD_TIMEOUT", "4")
os.environ.setdefault("GOMP_SPINCOUNT", "10000")

__version__ = "0.1.0"
__all__ = ["KnowledgeBase", "__version__"]


def __getattr__(name: str):
    # The front door, imported on first use: `import kb` (and `kb --help`) stays light.
    if name == "KnowledgeBase":
        from kb.knowledge import KnowledgeBase

        return KnowledgeBase
    raise AttributeError(f"module 'kb' has no attribute {name!r}")
