"""Find the report files to ingest, and the name each is stored under.

Folders come from users' disks and Windows zips: they may hold FIFOs (reading one
waits forever), sockets, devices, broken links and symbolic-link loops, and file names
in CP949 rather than UTF-8. Only regular files are read; everything else is skipped
with a named reason, and a name is decoded as the file system gives its bytes.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from kb.readers import supported_extensions


@dataclass
class Found:
    path: Path  # to open
    name: str  # as stored and shown: relative, decoded


@dataclass
class Skipped:
    name: str
    reason: str
    missing: bool = False  # named on the command line but not there: a failure, not a skip


def discover(paths: Iterable[Path]) -> tuple[list[Found], list[Skipped]]:
    """Files to ingest: named files as given, folders searched recursively for the
    formats kb reads (hidden files and folders skipped), each file once however many
    ways it is reached."""
    exts = supported_extensions() - {""}
    candidates: list[tuple[Path, Path | None]] = []  # (file, the folder it was found in)
    skipped: list[Skipped] = []
    for p in paths:
        if p.is_dir():
            for root, dirs, names in os.walk(p, onerror=lambda e: skipped.append(_unreadable(e))):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(names):
                    if not name.startswith(".") and Path(name).suffix.lower() in exts:
                        candidates.append((Path(root) / name, p))
        elif p.exists() or p.is_symlink():
            candidates.append((p, None))
        else:
            skipped.append(Skipped(show(p), "no such file or folder", missing=True))
    found: list[Found] = []
    seen: set[tuple[int, int]] = set()
    for path, folder in candidates:
        name = stored_name(path, folder)
        reason, key = _not_regular(path)
        if key is not None and key in seen:
            continue
        if key is not None:
            seen.add(key)
        if reason:
            skipped.append(Skipped(name, reason))
        else:
            found.append(Found(path, name))
    return found, skipped


def _unreadable(e: OSError) -> Skipped:
    return Skipped(show(Path(e.filename)), f"folder cannot be read: {e.strerror or e}")


def _not_regular(path: Path) -> tuple[str | None, tuple[int, int] | None]:
    """Why ``path`` is not a regular file to read (None if it is), and its identity
    (None when it has none to give)."""
    try:
        st = os.stat(path)  # follows links
    except OSError as e:
        if e.errno == errno.ELOOP:
            return "a symbolic link loop, not a file", None
        if path.is_symlink():
            return "a broken symbolic link (its target does not exist)", None
        return f"cannot be examined: {e.strerror or e}", None
    if stat.S_ISREG(st.st_mode):
        return None, (st.st_dev, st.st_ino)
    kinds = [
        (stat.S_ISFIFO, "a FIFO (named pipe)"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISCHR, "a device"),
        (stat.S_ISBLK, "a device"),
        (stat.S_ISDIR, "a folder"),
    ]
    what = next((name for test, name in kinds if test(st.st_mode)), "a special file")
    return f"{what}, not a regular file", (st.st_dev, st.st_ino)


def stored_name(path: Path, folder: Path | None = None) -> str:
    """The name a file is stored under: relative to the working directory when under
    it, else from the folder given to ingest (its own name included), else the file's
    name. Never an absolute path of the ingesting machine."""
    absolute = Path(os.path.abspath(path))  # not resolve(): keep a symlink's own name
    for base in (Path(os.path.abspath(Path.cwd())), Path(os.path.abspath(folder)).parent if folder else None):
        if base is not None:
            try:
                return show(absolute.relative_to(base))
            except ValueError:
                pass
    return show(Path(absolute.name))


def show(path: Path) -> str:
    """A path as text, its bytes decoded as UTF-8, else as CP949 (names from Windows
    zips), else with the undecodable bytes replaced."""
    raw = os.fsencode(path.as_posix() if isinstance(path, Path) else path)
    for encoding in ("utf-8", "cp949"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            pass
    return raw.decode("utf-8", "replace")
