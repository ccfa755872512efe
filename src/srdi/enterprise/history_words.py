"""A 变更历史 row in words for people (issue 15): the record it is about by its name, the field by its Chinese
label, and the values in their own units — yearly money in 万元 with two decimals (the log stores 分), head counts
in 人, regions and industries by name, codes by their labels. The stored row stays as it was written."""

from __future__ import annotations

from typing import Any

from srdi.enterprise.enums import LABELS, ChangeEntity, ChangeField, provenance_label
from srdi.enterprise.io_columns import BY_KEY
from srdi.enterprise.models import COUNT_FIGURES, MONEY_FIGURES, ChangeLog, Enterprise
from srdi.kit.money import format_wan
from srdi.kit.reference import industry, region

# The enterprise's relationship holding each kind of fact record logged by id.
_RECORDS = {
    "recognition": "recognitions",
    "award": "awards",
    "ip_item": "ip_items",
    "honour": "honours",
    "rd_institution": "rd_institutions",
    "certification": "certifications",
    "niche_market": "niche_markets",
    "main_product": "main_products",
    "compliance_record": "compliance_records",
}
_BOOLS = {"True": "是", "False": "否", "true": "是", "false": "否"}


def _entity_label(entity: str) -> str:
    try:
        return ChangeEntity(entity).label
    except ValueError:
        return LABELS.get(entity, "其他记录")


def _record_name(rec: Any) -> str | None:
    """A fact record as a person names it: a recognition by its tier and level, others by their name or title."""
    if hasattr(rec, "tier"):
        level = LABELS.get(getattr(rec, "level", "") or "", "")
        tier = str(rec.tier)
        return LABELS.get(tier, tier) + (f"（{level}）" if level else "")
    for attr in ("name", "title", "description"):
        value = getattr(rec, attr, None)
        if value:
            return str(value)
    kind = getattr(rec, "kind", None)
    return LABELS.get(kind, None) if kind else None


def _records(ent: Enterprise, entity: str) -> dict[str, Any]:
    rel = _RECORDS.get(entity)
    if rel is None or not hasattr(ent, rel):
        return {}
    return {str(r.id): r for r in getattr(ent, rel)}


def entity_words(ent: Enterprise, row: ChangeLog, cache: dict[str, dict[str, Any]]) -> str:
    label = _entity_label(row.entity)
    key = row.entity_key
    if not key:
        return label
    if row.entity == ChangeEntity.yearly_figure.value:
        return f"{label}（{key} 年度）"
    if row.entity == ChangeEntity.policy_answer.value:
        year = key.rsplit(":", 1)[1] if ":" in key else None
        return f"{label}（{year} 年度）" if year and year.isdigit() else label
    if row.entity in _RECORDS:
        records = cache.setdefault(row.entity, _records(ent, row.entity))
        rec = records.get(key)
        name = _record_name(rec) if rec is not None else None
        return f"{label}：{name}" if name else f"{label}（已删除的记录）"
    return label  # a workflow's own row (年度更新任务, 重大变化报告): the kind says what it is


def field_words(row: ChangeLog) -> str:
    try:
        return ChangeField(row.field).label
    except ValueError:
        pass
    column = BY_KEY.get(row.field)
    if column is not None:
        return column.header
    if row.field == "tier":
        return "认定类型"
    return LABELS.get(row.field, "补充信息")


def value_words(row: ChangeLog, value: str | None) -> str | None:
    if value is None:
        return None
    field = row.field
    if row.entity == ChangeEntity.yearly_figure.value:
        if field in MONEY_FIGURES:
            try:
                return format_wan(int(value))
            except ValueError:
                return value
        if field in COUNT_FIGURES:
            return f"{value} 人"
    if field == "source":
        return provenance_label(value) or value
    if field == "region_code":
        r = region(value)
        return r.full_name if r else value
    if field == "industry_code":
        i = industry(value)
        return i.name if i else value
    if value in _BOOLS:
        return _BOOLS[value]
    if field in ("status", "tier", "level", "size_class") or row.entity != ChangeEntity.policy_answer.value:
        return LABELS.get(value, value)
    return value


def history_words(ent: Enterprise, rows: list[ChangeLog]) -> list[dict[str, Any]]:
    """Each row with ``entity_label``, ``field_label``, ``old_shown`` and ``new_shown`` for the table."""
    cache: dict[str, dict[str, Any]] = {}
    return [
        {
            "entity_label": entity_words(ent, r, cache),
            "field_label": field_words(r),
            "old_shown": value_words(r, r.old_value),
            "new_shown": value_words(r, r.new_value),
        }
        for r in rows
    ]
