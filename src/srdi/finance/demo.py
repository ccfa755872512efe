"""The ``srdi demo`` hook for financing: three banks (demo-bank works for one), products in every review state,
whitelists (last quarter approved, this quarter a draft to approve) and financing requests in every state."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import Connection, delete, select
from sqlalchemy.orm import Session

from srdi.appeal import service as appeal_service
from srdi.auth.models import User
from srdi.db.base import utcnow
from srdi.enterprise.models import Enterprise
from srdi.finance import deadlines, repository, service
from srdi.finance.enums import ProductStatus, RequestStatus, RunStatus
from srdi.finance.models import (
    Bank,
    BankMember,
    FinancingEvent,
    FinancingRequest,
    LoanProduct,
    WhitelistEntry,
    WhitelistRun,
)
from srdi.kit.workdays import beijing_today

BANKS = (
    ("gd_ifb", "广东产融银行（演示）", "44"),
    ("dg_rcb", "东莞农商银行（演示）", "4419"),
    ("sz_tech", "深圳科创银行（演示）", "4403"),
)
DEMO_BANK_USER = ("demo-bank", "gd_ifb")
W = 1_000_000  # fen per 万元

# (bank, name, amount 万元, rate %, months, collateral, guarantee, eligibility, status)
PRODUCTS: tuple[tuple[Any, ...], ...] = (
    (
        "gd_ifb",
        "专精特新信用贷（演示）",
        (50, 1000),
        (3.2, 4.5),
        36,
        "none",
        "none",
        [
            {"field": "credit_score", "op": ">=", "value": "60"},
            {"field": "on_credit_blacklist", "op": "is_false"},
        ],
        ProductStatus.published,
    ),
    (
        "gd_ifb",
        "小巨人研发贷（演示）",
        (100, 3000),
        (3.0, 4.0),
        60,
        "ip_pledge",
        "none",
        [
            {"field": "valid_little_giant", "op": "is_true"},
            {"field": "rd_ratio_y1", "op": ">=", "value": "3"},
        ],
        ProductStatus.published,
    ),
    (
        "gd_ifb",
        "科创成长贷（演示）",
        (30, 500),
        (3.6, 5.2),
        24,
        "none",
        "government_guarantee",
        [
            {"field": "credit_score", "op": ">=", "value": "45"},
            {"field": "operating_revenue_y1", "op": ">=", "value": "1000"},
        ],
        ProductStatus.pending_review,
    ),
    (
        "dg_rcb",
        "产融白名单快贷（演示）",
        (50, 800),
        (3.3, 4.3),
        12,
        "none",
        "none",
        [{"field": "on_dg_industry_finance_list", "op": "is_true"}],
        ProductStatus.published,
    ),
    (
        "dg_rcb",
        "设备按揭贷（演示）",
        (100, 2000),
        (3.8, 5.0),
        60,
        "equipment",
        "third_party",
        [{"field": "size_class", "op": "in", "value": ["medium", "small"]}],
        ProductStatus.rejected,
    ),
    (
        "sz_tech",
        "科技型中小企业信用贷（演示）",
        (20, 300),
        (3.5, 4.8),
        12,
        "none",
        "government_guarantee",
        [{"field": "credit_score", "op": ">=", "value": "50"}],
        ProductStatus.published,
    ),
)

# (bank, status, amount 万元, purpose, months, first loan, shared, days ago, approved 万元, rate %, note)
REQUESTS: tuple[tuple[Any, ...], ...] = (
    (
        "gd_ifb",
        RequestStatus.submitted,
        300,
        "购置数控加工设备（演示）",
        24,
        True,
        ["identity", "credit_score", "financials"],
        1,
        None,
        None,
        "",
    ),
    (
        "gd_ifb",
        RequestStatus.accepted,
        500,
        "研发中心建设（演示）",
        36,
        False,
        ["identity", "credit_score"],
        4,
        None,
        None,
        "",
    ),
    (
        "gd_ifb",
        RequestStatus.info_requested,
        200,
        "补充流动资金（演示）",
        12,
        True,
        ["identity"],
        6,
        None,
        None,
        "请补充近三个月的销售合同",
    ),
    (
        "gd_ifb",
        RequestStatus.approved,
        800,
        "扩大产能（演示）",
        36,
        True,
        ["identity", "credit_score", "recognitions"],
        12,
        600,
        3.65,
        "",
    ),
    (
        "dg_rcb",
        RequestStatus.approved,
        300,
        "原材料采购（演示）",
        12,
        False,
        ["identity", "credit_score"],
        15,
        300,
        3.45,
        "",
    ),
    (
        "dg_rcb",
        RequestStatus.declined,
        1000,
        "厂房购置（演示）",
        60,
        False,
        ["identity", "financials"],
        10,
        None,
        None,
        "资产负债率偏高，建议提供抵押后再申请",
    ),
    (
        "sz_tech",
        RequestStatus.withdrawn,
        100,
        "补充流动资金（演示）",
        12,
        True,
        [],
        8,
        None,
        None,
        "企业已从其他渠道获得融资",
    ),
    ("sz_tech", RequestStatus.submitted, 150, "软件平台研发（演示）", 12, True, [], 2, None, None, ""),
)


def _bank(db: Session, code: str, name: str, region: str) -> Bank:
    b = repository.bank_by_code(db, code)
    if b is None:
        b = Bank(code=code, name=name, region_code=region)
        db.add(b)
        db.flush()
    return b


def _clear(db: Session) -> None:
    """After ``--reset`` the demo enterprises are new: the lists and requests about the old ones go too."""
    db.execute(delete(WhitelistEntry))
    db.execute(delete(WhitelistRun))
    demo_requests = select(FinancingRequest.id).where(FinancingRequest.purpose.like("%（演示）"))
    db.execute(delete(FinancingEvent).where(FinancingEvent.request_id.in_(demo_requests)))
    db.execute(delete(FinancingRequest).where(FinancingRequest.purpose.like("%（演示）")))
    db.flush()


def _seed(db: Session, *, reset: bool = False) -> str:
    if reset:
        _clear(db)
    banks = {code: _bank(db, code, name, region) for code, name, region in BANKS}
    user = db.scalars(select(User).where(User.username == DEMO_BANK_USER[0])).first()
    if user is not None and db.get(BankMember, user.id) is None:
        db.add(BankMember(user_id=user.id, bank_id=banks[DEMO_BANK_USER[1]].id))
    made = 0
    for code, name, (lo, hi), (rlo, rhi), months, coll, guar, elig, status in PRODUCTS:
        b = banks[code]
        if any(p.name == name for p in repository.products(db, bank_id=b.id)):
            continue
        p = LoanProduct(
            bank_id=b.id,
            name=name,
            description="演示产品，条款为虚构",
            amount_min_fen=lo * W,
            amount_max_fen=hi * W,
            rate_min_bp=int(rlo * 100),
            rate_max_bp=int(rhi * 100),
            term_months_max=months,
            collateral=coll,
            guarantee=guar,
            eligibility=elig,
            status=status,
            review_note="演示：条件过窄，请补充担保方式说明" if status == ProductStatus.rejected else "",
        )
        db.add(p)
        db.flush()
        p.eligibility_hash = service.product_rule_set(p, b.name).content_hash
        made += 1
    today = beijing_today()
    this_q = service.current_period("quarter", today)
    y, q = int(this_q[:4]), int(this_q[-1])
    last_q = f"{y}Q{q - 1}" if q > 1 else f"{y - 1}Q4"
    runs = 0
    for key in service.rules().whitelists:
        prev = repository.run_for(db, key, last_q)
        if prev is None:
            prev = service.generate_whitelist(db, key, last_q, None, region_prefixes=None)
            runs += 1
        if prev.status != RunStatus.approved:
            prev.status, prev.approved_at = RunStatus.approved, utcnow()
        if key == "dg_industry_finance" and repository.run_for(db, key, this_q) is None:
            service.generate_whitelist(db, key, this_q, None, region_prefixes=None)  # a draft to approve
            runs += 1
    reqs = _requests(db, banks)
    db.flush()
    return f"产融对接：银行 {len(banks)} 家，新建产品 {made} 个、白名单批次 {runs} 个、融资需求 {reqs} 笔"


def _requests(db: Session, banks: dict[str, Bank]) -> int:
    if db.scalars(select(FinancingRequest.id).where(FinancingRequest.purpose.like("%（演示）"))).first():
        return 0
    ent_user = db.scalars(select(User).where(User.username == "demo-enterprise")).first()
    own = db.get(Enterprise, ent_user.enterprise_id) if ent_user and ent_user.enterprise_id else None
    others = list(db.scalars(select(Enterprise).order_by(Enterprise.id).limit(12)).all())
    pool = [e for e in others if own is None or e.id != own.id]
    if own is None and not pool:
        return 0
    now = utcnow()
    cal, limits = appeal_service.calendar(db), service.time_limits()
    n = 0
    for i, (code, status, amount, purpose, months, first, shared, ago, ok_amount, rate, note) in enumerate(
        REQUESTS
    ):
        # demo-enterprise owns the first request of each bank's set, so its page has work in several states.
        ent = own if own is not None and i in (0, 3, 4, 6) else pool[i % len(pool)] if pool else own
        assert ent is not None
        submitted = now - timedelta(days=ago)
        req = FinancingRequest(
            group_key=f"demo-{i}",
            enterprise_id=ent.id,
            bank_id=banks[code].id,
            amount_fen=amount * W,
            purpose=purpose,
            term_months=months,
            first_loan=first,
            shared=shared,
            consent_at=submitted if shared else None,
            status=status,
            submitted_at=submitted,
            region_code=ent.region_code,
        )
        db.add(req)
        db.flush()
        steps: list[tuple[str, str, str]] = [("submit", RequestStatus.submitted, "")]
        if status in (RequestStatus.accepted, RequestStatus.approved):
            steps.append(("accept", RequestStatus.accepted, ""))
        if status == RequestStatus.info_requested:
            steps.append(("ask_info", RequestStatus.info_requested, note))
        if status == RequestStatus.approved:
            req.approved_amount_fen, req.approved_rate_bp = ok_amount * W, round(rate * 100)
            req.decided_at = submitted + timedelta(days=5)
            steps.append(("approve", RequestStatus.approved, ""))
        if status == RequestStatus.declined:
            req.decline_reason, req.decided_at = note, submitted + timedelta(days=3)
            steps.append(("decline", RequestStatus.declined, note))
        if status == RequestStatus.withdrawn:
            steps.append(("withdraw", RequestStatus.withdrawn, note))
        for k, (action, after, text) in enumerate(steps):
            at = submitted + timedelta(days=k) if action not in ("approve", "decline") else req.decided_at
            assert at is not None
            # Each stage's time limit, as the service stamps it (the last one is the request's current one).
            due = deadlines.due_for(limits, cal, after, at)
            req.due_at = due
            db.add(
                FinancingEvent(
                    request_id=req.id,
                    at=at,
                    action=action,
                    status_after=after,
                    note=text,
                    actor_label=ent.name if action in ("submit", "withdraw") else banks[code].name,
                    due_at=due,
                )
            )
        n += 1
    return n


def demo_hook(conn: Connection, result: Any, *, reset: bool) -> str:
    session = Session(bind=conn, join_transaction_mode="create_savepoint")
    try:
        message = _seed(session, reset=reset)
        session.commit()
    finally:
        session.close()
    return message
