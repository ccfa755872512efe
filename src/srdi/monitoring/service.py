"""Monitoring views: who is in the registry, by district, industry, tier and size class (PRODUCT C8)."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy.orm import Session

from srdi.enterprise.enums import SizeClass, Tier
from srdi.kit import reference
from srdi.kit.errors import NotFoundError, ValidationFailed
from srdi.kit.money import fen_to_yuan
from srdi.monitoring import aggregates, repository, targets
from srdi.monitoring.enums import MeasureKind
from srdi.monitoring.exceptions import NoDataForPeriod, NotReportable, RegionOutOfScope
from srdi.monitoring.models import MonitoringTarget, ReportedFigure
from srdi.monitoring.schemas import (
    AppealKpiOut,
    DistrictRow,
    DistrictSummary,
    Freshness,
    GrowthOut,
    GrowthRow,
    IndustryCount,
    LabelledCount,
    MeasureOut,
    MoneyRow,
    MovementRow,
    OverviewOut,
    RankRow,
    RegionCount,
    RegionTierRow,
    ReportedFigureIn,
    TargetIn,
    TargetProgressOut,
    TrendPoint,
    YearTotal,
)

# Funnel order: from the broadest tier to the narrowest (docs/glossary.md), then the related titles.
TIER_ORDER = [
    Tier.innovative_sme,
    Tier.srdi_sme,
    Tier.little_giant,
    Tier.tech_sme,
    Tier.tech_innovative_sme,
    Tier.single_champion,
]
YEARS_SHOWN = 5
INDUSTRIES_SHOWN = 20


def region_name(prefix: str | None) -> str:
    """Name of a 2/4/6-digit region prefix from the reference table; the prefix itself if unknown."""
    if not prefix:
        return "全部地区"
    if len(prefix) == 6 and (r := reference.region(prefix)):
        return r.full_name
    for r in reference.regions().values():
        if len(prefix) == 2 and r.province_code == prefix:
            return r.province_name
        if len(prefix) == 4 and r.city_code == prefix:
            return r.province_name + (r.city_name if r.city_name not in ("市辖区", "县") else "")
    return prefix


def _short_name(code: str) -> str:
    r = reference.region(code)
    return r.name if r else code


def regions(db: Session, scope: list[str] | None) -> list[RegionCount]:
    snap = aggregates.current(db, scope, ("total",))
    counts = snap.totals(None) if snap is not None else repository.count_by_region(db, None, scope)
    return [
        RegionCount(code=code, name=region_name(code), short_name=_short_name(code), enterprises=n)
        for code, n in sorted(counts.items())
    ]


def industries(db: Session, scope: list[str] | None) -> list[IndustryCount]:
    counts = repository.count_by_industry_division(db, None, scope)
    out = []
    for code, n in counts.items():
        ind = reference.industry(code)
        out.append(
            IndustryCount(
                code=code, name=ind.name if ind else code, section=ind.section if ind else "", enterprises=n
            )
        )
    return sorted(out, key=lambda i: i.code)


def district_summary(
    db: Session, region_prefix: str | None, scope: list[str] | None, as_of: date
) -> DistrictSummary:
    # From the pre-aggregate when it was built for this date (QUALITY P7: a million enterprises), else live; both
    # count a tier as held on ``as_of`` the same way (repository._held_on), so the two agree (tested).
    snap = aggregates.read(db, region_prefix, scope, as_of, ("total", "tier:", "size:", "ind:", "fy:"))
    if snap is not None:
        by_region = snap.totals(None)
        tier_rows = snap.tiers(None)
        sizes, industry_counts = snap.sizes(), snap.industries()
        yearly = snap.yearly(YEARS_SHOWN)
        freshness = snap.freshness
    else:
        by_region = repository.count_by_region(db, region_prefix, scope)
        tier_rows = repository.tier_counts_on(db, region_prefix, scope, as_of, 6)
        sizes = repository.count_by_size_class(db, region_prefix, scope)
        industry_counts = repository.count_by_industry_division(db, region_prefix, scope)
        yearly = repository.yearly_totals(db, region_prefix, scope, YEARS_SHOWN)
        freshness = Freshness(source="live", refreshed_at=None, stale=False)
    # Each enterprise has one region, so the per-district counts add up to the totals: one query, not two.
    tiers: dict[str, int] = {}
    district_tiers: dict[str, dict[str, int]] = {}
    for code, tier, n in tier_rows:
        district_tiers.setdefault(code, {})[tier] = n
        tiers[tier] = tiers.get(tier, 0) + n

    by_industry = []
    for code, n in sorted(industry_counts.items(), key=lambda kv: (-kv[1], kv[0]))[:INDUSTRIES_SHOWN]:
        ind = reference.industry(code)
        by_industry.append(
            IndustryCount(
                code=code, name=ind.name if ind else code, section=ind.section if ind else "", enterprises=n
            )
        )
    size_rows = [LabelledCount(key=s.value, label=s.label, count=sizes.get(s.value, 0)) for s in SizeClass]
    size_rows.append(LabelledCount(key="unknown", label="数据不足", count=sizes.get(None, 0)))
    # Without a chosen region the view covers the user's whole jurisdiction: name it rather than "全部地区".
    shown = region_prefix or (scope[0] if scope and len(scope) == 1 else None)
    return DistrictSummary(
        as_of=as_of,
        region_code=shown,
        region_name=region_name(shown),
        total=sum(by_region.values()),
        by_tier=[LabelledCount(key=t.value, label=t.label, count=tiers.get(t.value, 0)) for t in TIER_ORDER],
        by_size_class=size_rows,
        by_district=[
            DistrictRow(code=code, name=_short_name(code), total=n, tiers=district_tiers.get(code, {}))
            for code, n in sorted(by_region.items(), key=lambda kv: (-kv[1], kv[0]))
        ],
        by_industry=by_industry,
        yearly=[
            YearTotal(
                fiscal_year=y,
                enterprises_reporting=n,
                operating_revenue=fen_to_yuan(rev),
                rd_expense=fen_to_yuan(rd),
                net_profit=fen_to_yuan(profit),
            )
            for y, n, rev, rd, profit in yearly
        ],
        freshness=freshness,
    )


# --- targets, progress and the overview (issue 18) -----------------------------------------------------------

SRDI_TIERS = ("srdi_sme", "little_giant")  # 纳入监测的专精特新企业: 专精特新中小企业 and 小巨人
TREND_YEARS = 4
LEVELS = {2: "province", 4: "city", 6: "district"}
ONE = Decimal("0.1")


def normalize_region(code: str | None) -> str | None:
    """440300 → 4403 and 440000 → 44 (a GB/T 2260 code ending in zeros names the city or province); 440305 stays."""
    if not code:
        return code
    while len(code) > 2 and code.endswith("00"):
        code = code[:-2]
    return code


def check_region(region: str | None, scope: list[str] | None) -> None:
    """A region outside the caller's area answers 404 — a broader one (the province for a city official) too."""
    if region and scope is not None and not any(region.startswith(p) for p in scope):
        raise RegionOutOfScope(region)


