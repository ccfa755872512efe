"""QUALITY R1: the malformed-input corpus. Every file is built here; each case asserts the exact row, column and
Chinese message, and that the database is unchanged or holds exactly the valid rows."""

from __future__ import annotations

import codecs
from datetime import date

import pytest
from sqlalchemy import select

from srdi.enterprise.enums import ImportMode
from srdi.enterprise.importing.service import run_import
from srdi.enterprise.models import ChangeLog, Enterprise, YearlyFigure
from srdi.kit.workdays import beijing_today
from tests.enterprise.import_files import (
    TITLES,
    as_list,
    bad_check,
    errors_of,
    make_uscc,
    row,
    snapshot,
    write_csv,
    write_xlsx,
)

AON = ImportMode.all_or_nothing
VALID_ONLY = ImportMode.valid_rows_only


def _import(db, path, mode=AON, dry_run=False, **kw):
    job, out = run_import(db, path, mode=mode, dry_run=dry_run, actor="tester", **kw)
    return job, out


# --- encodings ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("encoding", "detected"), [("gb18030", "gb18030"), ("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig")]
)
def test_csv_in_each_supported_encoding_imports_the_same_exact_values(db, tmp_path, encoding, detected):
    path = write_csv(tmp_path / "a.csv", [row(1)], encoding=encoding)
    job, out = _import(db, path)
    assert (job.status, job.encoding, out.errors) == ("succeeded", detected, [])
    ent = db.scalar(select(Enterprise).where(Enterprise.uscc == make_uscc(1)))
    assert ent.name == "深圳市测试科技有限公司001"
    assert ent.tags == ["重点培育"]
    assert ent.founded_date == date(2015, 3, 1)
    fig = db.scalar(select(YearlyFigure).where(YearlyFigure.enterprise_id == ent.id))
    assert (fig.operating_revenue, fig.rd_expense, fig.net_profit) == (
        8_600_000_000,
        650_500_000,
        -120_250_000,
    )
    assert (fig.employees, fig.rd_staff, fig.sources["operating_revenue"]) == (180, 36, "tax")
    assert ent.size_class == "small" and ent.size_class_year == 2025


def test_file_that_is_neither_utf8_nor_gb18030_is_refused_whole_and_db_unchanged(db, tmp_path):
    before = snapshot(db)
    good = "\r\n".join([",".join(TITLES), ",".join(str(v) for v in as_list(row(1)))]).encode("utf-8")
    (tmp_path / "bad.csv").write_bytes(good + b"\r\n\xff\xfe\xff," * 3)
    job, out = _import(db, tmp_path / "bad.csv", mode=VALID_ONLY)
    assert job.status == "failed"
    assert errors_of(out) == [
        (
            None,
            None,
            "无法识别文件编码：文件既不是 UTF-8 也不是 GB18030（GBK）编码。请在 Excel 中另存为“CSV UTF-8”或 .xlsx 后再导入",
        )
    ]
    assert snapshot(db) == before


def test_utf16_csv_saved_by_excel_as_unicode_text_is_read(db, tmp_path):
    text = "\t".join(TITLES) + "\r\n" + "\t".join(str(v) for v in as_list(row(1))) + "\r\n"
    (tmp_path / "u16.csv").write_bytes(codecs.BOM_UTF16_LE + text.encode("utf-16-le"))
    job, out = _import(db, tmp_path / "u16.csv")
    assert (job.status, job.encoding, out.total_rows) == ("succeeded", "utf-16-le", 1)


# --- headers -----------------------------------------------------------------------------------------------


def test_missing_required_columns_are_named_and_nothing_is_imported(db, tmp_path):
    keep = [k for k in row() if k not in ("region_code", "fiscal_year")]
    titles = [t for t, k in zip(TITLES, row(), strict=True) if k in keep]
    before = snapshot(db)
    job, out = _import(db, write_csv(tmp_path / "a.csv", [row(1)], titles=titles, keys=keep), mode=VALID_ONLY)
    assert job.status == "failed"
    assert errors_of(out) == [
        (1, "行政区划代码", "缺少必填列“行政区划代码”"),
        (1, "会计年度", "缺少必填列“会计年度”"),
    ]
    assert out.message == "表头有 2 处问题，文件未导入。请对照导入模板修改列名"
    assert snapshot(db) == before


