"""The worker process that reads and parses files: stopped at its time limit, and
started again for the next file."""

from __future__ import annotations

import multiprocessing
import time
from concurrent.futures import ProcessPoolExecutor

from kb.errors import ReadError
from kb.knowledge import KnowledgeBase
from kb.worker import FileWorker

from conftest import REPORT_2018, REPORT_2019


def test_reads_files_and_stops_one_over_its_time_limit(sample_db_path, tmp_path):
    big = tmp_path / "big.txt"
    # About 3 MB of report text: a few seconds to parse, far above a 2 s limit.
    big.write_text("\n".join([REPORT_2019.read_text(encoding="utf-8")] * 120), encoding="utf-8")
    with FileWorker(sample_db_path, time_limit=2) as worker:
        doc, report = worker.understand(REPORT_2018, REPORT_2018.read_bytes())
        assert doc.format == "text" and len(report.chunks) > 10
        started = time.monotonic()
        try:
            worker.understand(big, big.read_bytes())
            raise AssertionError("not stopped")
        except ReadError as e:
            assert "longer than 2 s" in str(e) and "--time-limit" in str(e)
        assert time.monotonic() - started < 5
        worker.time_limit = 300  # a new process takes the next file
        _doc, again = worker.understand(REPORT_2018, REPORT_2018.read_bytes())
        assert len(again.chunks) == len(report.chunks)


def test_terms_are_those_a_search_analyser_makes(sample_db_path):
    """Analysed in the worker, with the batch's institution names: the same terms as the
    analyser searches use, once it knows the same names."""
    with FileWorker(sample_db_path) as worker:
        _doc, report = worker.understand(REPORT_2018, REPORT_2018.read_bytes())
        names = [i.name for i in report.metadata.institutions] + ["가나다라연구원"]
        pieces = [(i.chunk.text, " › ".join(i.chunk.section)) for i in report.chunks]
        terms = worker.terms(names, pieces)
        ((new, _),) = worker.terms([], [("가나다라연구원을 방문하여 협의함", "")])
    # Kiwi's dictionary only grows within a process (this one has analysed other tests'
    # names): the search side runs in a fresh one, as a new `kb search` would.
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as fresh:
        assert terms == fresh.submit(search_side_terms, sample_db_path, names, pieces).result()
    assert "가나다라연구원" in new.split()  # a name learnt once is kept whole


def search_side_terms(db_path, names, pieces):
    analyzer = KnowledgeBase(db_path).analyzer()
    analyzer.add_words(names)
    return [analyzer.chunk_terms(text, section) for text, section in pieces]


def test_reports_reading_errors_without_stopping(sample_db_path, tmp_path):
    bad = tmp_path / "bad.docx"
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    with FileWorker(sample_db_path) as worker:
        try:
            worker.understand(bad, bad.read_bytes())
            raise AssertionError("read a broken file")
        except ReadError as e:
            assert "corrupt" in str(e)
        assert worker.understand(REPORT_2019, REPORT_2019.read_bytes())[1].chunks
