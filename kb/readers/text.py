"""Plain text and Markdown in UTF-8 (with or without BOM), UTF-16 with BOM, or CP949/EUC-KR."""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from kb.readers import Document, Reader, ReadError

BOMS = [
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16 LE: it starts with the same bytes
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
]
# Encodings a detector may name for Korean legacy text. Python's "euc-kr" rejects
# syllables outside KS X 1001 (such as 똠) that CP949 has, so all of them decode as CP949.
KOREAN_LEGACY = {"euc_kr", "euc-kr", "cp949", "uhc", "ks_c_5601-1987", "johab", "iso2022_kr"}


def decode(data: bytes) -> tuple[str, str]:
    """Return (text, encoding name) or raise ReadError for binary or undecodable data."""
    for bom, encoding in BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError as e:
                raise ReadError(
                    f"starts with a {encoding} byte-order mark but is not valid {encoding}: {e.reason} at byte {e.start}"
                ) from None
    if b"\x00" in data:
        raise ReadError("binary content (NUL bytes) - not a text file")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    guess = best.encoding.lower() if best else None
    if guess in KOREAN_LEGACY or guess is None or _looks_korean_cp949(data):
        try:
            return data.decode("cp949"), "cp949"
        except UnicodeDecodeError as e:
            if guess in KOREAN_LEGACY:
                raise ReadError(f"looks like CP949/EUC-KR but byte {e.start} is invalid") from None
    if best is None:
        raise ReadError("undecodable content: not UTF-8, UTF-16 with BOM or CP949 - is it a binary file?")
    text = str(best)
    bad = sum(1 for ch in text if ch == "\ufffd" or (ord(ch) < 32 and ch not in "\t\n\r\f"))
    if bad > max(2, len(text) // 100):
        raise ReadError(f"undecodable content (best guess {best.encoding} gives garbage) - is it a binary file?")
    return text, best.encoding


def _looks_korean_cp949(data: bytes) -> bool:
    """True when the bytes decode as CP949 into mostly Hangul, as Korean legacy files do."""
    try:
        text = data.decode("cp949")
    except UnicodeDecodeError:
        return False
    letters = [ch for ch in text if ch.isalpha()]
    hangul = sum(1 for ch in letters if "\uac00" <= ch <= "\ud7a3")
    return bool(letters) and hangul / len(letters) >= 0.3


def sniff(data: bytes) -> bool:
    head = data[:4096]
    return any(head.startswith(bom) for bom, _ in BOMS) or b"\x00" not in head


def read(path: Path, data: bytes) -> Document:
    text, encoding = decode(data)
    return Document(text=text, format="text", encoding=encoding)


_HTML_TABLE = re.compile(r"<table\b.*?</table\s*>", re.I | re.S)


def read_markdown(path: Path, data: bytes) -> Document:
    """Markdown as written; an HTML table inside it (converters write merged cells so) as
    the rows of cells an HTML page gives."""
    from kb.readers.html import table_rows

    text, encoding = decode(data)
    text = _HTML_TABLE.sub(lambda m: "\n".join(table_rows(m.group(0))), text)
    return Document(text=text, format="markdown", encoding=encoding)


READER = Reader("text", (".txt", ".text", ""), sniff, read)
MARKDOWN_READER = Reader("markdown", (".md", ".markdown"), sniff, read_markdown)
