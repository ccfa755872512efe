"""srdi.kit.file_store: types by content, content-hashed storage, keys never become arbitrary paths."""

from __future__ import annotations

import hashlib

import pytest

from srdi.kit.file_store import FileStore, InvalidKey, sniff_type

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 16
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 16


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (PDF, "application/pdf"),
        (PNG, "image/png"),
        (JPEG, "image/jpeg"),
        (b"MZ\x90\x00 windows executable", None),
        (b"<html><script>alert(1)</script>", None),
        (b"PK\x03\x04 a zip or docx", None),
        (b" %PDF-1.7 with a leading space", None),
        (b"", None),
    ],
    ids=["pdf", "png", "jpeg", "exe", "html", "zip", "pdf-not-at-start", "empty"],
)
def test_sniff_type_reads_the_leading_bytes(data: bytes, expected: str | None) -> None:
    assert sniff_type(data) == expected


def test_save_keeps_one_copy_under_the_sha256_and_reads_it_back(tmp_path) -> None:
    store = FileStore(tmp_path / "files")
    key = store.save(PDF)
    assert key == hashlib.sha256(PDF).hexdigest()
    assert store.path(key) == tmp_path / "files" / key[:2] / key[2:4] / key
    assert store.save(PDF) == key
    assert store.read(key) == PDF
    assert [p.name for p in (tmp_path / "files").rglob("*") if p.is_file()] == [key]


@pytest.mark.parametrize("key", ["../../etc/passwd", "A" * 64, "0" * 63, "", "0" * 64 + "/x"])
def test_a_key_that_is_not_a_sha256_never_becomes_a_path(tmp_path, key: str) -> None:
    with pytest.raises(InvalidKey):
        FileStore(tmp_path).path(key)


def test_opening_a_missing_file_says_so(tmp_path) -> None:
    with pytest.raises(FileNotFoundError):
        FileStore(tmp_path).open("0" * 64)
