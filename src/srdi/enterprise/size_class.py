"""划型 per 工信部联企业〔2011〕300号. The thresholds live in ``rules/``; this module only reads the table.

Three-valued: a missing figure gives ``None`` unless the known figures already decide the class
(e.g. an industrial firm with 5 employees is micro whatever its revenue).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

import yaml

from srdi.config import get_settings
from srdi.enterprise.enums import SizeClass
from srdi.kit.money import FEN_PER_WAN_YUAN
from srdi.kit.reference import industries

TABLE_FILE = Path("criteria/national/size_class_2011_300.yaml")
MONEY_METRICS = {"operating_revenue", "total_assets"}


@dataclass(frozen=True)
class SizeGroup:
    id: str
    name: str
    industry_codes: tuple[str, ...]
    metrics: tuple[str, ...]
    ceiling: tuple[int, ...]
    medium: tuple[int, ...]
    small: tuple[int, ...]


@dataclass(frozen=True)
class SizeTable:
    meta: dict[str, Any]
    groups: tuple[SizeGroup, ...]

    @cached_property
    def _by_code(self) -> dict[str, SizeGroup]:
        # Built once per table: bulk imports classify hundreds of thousands of enterprises.
        return {c: g for g in self.groups for c in g.industry_codes}

    def group_for(self, industry_code: str) -> SizeGroup:
        by_code = self._by_code
        code: str | None = industry_code
        known = industries()
        while code:
            if code in by_code:
                return by_code[code]
            node = known.get(code)
            if node is None:
                break
            code = node.parent_code or (node.section if node.section != code else None)
        return by_code["*"]


def load_table(path: Path) -> SizeTable:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    groups = tuple(
        SizeGroup(
            id=g["id"],
            name=g["name"],
            industry_codes=tuple(str(c) for c in g["industry_codes"]),
            metrics=tuple(g["metrics"]),
            ceiling=tuple(g["ceiling"]),
            medium=tuple(g["medium"]),
            small=tuple(g["small"]),
        )
        for g in data["groups"]
    )
    meta = {k: v for k, v in data.items() if k != "groups"}
    return SizeTable(meta=meta, groups=groups)


@lru_cache
def default_table() -> SizeTable:
    return load_table(get_settings().rules_dir / TABLE_FILE)


def _threshold_units(metric: str, value: int) -> int:
    """Thresholds are printed in 人 or 万元; money figures are held in fen."""
    return value * FEN_PER_WAN_YUAN if metric in MONEY_METRICS else value


def _all_at_least(values: list[int | None], bounds: list[int]) -> bool | None:
    results = [None if v is None else v >= b for v, b in zip(values, bounds, strict=True)]
    if any(r is False for r in results):
        return False
    return None if any(r is None for r in results) else True


def _any_below(values: list[int | None], bounds: list[int]) -> bool | None:
    results = [None if v is None else v < b for v, b in zip(values, bounds, strict=True)]
    if any(r is True for r in results):
        return True
    return None if any(r is None for r in results) else False


def classify(
    industry_code: str,
    *,
    employees: int | None,
    operating_revenue_fen: int | None,
    total_assets_fen: int | None,
    table: SizeTable | None = None,
) -> SizeClass | None:
    table = table or default_table()
    group = table.group_for(industry_code)
    figures = {
        "employees": employees,
        "operating_revenue": operating_revenue_fen,
        "total_assets": total_assets_fen,
    }
    values = [figures[m] for m in group.metrics]

    def bounds(row: tuple[int, ...]) -> list[int]:
        return [_threshold_units(m, v) for m, v in zip(group.metrics, row, strict=True)]

    is_sme = _any_below(values, bounds(group.ceiling))
    if is_sme is False:
        return SizeClass.large
    medium = _all_at_least(values, bounds(group.medium))
    if is_sme is None:
        # Below the ceiling is undecided; the class is still decided when the firm cannot be medium-or-large.
        return None if medium is not False else _small_or_micro(values, bounds(group.small))
    if medium is True:
        return SizeClass.medium
    if medium is None:
        return None
    return _small_or_micro(values, bounds(group.small))


def _small_or_micro(values: list[int | None], small_bounds: list[int]) -> SizeClass | None:
    small = _all_at_least(values, small_bounds)
    if small is None:
        return None
    return SizeClass.small if small else SizeClass.micro


METRIC_LABELS = {"employees": "从业人员", "operating_revenue": "营业收入", "total_assets": "资产总额"}


def _show(metric: str, value: int | None) -> str:
    if value is None:
        return f"{METRIC_LABELS[metric]} 未知"
    if metric in MONEY_METRICS:
        wan = value / FEN_PER_WAN_YUAN
        return f"{METRIC_LABELS[metric]} {wan:,.2f}万元".replace(".00万元", "万元")
    return f"{METRIC_LABELS[metric]} {value}人"


def _bounds_text(group: SizeGroup, row: tuple[int, ...], op: str) -> str:
    unit = {m: "万元" if m in MONEY_METRICS else "人" for m in group.metrics}
    return "且".join(f"{METRIC_LABELS[m]}{op}{v}{unit[m]}" for m, v in zip(group.metrics, row, strict=True))


def explain(
    industry_code: str,
    *,
    employees: int | None,
    operating_revenue_fen: int | None,
    total_assets_fen: int | None,
    table: SizeTable | None = None,
) -> tuple[SizeClass | None, SizeGroup, str]:
    """The class, the industry group that decided it, and how it was decided (for a person to read)."""
    table = table or default_table()
    group = table.group_for(industry_code)
    cls = classify(
        industry_code,
        employees=employees,
        operating_revenue_fen=operating_revenue_fen,
        total_assets_fen=total_assets_fen,
        table=table,
    )
    figures = {
        "employees": employees,
        "operating_revenue": operating_revenue_fen,
        "total_assets": total_assets_fen,
    }
    shown = "、".join(_show(m, figures[m]) for m in group.metrics)
    rule = (
        f"中型须{_bounds_text(group, group.medium, '≥')}；小型须{_bounds_text(group, group.small, '≥')}；"
        f"均达到{_bounds_text(group, group.ceiling, '≥')}为大型"
    )
    outcome = cls.label if cls else "无法判定（数据不足）"
    return cls, group, f"按「{group.name}」划型：{shown} → {outcome}（{rule}）"