def test_renamed_and_unknown_columns_are_fatal_with_a_hint(db, tmp_path):
    titles = list(TITLES)
    titles[TITLES.index("营业收入（万元）")] = "营业收入（千元）"
    titles[TITLES.index("研发人员（人）")] = "研发人数量"
    titles[TITLES.index("地址")] = "备注"
    before = snapshot(db)
    job, out = _import(db, write_csv(tmp_path / "a.csv", [row(1)], titles=titles), mode=VALID_ONLY)
    assert job.status == "failed"
    assert errors_of(out) == [
        (1, "营业收入（千元）", "列“营业收入（千元）”的单位“千元”无法识别，金额单位应为“万元”或“元”"),
        (1, "研发人数量", "无法识别的列“研发人数量”（第 Q 列），是否应为“研发人员（人）”？"),
        (1, "备注", "无法识别的列“备注”（第 Z 列）。可用的列名见导入模板"),
    ]
    assert snapshot(db) == before


def test_header_variants_and_a_yuan_column_are_accepted(db, tmp_path):
    titles = list(TITLES)
    titles[0] = "*统一社会信用代码"
    titles[TITLES.index("营业收入（万元）")] = "营业收入(元)"
    titles[TITLES.index("研发费用（万元）")] = "研发费用"
    titles[TITLES.index("从业人员（人）")] = "从业人员数"
    r = row(1, operating_revenue="86000000.55")
    job, out = _import(db, write_csv(tmp_path / "a.csv", [r], titles=titles))
    assert (job.status, out.errors) == ("succeeded", [])
    fig = db.scalar(select(YearlyFigure))
    assert (fig.operating_revenue, fig.rd_expense, fig.employees) == (8_600_000_055, 650_500_000, 180)


def test_duplicate_column_is_fatal(db, tmp_path):
    titles = [*TITLES, "营业收入"]
    keys = [*row().keys(), "operating_revenue"]
    _job, out = _import(db, write_csv(tmp_path / "a.csv", [row(1)], titles=titles, keys=keys))
    assert errors_of(out) == [(1, "营业收入", "列“营业收入”与列“营业收入（万元）”重复，同一项只能出现一次")]


# --- cells -------------------------------------------------------------------------------------------------


def test_bad_check_character_text_in_numbers_negative_and_absurd_values_each_named(db, tmp_path):
    rows = [
        row(1),
        row(2, uscc=bad_check(make_uscc(2))),
        row(3, operating_revenue="八千六百", employees="约180"),
        row(4, rd_expense="-5", total_assets="100000001"),
        row(5, employees="-3", fiscal_year="2031", founded_date="2015/02/30"),
        row(6, rd_expense="650.1234567", net_profit="1e3"),
    ]
    before = snapshot(db)
    job, out = _import(db, write_csv(tmp_path / "a.csv", rows, encoding="gb18030"))
    assert job.status == "rejected"
    this_year = beijing_today().year
    assert errors_of(out) == [
        (3, "统一社会信用代码", "统一社会信用代码校验位错误（GB 32100-2015）"),
        (4, "营业收入（万元）", "应为数字，实际为“八千六百”"),
        (4, "从业人员（人）", "应为数字，实际为“约180”"),
        (5, "研发费用（万元）", "不能为负数"),
        (5, "资产总额（万元）", "数值过大（超过 1 亿万元，即 1 万亿元），请检查单位是否应为万元"),
        (6, "成立日期", "日期不存在：2015/02/30"),
        (6, "会计年度", f"会计年度应在 1949–{this_year} 之间"),
        (6, "从业人员（人）", "不能为负数"),
        (7, "研发费用（万元）", "金额最多精确到分（以万元为单位时最多 6 位小数），不会自动四舍五入"),
    ]
    assert (out.total_rows, out.valid_rows, out.error_rows) == (6, 1, 5)
    assert out.message == "共 6 行，其中 5 行有错误。按“全部成功才导入”方式，本次未写入任何数据"
    assert snapshot(db) == before


