from decimal import Decimal

import pytest

from srdi.kit.money import MoneyError, fen_to_wan, fen_to_yuan, format_wan, wan_to_fen, yuan_to_fen


@pytest.mark.parametrize(
    ("text", "fen"),
    [
        ("1000", 1_000_000_000),
        ("754.20", 754_200_000),
        ("0.000001", 1),
        ("1,234.5", 1_234_500_000),
        ("-3", -3_000_000),
    ],
)
def test_wan_to_fen_is_exact(text, fen):
    assert wan_to_fen(text) == fen


@pytest.mark.parametrize("text", ["0.0000001", "abc", "", "NaN", "Infinity", "1e400x"])
def test_wan_to_fen_rejects_inexact_or_non_numbers(text):
    with pytest.raises(MoneyError):
        wan_to_fen(text)


def test_yuan_round_trip_keeps_every_fen():
    assert fen_to_yuan(yuan_to_fen("12345678.91")) == Decimal("12345678.91")


def test_display_in_wan_with_the_unit():
    assert format_wan(754_200_000) == "754.20 万元"
    assert format_wan(12_345_678_900_000) == "12,345,678.90 万元"
    assert format_wan(None) == "—"
    assert fen_to_wan(1_500_000) == Decimal("1.5")
