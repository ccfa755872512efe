"""Uploaded files kept by content: type sniffed from the bytes, stored once under their SHA-256 (QUALITY S6).

Shared by every domain that accepts documents (appeal attachments; evidence of applications). The store knows
nothing of who may read a file — callers check entitlement and keep the metadata (original name, uploader) in their
own tables, referring to the file by its key. A file's type is decided by its leading bytes, never by the name or
the Content-Type the client sent: a script renamed ``scan.pdf`` is not a PDF.

Layout: ``<root>/<k[0:2]>/<k[2:4]>/<k>``. Saving is atomic (a temporary file in the same directory, then
``os.replace``), so a reader never sees half a file, and saving the same bytes twice keeps one copy.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

# (media type, leading bytes). PNG's 8-byte signature (RFC 2083 §3.1); JPEG's SOI + marker (ITU T.81 B.1.1.2);
# PDF's header "%PDF-" (ISO 32000-1 §7.5.2).
_SIGNATURES: tuple[tuple[str, bytes], ...] = (
    ("application/pdf", b"%PDF-"),
    ("image/png", b"\x89PNG\r\n\x1a\n"),
    ("image/jpeg", b"\xff\xd8\xff"),
)

EXTENSIONS = {"application/pdf": ".pdf", "image/png": ".png", "image/jpeg": ".jpg"}

_KEY = re.compile(r"^[0-9a-f]{64}$")


def sniff_type(data: bytes) -> str | None:
    """The media type the leading bytes show (PDF, PNG or JPEG), or None for anything else."""
    for media_type, magic in _SIGNATURES:
        if data.startswith(magic):
            # A PDF's header may follow up to 1024 bytes of junk in lax readers; we accept only a clean start.
            return media_type
    return None


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class InvalidKey(ValueError):
    """A key that is not 64 lower-case hex digits (never joined to a path)."""


class FileStore:
    """Files under ``root``, addressed by the SHA-256 of their content."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)

    def path(self, key: str) -> Path:
        if not _KEY.fullmatch(key):
            raise InvalidKey(key)
        return self.root / key[:2] / key[2:4] / key

    def save(self, data: bytes) -> str:
        """Store ``data`` (once) and return its key."""
        key = sha256_hex(data)
        target = self.path(key)
        if target.exists() and target.stat().st_size == len(data):
            # Saved again: the file is young again, so an orphan sweep (remove_unreferenced) gives the new
            # reference the same grace period as a first upload.
            os.utime(target)
            return key
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".part-", dir=target.parent)
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return key

    def exists(self, key: str) -> bool:
        return self.path(key).is_file()

    def open(self, key: str) -> BinaryIO:
        """The stored file for reading (FileNotFoundError when it is gone)."""
        return self.path(key).open("rb")

    def read(self, key: str) -> bytes:
        with self.open(key) as f:
            return f.read()

    def stored_before(self, cutoff: float) -> Iterator[tuple[str, Path]]:
        """(key, path) of every stored file last saved before ``cutoff`` (a POSIX timestamp), and the paths of
        temporary ``.part-`` files left by a save that died, older than the cutoff too (key ``""``)."""
        if not self.root.is_dir():
            return
        for path in self.root.glob("*/*/*"):
            try:
                if path.stat().st_mtime >= cutoff:
                    continue
            except FileNotFoundError:
                continue
            if path.name.startswith(".part-"):
                yield "", path
            elif _KEY.fullmatch(path.name):
                yield path.name, path

    def remove_if_older(self, path: Path, cutoff: float) -> bool:
        """Delete ``path`` unless it was saved again since ``cutoff`` (checked just before the unlink)."""
        try:
            if path.stat().st_mtime >= cutoff:
                return False
            path.unlink()
        except FileNotFoundError:
            return False
        return True
