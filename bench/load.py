"""Load test: N concurrent clients against the served search page's JSON, on loopback,
for a fixed time; prints throughput, latency percentiles and errors.

    python bench/load.py                      # serves data/kb.db itself, 20 clients, 30 s
    python bench/load.py --clients 20 --seconds 60 --distinct
    python bench/load.py --url http://127.0.0.1:8001   # an already running `kb serve`

Queries are drawn from a fixed list of staff-like searches; ``--distinct`` makes every
request's query unique, so that no query embedding comes from the cache (worst case).
``--long N`` and ``--slow-sql N`` add clients that are not measured: N sending new
1,000-character queries, N running SQL-function queries that keep a SQL thread busy up
to the time limit; the figures are those of the ordinary clients beside them.
Goal: 20 clients, zero errors, p95 <= 150 ms on the sample database.
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUERIES = [
    "빅데이터밸리 기업 유치",
    "인재 유치",
    "데이터센터 기후",
    "화훼 시장 전망",
    "스마트시티 교통",
    "임시정부 유적",
    "창업 지원 공간",
    "교환학생 교류",
    "투자유치 조직",
    "원격 진료",
    "빅데이터 거래소",
    "산업단지 성공 요인",
    "충칭 자동차 산업",
    "구이양 빅데이터",
    "귀양 데이터 거래소",
    "청두 소프트웨어 단지",
    "국제우호도시 원탁회의",
    "고양시 홍보 부스",
    "항공 마일리지",
    "출장 목적",
    "data center climate",
    "startup incubation Chengdu",
    "talent attraction",
    "big data exchange",
    "smart city expo",
    "貴陽 大数据",
    "仙桃国际大数据谷",
    "OZ3543",
    "기업 유치 방안",
    "입주기업 지원",
    "혁신 클러스터 인재",
    "빅데이터 정책 총괄 조직",
    "서버 수명 기후",
    "스마트산업박람회 참가 규모",
    "가오신구 등록 기업",
    "중한혁신창업단지",
    "민관 협력 서비스",
    "빅데이터 정보보호",
    "전력 요금 절약",
    "자매결연 요청",
]
FILTERS = ["", "&kind=implication", "&kind=finding", "&place=" + urllib.parse.quote("구이양"), "&since=2019"]


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def long_query(rng: random.Random, tag: str) -> str:
    """A distinct query of about 1,000 characters (a pasted paragraph): the most costly
    text a search embeds."""
    words: list[str] = []
    while sum(len(w) + 1 for w in words) < 990:
        words.append(rng.choice(QUERIES))
    return (tag + " " + " ".join(words))[:1000]


# A query in Datasette's SQL page that keeps a SQL thread busy: a new embedding for
# every chunk, until the SQL time limit stops it.
SLOW_SQL = "select count(*) from chunks where kb_nearest(substr(text, 1, 900) || ' {tag}', 5) is not null"


def client(
    host: str, port: int, stop: float, kind: str, seed: int, out: list, errors: list, database: str = "kb"
) -> None:
    """One client's requests until ``stop``: ``kind`` is repeated (staff queries from a
    list), distinct (each query new), long (each a new 1,000-character query) or sql
    (SLOW_SQL, whose time-limit errors are its expected answer)."""
    rng = random.Random(seed)
    conn = http.client.HTTPConnection(host, port, timeout=60)
    n = 0
    while time.time() < stop:
        tag = f"{seed}-{n}"
        if kind == "sql":
            path = f"/{database}.json?sql=" + urllib.parse.quote(SLOW_SQL.format(tag=tag))
        else:
            query = {"repeated": rng.choice(QUERIES), "distinct": f"{rng.choice(QUERIES)} {tag}"}.get(
                kind
            ) or long_query(rng, tag)
            path = "/-/search.json?q=" + urllib.parse.quote(query) + rng.choice(FILTERS)
        n += 1
        start = time.perf_counter()
        try:
            conn.request("GET", path)
            resp = conn.getresponse()
            body = resp.read()
            elapsed = time.perf_counter() - start
            if resp.status != 200 and kind != "sql":
                errors.append(f"{resp.status} {path[:120]}: {body[:200]!r}")
            else:
                json.loads(body)
                out.append(elapsed)
        except (OSError, http.client.HTTPException, ValueError) as e:
            errors.append(f"{type(e).__name__}: {e} ({path[:120]})")
            conn.close()
            conn = http.client.HTTPConnection(host, port, timeout=60)
    conn.close()


def run(url: str, clients: int, seconds: float, kind: str, background: dict[str, int] | None = None) -> dict:
    """``clients`` clients of ``kind``, measured, beside ``background`` clients (kind ->
    count) that load the server but are not."""
    parts = urllib.parse.urlsplit(url)
    if parts.hostname not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit("load tests only target loopback addresses (127.0.0.1, localhost, ::1)")
    latencies: list[float] = []
    errors: list[str] = []
    stop = time.time() + seconds
    host, port = parts.hostname, parts.port or 80
    database = json.load(urllib.request.urlopen(url + "/-/databases.json"))[0]["name"]
    threads = [
        threading.Thread(target=client, args=(host, port, stop, kind, i, latencies, errors)) for i in range(clients)
    ]
    for bg_kind, count in (background or {}).items():
        threads += [
            threading.Thread(target=client, args=(host, port, stop, bg_kind, 1000 + i, [], [], database))
            for i in range(count)
        ]
    started = time.time()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.time() - started
    return {
        "clients": clients,
        "kind": kind,
        "background": background or {},
        "seconds": round(wall, 1),
        "requests": len(latencies),
        "errors": len(errors),
        "throughput_rps": round(len(latencies) / wall, 1),
        "p50_ms": round(percentile(latencies, 50) * 1000, 1) if latencies else None,
        "p95_ms": round(percentile(latencies, 95) * 1000, 1) if latencies else None,
        "max_ms": round(max(latencies) * 1000, 1) if latencies else None,
        "mean_ms": round(statistics.mean(latencies) * 1000, 1) if latencies else None,
        "first_errors": errors[:5],
    }


def serve(db: Path) -> tuple[subprocess.Popen, str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "kb.cli", "serve", "--db", str(db), "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=ROOT,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(400):
        try:
            urllib.request.urlopen(url + "/-/versions.json", timeout=1)
            return proc, url
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise SystemExit("kb serve did not start")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--url", help="a running kb serve on loopback (default: start one on --db)")
    ap.add_argument("--db", type=Path, default=ROOT / "data" / "kb.db")
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=30)
    ap.add_argument("--distinct", action="store_true", help="a new query every request (no embedding cache hits)")
    ap.add_argument(
        "--long", type=int, default=0, metavar="N", help="N more clients sending new 1,000-character queries"
    )
    ap.add_argument(
        "--slow-sql", type=int, default=0, metavar="N", help="N more clients running slow SQL-function queries"
    )
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    proc = None
    url = a.url
    if not url:
        if not a.db.exists():
            raise SystemExit(f"{a.db} not found: build it with `make db` or `kb ingest data/reports`")
        proc, url = serve(a.db)
    background = {k: n for k, n in (("long", a.long), ("sql", a.slow_sql)) if n}
    try:
        run(url, 2, 2, "repeated")  # warm up
        result = run(url, a.clients, a.seconds, "distinct" if a.distinct else "repeated", background)
    finally:
        if proc:
            proc.terminate()
            proc.wait(timeout=10)
    if a.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return
    beside = ", ".join(f"{n} {k} clients" for k, n in background.items())
    print(
        f"{result['clients']} clients, {result['seconds']} s, {result['kind']} queries"
        + (f" (beside {beside})" if beside else "")
    )
    print(f"requests {result['requests']}  errors {result['errors']}  throughput {result['throughput_rps']} req/s")
    print(f"latency p50 {result['p50_ms']} ms  p95 {result['p95_ms']} ms  max {result['max_ms']} ms")
    for e in result["first_errors"]:
        print("error:", e)


if __name__ == "__main__":
    main()