def default_region(scope: list[str] | None) -> str | None:
    return scope[0] if scope and len(scope) == 1 else None


def _pct(num: Decimal | int, den: Decimal | int) -> Decimal | None:
    if not den:
        return None
    return (Decimal(num) * 100 / Decimal(den)).quantize(ONE, rounding=ROUND_HALF_UP)


def _growth(cur: int, prev: int) -> Decimal | None:
    if prev <= 0:
        return None
    return ((Decimal(cur) / Decimal(prev) - 1) * 100).quantize(ONE, rounding=ROUND_HALF_UP)


def measures_out() -> list[MeasureOut]:
    r = targets.rules()
    return [
        MeasureOut(
            key=m.key,
            label=m.label,
            unit=m.unit,
            kind=m.kind.value,
            reportable=m.kind is MeasureKind.reported,
        )
        for m in r.measures.values()
    ]


def _file_targets() -> list[targets.Target]:
    return targets.rules().targets


def _official_targets(db: Session, prefixes: list[str] | None) -> list[targets.Target]:
    out = []
    for row in repository.official_targets(db, prefixes):
        out.append(
            targets.Target(
                region=row.region_code,
                year=row.year,
                from_year=row.from_year,
                measure=row.measure,
                value=Decimal(row.value),
                source=row.source,
                subject=row.subject,
                note=row.note,
                origin="official",
                set_by=row.set_by,
            )
        )
    return out


