"""QUALITY R7: hostile files never take the server down. Every file is built by the tests (hostile_files.py).

Each case is refused with its exact Chinese message (and, for a broken limit, the limit, its maximum and what the
file had), through the reader, through ``run_import`` (dry run and real), over HTTP as an official and through
``srdi import``; the database is unchanged and the server still answers. The reading child's death (a fault at a
named point; calamine aborting at the memory limit) is a clear error, not a dead server.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from srdi.enterprise.enums import ImportMode
from srdi.enterprise.importing.service import run_import
from srdi.enterprise.models import ImportJob
from srdi.enterprise.tabular import FileLimitExceeded, TabularError, UnsafeFile, read_table
from tests.enterprise import hostile_files as h
from tests.enterprise.import_files import TITLES, as_list, csv_text, row, snapshot, write_xlsx

BAD_XLSX = "无法读取该 Excel 文件（文件损坏、不完整或加密）"
DTD = "Excel 文件内部含有 XML 文档类型声明（DTD/实体），正常的工作簿不含这些内容，已拒绝读取（可能是“实体扩展炸弹”）"
UNSAFE = (
    "文件无法安全读取：读取该文件超出了内存或时间上限，或文件结构异常导致读取进程意外结束，本次未写入任何数据。"
    "请检查文件是否损坏，或在 Excel 中另存为新的 .xlsx 或 CSV 后再导入"
)


def _ok_xlsx(p: Path) -> Path:
    write_xlsx(p, [as_list(row(1))])
    return p


def _csv_bytes(p: Path, data: bytes) -> Path:
    p.write_bytes(data)
    return p


GOOD_CSV = csv_text([row(1), row(2)]).encode()
HEADER = ",".join(TITLES)

# (case, file name, builder, code, Chinese message, details)
CASES: list[tuple[str, str, Callable[[Path], Path], str, str, dict | None]] = [
    (
        "cell_at_XFD1048576", "far.xlsx", h.far_cell, "import_file_too_large",
        "工作表声明的范围（dimension）达到第 XFD 列（16,384 列），超过上限 256 列（第 IV 列），请删除多余的列",
        {"limit": "max_columns", "maximum": 256, "observed": 16384},
    ),
    (
        "dimension_lies_small", "lying_dim.xlsx", lambda p: h.far_cell(p, dimension="A1:B2"), "import_file_too_large",
        "工作表实际使用的范围达到第 XFD 列（16,384 列），超过上限 256 列（第 IV 列），请删除多余的列",
        {"limit": "max_columns", "maximum": 256, "observed": 16384},
    ),
    (
        "row_beyond_excel", "tall.xlsx", lambda p: h.far_cell(p, ref="A1048577", dimension="A1"),
        "import_file_too_large",
        "工作表实际使用的范围达到第 1,048,577 行，超过上限 1,048,576 行，请拆分后分批导入，或删除表格下方的空行和格式",
        {"limit": "max_rows", "maximum": 1048576, "observed": 1048577},
    ),
    (
        "shared_string_bomb_compressible", "sst.xlsx", h.shared_string_bomb, "import_file_too_large",
        "Excel 文件内部的“xl/sharedStrings.xml”压缩比为 884 倍，超过上限 200 倍（疑似“压缩炸弹”），已拒绝读取",
        {"limit": "max_ratio", "maximum": 200, "observed": 884},
    ),
    (
        "shared_string_1MiB_random", "sst_random.xlsx",
        lambda p: h.write_package(
            p, h.sheet_xml("".join(f'<row r="{r}"><c r="A{r}" t="s"><v>0</v></c></row>' for r in range(1, 2001))),
            h.sst_xml([h.random_text(1 << 20)]),
        ),
        "import_cell_too_long",
        "Excel 文件的第 1 个共享字符串长 1,048,592 字节，超过单元格文本上限 32,767 个字符",
        {"limit": "max_cell_chars", "maximum": 32767, "observed": 1048592},
    ),
    (
        "shared_string_used_20000_times", "sst_uses.xlsx",
        lambda p: h.write_package(
            p, h.sheet_xml("".join(f'<row r="{r}"><c r="A{r}" t="s"><v>0</v></c></row>' for r in range(1, 60_001))),
            h.sst_xml([h.random_text(20_000)]),
        ),
        "import_file_too_large",
        "工作表各单元格引用的文字共约 1,200,960,000 字节，超过上限 1,073,741,824 字节（同一长文本被大量单元格重复引用），已拒绝读取",
        {"limit": "max_text_bytes", "maximum": 1073741824, "observed": 1200960000},
    ),
    (
        "zip_bomb", "bomb.xlsx", lambda p: h.zip_bomb(p, 1 << 26), "import_file_too_large",
        "Excel 文件内部的“xl/worksheets/sheet1.xml”压缩比为 1,026 倍，超过上限 200 倍（疑似“压缩炸弹”），已拒绝读取",
        {"limit": "max_ratio", "maximum": 200, "observed": 1026},
    ),
    ("billion_laughs_in_sheet", "laughs.xlsx", h.billion_laughs, "import_bad_xlsx", DTD, None),
    ("billion_laughs_in_strings", "laughs2.xlsx", lambda p: h.billion_laughs(p, "sst"), "import_bad_xlsx", DTD, None),
    (
        "huge_member_count", "members.xlsx", h.many_members, "import_file_too_large",
        "Excel 文件包含 5,006 个内部文件，超过上限 1,000 个，不是正常的工作簿",
        {"limit": "max_members", "maximum": 1000, "observed": 5006},
    ),
    ("truncated_zip", "cut.xlsx", lambda p: h.truncated(p, _ok_xlsx(p.with_name("src1.xlsx"))), "import_bad_xlsx", BAD_XLSX, None),
    ("corrupt_zip_data", "flip.xlsx", lambda p: h.corrupted(p, _ok_xlsx(p.with_name("src2.xlsx"))), "import_bad_xlsx", BAD_XLSX, None),
    ("member_lies_about_its_size", "lies.xlsx", h.lying_member_size, "import_bad_xlsx", BAD_XLSX, None),
    (
        "xlsx_that_is_a_csv", "fake.xlsx", lambda p: _csv_bytes(p, GOOD_CSV), "import_bad_xlsx",
        "文件扩展名为 .xlsx，但内容不是有效的 Excel 文件", None,
    ),
    ("empty_file", "empty.csv", lambda p: _csv_bytes(p, b""), "import_empty_file", "文件为空", None),
    (
        "zero_row_sheet", "blank.xlsx", lambda p: h.write_package(p, h.sheet_xml("")), "import_empty_file",
        "工作表为空，没有表头和数据", None,
    ),
    (
        "csv_nul_byte", "nul.csv", lambda p: _csv_bytes(p, GOOD_CSV.replace("张三".encode(), b"\xe5\xbc\xa0\x00", 1)),
        "import_nul_byte",
        "CSV 第 2 行含有空字符（NUL，\\x00），文件可能已损坏或不是文本表格，请检查后再导入",
        {"line": 2},
    ),
    (
        "csv_100MB_without_line_break", "long.csv", lambda p: _csv_bytes(p, b"a" * 100_000_000),
        "import_file_too_large",
        "CSV 第 1 行附近的一行内容超过 1,048,576 个字符的上限（可能缺少换行或引号不配对）",
        {"limit": "max_record_chars", "maximum": 1048576, "observed": 1048577},
    ),
    (
        "csv_300_fields", "wide.csv", lambda p: _csv_bytes(p, (HEADER + ",x" * 274 + "\r\n").encode()),
        "import_file_too_large",
        "CSV 第 1 行有 300 列，超过上限 256 列",
        {"limit": "max_columns", "maximum": 256, "observed": 300},
    ),
    (
        "csv_cell_of_40000_characters", "cell.csv",
        lambda p: _csv_bytes(p, (HEADER + "\r\n" + '"' + "x" * 40_000 + '"' + ",1" * 25 + "\r\n").encode()),
        "import_cell_too_long",
        "CSV 第 2 行有单元格超过 32,767 个字符的上限（或引号不配对）",
        {"limit": "max_cell_chars", "maximum": 32767, "observed": 32768},
    ),
]  # fmt: skip
IDS = [c[0] for c in CASES]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("hostile")
    return {case: build(d / name) for case, name, build, *_ in CASES}


def _expected(case: str) -> tuple[str, str, dict | None]:
    _, _, _, code, zh, details = next(c for c in CASES if c[0] == case)
    return code, zh, details


@pytest.mark.parametrize("case", IDS)
def test_reader_refuses_each_hostile_file_with_its_chinese_message_and_limit(corpus, case):
    code, zh, details = _expected(case)
    with pytest.raises(TabularError) as err:
        table = read_table(corpus[case])
        list(table.rows)
    assert (err.value.code, err.value.message_zh, err.value.details) == (code, zh, details)
    assert isinstance(err.value, FileLimitExceeded) == bool(details and "limit" in details)


@pytest.mark.parametrize("dry_run", [True, False], ids=["dry_run", "real"])
@pytest.mark.parametrize("case", IDS)
def test_import_of_each_hostile_file_fails_cleanly_and_changes_nothing(db, corpus, case, dry_run):
    code, zh, details = _expected(case)
    before = snapshot(db)
    job, out = run_import(db, corpus[case], mode=ImportMode.valid_rows_only, dry_run=dry_run, actor="tester")
    assert (job.status, out.message, [e.message for e in out.errors]) == (
        "failed",
        f"文件无法导入：{zh}",
        [zh],
    )
    assert (job.report["file"]["error_code"], job.report["file"]["error_details"]) == (code, details)
    assert snapshot(db) == before


@pytest.fixture
def official(client_as):
    return client_as("district_official", region_code="440305")


@pytest.fixture
def _jobs_in_test_transaction(app, db):
    from contextlib import contextmanager

    from srdi.enterprise.importing.router import get_session_factory

    @contextmanager
    def factory():
        yield db
        db.flush()

    app.dependency_overrides[get_session_factory] = lambda: factory
    yield
    app.dependency_overrides.pop(get_session_factory, None)


API_CASES = [c for c in IDS if c not in ("xlsx_that_is_a_csv", "empty_file", "csv_100MB_without_line_break")]


@pytest.mark.usefixtures("_jobs_in_test_transaction")
@pytest.mark.parametrize("dry_run", [True, False], ids=["dry_run", "real"])
@pytest.mark.parametrize("case", API_CASES)
def test_hostile_upload_over_http_gets_a_chinese_error_and_the_server_still_answers(
    official, db, corpus, case, dry_run
):
    _, zh, details = _expected(case)
    path = corpus[case]
    before = snapshot(db)
    jobs_before = db.scalar(select(func.count()).select_from(ImportJob))
    r = official.post(
        "/api/v1/imports",
        files={"file": (path.name, path.read_bytes(), "application/octet-stream")},
        data={"mode": "valid_rows_only", "dry_run": str(dry_run).lower()},
    )
    assert r.status_code == 202, r.text
    job = official.get(f"/api/v1/imports/{r.json()['id']}").json()
    assert (job["status"], job["message"]) == ("failed", f"文件无法导入：{zh}")
    report = official.get(f"/api/v1/imports/{job['id']}/report").json()
    assert report["errors"] == [{"row": None, "column": None, "value": None, "message": zh}]
    assert report["file"]["error_details"] == details
    assert official.get("/api/v1/imports").status_code == 200  # the server is still up and answering
    assert snapshot(db) == before
    assert db.scalar(select(func.count()).select_from(ImportJob)) == jobs_before + 1


@pytest.mark.parametrize(("name", "data", "status", "message"), [
    ("fake.xlsx", GOOD_CSV, 415, "文件扩展名为 .xlsx，但内容不是有效的 Excel 文件"),
    ("empty.csv", b"", 415, "上传的文件为空"),
])  # fmt: skip
def test_files_refused_at_upload_get_a_chinese_error_and_no_job(official, db, name, data, status, message):
    jobs_before = db.scalar(select(func.count()).select_from(ImportJob))
    r = official.post("/api/v1/imports", files={"file": (name, data, "application/octet-stream")})
    assert (r.status_code, r.json()["message"]) == (status, message)
    assert db.scalar(select(func.count()).select_from(ImportJob)) == jobs_before


# --- the reading child dies ------------------------------------------------------------------------------------


def test_child_killed_at_a_named_point_gives_a_clear_error_and_writes_nothing(db, tmp_path, monkeypatch):
    path = tmp_path / "ok.csv"
    path.write_bytes(GOOD_CSV)
    before = snapshot(db)
    monkeypatch.setenv("SRDI_FAULT", "import.reader.before_parse")
    job, out = run_import(db, path, actor="tester")
    assert (job.status, out.message) == ("failed", f"文件无法导入：{UNSAFE}")
    assert job.report["file"]["error_code"] == "import_file_unsafe"
    assert job.report["file"]["error_details"]["exit"] == "exit code 86"
    assert snapshot(db) == before
    monkeypatch.delenv("SRDI_FAULT")
    job, out = run_import(db, path, actor="tester")  # the next import in the same server process works
    assert (job.status, out.total_rows) == ("succeeded", 2)


def test_calamine_aborting_at_the_memory_limit_only_ends_the_child(db, corpus, monkeypatch):
    """With the pre-checks opened wide, calamine tries its 512 GiB grid: the child aborts at RLIMIT_AS."""
    before = snapshot(db)
    for name, value in (
        ("MAX_COLUMNS", 16384),
        ("MAX_ROWS", 2_000_000),
        ("MAX_CELLS", 10**12),
        ("MEMORY_MB", 1024),
    ):
        monkeypatch.setenv(f"SRDI_IMPORT_{name}", str(value))
    with pytest.raises(UnsafeFile) as err:
        list(read_table(corpus["cell_at_XFD1048576"]).rows)
    assert err.value.details == {
        "memory_mb": 1024,
        "exit": "signal 6",
    }  # SIGABRT from Rust's allocation failure
    job, out = run_import(db, corpus["cell_at_XFD1048576"], dry_run=True, actor="tester")
    assert (job.status, out.message) == ("failed", f"文件无法导入：{UNSAFE}")
    assert snapshot(db) == before


def test_reading_child_inflates_and_parses_a_large_part_in_bounded_memory(tmp_path, monkeypatch):
    """A worksheet part of 64 MiB (the ratio check opened for the test) is inflated, scanned and parsed in
    segments: the child's peak resident memory stays near its start-up size plus the one text run calamine holds."""
    path = h.zip_bomb(tmp_path / "big.xlsx", 1 << 26, cells=h.inline_row(1, ["统一社会信用代码", "企业名称"]))
    monkeypatch.setenv("SRDI_IMPORT_MAX_RATIO", "100000")
    table = read_table(path)
    assert (table.headers, list(table.rows)) == (["统一社会信用代码", "企业名称"], [])
    assert table.child.max_rss_kb < 256 * 1024, table.child.max_rss_kb


