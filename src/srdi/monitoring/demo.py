"""The ``srdi demo`` hook: demo-city's district shares of this year's targets and Shenzhen's reported figures.

Synthetic only. For each district of 深圳市 with demo enterprises, demo-city sets this year's targets for
专精特新中小企业 and 创新型中小企业 at about 1.1–1.6 times what the district holds today (so some are done and
some behind), and reports this year's training and product-launch figures against the file targets of the
Shenzhen measures (SEED-001). Idempotent: targets are upserts keyed by region, year and measure; the reported
figures are written once a year.
"""

from __future__ import annotations

import math
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

CITY = "4403"
DEMO_SOURCE = "深圳市专精特新企业培育目标分解（演示）"
FACTORS = [Decimal("1.1"), Decimal("1.3"), Decimal("1.6"), Decimal("0.9")]


def demo_hook(conn: Connection, result: Any, *, reset: bool) -> str:
    from srdi.kit.workdays import beijing_today
    from srdi.monitoring import repository
    from srdi.monitoring.models import MonitoringTarget, ReportedFigure

    session = Session(bind=conn, join_transaction_mode="create_savepoint")
    try:
        today = beijing_today()
        counts: dict[str, dict[str, int]] = {}
        for code, tier, n in repository.tier_counts_on(session, CITY, None, today, 6):
            counts.setdefault(code, {})[tier] = n
        written = 0
        for i, code in enumerate(sorted(counts)):
            for measure, tier in (("srdi_sme_count", "srdi_sme"), ("innovative_sme_count", "innovative_sme")):
                have = counts[code].get(tier, 0)
                value = Decimal(max(1, math.ceil(have * FACTORS[(i + len(measure)) % len(FACTORS)])))
                row = repository.find_target(session, code, today.year, measure, "")
                if row is None:
                    row = MonitoringTarget(region_code=code, year=today.year, measure=measure, subject="")
                    session.add(row)
                row.from_year, row.value, row.source, row.set_by = today.year, value, DEMO_SOURCE, "demo-city"
                written += 1
        has_figures = session.scalar(
            select(ReportedFigure.id).where(ReportedFigure.region_code == CITY).limit(1)
        )
        if not has_figures:
            figures: list[tuple[str, date, int, str]] = [
                ("trainees", today.replace(month=4, day=18), 46, "专精特新企业家培训班（第一期）"),
                ("trainees", today.replace(month=9, day=12), 38, "专精特新企业家培训班（第二期）"),
                ("product_launches", today.replace(month=6, day=6), 1, "深圳产业会客厅新品发布会"),
            ]
            for measure, on, count, note in figures:
                if on <= today:
                    session.add(
                        ReportedFigure(
                            region_code=CITY,
                            measure=measure,
                            on_date=on,
                            value=Decimal(count),
                            note=note,
                            reported_by="demo-city",
                        )
                    )
        session.commit()
        return f"监测目标：深圳市 {len(counts)} 个区的分解目标 {written} 项 / {written} demo district targets"
    finally:
        session.close()
