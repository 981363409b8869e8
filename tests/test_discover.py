"""Discovery on folders as users' disks hold them: odd file kinds, loops, odd names."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from kb.discover import discover, show, stored_name
from kb.ingest import ingest

from conftest import REPORT_2019


def _names(found) -> list[str]:
    return [Path(f.name).name for f in found]


def test_only_regular_files_are_read(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_text("보고서", encoding="utf-8")
    os.mkfifo(folder / "pipe.txt")
    (folder / "loop.txt").symlink_to(folder / "loop2.txt")
    (folder / "loop2.txt").symlink_to(folder / "loop.txt")
    (folder / "dangling.txt").symlink_to(folder / "nothing.txt")
    (folder / "alias.txt").symlink_to(folder / "good.txt")  # the same file twice: read once
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(folder / "sock.txt"))
    try:
        found, skipped = discover([folder])
    finally:
        sock.close()
    assert _names(found) == ["alias.txt"]
    reasons = {Path(s.name).name: s.reason for s in skipped}
    assert "FIFO" in reasons["pipe.txt"]
    assert "loop" in reasons["loop.txt"] and "loop" in reasons["loop2.txt"]
    assert "broken symbolic link" in reasons["dangling.txt"]
    assert "socket" in reasons["sock.txt"]
    assert not any(s.missing for s in skipped)


def test_a_fifo_does_not_hang_ingest(tmp_path):
    """A FIFO nobody writes to would block read_bytes() forever; even named on the
    command line it is skipped at once."""
    folder = tmp_path / "in"
    folder.mkdir()
    os.mkfifo(folder / "pipe.txt")
    (folder / "good.txt").write_bytes(REPORT_2019.read_bytes())
    result: list = []
    t = threading.Thread(
        target=lambda: result.append(ingest([folder, folder / "pipe.txt"], tmp_path / "kb.db", embed=False))
    )
    t.daemon = True
    t.start()
    t.join(timeout=120)
    assert not t.is_alive(), "ingest hangs on a FIFO"
    summary = result[0]
    assert summary.counts["added"] == 1 and summary.counts["skipped"] == 1 and not summary.failed


def test_a_symlink_loop_does_not_stop_the_run(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").symlink_to(folder / "b.txt")
    (folder / "b.txt").symlink_to(folder / "a.txt")
    (folder / "good.txt").write_bytes(REPORT_2019.read_bytes())
    out = subprocess.run(
        [sys.executable, "-m", "kb.cli", "ingest", str(folder), "--db", str(tmp_path / "kb.db"), "--no-embed"],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert "Traceback" not in out.stderr
    assert "1 added" in out.stdout and "2 skipped" in out.stdout
    assert "symbolic link loop" in out.stdout


def test_names_in_cp949_are_ingested_and_shown_decoded(tmp_path):
    """A Windows zip's names arrive as CP949 bytes, not UTF-8."""
    folder = tmp_path / "in"
    folder.mkdir()
    raw = "충칭_결과보고서.txt".encode("cp949")
    with open(os.path.join(os.fsencode(folder), raw), "wb") as f:
        f.write(REPORT_2019.read_bytes())
    summary = ingest([folder], tmp_path / "kb.db", embed=False)
    assert summary.counts["added"] == 1, summary.to_dict()
    assert summary.files[0].path.endswith("충칭_결과보고서.txt")
    # ingesting again finds it unchanged under the same name
    assert ingest([folder], tmp_path / "kb.db", embed=False).counts["unchanged"] == 1


def test_show_decodes_utf8_then_cp949_then_replaces():
    assert show(Path("보고서.txt")) == "보고서.txt"
    assert show(Path(os.fsdecode("보고서.txt".encode("cp949")))) == "보고서.txt"
    assert show(Path(os.fsdecode(b"\xff\xfe.txt"))) == "\ufffd\ufffd.txt"


def test_stored_names_are_never_absolute(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    inside = tmp_path / "data" / "r.txt"
    assert stored_name(inside, tmp_path / "data") == "data/r.txt"  # under the working directory
    elsewhere = Path("/somewhere/else/reports/2019/r.txt")
    assert stored_name(elsewhere, Path("/somewhere/else/reports")) == "reports/2019/r.txt"
    assert stored_name(elsewhere) == "r.txt"


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every folder")
def test_an_unreadable_folder_is_named(tmp_path):
    folder = tmp_path / "in"
    (folder / "locked").mkdir(parents=True)
    (folder / "good.txt").write_text("보고서", encoding="utf-8")
    os.chmod(folder / "locked", 0)
    try:
        found, skipped = discover([folder])
    finally:
        os.chmod(folder / "locked", 0o755)
    assert _names(found) == ["good.txt"]
    assert "folder cannot be read" in skipped[0].reason
