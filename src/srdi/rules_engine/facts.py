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
from srdi.rules_engine.facts_check import MAX_COUNT, MAX_MONEY_YUAN, check_date, validate_facts
from srdi.rules_engine.model import Input, RuleSet

Facts = Mapping[str, Any]


class OutOfRange(FactsError):
    """A number too large for the engines' exact arithmetic (money beyond 10^13 元, counts beyond the cap)."""


def yuan_to_fen(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise FactsError(f"not a money amount: {value!r}")
    try:
        d = Decimal(str(value).strip())
    except InvalidOperation as exc:
        raise FactsError(f"not a money amount: {value!r}") from exc
    if not d.is_finite() or abs(d) >= MAX_MONEY_YUAN:
        raise OutOfRange(f"money out of range: {value!r}")
    fen = d * 100
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
            n = int(value)
        except ValueError as exc:
            raise FactsError(f"expected an integer, got {value!r}") from exc
        if abs(n) > MAX_COUNT:
            raise OutOfRange(f"integer out of range: {value!r}")
        return n
    if t == Type.NUMBER:
        if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
            raise FactsError(f"expected a number, got {value!r}")
        try:
            d = Decimal(str(value).strip())
        except InvalidOperation as exc:
            raise FactsError(f"expected a number, got {value!r}") from exc
        if not d.is_finite() or abs(d) >= MAX_MONEY_YUAN:
            raise OutOfRange(f"number out of range: {value!r}")
        f = Fraction(d)
        return f.numerator if f.denominator == 1 else f
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise FactsError(f"expected text, got {value!r}")
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


def _as_date(value: object, field: str = "date") -> date | None:
    return None if value is None else check_date(value, field)


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


def _match_one(
    record: Mapping[str, Any], key: str, cond: Any, as_of: date, where: str = "record"
) -> bool | None:
    if key == "valid_on_as_of":
        lo_f, hi_f = (str(c) for c in cond)
        lo = _as_date(record.get(lo_f), f"{where}.{lo_f}")
        hi = _as_date(record.get(hi_f), f"{where}.{hi_f}")
        return (lo is None or lo <= as_of) and (hi is None or as_of <= hi)
    value = record.get(key)
    field = f"{where}.{key}"
    if isinstance(cond, Mapping):
        if "absent" in cond:
            # e.g. 不含转入: only records that were never transferred in (no transfer date) count.
            return (value is None) == bool(cond["absent"])
        if "within_years" in cond:
            d = _as_date(value, field)
            if d is None:
                return None
            return _years_before(as_of, int(cond["within_years"])) <= d <= as_of
        if "not_within_years" in cond:
            d = _as_date(value, field)
            return d is None or d < _years_before(as_of, int(cond["not_within_years"]))
        if "older_than_years" in cond:
            d = _as_date(value, field)
            if d is None:
                return None
            return d < _years_before(as_of, int(cond["older_than_years"]))
        if value is None:
            return None
        try:
            n = convert(value, Type.INT)
        except FactsError as exc:
            raise FactsError(f"{field}: {exc}") from exc
        assert isinstance(n, int)
        ok = True
        if "min" in cond:
            ok = ok and n >= cond["min"]
        if "max" in cond:
            ok = ok and n <= cond["max"]
        return bool(ok)
    if value is None:
        return None
    if isinstance(cond, list):
        return value in cond
    return bool(value == cond)


def _match(
    record: Mapping[str, Any], where: Mapping[str, Any], as_of: date, label: str = "record"
) -> bool | None:
    if not isinstance(record, Mapping):
        raise FactsError(f"{label}: expected an object, got {record!r}")
    unknown = False
    for key, cond in where.items():
        r = _match_one(record, key, cond, as_of, label)
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
        raise FactsError(f"{name}: expected a list, got {items!r}")
    return items


def _yearly(facts: Facts, figure: str, year: int) -> object:
    yearly = facts.get("yearly")
    if yearly is None:
        return None
    if not isinstance(yearly, Mapping):
        raise FactsError(f"yearly: expected an object keyed by fiscal year, got {yearly!r}")
    row = yearly.get(str(year), yearly.get(year))
    if row is None:
        return None
    if not isinstance(row, Mapping):
        raise FactsError(f"yearly.{year}: expected an object, got {row!r}")
    return row.get(figure)


def _converted(value: object, inp: Input, field: str) -> object:
    try:
        return convert(value, inp.type, inp.scale)
    except OutOfRange as exc:
        raise OutOfRange(f"{field}: {exc}") from exc
    except FactsError as exc:
        raise FactsError(f"{field}: {exc}") from exc


def source_value(facts: Facts, inp: Input, as_of: date, purpose: str) -> object:
    src = inp.source
    if src is None:
        return _converted(facts.get(inp.id), inp, inp.id)
    prior = as_of.year - 1
    if "purpose" in src:
        return purpose == src["purpose"]
    if "fact" in src:
        raw = _path(facts, str(src["fact"]))
        if "prefix" in src and raw is not None:
            raw = str(raw)[: int(src["prefix"])]  # a code's leading digits: GB/T 4754 大类 of industry_code
        return _converted(raw, inp, str(src["fact"]))
    if "yearly" in src:
        year = prior - int(src["year"]) + 1
        return _converted(_yearly(facts, str(src["yearly"]), year), inp, f"yearly.{year}.{src['yearly']}")
    if "yearly_sum" in src:
        vals: list[Any] = [
            _converted(
                _yearly(facts, str(src["yearly_sum"]), prior - k),
                inp,
                f"yearly.{prior - k}.{src['yearly_sum']}",
            )
            for k in range(int(src["years"]))
        ]
        return None if any(v is None for v in vals) else sum(vals)
    where: Mapping[str, Any] = src.get("where", {})
    for mode in ("count", "exists", "none"):
        if mode in src:
            records = _records(facts, str(src[mode]))
            if records is None:
                return None
            hits = [_match(r, where, as_of, f"{src[mode]}[{i}]") for i, r in enumerate(records)]
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
            for i, r in enumerate(records):
                label = f"{src[mode]}[{i}]"
                m = _match(r, where, as_of, label)
                if m is None:
                    return None
                if m:
                    v = r.get(field)
                    if v is None:
                        found_vals.append(None)
                    elif mode == "max_full_years":
                        found_vals.append(check_date(v, f"{label}.{field}"))
                    else:
                        found_vals.append(_converted(v, inp, f"{label}.{field}"))
            if any(v is None for v in found_vals):
                return None
            if mode == "max_full_years":
                until = (
                    date(prior, 12, 31) if src.get("until", "prior_year_end") == "prior_year_end" else as_of
                )
                return max((full_years(v, until) for v in found_vals), default=0)
            if not found_vals:
                return src.get("default")
            return max(found_vals) if mode == "max" else min(found_vals)
    raise FactsError(f"input {inp.id}: unsupported source {dict(src)}")


def build_variables(
    facts: Facts,
    as_of: date,
    rule_sets: RuleSet | Iterable[RuleSet],
    purpose: str = "new_application",
    *,
    out_of_range: dict[str, str] | None = None,
) -> dict[str, object]:
    """Flat variables for the given rule set(s): every declared input, ``None`` where unknown.

    With ``out_of_range`` given, an input whose number is too large for exact arithmetic is left unknown and
    recorded there (input id → the error) instead of failing the document: a policy reports it as implausible
    (its declared bounds) and decides nothing on it.
    """
    sets = [rule_sets] if isinstance(rule_sets, RuleSet) else list(rule_sets)
    validate_facts(facts)
    out: dict[str, object] = {}
    for rs in sets:
        for name, inp in rs.inputs.items():
            if name in out:
                continue
            try:
                out[name] = source_value(facts, inp, as_of, purpose)
            except OutOfRange as exc:
                if out_of_range is None:
                    raise
                out_of_range[name] = str(exc)
                out[name] = None
            except FactsError:
                raise
            except (TypeError, ValueError, ArithmeticError, AttributeError) as exc:
                # Safety net: the shape check above should have refused the document already.
                raise FactsError(f"input {name}: {exc}") from exc
    return out