def test_cross_field_sanity_main_revenue_and_rd_staff(db, tmp_path):
    rows = [row(1, main_business_revenue="8600.01", rd_staff="181"), row(2, fiscal_year="2014")]
    _job, out = _import(db, write_csv(tmp_path / "a.csv", rows), mode=VALID_ONLY)
    assert errors_of(out) == [
        (2, "主营业务收入（万元）", "主营业务收入不能大于营业收入"),
        (2, "研发人员（人）", "研发人员不能多于从业人员"),
        (3, "会计年度", "会计年度 2014 早于成立日期 2015-03-01"),
    ]
    assert db.scalar(select(Enterprise).where(Enterprise.uscc == make_uscc(1))) is None


def test_duplicate_uscc_and_year_rejects_every_row_of_the_group(db, tmp_path):
    rows = [row(1), row(2), row(1, operating_revenue="9000"), row(1, fiscal_year="2024")]
    job, out = _import(db, write_csv(tmp_path / "a.csv", rows), mode=VALID_ONLY)
    msg = f"同一企业（{make_uscc(1)}）同一会计年度 2025 在第 2、4 行重复出现"
    assert errors_of(out) == [(2, "会计年度", msg), (4, "会计年度", msg)]
    assert job.status == "partially_succeeded"
    assert out.rejected_rows == [2, 4]
    years = db.execute(
        select(Enterprise.uscc, YearlyFigure.fiscal_year).join(YearlyFigure).order_by(Enterprise.uscc)
    ).all()
    assert years == [(make_uscc(1), 2024), (make_uscc(2), 2025)]


def test_same_uscc_with_conflicting_names_rejects_all_its_rows(db, tmp_path):
    rows = [row(1), row(1, fiscal_year="2024", name="深圳市另一家公司"), row(2)]
    _job, out = _import(db, write_csv(tmp_path / "a.csv", rows), mode=VALID_ONLY)
    msg = (
        f"同一统一社会信用代码 {make_uscc(1)} 的“企业名称”前后不一致："
        "第 2 行为“深圳市测试科技有限公司001”；第 3 行为“深圳市另一家公司”"
    )
    assert errors_of(out) == [(2, "企业名称", msg), (3, "企业名称", msg)]
    assert db.scalars(select(Enterprise.uscc)).all() == [make_uscc(2)]


def test_empty_file_and_header_only_file(db, tmp_path):
    (tmp_path / "empty.csv").write_bytes(b"")
    job, out = _import(db, tmp_path / "empty.csv")
    assert (job.status, errors_of(out)) == ("failed", [(None, None, "文件为空")])
    write_csv(tmp_path / "head.csv", [])
    job, out = _import(db, tmp_path / "head.csv")
    assert (job.status, errors_of(out)) == ("failed", [(None, None, "文件中没有数据行（只有表头）")])


def test_blank_rows_are_skipped_and_row_numbers_stay_as_the_spreadsheet_shows(db, tmp_path):
    text = ",".join(TITLES) + "\r\n" + ",".join([""] * len(TITLES)) + "\r\n\r\n"
    text += ",".join(str(v) for v in as_list(row(1, employees="x"))) + "\r\n"
    (tmp_path / "a.csv").write_text(text, encoding="utf-8")
    _job, out = _import(db, tmp_path / "a.csv")
    assert errors_of(out) == [(4, "从业人员（人）", "应为数字，实际为“x”")]
    assert out.total_rows == 1


