"""QUALITY R3, R8: a 免申即享 run and a 拨付 export killed at every named fault point, then recovered and restarted,
end exactly as an uninterrupted run: 0 duplicate or lost grants, events, notifications and payments; the summary is
the one counted from the rows. The kill is a fault point (``srdi.kit.faults``) in a real ``srdi grant …``
subprocess, so it lands at the same place on an idle machine and a loaded one — no timer races the process.

Also the 80-of-120 report (issue 8): before this fix a resumed run's summary kept the totals of the first chunk
each process committed (the JSON value was mutated in place, so SQLAlchemy saw nothing to write): killed after
chunk 9 of 24 it reported ``new: 80`` for 120 grants. And a positional resume cursor lost grants when the
decisions changed between the crash and the restart (``test_resume_after_a_confirmation_and_a_correction…``).
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from srdi.auto_grant import service, tasks
from srdi.auto_grant.cli import _actor
from srdi.auto_grant.enums import RunStatus
from srdi.auto_grant.models import Disbursement, DisbursementBatch, Grant, GrantEvent, GrantRun
from srdi.enterprise.models import Enterprise
from srdi.kit.faults import FAULT_EXIT_CODE
from srdi.notification.models import Notification
from srdi.policy.models import PolicyAnswer
from srdi.recovery import FAULT_POINTS, recover
from tests.auto_grant.realdb import RealDb, module_real_db  # noqa: F401 - fixture
from tests.auto_grant.variable_policy import KEY, publish_variable_policy
from tests.crash_support import run_in_child
from tests.policy.factories import enterprise

AS_OF = "2025-06-30"
PERIOD = "2025"
ELIGIBLE = 12
RUN_CHUNK = 3  # 4 chunks
EXPORT_CHUNK = 2  # 6 confirmed grants: 3 chunks
RUN_ARGS = ["run", KEY, "--as-of", AS_OF, "--quiet", "--chunk", str(RUN_CHUNK)]

# point → (SRDI_FAULT value, grants committed when the process dies, run status after recovery)
RUN_POINTS = {
    "grant.before_start": ("grant.before_start", 0, "interrupted"),
    "grant.before_commit": ("grant.before_commit:2", 3, "interrupted"),
    "grant.after_chunk": ("grant.after_chunk:2", 6, "interrupted"),
    "grant.before_finish": ("grant.before_finish", 12, "interrupted"),
    "grant.after_finish": ("grant.after_finish", 12, "done"),
}
# point → (SRDI_FAULT value, disbursements in the batch when the process dies, batch status)
EXPORT_POINTS = {
    "grant.export.before_commit": ("grant.export.before_commit:2", 2, "open"),
    "grant.export.after_chunk": ("grant.export.after_chunk:2", 4, "open"),
    "grant.export.after_close": ("grant.export.after_close", 6, "closed"),
    "grant.export.mid_file": ("grant.export.mid_file", 6, "closed"),
}


def _die_at(rdb: RealDb, fault: str, *args: str) -> None:
    """``srdi grant …`` in a process of its own (tests/crash_support.py), dying at the armed fault point."""
    p = run_in_child("grant", args, url=rdb.url, fault=fault, tmp=rdb.tmp)
    assert p.exitcode == FAULT_EXIT_CODE, p.stderr[-2000:]
    assert f"fault injected at {fault.split(':')[0]}" in p.stderr


def _sessions(rdb: RealDb):  # type: ignore[no-untyped-def]
    @contextmanager
    def factory() -> Iterator[Session]:
        db = rdb.session()
        try:
            yield db
        finally:
            db.close()

    return factory


def _clean(db: Session) -> None:
    """Forget every run, grant and payment (the registry and the policy versions stay)."""
    for model in (GrantEvent, Disbursement, DisbursementBatch, Grant, GrantRun, Notification):
        db.execute(delete(model))
    db.commit()


def _run_in_process(rdb: RealDb) -> int:
    with rdb.session() as db:
        run = service.create_run(db, KEY, date.fromisoformat(AS_OF), actor=_actor(), scope_prefixes=None)
        db.commit()
        run_id = run.id
    tasks.execute_run(run_id, _sessions(rdb))
    return run_id


def _confirm_every_other(db: Session) -> list[int]:
    ids = sorted(db.scalars(select(Grant.id).where(Grant.status == "matched")).all())[::2]
    for gid in ids:
        service.consent(
            db, gid, bank_name="银行", account_name="企业", bank_account="6222000011112222", actor="ent",
            enterprise_ids=None,
        )  # fmt: skip
    db.commit()
    return ids


def _export_in_process(db: Session, out: Path) -> None:
    batch = service.disburse(db, KEY, PERIOD, actor=_actor(), commit=db.commit, chunk=EXPORT_CHUNK)
    service.write_export(db, batch.id, out)
    db.commit()


def _state(db: Session) -> dict[str, Any]:
    """Everything a run and an export write, by natural keys (USCC), without ids and timestamps."""
    uscc = dict(db.execute(select(Enterprise.id, Enterprise.uscc)).all())
    grants = db.scalars(select(Grant)).all()
    of = {g.id: uscc[g.enterprise_id] for g in grants}
    batch_no = re.compile(r"批次 \d+")
    return {
        "grants": sorted(
            (of[g.id], g.status, g.amount_fen, g.rank, g.rule_hash, g.bank_account or "") for g in grants
        ),
        "events": sorted(
            (of[e.grant_id], e.from_status or "", e.to_status, e.actor, batch_no.sub("批次 #", e.reason))
            for e in db.scalars(select(GrantEvent))
        ),
        "notifications": sorted(
            (uscc[n.enterprise_id], n.kind, n.title, n.body) for n in db.scalars(select(Notification))
        ),
        "runs": [
            (r.status, r.processed, r.total, r.summary, r.lease_owner)
            for r in db.scalars(select(GrantRun).order_by(GrantRun.id))
        ],
        "payments": sorted(
            (of[d.grant_id], d.amount_fen, d.status, d.batch_id is not None)
            for d in db.scalars(select(Disbursement))
        ),
        "batches": [
            (b.status, b.count, b.total_fen)
            for b in db.scalars(select(DisbursementBatch).order_by(DisbursementBatch.id))
        ],
    }


def _check_rows(db: Session, *, locked_between: bool = False) -> None:
    """No half-written or doubled row, and every stored count equals the count of the rows it summarises.
    (``locked_between``: a grant was confirmed mid-run, so it is the run's but no longer one of its decisions.)"""
    grants = db.scalars(select(Grant)).all()
    events = db.scalars(select(GrantEvent)).all()
    assert len({(g.policy_key, g.period, g.enterprise_id) for g in grants}) == len(grants)
    assert Counter(e.grant_id for e in events if e.from_status is None) == Counter({g.id: 1 for g in grants})
    assert Counter(n.dedupe_key for n in db.scalars(select(Notification))) == Counter(
        {f"grant:{g.id}:matched": 1 for g in grants if any(e.grant_id == g.id for e in events)}
    )
    for run in db.scalars(select(GrantRun)):
        mine = [e for e in events if e.run_id == run.id]
        decided = db.scalar(select(func.count()).select_from(Grant).where(Grant.run_id == run.id))
        assert run.processed == decided - (1 if locked_between else 0)
        if run.status != RunStatus.done:
            continue
        changes = run.summary["changes"]
        assert changes["new"] == sum(e.from_status is None for e in mine)
        assert changes["new"] + changes["unchanged"] == decided
        assert run.total == run.processed
        if any(e.run_id is None for e in events):
            continue  # grants confirmed or paid since: the run's tally by status is of its own end
        assert run.summary["by_status"] == dict(Counter(g.status for g in grants))
        assert run.summary["amount_by_status"] == {
            s: sum(g.amount_fen for g in grants if g.status == s) for s in {g.status for g in grants}
        }
    pays = db.scalars(select(Disbursement)).all()
    assert len({d.grant_id for d in pays}) == len(pays)
    for b in db.scalars(select(DisbursementBatch)):
        mine_p = [d for d in pays if d.batch_id == b.id]
        assert (b.count, b.total_fen) == (len(mine_p), sum(d.amount_fen for d in mine_p))
    moved = Counter(e.grant_id for e in events if e.to_status == "disbursed")
    assert moved == Counter({d.grant_id: 1 for d in pays if d.batch_id is not None})


def _file_rows(path: Path) -> list[list[str]]:
    """The finance file without the grant id column (ids differ between the reference and a restarted run)."""
    text = path.read_text(encoding="utf-8-sig")
    return [r[:-1] for r in csv.reader(io.StringIO(text))]


@pytest.fixture(scope="module")
def world(module_real_db: RealDb, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:  # noqa: F811
    """A small registry and the reference: the same run and export, never interrupted."""
    rdb = module_real_db
    with rdb.session() as db:
        for i in range(ELIGIBLE):
            enterprise(db, dg_innovative=True, rd_deductible_yuan=f"{1000000 + i * 1000}.00")
        for _ in range(3):
            enterprise(db, dg_innovative=False, rd_deductible_yuan="1000000.00")
        publish_variable_policy(
            db
        )  # amounts differ per enterprise, so a lost or doubled grant shows in the sum
        db.commit()
    _run_in_process(rdb)
    with rdb.session() as db:
        ref_run = _state(db)
        _check_rows(db)
        _confirm_every_other(db)
        out = tmp_path_factory.mktemp("ref") / "pay.csv"
        _export_in_process(db, out)
        ref_export = _state(db)
        _check_rows(db)
        _clean(db)
    assert [g[1] for g in ref_run["grants"]] == ["matched"] * ELIGIBLE
    assert ref_run["runs"][0][:3] == ("done", ELIGIBLE, ELIGIBLE)
    assert ref_run["runs"][0][3]["changes"] == {
        "new": ELIGIBLE, "amount_changed": 0, "status_changed": 0, "withdrawn": 0, "unchanged": 0,
    }  # fmt: skip
    assert ref_export["batches"] == [("closed", 6, sum(p[1] for p in ref_export["payments"]))]
    return {"db": rdb, "run": ref_run, "export": ref_export, "file": _file_rows(out)}


def test_every_fault_point_is_crash_tested() -> None:
    from tests.enterprise.test_import_crash import IMPORT_POINTS

    assert set(RUN_POINTS) | set(EXPORT_POINTS) | set(IMPORT_POINTS) == set(FAULT_POINTS)


@pytest.mark.parametrize("point", list(RUN_POINTS))
def test_run_killed_at_a_fault_point_recovers_and_resumes_to_the_uninterrupted_result(
    world: dict[str, Any], point: str
) -> None:
    rdb: RealDb = world["db"]
    fault, committed, recovered_status = RUN_POINTS[point]
    _die_at(rdb, fault, *RUN_ARGS)

    with rdb.session() as db:
        # Whole chunks only: the grants, their events and the run's progress were committed together.
        assert db.scalar(select(func.count()).select_from(Grant)) == committed
        _check_rows(db)
        run = db.scalars(select(GrantRun)).one()
        assert run.status == ("done" if recovered_status == "done" else "running")
        found = recover(db)  # what `srdi serve` does at start-up: the owner's process is gone
        db.commit()
        db.refresh(run)
        assert found.runs == ([] if recovered_status == "done" else [run.id])
        assert (run.status, RunStatus(run.status).label) == (
            recovered_status,
            "已完成" if recovered_status == "done" else "已中断（可续跑）",
        )
        assert run.lease_owner is None
        run_id = run.id

    if recovered_status != "done":
        if point == "grant.after_chunk":  # the operator runs the same command again, in a new process
            p = run_in_child("grant", RUN_ARGS, url=rdb.url, fault=None, tmp=rdb.tmp)
            assert p.exitcode == 0, p.stderr[-2000:]
        else:  # re-posting the run from the web page: the background task resumes it
            tasks.execute_run(run_id, _sessions(rdb))

    with rdb.session() as db:
        _check_rows(db)
        assert _state(db) == world["run"]
        _clean(db)


@pytest.mark.parametrize("point", list(EXPORT_POINTS))
def test_export_killed_at_a_fault_point_pays_each_confirmed_grant_exactly_once(
    world: dict[str, Any], point: str, tmp_path: Path
) -> None:
    rdb: RealDb = world["db"]
    fault, in_batch, batch_status = EXPORT_POINTS[point]
    _run_in_process(rdb)
    with rdb.session() as db:
        _confirm_every_other(db)
    out = tmp_path / "pay.csv"
    _die_at(rdb, fault, "export", KEY, PERIOD, "--out", str(out), "--quiet", "--chunk", str(EXPORT_CHUNK))

    with rdb.session() as db:
        _check_rows(db)
        batch = db.scalars(select(DisbursementBatch)).one()
        assert (batch.status, batch.count) == (batch_status, in_batch)
        # The finance file is never half there under its real name.
        assert not out.exists()
        assert Path(str(out) + ".part").exists() == (point == "grant.export.mid_file")
        _export_in_process(db, out)  # the operator exports again
        _check_rows(db)
        assert _state(db) == world["export"]
        assert _file_rows(out) == world["file"]
        _clean(db)


def test_resume_after_a_confirmation_and_a_correction_loses_no_grant(world: dict[str, Any]) -> None:
    """Between the crash and the restart a matched grant is confirmed (so it drops out of the decisions) and a
    figure is corrected (so the order changes): a positional cursor skipped decisions never applied."""
    rdb: RealDb = world["db"]
    _die_at(rdb, "grant.after_chunk:2", *RUN_ARGS)
    with rdb.session() as db:
        first = db.scalars(select(Grant).order_by(Grant.rank)).first()
        assert first is not None
        service.consent(
            db, first.id, bank_name="银行", account_name="企业", bank_account="6222000011112222", actor="ent",
            enterprise_ids=None,
        )  # fmt: skip
        decided = set(db.scalars(select(Grant.enterprise_id)).all())
        last = db.scalars(
            select(Enterprise).where(Enterprise.id.not_in(decided)).order_by(Enterprise.id)
        ).first()  # the smallest amount: not decided before the crash
        assert last is not None
        answer = db.scalars(
            select(PolicyAnswer).where(
                PolicyAnswer.enterprise_id == last.id, PolicyAnswer.key == "rd_deductible_expense"
            )
        ).one()
        answer.value = "2000000.00"  # now the largest: first in the allocation order
        db.commit()
        run_id = db.scalars(select(GrantRun.id)).one()
        recover(db)
        db.commit()
    tasks.execute_run(run_id, _sessions(rdb))

    with rdb.session() as db:
        _check_rows(db, locked_between=True)
        grants = {g.enterprise_id: g for g in db.scalars(select(Grant))}
        assert len(grants) == ELIGIBLE
        assert grants[first.enterprise_id].status == "consented"
        assert (grants[last.id].status, grants[last.id].amount_fen, grants[last.id].rank) == (
            "matched", 2000000 * 5, 1,
        )  # fmt: skip
        run = db.get(GrantRun, run_id)
        assert run is not None
        assert run.summary["changes"] == {
            "new": ELIGIBLE, "amount_changed": 0, "status_changed": 0, "withdrawn": 0, "unchanged": 0,
        }  # fmt: skip
        assert (run.status, run.total, run.processed) == ("done", ELIGIBLE - 1, ELIGIBLE - 1)
        answer = db.scalars(
            select(PolicyAnswer).where(
                PolicyAnswer.enterprise_id == last.id, PolicyAnswer.key == "rd_deductible_expense"
            )
        ).one()
        answer.value = "1000000.00"  # as seeded, for any test that follows
        db.commit()
        _clean(db)
