"""Queries of the financing domain."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, func, insert, or_, select
from sqlalchemy.orm import Session

from srdi.enterprise.models import Enterprise
from srdi.finance.models import (
    Bank,
    BankMember,
    FinancingEvent,
    FinancingRequest,
    LoanProduct,
    WhitelistEntry,
    WhitelistRun,
)
from srdi.kit.pagination import in_ids, page_rows, under_prefixes


def bank_of_user(db: Session, user_id: int) -> Bank | None:
    q = select(Bank).join(BankMember, BankMember.bank_id == Bank.id).where(BankMember.user_id == user_id)
    return db.scalars(q).first()


def banks(db: Session) -> list[Bank]:
    return list(db.scalars(select(Bank).where(Bank.active.is_(True)).order_by(Bank.id)).all())


def bank_by_code(db: Session, code: str) -> Bank | None:
    return db.scalars(select(Bank).where(Bank.code == code)).first()


def enterprise_ids_in(db: Session, prefixes: Sequence[str]) -> list[int]:
    if not prefixes:
        return []
    q = select(Enterprise.id).where(or_(*[Enterprise.region_code.startswith(p) for p in prefixes]))
    return list(db.scalars(q.order_by(Enterprise.id)).all())


def run_for(db: Session, list_key: str, period: str) -> WhitelistRun | None:
    q = select(WhitelistRun).where(WhitelistRun.list_key == list_key, WhitelistRun.period == period)
    return db.scalars(q).first()


def previous_approved(db: Session, list_key: str, period: str) -> WhitelistRun | None:
    q = (
        select(WhitelistRun)
        .where(
            WhitelistRun.list_key == list_key, WhitelistRun.period < period, WhitelistRun.status == "approved"
        )
        .order_by(WhitelistRun.period.desc())
    )
    return db.scalars(q).first()


def latest_approved(db: Session, list_key: str) -> WhitelistRun | None:
    q = (
        select(WhitelistRun)
        .where(WhitelistRun.list_key == list_key, WhitelistRun.status == "approved")
        .order_by(WhitelistRun.period.desc())
    )
    return db.scalars(q).first()


def runs_of(db: Session, list_key: str) -> list[WhitelistRun]:
    q = select(WhitelistRun).where(WhitelistRun.list_key == list_key).order_by(WhitelistRun.period.desc())
    return list(db.scalars(q).all())


def entries(db: Session, run_id: int, *, members_only: bool = False) -> list[WhitelistEntry]:
    q = select(WhitelistEntry).where(WhitelistEntry.run_id == run_id)
    if members_only:
        q = q.where(WhitelistEntry.member.is_(True))
    return list(db.scalars(q.order_by(WhitelistEntry.id)).all())


def clear_entries(db: Session, run_id: int) -> None:
    db.execute(delete(WhitelistEntry).where(WhitelistEntry.run_id == run_id))


def member_of(db: Session, run_id: int, enterprise_id: int) -> bool:
    q = select(WhitelistEntry.id).where(
        WhitelistEntry.run_id == run_id,
        WhitelistEntry.enterprise_id == enterprise_id,
        WhitelistEntry.member.is_(True),
    )
    return db.scalars(q).first() is not None


def products(
    db: Session, *, bank_id: int | None = None, statuses: Sequence[str] | None = None
) -> list[LoanProduct]:
    q = select(LoanProduct)
    if bank_id is not None:
        q = q.where(LoanProduct.bank_id == bank_id)
    if statuses is not None:
        q = q.where(LoanProduct.status.in_(list(statuses)))
    return list(db.scalars(q.order_by(LoanProduct.id)).all())


def requests(
    db: Session,
    *,
    bank_id: int | None = None,
    enterprise_id: int | None = None,
    region_prefixes: Sequence[str] | None = None,
) -> list[FinancingRequest]:
    q = select(FinancingRequest)
    if bank_id is not None:
        q = q.where(FinancingRequest.bank_id == bank_id)
    if enterprise_id is not None:
        q = q.where(FinancingRequest.enterprise_id == enterprise_id)
    if region_prefixes is not None:
        if not region_prefixes:
            return []
        q = q.where(or_(*[FinancingRequest.region_code.startswith(p) for p in region_prefixes]))
    return list(db.scalars(q.order_by(FinancingRequest.id.desc())).all())


def requests_page(
    db: Session,
    *,
    bank_id: int | None = None,
    enterprise_ids: Sequence[int] | None = None,
    region_prefixes: Sequence[str] | None = None,
    statuses: Sequence[str] | None = None,
    page: int,
    page_size: int,
) -> tuple[list[FinancingRequest], int]:
    """One page of financing requests, newest first, narrowed and counted in SQL."""
    q = select(FinancingRequest).where(
        in_ids(FinancingRequest.enterprise_id, enterprise_ids),
        under_prefixes(FinancingRequest.region_code, region_prefixes),
    )
    if bank_id is not None:
        q = q.where(FinancingRequest.bank_id == bank_id)
    if statuses is not None:
        q = q.where(FinancingRequest.status.in_(list(statuses)))
    return page_rows(db, q.order_by(FinancingRequest.id.desc()), page, page_size)


def events(db: Session, request_id: int) -> list[FinancingEvent]:
    q = select(FinancingEvent).where(FinancingEvent.request_id == request_id).order_by(FinancingEvent.id)
    return list(db.scalars(q).all())


def events_of(request_ids: Sequence[int], db: Session) -> dict[int, list[FinancingEvent]]:
    """The events of many requests, each request's in order."""
    out: dict[int, list[FinancingEvent]] = {}
    for i in range(0, len(request_ids), 1000):
        chunk = list(request_ids[i : i + 1000])
        q = select(FinancingEvent).where(FinancingEvent.request_id.in_(chunk)).order_by(FinancingEvent.id)
        for e in db.scalars(q):
            out.setdefault(e.request_id, []).append(e)
    return out


