"""Pre-aggregated registry counts per district, for the dashboard over a million enterprises (QUALITY P7).

One refresh rebuilds the whole table in one transaction with INSERT … SELECT … GROUP BY (no rows pass through
Python): enterprises per district and enterprises holding each tier on the refresh's date. The refresh row keeps
the newest change-log id and enterprise id it saw; any registry change after it (a new, edited or imported
enterprise, a recognition written through the registry service) makes the aggregate *stale*. A stale aggregate
is still served — flagged, with its time, on the page — and the API schedules a refresh; ``srdi monitoring
refresh`` does the same from the scheduler (cron), so the aggregate is at most one refresh behind. A date other
than the refresh's (a past period) is computed live.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Integer, String, cast, delete, extract, func, insert, literal, or_, select
from sqlalchemy.orm import Session

from srdi.enterprise.models import Enterprise, Recognition, YearlyFigure
from srdi.monitoring import repository
from srdi.monitoring.models import AggregateRefresh, RegionAggregate
from srdi.monitoring.schemas import Freshness

SRDI_TIERS = ("srdi_sme", "little_giant")  # as srdi.monitoring.service.SRDI_TIERS
TREND_YEARS = 4


def _position(db: Session) -> int:
    """Change-log id and enterprise id folded into one number that grows with every registry change."""
    top = int(db.scalar(select(func.max(Enterprise.id))) or 0)
    return repository.registry_position(db) * 10_000_000_000 + top


def refresh(db: Session, as_of: date, trigger: str = "manual") -> AggregateRefresh:
    """Rebuild the aggregate for ``as_of`` (the caller commits)."""
    started = time.perf_counter()
    position = _position(db)
    db.execute(delete(RegionAggregate))
    db.execute(
        insert(RegionAggregate).from_select(
            ["region_code", "key", "value"],
            select(Enterprise.region_code, literal("total"), func.count()).group_by(Enterprise.region_code),
        )
    )
    key = literal("tier:", String) + Recognition.tier
    db.execute(
        insert(RegionAggregate).from_select(
            ["region_code", "key", "value"],
            select(Enterprise.region_code, key, func.count(func.distinct(Enterprise.id)))
            .join(Recognition, Recognition.enterprise_id == Enterprise.id)
            .where(repository._held_on(as_of))
            .group_by(Enterprise.region_code, Recognition.tier),
        )
    )
    # The district board's breakdowns (srdi.monitoring.service.district_summary): size classes, industry
    # divisions, and the yearly sums of every fiscal year (the board shows the newest few).
    size = literal("size:", String) + func.coalesce(Enterprise.size_class, "unknown")
    db.execute(
        insert(RegionAggregate).from_select(
            ["region_code", "key", "value"],
            select(Enterprise.region_code, size, func.count()).group_by(Enterprise.region_code, size),
        )
    )
    division = literal("ind:", String) + func.substr(Enterprise.industry_code, 1, 2)
    db.execute(
        insert(RegionAggregate).from_select(
            ["region_code", "key", "value"],
            select(Enterprise.region_code, division, func.count())
            .where(Enterprise.industry_code.is_not(None))
            .group_by(Enterprise.region_code, division),
        )
    )
    fiscal = cast(YearlyFigure.fiscal_year, String)
    for field, value in (
        ("n", func.count(YearlyFigure.operating_revenue)),
        ("rev", func.coalesce(func.sum(YearlyFigure.operating_revenue), 0)),
        ("rd", func.coalesce(func.sum(YearlyFigure.rd_expense), 0)),
        ("profit", func.coalesce(func.sum(YearlyFigure.net_profit), 0)),
    ):
        key = literal("fy:", String) + fiscal + literal(f":{field}", String)
        db.execute(
            insert(RegionAggregate).from_select(
                ["region_code", "key", "value"],
                select(Enterprise.region_code, key, value)
                .join(YearlyFigure, YearlyFigure.enterprise_id == Enterprise.id)
                .group_by(Enterprise.region_code, key),
            )
        )
    # The trend (tiers held at the last year ends) and the same-sample growth sums of the latest fiscal year.
    for year in range(as_of.year - TREND_YEARS, as_of.year):
        db.execute(
            insert(RegionAggregate).from_select(
                ["region_code", "key", "value"],
                select(
                    Enterprise.region_code,
                    literal(f"trend:{year}:", String) + Recognition.tier,
                    func.count(func.distinct(Enterprise.id)),
                )
                .join(Recognition, Recognition.enterprise_id == Enterprise.id)
                .where(repository._held_on(date(year, 12, 31)))
                .group_by(Enterprise.region_code, Recognition.tier),
            )
        )
    # Entries and exits per month of the refresh's year up to its date (a current period is whole months).
    year_start = date(as_of.year, 1, 1)
    for reason, column, cond in (
        ("new", Recognition.announced_date, Recognition.id.is_not(None)),
        ("expired", Recognition.valid_until, Recognition.status != "revoked"),
        ("revoked", Recognition.revoked_date, Recognition.status == "revoked"),
    ):
        month = cast(cast(extract("month", column), Integer), String)
        key = literal(f"mv:{reason}:", String) + Recognition.tier + literal(":", String) + month
        db.execute(
            insert(RegionAggregate).from_select(
                ["region_code", "key", "value"],
                select(Enterprise.region_code, key, func.count())
                .join(Recognition, Recognition.enterprise_id == Enterprise.id)
                .where(column.between(year_start, as_of), cond)
                .group_by(Enterprise.region_code, key),
            )
        )
    fy = repository.latest_fiscal_year(db, None, None, as_of.year)
    if fy is not None:
        values = []
        for sample, tiers in (("srdi", SRDI_TIERS), ("all", None)):
            for code, sums in repository.same_sample_by_district(db, None, None, fy, tiers).items():
                values += [
                    {"region_code": code, "key": f"g:{fy}:{sample}:{k}", "value": v} for k, v in sums.items()
                ]
        if values:
            db.execute(insert(RegionAggregate), values)
    total = int(
        db.scalar(
            select(func.coalesce(func.sum(RegionAggregate.value), 0)).where(RegionAggregate.key == "total")
        )
        or 0
    )
    row = AggregateRefresh(
        as_of=as_of,
        change_log_id=position,
        enterprises=total,
        growth_year=fy,
        duration_ms=int((time.perf_counter() - started) * 1000),
        trigger=trigger,
    )
    db.add(row)
    db.flush()
    return row


def latest(db: Session) -> AggregateRefresh | None:
    return db.scalar(select(AggregateRefresh).order_by(AggregateRefresh.id.desc()).limit(1))


def is_stale(db: Session, ref: AggregateRefresh) -> bool:
    return _position(db) != ref.change_log_id


def current(db: Session, scope: list[str] | None, keys: tuple[str, ...]) -> Snapshot | None:
    """The latest aggregate's rows if no registry change came after it (for views with no date of their own)."""
    ref = latest(db)
    if ref is None or is_stale(db, ref):
        return None
    return read(db, None, scope, ref.as_of, keys)


