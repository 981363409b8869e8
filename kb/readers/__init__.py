"""Format readers: turn a report file into clean text.

Every reader is one small module with a ``read(path, data) -> Document`` function and
a ``sniff(data) -> bool`` that recognises its content. :func:`read_document` chooses a
reader by content signature first and by file extension second, so a renamed file is
still read correctly and a mislabelled one is rejected with a clear reason.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from kb.errors import ReadError
from kb.textutil import clean_text


@dataclass
class Document:
    text: str  # NFC, control characters removed, "\n" line ends
    format: str  # "text", "markdown", ...
    encoding: str | None = None


@dataclass
class Reader:
    format: str
    extensions: tuple[str, ...]
    sniff: Callable[[bytes], bool]
    read: Callable[[Path, bytes], Document]


def _registry() -> list[Reader]:
    from kb.readers import docx, html, hwp, hwpx, pdf, text

    return [hwpx.READER, docx.READER, hwp.READER, pdf.READER, html.READER, text.READER, text.MARKDOWN_READER]


# The largest file kb reads (a report with its photos is 1-50 MB), and the most text
# it takes from one: 5 million characters is some 3,000 pages (a 10 MB text file), a
# real report 5-100 pages. Parsing is linear: ~0.3 MB/s here (bench/parse.py).
MAX_BYTES = 128 * 1024 * 1024
MAX_TEXT = 5_000_000


def supported_extensions() -> set[str]:
    return {ext for r in _registry() for ext in r.extensions}


def read_bytes(path: Path, limit: int = MAX_BYTES) -> bytes:
    """The file's bytes, or a ReadError saying why they cannot be had. Opened without
    waiting, so a FIFO put where a file was expected is refused instead of read forever."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except PermissionError:
        raise ReadError("permission denied: the file cannot be read") from None
    except OSError as e:
        raise ReadError(f"cannot read the file: {e.strerror or e}") from None
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode):
        os.close(fd)
        if stat.S_ISDIR(st.st_mode):
            raise ReadError("is a directory, not a file")
        raise ReadError("not a regular file (a FIFO, socket or device): not read")
    with os.fdopen(fd, "rb") as f:
        if st.st_size > limit:
            raise ReadError(f"file is too large ({st.st_size:,} bytes; the limit is {limit:,})")
        try:
            data = f.read(limit + 1)
        except OSError as e:
            raise ReadError(f"cannot read the file: {e.strerror or e}") from None
    if len(data) > limit:  # it grew while being read
        raise ReadError(f"file is too large (over {limit:,} bytes)")
    return data


def read_document(path: Path, data: bytes | None = None) -> Document:
    """Read ``path`` with the reader its content (or else its extension) calls for."""
    if data is None:
        data = read_bytes(path)
    readers = _registry()
    ext = path.suffix.lower()
    by_ext = [r for r in readers if ext in r.extensions]
    by_content = [r for r in readers if r.sniff(data)]
    # A file whose content belongs to a specific format is read as that format;
    # plain text has no signature, so its sniff only says "not binary".
    specific = [r for r in by_content if r.format not in ("text", "markdown")]
    if specific:
        reader = specific[0]
    elif by_ext:
        reader = by_ext[0]
    else:
        known = ", ".join(sorted(supported_extensions()))
        raise ReadError(f"unsupported file type {ext or '(no extension)'!r}; kb reads {known}")
    try:
        doc = reader.read(path, data)
    except ReadError:
        raise
    except RecursionError:
        raise ReadError(f"the {reader.format} file nests too deeply to read") from None
    except MemoryError:
        raise ReadError(f"the {reader.format} file needs more memory than is available") from None
    except Exception as e:  # a damaged file must fail with a reason, not a stray exception type
        raise ReadError(f"corrupt or unreadable {reader.format} file ({type(e).__name__}: {e})") from None
    if len(doc.text) > MAX_TEXT:  # checked before cleaning, which takes time in proportion
        raise ReadError(f"holds {len(doc.text):,} characters of text; the limit is {MAX_TEXT:,} (some 3,000 pages)")
    doc.text = clean_text(doc.text)
    if not doc.text.strip():
        raise ReadError("the file holds no text (it is empty or only whitespace)")
    return doc
