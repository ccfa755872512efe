"""Reading uploaded tables: CSV (UTF-8, UTF-8 with BOM, GB18030, UTF-16 with BOM) and XLSX.

The reader only turns bytes into rows of cells numbered as the user sees them in a spreadsheet (the header is
row 1). It does not judge the cells; :mod:`srdi.enterprise.importing` does. What a spreadsheet can hide —
formulas and merged cells — is surfaced here so that the importer can reject those cells by name.

The server process never parses an upload: :func:`read_table` starts :mod:`srdi.enterprise.sandbox_reader` in a
child process with a memory and CPU limit, which checks the file against :class:`ReadLimits` before and while it
parses, and streams the rows back. A child that dies takes only itself down (decision 0009). XLSX is parsed with
calamine (Rust) because openpyxl needs ~23 s for 100,000 rows × 26 columns on the reference machine, which alone
would spend the 30 s budget of QUALITY P5; calamine reads the same file in ~3 s.
"""

from __future__ import annotations

import codecs
import dataclasses
import io
import json
import logging
import os
import pickle
import select
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from srdi.enterprise.sandbox_reader import (
    FRAME,
    PREFERRED_SHEET,
    Formula,
    ReadLimits,
    RowUnpickler,
    col_letter,
)
from srdi.kit.errors import ValidationFailed

__all__ = ["PREFERRED_SHEET", "Formula", "ReadLimits", "Table", "TabularError", "col_letter", "read_table"]

log = logging.getLogger("srdi.import")


class TabularError(ValidationFailed):
    """The file as a whole cannot be read: no row-level report is possible."""

    code = "import_file_unreadable"


@dataclass(frozen=True)
class MergedRange:
    ref: str  # e.g. "A2:A4"
    first_row: int
    last_row: int
    first_col: int  # 0-based
    last_col: int


@dataclass
class Table:
    format: Literal["csv", "xlsx"]
    encoding: str | None
    headers: list[object]
    rows: Iterator[tuple[int, list[object]]]
    size_bytes: int
    sheet: str | None = None
    merged: list[MergedRange] = field(default_factory=list)
    total_rows: int | None = None  # for the progress bar: the last used row (XLSX), the line count (CSV)
    header_row: int = 1
    closer: Callable[[], None] | None = None
    child: Any = None  # the reading child, for its figures (peak RSS) once the rows are read

    def close(self) -> None:
        """End the reading child (idempotent); exhausting ``rows`` does the same."""
        if self.closer is not None:
            self.closer()


def sniff_format(head: bytes, filename: str) -> Literal["csv", "xlsx"]:
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise TabularError(
            "不支持旧版 Excel（.xls）文件，请在 Excel 中另存为 .xlsx 或 CSV 后再导入",
            "legacy .xls (OLE2) files are not supported",
            code="import_unsupported_type",
        )
    if head.startswith(b"%PDF") or head[:4] in (b"\x89PNG", b"\xff\xd8\xff\xe0", b"\xff\xd8\xff\xe1"):
        raise TabularError(
            "文件类型不支持，请上传 .xlsx 或 .csv 文件", "not a table file", code="import_unsupported_type"
        )
    if b"\x00" in head and not head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise TabularError(
            "文件类型不支持（不是文本表格），请上传 .xlsx 或 .csv 文件",
            "binary file that is neither xlsx nor csv",
            code="import_unsupported_type",
        )
    suffix = Path(filename).suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        raise TabularError(
            "文件扩展名为 .xlsx，但内容不是有效的 Excel 文件",
            "xlsx extension but not a zip",
            code="import_bad_xlsx",
        )
    return "csv"


def read_table(path: Path, filename: str | None = None, limits: ReadLimits | None = None) -> Table:
    """The table in ``path``, read by a sandboxed child process (:mod:`srdi.enterprise.sandbox_reader`).

    The rows stream from the child while the caller consumes them; close the table (or exhaust its rows) to end
    the child. Any refusal or failure of the child is raised as a :class:`TabularError` — at this call or while
    iterating the rows — before the caller has written anything.
    """
    path = Path(path)
    size = path.stat().st_size
    if size == 0:
        raise TabularError("文件为空", "empty file", code="import_empty_file")
    with path.open("rb") as fh:
        head = fh.read(8)
    fmt = sniff_format(head, filename or path.name)
    child = _Child(path, fmt, limits or ReadLimits.from_env())
    try:
        return _table(child, fmt, size)
    except BaseException:
        child.close()
        raise