def all_targets(db: Session, scope: list[str] | None) -> list[tuple[targets.Target, int | None]]:
    """File targets within the caller's area, then officials' rows (which replace a file row with the same key)."""
    ids = {
        (r.region_code, r.year, r.measure, r.subject): r.id for r in repository.official_targets(db, scope)
    }
    official = _official_targets(db, scope)
    keys = {(t.region, t.year, t.measure, t.subject) for t in official}
    out: list[tuple[targets.Target, int | None]] = [
        (t, None)
        for t in _file_targets()
        if (t.region, t.year, t.measure, t.subject) not in keys
        and (scope is None or any(t.region.startswith(p) for p in scope))
    ]
    out += [(t, ids[(t.region, t.year, t.measure, t.subject)]) for t in official]
    return out


def actual_of(
    db: Session, t: targets.Target, as_of: date, snapshot: aggregates.Snapshot | None = None
) -> Decimal | None:
    """What has been reached of target ``t`` by ``as_of`` (computed from the registry, appeals and grants, or
    the figures officials reported)."""
    m = targets.rules().measure(t.measure)
    start, end = date(t.from_year, 1, 1), min(date(t.year, 12, 31), as_of)
    if end < start:
        return Decimal(0) if m.kind is not MeasureKind.reported else None
    if m.kind is MeasureKind.tier_count:
        if snapshot is not None and snapshot.as_of == end:
            return Decimal(snapshot.tier_count(t.region, str(m.tier)))
        rows = repository.tier_counts_on(db, t.region, None, end, None)
        return Decimal(sum(n for _, tier, n in rows if tier == m.tier))
    if m.kind is MeasureKind.tier_entries:
        return Decimal(repository.tier_entries(db, t.region, None, str(m.tier), start, end))
    if m.kind is MeasureKind.appeal_closure:
        c = repository.appeal_counts(db, t.region, None, start, end)
        return _pct(c["done"], c["filed"] - c["rejected"])
    if m.kind is MeasureKind.disbursed:
        fen = sum(repository.disbursed_by_policy(db, t.region, None, start, end).values())
        return (Decimal(fen) / 1_000_000).quantize(Decimal("0.01"))  # 万元
    if m.aggregation == "flow":
        v = repository.reported_sum(db, t.region, t.measure, t.subject, start, end)
        if m.event_kind and not t.subject:
            # Events held on the platform add to what officials reported of events held elsewhere.
            held = repository.events_held(db, t.region, m.event_kind, start, end)
            if held:
                v = (v or 0) + held
    else:
        v = repository.reported_latest(db, t.region, t.measure, t.subject, end)
    return None if v is None else Decimal(v)


def target_progress(
    db: Session,
    t: targets.Target,
    target_id: int | None,
    as_of: date,
    snapshot: aggregates.Snapshot | None = None,
) -> TargetProgressOut:
    m = targets.rules().measure(t.measure)
    actual = actual_of(db, t, as_of, snapshot)
    elapsed = targets.elapsed_share(t.from_year, t.year, as_of)
    pct, status = targets.progress(t.value, actual, elapsed)
    return TargetProgressOut(
        id=target_id,
        region_code=t.region,
        region_name=region_name(t.region),
        year=t.year,
        from_year=t.from_year,
        measure=t.measure,
        measure_label=m.label,
        unit=m.unit,
        subject=t.subject,
        value=t.value,
        actual=actual,
        percent=pct,
        elapsed_percent=(elapsed * 100).quantize(ONE, rounding=ROUND_HALF_UP),
        status=status.value,
        status_label=status.label,
        origin=t.origin,
        source=t.source,
        quote=t.quote,
        note=t.note,
        verification=t.verification,
        set_by=t.set_by,
    )


