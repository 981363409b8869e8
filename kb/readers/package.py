"""Zip packages (HWPX, DOCX) from untrusted files: guarded member reads and XML parsing.

A zip's declared sizes can lie and a few kilobytes can inflate to gigabytes (a zip
bomb), so sizes and ratios are checked before anything is read, every read is capped,
and XML with a DOCTYPE (entity expansion) is refused: OWPML and OOXML never use one.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from xml.etree import ElementTree

from kb.readers import ReadError

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
MAX_MEMBERS = 10_000
MAX_TOTAL = 256 * 1024 * 1024  # uncompressed bytes a package may declare (photos included)
MAX_READ = 64 * 1024 * 1024  # uncompressed bytes read from it: the XML of ~2,000 pages
MAX_RATIO = 100  # uncompressed / compressed; XML compresses ~10-20x, bombs ~1000x
RATIO_FLOOR = 1024 * 1024  # small members may have any ratio (a run of spaces)


class Package:
    """An opened zip package that reads at most MAX_READ bytes in all."""

    def __init__(self, data: bytes, kind: str):
        self.kind = kind
        self.budget = MAX_READ
        if not data.startswith(ZIP_MAGIC):
            raise ReadError(f"not a {kind} file: it is not a zip package")
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(data))
            infos = self.zip.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, NotImplementedError) as e:
            raise ReadError(f"truncated or corrupt {kind} file: its zip directory cannot be read ({e})") from None
        if len(infos) > MAX_MEMBERS:
            raise ReadError(f"suspected zip bomb: {len(infos)} members in one {kind} package")
        declared = sum(i.file_size for i in infos)
        if declared > MAX_TOTAL:
            raise ReadError(f"suspected zip bomb: members declare {declared} bytes uncompressed (limit {MAX_TOTAL})")
        self.names = [i.filename for i in infos]

    def read(self, name: str) -> bytes:
        """A member's bytes, never more than it declares or than the budget left."""
        try:
            info = self.zip.getinfo(name)
        except KeyError:
            raise ReadError(f"corrupt {self.kind} file: {name} is missing") from None
        if info.flag_bits & 0x1:
            raise ReadError(f"encrypted (password-protected) {self.kind} file: {name} is encrypted")
        # Only members that are read are checked: a large, plain image may compress well.
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise ReadError(f"suspected zip bomb: {name} inflates {info.compress_size} bytes to {info.file_size} bytes")
        limit = min(info.file_size, self.budget)
        try:
            with self.zip.open(info) as f:
                out = f.read(limit + 1)
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError, NotImplementedError, RuntimeError) as e:
            raise ReadError(f"truncated or corrupt {self.kind} file: {name} cannot be unpacked ({e})") from None
        if len(out) > limit:
            if limit == self.budget:
                raise ReadError(f"the {self.kind} file's text parts unpack to more than {MAX_READ:,} bytes: too large")
            raise ReadError(f"suspected zip bomb: {name} gives more bytes than it declares")
        self.budget -= len(out)
        return out

    def xml(self, name: str) -> ElementTree.Element:
        return parse_xml(self.read(name), f"{name} in the {self.kind} file")


def parse_xml(data: bytes, what: str) -> ElementTree.Element:
    """Parse XML that must not declare a DTD (no entity expansion, no external entities)."""
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise ReadError(f"{what} declares a DTD, which these formats never do: refused as unsafe")
    try:
        return ElementTree.fromstring(data)
    except ElementTree.ParseError as e:
        raise ReadError(f"corrupt XML in {what}: {e}") from None


def zip_names(data: bytes) -> list[str]:
    """The member names of a zip, or [] when it is not a readable zip (for sniffing)."""
    if not data.startswith(ZIP_MAGIC):
        return []
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            return z.namelist()
    except Exception:  # sniffing must never fail
        return []


def ole_refusal(data: bytes, kind: str) -> str | None:
    """Why an OLE compound file given as a zip-based format cannot be read, if it is one."""
    if not data.startswith(OLE_MAGIC):
        return None
    head = data[: 1024 * 1024]
    if "EncryptedPackage".encode("utf-16-le") in head:
        return f"a password-protected (encrypted) {kind} file: remove the password and save it again"
    if "WordDocument".encode("utf-16-le") in head:
        return "a legacy Word 97-2003 .doc file (OLE), not .docx: open it in Word and save it as .docx"
    if "FileHeader".encode("utf-16-le") in head:
        return "an HWP 5 (binary) file, not a zip package"
    return f"an OLE compound file (legacy Office format), not a {kind} zip package"
