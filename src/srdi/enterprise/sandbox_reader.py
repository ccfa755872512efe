"""Reading an uploaded table in a child process whose failure cannot take the server down (QUALITY R7).

The server never parses an upload itself. :func:`srdi.enterprise.tabular.read_table` starts this module as a
child (``python -m srdi.enterprise.sandbox_reader``) which, before it lets any parser near the file:

* sets its own limits: address space (``RLIMIT_AS``), CPU seconds, no core file, a small file-size limit;
* for XLSX, inspects the zip (member count and central-directory size from the end record, before
  :mod:`zipfile` builds one object per member; each member's declared and *actual* inflated size, streamed with
  a cap; the total; the compression ratio), refuses any DTD (so no entity can expand), and scans the worksheet
  and the shared strings for what a reader will allocate: the used rows and columns (a declared ``<dimension>``
  is checked but never trusted), the shared strings' count and size, and the text the cells will materialise;
* for CSV, reads with bounded records, fields, field length and row count, and refuses NUL characters.

Only then does it parse (calamine for XLSX, :mod:`csv` for CSV), checking the same limits again while reading,
and streams the rows to the parent in pickled chunks of a few thousand rows over a pipe. The parent unpickles
with a whitelist (:class:`RowUnpickler`): datetimes and :class:`Formula`, nothing else.

A refusal is a JSON frame (code, Chinese and English message, the limit and the observed value); any other end of
the child — a Rust abort at the memory limit, a signal, a timeout — is reported by the parent as a file that
cannot be read safely. This module imports the standard library only, so that the child starts fast; the parent
side is in :mod:`srdi.enterprise.tabular`. Design and the limits: docs/decisions/0009-bounded-spreadsheet-reading.md.
"""

from __future__ import annotations

import codecs
import csv
import dataclasses
import io
import itertools
import json
import os
import pickle
import re
import struct
import sys
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, ClassVar, NoReturn

PREFERRED_SHEET = "企业年度数据"
FRAME = struct.Struct("<cI")
ROWS_PER_CHUNK = 2_000  # ~650 KB pickled for 26 columns: one chunk fits the 1 MiB pipe (tabular._widen_pipe)
CHARS_PER_CHUNK = 256 * 1024  # and a chunk of long cells is sent early, so that no frame grows large
EXCEL_MAX_ROWS = 1_048_576
EXCEL_MAX_COLUMNS = 16_384
_CHUNK = 1 << 20
_XML_SUFFIXES = (".xml", ".rels", ".vml")


@dataclass(frozen=True)
class Formula:
    """A cell holding a formula; its cached result is deliberately not trusted."""

    ref: str


@dataclass(frozen=True)
class ReadLimits:
    """What one upload may cost. Defaults fit the product (decision 0009); ``SRDI_IMPORT_<NAME>`` overrides any."""

    max_rows: int = 1_100_000  # data rows: above the 1,000,000 of QUALITY P5, and Excel's own 1,048,576
    max_columns: int = 256  # the template has 26; 256 (column IV) leaves room for a user's own notes
    max_cells: int = 32_000_000  # rows × columns as a reader lays the grid out densely (~1 GiB in calamine)
    max_cell_chars: int = 32_767  # Excel's own limit for the text of one cell
    max_members: int = 1_000  # an XLSX from Excel or WPS has 10–40 parts; images and charts add a few each
    max_central_directory: int = 1 << 20
    max_member_bytes: int = 2 << 30  # one worksheet of 1,048,576 rows × 26 columns inflates to ~1.4 GB
    max_total_bytes: int = 3 << 30
    max_ratio: int = 200  # inflated/compressed; worksheets measure 10–20×, a zip bomb 1,000×
    ratio_floor: int = 1 << 20  # members smaller than this inflate as they like (empty styles compress 100×)
    max_shared_strings: int = 5_000_000
    max_shared_string_bytes: int = 512 << 20
    max_text_bytes: int = 1 << 30  # text the cells of the sheet materialise (a shared string once per use)
    max_formulas: int = 100_000
    max_merged: int = 10_000
    max_merged_cells: int = 100_000  # merged cells in the data are refused row by row; this many is no table
    max_record_chars: int = 1 << 20  # one CSV record (a 26-column row is ~300 characters)
    memory_mb: int = 4_096  # the child's address space (RLIMIT_AS), not its resident memory
    cpu_seconds: int = 900
    idle_seconds: int = 600  # the parent's wait for the child's next message

    @classmethod
    def from_env(cls, **overrides: int) -> ReadLimits:
        values: dict[str, int] = {}
        for f in dataclasses.fields(cls):
            raw = os.environ.get(f"SRDI_IMPORT_{f.name.upper()}")
            if raw and raw.strip().isdigit():
                values[f.name] = int(raw)
        values.update(overrides)
        return cls(**values)


class Refusal(Exception):
    """The file breaks a limit or is malformed: sent to the parent as a structured refusal."""

    def __init__(self, code: str, zh: str, en: str, **details: Any):
        super().__init__(en)
        self.code, self.zh, self.en, self.details = code, zh, en, details or None


def _limit(
    name: str, zh: str, en: str, maximum: int, observed: int, code: str = "import_file_too_large"
) -> Refusal:
    return Refusal(code, zh, en, limit=name, maximum=maximum, observed=observed)


