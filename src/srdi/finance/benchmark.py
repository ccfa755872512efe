"""The benchmark lending rate (LPR) by date, from rules/finance/settings/benchmark_rates.yaml, and the Shenzhen
guarantee-fee cap derived from it (《若干措施》（五）: 担保费率不高于国家当期银行贷款基准利率的二分之一).

Rates are integer basis points (1 bp = 0.01%); the cap is rounded down to a whole basis point and the yearly fee
cap down to a whole fen, so a ceiling is never exceeded. The values and the reading of 基准利率 as LPR are 待核实.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from srdi.rules_engine.loader import read_yaml

SETTINGS_FILE = Path("finance") / "settings" / "benchmark_rates.yaml"
LONG_TERM_MONTHS = 60  # 五年以上 takes the 5-year LPR


@dataclass(frozen=True)
class Rate:
    effective_from: date
    one_year_bp: int
    five_year_bp: int


@dataclass(frozen=True)
class BenchmarkRates:
    name: str
    source: str
    reading: str
    verification: str
    rates: tuple[Rate, ...]  # ascending by date

    @property
    def needs_verification(self) -> bool:
        return self.verification == "待核实"

    def on(self, day: date) -> Rate | None:
        """The rate in force on ``day``: the latest published on or before it; None before the first."""
        found = None
        for r in self.rates:
            if r.effective_from <= day:
                found = r
        return found


def _bp(text: str) -> int:
    s = str(text).strip()
    if not s.endswith("%"):
        raise ValueError(f"{SETTINGS_FILE}: a rate is written as a percentage, got {text!r}")
    bp = Decimal(s[:-1]) * 100
    if bp != bp.to_integral_value() or not 0 < bp < 2000:
        raise ValueError(f"{SETTINGS_FILE}: rate {text!r} must be 0–20% in whole basis points")
    return int(bp)


@lru_cache(maxsize=4)
def load(rules_dir: Path) -> BenchmarkRates:
    data = read_yaml(rules_dir / SETTINGS_FILE)
    rates = tuple(
        sorted(
            (
                Rate(
                    date.fromisoformat(str(r["effective_from"])),
                    _bp(str(r["one_year"])),
                    _bp(str(r["five_year"])),
                )
                for r in data["rates"]
            ),
            key=lambda r: r.effective_from,
        )
    )
    if len({r.effective_from for r in rates}) != len(rates):
        raise ValueError(f"{SETTINGS_FILE}: two rates on the same date")
    return BenchmarkRates(
        str(data["name"]), str(data["source"]), str(data["reading"]), str(data["verification"]), rates
    )


@dataclass(frozen=True)
class FeeCap:
    benchmark_bp: int  # the LPR that applies to the loan
    benchmark_term: str  # 1年期 / 5年期
    benchmark_from: date
    cap_bp: int  # the guarantee-fee rate ceiling: half the benchmark, rounded down
    cap_fen_per_year: int  # approved amount × cap rate, rounded down


def fee_cap(rates: BenchmarkRates, approved_on: date, amount_fen: int, term_months: int) -> FeeCap | None:
    """Half of the benchmark rate in force on the approval date, applied to the approved amount per year."""
    r = rates.on(approved_on)
    if r is None:
        return None
    long = term_months > LONG_TERM_MONTHS
    bench = r.five_year_bp if long else r.one_year_bp
    cap = bench // 2
    return FeeCap(bench, "5年期" if long else "1年期", r.effective_from, cap, amount_fen * cap // 10_000)


def percent(bp: int) -> str:
    """1.55% from 155 basis points (trailing zeros kept to two decimals)."""
    return f"{Decimal(bp) / 100:.2f}%"