def targets_for(
    db: Session,
    region: str | None,
    scope: list[str] | None,
    year: int,
    as_of: date,
    *,
    children: bool,
    snapshot: aggregates.Snapshot | None = None,
) -> list[TargetProgressOut]:
    """Targets of ``region`` (and, with ``children``, of the regions below it) whose span includes ``year``."""
    out = []
    for t, tid in all_targets(db, scope):
        if not t.from_year <= year <= t.year:
            continue
        if region and not (t.region == region or (children and t.region.startswith(region))):
            continue
        out.append(target_progress(db, t, tid, as_of, snapshot))
    return sorted(out, key=lambda p: (len(p.region_code), p.region_code, p.measure, p.subject))


def set_target(db: Session, body: TargetIn, scope: list[str] | None, actor: str) -> MonitoringTarget:
    targets.rules().measure(body.measure)  # an unknown measure is refused, naming it
    check_region(body.region_code, scope)
    from_year = body.from_year or body.year
    if from_year > body.year:
        raise ValidationFailed("起算年度不能晚于目标年度", "from_year after year")
    row: MonitoringTarget | None = repository.find_target(
        db, body.region_code, body.year, body.measure, body.subject
    )
    if row is None:
        row = MonitoringTarget(
            region_code=body.region_code, year=body.year, measure=body.measure, subject=body.subject
        )
        db.add(row)
    row.from_year, row.value, row.source, row.note, row.set_by = (
        from_year,
        body.value.quantize(Decimal("0.01")),
        body.source,
        body.note,
        actor,
    )
    db.flush()
    return row


def delete_target(db: Session, target_id: int, scope: list[str] | None) -> MonitoringTarget:
    row = db.get(MonitoringTarget, target_id)
    if row is None or (scope is not None and not any(row.region_code.startswith(p) for p in scope)):
        raise NotFoundError("未找到该目标", f"target {target_id} not found")
    db.delete(row)
    db.flush()
    return row


def report_figure(db: Session, body: ReportedFigureIn, scope: list[str] | None, actor: str) -> ReportedFigure:
    m = targets.rules().measure(body.measure)
    if m.kind is not MeasureKind.reported:
        raise NotReportable(m.key, m.label)
    check_region(body.region_code, scope)
    row = ReportedFigure(
        region_code=body.region_code,
        measure=body.measure,
        subject=body.subject,
        on_date=body.on_date,
        value=body.value,
        note=body.note,
        reported_by=actor,
    )
    db.add(row)
    db.flush()
    return row


