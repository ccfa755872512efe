"""Queries of matchmaking."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Select, false, func, select
from sqlalchemy.orm import Session

from srdi.kit.pagination import page_rows, under_prefixes
from srdi.matchmaking.models import Bid, Capability, MatchNeed, MatchNeedEvent, Milestone


def get_need(db: Session, need_id: int) -> MatchNeed | None:
    return db.get(MatchNeed, need_id)


def get_bid(db: Session, bid_id: int) -> Bid | None:
    return db.get(Bid, bid_id)


def get_capability(db: Session, capability_id: int) -> Capability | None:
    return db.get(Capability, capability_id)


def get_milestone(db: Session, milestone_id: int) -> Milestone | None:
    return db.get(Milestone, milestone_id)


def _needs_query(
    statuses: Sequence[str] | None,
    leader_enterprise_id: int | None,
    region_prefixes: Sequence[str] | None,
    kind: str | None,
) -> Select[MatchNeed]:
    q = select(MatchNeed)
    if statuses is not None:
        q = q.where(MatchNeed.status.in_(list(statuses)) if statuses else false())
    if leader_enterprise_id is not None:
        q = q.where(MatchNeed.leader_enterprise_id == leader_enterprise_id)
    if region_prefixes is not None:
        q = q.where(under_prefixes(MatchNeed.region_code, region_prefixes))
    if kind:
        q = q.where(MatchNeed.kind == kind)
    return q.order_by(MatchNeed.id.desc())


def needs(
    db: Session,
    *,
    statuses: Sequence[str] | None = None,
    leader_enterprise_id: int | None = None,
    region_prefixes: Sequence[str] | None = None,
    kind: str | None = None,
    limit: int = 200,
) -> list[MatchNeed]:
    q = _needs_query(statuses or None, leader_enterprise_id, region_prefixes, kind)
    return list(db.scalars(q.limit(limit)))


def needs_page(
    db: Session,
    *,
    statuses: Sequence[str] | None,
    leader_enterprise_id: int | None = None,
    region_prefixes: Sequence[str] | None = None,
    page: int,
    page_size: int,
) -> tuple[list[MatchNeed], int]:
    """One page of needs, newest first, counted and cut in SQL (``statuses`` empty: none; ``None``: any)."""
    return page_rows(db, _needs_query(statuses, leader_enterprise_id, region_prefixes, None), page, page_size)


def live_need_with_title(
    db: Session, leader_enterprise_id: int, title_key: str, live: Sequence[str]
) -> MatchNeed | None:
    return db.scalar(
        select(MatchNeed).where(
            MatchNeed.leader_enterprise_id == leader_enterprise_id,
            MatchNeed.title_key == title_key,
            MatchNeed.status.in_(list(live)),
        )
    )


def events(db: Session, need_id: int) -> list[MatchNeedEvent]:
    return list(
        db.scalars(
            select(MatchNeedEvent).where(MatchNeedEvent.need_id == need_id).order_by(MatchNeedEvent.id)
        )
    )


def bids_of_need(db: Session, need_id: int) -> list[Bid]:
    return list(db.scalars(select(Bid).where(Bid.need_id == need_id).order_by(Bid.id)))


def bids_of_enterprise(db: Session, enterprise_id: int) -> list[Bid]:
    return list(db.scalars(select(Bid).where(Bid.enterprise_id == enterprise_id).order_by(Bid.id.desc())))


def bids_page(db: Session, enterprise_id: int, page: int, page_size: int) -> tuple[list[Bid], int]:
    q = select(Bid).where(Bid.enterprise_id == enterprise_id).order_by(Bid.id.desc())
    return page_rows(db, q, page, page_size)


def bid_of(db: Session, need_id: int, enterprise_id: int) -> Bid | None:
    return db.scalar(select(Bid).where(Bid.need_id == need_id, Bid.enterprise_id == enterprise_id))


def bid_counts(db: Session, need_ids: Sequence[int]) -> dict[int, int]:
    if not need_ids:
        return {}
    rows = db.execute(
        select(Bid.need_id, func.count()).where(Bid.need_id.in_(list(need_ids))).group_by(Bid.need_id)
    )
    return {int(n): int(c) for n, c in rows}


def milestones(db: Session, need_id: int) -> list[Milestone]:
    return list(db.scalars(select(Milestone).where(Milestone.need_id == need_id).order_by(Milestone.id)))


def capabilities_of(db: Session, enterprise_id: int) -> list[Capability]:
    return list(
        db.scalars(
            select(Capability).where(Capability.enterprise_id == enterprise_id).order_by(Capability.id)
        )
    )


def all_capabilities(db: Session) -> list[Capability]:
    return list(db.scalars(select(Capability).order_by(Capability.id)))


def capability_with_title(db: Session, enterprise_id: int, title_key: str) -> Capability | None:
    return db.scalar(
        select(Capability).where(Capability.enterprise_id == enterprise_id, Capability.title_key == title_key)
    )


def outcome_counts(db: Session) -> dict[int, tuple[int, int]]:
    """Per enterprise, (delivered, failed) challenges it was selected for."""
    rows = db.execute(
        select(Bid.enterprise_id, MatchNeed.status, func.count())
        .join(MatchNeed, MatchNeed.selected_bid_id == Bid.id)
        .where(MatchNeed.status.in_(["delivered", "failed"]))
        .group_by(Bid.enterprise_id, MatchNeed.status)
    )
    out: dict[int, tuple[int, int]] = {}
    for ent, status, n in rows:
        d, f = out.get(int(ent), (0, 0))
        out[int(ent)] = (d + int(n), f) if status == "delivered" else (d, f + int(n))
    return out


def stamp(db: Session) -> tuple[object, ...]:
    """Changes when anything the matcher indexes changes (enterprises, capabilities, outcomes)."""
    from srdi.enterprise.models import Enterprise

    ent = db.execute(select(func.count(Enterprise.id), func.max(Enterprise.updated_at))).one()
    cap = db.execute(select(func.count(Capability.id), func.max(Capability.updated_at))).one()
    done = db.scalar(select(func.count(MatchNeed.id)).where(MatchNeed.status.in_(["delivered", "failed"])))
    return (*ent, *cap, done)


def enterprises_for_index(db: Session, ids: Sequence[int]) -> list[object]:
    """Enterprises with only what the matcher reads (products, niche markets, IP, recognitions) loaded."""
    from sqlalchemy.orm import selectinload

    from srdi.enterprise.models import Enterprise

    return list(
        db.scalars(
            select(Enterprise)
            .where(Enterprise.id.in_(list(ids)))
            .options(
                selectinload(Enterprise.main_products),
                selectinload(Enterprise.niche_markets),
                selectinload(Enterprise.ip_items),
                selectinload(Enterprise.recognitions),
            )
            .order_by(Enterprise.id)
        )
    )