def _n(v: int) -> str:
    return f"{v:,}"


def col_letter(index: int) -> str:
    out = ""
    n = index + 1
    while n:
        n, rem = divmod(n - 1, 26)
        out = chr(65 + rem) + out
    return out


def col_index(letters: str | bytes) -> int:
    n = 0
    for ch in letters.upper() if isinstance(letters, str) else letters.decode("ascii").upper():
        n = n * 26 + ord(ch) - 64
    return n - 1


# --- the child's own limits ----------------------------------------------------------------------------------


def apply_rlimits(limits: ReadLimits) -> None:
    import resource

    mem = limits.memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (mem, mem))
    resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds + 5))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_FSIZE, (16 << 20, 16 << 20))  # stderr only: the child writes no file


# --- XLSX: the zip -------------------------------------------------------------------------------------------

_EOCD = b"PK\x05\x06"
_EOCD64_LOCATOR = b"PK\x06\x07"


def inspect_zip_directory(path: Path, limits: ReadLimits) -> None:
    """Member count and central-directory size from the end records, before zipfile reads the directory."""
    size = path.stat().st_size
    with path.open("rb") as fh:
        fh.seek(max(0, size - (65_535 + 22 + 20)))
        tail = fh.read()
        at = tail.rfind(_EOCD)
        if at < 0 or len(tail) - at < 22:
            raise _corrupt("no end-of-central-directory record")
        entries, cd_size = struct.unpack("<HI", tail[at + 10 : at + 16])
        loc = tail.rfind(_EOCD64_LOCATOR, 0, at)
        if loc >= 0 and at - loc == 20:
            (eocd64_at,) = struct.unpack("<Q", tail[loc + 8 : loc + 16])
            if eocd64_at > size - 56:
                raise _corrupt("zip64 end record outside the file")
            fh.seek(eocd64_at)
            rec = fh.read(56)
            if rec[:4] != b"PK\x06\x06":
                raise _corrupt("bad zip64 end record")
            entries, cd_size = struct.unpack("<QQ", rec[32:48])
    if entries > limits.max_members:
        raise _limit(
            "max_members",
            f"Excel 文件包含 {_n(entries)} 个内部文件，超过上限 {_n(limits.max_members)} 个，不是正常的工作簿",
            f"zip has {entries} members, limit {limits.max_members}",
            limits.max_members,
            entries,
        )
    if cd_size > limits.max_central_directory:
        raise _limit(
            "max_central_directory",
            f"Excel 文件的目录区有 {_n(cd_size)} 字节，超过上限 {_n(limits.max_central_directory)} 字节，不是正常的工作簿",
            f"zip central directory {cd_size} bytes, limit {limits.max_central_directory}",
            limits.max_central_directory,
            cd_size,
        )


def _corrupt(why: str) -> Refusal:
    return Refusal(
        "import_bad_xlsx", "无法读取该 Excel 文件（文件损坏、不完整或加密）", f"unreadable xlsx: {why}"
    )


def check_declared_sizes(zf: zipfile.ZipFile, limits: ReadLimits) -> None:
    infos = zf.infolist()
    if len(infos) > limits.max_members:
        raise _limit(
            "max_members",
            f"Excel 文件包含 {_n(len(infos))} 个内部文件，超过上限 {_n(limits.max_members)} 个，不是正常的工作簿",
            f"zip has {len(infos)} members",
            limits.max_members,
            len(infos),
        )
    total = 0
    for info in infos:
        if info.flag_bits & 0x1:
            raise Refusal(
                "import_bad_xlsx", "Excel 文件已加密，请取消密码保护后再导入", "encrypted xlsx member"
            )
        _check_member_size(info.filename, info.file_size, info.compress_size, limits)
        total += info.file_size
    _check_total(total, limits)


def _check_member_size(name: str, inflated: int, compressed: int, limits: ReadLimits) -> None:
    if inflated > limits.max_member_bytes:
        raise _limit(
            "max_member_bytes",
            f"Excel 文件内部的“{name}”解压后超过 {_n(limits.max_member_bytes)} 字节的上限（{_n(inflated)} 字节），请拆分后分批导入",
            f"member {name} inflates to {inflated} bytes",
            limits.max_member_bytes,
            inflated,
        )
    if inflated > limits.ratio_floor and inflated > limits.max_ratio * max(compressed, 1):
        ratio = inflated // max(compressed, 1)
        raise _limit(
            "max_ratio",
            f"Excel 文件内部的“{name}”压缩比为 {_n(ratio)} 倍，超过上限 {limits.max_ratio} 倍（疑似“压缩炸弹”），已拒绝读取",
            f"member {name} compression ratio {ratio}",
            limits.max_ratio,
            ratio,
        )


def _check_total(total: int, limits: ReadLimits) -> None:
    if total > limits.max_total_bytes:
        raise _limit(
            "max_total_bytes",
            f"Excel 文件解压后共 {_n(total)} 字节，超过上限 {_n(limits.max_total_bytes)} 字节，请拆分后分批导入",
            f"xlsx inflates to {total} bytes",
            limits.max_total_bytes,
            total,
        )


class _Budget:
    """Inflated bytes actually read, across members: the declared sizes may lie."""

    def __init__(self, limits: ReadLimits):
        self.limits = limits
        self.total = 0


