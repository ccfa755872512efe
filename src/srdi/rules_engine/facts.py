"""Facts document → the flat, typed variables a rule set reads.

Conventions (CRITERIA §13 Q4; Chinese fiscal years are calendar years):
- 上年度 ("prior year", ``year: 1``) = the last fiscal year completed before the as-of date = ``as_of.year - 1``;
  ``year: 2`` = the year before that (上上年度); "近两年" = years 1 and 2.
- "近N年内" for dated events (awards, equity rounds by date, incidents) = the window
  ``[as_of − N years, as_of]``, both ends included (以内 includes the number, 民法典 §1259).
- "截至上年末" durations count whole years from the start date to the end of 31 December of the prior year.
- Validity on the as-of date: ``valid_from ≤ as_of ≤ valid_until``; a missing bound is open.
- A list that is absent from the document is unknown; a present, empty list means "none".
  A record whose field needed by a filter is missing makes that record undecided.
Money arrives as yuan decimal strings ("12345678.90") and leaves as integer fen.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

from srdi.rules_engine.errors import FactsError
from srdi.rules_engine.expr.types import Type
from srdi.rules_engine.model import Input, RuleSet

Facts = Mapping[str, Any]
# Every exact quantity the engine handles fits a signed 64-bit integer (the database columns and Polars' Int64):
# 9.2e18 分 is 9.2e16 元. Larger inputs are refused here, before they overflow an engine (STACK.md traps).
MAX_MAGNITUDE = 2**63 - 1


def _bounded(d: Decimal, value: object) -> Decimal:
    if not d.is_finite() or abs(d) > MAX_MAGNITUDE:
        raise FactsError(f"数值超出允许范围: {str(value)[:40]}")
    return d


def yuan_to_fen(value: object) -> int:
    try:
        d = Decimal(str(value))
    except InvalidOperation as exc:
        raise FactsError(f"not a money amount: {value!r}") from exc
    fen = _bounded(d * 100, value)
    if fen != fen.to_integral_value():
        raise FactsError(f"money has more than two decimals: {value!r}")
    return int(fen)


def convert(value: object, t: Type, scale: int = 0) -> object:
    """Convert one raw fact to the engine's exact representation; ``None`` stays unknown."""
    if value is None:
        return None
    if t == Type.MONEY:
        return yuan_to_fen(value)
    if t == Type.BOOL:
        if not isinstance(value, bool):
            raise FactsError(f"expected true/false, got {value!r}")
        return value
    if t == Type.INT:
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise FactsError(f"expected an integer, got {value!r}")
        try:
            return int(_bounded(Decimal(int(value)), value))
        except ValueError as exc:
            raise FactsError(f"expected an integer, got {value!r}") from exc
    if t == Type.NUMBER:
        try:
            f = Fraction(_bounded(Decimal(str(value)), value))
        except (InvalidOperation, ValueError) as exc:
            raise FactsError(f"expected a number, got {value!r}") from exc
        return f.numerator if f.denominator == 1 else f
    return str(value)


def coerce_literal(value: object, t: Type) -> object:
    """A value written by a person (test case, form): ``"600万元"``, ``"4.5%"``, ``12``, ``true``, ``null``."""
    from srdi.rules_engine.expr.parser import parse_literal

    if value is None or t in (Type.BOOL, Type.STR):
        return value
    if isinstance(value, bool):
        raise FactsError(f"expected a {t.value}, got {value!r}")
    lit = parse_literal(str(value))
    if (t == Type.MONEY) != (lit.unit == "money"):
        raise FactsError(f"{value!r} does not fit a {t.value} input (money needs 元/万元/亿元)")
    if t == Type.INT and lit.unit != "int":
        raise FactsError(f"expected a whole number, got {value!r}")
    return lit.value


def _as_date(value: object) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def _years_before(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year - years)
    except ValueError:  # 29 February
        return d.replace(year=d.year - years, day=28)


def full_years(start: date, until_inclusive: date) -> int:
    end = until_inclusive + timedelta(days=1)
    years = end.year - start.year - (1 if (end.month, end.day) < (start.month, start.day) else 0)
    return max(years, 0)


def _path(facts: Facts, dotted: str) -> object:
    cur: object = facts
    for part in dotted.split("."):
        if not isinstance(cur, Mapping):
            return None
        cur = cur.get(part)
    return cur


