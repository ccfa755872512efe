"""QUALITY R4: 50 concurrent confirmations of the same grant produce exactly one disbursement."""

from __future__ import annotations

import threading
from datetime import date

from sqlalchemy import func, select

from srdi.auto_grant import service
from srdi.auto_grant.models import Disbursement, Grant, GrantEvent
from tests.auto_grant.realdb import real_db  # noqa: F401 - fixture
from tests.policy.factories import enterprise

KEY = "dg_srdi_award_auto_grant"
N = 50


def test_fifty_concurrent_confirmations_give_exactly_one_disbursement(real_db):  # noqa: F811
    with real_db.session() as db:
        ent = enterprise(db, provincial_srdi=True)
        run = service.create_run(db, KEY, date(2025, 6, 30), actor="official", scope_prefixes=None)
        service.execute_run(db, run)
        db.commit()
        gid = db.scalars(select(Grant.id).where(Grant.enterprise_id == ent.id)).one()

    barrier = threading.Barrier(N)
    outcomes: list[object] = []
    lock = threading.Lock()

    def confirm(i: int) -> None:
        with real_db.session() as s:
            barrier.wait()
            try:
                _, created = service.consent(
                    s,
                    gid,
                    bank_name="中国银行",
                    account_name="企业",
                    bank_account=f"622200001234{i:04d}",
                    actor=f"user{i}",
                    enterprise_ids=[ent.id],
                )
                s.commit()
                result: object = created
            except Exception as exc:
                s.rollback()
                result = exc
            with lock:
                outcomes.append(result)

    threads = [threading.Thread(target=confirm, args=(i,)) for i in range(N)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)

    errors = [o for o in outcomes if isinstance(o, Exception)]
    assert errors == []
    assert sorted(outcomes, key=str) == [False] * (N - 1) + [True]
    with real_db.session() as db:
        assert (
            db.scalar(select(func.count()).select_from(Disbursement).where(Disbursement.grant_id == gid)) == 1
        )
        consent_events = db.scalar(
            select(func.count())
            .select_from(GrantEvent)
            .where(GrantEvent.grant_id == gid, GrantEvent.to_status == "consented")
        )
        assert consent_events == 1
        g = db.get(Grant, gid)
        assert g is not None and g.status == "consented"
        # The winning confirmation's account is the one stored, exactly as it was given.
        winner = db.scalars(
            select(GrantEvent.actor).where(GrantEvent.grant_id == gid, GrantEvent.to_status == "consented")
        ).one()
        assert g.bank_account == f"622200001234{int(winner[4:]):04d}"