def growth(
    db: Session,
    region: str | None,
    scope: list[str] | None,
    up_to_year: int,
    snapshot: aggregates.Snapshot | None = None,
) -> GrowthOut:
    kept = snapshot.growth() if snapshot is not None else None
    year = kept[0] if kept else repository.latest_fiscal_year(db, region, scope, up_to_year)
    method = (
        "同口径：本年度与上年度均填报营业收入的中小企业（不含大型企业），合计值同比；"
        "专精特新企业指年末持有有效专精特新中小企业或“小巨人”称号的企业；研发强度 = 研发费用 ÷ 营业收入"
    )
    if year is None:
        return GrowthOut(fiscal_year=None, srdi_sample=0, all_sample=0, method=method, rows=[], sentences=[])
    if kept:
        s, a = kept[1], kept[2]
    else:
        s = repository.same_sample_totals(db, region, scope, year, SRDI_TIERS)
        a = repository.same_sample_totals(db, region, scope, year, None)
    if a["n"] == 0:
        return GrowthOut(fiscal_year=year, srdi_sample=0, all_sample=0, method=method, rows=[], sentences=[])

    def diff(x: Decimal | None, y: Decimal | None) -> Decimal | None:
        return None if x is None or y is None else x - y

    rows = []
    for key, label, cur, prev in (
        ("revenue", "营业收入", "rev", "rev_prev"),
        ("profit", "利润", "profit", "profit_prev"),
        ("employees", "从业人员", "emp", "emp_prev"),
    ):
        gs, ga = (_growth(s[cur], s[prev]) if s["n"] else None), _growth(a[cur], a[prev])
        rows.append(GrowthRow(measure=key, label=label, srdi=gs, all_smes=ga, difference_pp=diff(gs, ga)))
    rs, ra = (_pct(s["rd"], s["rev"]) if s["n"] else None), _pct(a["rd"], a["rev"])
    rows.insert(
        2,
        GrowthRow(measure="rd_intensity", label="研发强度", srdi=rs, all_smes=ra, difference_pp=diff(rs, ra)),
    )
    return GrowthOut(
        fiscal_year=year,
        srdi_sample=s["n"],
        all_sample=a["n"],
        method=method,
        rows=rows,
        sentences=growth_sentences(year, s["n"], rows),
    )


def _compare(d: Decimal) -> str:
    if d > 0:
        return f"高于全部监测中小企业 {d} 个百分点"
    if d < 0:
        return f"低于全部监测中小企业 {-d} 个百分点"
    return "与全部监测中小企业持平"


def growth_sentences(year: int, sample: int, rows: list[GrowthRow]) -> list[str]:
    """The seeds' kind of sentence: “营业收入同比增长 25.5%，高于全部监测中小企业 4.0 个百分点”."""
    parts = []
    for r in rows:
        if r.srdi is None:
            continue
        if r.measure == "rd_intensity":
            text = f"研发强度 {r.srdi}%"
        else:
            verb = "增长" if r.srdi >= 0 else "下降"
            text = f"{r.label}同比{verb} {abs(r.srdi)}%"
        if r.difference_pp is not None:
            text += "，" + _compare(r.difference_pp)
        parts.append(text)
    if not parts:
        return []
    return [f"{year}年，纳入监测的专精特新企业（同口径 {sample} 家）" + "；".join(parts) + "。"]


def appeal_kpis(
    db: Session, region: str | None, scope: list[str] | None, start: date, end: date
) -> AppealKpiOut:
    c = repository.appeal_counts(db, region, scope, start, end)
    return AppealKpiOut(
        **c,
        closure_rate=_pct(c["done"], c["filed"] - c["rejected"]),
        on_time_rate=_pct(c["on_time"], c["done"]),
        satisfaction_rate=_pct(c["satisfied"], c["rated"]),
    )


def money(db: Session, region: str | None, scope: list[str] | None, start: date, end: date) -> list[MoneyRow]:
    paid = repository.disbursed_by_policy(db, region, scope, start, end)
    budgets = repository.policy_budgets(db, sorted(paid))
    out = []
    for key, fen in sorted(paid.items()):
        title, budget = budgets.get(key, (key, None))
        out.append(
            MoneyRow(
                policy_key=key,
                title=title,
                disbursed=fen_to_yuan(fen),
                budget=None if budget is None else fen_to_yuan(budget),
                percent=_pct(fen, budget) if budget else None,
            )
        )
    return out