def _match_one(record: Mapping[str, Any], key: str, cond: Any, as_of: date) -> bool | None:
    if key == "valid_on_as_of":
        lo_f, hi_f = (str(c) for c in cond)
        lo, hi = _as_date(record.get(lo_f)), _as_date(record.get(hi_f))
        return (lo is None or lo <= as_of) and (hi is None or as_of <= hi)
    value = record.get(key)
    if isinstance(cond, Mapping):
        if "within_years" in cond:
            d = _as_date(value)
            if d is None:
                return None
            return _years_before(as_of, int(cond["within_years"])) <= d <= as_of
        if "not_within_years" in cond:
            d = _as_date(value)
            return d is None or d < _years_before(as_of, int(cond["not_within_years"]))
        if "older_than_years" in cond:
            d = _as_date(value)
            if d is None:
                return None
            return d < _years_before(as_of, int(cond["older_than_years"]))
        if value is None:
            return None
        ok = True
        if "min" in cond:
            ok = ok and value >= cond["min"]
        if "max" in cond:
            ok = ok and value <= cond["max"]
        return bool(ok)
    if value is None:
        return None
    if isinstance(cond, list):
        return value in cond
    return bool(value == cond)


def _match(record: Mapping[str, Any], where: Mapping[str, Any], as_of: date) -> bool | None:
    unknown = False
    for key, cond in where.items():
        r = _match_one(record, key, cond, as_of)
        if r is False:
            return False
        if r is None:
            unknown = True
    return None if unknown else True


def _records(facts: Facts, name: str) -> list[Mapping[str, Any]] | None:
    items = facts.get(name)
    if items is None:
        return None
    if not isinstance(items, list):
        raise FactsError(f"{name} must be a list")
    return items


def _yearly(facts: Facts, figure: str, year: int) -> object:
    yearly = facts.get("yearly")
    if not isinstance(yearly, Mapping):
        return None
    row = yearly.get(str(year), yearly.get(year))
    return row.get(figure) if isinstance(row, Mapping) else None


def source_value(facts: Facts, inp: Input, as_of: date, purpose: str) -> object:
    src = inp.source
    if src is None:
        return convert(facts.get(inp.id), inp.type, inp.scale)
    prior = as_of.year - 1
    if "purpose" in src:
        return purpose == src["purpose"]
    if "fact" in src:
        return convert(_path(facts, str(src["fact"])), inp.type, inp.scale)
    if "yearly" in src:
        return convert(_yearly(facts, str(src["yearly"]), prior - int(src["year"]) + 1), inp.type, inp.scale)
    if "yearly_sum" in src:
        vals: list[Any] = [
            convert(_yearly(facts, str(src["yearly_sum"]), prior - k), inp.type)
            for k in range(int(src["years"]))
        ]
        return None if any(v is None for v in vals) else sum(vals)
    where: Mapping[str, Any] = src.get("where", {})
    for mode in ("count", "exists", "none"):
        if mode in src:
            records = _records(facts, str(src[mode]))
            if records is None:
                return None
            hits = [_match(r, where, as_of) for r in records]
            if mode == "count":
                return None if any(h is None for h in hits) else sum(1 for h in hits if h)
            found = (
                True if any(h is True for h in hits) else (None if any(h is None for h in hits) else False)
            )
            return found if mode == "exists" or found is None else not found
    for mode in ("max", "min", "max_full_years"):
        if mode in src:
            records = _records(facts, str(src[mode]))
            if records is None:
                return None
            field = str(src["field"])
            found_vals: list[Any] = []
            for r in records:
                m = _match(r, where, as_of)
                if m is None:
                    return None
                if m:
                    found_vals.append(r.get(field))
            if any(v is None for v in found_vals):
                return None
            if mode == "max_full_years":
                until = (
                    date(prior, 12, 31) if src.get("until", "prior_year_end") == "prior_year_end" else as_of
                )
                return max((full_years(date.fromisoformat(str(v)), until) for v in found_vals), default=0)
            if not found_vals:
                return src.get("default")
            return convert(max(found_vals) if mode == "max" else min(found_vals), inp.type, inp.scale)
    raise FactsError(f"input {inp.id}: unsupported source {dict(src)}")


def build_variables(
    facts: Facts, as_of: date, rule_sets: RuleSet | Iterable[RuleSet], purpose: str = "new_application"
) -> dict[str, object]:
    """Flat variables for the given rule set(s): every declared input, ``None`` where unknown."""
    sets = [rule_sets] if isinstance(rule_sets, RuleSet) else list(rule_sets)
    out: dict[str, object] = {}
    for rs in sets:
        for name, inp in rs.inputs.items():
            if name not in out:
                out[name] = source_value(facts, inp, as_of, purpose)
    return out