def test_required_cell_empty_and_extra_cell_without_header(db, tmp_path):
    text = ",".join(TITLES) + "\r\n" + ",".join(str(v) for v in as_list(row(1, name=""))) + ",多余\r\n"
    (tmp_path / "a.csv").write_text(text, encoding="utf-8")
    _job, out = _import(db, tmp_path / "a.csv")
    assert errors_of(out) == [
        (2, "企业名称", "“企业名称”为必填项，不能为空"),
        (2, None, "第 AA 列没有列名，无法识别该数据"),
    ]


# --- XLSX --------------------------------------------------------------------------------------------------


def test_xlsx_with_typed_cells_imports_and_numeric_codes_keep_leading_zeros(db, tmp_path):
    r = as_list(row(1, industry_code=111, region_code=440305, fiscal_year=2025, operating_revenue=8600.5))
    r[TITLES.index("成立日期")] = date(2015, 3, 1)
    r[TITLES.index("从业人员（人）")] = 180
    write_xlsx(tmp_path / "a.xlsx", [r])
    job, out = _import(db, tmp_path / "a.xlsx")
    assert (job.status, job.file_format, out.errors) == ("succeeded", "xlsx", [])
    ent = db.scalar(select(Enterprise))
    fig = db.scalar(select(YearlyFigure))
    assert (ent.industry_code, ent.founded_date, fig.operating_revenue) == (
        "0111",
        date(2015, 3, 1),
        8_600_500_000,
    )


def test_xlsx_merged_cells_are_rejected_row_by_row(db, tmp_path):
    rows = [as_list(row(1)), as_list(row(1, fiscal_year="2024")), as_list(row(2))]
    wb = write_xlsx(tmp_path / "m.xlsx", rows)
    wb.active.merge_cells("B2:B3")  # 企业名称 of rows 2–3
    wb.save(tmp_path / "m.xlsx")
    before = snapshot(db)
    job, out = _import(db, tmp_path / "m.xlsx")
    assert errors_of(out) == [
        (2, "企业名称", "单元格在合并区域 B2:B3 内，请取消合并并在每一行分别填写"),
        (3, "企业名称", "单元格在合并区域 B2:B3 内，请取消合并并在每一行分别填写"),
    ]
    assert job.status == "rejected" and snapshot(db) == before


def test_xlsx_merged_header_cells_are_fatal(db, tmp_path):
    wb = write_xlsx(tmp_path / "m.xlsx", [as_list(row(1))])
    wb.active.merge_cells("H1:I1")
    wb.save(tmp_path / "m.xlsx")
    job, out = _import(db, tmp_path / "m.xlsx")
    assert job.status == "failed"
    assert (1, None, "表头含有合并单元格（H1:I1），请取消合并，每列一个列名") in errors_of(out)


def test_xlsx_formulas_are_rejected_with_the_cell_reference(db, tmp_path):
    r2 = as_list(row(1))
    r2[TITLES.index("营业收入（万元）")] = "=8000+600"
    r3 = as_list(row(2))
    r3[TITLES.index("研发人员（人）")] = "=P3/5"
    write_xlsx(tmp_path / "f.xlsx", [r2, r3, as_list(row(3))])
    _job, out = _import(db, tmp_path / "f.xlsx", mode=VALID_ONLY)
    assert errors_of(out) == [
        (2, "营业收入（万元）", "单元格 H2 含有公式，请复制后“选择性粘贴为数值”再导入"),
        (3, "研发人员（人）", "单元格 Q3 含有公式，请复制后“选择性粘贴为数值”再导入"),
    ]
    assert db.scalars(select(Enterprise.uscc)).all() == [make_uscc(3)]


def test_legacy_xls_and_fake_xlsx_are_refused_with_chinese_messages(db, tmp_path):
    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100)
    _, out = _import(db, tmp_path / "old.xls")
    assert errors_of(out) == [
        (None, None, "不支持旧版 Excel（.xls）文件，请在 Excel 中另存为 .xlsx 或 CSV 后再导入")
    ]
    (tmp_path / "fake.xlsx").write_text("统一社会信用代码\n", encoding="utf-8")
    _, out = _import(db, tmp_path / "fake.xlsx")
    assert errors_of(out) == [(None, None, "文件扩展名为 .xlsx，但内容不是有效的 Excel 文件")]