def stream_member(
    zf: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    budget: _Budget,
    cut: Callable[[bytes], int] | None = None,
) -> Iterator[bytes]:
    """The member's inflated bytes in segments, each ending where ``cut`` says (after a complete element), with the
    actual size, ratio and total capped as they are read, and any DTD refused."""
    limits = budget.limits
    is_xml = info.filename.lower().endswith(_XML_SUFFIXES)
    seen = 0
    carry = bytearray()
    tail = b""
    first = True
    try:
        with zf.open(info) as fh:
            while chunk := fh.read(_CHUNK):
                seen += len(chunk)
                budget.total += len(chunk)
                _check_member_size(info.filename, seen, info.compress_size, limits)
                _check_total(budget.total, limits)
                if is_xml:
                    if first:
                        _check_xml_start(info.filename, chunk)
                        first = False
                    probe = tail + chunk
                    if b"<!" in probe and (b"<!DOCTYPE" in probe or b"<!ENTITY" in probe):
                        raise _dtd(info.filename)
                    tail = chunk[-16:]
                if cut is None:
                    yield chunk
                    continue
                # Only the new chunk is searched for a cut, and the carry grows in place: no quadratic copying
                # when a hostile part has no element end for megabytes.
                at = cut(chunk)
                if at <= 0 and len(carry) + len(chunk) < 16 * _CHUNK:
                    carry += chunk
                    continue
                if at <= 0:
                    at = chunk.rfind(b">") + 1 or len(chunk)
                carry += chunk[:at]
                yield bytes(carry)
                carry = bytearray(chunk[at:])
            if cut is not None and carry:
                yield bytes(carry)
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        zlib.error,
        EOFError,
        OSError,
        ValueError,
        NotImplementedError,
    ) as exc:
        # zipfile checks the CRC and the declared size at the end: a member that lies about either ends here.
        raise _corrupt(f"{info.filename}: {exc}") from exc


def _check_xml_start(name: str, head: bytes) -> None:
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or head[:4] in (
        b"<\x00?\x00",
        b"\x00<\x00?",
    ):
        raise Refusal(
            "import_bad_xlsx",
            "Excel 文件内部使用了不支持的 UTF-16 编码 XML，请在 Excel 中另存为 .xlsx 后再导入",
            f"utf-16 xml member {name}",
        )


def _dtd(name: str) -> Refusal:
    return Refusal(
        "import_bad_xlsx",
        "Excel 文件内部含有 XML 文档类型声明（DTD/实体），正常的工作簿不含这些内容，已拒绝读取（可能是“实体扩展炸弹”）",
        f"xml member {name} declares a DTD",
    )


# --- XLSX: workbook parts (tiny XML, parsed with expat and no DTD) --------------------------------------------


def _small_xml(zf: zipfile.ZipFile, name: str, budget: _Budget) -> list[tuple[str, dict[str, str]]]:
    """Every element's local name and attributes (local names) of a small part; a DTD is refused by expat too."""
    import pyexpat

    try:
        info = zf.getinfo(name)
    except KeyError:
        return []
    if info.file_size > 16 << 20:
        raise _limit(
            "workbook_part",
            f"Excel 文件内部的“{name}”异常庞大（{_n(info.file_size)} 字节），不是正常的工作簿",
            f"{name} is {info.file_size} bytes",
            16 << 20,
            info.file_size,
        )
    out: list[tuple[str, dict[str, str]]] = []
    parser = pyexpat.ParserCreate()

    def start(tag: str, attrs: dict[str, str]) -> None:
        out.append((tag.rpartition(":")[2], {k.rpartition(":")[2]: v for k, v in attrs.items()}))
        if len(out) > 200_000:
            raise _limit(
                "workbook_part",
                f"Excel 文件内部的“{name}”元素过多",
                f"{name} has too many elements",
                200_000,
                len(out),
            )

    def doctype(*_: object) -> NoReturn:
        raise _dtd(name)

    parser.StartElementHandler = start
    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = doctype
    try:
        for seg in stream_member(zf, info, budget):
            parser.Parse(seg, False)
        parser.Parse(b"", True)
    except pyexpat.ExpatError as exc:
        raise _corrupt(f"{name}: {exc}") from exc
    return out


def _segment_cutter(end_tag: bytes) -> Callable[[bytes], int]:
    def cut(data: bytes) -> int:
        at = data.rfind(end_tag)
        return at + len(end_tag) if at >= 0 else 0

    return cut


def _member_of(target: str) -> str:
    member = target.lstrip("/") if target.startswith("/") else "xl/" + target
    return os.path.normpath(member).replace(os.sep, "/")


def choose_sheet(zf: zipfile.ZipFile, budget: _Budget) -> tuple[str, str | None, str | None]:
    """(sheet name, its part, the shared-strings part) — the preferred sheet, else the first one."""
    sheets = [a for tag, a in _small_xml(zf, "xl/workbook.xml", budget) if tag == "sheet"]
    if not sheets:
        raise _corrupt("no sheet in workbook.xml")
    chosen = next((s for s in sheets if s.get("name") == PREFERRED_SHEET), sheets[0])
    rels = [a for tag, a in _small_xml(zf, "xl/_rels/workbook.xml.rels", budget) if tag == "Relationship"]
    target = next((a.get("Target", "") for a in rels if a.get("Id") == chosen.get("id")), None)
    sst = next((a.get("Target", "") for a in rels if a.get("Type", "").endswith("/sharedStrings")), None)
    sst_member = (
        _member_of(sst)
        if sst
        else ("xl/sharedStrings.xml" if "xl/sharedStrings.xml" in zf.NameToInfo else None)
    )
    return chosen.get("name", ""), _member_of(target) if target else None, sst_member


