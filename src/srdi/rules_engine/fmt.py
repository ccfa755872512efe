"""Chinese display of exact values: money in 万元 (U2), ratios in %, unknown as 未知."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from srdi.rules_engine.expr.types import Type

FEN_PER_WAN = 1_000_000


def _dec(value: Fraction | int, places: int) -> str:
    d = (
        Decimal(value.numerator) / Decimal(value.denominator)
        if isinstance(value, Fraction)
        else Decimal(value)
    )
    q = d.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    text = f"{q:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def money(fen: int | Fraction) -> str:
    fen = Fraction(fen)
    if abs(fen) >= FEN_PER_WAN:
        return _dec(Fraction(fen) / FEN_PER_WAN, 2) + "万元"
    return _dec(Fraction(fen) / 100, 2) + "元"


def percent(value: int | Fraction) -> str:
    return _dec(Fraction(value) * 100, 2) + "%"


def show(value: object, t: Type | None, display: str = "") -> str:
    if value is None:
        return "未知"
    if isinstance(value, bool):
        return "是" if value else "否"
    if hasattr(value, "approx"):
        return _dec(Fraction(value.approx()) * 100, 2) + "%"  # CAGR: display only; comparisons stay exact
    if isinstance(value, str):
        return value
    assert isinstance(value, int | Fraction)
    if t == Type.MONEY:
        return money(value)
    if display == "percent" or (t == Type.NUMBER and display != "number"):
        return percent(value)
    if display == "years":
        return _dec(value, 2) + "年"
    return _dec(value, 2)