# --- modes, dry run, upsert --------------------------------------------------------------------------------


def test_dry_run_writes_nothing_but_reports_the_same_errors(db, tmp_path):
    rows = [row(1), row(2, employees="abc")]
    path = write_csv(tmp_path / "a.csv", rows)
    before = snapshot(db)
    job, dry = _import(db, path, mode=VALID_ONLY, dry_run=True)
    assert job.status == "validated" and snapshot(db) == before
    assert dry.message == (
        "试导入（未写入）：共 2 行，无误 1 行，有错误 1 行。正式导入将新建企业 1 家、按统一社会信用代码更新已有企业 0 家"
    )
    _, real = _import(db, path, mode=VALID_ONLY)
    assert errors_of(real) == errors_of(dry) == [(3, "从业人员（人）", "应为数字，实际为“abc”")]


def test_upsert_by_uscc_updates_changed_fields_and_logs_each_change_with_the_job(db, tmp_path):
    job1, _ = _import(db, write_csv(tmp_path / "a.csv", [row(1), row(1, fiscal_year="2024")]))
    ent = db.scalar(select(Enterprise))
    created = db.scalars(
        select(ChangeLog).where(ChangeLog.import_job_id == job1.id).order_by(ChangeLog.id)
    ).all()
    assert [(c.entity, c.entity_key, c.field) for c in created] == [
        ("enterprise", None, "created"),
        ("yearly_figure", "2025", "created"),
        ("yearly_figure", "2024", "created"),
    ]
    # Second file: new name, 2025 revenue changed by the tax bureau, 2024 identical, employees left empty.
    renamed = "深圳市测试科技股份有限公司"
    second = [
        row(1, name=renamed, operating_revenue="8700", employees=""),
        row(1, name=renamed, fiscal_year="2024"),
    ]
    job2, out = _import(db, write_csv(tmp_path / "b.csv", second))
    assert (out.created, out.updated, out.years_created, out.years_updated) == (0, 1, 0, 1)
    logs = db.scalars(
        select(ChangeLog).where(ChangeLog.import_job_id == job2.id).order_by(ChangeLog.id)
    ).all()
    assert [(c.entity, c.entity_key, c.field, c.old_value, c.new_value, c.source, c.actor) for c in logs] == [
        (
            "enterprise",
            None,
            "name",
            "深圳市测试科技有限公司001",
            "深圳市测试科技股份有限公司",
            "tax",
            "tester",
        ),
        ("yearly_figure", "2025", "operating_revenue", "8600000000", "8700000000", "tax", "tester"),
    ]
    db.refresh(ent)
    fig = db.scalar(select(YearlyFigure).where(YearlyFigure.fiscal_year == 2025))
    assert (ent.name, fig.operating_revenue, fig.employees) == (
        "深圳市测试科技股份有限公司",
        8_700_000_000,
        180,
    )


def test_importing_the_same_file_twice_changes_nothing_the_second_time(db, tmp_path):
    path = write_csv(tmp_path / "a.csv", [row(1), row(2)])
    _import(db, path)
    before = snapshot(db)
    _job, out = _import(db, path)
    assert (out.created, out.updated, out.unchanged) == (0, 0, 2)
    assert snapshot(db) == before
    assert out.message == "导入成功：共 2 行全部导入，新建企业 0 家，更新 0 家，未变化 2 家"


def test_region_scope_rejects_rows_outside_the_officials_district(db, tmp_path):
    _import(db, write_csv(tmp_path / "seed.csv", [row(9, region_code="440306")]))
    rows = [row(1), row(2, region_code="440306"), row(9, region_code="440305")]
    _job, out = _import(db, write_csv(tmp_path / "a.csv", rows), mode=VALID_ONLY, region_scope=("440305",))
    assert errors_of(out) == [
        (3, "行政区划代码", "行政区划代码 440306 不在本账号管辖范围内，不能导入"),
        (4, "统一社会信用代码", "该企业登记在本账号管辖范围以外，不能通过导入修改"),
    ]
    regions = {u: r for u, r in db.execute(select(Enterprise.uscc, Enterprise.region_code))}
    assert regions == {make_uscc(1): "440305", make_uscc(9): "440306"}


