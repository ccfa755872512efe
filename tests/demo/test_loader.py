"""Loading demo data into SQLite and PostgreSQL: exact counts, idempotence, reset, 划型 as the service computes it."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from srdi.demo import hooks
from srdi.demo.generator import DemoSpec, generate
from srdi.demo.loader import count_synthetic, load, reset
from srdi.enterprise import service
from srdi.enterprise.models import ChangeLog, Enterprise, IpItem, Recognition, YearlyFigure
from srdi.enterprise.schemas import EnterpriseIn

AS_OF = date(2026, 11, 21)
N = 200


def _count(db: Session, model, *where) -> int:  # type: ignore[no-untyped-def]
    return db.scalar(select(func.count()).select_from(model).where(*where)) or 0


def _real_enterprise(db: Session) -> Enterprise:
    ent = service.create(
        db,
        EnterpriseIn(uscc="91440300192317458F", name="真实企业（测试）有限公司", region_code="440305",
                     industry_code="3562"),
        actor="tester",
    )  # fmt: skip
    service.set_yearly_figures(db, ent, 2025, {"employees": 80}, source="self_reported", actor="tester")
    db.flush()
    return ent


def test_loader_writes_exactly_n_enterprises_with_their_rows(db: Session):
    records = list(generate(DemoSpec(N, AS_OF, seed=42)))
    result = load(db.connection(), records, chunk_size=64, seed=42)
    assert result.inserted == N
    assert result.skipped_existing == 0
    assert _count(db, Enterprise, Enterprise.is_synthetic.is_(True)) == N
    assert _count(db, YearlyFigure) == sum(len(r.yearly) for r in records)
    assert _count(db, IpItem) == sum(len(r.facts["ip_item"]) for r in records)
    assert _count(db, Recognition) == sum(len(r.facts["recognition"]) for r in records)
    # One change-log row per demo enterprise, marking where it came from.
    assert _count(db, ChangeLog) == N
    assert _count(db, ChangeLog, ChangeLog.field == "demo_seed", ChangeLog.source == "synthetic") == N
    expected_rows = N * 2 + sum(len(r.yearly) + sum(map(len, r.facts.values())) for r in records)
    assert result.rows == expected_rows
    assert result.summary.enterprises == N
    assert sum(result.summary.problems.values()) == sum(1 for r in records if r.problems)


def test_stored_enterprise_reads_back_as_generated(db: Session):
    rec = next(generate(DemoSpec(1, AS_OF, seed=5)))
    load(db.connection(), [rec], seed=5)
    ent = db.scalar(
        select(Enterprise)
        .where(Enterprise.uscc == rec.enterprise["uscc"])
        .options(selectinload(Enterprise.yearly_figures), selectinload(Enterprise.recognitions))
    )
    for key, value in rec.enterprise.items():
        assert getattr(ent, key) == value, key
    assert [f.fiscal_year for f in ent.yearly_figures] == [y["fiscal_year"] for y in rec.yearly]
    for fig, gen in zip(ent.yearly_figures, rec.yearly, strict=True):
        for key, value in gen.items():
            assert getattr(fig, key) == value, key
    assert service.summary(ent, as_of=AS_OF).is_synthetic is True


def test_second_load_with_the_same_seed_adds_nothing(db: Session):
    conn = db.connection()
    load(conn, generate(DemoSpec(N, AS_OF, seed=42)), seed=42)
    again = load(conn, generate(DemoSpec(N + 20, AS_OF, seed=42)), seed=42)
    assert again.inserted == 20
    assert again.skipped_existing == N
    assert count_synthetic(conn) == N + 20
    assert _count(db, ChangeLog) == N + 20


def test_existing_real_enterprise_with_a_demo_uscc_is_skipped_not_overwritten(db: Session):
    rec = next(generate(DemoSpec(1, AS_OF, seed=3)))
    real = service.create(
        db,
        EnterpriseIn(uscc=rec.enterprise["uscc"], name="已登记企业有限公司", region_code=rec.enterprise["region_code"],
                     industry_code="6511"),
        actor="tester",
    )  # fmt: skip
    db.flush()
    result = load(db.connection(), [rec], seed=3)
    assert (result.inserted, result.skipped_existing) == (0, 1)
    db.refresh(real)
    assert (real.name, real.is_synthetic) == ("已登记企业有限公司", False)


def test_reset_removes_synthetic_enterprises_and_keeps_real_ones(db: Session):
    real = _real_enterprise(db)
    conn = db.connection()
    load(conn, generate(DemoSpec(50, AS_OF, seed=9)), seed=9)
    assert reset(conn) == 50
    assert count_synthetic(conn) == 0
    assert _count(db, Enterprise) == 1
    assert _count(db, YearlyFigure) == 1
    assert _count(db, IpItem) == 0 and _count(db, Recognition) == 0
    db.expire_all()
    kept = db.get(Enterprise, real.id)
    assert kept.name == "真实企业（测试）有限公司"
    assert [f.employees for f in kept.yearly_figures] == [80]
    assert _count(db, ChangeLog, ChangeLog.enterprise_id == real.id) > 0


def test_stored_size_class_equals_the_service_recomputation_and_covers_three_classes(db: Session):
    load(db.connection(), generate(DemoSpec(N, AS_OF, seed=11)), seed=11)
    ents = db.scalars(
        select(Enterprise)
        .where(Enterprise.is_synthetic.is_(True))
        .options(selectinload(Enterprise.yearly_figures))
    ).all()
    stored = {e.id: (e.size_class, e.size_class_year) for e in ents}
    for ent in ents:
        service.recompute_size_class(ent)
        assert (ent.size_class, ent.size_class_year) == stored[ent.id], ent.uscc
    classes = Counter(c for c, _ in stored.values() if c)
    assert len(classes) >= 3


def _record_hook(conn, result, *, reset):  # type: ignore[no-untyped-def]
    _record_hook.calls.append((result.inserted, reset))  # type: ignore[attr-defined]
    return "hook ran"


_record_hook.calls = []  # type: ignore[attr-defined]


def test_demo_hooks_are_called_with_the_load_result(db: Session):
    result = load(db.connection(), generate(DemoSpec(3, AS_OF)), seed=42)
    messages = hooks.run_hooks(db.connection(), result, reset=True, hooks=[f"{__name__}:_record_hook"])
    assert messages == ["hook ran"]
    assert _record_hook.calls[-1] == (3, True)


@pytest.fixture
def cli_engine(tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    """A database of its own: the command commits, which the shared rolled-back fixtures must not see."""
    from srdi.db import session as db_session
    from srdi.db.migrate import upgrade
    from srdi.db.session import make_engine

    eng = make_engine(f"sqlite:///{tmp_path / 'demo.sqlite3'}")
    with eng.begin() as conn:
        upgrade(conn)
    monkeypatch.setattr(db_session, "get_engine", lambda: eng)
    yield eng
    eng.dispose()


def test_demo_command_loads_reports_problems_and_resets(cli_engine):
    from typer.testing import CliRunner

    from srdi.cli import app

    runner = CliRunner()
    first = runner.invoke(app, ["demo", "--count", "120", "--as-of", "2026-11-21"])
    assert first.exit_code == 0, first.output
    assert "新增 120 家，已存在跳过 0 家" in first.output
    assert "年度数据 2023, 2024, 2025 年" in first.output
    assert "埋入的数据问题" in first.output
    again = runner.invoke(app, ["demo", "--count", "120", "--as-of", "2026-11-21"])
    assert "新增 0 家，已存在跳过 120 家" in again.output
    with cli_engine.connect() as conn:
        assert count_synthetic(conn) == 120
    wiped = runner.invoke(app, ["demo", "--count", "0", "--reset"])
    assert wiped.exit_code == 0, wiped.output
    assert "已删除演示企业 120 家" in wiped.output
    with cli_engine.connect() as conn:
        assert count_synthetic(conn) == 0


def test_demo_command_rejects_a_bad_date(cli_engine):
    from typer.testing import CliRunner

    from srdi.cli import app

    out = CliRunner().invoke(app, ["demo", "--count", "1", "--as-of", "2026/11/21"])
    assert out.exit_code == 2
    assert "日期格式应为 YYYY-MM-DD" in out.output


def test_every_configured_demo_hook_resolves_to_a_function():
    for path in hooks.DEMO_HOOKS:
        assert callable(hooks.resolve(path)), path