def overview(
    db: Session, region: str | None, scope: list[str] | None, period: targets.Period, today: date
) -> OverviewOut:
    region = normalize_region(region)
    check_region(region, scope)
    region = region or default_region(scope)
    if period.start > today:
        raise NoDataForPeriod(
            period.key, region_name(region), f"该期间自 {period.start.isoformat()} 开始，尚未到来"
        )
    as_of = min(period.end, today)
    level = LEVELS.get(len(region), "all") if region else "all"
    child_len = {None: 2, 2: 4, 4: 6}.get(len(region) if region else None)
    parent = region[:-2] if region and len(region) > 2 else None
    if parent is not None and scope is not None and not any(parent.startswith(p) for p in scope):
        parent = None

    fresh = aggregates.read(db, region, scope, as_of)
    if fresh is not None:
        totals, tier_rows, freshness = fresh.totals(child_len), fresh.tiers(child_len), fresh.freshness
    else:
        group_len = child_len or 6
        totals = repository.count_by_group(db, region, scope, group_len)
        tier_rows = repository.tier_counts_on(db, region, scope, as_of, group_len)
        freshness = Freshness(source="live", refreshed_at=None, stale=False)
    tiers: dict[str, int] = {}
    child_tiers: dict[str, dict[str, int]] = {}
    for g, tier, n in tier_rows:
        child_tiers.setdefault(g, {})[tier] = n
        tiers[tier] = tiers.get(tier, 0) + n
    children = (
        [
            RegionTierRow(code=c, name=region_name(c), total=n, tiers=child_tiers.get(c, {}))
            for c, n in sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))
        ]
        if child_len
        else []
    )

    trend = []
    for on in [date(y, 12, 31) for y in range(as_of.year - TREND_YEARS, as_of.year)] + [as_of]:
        kept = fresh.trend(on.year) if fresh is not None and on != as_of else None
        if on == as_of:
            counts = dict(tiers)
        elif kept is not None:
            counts = kept
        else:
            counts = {t: n for _, t, n in repository.tier_counts_on(db, region, scope, on, None)}
        trend.append(TrendPoint(on=on, tiers=counts))

    moves: dict[str, dict[str, int]] = {}
    kept_moves = fresh.movements(period.start, as_of) if fresh is not None else None
    if kept_moves is None:
        kept_moves = repository.movements(db, region, scope, period.start, as_of)
    for tier, reason, n in kept_moves:
        moves.setdefault(tier, {"new": 0, "expired": 0, "revoked": 0})[reason] = n
    movement_rows = [
        MovementRow(
            tier=t.value,
            tier_label=t.label,
            new=moves[t.value]["new"],
            expired=moves[t.value]["expired"],
            revoked=moves[t.value]["revoked"],
            net=moves[t.value]["new"] - moves[t.value]["expired"] - moves[t.value]["revoked"],
        )
        for t in TIER_ORDER
        if t.value in moves
    ]

    target_rows = targets_for(db, region, scope, period.year, as_of, children=True, snapshot=fresh)
    mine = [t for t in target_rows if t.region_code == region] if region else target_rows
    ranking = sorted(
        (
            RankRow(
                code=t.region_code,
                name=region_name(t.region_code),
                measure=t.measure,
                measure_label=t.measure_label,
                target=t.value,
                actual=t.actual,
                percent=t.percent,
                status=t.status,
            )
            for t in target_rows
            if child_len and len(t.region_code) == child_len and not t.subject
        ),
        key=lambda r: (r.measure, -(r.percent if r.percent is not None else Decimal(-1)), r.code),
    )
    return OverviewOut(
        region_code=region,
        region_name=region_name(region),
        level=level,
        parent_code=parent,
        period=period.key,
        period_label=period.label,
        period_start=period.start,
        period_end=period.end,
        as_of=as_of,
        total=sum(totals.values()),
        by_tier=[LabelledCount(key=t.value, label=t.label, count=tiers.get(t.value, 0)) for t in TIER_ORDER],
        children=children,
        trend=trend,
        movements=movement_rows,
        growth=growth(db, region, scope, period.year, fresh),
        appeals=appeal_kpis(db, region, scope, period.start, as_of),
        money=money(db, region, scope, period.start, as_of),
        targets=mine,
        ranking=ranking,
        freshness=freshness,
    )