# --- XLSX: what the worksheet and the shared strings will cost ------------------------------------------------

_ROOT_RE = re.compile(rb"<([A-Za-z_][\w.-]*:)?(worksheet|sst)[\s>]")
_DIM_RE_T = rb'<%sdimension\s+ref\s*=\s*["\']([A-Za-z]{1,4})(\d{1,9})(?::([A-Za-z]{1,4})(\d{1,9}))?'


@dataclass
class SheetScan:
    max_row: int = 0
    max_col: int = -1
    cells: int = 0
    formulas: set[tuple[int, int]] = dataclasses.field(default_factory=set)
    merged: list[tuple[int, int, int, int]] = dataclasses.field(
        default_factory=list
    )  # r0, c0, r1, c1 (1-based rows)
    text_bytes: int = 0
    declared: tuple[int, int] | None = None  # (rows, columns) of <dimension>


def _prefix(first: bytes) -> bytes:
    m = _ROOT_RE.search(first)
    return m.group(1) or b"" if m else b""


def scan_shared_strings(zf: zipfile.ZipFile, member: str | None, budget: _Budget) -> list[int]:
    """Byte length of each shared string item (markup included: an upper bound of its text)."""
    limits = budget.limits
    if member is None:
        return []
    try:
        info = zf.getinfo(member)
    except KeyError:
        return []
    lengths: list[int] = []
    total = 0
    pat: re.Pattern[bytes] | None = None
    per_item = 4 * limits.max_cell_chars + 4096
    for seg in stream_member(zf, info, budget, _segment_cutter(b"</si>")):
        if pat is None:
            pat = re.compile(rb"<%ssi(?=[\s/>])" % re.escape(_prefix(seg)))
        starts = [m.start() for m in pat.finditer(seg)]
        if not starts:
            continue
        starts.append(len(seg))
        for a, b in itertools.pairwise(starts):
            size = b - a
            if size > per_item:
                raise _limit(
                    "max_cell_chars",
                    f"Excel 文件的第 {_n(len(lengths) + 1)} 个共享字符串长 {_n(size)} 字节，超过单元格文本上限 {_n(limits.max_cell_chars)} 个字符",
                    f"shared string {len(lengths)} is {size} bytes",
                    limits.max_cell_chars,
                    size,
                    code="import_cell_too_long",
                )
            lengths.append(size)
        total += starts[-1] - starts[0]
        if len(lengths) > limits.max_shared_strings:
            raise _limit(
                "max_shared_strings",
                f"Excel 文件的共享字符串超过 {_n(limits.max_shared_strings)} 个的上限，请拆分后分批导入",
                f"more than {limits.max_shared_strings} shared strings",
                limits.max_shared_strings,
                len(lengths),
            )
        if total > limits.max_shared_string_bytes:
            raise _limit(
                "max_shared_string_bytes",
                f"Excel 文件的共享字符串超过 {_n(limits.max_shared_string_bytes)} 字节的上限，请拆分后分批导入",
                f"shared strings exceed {limits.max_shared_string_bytes} bytes",
                limits.max_shared_string_bytes,
                total,
            )
    return lengths


def _greater_than(n: int) -> bytes:
    """A regex for decimal numbers (no leading zero) greater than ``n``."""
    s = str(n)
    alts = [rb"[1-9]\d{%d,}" % len(s)]
    for i, ch in enumerate(s):
        d = int(ch)
        if d < 9:
            alts.append(
                re.escape(s[:i].encode())
                + b"[%d-9]" % (d + 1)
                + (rb"\d{%d}" % (len(s) - i - 1) if len(s) - i - 1 else b"")
            )
    return b"(?:" + b"|".join(alts) + b")"