@dataclass
class Snapshot:
    rows: list[tuple[str, str, int]]
    freshness: Freshness
    as_of: date
    growth_year: int | None = None

    def totals(self, group_len: int | None) -> dict[str, int]:
        out: dict[str, int] = defaultdict(int)
        for code, key, n in self.rows:
            if key == "total":
                out[code[: group_len or 6]] += n
        return dict(out)

    def trend(self, year: int) -> dict[str, int] | None:
        """Tiers held on 31 December ``year`` (None if the refresh did not keep that year)."""
        if not self.as_of.year - TREND_YEARS <= year < self.as_of.year:
            return None
        prefix = f"trend:{year}:"
        out: dict[str, int] = defaultdict(int)
        for _, key, n in self.rows:
            if key.startswith(prefix):
                out[key[len(prefix) :]] += n
        return dict(out)

    def growth(self) -> tuple[int, dict[str, int], dict[str, int]] | None:
        """(fiscal year, SRDI sums, all-SME sums) over the rows, if the refresh computed them."""
        if self.growth_year is None:
            return None
        sums = {sample: dict.fromkeys(repository.SAMPLE_FIELDS, 0) for sample in ("srdi", "all")}
        prefix = f"g:{self.growth_year}:"
        for _, key, n in self.rows:
            if key.startswith(prefix):
                _, _, sample, field = key.split(":")
                sums[sample][field] += n
        return self.growth_year, sums["srdi"], sums["all"]

    def movements(self, start: date, end: date) -> list[tuple[str, str, int]] | None:
        """(tier, reason, recognitions) within whole months ``start`` … ``end`` = the refresh date, else None."""
        if end != self.as_of or start.year != end.year or start.day != 1:
            return None
        months = {str(m) for m in range(start.month, end.month + 1)}
        out: dict[tuple[str, str], int] = defaultdict(int)
        for _, key, n in self.rows:
            if key.startswith("mv:"):
                _, reason, tier, month = key.split(":")
                if month in months:
                    out[(tier, reason)] += n
        return [(t, r, n) for (t, r), n in out.items()]

    def tier_count(self, region: str, tier: str) -> int:
        """Enterprises of ``region`` (a prefix within the snapshot's rows) holding ``tier`` on the refresh date."""
        key = f"tier:{tier}"
        return sum(n for code, k, n in self.rows if k == key and code.startswith(region))

    def _summed(self, prefix: str) -> dict[str, int]:
        out: dict[str, int] = defaultdict(int)
        for _, key, n in self.rows:
            if key.startswith(prefix):
                out[key[len(prefix) :]] += n
        return dict(out)

    def sizes(self) -> dict[str | None, int]:
        """Enterprises per size class (None: 数据不足), as repository.count_by_size_class."""
        return {(None if k == "unknown" else k): n for k, n in self._summed("size:").items()}

    def industries(self) -> dict[str, int]:
        """Enterprises per 2-digit industry division, as repository.count_by_industry_division."""
        return self._summed("ind:")

    def yearly(self, last_years: int) -> list[tuple[int, int, int, int, int]]:
        """As repository.yearly_totals: (year, reporting, Σ revenue, Σ R&D, Σ profit) of the newest years."""
        sums: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(("n", "rev", "rd", "profit"), 0))
        for key, n in self._summed("fy:").items():
            year, field = key.split(":")
            sums[int(year)][field] += n
        years = sorted(sums)[-last_years:] if last_years else []
        return [(y, sums[y]["n"], sums[y]["rev"], sums[y]["rd"], sums[y]["profit"]) for y in years]

    def tiers(self, group_len: int | None) -> list[tuple[str, str, int]]:
        out: dict[tuple[str, str], int] = defaultdict(int)
        for code, key, n in self.rows:
            if key.startswith("tier:"):
                out[(code[: group_len or 6], key[5:])] += n
        return [(g, t, n) for (g, t), n in out.items()]


def read(
    db: Session, region: str | None, scope: list[str] | None, as_of: date, keys: tuple[str, ...] = ()
) -> Snapshot | None:
    """The aggregate rows within ``region`` and ``scope`` if the aggregate was built for ``as_of``; else None.
    ``keys``: only the rows whose key starts with one of these (a view that needs a few of the ~250 keys per
    district)."""
    ref = latest(db)
    if ref is None or ref.as_of != as_of:
        return None
    q = select(RegionAggregate.region_code, RegionAggregate.key, RegionAggregate.value)
    if region:
        q = q.where(RegionAggregate.region_code.startswith(region))
    if keys:
        q = q.where(or_(*[RegionAggregate.key.startswith(k) for k in keys]))
    rows = [(c, k, int(v)) for c, k, v in db.execute(q).all()]
    if scope is not None:
        rows = [r for r in rows if any(r[0].startswith(p) for p in scope)]
    fresh = Freshness(source="aggregate", refreshed_at=ref.refreshed_at, stale=is_stale(db, ref))
    return Snapshot(rows, fresh, ref.as_of, ref.growth_year)
