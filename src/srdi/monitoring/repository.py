"""Aggregate queries over the registry (GROUP BY in the database; no rows are loaded into Python)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, case, exists, false, func, literal, or_, select, true
from sqlalchemy.orm import Session, aliased

from srdi.enterprise.models import Enterprise, Recognition, YearlyFigure

BEIJING = ZoneInfo("Asia/Shanghai")


def _where(region_prefix: str | None, scope_prefixes: list[str] | None) -> ColumnElement[bool]:
    conds: list[ColumnElement[bool]] = []
    if region_prefix:
        conds.append(Enterprise.region_code.startswith(region_prefix))
    if scope_prefixes is not None:
        conds.append(
            or_(*[Enterprise.region_code.startswith(p) for p in scope_prefixes])
            if scope_prefixes
            else false()
        )
    out: ColumnElement[bool] = true()
    for c in conds:
        out = out & c
    return out


def count_by_region(db: Session, region_prefix: str | None, scope: list[str] | None) -> dict[str, int]:
    q = (
        select(Enterprise.region_code, func.count())
        .where(_where(region_prefix, scope))
        .group_by(Enterprise.region_code)
    )
    return {code: n for code, n in db.execute(q).all()}


def count_by_industry_division(
    db: Session, region_prefix: str | None, scope: list[str] | None
) -> dict[str, int]:
    division = func.substr(Enterprise.industry_code, 1, 2)
    q = select(division, func.count()).where(_where(region_prefix, scope)).group_by(division)
    return {code: n for code, n in db.execute(q).all()}


def count_by_size_class(
    db: Session, region_prefix: str | None, scope: list[str] | None
) -> dict[str | None, int]:
    q = (
        select(Enterprise.size_class, func.count())
        .where(_where(region_prefix, scope))
        .group_by(Enterprise.size_class)
    )
    return {code: n for code, n in db.execute(q).all()}


def yearly_totals(
    db: Session, region_prefix: str | None, scope: list[str] | None, last_years: int
) -> list[tuple[int, int, int, int, int]]:
    """(fiscal_year, enterprises reporting revenue, Σ revenue fen, Σ R&D fen, Σ net profit fen), newest years."""
    q = select(
        YearlyFigure.fiscal_year,
        func.count(YearlyFigure.operating_revenue),
        func.coalesce(func.sum(YearlyFigure.operating_revenue), 0),
        func.coalesce(func.sum(YearlyFigure.rd_expense), 0),
        func.coalesce(func.sum(YearlyFigure.net_profit), 0),
    )
    if region_prefix or scope is not None:
        # The join costs most of this view's time; an unrestricted caller (administrator) does not need it.
        q = q.join(Enterprise, Enterprise.id == YearlyFigure.enterprise_id).where(
            _where(region_prefix, scope)
        )
    q = q.group_by(YearlyFigure.fiscal_year).order_by(YearlyFigure.fiscal_year.desc()).limit(last_years)
    rows = [(int(y), int(n), int(r or 0), int(d or 0), int(p or 0)) for y, n, r, d, p in db.execute(q).all()]
    return sorted(rows)


# --- targets, movements, growth, appeals and money (issue 18) ----------------------------------------------

# A recognition that held on a date: announced by then, not yet past its validity, and not revoked before it.
HELD_STATUSES = ("valid", "expired", "under_re_review")


def _held_on(as_of: date) -> ColumnElement[bool]:
    return (
        Recognition.status.in_(HELD_STATUSES)
        & (Recognition.announced_date <= as_of)
        & (Recognition.valid_until >= as_of)
    ) | (
        (Recognition.status == "revoked")
        & (Recognition.announced_date <= as_of)
        & (Recognition.valid_until >= as_of)
        & (Recognition.revoked_date > as_of)
    )


def tier_counts_on(
    db: Session, region_prefix: str | None, scope: list[str] | None, as_of: date, group_len: int | None
) -> list[tuple[str, str, int]]:
    """(region group, tier, enterprises holding that tier on ``as_of``) — a date in the past counts what held then
    (an expired recognition held until its end, a revoked one until its revocation). ``group_len`` groups by a
    2/4/6-digit prefix of the region code; None gives one group ``""``."""
    group: Any = func.substr(Enterprise.region_code, 1, group_len) if group_len else literal("")
    q = (
        select(group, Recognition.tier, func.count(func.distinct(Enterprise.id)))
        .join(Recognition, Recognition.enterprise_id == Enterprise.id)
        .where(_where(region_prefix, scope), _held_on(as_of))
        .group_by(group, Recognition.tier)
    )
    return [(str(g), t, int(n)) for g, t, n in db.execute(q).all()]


def count_by_group(
    db: Session, region_prefix: str | None, scope: list[str] | None, group_len: int
) -> dict[str, int]:
    group = func.substr(Enterprise.region_code, 1, group_len)
    q = select(group, func.count()).where(_where(region_prefix, scope)).group_by(group)
    return {str(g): int(n) for g, n in db.execute(q).all()}


def movements(
    db: Session, region_prefix: str | None, scope: list[str] | None, start: date, end: date
) -> list[tuple[str, str, int]]:
    """(tier, reason, recognitions) in [start, end]: new recognitions (announced), expiries (validity ended, not
    revoked), revocations (revoked)."""
    out: list[tuple[str, str, int]] = []
    base = select(Recognition.tier, func.count()).join(Enterprise, Enterprise.id == Recognition.enterprise_id)
    where = _where(region_prefix, scope)
    for reason, cond in (
        ("new", Recognition.announced_date.between(start, end)),
        ("expired", Recognition.valid_until.between(start, end) & (Recognition.status != "revoked")),
        ("revoked", (Recognition.status == "revoked") & Recognition.revoked_date.between(start, end)),
    ):
        for tier, n in db.execute(base.where(where, cond).group_by(Recognition.tier)).all():
            out.append((tier, reason, int(n)))
    return out


def tier_entries(
    db: Session, region_prefix: str, scope: list[str] | None, tier: str, start: date, end: date
) -> int:
    q = (
        select(func.count())
        .select_from(Recognition)
        .join(Enterprise, Enterprise.id == Recognition.enterprise_id)
        .where(
            _where(region_prefix, scope),
            Recognition.tier == tier,
            Recognition.announced_date.between(start, end),
        )
    )
    return int(db.scalar(q) or 0)


def latest_fiscal_year(
    db: Session, region_prefix: str | None, scope: list[str] | None, up_to: int
) -> int | None:
    q = (
        select(func.max(YearlyFigure.fiscal_year))
        .join(Enterprise, Enterprise.id == YearlyFigure.enterprise_id)
        .where(
            _where(region_prefix, scope),
            YearlyFigure.fiscal_year <= up_to,
            YearlyFigure.operating_revenue.is_not(None),
        )
    )
    y = db.scalar(q)
    return None if y is None else int(y)


def same_sample_totals(
    db: Session,
    region_prefix: str | None,
    scope: list[str] | None,
    year: int,
    srdi_tiers: tuple[str, ...] | None,
) -> dict[str, int]:
    """Σ of ``year`` and ``year − 1`` over the enterprises that reported operating revenue for both years (同口径),
    SMEs only (size class not ``large``); with ``srdi_tiers``, only those holding one of the tiers at year end."""
    rows = same_sample_by_district(db, region_prefix, scope, year, srdi_tiers, grouped=False)
    return rows.get("", dict.fromkeys(SAMPLE_FIELDS, 0))


SAMPLE_FIELDS = ("n", "rev", "rev_prev", "profit", "profit_prev", "rd", "rd_prev", "emp", "emp_prev")


def same_sample_by_district(
    db: Session,
    region_prefix: str | None,
    scope: list[str] | None,
    year: int,
    srdi_tiers: tuple[str, ...] | None,
    *,
    grouped: bool = True,
) -> dict[str, dict[str, int]]:
    """``same_sample_totals`` per district (``grouped``) or as one group ``""``."""
    cur, prev = aliased(YearlyFigure), aliased(YearlyFigure)
    cols: dict[str, Any] = {
        "n": func.count(),
        "rev": func.sum(cur.operating_revenue),
        "rev_prev": func.sum(prev.operating_revenue),
        "profit": func.coalesce(func.sum(cur.net_profit), 0),
        "profit_prev": func.coalesce(func.sum(prev.net_profit), 0),
        "rd": func.coalesce(func.sum(cur.rd_expense), 0),
        "rd_prev": func.coalesce(func.sum(prev.rd_expense), 0),
        "emp": func.coalesce(func.sum(cur.employees), 0),
        "emp_prev": func.coalesce(func.sum(prev.employees), 0),
    }
    group: Any = Enterprise.region_code if grouped else literal("")
    q = (
        select(group.label("g"), *[c.label(k) for k, c in cols.items()])
        .select_from(cur)
        .join(prev, (prev.enterprise_id == cur.enterprise_id) & (prev.fiscal_year == year - 1))
        .join(Enterprise, Enterprise.id == cur.enterprise_id)
        .where(
            cur.fiscal_year == year,
            cur.operating_revenue.is_not(None),
            prev.operating_revenue.is_not(None),
            or_(Enterprise.size_class.is_(None), Enterprise.size_class != "large"),
            _where(region_prefix, scope),
        )
    )
    if srdi_tiers:
        end = date(year, 12, 31)
        q = q.where(
            exists().where(
                Recognition.enterprise_id == Enterprise.id, Recognition.tier.in_(srdi_tiers), _held_on(end)
            )
        )
    q = q.group_by(group)
    return {str(row.g): {k: int(getattr(row, k) or 0) for k in cols} for row in db.execute(q).all()}


def appeal_counts(
    db: Session, region_prefix: str | None, scope: list[str] | None, start: date, end: date
) -> dict[str, int]:
    """Appeals submitted within [start, end] in the region: filed, rejected, done (办结), on time, rated, satisfied."""
    from srdi.appeal.models import Appeal

    done = Appeal.status.in_(["closed", "rated"])
    conds: list[ColumnElement[bool]] = [
        Appeal.submitted_month >= start.strftime("%Y-%m"),
        Appeal.submitted_month <= end.strftime("%Y-%m"),
    ]
    if region_prefix:
        conds.append(Appeal.region_code.startswith(region_prefix))
    if scope is not None:
        conds.append(or_(*[Appeal.region_code.startswith(p) for p in scope]) if scope else false())
    q = select(
        func.count().label("filed"),
        func.coalesce(func.sum(case((Appeal.status == "rejected", 1), else_=0)), 0).label("rejected"),
        func.coalesce(func.sum(case((done, 1), else_=0)), 0).label("done"),
        func.coalesce(func.sum(case((done & Appeal.on_time.is_(True), 1), else_=0)), 0).label("on_time"),
        func.coalesce(func.sum(case((Appeal.satisfied.is_not(None), 1), else_=0)), 0).label("rated"),
        func.coalesce(func.sum(case((Appeal.satisfied.is_(True), 1), else_=0)), 0).label("satisfied"),
    ).where(*conds)
    row = db.execute(q).one()
    return {
        k: int(getattr(row, k) or 0) for k in ("filed", "rejected", "done", "on_time", "rated", "satisfied")
    }


def disbursed_by_policy(
    db: Session, region_prefix: str | None, scope: list[str] | None, start: date, end: date
) -> dict[str, int]:
    """Σ fen of 免申即享 disbursements exported within [start, end] (Beijing dates), per policy key."""
    from srdi.auto_grant.models import Disbursement, Grant

    lo = datetime.combine(start, time.min, BEIJING).astimezone(UTC)
    hi = datetime.combine(end + timedelta(days=1), time.min, BEIJING).astimezone(UTC)
    q = (
        select(Grant.policy_key, func.coalesce(func.sum(Disbursement.amount_fen), 0))
        .select_from(Disbursement)
        .join(Grant, Grant.id == Disbursement.grant_id)
        .join(Enterprise, Enterprise.id == Grant.enterprise_id)
        .where(
            Disbursement.status == "exported",
            Disbursement.exported_at >= lo,
            Disbursement.exported_at < hi,
            _where(region_prefix, scope),
        )
        .group_by(Grant.policy_key)
    )
    return {k: int(v) for k, v in db.execute(q).all()}


def policy_budgets(db: Session, keys: list[str]) -> dict[str, tuple[str, int | None]]:
    """(title, budget fen) of each policy's published version."""
    from srdi.policy.models import PolicyVersion

    if not keys:
        return {}
    q = select(PolicyVersion.policy_key, PolicyVersion.title, PolicyVersion.budget_fen).where(
        PolicyVersion.policy_key.in_(keys), PolicyVersion.status == "published"
    )
    return {k: (t, b) for k, t, b in db.execute(q).all()}


