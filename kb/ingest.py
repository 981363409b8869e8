"""Ingest report files into the database: one transaction per report, so a bad or
interrupted file never leaves half a report and never loses what was stored before."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sqlite3
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from contextlib import closing
from dataclasses import asdict, dataclass, field
from pathlib import Path

import sqlite_utils

from kb import copies
from kb.chunks import content_hash, passage_title
from kb.db import bump_generation, connect, database_error, index_chunks, next_chunk_ids, open_readonly, transaction
from kb.discover import Found, Skipped, discover
from kb.errors import KbError
from kb.readers import Document, read_bytes
from kb.report import PARSER_VERSION, Report
from kb.worker import TIME_LIMIT, FileWorker, WorkerPool


@dataclass
class FileResult:
    path: str
    status: str  # added | updated | unchanged | duplicate | skipped | failed
    report_id: int | None = None
    chunks: int = 0
    error: str | None = None
    warnings: list[str] = field(default_factory=list)


@dataclass
class IngestSummary:
    db: str
    files: list[FileResult] = field(default_factory=list)
    embedded: int = 0  # chunk texts embedded in this run
    embed_error: str | None = None

    @property
    def counts(self) -> dict[str, int]:
        out = {s: 0 for s in ("added", "updated", "unchanged", "duplicate", "skipped", "failed")}
        for f in self.files:
            out[f.status] += 1
        return out

    @property
    def failed(self) -> bool:
        return any(f.status == "failed" for f in self.files)

    def to_dict(self) -> dict:
        return {
            "db": self.db,
            "counts": self.counts,
            "embedded": self.embedded,
            "embed_error": self.embed_error,
            "files": [asdict(f) for f in self.files],
        }


BATCH = 32  # files read and parsed before they are analysed together (Kiwi learns their names at once)


def ingest(
    paths: Iterable[Path | str],
    db_path: Path | str,
    progress: Callable[[list[Path]], Iterable[Path]] | None = None,
    embed: bool = True,
    model: str | None = None,
    embed_progress: Callable | None = None,
    time_limit: float = TIME_LIMIT,
    workers: int | None = None,
) -> IngestSummary:
    """Ingest files and folders into the database at ``db_path``, then embed the new
    chunks (unless ``embed`` is false) with the database's model or ``model``.

    Files are read and parsed by ``workers`` processes (default: one a core), each
    file stopped after ``time_limit`` seconds. A failure while embedding (the disk filled up) is kept in the summary:
    the reports stored before it stay stored."""
    from kb.vectors import embed_missing, embedder_for, prune

    found, skipped = discover(Path(p) for p in paths)
    db = connect(db_path)
    try:
        embedder = embedder_for(db, model) if embed else None  # fail before any work
        summary = IngestSummary(str(db_path), [_skipped(s) for s in skipped])
        batch: list[Prepared | FileResult] = []
        with WorkerPool(db_path, time_limit, workers) as pool:
            files = iter(progress(found) if progress else found)
            ahead: deque[Future[Prepared | FileResult]] = deque()
            while True:
                # Up to BATCH files queued for the readers, which go on with them while
                # the batch before is analysed and stored.
                while len(ahead) < BATCH and (f := next(files, None)) is not None:
                    ahead.append(pool.submit(lambda worker, f=f: prepare(db_path, worker, f)))
                if not ahead:
                    break
                batch.append(ahead.popleft().result())
                if len(batch) == BATCH:
                    summary.files.extend(_store_batch(db, pool, batch))
                    batch = []
            summary.files.extend(_store_batch(db, pool, batch))
        if any(f.status in ("added", "updated") for f in summary.files):
            with transaction(db):  # copies between the new reports and the others
                copies.store(db)
                bump_generation(db)
        if embedder is not None:
            try:
                summary.embedded = embed_missing(db, embedder, embed_progress)
                prune(db)
            except KbError as e:
                summary.embed_error = str(e)
            except sqlite3.Error as e:
                summary.embed_error = str(database_error(e, db_path))
        return summary
    finally:
        db.close()


def _skipped(s: Skipped) -> FileResult:
    return FileResult(s.name, "failed" if s.missing else "skipped", error=s.reason)


@dataclass
class Prepared:
    """A file read and understood, ready to be stored."""

    name: str
    path: Path
    digest: str
    doc: Document
    report: Report


def prepare(db_path: Path | str, worker: FileWorker, f: Found) -> Prepared | FileResult:
    """Read and parse one file, or say why not (or that it is unchanged). Never raises;
    runs on a reader thread, with a read-only connection of its own."""
    try:
        data = read_bytes(f.path)
        digest = hashlib.sha256(data).hexdigest()
        with closing(open_readonly(db_path)) as db:
            row = _existing(db, f.name)
        if _unchanged(row, digest):
            return FileResult(f.name, "unchanged", row["id"], row["chunk_count"])
        doc, report = worker.understand(f.path, data)
        return Prepared(f.name, f.path, digest, doc, report)
    except KbError as e:
        return FileResult(f.name, "failed", error=str(e))


def _store_batch(db, pool: WorkerPool, batch: list[Prepared | FileResult]) -> list[FileResult]:
    """Analyse a batch of read files for search on every worker, then store each report.
    Kiwi rebuilds its dictionary (about a second) after new words: once per batch and
    worker, with every institution of the batch and those stored before."""
    ready = [p for p in batch if isinstance(p, Prepared)]
    names = [i.name for p in ready for i in p.report.metadata.institutions]
    pieces = [
        (i.chunk.text, " › ".join(i.chunk.section), p.report.metadata.title or "", p.report.metadata.issuer or "")
        for p in ready
        for i in p.report.chunks
    ]
    share = -(-len(pieces) // pool.size) or 1
    parts = [
        pool.submit(lambda w, part=pieces[i : i + share]: w.terms(names, part)) for i in range(0, len(pieces), share)
    ]
    try:
        terms = [t for part in parts for t in part.result()]
    except KbError as e:  # analysis stopped: no report of the batch is stored half analysed
        return [p if isinstance(p, FileResult) else FileResult(p.name, "failed", error=str(e)) for p in batch]
    out, start = [], 0
    for p in batch:
        if isinstance(p, FileResult):
            out.append(p)
            continue
        out.append(store(db, terms[start : start + len(p.report.chunks)], p))
        start += len(p.report.chunks)
    return out


def store(db, terms: list[tuple[str, str]], p: Prepared) -> FileResult:
    """Store a prepared and analysed report in one transaction."""
    try:
        return _store(db, terms, p.name, p.name.rsplit("/", 1)[-1], p.doc.format, p.doc.encoding, p.digest, p.report)
    except Exception as e:  # a bug must not stop the other files
        return FileResult(p.name, "failed", error=f"could not be stored ({type(e).__name__}: {e})")


def _existing(db: sqlite_utils.Database, name: str) -> dict | None:
    rows = list(db.query("select id, content_hash, parser_version, chunk_count from reports where path = ?", [name]))
    return rows[0] if rows else None


def _unchanged(row: dict | None, digest: str) -> bool:
    """Stored from the same bytes by this parser (a newer parser reads the file again)."""
    return bool(row) and row["content_hash"] == digest and row["parser_version"] == PARSER_VERSION


def _store(db, terms, name, file_name, fmt, encoding, digest, report: Report) -> FileResult:
    # IMMEDIATE takes the write lock before reading, so two ingests of the same file
    # at once cannot both decide to insert it.
    with transaction(db):
        row = _existing(db, name)
        if _unchanged(row, digest):
            return FileResult(name, "unchanged", row["id"], row["chunk_count"])
        twin = [] if row else list(db.query("select path from reports where content_hash = ?", [digest]))
        if twin:  # a copy of a stored file under another name
            return FileResult(name, "duplicate", warnings=[f"same content as {twin[0]['path']}; not stored twice"])
        if row:
            _delete_children(db, row["id"])
            db.execute("delete from reports where id = ?", [row["id"]])
        report_id = _insert(db, row["id"] if row else None, name, file_name, fmt, encoding, digest, report)
        ids = [r[0] for r in db.execute("select id from chunks where report_id = ? order by seq", [report_id])]
        index_chunks(db, [(cid, *t) for cid, t in zip(ids, terms, strict=True)])
        bump_generation(db)
    status = "updated" if row else "added"
    return FileResult(name, status, report_id, len(report.chunks), warnings=report.warnings)


def _delete_children(db, report_id: int) -> None:
    db.execute("delete from chunk_terms where rowid in (select id from chunks where report_id = ?)", [report_id])
    for table in ("chunks", "participants", "institutions", "report_places", "sources"):
        db.execute(f"delete from {table} where report_id = ?", [report_id])


def _insert(db, report_id, name, file_name, fmt, encoding, digest, report: Report) -> int:
    md = report.metadata
    row = {
        "path": name,
        "file_name": file_name,
        "format": fmt,
        "encoding": encoding,
        "content_hash": digest,
        "title": md.title,
        "issuer": md.issuer,
        "issuer_unit": md.issuer_unit,
        "parser_version": PARSER_VERSION,
        "trip_start": md.trip_start,
        "trip_end": md.trip_end,
        "year": int(md.trip_start[:4]) if md.trip_start else None,
        "countries": json.dumps(report.countries, ensure_ascii=False),
        "places": json.dumps(
            [p.name for p in md.destinations if p.kind == "city"] + md.other_cities, ensure_ascii=False
        ),
        "traveller_count": md.traveller_count,
        "purpose": md.purpose,
        "chunk_count": len(report.chunks),
        "warnings": json.dumps(report.warnings, ensure_ascii=False),
        "ingested_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    if report_id is not None:
        row["id"] = report_id
    report_id = db["reports"].insert(row).last_pk
    db["sources"].insert({"report_id": report_id, "text": report.text})
    dest = {p.id for p in md.destinations}
    mentions = dict(report.mentions)
    db["report_places"].insert_all(
        [
            {
                "report_id": report_id,
                "place_id": pid,
                "role": "destination" if pid in dest else "mentioned",
                "mentions": mentions.get(pid, 0),
            }
            for pid in list(dest) + [p for p in mentions if p not in dest]
        ]
    )
    inst_ids = {}
    for inst in md.institutions:
        inst_ids[id(inst)] = (
            db["institutions"]
            .insert(
                {
                    "report_id": report_id,
                    "name": inst.name,
                    "place_id": inst.place.id if inst.place else None,
                    "visit_date": inst.visit_date,
                    "source": inst.source,
                }
            )
            .last_pk
        )
    db["participants"].insert_all([{"report_id": report_id, **asdict(p)} for p in md.participants])
    chunk_ids = next_chunk_ids(db, len(report.chunks))
    db["chunks"].insert_all(
        [
            {
                "id": chunk_id,
                "report_id": report_id,
                "seq": seq,
                "kind": info.chunk.kind,
                "section": " › ".join(info.chunk.section),
                "institution_id": inst_ids.get(id(info.institution)) if info.institution else None,
                "place_id": info.place.id if info.place else None,
                "country": info.place.country if info.place else None,
                "year": row["year"],
                "text": info.chunk.text,
                "char_start": info.chunk.start,
                "char_end": info.chunk.end,
                "content_hash": content_hash(
                    " › ".join(info.chunk.section), info.chunk.text, passage_title(info.chunk.kind, md.title, md.issuer)
                ),
            }
            for seq, (chunk_id, info) in enumerate(zip(chunk_ids, report.chunks, strict=True))
        ],
        batch_size=500,
    )
    return report_id