def scan_sheet(zf: zipfile.ZipFile, member: str, sst_lengths: list[int], budget: _Budget) -> SheetScan:
    """The used area, formulas, merged ranges and materialised text, from the bytes — not from <dimension>.

    The fast path reads the canonical form every writer produces (``<c r="B7" ...>``) with C-speed searches. A file
    where any cell or row lacks its ``r`` attribute, or writes it another way, is scanned exactly with expat.
    """
    limits = budget.limits
    try:
        info = zf.getinfo(member)
    except KeyError as exc:
        raise _corrupt(f"missing worksheet {member}") from exc
    scan = SheetScan()
    pats: dict[str, re.Pattern[bytes]] = {}
    n_cell_tags = n_row_tags = n_r = n_s = 0
    s_index: Counter[bytes] = Counter()
    max_sst = max(sst_lengths, default=0)
    letters: set[bytes] = set()
    exact = False
    first = True
    for seg in stream_member(zf, info, budget, _segment_cutter(b"</c>")):
        if first:
            p = re.escape(_prefix(seg))
            pats = {
                "dim": re.compile(_DIM_RE_T % p),
                "row": re.compile(rb"<%srow r=\"(\d{1,9})\"" % p),
                "col": re.compile(rb' r="([A-Z]{1,3})\d'),
                "far": re.compile(rb' r="(?:[A-Za-z]{4,}|[A-Za-z]{1,3}\d{8,})'),
                "f": re.compile(rb'<%sc\s[^>]*?\br="([A-Z]{1,3})(\d{1,7})"[^>]*>\s*<%sf[\s>/]' % (p, p)),
                "s": re.compile(rb' t="s"[^>]*>\s*<%sv>(\d{1,10})</%sv>' % (p, p)),
                "merge": re.compile(
                    rb'<%smergeCell ref="([A-Z]{1,3})(\d{1,7})(?::([A-Z]{1,3})(\d{1,7}))?"' % p
                ),
            }
            prefix = _prefix(seg)
            tags: dict[str, tuple[bytes, ...]] = {
                "c": (b"<" + prefix + b"c ", b"<" + prefix + b"c>", b"<" + prefix + b"c/"),
                "row": (b"<" + prefix + b"row ", b"<" + prefix + b"row>", b"<" + prefix + b"row/"),
                "f": (b"<" + prefix + b"f ", b"<" + prefix + b"f>", b"<" + prefix + b"f/"),
                "merge": (b"<" + prefix + b"mergeCell ",),
            }
            m = pats["dim"].search(seg)
            if m:
                rows = max(int(m.group(2)), int(m.group(4) or 0))
                cols = max(col_index(m.group(1)), col_index(m.group(3) or b"A")) + 1
                scan.declared = (rows, cols)
                _check_area(rows, cols, limits, declared=True)
            first = False
        n_c = sum(seg.count(t) for t in tags["c"])
        n_cell_tags += n_c
        n_row_tags += sum(seg.count(t) for t in tags["row"])
        n_r += seg.count(b' r="')
        if pats["far"].search(seg):
            raise _beyond_excel()
        row_tags = pats["row"].findall(seg)
        if row_tags:
            scan.max_row = max(scan.max_row, max(map(int, row_tags)))
        # A cell may name a row beyond its own row element's: find any, then take the exact maximum.
        if n_c and re.search(rb' r="[A-Z]{1,3}' + _greater_than(scan.max_row) + b'"', seg):
            scan.max_row = max(scan.max_row, *(int(r) for r in re.findall(rb' r="[A-Z]{1,3}(\d{1,7})"', seg)))
        if n_c:
            letters.update(pats["col"].findall(seg))
        if any(seg.count(t) > 0 for t in tags["f"]):
            for cm in pats["f"].finditer(seg):
                scan.formulas.add((int(cm.group(2)), col_index(cm.group(1))))
            if len(scan.formulas) > limits.max_formulas:
                raise _limit(
                    "max_formulas",
                    f"工作表含有超过 {_n(limits.max_formulas)} 个公式单元格，请复制后“选择性粘贴为数值”再导入",
                    "too many formula cells",
                    limits.max_formulas,
                    len(scan.formulas),
                )
        s_here = seg.count(b' t="s"')
        if s_here:
            if not exact and (n_s + s_here) * max_sst > limits.max_text_bytes:
                exact = True  # the cheap bound is too coarse: count the uses of each string
                scan.text_bytes += n_s * max_sst  # the earlier segments keep the cheap bound
            n_s += s_here
            if exact:
                found = pats["s"].findall(seg)
                s_index.update(found)
                scan.text_bytes += (s_here - len(found)) * max_sst  # written another way: assume the longest
        n_merge = seg.count(tags["merge"][0])
        if n_merge:
            if len(scan.merged) + n_merge > limits.max_merged:
                raise _limit(
                    "max_merged",
                    f"工作表含有超过 {_n(limits.max_merged)} 个合并区域，请取消合并后再导入",
                    "too many merged ranges",
                    limits.max_merged,
                    len(scan.merged) + n_merge,
                )
            for a, r0, b, r1 in pats["merge"].findall(seg):
                scan.merged.append((int(r0), col_index(a), int(r1 or r0), col_index(b or a)))
    scan.cells = n_cell_tags
    if letters:
        scan.max_col = max(col_index(x) for x in letters)
    if n_r != n_cell_tags + n_row_tags:
        _exact_scan(zf, info, scan, budget)
    if exact:
        for idx, uses in s_index.items():
            i = int(idx)
            scan.text_bytes += uses * (sst_lengths[i] if i < len(sst_lengths) else max_sst)
    else:
        scan.text_bytes += n_s * max_sst
    rows, cols = scan.max_row, scan.max_col + 1
    _check_area(rows, cols, limits, declared=False)
    if scan.text_bytes > limits.max_text_bytes:
        raise _limit(
            "max_text_bytes",
            f"工作表各单元格引用的文字共约 {_n(scan.text_bytes)} 字节，超过上限 {_n(limits.max_text_bytes)} 字节（同一长文本被大量单元格重复引用），已拒绝读取",
            f"cells materialise {scan.text_bytes} bytes of text",
            limits.max_text_bytes,
            scan.text_bytes,
        )
    # Clipped to the used area: "A2:Z1048576" over three used rows is three rows of merged cells, not a million.
    scan.merged = [
        (r0, c0, min(r1, rows), min(c1, cols - 1))
        for r0, c0, r1, c1 in scan.merged
        if r0 <= rows and c0 < cols
    ]
    covered = sum((r1 - r0 + 1) * (c1 - c0 + 1) for r0, c0, r1, c1 in scan.merged)
    if covered > limits.max_merged_cells:
        raise _limit(
            "max_merged_cells",
            f"合并单元格共覆盖 {_n(covered)} 个单元格，超过上限 {_n(limits.max_merged_cells)} 个，请取消合并后再导入",
            f"merged ranges cover {covered} cells",
            limits.max_merged_cells,
            covered,
        )
    return scan


