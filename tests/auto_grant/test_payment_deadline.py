"""The Dongguan award is paid within 2 working days of consent (seed 004, 工信局 reply 二(二)), counted on the
Chinese calendar with 调休: around 国庆 2025 (1–8 October off, Saturday 11 October a make-up working day)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select

from srdi.auto_grant import service
from srdi.auto_grant.models import Disbursement, Grant
from srdi.kit.workdays import BEIJING
from tests.policy.factories import enterprise

KEY = "dg_srdi_award_auto_grant"


def _bj(y: int, m: int, d: int, h: int = 10) -> datetime:
    return datetime(y, m, d, h, 0, tzinfo=BEIJING)


def _consented(db, at: datetime) -> Grant:  # type: ignore[no-untyped-def]
    ent = enterprise(db, provincial_srdi=True)
    run = service.create_run(db, KEY, date(2025, 6, 30), actor="official", scope_prefixes=None)
    service.execute_run(db, run)
    g = db.scalars(select(Grant).where(Grant.enterprise_id == ent.id)).one()
    service.consent(
        db,
        g.id,
        bank_name="中国银行",
        account_name="企业",
        bank_account="62220000111122",
        actor="e",
        enterprise_ids=None,
    )
    g.consented_at = at.astimezone(UTC)
    db.flush()
    return g


def test_consent_on_30_september_is_due_at_the_end_of_10_october(db):
    g = _consented(db, _bj(2025, 9, 30))
    pd = service.payment_deadline(db, g, now=_bj(2025, 10, 8, 23))  # last day of the holiday: not yet due
    assert pd.due_at == datetime(2025, 10, 10, 16, 0, tzinfo=UTC)  # 24:00 Beijing, 10 October
    assert (pd.working_days, pd.overdue, pd.label) == (2, False, "")
    assert service.payment_deadline(db, g, now=_bj(2025, 10, 10, 23)).overdue is False


def test_unpaid_on_the_saturday_make_up_day_is_one_working_day_late(db):
    g = _consented(db, _bj(2025, 9, 30))
    pd = service.payment_deadline(
        db, g, now=_bj(2025, 10, 11, 9)
    )  # Saturday 11 October is a 调休 working day
    assert (pd.overdue, pd.working_days_late) == (True, 1)
    assert pd.label == "逾期未拨付（时限为确认后2个工作日，已超1个工作日）"
    assert [x.id for x, _ in service.overdue_grants(db, scope_prefixes=None, now=_bj(2025, 10, 11, 9))] == [
        g.id
    ]
    assert service.overdue_grants(db, scope_prefixes=["4403"], now=_bj(2025, 10, 11, 9)) == []


def test_paid_on_9_october_is_on_time_and_paid_on_13_october_is_late(db):
    g = _consented(db, _bj(2025, 9, 30))
    d = db.scalars(select(Disbursement).where(Disbursement.grant_id == g.id)).one()
    d.exported_at = _bj(2025, 10, 9).astimezone(UTC)
    db.flush()
    assert service.payment_deadline(db, g, now=_bj(2025, 12, 1)).overdue is False
    d.exported_at = _bj(2025, 10, 13).astimezone(UTC)  # Monday, after the make-up Saturday
    db.flush()
    pd = service.payment_deadline(db, g, now=_bj(2025, 12, 1))
    assert (pd.overdue, pd.working_days_late) == (True, 2)
    assert pd.label == "逾期拨付（时限为确认后2个工作日，已超2个工作日）"


def test_a_year_missing_from_the_calendar_says_so_instead_of_guessing(db):
    g = _consented(db, _bj(2031, 3, 2))
    pd = service.payment_deadline(db, g, now=_bj(2031, 3, 9))
    assert (pd.due_at, pd.overdue, pd.note) == (None, False, "节假日安排缺少相应年份，拨付时限暂无法计算")


def test_a_year_an_administrator_entered_counts_for_the_payment_deadline(db):
    """2031 is not in the bundled calendar: once an administrator enters its holidays, the deadline computes on
    them (here 3–4 March 2031 entered as days off, so the 2 working days after Sunday 2 March are Wednesday 5th and Thursday 6th;
    on Sunday 9th it is 1 working day late, Friday 7th)."""
    from srdi.appeal import service as appeal_service
    from srdi.kit.workdays import DayOverride

    g = _consented(db, _bj(2031, 3, 2))
    appeal_service.set_calendar_year(
        db,
        2031,
        [DayOverride(date(2031, 3, 3), True, "测试假日"), DayOverride(date(2031, 3, 4), True, "测试假日")],
        entered_by="admin",
    )
    pd = service.payment_deadline(db, g, now=_bj(2031, 3, 9))
    assert pd.note == ""
    assert pd.due_at == datetime(2031, 3, 7, 0, 0, tzinfo=BEIJING).astimezone(UTC)
    assert (pd.overdue, pd.working_days_late) == (True, 1)
