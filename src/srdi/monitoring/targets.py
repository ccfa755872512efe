"""Targets as data (rules/monitoring/targets.yaml): the measures, the seeds' targets, periods and progress.

Pure functions and the file loader only; the database rows (officials' targets, reported figures) are read by
the service. Progress of a target is ``actual / value``; a target is behind when the share done is smaller than
the share of its span elapsed (a straight line from the first day of ``from_year`` to the end of ``year``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from srdi.config import get_settings
from srdi.monitoring.enums import MeasureKind, ProgressStatus
from srdi.monitoring.exceptions import InvalidPeriod, UnknownMeasure

TARGETS_FILE = Path("monitoring") / "targets.yaml"


@dataclass(frozen=True)
class Measure:
    key: str
    label: str
    unit: str
    kind: MeasureKind
    tier: str | None = None
    aggregation: str = "stock"  # stock | flow
    # A reported flow that platform events also count towards (srdi.matchmaking events held, of this kind).
    event_kind: str | None = None

    @property
    def is_flow(self) -> bool:
        return self.kind in (MeasureKind.tier_entries, MeasureKind.disbursed) or (
            self.kind is MeasureKind.reported and self.aggregation == "flow"
        )


@dataclass(frozen=True)
class Target:
    region: str
    year: int
    from_year: int
    measure: str
    value: Decimal
    source: str
    subject: str = ""
    quote: str | None = None
    note: str | None = None
    origin: str = "file"  # file (the seeds, rules/) | official (set through the API)
    set_by: str | None = None
    verification: str | None = None


@dataclass(frozen=True)
class TargetRules:
    measures: dict[str, Measure]
    targets: list[Target]
    report: dict[str, Any] = field(default_factory=dict)
    verification: str = "V-1"

    def measure(self, key: str) -> Measure:
        m = self.measures.get(key)
        if m is None:
            raise UnknownMeasure(key, sorted(self.measures))
        return m


def parse(data: dict[str, Any]) -> TargetRules:
    measures = {
        key: Measure(
            key=key,
            label=str(m["label"]),
            unit=str(m.get("unit", "")),
            kind=MeasureKind(m["kind"]),
            tier=m.get("tier"),
            aggregation=str(m.get("aggregation", "stock")),
            event_kind=m.get("event_kind"),
        )
        for key, m in data["measures"].items()
    }
    verification = str(data.get("verification", "V-1"))
    targets: list[Target] = []
    for t in data.get("targets", []):
        if t["measure"] not in measures:
            raise UnknownMeasure(t["measure"], sorted(measures))
        years = (
            range(int(t["from_year"]), int(t.get("until_year", 2035)) + 1)
            if t.get("every_year")
            else [int(t["year"])]
        )
        for y in years:
            targets.append(
                Target(
                    region=str(t["region"]),
                    year=y,
                    from_year=y if t.get("every_year") else int(t.get("from_year", y)),
                    measure=t["measure"],
                    value=Decimal(str(t["value"])),
                    source=str(t["source"]),
                    subject=str(t.get("subject", "")),
                    quote=t.get("quote"),
                    note=t.get("note"),
                    verification=verification,
                )
            )
    return TargetRules(measures, targets, dict(data.get("report", {})), verification)


@lru_cache(maxsize=4)
def _load(path: str) -> TargetRules:
    return parse(yaml.safe_load(Path(path).read_text(encoding="utf-8")))


def rules(root: Path | None = None) -> TargetRules:
    return _load(str((root or get_settings().rules_dir) / TARGETS_FILE))


# --- periods ----------------------------------------------------------------------------------------------

PERIOD = re.compile(r"^(\d{4})(?:(Q[1-4])|(H[12])|-(0[1-9]|1[0-2]))?$")


@dataclass(frozen=True)
class Period:
    key: str
    start: date
    end: date

    @property
    def year(self) -> int:
        return self.start.year

    @property
    def label(self) -> str:
        m = PERIOD.match(self.key)
        assert m
        if m.group(2):
            return f"{self.year}年第{'一二三四'[int(m.group(2)[1]) - 1]}季度"
        if m.group(3):
            return f"{self.year}年{'上' if m.group(3) == 'H1' else '下'}半年"
        if m.group(4):
            return f"{self.year}年{int(m.group(4))}月"
        return f"{self.year}年"

    def previous(self) -> Period:
        """The same period one year earlier (同比)."""
        return parse_period(str(self.year - 1) + self.key[4:])


def _month_end(year: int, month: int) -> date:
    return (date(year + (month == 12), month % 12 + 1, 1)) - timedelta(days=1)


def parse_period(text: str) -> Period:
    m = PERIOD.match(text.strip())
    if not m or not 2000 <= int(m.group(1)) <= 2100:
        raise InvalidPeriod(text)
    year = int(m.group(1))
    if m.group(2):
        q = int(m.group(2)[1])
        return Period(m.group(0), date(year, 3 * q - 2, 1), _month_end(year, 3 * q))
    if m.group(3):
        h = int(m.group(3)[1])
        return Period(m.group(0), date(year, 6 * h - 5, 1), _month_end(year, 6 * h))
    if m.group(4):
        mo = int(m.group(4))
        return Period(m.group(0), date(year, mo, 1), _month_end(year, mo))
    return Period(m.group(0), date(year, 1, 1), date(year, 12, 31))


# --- progress ---------------------------------------------------------------------------------------------


def elapsed_share(from_year: int, year: int, as_of: date) -> Decimal:
    """Share of the span 1 January ``from_year`` … 31 December ``year`` elapsed on ``as_of`` (0…1)."""
    start, end = date(from_year, 1, 1), date(year, 12, 31)
    if as_of < start:
        return Decimal(0)
    if as_of >= end:
        return Decimal(1)
    return Decimal((as_of - start).days + 1) / Decimal((end - start).days + 1)


def progress(
    value: Decimal, actual: Decimal | None, elapsed: Decimal
) -> tuple[Decimal | None, ProgressStatus]:
    """(percent done, rounded to 0.1; status) of a target of ``value`` with ``actual`` reached so far."""
    if actual is None:
        return None, ProgressStatus.no_data
    if value <= 0:
        return Decimal(100), ProgressStatus.done
    share = actual / value
    pct = (share * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    if share >= 1:
        return pct, ProgressStatus.done
    return pct, ProgressStatus.on_track if share >= elapsed else ProgressStatus.behind


def applies_to(t: Target, region_prefix: str) -> bool:
    return t.region == region_prefix