class UnsafeFile(TabularError):
    """The reading child died (memory limit, signal, abort) or overran its time: the file cannot be read safely."""

    code = "import_file_unsafe"


class FileLimitExceeded(TabularError):
    """The file breaks one of the documented limits; ``details`` names the limit, the maximum and what was seen."""

    code = "import_file_too_large"


_MAX_FRAME = 256 << 20


class _Child:
    """One reading child: the request on its stdin, frames on its stdout, its stderr in a temporary file."""

    def __init__(self, path: Path, fmt: str, limits: ReadLimits):
        self.limits = limits
        self.max_rss_kb: int | None = None
        self._err = tempfile.TemporaryFile(prefix="srdi_reader_")  # noqa: SIM115 — closed in close()
        self._started = time.monotonic()
        # No preexec_fn (unsafe in a threaded server): the child sets its own limits before it opens the file.
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "srdi.enterprise.sandbox_reader"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._err,
            bufsize=0,
            close_fds=True,
        )
        assert self.proc.stdin is not None and self.proc.stdout is not None
        request = {"path": str(path), "format": fmt, "limits": dataclasses.asdict(limits)}
        try:
            self.proc.stdin.write(json.dumps(request).encode())
            self.proc.stdin.close()
        except OSError:
            pass  # the child died at start: reported at the first frame
        self._fd = self.proc.stdout.fileno()
        _widen_pipe(self._fd)
        self._poll = select.poll()
        self._poll.register(self._fd, select.POLLIN)
        self.closed = False

    def frame(self) -> tuple[bytes, bytes]:
        head = self._read(FRAME.size)
        if head is None:
            raise self._died()
        kind, length = FRAME.unpack(head)
        if length > _MAX_FRAME:
            raise self._died(f"frame of {length} bytes")
        payload = self._read(length) if length else b""
        if payload is None:
            raise self._died()
        if kind == b"E":
            err = json.loads(payload)
            cls = FileLimitExceeded if (err.get("details") or {}).get("limit") else TabularError
            raise cls(err["zh"], err["en"], code=err["code"], details=err.get("details"))
        if kind == b"X":
            raise self._died(json.loads(payload).get("why", ""))
        return kind, payload

    def _read(self, n: int) -> bytes | None:
        buf = bytearray()
        idle = self.limits.idle_seconds
        while len(buf) < n:
            # poll, not select: a busy server may hold more than FD_SETSIZE (1,024) descriptors.
            if not self._poll.poll(idle * 1000):
                self.close()
                seconds = idle
                raise UnsafeFile(
                    f"文件无法安全读取：读取超时（超过 {seconds} 秒没有进展），本次未写入任何数据。"
                    "请检查文件是否损坏，或另存为 CSV 后再导入",
                    f"reader child idle for {seconds} s",
                    details={"limit": "idle_seconds", "maximum": seconds},
                )
            got = os.read(self._fd, min(n - len(buf), 1 << 20))
            if not got:
                return None
            buf += got
        return bytes(buf)

    def _died(self, why: str = "") -> UnsafeFile:
        tail: list[str] = []
        if not self.closed:
            if self.proc.poll() is None:
                self.proc.kill()
            self.proc.wait()
            self._err.seek(0, os.SEEK_END)
            self._err.seek(max(0, self._err.tell() - 2000))
            tail = self._err.read().decode("utf-8", "replace").strip().splitlines()[-3:]
        self.close()
        rc = self.proc.returncode
        how = f"signal {-rc}" if rc is not None and rc < 0 else f"exit code {rc}"
        log.warning("import reader child ended without an answer (%s) %s %s", how, why, " | ".join(tail))
        return UnsafeFile(
            "文件无法安全读取：读取该文件超出了内存或时间上限，或文件结构异常导致读取进程意外结束，本次未写入任何数据。"
            "请检查文件是否损坏，或在 Excel 中另存为新的 .xlsx 或 CSV 后再导入",
            f"reader child ended without an answer ({how}) {why}".strip(),
            details={"memory_mb": self.limits.memory_mb, "exit": how},
        )

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        if self.proc.stdout is not None:
            self.proc.stdout.close()
        self._err.close()

    def rows(self) -> Iterator[tuple[int, list[object]]]:
        try:
            while True:
                kind, payload = self.frame()
                if kind == b"R":
                    try:
                        chunk = RowUnpickler(io.BytesIO(payload)).load()
                    except (pickle.UnpicklingError, EOFError, ValueError, TypeError) as exc:
                        raise self._died(f"bad rows frame: {exc}") from exc
                    yield from chunk
                elif kind == b"Z":
                    self.max_rss_kb = json.loads(payload).get("max_rss_kb")
                    log.info(
                        "import reader child done in %.1f s, peak RSS %s KiB",
                        time.monotonic() - self._started, self.max_rss_kb,
                    )  # fmt: skip
                    return
                else:
                    raise self._died(f"unexpected frame {kind!r}")
        finally:
            self.close()


