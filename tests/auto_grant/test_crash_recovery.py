"""QUALITY R3: a 免申即享 run and a disbursement export killed (SIGKILL) at random points and restarted leave
0 duplicate and 0 lost grants and disbursements. Drives the real CLI in a subprocess."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import func, select

from srdi.auto_grant import service
from srdi.auto_grant.models import Disbursement, DisbursementBatch, Grant, GrantEvent, GrantRun
from tests.auto_grant.realdb import real_db  # noqa: F401 - fixture
from tests.auto_grant.variable_policy import KEY, publish_variable_policy
from tests.policy.factories import enterprise

ELIGIBLE = 120
SRDI = [sys.executable, "-m", "srdi.cli"]


def _cli(url: str, *args: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "SRDI_DATABASE_URL": url}
    return subprocess.Popen([*SRDI, *args], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _kill_at_random_points(url: str, args: list[str], rng: random.Random, attempts: int) -> int:
    """Start the command, SIGKILL it after a random delay, repeat; then let it finish. Returns interrupted kills."""
    interrupted = 0
    for _ in range(attempts):
        p = _cli(url, *args)
        time.sleep(rng.uniform(0.3, 3.0))
        if p.poll() is None:
            p.send_signal(signal.SIGKILL)
            interrupted += 1
        p.wait()
    p = _cli(url, *args)
    _, err = p.communicate(timeout=300)
    assert p.returncode == 0, err.decode("utf-8", "replace")[-2000:]
    return interrupted


def test_killed_run_and_export_restart_without_duplicates_or_losses(real_db, tmp_path: Path):  # noqa: F811
    rng = random.Random(20261122)
    with real_db.session() as db:
        for i in range(ELIGIBLE):
            enterprise(db, dg_innovative=True, rd_deductible_yuan=f"{1000000 + i * 1000}.00")
        for _ in range(30):
            enterprise(db, dg_innovative=False, rd_deductible_yuan="1000000.00")
        publish_variable_policy(
            db
        )  # amounts differ per enterprise, so a lost or doubled grant shows in the sum
        db.commit()

    run_args = ["grant", "run", KEY, "--as-of", "2025-06-30", "--quiet", "--chunk", "5"]
    interrupted = _kill_at_random_points(real_db.url, run_args, rng, attempts=5)
    assert interrupted >= 3  # the test means something only if kills landed while the process was working

    with real_db.session() as db:
        grants = db.scalars(select(Grant).where(Grant.policy_key == KEY)).all()
        assert len(grants) == ELIGIBLE == len({g.enterprise_id for g in grants})
        assert {g.status for g in grants} == {"matched"}
        # Exactly one creation event per grant: nothing half-written and nothing written twice.
        created = db.scalars(select(GrantEvent.grant_id).where(GrantEvent.from_status.is_(None))).all()
        assert sorted(created) == sorted(g.id for g in grants)
        runs = db.scalars(select(GrantRun)).all()
        assert [(r.status, r.processed, r.total) for r in runs] == [("done", ELIGIBLE, ELIGIBLE)]
        assert runs[0].summary["changes"]["new"] == ELIGIBLE
        expected_total = sum((1000000 + i * 1000) * 5 for i in range(ELIGIBLE))  # fen: 5% of yuan × 100
        assert sum(g.amount_fen for g in grants) == expected_total
        consented = sorted(g.id for g in grants)[::2]
        for gid in consented:
            service.consent(
                db,
                gid,
                bank_name="行",
                account_name="企业",
                bank_account="6222000011112222",
                actor="ent",
                enterprise_ids=None,
            )
        db.commit()

    out = tmp_path / "pay.csv"
    export_args = ["grant", "export", KEY, "2025", "--out", str(out), "--quiet", "--chunk", "3"]
    interrupted = _kill_at_random_points(real_db.url, export_args, rng, attempts=4)
    assert interrupted >= 2

    with real_db.session() as db:
        pays = db.scalars(select(Disbursement)).all()
        assert (
            sorted(d.grant_id for d in pays) == consented
        )  # one per confirmed grant: none lost, none doubled
        assert all(d.batch_id is not None and d.status == "exported" for d in pays)
        batches = db.scalars(select(DisbursementBatch)).all()
        assert sum(b.count for b in batches) == len(consented)
        assert sum(b.total_fen for b in batches) == sum(d.amount_fen for d in pays)
        assert all(b.status == "closed" for b in batches)
        moved = db.scalar(
            select(func.count()).select_from(GrantEvent).where(GrantEvent.to_status == "disbursed")
        )
        assert moved == len(consented)
        statuses = dict(db.execute(select(Grant.status, func.count()).group_by(Grant.status)).all())
        assert statuses == {"disbursed": len(consented), "matched": ELIGIBLE - len(consented)}
    # The finance file of the last batch is complete even when earlier attempts were killed mid-way.
    lines = out.read_text(encoding="utf-8-sig").splitlines()
    last = max(batches, key=lambda b: b.id)
    assert len(lines) == 1 + last.count
