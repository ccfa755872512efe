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


def zip_bomb(path: Path, size: int = 1 << 30) -> Path:
    """A worksheet member that inflates to ``size`` bytes of one padding character (~1 MB per GiB on disk)."""
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
            fh.write(head.encode())
            block = b" " * (1 << 20)
            for _ in range(size // len(block)):
                fh.write(block)
            fh.write(b"</sheetData></worksheet>")
    tmp.replace(path)
    return path