def _widen_pipe(fd: int) -> None:
    """A 1 MiB pipe holds a whole chunk of rows: the child writes it and goes on parsing while this process
    validates. With Linux's default 64 KiB every chunk is 20 hand-overs between the two processes, each a wait for
    the scheduler — measured at 7× the in-process time for a million-row CSV on the loaded 2-core machine."""
    try:
        import fcntl

        fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, 1 << 20)
    except (ImportError, AttributeError, OSError):  # not Linux, or above /proc/sys/fs/pipe-max-size
        pass


def _table(child: _Child, fmt: Literal["csv", "xlsx"], size: int) -> Table:
    kind, payload = child.frame()
    if kind != b"M":
        raise child._died(f"expected meta, got {kind!r}")
    meta = json.loads(payload)
    rows = child.rows()
    if fmt == "csv":
        try:
            _, headers = next(rows)
        except StopIteration:
            raise TabularError(
                "文件第1行（表头）为空", "empty header line", code="import_no_header"
            ) from None
        return Table(
            format="csv",
            encoding=meta["encoding"],
            headers=list(headers),
            rows=rows,
            size_bytes=size,
            total_rows=meta.get("total_rows"),
            closer=child.close,
            child=child,
        )
    # Leading empty rows are skipped (the child does not send them): the header is the first row with content —
    # or, when a title row sits above it (common in forms from government systems), the first of the next rows
    # that names the USCC column.
    from srdi.enterprise.io_columns import match_column

    head: list[tuple[int, list[object]]] = []
    for item in rows:
        head.append(item)
        if item[0] >= head[0][0] + 9:
            break
    if not head:
        raise TabularError("工作表为空，没有表头和数据", "empty worksheet", code="import_empty_file")
    at = 0
    for i, (_, cells) in enumerate(head):
        if any(
            isinstance(v, str) and (c := match_column(v)[0]) is not None and c.key == "uscc" for v in cells
        ):
            at = i
            break
    header_row, headers = head[at]
    merged = [
        MergedRange(
            ref=f"{col_letter(c0)}{r0}:{col_letter(c1)}{r1}",
            first_row=r0,
            last_row=r1,
            first_col=c0,
            last_col=c1,
        )
        for r0, c0, r1, c1 in meta["merged"]
    ]

    def all_rows() -> Iterator[tuple[int, list[object]]]:
        yield from head[at + 1 :]
        yield from rows

    return Table(
        format="xlsx",
        encoding=None,
        headers=list(headers),
        rows=all_rows(),
        size_bytes=size,
        sheet=meta["sheet"],
        merged=merged,
        total_rows=max(int(meta.get("last_row") or 0) - header_row, 0),
        header_row=header_row,
        closer=child.close,
        child=child,
    )
