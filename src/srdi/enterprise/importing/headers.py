"""Header binding: each column title of the file (its unit included) bound to a registry column, or an error."""

from __future__ import annotations

import difflib

from srdi.enterprise.importing.cells import Bound, RowError
from srdi.enterprise.io_columns import COLUMNS, MONEY_UNITS, match_column, normalize_header
from srdi.enterprise.tabular import Formula, col_letter


def bind_headers(headers: list[object], header_row: int = 1) -> tuple[list[Bound], list[RowError]]:
    bound: list[Bound] = []
    errors: list[RowError] = []
    seen: dict[str, str] = {}
    known_titles = [c.title for c in COLUMNS]
    for i, raw in enumerate(headers):
        title = "" if raw is None else str(raw).strip()
        if isinstance(raw, Formula) or not normalize_header(title):
            continue  # blank header: the column is checked for stray data below
        col, unit = match_column(title)
        letter = col_letter(i)
        if col is None:
            hint = difflib.get_close_matches(normalize_header(title), known_titles, n=1, cutoff=0.5)
            tip = f"，是否应为“{hint[0]}”？" if hint else "。可用的列名见导入模板"
            errors.append(RowError(header_row, title, title, f"无法识别的列“{title}”（第 {letter} 列）{tip}"))
            continue
        factor = 1
        if col.kind == "money":
            if unit is None:
                factor = MONEY_UNITS["万元"]
            elif unit in MONEY_UNITS:
                factor = MONEY_UNITS[unit]
            else:
                errors.append(
                    RowError(
                        header_row,
                        title,
                        title,
                        f"列“{title}”的单位“{unit}”无法识别，金额单位应为“万元”或“元”",
                    )
                )
                continue
        elif unit is not None and unit != col.unit:
            errors.append(
                RowError(header_row, title, title, f"列“{title}”的单位“{unit}”不正确，应为“{col.title}”")
            )
            continue
        if col.key in seen:
            errors.append(
                RowError(
                    header_row, title, title, f"列“{title}”与列“{seen[col.key]}”重复，同一项只能出现一次"
                )
            )
            continue
        seen[col.key] = title
        bound.append(Bound(i, col, title, factor))
    for col in COLUMNS:
        if col.required and col.key not in seen:
            errors.append(RowError(header_row, col.title, None, f"缺少必填列“{col.title}”"))
    return bound, errors
