"""Builders of hostile spreadsheet files for the tests (QUALITY R7). Every file is made here, at test time, from
the smallest valid OOXML package, so that each case changes exactly one thing."""

from __future__ import annotations

import zipfile
from pathlib import Path

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    f'<workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">'
    '<sheets><sheet name="企业年度数据" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
    'Target="sharedStrings.xml"/></Relationships>'
)


def sheet_xml(cells_xml: str, dimension: str | None = "A1", prolog: str = "") -> str:
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>{prolog}'
        f'<worksheet xmlns="{MAIN_NS}">{dim}<sheetData>{cells_xml}</sheetData></worksheet>'
    )


def sst_xml(strings: list[str], prolog: str = "") -> str:
    items = "".join(f"<si><t>{s}</t></si>" for s in strings)
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>{prolog}'
        f'<sst xmlns="{MAIN_NS}" count="{len(strings)}" uniqueCount="{len(strings)}">{items}</sst>'
    )


def write_package(
    path: Path,
    sheet: str,
    sst: str | None = None,
    extra: dict[str, bytes] | None = None,
    compression: int = zipfile.ZIP_DEFLATED,
) -> Path:
    """A minimal XLSX package; ``sheet`` and ``sst`` are the XML of the worksheet and the shared strings."""
    with zipfile.ZipFile(path, "w", compression) as zf:
        zf.writestr("[Content_Types].xml", CONTENT_TYPES)
        zf.writestr("_rels/.rels", ROOT_RELS)
        zf.writestr("xl/workbook.xml", WORKBOOK)
        zf.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        zf.writestr("xl/worksheets/sheet1.xml", sheet)
        zf.writestr("xl/sharedStrings.xml", sst if sst is not None else sst_xml([]))
        for name, data in (extra or {}).items():
            zf.writestr(name, data)
    return path


def inline_row(r: int, values: list[str]) -> str:
    cells = "".join(
        f'<c r="{_col(i)}{r}" t="inlineStr"><is><t>{v}</t></is></c>' for i, v in enumerate(values)
    )
    return f'<row r="{r}">{cells}</row>'


def _col(index: int) -> str:
    out = ""
    n = index + 1
    while n:
        n, rem = divmod(n - 1, 26)
        out = chr(65 + rem) + out
    return out


def far_cell(path: Path, ref: str = "XFD1048576", dimension: str | None = None) -> Path:
    """One cell at A1 and one at ``ref``: 2 KB on disk, a dense grid of 17 billion cells to a naive reader."""
    row = int("".join(c for c in ref if c.isdigit()))
    cells = f'<row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row><row r="{row}"><c r="{ref}"><v>1</v></c></row>'
    return write_package(path, sheet_xml(cells, dimension=dimension or f"A1:{ref}"))


def shared_string_bomb(path: Path, length: int = 1 << 20, uses: int = 2000) -> Path:
    """One shared string of ``length`` characters referenced by ``uses`` cells: ~13 KB, gigabytes when read."""
    rows = "".join(f'<row r="{r}"><c r="A{r}" t="s"><v>0</v></c></row>' for r in range(1, uses + 1))
    return write_package(path, sheet_xml(rows, dimension=f"A1:A{uses}"), sst_xml(["A" * length]))


def zip_bomb(path: Path, size: int = 1 << 30, cells: str = "", pad: bytes = b" ") -> Path:
    """A worksheet member that inflates to ``size`` bytes of padding after ``cells`` (~1 MB per GiB on disk)."""
    tmp = path.with_suffix(".part")
    head = sheet_xml("", dimension="A1").split("<sheetData>")[0] + "<sheetData>"
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for name, data in (
            ("[Content_Types].xml", CONTENT_TYPES),
            ("_rels/.rels", ROOT_RELS),
            ("xl/workbook.xml", WORKBOOK),
            ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS),
            ("xl/sharedStrings.xml", sst_xml([])),
        ):
            zf.writestr(name, data)
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
            fh.write((head + cells).encode())
            block = pad * ((1 << 20) // len(pad))
            for _ in range(size // len(block)):
                fh.write(block)
            fh.write(b"</sheetData></worksheet>")
    tmp.replace(path)
    return path


BILLION_LAUGHS = (
    '<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i > 1 else "&lol;" * 10}">'
        for i in range(1, 10)
    )
    + "]>"
)


def billion_laughs(path: Path, part: str = "sheet") -> Path:
    """The classic entity expansion: nine levels of ten references, 10^9 "lol"s from under 1 KB."""
    cell = '<row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row>'
    if part == "sheet":
        return write_package(path, sheet_xml(cell, prolog=BILLION_LAUGHS))
    return write_package(path, sheet_xml(inline_row(1, ["x"])), sst_xml(["&lol9;"], prolog=BILLION_LAUGHS))


def deeply_nested(path: Path, depth: int = 200_000) -> Path:
    """A worksheet whose only cell sits inside ``depth`` nested unknown elements."""
    inner = '<c r="A1" t="inlineStr"><is><t>x</t></is></c>'
    return write_package(path, sheet_xml(f'<row r="1">{"<x>" * depth}{inner}{"</x>" * depth}</row>'))


def many_members(path: Path, count: int = 5_000) -> Path:
    return write_package(
        path, sheet_xml(inline_row(1, ["x"])), extra={f"xl/media/p{i}.bin": b"" for i in range(count)}
    )


def truncated(path: Path, source: Path) -> Path:
    data = source.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def corrupted(path: Path, source: Path) -> Path:
    """The same package with the worksheet's compressed bytes flipped: the directory is intact, the data is not."""
    data = bytearray(source.read_bytes())
    at = data.find(b"xl/worksheets/sheet1.xml") + len("xl/worksheets/sheet1.xml")
    for i in range(at + 8, at + 40):
        data[i] ^= 0x5A
    path.write_bytes(bytes(data))
    return path


def lying_member_size(path: Path, rows: int = 2_000) -> Path:
    """A worksheet whose central-directory entry declares 100 bytes for a member that inflates to far more."""
    body = "".join(inline_row(r, ["x" * 50]) for r in range(1, rows + 1))
    write_package(path, sheet_xml(body, dimension="A1"))
    data = bytearray(path.read_bytes())
    name = b"xl/worksheets/sheet1.xml"
    cd = data.rfind(b"PK\x01\x02", 0, data.rfind(name))  # its central-directory entry
    data[cd + 24 : cd + 28] = (100).to_bytes(4, "little")  # uncompressed size
    path.write_bytes(bytes(data))
    return path


def random_text(n: int, seed: int = 1) -> str:
    """Text that does not compress (a shared-string bomb then trips the cell-length check, not the ratio)."""
    import random

    rng = random.Random(seed)
    return "".join(
        rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789") for _ in range(n)
    )
