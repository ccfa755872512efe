"""Appeals: routing suggestion time, the overdue sweep and the KPI query over N appeals on PostgreSQL.

    .venv/bin/python benchmarks/appeal_sweep.py --appeals 200000 [--url postgresql+psycopg://postgres@127.0.0.1/test]

Works in a schema of its own (dropped at the end). Of the N appeals, 1% are due now (the sweep acts on them);
the rest are done or due later — the sweep must find the few among the many by its index, not scan them all.
"""

from __future__ import annotations

import argparse
import time
import uuid
from datetime import UTC, datetime, timedelta

from common import timed
from sqlalchemy import insert, text
from sqlalchemy.orm import Session

from srdi.appeal import routing, service, tasks
from srdi.appeal.models import Appeal
from srdi.db.migrate import upgrade
from srdi.db.session import make_engine
from srdi.enterprise.models import Enterprise

TEXTS = [
    "我司想向银行申请流动资金贷款，请问专精特新企业有没有贷款贴息？",
    "公司急需引进研发人才，咨询人才住房补贴和落户政策。",
    "厂房租金上涨，希望了解产业用房租金补贴的申请条件。",
    "研发费用加计扣除的归集范围不清楚，请税务部门解释。",
]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--appeals", type=int, default=200_000)
    ap.add_argument("--url", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    args = ap.parse_args()

    per, _ = timed(lambda: [routing.suggest(t, "440305") for t in TEXTS * 250], repeat=3)
    print(f"routing suggest: {per * 1000 / 1000:.3f} ms per appeal (1000 texts, median of 3)")

    schema = f"bench_appeal_{uuid.uuid4().hex[:8]}"
    admin = make_engine(args.url)
    with admin.begin() as c:
        c.execute(text(f'CREATE SCHEMA "{schema}"'))
    eng = make_engine(args.url, connect_args={"options": f"-csearch_path={schema}"})
    try:
        with eng.begin() as c:
            upgrade(c)
        now = datetime(2026, 3, 10, 16, 1, tzinfo=UTC)
        with Session(eng) as s:
            service.sync_catalogue(s)
            ent = Enterprise(
                uscc="91440305MA5BENCH01",
                name="基准测试企业",
                region_code="440305",
                industry_code="3562",
                tags=[],
                is_synthetic=True,
            )
            s.add(ent)
            s.commit()
            eid = ent.id
        t0 = time.perf_counter()
        batch = []
        for i in range(args.appeals):
            due = now - timedelta(hours=1) if i % 100 == 0 else (None if i % 3 else now + timedelta(days=30))
            batch.append(
                {
                    "enterprise_id": eid,
                    "region_code": "440305",
                    "title": f"基准诉求{i}",
                    "content": TEXTS[i % 4],
                    "category_key": "financing",
                    "channel": "web",
                    "status": "in_progress" if due else "closed",
                    "version": 1,
                    "submitted_at": now - timedelta(days=10),
                    "submitted_month": "2026-03",
                    "due_at": due,
                    "due_stage": "answer" if due else None,
                    "reminded": False,
                    "escalation_level": 0,
                    "redo_count": 0,
                    "created_at": now,
                    "updated_at": now,
                    "department_id": 3,
                    "on_time": i % 5 != 0,
                    "handling_working_days": None if due else 3,
                    "satisfied": None if due else i % 7 != 0,
                }
            )
            if len(batch) == 20_000:
                with eng.begin() as c:
                    c.execute(insert(Appeal), batch)
                batch = []
        if batch:
            with eng.begin() as c:
                c.execute(insert(Appeal), batch)
        with eng.begin() as c:
            c.execute(text("ANALYZE appeal"))
        print(f"inserted {args.appeals} appeals in {time.perf_counter() - t0:.1f} s")

        def factory():  # type: ignore[no-untyped-def]
            from contextlib import contextmanager

            @contextmanager
            def cm():  # type: ignore[no-untyped-def]
                with Session(eng) as s:
                    yield s

            return cm()

        t0 = time.perf_counter()
        r = tasks.sweep_once(factory, now=now)
        first = time.perf_counter() - t0
        t0 = time.perf_counter()
        r2 = tasks.sweep_once(factory, now=now)
        second = time.perf_counter() - t0
        print(
            f"sweep: {r.reminded} reminders + {r.escalated_department} escalations in {first:.2f} s; "
            f"re-run (nothing left to do) {r2.total} actions in {second:.3f} s"
        )
        with Session(eng) as s:
            kpi, _ = timed(lambda: service.kpis(s, service.AppealScope(), "department"), repeat=3)
        print(f"KPI by department over {args.appeals} appeals: {kpi * 1000:.0f} ms (median of 3)")
    finally:
        eng.dispose()
        with admin.begin() as c:
            c.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


if __name__ == "__main__":
    main()