def _exact_scan(zf: zipfile.ZipFile, info: zipfile.ZipInfo, scan: SheetScan, budget: _Budget) -> None:
    """Cell positions as a reader computes them when ``r`` is missing or unusual: the slow, exact path."""
    import pyexpat

    limits = budget.limits
    state = {"row": 0, "col": -1}
    parser = pyexpat.ParserCreate(namespace_separator=" ")

    def start(tag: str, attrs: dict[str, str]) -> None:
        local = tag.rpartition(" ")[2]
        if local == "row":
            r = attrs.get("r")
            state["row"] = int(r) if r and r.isdigit() else state["row"] + 1
            state["col"] = -1
            scan.max_row = max(scan.max_row, state["row"])
        elif local == "c":
            ref = attrs.get("r")
            m = re.fullmatch(r"([A-Za-z]{1,4})(\d{1,9})", ref or "")
            if m:
                state["col"] = col_index(m.group(1))
                scan.max_row = max(scan.max_row, int(m.group(2)))
            else:
                state["col"] += 1
            scan.max_col = max(scan.max_col, state["col"])
            if scan.max_col >= EXCEL_MAX_COLUMNS or scan.max_row > EXCEL_MAX_ROWS:
                raise _beyond_excel()
            _check_area(scan.max_row, scan.max_col + 1, limits, declared=False)

    def doctype(*_: object) -> NoReturn:
        raise _dtd(info.filename)

    parser.StartElementHandler = start
    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = doctype
    try:
        for seg in stream_member(zf, info, budget):
            parser.Parse(seg, False)
        parser.Parse(b"", True)
    except pyexpat.ExpatError as exc:
        raise _corrupt(f"{info.filename}: {exc}") from exc


def _beyond_excel() -> Refusal:
    return Refusal(
        "import_file_too_large",
        f"工作表中有单元格超出 Excel 的最大范围（{_n(EXCEL_MAX_ROWS)} 行 × {_n(EXCEL_MAX_COLUMNS)} 列，即 XFD{EXCEL_MAX_ROWS}），文件不是正常的工作簿",
        "cell reference beyond XFD1048576",
        limit="excel_range",
        maximum=f"XFD{EXCEL_MAX_ROWS}",
        observed="beyond",
    )


def _check_area(rows: int, cols: int, limits: ReadLimits, *, declared: bool) -> None:
    what = "声明的范围（dimension）" if declared else "实际使用的范围"
    tag = "declared" if declared else "used"
    max_rows = min(limits.max_rows + 1, EXCEL_MAX_ROWS)  # + the header row
    if rows > max_rows:
        raise _limit(
            "max_rows",
            f"工作表{what}达到第 {_n(rows)} 行，超过上限 {_n(max_rows)} 行，请拆分后分批导入，或删除表格下方的空行和格式",
            f"{tag} range reaches row {rows}, limit {max_rows}",
            max_rows,
            rows,
        )
    if cols > limits.max_columns:
        raise _limit(
            "max_columns",
            f"工作表{what}达到第 {col_letter(cols - 1)} 列（{_n(cols)} 列），超过上限 {limits.max_columns} 列（第 {col_letter(limits.max_columns - 1)} 列），请删除多余的列",
            f"{tag} range reaches column {cols}, limit {limits.max_columns}",
            limits.max_columns,
            cols,
        )
    if rows * cols > limits.max_cells:
        raise _limit(
            "max_cells",
            f"工作表{what}为 {_n(rows)} 行 × {_n(cols)} 列，共 {_n(rows * cols)} 个单元格，超过上限 {_n(limits.max_cells)} 个，请拆分后分批导入",
            f"{tag} range {rows}x{cols} = {rows * cols} cells, limit {limits.max_cells}",
            limits.max_cells,
            rows * cols,
        )


# --- XLSX: reading -------------------------------------------------------------------------------------------


