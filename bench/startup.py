"""What a planner waits for: a whole `kb search` process, `kb serve` from start to its first
answer, and ingest without embedding (parse + full-text), on any kb database.

    python bench/startup.py                        # the sample database, built in bench/out/
    python bench/startup.py --db bench/out/kb-1000000.db --runs 3
    python bench/startup.py --ingest-files 40      # ingest throughput on 40 generated reports

Prints median wall seconds and peak memory (RSS of the child process) of each.
"""

from __future__ import annotations

import argparse
import json
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KB = [sys.executable, "-m", "kb.cli"]
QUERIES = ["인재 유치", "구이양 빅데이터밸리", "data center climate"]


# Runs the kb command line and reports the process's own peak RSS when it ends.
MEASURED = (
    "import resource, runpy, sys\n"
    "sys.argv = ['kb', *sys.argv[1:]]\n"
    "try:\n    runpy.run_module('kb.cli', run_name='__main__')\n"
    "finally:\n    print('maxrss', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)\n"
)


def child_run(args: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one ``kb`` process."""
    t = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", MEASURED, *args], capture_output=True, text=True)
    wall = time.perf_counter() - t
    if out.returncode:
        raise SystemExit(out.stderr)
    peak_kb = int(out.stderr.rsplit("maxrss", 1)[1])
    return wall, peak_kb / 1024


def search_process(db: Path, runs: int) -> dict:
    walls, peaks = [], []
    for i in range(runs):
        wall, peak = child_run(["search", QUERIES[i % len(QUERIES)], "--db", str(db), "--limit", "10"])
        walls.append(wall)
        peaks.append(peak)
    return {
        "median_s": round(statistics.median(walls), 2),
        "max_s": round(max(walls), 2),
        "peak_rss_mb": round(max(peaks)),
    }


def serve_first_answer(db: Path) -> dict:
    """Seconds from ``kb serve`` to its first search answer, and the server's resident
    memory then and after 20 more searches."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    base = f"http://127.0.0.1:{port}/-/search.json?q="
    url = base + urllib.parse.quote(QUERIES[0])
    t = time.perf_counter()
    proc = subprocess.Popen(
        [*KB, "serve", "--db", str(db), "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        while True:
            try:
                json.load(urllib.request.urlopen(url, timeout=60))
                first = round(time.perf_counter() - t, 2)
                rss_first = _rss_mb(proc.pid)
                for i in range(20):
                    json.load(urllib.request.urlopen(base + urllib.parse.quote(f"{QUERIES[i % 3]} {i}"), timeout=60))
                return {"first_answer_s": first, "rss_mb_then": rss_first, "rss_mb_after_20": _rss_mb(proc.pid)}
            except OSError:
                if proc.poll() is not None:
                    raise SystemExit("kb serve stopped") from None
                time.sleep(0.1)
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _rss_mb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024)
    return 0


def ingest_throughput(files: int) -> dict:
    """Parse + full-text of ``files`` distinct reports made from the samples (no embedding)."""
    samples = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "data" / "reports").glob("*.txt"))]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "reports"
        folder.mkdir()
        for i in range(files):
            (folder / f"r{i:03d}.txt").write_text(f"{samples[i % 2]}\n- 보고서 번호 {i}.\n", encoding="utf-8")
        db = Path(tmp) / "kb.db"
        subprocess.run(
            [*KB, "ingest", str(ROOT / "data" / "reports"), "--db", str(db), "--no-embed"],
            check=True,
            capture_output=True,
        )
        t = time.perf_counter()
        out = subprocess.run(
            [*KB, "ingest", str(folder), "--db", str(db), "--no-embed", "--json"],
            check=True,
            capture_output=True,
            text=True,
        )
        wall = time.perf_counter() - t
    chunks = sum(f["chunks"] for f in json.loads(out.stdout)["files"])
    return {"files": files, "chunks": chunks, "seconds": round(wall, 1), "chunks_per_s": round(chunks / wall)}


def sample_db() -> Path:
    """The sample reports' database in bench/out/ (built when missing)."""
    db = ROOT / "bench" / "out" / "samples.db"
    if db.exists():  # made by an older kb?
        subprocess.run([*KB, "migrate", "--db", str(db)], check=True, capture_output=True)
    else:
        db.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [*KB, "ingest", str(ROOT / "data" / "reports"), "--db", str(db)], check=True, capture_output=True
        )
    return db


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", type=Path, help="a kb database (default: the samples, built in bench/out/)")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--ingest-files", type=int, default=40)
    a = ap.parse_args()
    db = a.db or sample_db()
    result = {
        "db": str(db),
        "kb_search_process": search_process(db, a.runs),
        "kb_serve": serve_first_answer(db),
    }
    if a.ingest_files:
        result["ingest_no_embed"] = ingest_throughput(a.ingest_files)
    print(json.dumps(result, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
