"""Validation of a whole table: every cell parsed, every row cross-checked; nothing is written here."""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from srdi.enterprise.enums import Provenance
from srdi.enterprise.importing.cells import SKIP, THIS_YEAR, Bound, CellError, RowError, cell_parser, display
from srdi.enterprise.importing.headers import bind_headers
from srdi.enterprise.importing.progress import ProgressFn
from srdi.enterprise.io_columns import BY_KEY
from srdi.enterprise.tabular import Formula, Table, col_letter
from srdi.kit.workdays import beijing_today

PROGRESS_EVERY = 5_000


@dataclass(slots=True)
class ValidRow:
    row: int
    uscc: str
    year: int
    source: str
    profile: dict[str, Any]
    figures: dict[str, int]


@dataclass
class Validation:
    total_rows: int = 0
    valid: list[ValidRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    bad_rows: set[int] = field(default_factory=set)


def _is_blank(v: object) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


def validate_table(
    table: Table,
    progress: ProgressFn | None = None,
    region_scope: tuple[str, ...] | list[str] | None = None,
) -> tuple[Validation, list[RowError]]:
    """Every row checked; returns the valid rows, every error, and the header errors (fatal when non-empty)."""
    header_row = table.header_row
    bound, header_errors = bind_headers(table.headers, header_row)
    if table.format == "xlsx":
        for m in table.merged:
            if m.first_row <= header_row <= m.last_row:
                header_errors.append(
                    RowError(
                        header_row, None, m.ref, f"表头含有合并单元格（{m.ref}），请取消合并，每列一个列名"
                    )
                )
    if header_errors:
        return Validation(), header_errors

    THIS_YEAR[0] = beijing_today().year
    scope = tuple(region_scope) if region_scope is not None else None
    val = Validation()
    ent_bound = [b for b in bound if b.column.level == "enterprise"]
    row_bound = [b for b in bound if b.column.level != "enterprise"]
    ent_parsers = [(b, cell_parser(b)) for b in ent_bound]
    row_parsers = [(b, cell_parser(b)) for b in row_bound]
    ent_idx = [b.index for b in ent_bound]
    width = len(table.headers)
    title_of = {b.column.key: b.title for b in bound}
    merged_cells = _merged_cells(table, bound)

    # Cross-row state.
    first_of_key: dict[tuple[str, int], int] = {}
    dup_rows: dict[tuple[str, int], list[int]] = {}
    ent_rows: dict[str, list[int]] = {}
    ent_first: dict[str, tuple[int, dict[str, Any]]] = {}
    conflicts: dict[str, dict[str, list[tuple[int, Any]]]] = {}

    last_raw: tuple[object, ...] | None = None
    last_parsed: tuple[dict[str, Any], list[RowError]] = ({}, [])
    today = beijing_today()

    blank_header_idx = [i for i, h in enumerate(table.headers) if _is_blank(h)]
    row_specs = [(b.index, b.column.key, parse, b) for b, parse in row_parsers]
    # Required columns make at least four enterprise-level columns, so itemgetter always returns a tuple.
    pick = operator.itemgetter(*ent_idx)
    need = max(ent_idx) + 1

    for row_no, cells in table.rows:
        if not any(cells) or (_is_blank(cells[0]) and all(_is_blank(v) for v in cells)):
            continue
        val.total_rows += 1
        n = len(cells)
        errs: list[RowError] = []

        # Enterprise-level cells repeat on every year of the same enterprise: parse once per distinct run.
        raw = pick(cells) if n >= need else tuple(cells[i] if i < n else None for i in ent_idx)
        if raw == last_raw:
            profile, cached = last_parsed
            errs.extend(RowError(row_no, e.column, e.value, e.message) for e in cached)
        else:
            profile = {}
            perrs: list[RowError] = []
            for (b, parse), v in zip(ent_parsers, raw, strict=True):
                _cell(b, parse, v, row_no, profile, perrs)
            last_raw, last_parsed = raw, (profile, perrs)
            errs.extend(perrs)

        figures: dict[str, Any] = {}
        for idx, key, parse, b in row_specs:
            v = cells[idx] if idx < n else None
            if not v or v.__class__ is Formula:
                _cell(b, parse, v, row_no, figures, errs)
                continue
            try:
                figures[key] = parse(v)
            except CellError as exc:
                if isinstance(v, str) and v.isspace():  # a blank cell with stray spaces is an empty cell
                    _cell(b, parse, "", row_no, figures, errs)
                else:
                    errs.append(RowError(row_no, b.title, display(v), str(exc)))

        if n > width and any(not _is_blank(v) for v in cells[width:]):
            extra = next(i for i in range(width, n) if not _is_blank(cells[i]))
            errs.append(
                RowError(
                    row_no, None, display(cells[extra]), f"第 {col_letter(extra)} 列没有列名，无法识别该数据"
                )
            )
        for i in blank_header_idx:
            if i < n and not _is_blank(cells[i]):
                errs.append(
                    RowError(
                        row_no, None, display(cells[i]), f"第 {col_letter(i)} 列没有列名，无法识别该数据"
                    )
                )
                break
        if merged_cells and row_no in merged_cells:
            # A merged cell is reported as such, not as the empty or repeated value it leaves behind.
            covered = {title for title, _ in merged_cells[row_no]}
            errs = [e for e in errs if e.column not in covered]
            for title, ref in merged_cells[row_no]:
                errs.append(
                    RowError(row_no, title, ref, f"单元格在合并区域 {ref} 内，请取消合并并在每一行分别填写")
                )

        year = figures.pop("fiscal_year", None)
        source = figures.pop("source", None) or Provenance.self_reported.value
        _cross_checks(row_no, profile, figures, year, title_of, errs, today)
        if scope is not None and "region_code" in profile and not profile["region_code"].startswith(scope):
            errs.append(
                RowError(row_no, title_of["region_code"], profile["region_code"],
                         f"行政区划代码 {profile['region_code']} 不在本账号管辖范围内，不能导入")
            )  # fmt: skip

        uscc = profile.get("uscc")
        if uscc is not None:
            ent_rows.setdefault(uscc, []).append(row_no)
            if year is not None:
                ukey = (uscc, year)
                first = first_of_key.setdefault(ukey, row_no)
                if first != row_no:
                    dup_rows.setdefault(ukey, [first]).append(row_no)
            seen = ent_first.get(uscc)
            if seen is None:
                ent_first[uscc] = (row_no, profile)
            elif seen[1] is not profile:
                for k, v in profile.items():
                    other = seen[1].get(k)
                    if other is not None and v is not None and other != v:
                        c = conflicts.setdefault(uscc, {}).setdefault(k, [(seen[0], other)])
                        c.append((row_no, v))

        if errs:
            val.errors.extend(errs)
            val.bad_rows.add(row_no)
        elif uscc is not None and year is not None:
            val.valid.append(ValidRow(row_no, uscc, year, source, profile, figures))
        if progress and val.total_rows % PROGRESS_EVERY == 0:
            progress("validating", val.total_rows, table.total_rows)

    # Rows that are fine alone but contradict other rows of the file: every row of the group is rejected.
    for (uscc, year), rows in dup_rows.items():
        listed = "、".join(str(r) for r in rows)
        for r in rows:
            val.errors.append(
                RowError(
                    r,
                    title_of["fiscal_year"],
                    str(year),
                    f"同一企业（{uscc}）同一会计年度 {year} 在第 {listed} 行重复出现",
                )
            )
            val.bad_rows.add(r)
    for uscc, fields in conflicts.items():
        for key, pairs in fields.items():
            label = BY_KEY[key].header
            shown = _conflict_text(pairs)
            for r in ent_rows[uscc]:
                val.errors.append(
                    RowError(
                        r, title_of[key], None, f"同一统一社会信用代码 {uscc} 的“{label}”前后不一致：{shown}"
                    )
                )
                val.bad_rows.add(r)
    if dup_rows or conflicts:
        val.valid = [v for v in val.valid if v.row not in val.bad_rows]
    val.errors.sort(key=lambda e: e.row or 0)
    if progress:
        progress("validating", val.total_rows, val.total_rows)
    return val, []


def _conflict_text(pairs: list[tuple[int, Any]]) -> str:
    """``第 2 行为“A”；第 5、6 行为“B”`` — each distinct value once, at most 5 row numbers each."""
    by_value: dict[str, list[int]] = {}
    for r, v in pairs:
        by_value.setdefault("、".join(v) if isinstance(v, list) else (display(v) or ""), []).append(r)
    parts = []
    for text, rows in by_value.items():
        listed = "、".join(str(r) for r in rows[:5])
        more = f" 等 {len(rows)} 行" if len(rows) > 5 else " 行"
        parts.append(f"第 {listed}{more}为“{text}”")
    return "；".join(parts)


def _cell(
    b: Bound,
    parse: Callable[[object], Any],
    v: object,
    row_no: int,
    out: dict[str, Any],
    errs: list[RowError],
) -> None:
    if v is None or (isinstance(v, str) and not v.strip()):
        if b.column.required:
            errs.append(RowError(row_no, b.title, None, f"“{b.column.header}”为必填项，不能为空"))
        return
    if isinstance(v, Formula):
        errs.append(
            RowError(row_no, b.title, v.ref, f"单元格 {v.ref} 含有公式，请复制后“选择性粘贴为数值”再导入")
        )
        return
    try:
        parsed = parse(v)
    except CellError as exc:
        errs.append(RowError(row_no, b.title, display(v), str(exc)))
        return
    if parsed is not SKIP:
        out[b.column.key] = parsed


def _cross_checks(
    row_no: int,
    profile: dict[str, Any],
    f: dict[str, Any],
    year: int | None,
    title_of: dict[str, str],
    errs: list[RowError],
    today: date,
) -> None:
    def check(ok: bool, key: str, msg: str) -> None:
        if not ok:
            errs.append(RowError(row_no, title_of[key], display(f.get(key)) if key in f else None, msg))

    mbr, rev = f.get("main_business_revenue"), f.get("operating_revenue")
    if mbr is not None and rev is not None:
        check(mbr <= rev, "main_business_revenue", "主营业务收入不能大于营业收入")
    rd_staff, emp = f.get("rd_staff"), f.get("employees")
    if rd_staff is not None and emp is not None:
        check(rd_staff <= emp, "rd_staff", "研发人员不能多于从业人员")
    rd, cost = f.get("rd_expense"), f.get("total_cost_expense")
    if rd is not None and cost is not None:
        check(rd <= cost, "rd_expense", "研发费用不能大于成本费用支出（研发费用是成本费用的一部分）")
    founded = profile.get("founded_date")
    if founded is not None and year is not None and year < founded.year:
        errs.append(
            RowError(
                row_no,
                title_of["fiscal_year"],
                str(year),
                f"会计年度 {year} 早于成立日期 {founded.isoformat()}",
            )
        )


def _merged_cells(table: Table, bound: list[Bound]) -> dict[int, list[tuple[str, str]]]:
    """Row → (column title, range) for every data cell inside a merged range."""
    if not table.merged:
        return {}
    titles = {b.index: b.title for b in bound}
    out: dict[int, list[tuple[str, str]]] = {}
    for m in table.merged:
        if m.last_row <= table.header_row:
            continue
        cols = [titles[c] for c in range(m.first_col, m.last_col + 1) if c in titles] or [""]
        for r in range(max(m.first_row, table.header_row + 1), m.last_row + 1):
            for t in cols:
                out.setdefault(r, []).append((t, m.ref))
    return out
