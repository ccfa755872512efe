"""Shape check of a facts document (docs/rules-authoring.md §8) before any rule reads it.

Absent (or ``null``) means unknown and is always allowed; a present value of the wrong shape is refused with a
``FactsError`` that names the field (``ip_items[2].granted_date``), so that ``srdi evaluate`` exits with code 2 and
the API answers 422 instead of failing inside a rule. Fields the format does not define are ignored (policies read
their own ``policy_answers``); the values of the defined ones are checked whether or not a rule set reads them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal, InvalidOperation

from srdi.rules_engine.errors import FactsError

Check = Callable[[object, str], None]

MAX_MONEY_YUAN = Decimal(10) ** 13  # = lower.INPUT_LIMITS[money] (10^15 fen)
MAX_COUNT = 10**9  # = lower.INPUT_LIMITS[int]
SIZE_CLASSES = ("large", "medium", "small", "micro")
_YEAR = re.compile(r"^[0-9]{4}$")


def _fail(field: str, what: str, value: object) -> FactsError:
    shown = repr(value)
    if len(shown) > 60:
        shown = shown[:57] + "..."
    return FactsError(f"{field}：{what}，实际为 {shown}")


def check_date(value: object, field: str) -> date:
    if isinstance(value, date):
        return value
    if isinstance(value, str) and len(value) == 10:
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise _fail(field, "应为日期 YYYY-MM-DD", value)


def _date(value: object, field: str) -> None:
    check_date(value, field)


def _bool(value: object, field: str) -> None:
    if not isinstance(value, bool):
        raise _fail(field, "应为 true/false", value)


def _str(value: object, field: str) -> None:
    if not isinstance(value, str) or len(value) > 500:
        raise _fail(field, "应为文本（不超过500字）", value)


def _int(value: object, field: str) -> None:
    if isinstance(value, bool):
        raise _fail(field, "应为整数", value)
    if isinstance(value, str):
        if not re.fullmatch(r"-?[0-9]{1,10}", value.strip()):
            raise _fail(field, "应为整数", value)
        value = int(value)
    if not isinstance(value, int):
        raise _fail(field, "应为整数", value)
    if abs(value) > MAX_COUNT:
        raise _fail(field, f"超出范围（绝对值不超过{MAX_COUNT}）", value)


def _decimal(value: object, field: str, what: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise _fail(field, what, value)
    text = str(value).strip()
    if len(text) > 40:
        raise _fail(field, what, value)
    try:
        d = Decimal(text)
    except InvalidOperation:
        raise _fail(field, what, value) from None
    if not d.is_finite() or abs(d) >= MAX_MONEY_YUAN:
        raise _fail(field, f"{what}（有限且绝对值小于10^13）", value)
    return d


def _money(value: object, field: str) -> None:
    d = _decimal(value, field, '应为金额（元，十进制数，如 "12345678.90"）')
    if d * 100 != (d * 100).to_integral_value():
        raise _fail(field, "金额最多两位小数", value)


def _number(value: object, field: str) -> None:
    _decimal(value, field, "应为十进制数")


def _enum(*allowed: object) -> Check:
    def check(value: object, field: str) -> None:
        if isinstance(value, bool) or value not in allowed:
            raise _fail(field, "应为 " + " / ".join(str(a) for a in allowed) + " 之一", value)

    return check


def _object(value: object, field: str) -> None:
    if not isinstance(value, Mapping):
        raise _fail(field, "应为对象", value)


SCALARS: dict[str, Check] = {
    "uscc": _str,
    "name": _str,
    "region_code": _str,
    "industry_code": _str,
    "founded_date": _date,
    "independent_legal_person": _bool,
    "restricted_product": _bool,
    "size_class": _enum(*SIZE_CLASSES),
    "digital_level": _int,
    "own_brand": _bool,
    "standards_drafted": _int,
    "core_business_on_it_system": _bool,
    "main_product_field": _str,
    "quality_award_provincial": _bool,
    "developed_market_certification": _bool,
    "niche_market_leading": _bool,
    "local_feature_score": _int,  # whole points since migration 3b1ae6b5ebdf
    "local_answers": _object,
    "policy_answers": _object,
    "tier_results": _object,
}
YEARLY: dict[str, Check] = {
    **dict.fromkeys(
        (
            "operating_revenue",
            "main_business_revenue",
            "rd_expense",
            "net_profit",
            "total_assets",
            "total_liabilities",
            "qualified_equity_raised",
            "total_cost_expense",
        ),
        _money,
    ),
    "employees": _int,
    "rd_staff": _int,
    "development_score": _number,
}
RECORDS: dict[str, dict[str, Check]] = {
    "ip_items": {
        "ip_type": _str,
        "ip_class": _enum(1, 2),
        "self_developed": _bool,
        "high_value": _bool,
        "related_to_main_product": _bool,
        "in_use": _bool,
        "granted_date": _date,
        "transferred_in_date": _date,
        "rank_among_holders": _int,
    },
    "awards": {
        "kind": _str,
        "level": _str,
        "award_date": _date,
        "rank": _int,
        "top_group": _int,
        "contest_group": _enum("enterprise_group", "maker_group"),
    },
    "honours": {"kind": _str, "level": _str, "valid_from": _date, "valid_until": _date},
    "rd_institutions": {"level": _str, "recognized_date": _date},
    "certifications": {"kind": _str, "valid_from": _date, "valid_until": _date},
    "niche_markets": {"start_date": _date, "market_share_bp": _int, "national_rank": _int},
    "main_products": {"strategic_emerging": _bool},
    "compliance_records": {"kind": _str, "severity": _str, "occurred_date": _date, "resolved_date": _date},
    "recognitions": {
        "tier": _str,
        "level": _str,
        "status": _str,
        "announced_date": _date,
        "valid_until": _date,
        "revoked_date": _date,
        "revocation_reason": _enum("fraud", "major_accident", "serious_dishonesty", "other_revocation"),
    },
}
MAX_RECORDS = 10_000


def validate_facts(facts: object) -> None:
    """Raise ``FactsError`` naming the first malformed field of ``facts``; absent fields are fine."""
    if not isinstance(facts, Mapping):
        raise _fail("事实文档", "应为对象", facts)
    for name, check in SCALARS.items():
        value = facts.get(name)
        if value is not None:
            check(value, name)
    yearly = facts.get("yearly")
    if yearly is not None:
        _object(yearly, "yearly")
        assert isinstance(yearly, Mapping)
        for year, row in yearly.items():
            if not _YEAR.match(str(year)) or isinstance(year, bool):
                raise _fail("yearly", "年度（键）应为四位数字", year)
            if row is None:
                continue
            _object(row, f"yearly.{year}")
            for figure, check in YEARLY.items():
                value = row.get(figure)
                if value is not None:
                    check(value, f"yearly.{year}.{figure}")
    for name, fields in RECORDS.items():
        records = facts.get(name)
        if records is None:
            continue
        if not isinstance(records, list):
            raise _fail(name, "应为列表", records)
        if len(records) > MAX_RECORDS:
            raise _fail(name, f"记录过多（不超过{MAX_RECORDS}条）", len(records))
        for i, record in enumerate(records):
            _object(record, f"{name}[{i}]")
            for field, check in fields.items():
                value = record.get(field)
                if value is not None:
                    check(value, f"{name}[{i}].{field}")