def test_row_limit_is_configurable_and_names_the_limit(tmp_path, monkeypatch):
    monkeypatch.setenv("SRDI_IMPORT_MAX_ROWS", "3")
    path = tmp_path / "five.csv"
    path.write_bytes(csv_text([row(i) for i in range(1, 6)]).encode())
    with pytest.raises(FileLimitExceeded) as err:
        list(read_table(path).rows)
    assert (err.value.message_zh, err.value.details) == (
        "CSV 文件的数据行超过上限 3 行，请拆分后分批导入",
        {"limit": "max_rows", "maximum": 3, "observed": 4},
    )


def test_a_real_xlsx_saved_with_a_csv_name_is_read_as_xlsx(db, tmp_path):
    path = _ok_xlsx(tmp_path / "really_xlsx.csv")
    job, out = run_import(db, path, actor="tester")
    assert (job.status, job.file_format, out.total_rows) == ("succeeded", "xlsx", 1)


def test_merged_range_over_a_million_rows_is_clipped_to_the_used_rows(db, tmp_path):
    """A merge of A2:Z1048576 over two data rows reports two rows, not a million (nor a million-entry dict)."""
    import zipfile

    path = tmp_path / "merged.xlsx"
    write_xlsx(path, [as_list(row(1)), as_list(row(2))])
    with zipfile.ZipFile(path) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    parts["xl/worksheets/sheet1.xml"] = parts["xl/worksheets/sheet1.xml"].replace(
        b"</sheetData>", b'</sheetData><mergeCells count="1"><mergeCell ref="A2:Z1048576"/></mergeCells>'
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for n, data in parts.items():
            zf.writestr(n, data)
    table = read_table(path)
    assert [(m.ref, m.first_row, m.last_row) for m in table.merged] == [("A2:Z3", 2, 3)]
    table.close()


# --- number cells that must be refused per cell, never failing the job -----------------------------------------


def test_ambiguous_and_absurd_numbers_are_refused_per_cell_and_the_valid_rows_import(db, tmp_path):
    values = ["1.234,5", "1,23,4", "1e999999", "inf", "nan", "1,234.5", "1.234.567", "1e3"]  # 营业收入
    path = tmp_path / "numbers.csv"
    path.write_bytes(
        csv_text(
            [row(i + 1, operating_revenue=v, main_business_revenue="1000") for i, v in enumerate(values)]
        ).encode()
    )
    job, out = run_import(db, path, mode=ImportMode.valid_rows_only, actor="tester")
    col = "营业收入（万元）"
    assert [(e.row, e.column, e.value, e.message) for e in out.errors] == [
        (2, col, "1.234,5", "数字“1.234,5”的分隔符有歧义：千位分隔符“,”应每三位一个，小数点只能用“.”（如 1,234.5）"),
        (3, col, "1,23,4", "数字“1,23,4”的分隔符有歧义：千位分隔符“,”应每三位一个，小数点只能用“.”（如 1,234.5）"),
        (4, col, "1e999999", "数值过大（“1e999999”），请检查单位和数字"),
        (5, col, "inf", "应为有限的数字，实际为“inf”"),
        (6, col, "nan", "应为有限的数字，实际为“nan”"),
        (8, col, "1.234.567", "数字“1.234.567”含有多个“.”：小数点只能有一个，千位分隔符请用“,”或不写"),
    ]  # fmt: skip
    assert (job.status, out.valid_rows) == ("partially_succeeded", 2)
    revenue = db.execute(
        text("SELECT operating_revenue FROM yearly_figure ORDER BY operating_revenue")
    ).scalars()
    assert list(revenue) == [1_000_000_000, 1_234_500_000]  # 1e3 万元 and 1,234.5 万元 in 分


def test_infinite_and_huge_number_cells_in_xlsx_are_refused_per_cell(db, tmp_path):
    path = tmp_path / "inf.xlsx"
    r1, r2 = as_list(row(1)), as_list(row(2))
    write_xlsx(path, [r1, r2])
    import zipfile

    with zipfile.ZipFile(path) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"].decode()
    # openpyxl wrote the revenue of row 2 as the text "8600"; make it a number cell of 1e999 (inf as a double).
    at = sheet.index('r="H2"')
    start, end = sheet.rindex("<c ", 0, at), sheet.index("</c>", at) + 4
    sheet = sheet[:start] + '<c r="H2"><v>1e999</v></c>' + sheet[end:]
    parts["xl/worksheets/sheet1.xml"] = sheet.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for n, data in parts.items():
            zf.writestr(n, data)
    job, out = run_import(db, path, mode=ImportMode.valid_rows_only, actor="tester")
    assert [(e.row, e.column, e.message) for e in out.errors] == [
        (2, "营业收入（万元）", "应为有限的数字，实际为“inf”")
    ]
    assert (job.status, out.valid_rows) == ("partially_succeeded", 1)


# --- srdi import on the command line ---------------------------------------------------------------------------


CLI_CASES = [
    "cell_at_XFD1048576",
    "shared_string_1MiB_random",
    "zip_bomb",
    "billion_laughs_in_sheet",
    "csv_nul_byte",
]


@pytest.mark.parametrize("dry_run", [True, False], ids=["dry_run", "real"])
def test_cli_import_of_hostile_files_prints_the_chinese_error_and_changes_nothing(tmp_path, corpus, dry_run):
    from srdi.db.migrate import upgrade
    from srdi.db.session import make_engine

    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    engine = make_engine(url)
    with engine.begin() as conn:
        upgrade(conn)

    def counts() -> tuple[int, ...]:
        with engine.connect() as conn:
            return tuple(
                conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()
                for t in ("enterprise", "yearly_figure", "change_log")
            )

    before = counts()
    env = {**os.environ, "SRDI_DATABASE_URL": url, "SRDI_ENV": "test", "COLUMNS": "400"}
    for case in CLI_CASES:
        _, zh, _ = _expected(case)
        args = ["import", str(corpus[case]), *(["--dry-run"] if dry_run else [])]
        r = subprocess.run(
            [sys.executable, "-c", "from srdi.cli import main; main()", *args],
            env=env, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert r.returncode == 1, (case, r.stdout, r.stderr)
        assert f"文件无法导入：{zh}" in r.stdout.replace("\n", ""), (case, r.stdout)
    assert counts() == before
    with engine.connect() as conn:
        statuses = conn.execute(text("SELECT status FROM import_job ORDER BY id")).scalars().all()
    assert statuses == ["failed"] * len(CLI_CASES)
    engine.dispose()
