"""Money as integer fen (分). Never binary floats (decision 0002).

Officials read and type amounts in 万元; one 万元 is 1,000,000 fen. Conversions are exact: an input
with more precision than one fen is rejected rather than rounded, so an import never silently changes a figure.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

FEN_PER_YUAN = 100
FEN_PER_WAN_YUAN = 1_000_000
# The largest amount a BIGINT column of fen holds (9.2e16 元); API fields refuse anything beyond it with a 422.
MAX_FEN = 2**63 - 1
MAX_YUAN = Decimal(MAX_FEN) / FEN_PER_YUAN


class MoneyError(ValueError):
    """A value that is not an exact amount of money."""


def parse_decimal(text: str | int | Decimal) -> Decimal:
    if isinstance(text, Decimal):
        value = text
    elif isinstance(text, int):
        value = Decimal(text)
    else:
        cleaned = text.strip().replace(",", "").replace("，", "")
        if not cleaned:
            raise MoneyError("empty")
        try:
            value = Decimal(cleaned)
        except InvalidOperation as exc:
            raise MoneyError(f"not a number: {text!r}") from exc
    if not value.is_finite():
        raise MoneyError(f"not a finite number: {text!r}")
    return value


def to_fen(amount: Decimal, unit_fen: int) -> int:
    fen = amount * unit_fen
    if fen != fen.to_integral_value():
        raise MoneyError(f"more precise than one fen: {amount}")
    return int(fen)


def wan_to_fen(text: str | int | Decimal) -> int:
    return to_fen(parse_decimal(text), FEN_PER_WAN_YUAN)


def yuan_to_fen(text: str | int | Decimal) -> int:
    return to_fen(parse_decimal(text), FEN_PER_YUAN)


def fen_to_yuan(fen: int) -> Decimal:
    return (Decimal(fen) / FEN_PER_YUAN).quantize(Decimal("0.01"))


def fen_to_wan(fen: int) -> Decimal:
    """Exact 万元 value (up to 6 decimal places)."""
    return (Decimal(fen) / FEN_PER_WAN_YUAN).normalize() if fen else Decimal(0)


def format_wan(fen: int | None, places: int = 2) -> str:
    """Display form used in the UI and exports: ``1,234.56 万元``."""
    if fen is None:
        return "—"
    q = Decimal(1).scaleb(-places)
    return f"{(Decimal(fen) / FEN_PER_WAN_YUAN).quantize(q):,} 万元"