def registry_position(db: Session) -> int:
    """The newest change-log id: a registry change after a refresh makes the pre-aggregates stale."""
    from srdi.enterprise.models import ChangeLog

    return int(db.scalar(select(func.max(ChangeLog.id))) or 0)


# --- officials' targets, reported figures, reports ---------------------------------------------------------


def official_targets(db: Session, prefixes: list[str] | None = None) -> list[Any]:
    from srdi.monitoring.models import MonitoringTarget

    q = select(MonitoringTarget).order_by(
        MonitoringTarget.region_code, MonitoringTarget.year, MonitoringTarget.id
    )
    if prefixes is not None:
        q = q.where(
            or_(*[MonitoringTarget.region_code.startswith(p) for p in prefixes]) if prefixes else false()
        )
    return list(db.scalars(q).all())


def find_target(db: Session, region: str, year: int, measure: str, subject: str) -> Any:
    from srdi.monitoring.models import MonitoringTarget

    return db.scalar(
        select(MonitoringTarget).where(
            MonitoringTarget.region_code == region,
            MonitoringTarget.year == year,
            MonitoringTarget.measure == measure,
            MonitoringTarget.subject == subject,
        )
    )


def reported_sum(db: Session, region: str, measure: str, subject: str, start: date, end: date) -> Any:
    from srdi.monitoring.models import ReportedFigure

    q = select(func.sum(ReportedFigure.value)).where(
        ReportedFigure.region_code == region,
        ReportedFigure.measure == measure,
        ReportedFigure.subject == subject,
        ReportedFigure.on_date.between(start, end),
    )
    return db.scalar(q)


def events_held(db: Session, region: str, kind: str, start: date, end: date) -> int:
    """Matchmaking events of ``kind`` held (已举办) in ``region`` with their date in [start, end]."""
    from srdi.matchmaking.models import MatchEvent

    q = select(func.count(MatchEvent.id)).where(
        MatchEvent.region_code.startswith(region),
        MatchEvent.kind == kind,
        MatchEvent.status == "held",
        MatchEvent.event_date.between(start, end),
    )
    return int(db.scalar(q) or 0)


def reported_latest(db: Session, region: str, measure: str, subject: str, up_to: date) -> Any:
    from srdi.monitoring.models import ReportedFigure

    q = (
        select(ReportedFigure.value)
        .where(
            ReportedFigure.region_code == region,
            ReportedFigure.measure == measure,
            ReportedFigure.subject == subject,
            ReportedFigure.on_date <= up_to,
        )
        .order_by(ReportedFigure.on_date.desc(), ReportedFigure.id.desc())
        .limit(1)
    )
    return db.scalar(q)
