"""The importer's fast paths agree with the reference implementations: USCC (python-stdnum) and 万元 → fen (srdi.kit.money)."""

from __future__ import annotations

import csv
import random
from pathlib import Path

from srdi.kit.uscc import uscc_error, uscc_ok

VECTORS = [
    r["uscc"]
    for r in csv.DictReader(
        (Path(__file__).parents[1] / "data" / "uscc_test_vectors.csv").open(encoding="utf-8")
    )
]
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXYIOZSV-"


def test_fast_check_agrees_with_stdnum_on_the_vectors_and_on_10000_mutations():
    rng = random.Random(20261122)
    codes = list(VECTORS)
    for _ in range(10_000):
        code = list(rng.choice(VECTORS))
        for _ in range(rng.randint(1, 2)):
            code[rng.randrange(18)] = rng.choice(ALPHABET)
        codes.append("".join(code)[: rng.choice((17, 18, 18, 18, 19))])
    disagreements = [c for c in codes if uscc_ok(c) != (uscc_error(c) is None)]
    assert disagreements == []
    assert sum(uscc_ok(c) for c in codes) > 100  # the mutations include valid codes, not only rejections


def test_money_parser_agrees_with_kit_wan_to_fen_exactly_or_refuses_what_it_refuses():
    from decimal import Decimal

    from srdi.enterprise.importing.cells import CellError, _parse_money
    from srdi.enterprise.io_columns import BY_KEY
    from srdi.kit.money import MoneyError, wan_to_fen

    parse = _parse_money(BY_KEY["net_profit"], 1_000_000)
    rng = random.Random(7)
    texts = [
        "0",
        "-0",
        "8600",
        "-120.25",
        "0.000001",
        "0.0000001",
        "1,234.5",
        " 12 ",
        "1e3",
        "1.50000000",
        "+3",
    ]
    for _ in range(5000):
        whole = str(rng.randint(0, 10 ** rng.randint(0, 9)))
        frac = "".join(rng.choice("0123456789") for _ in range(rng.randint(0, 8)))
        texts.append(("-" if rng.random() < 0.2 else "") + whole + ("." + frac if frac else ""))
    for t in texts:
        try:
            expected: int | None = wan_to_fen(t)
        except MoneyError:
            expected = None
        if expected is not None and abs(expected) > 100_000_000 * 1_000_000:
            expected = None  # beyond the importer's sanity bound (1 亿万元): refused by design
        try:
            got: int | None = parse(t)
        except CellError:
            got = None
        assert got == expected, (t, got, expected)
    assert parse("-120.25") == wan_to_fen(Decimal("-120.25")) == -120_250_000
