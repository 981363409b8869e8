"""Parsing time against input size: is it linear? Prints seconds and MB/s for report
text of 1 and 10 MB (the two samples repeated), for runs of lines that never end a
sentence (once quadratic: 66 s at 20k lines), and for a report with no line breaks.

    python bench/parse.py              # 1 MB and 10 MB, ~1 minute on 2 cores
    python bench/parse.py --mb 1 2 4   # other sizes

``analyse`` is what the ingest worker runs on each file (layout, metadata, chunks);
``terms`` is the Kiwi analysis ingest then does for full-text search.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from kb.analysis import Analyzer
from kb.db import connect
from kb.places import Gazetteer
from kb.report import analyse

ROOT = Path(__file__).resolve().parent.parent


def timed(fn) -> tuple[float, object]:
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mb", type=float, nargs="+", default=[1, 10])
    ap.add_argument("--lines", type=int, nargs="+", default=[5000, 10000, 20000])
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = connect(Path(tmp) / "kb.db")
        gazetteer = Gazetteer.from_db(db)
        analyzer = Analyzer.from_db(db, gazetteer)
    sample = "\n".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "data" / "reports").glob("*.txt")))
    analyse(sample, gazetteer)  # Kiwi loaded before timing
    analyzer.terms(sample[:1000])
    print(f"{'input':<34} {'chars':>10} {'analyse s':>10} {'MB/s':>6} {'chunks':>7} {'terms s':>8}")
    for mb in a.mb:
        copies = max(1, round(mb * 1e6 / len(sample.encode())))
        text = "\n".join([sample] * copies)
        size = len(text.encode()) / 1e6
        seconds, report = timed(lambda text=text: analyse(text, gazetteer))
        term_s, _ = timed(lambda report=report: [analyzer.chunk_terms(i.chunk.text, "") for i in report.chunks])
        print(
            f"{f'report text, {size:.1f} MB':<34} {len(text):>10,} {seconds:>10.2f} {size / seconds:>6.2f} "
            f"{len(report.chunks):>7,} {term_s:>8.2f}"
        )
    for n in a.lines:
        text = "\n".join(f"이것은 {i}번째 줄이고 문장이 끝나지 않는" for i in range(n))
        seconds, report = timed(lambda text=text: analyse(text, gazetteer))
        size = len(text.encode()) / 1e6
        print(
            f"{f'{n:,} lines without a sentence end':<34} {len(text):>10,} {seconds:>10.2f} {size / seconds:>6.2f} {len(report.chunks):>7,}"
        )
    one = " ".join(sample.split())
    seconds, report = timed(lambda: analyse(one, gazetteer))
    size = len(one.encode()) / 1e6
    print(
        f"{'both samples on one line':<34} {len(one):>10,} {seconds:>10.2f} {size / seconds:>6.2f} {len(report.chunks):>7,}"
    )


if __name__ == "__main__":
    main()
