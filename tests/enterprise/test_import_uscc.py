"""The importer's fast USCC check agrees with the reference validator (python-stdnum via validation.uscc_error)."""

from __future__ import annotations

import csv
import random
from pathlib import Path

from srdi.enterprise.import_service import uscc_ok
from srdi.enterprise.validation import uscc_error

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