def read_xlsx(path: Path, limits: ReadLimits, out: IO[bytes]) -> None:
    inspect_zip_directory(path, limits)
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError) as exc:
        raise _corrupt(str(exc)) from exc
    budget = _Budget(limits)
    with zf:
        check_declared_sizes(zf, limits)
        sheet_name, member, sst_member = choose_sheet(zf, budget)
        # Every other part streamed once, so that its real size and CRC are known before the reader opens it.
        scanned = {member, sst_member, "xl/workbook.xml", "xl/_rels/workbook.xml.rels"}
        for info in zf.infolist():
            if info.filename not in scanned and not info.is_dir():
                for _ in stream_member(zf, info, budget):
                    pass
        sst = scan_shared_strings(zf, sst_member, budget)
        if member is None:
            raise _corrupt("sheet has no part")
        scan = scan_sheet(zf, member, sst, budget)
    del sst
    _send(out, b"M", json.dumps({"format": "xlsx", "encoding": None, "sheet": sheet_name,
                                 "merged": scan.merged, "last_row": scan.max_row}).encode())  # fmt: skip
    _fault("import.reader.before_parse")

    from python_calamine import CalamineWorkbook

    try:
        wb = CalamineWorkbook.from_path(str(path))
        sheet = wb.get_sheet_by_name(sheet_name)
    except Exception as exc:  # CalamineError, PanicException, ValueError...
        if isinstance(exc, MemoryError):
            raise
        raise _corrupt(f"calamine: {exc}") from exc
    _, start_col = sheet.start or (0, 0)
    # Checked again on what the reader built: the scan may have been fooled, the grid is what costs.
    _check_area(sheet.total_height, start_col + sheet.width, limits, declared=False)
    pad = [""] * start_col
    limit = limits.max_cell_chars
    formulas = scan.formulas
    chunk: list[tuple[int, list[object]]] = []
    chars = 0
    for i, raw in enumerate(sheet.iter_rows()):
        if not any(v != "" for v in raw):
            continue
        row_no = i + 1
        cells: list[object] = [*pad, *raw] if start_col else list(raw)
        for v in cells:
            if not isinstance(v, str):
                continue
            chars += len(v)
            if len(v) > limit:
                col = cells.index(v)
                raise _limit(
                    "max_cell_chars",
                    f"单元格 {col_letter(col)}{row_no} 的内容有 {_n(len(v))} 个字符，超过上限 {_n(limit)} 个字符",
                    f"cell {col_letter(col)}{row_no} has {len(v)} characters",
                    limit,
                    len(v),
                    code="import_cell_too_long",
                )
        if formulas:
            cells = [
                Formula(f"{col_letter(c)}{row_no}") if (row_no, c) in formulas else v
                for c, v in enumerate(cells)
            ]
        chunk.append((row_no, cells))
        if len(chunk) >= ROWS_PER_CHUNK or chars > CHARS_PER_CHUNK:
            _send_rows(out, chunk)
            chunk, chars = [], 0
    if chunk:
        _send_rows(out, chunk)


# --- CSV -------------------------------------------------------------------------------------------------------


def _bad_encoding() -> Refusal:
    return Refusal(
        "import_bad_encoding",
        "无法识别文件编码：文件既不是 UTF-8 也不是 GB18030（GBK）编码。请在 Excel 中另存为“CSV UTF-8”或 .xlsx 后再导入",
        "file is neither valid UTF-8 nor valid GB18030",
    )


def _decodes_as(path: Path, encoding: str, skip: int) -> int | None:
    """The number of line feeds if the whole file decodes strictly, else None."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    lines = 0
    last = b"\n"
    with path.open("rb") as fh:
        fh.seek(skip)
        try:
            while chunk := fh.read(_CHUNK):
                decoder.decode(chunk)
                lines += chunk.count(b"\n")
                last = chunk[-1:]
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return None
    return lines + (last != b"\n")


def detect_encoding(path: Path) -> tuple[str, int, int | None]:
    """(encoding, BOM bytes to skip, line count or None). Strict: a file that is not wholly valid is refused."""
    with path.open("rb") as fh:
        head = fh.read(4)
    if head.startswith(codecs.BOM_UTF8):
        if (n := _decodes_as(path, "utf-8", 3)) is None:
            raise _bad_encoding()
        return "utf-8-sig", 3, n
    for bom, enc in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if head.startswith(bom):
            if _decodes_as(path, enc, 2) is None:
                raise _bad_encoding()
            return enc, 2, None
    if (n := _decodes_as(path, "utf-8", 0)) is not None:
        return "utf-8", 0, n
    # Files exported by Chinese government systems and by Excel on Chinese Windows are usually GB18030 (GBK).
    if (n := _decodes_as(path, "gb18030", 0)) is not None:
        return "gb18030", 0, n
    raise _bad_encoding()


class _Lines:
    """Physical lines for csv.reader, each bounded, NUL refused, and the current record's size bounded."""

    def __init__(self, text: io.TextIOBase, limits: ReadLimits):
        self.text = text
        self.limit = limits.max_record_chars
        self.pending = 0
        self.line_no = 0

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        line = self.text.readline(self.limit + 1)
        if not line:
            raise StopIteration
        self.line_no += 1
        self.pending += len(line)
        if self.pending > self.limit:
            raise _limit(
                "max_record_chars",
                f"CSV 第 {_n(self.line_no)} 行附近的一行内容超过 {_n(self.limit)} 个字符的上限（可能缺少换行或引号不配对）",
                f"csv record near line {self.line_no} longer than {self.limit} characters",
                self.limit,
                self.pending,
            )
        if "\x00" in line:
            raise Refusal(
                "import_nul_byte",
                f"CSV 第 {_n(self.line_no)} 行含有空字符（NUL，\\x00），文件可能已损坏或不是文本表格，请检查后再导入",
                f"NUL character on line {self.line_no}",
                line=self.line_no,
            )
        return line