def entry_of(db: Session, run_id: int, enterprise_id: int) -> WhitelistEntry | None:
    q = select(WhitelistEntry).where(
        WhitelistEntry.run_id == run_id, WhitelistEntry.enterprise_id == enterprise_id
    )
    return db.scalars(q).first()


def all_banks(db: Session) -> list[Bank]:
    return list(db.scalars(select(Bank).order_by(Bank.id)).all())


def bank_members(db: Session, user_ids: Sequence[int]) -> dict[int, int]:
    """user id → bank id for the linked ones among ``user_ids``."""
    if not user_ids:
        return {}
    q = select(BankMember).where(BankMember.user_id.in_(list(user_ids)))
    return {m.user_id: m.bank_id for m in db.scalars(q)}


def member_ids(db: Session, run_id: int) -> set[int]:
    """The enterprises on a run's list (ids only: a previous period's list may hold many thousands)."""
    q = select(WhitelistEntry.enterprise_id).where(
        WhitelistEntry.run_id == run_id, WhitelistEntry.member.is_(True)
    )
    return set(db.scalars(q).all())


def id_ranges(db: Session, region_prefix: str, size: int) -> list[tuple[int, int]]:
    """Consecutive id ranges holding ``size`` enterprises of ``region_prefix`` each (keyset paging)."""
    out: list[tuple[int, int]] = []
    last: int | None = None
    base = (
        select(Enterprise.id).where(Enterprise.region_code.startswith(region_prefix)).order_by(Enterprise.id)
    )
    while True:
        q = base if last is None else base.where(Enterprise.id > last)
        lo = db.scalar(q.limit(1))
        if lo is None:
            return out
        hi = db.scalar(q.offset(size - 1).limit(1)) or db.scalar(select(func.max(Enterprise.id)))
        assert hi is not None
        out.append((lo, hi))
        last = hi


def insert_entries(db: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Bulk insert of whitelist entries (one executemany), in the order given."""
    if rows:
        db.execute(insert(WhitelistEntry), list(rows))