def test_progress_is_reported_live_while_the_job_runs_and_cleared_after(db, tmp_path, monkeypatch):
    from srdi.enterprise.importing import service as import_service
    from srdi.enterprise.importing import validation
    from srdi.enterprise.importing.progress import live_progress

    monkeypatch.setattr(validation, "PROGRESS_EVERY", 2)
    path = write_csv(tmp_path / "a.csv", [row(n) for n in range(1, 6)])
    seen = []

    def progress(phase, done, total):
        seen.append((phase, done, total, live_progress(job_id)))

    job = import_service.create_job(db, filename="a.csv", path=path, mode=AON, dry_run=False, actor="t")
    job_id = job.id
    run_import(db, path, actor="t", job=job, progress=progress)
    assert [(p, d, t) for p, d, t, _ in seen] == [
        ("validating", 0, 5), ("validating", 2, 5), ("validating", 4, 5), ("validating", 5, 5),
        ("writing", 0, 5), ("writing", 5, 5),
    ]  # fmt: skip
    assert seen[2][3] == {"phase": "validating", "processed_rows": 4, "total_rows": 5}
    assert live_progress(job_id) is None
    assert (job.status, job.processed_rows, job.total_rows) == ("succeeded", 5, 5)


def test_full_width_digits_in_codes_are_folded_but_names_keep_their_full_width_brackets(db, tmp_path):
    r = row(
        1,
        name="深圳市示例（南山）科技有限公司",
        region_code="４４０３０５",
        tags="专精特新（培育）",
        employees="１８０",
    )
    job, out = _import(db, write_csv(tmp_path / "a.csv", [r]))
    assert (job.status, out.errors) == ("succeeded", [])
    ent = db.scalar(select(Enterprise))
    assert (ent.name, ent.region_code, ent.tags) == (
        "深圳市示例（南山）科技有限公司",
        "440305",
        ["专精特新（培育）"],
    )
    assert db.scalar(select(YearlyFigure.employees)) == 180


def test_xlsx_uscc_stored_as_a_number_is_explained(db, tmp_path):
    r = as_list(row(1))
    r[0] = 914403000000000768  # all-digit code typed into a number cell
    write_xlsx(tmp_path / "n.xlsx", [r])
    _, out = _import(db, tmp_path / "n.xlsx")
    assert errors_of(out) == [
        (
            2,
            "统一社会信用代码",
            "统一社会信用代码被存成了数字（Excel 只保留15位有效数字），请将该列设为“文本”格式后重新填写",
        )
    ]


def test_conflicting_values_list_each_value_once_with_at_most_five_rows():
    from srdi.enterprise.importing.validation import _conflict_text

    pairs = [(2, "甲"), *[(r, "乙") for r in range(3, 10)], (10, ["a", "b"])]
    assert _conflict_text(pairs) == "第 2 行为“甲”；第 3、4、5、6、7 等 7 行为“乙”；第 10 行为“a、b”"


def test_xlsx_title_row_above_the_header_is_skipped_and_rows_keep_sheet_numbers(db, tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["2025年度企业信息统计表（南山区）"])
    ws.merge_cells("A1:Z1")
    ws.append(TITLES)
    ws.append(as_list(row(1)))
    ws.append(as_list(row(2, employees="很多")))
    wb.save(tmp_path / "t.xlsx")
    _, out = _import(db, tmp_path / "t.xlsx", mode=VALID_ONLY)
    assert errors_of(out) == [(4, "从业人员（人）", "应为数字，实际为“很多”")]
    assert db.scalars(select(Enterprise.uscc)).all() == [make_uscc(1)]