def read_csv(path: Path, limits: ReadLimits, out: IO[bytes]) -> None:
    encoding, skip, lines = detect_encoding(path)
    csv.field_size_limit(limits.max_cell_chars)
    with path.open("rb") as fh:
        fh.seek(skip)
        text = io.TextIOWrapper(fh, encoding=encoding.replace("-sig", ""), newline="")
        src = _Lines(text, limits)
        try:
            sample = next(src)
        except StopIteration:
            sample = ""
        if not sample.strip():
            raise Refusal("import_no_header", "文件第1行（表头）为空", "empty header line")
        delimiter = max((",", "\t", ";"), key=sample.count)

        def chained() -> Iterator[str]:
            yield sample
            yield from src

        reader = csv.reader(chained(), delimiter=delimiter)
        total = max(lines - 1, 0) if lines is not None else None
        _send(out, b"M", json.dumps({"format": "csv", "encoding": encoding, "sheet": None, "merged": [],
                                     "total_rows": total}).encode())  # fmt: skip
        _fault("import.reader.before_parse")
        chunk: list[tuple[int, list[object]]] = []
        max_cols = limits.max_columns
        max_rows = limits.max_rows
        record = chars = 0
        try:
            for record, cells in enumerate(reader, start=1):
                chars += src.pending
                src.pending = 0
                if len(cells) > max_cols:
                    raise _limit(
                        "max_columns",
                        f"CSV 第 {_n(record)} 行有 {_n(len(cells))} 列，超过上限 {max_cols} 列",
                        f"csv record {record} has {len(cells)} fields",
                        max_cols,
                        len(cells),
                    )
                if record > max_rows + 1:
                    raise _limit(
                        "max_rows",
                        f"CSV 文件的数据行超过上限 {_n(max_rows)} 行，请拆分后分批导入",
                        f"more than {max_rows} csv rows",
                        max_rows,
                        record - 1,
                    )
                # Record number = spreadsheet row number: a quoted cell with a line break is still one row.
                chunk.append((record, cells))  # type: ignore[arg-type]
                if len(chunk) >= ROWS_PER_CHUNK or chars > CHARS_PER_CHUNK:
                    _send_rows(out, chunk)
                    chunk, chars = [], 0
        except csv.Error as exc:
            if "field limit" in str(exc):
                raise _limit(
                    "max_cell_chars",
                    f"CSV 第 {_n(record + 1)} 行有单元格超过 {_n(limits.max_cell_chars)} 个字符的上限（或引号不配对）",
                    f"csv field larger than {limits.max_cell_chars} near record {record + 1}",
                    limits.max_cell_chars,
                    limits.max_cell_chars + 1,
                    code="import_cell_too_long",
                ) from exc
            raise Refusal(
                "import_bad_csv",
                f"CSV 格式错误（第 {src.line_no} 行附近）：引号不配对或字段过长",
                f"csv error near line {src.line_no}: {exc}",
            ) from exc
        if chunk:
            _send_rows(out, chunk)


# --- frames ----------------------------------------------------------------------------------------------------


def _send(out: IO[bytes], kind: bytes, payload: bytes) -> None:
    out.write(FRAME.pack(kind, len(payload)))
    out.write(payload)
    out.flush()


def _send_rows(out: IO[bytes], rows: list[tuple[int, list[object]]]) -> None:
    _send(out, b"R", pickle.dumps(rows, protocol=5))


def _fault(name: str) -> None:
    if os.environ.get("SRDI_FAULT"):
        from srdi.kit.faults import fault_point

        fault_point(name)


class RowUnpickler(pickle.Unpickler):
    """Rows from the child: lists, tuples, str, numbers, bool, None, datetimes and Formula — nothing callable."""

    _ALLOWED: ClassVar[set[tuple[str, str]]] = {
        ("datetime", "datetime"),
        ("datetime", "date"),
        ("datetime", "time"),
        ("datetime", "timedelta"),
        (__name__, "Formula"),
    }

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in self._ALLOWED:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"forbidden in rows: {module}.{name}")


def main() -> int:
    request = json.loads(sys.stdin.buffer.read(1 << 16))
    limits = ReadLimits(**request["limits"])
    apply_rlimits(limits)
    out = sys.stdout.buffer
    sys.stdout = sys.stderr  # a stray print must not corrupt the frames
    path = Path(request["path"])
    try:
        if request["format"] == "xlsx":
            read_xlsx(path, limits, out)
        else:
            read_csv(path, limits, out)
    except Refusal as r:
        _send(out, b"E", json.dumps({"code": r.code, "zh": r.zh, "en": r.en, "details": r.details}).encode())
        return 0
    except MemoryError:
        _send(out, b"X", json.dumps({"why": "MemoryError"}).encode())
        return 3
    except Exception as exc:
        import traceback

        traceback.print_exc()
        _send(out, b"X", json.dumps({"why": f"{exc.__class__.__name__}: {exc}"[:500]}).encode())
        return 4
    _send(out, b"Z", json.dumps({"max_rss_kb": peak_rss_kb()}).encode())
    return 0


def peak_rss_kb() -> int:
    """This process's peak resident memory since exec (VmHWM). ``ru_maxrss`` is not used: it survives exec and so
    may report the parent's size at the fork."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    import resource

    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


if __name__ == "__main__":
    # Run as the importable module, so that pickled classes name srdi.enterprise.sandbox_reader, not __main__.
    from srdi.enterprise import sandbox_reader

    sys.exit(sandbox_reader.main())
