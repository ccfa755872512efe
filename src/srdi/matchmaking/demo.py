"""The ``srdi demo`` hook: chain leaders' needs and 揭榜挂帅 challenges in Shenzhen, Dongguan and Chongqing,
enterprises' capabilities, bids, and needs at every step (待审核 → 征集中 → 已揭榜 → 攻关中 → 已交付 / 未成功).

Synthetic only. The leaders are demo enterprises: demo-chain-leader's own (深圳南山), and one each in 东莞 and
重庆 with accounts demo-chain-leader-dg / demo-chain-leader-cq (same demo password). The needs are written as the
seeds' industries would post them (深圳 智能机器人与电子信息, 东莞 电子信息与智能装备, 重庆 智能网联新能源汽车)
and go through the real service: review, matching notifications, bids, selection, milestones, delivery.
Idempotent: a leader's need whose title exists is not posted again.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

CAPABILITY_ENTERPRISES = 400

# (title, kind, problem, required capability, reward 元, budget 元, industry codes, IP terms, final step)
SHENZHEN = [
    (
        "协作机器人关节谐波减速器国产化",
        "open_challenge",
        "我司协作机器人关节目前依赖进口谐波减速器，供货周期长、成本高。征集国产谐波减速器替代方案，背隙不大于1弧分，"
        "额定寿命1万小时以上，年需求约2万台。",
        "具备柔轮、刚轮精密加工与装配检测能力，有批量供货业绩",
        "800000",
        "5000000",
        ["3484", "3491"],
        "联合开发成果专利由双方共有，揭榜方享有优先供货权",
        "delivered",
    ),
    (
        "机器人视觉引导与表面缺陷检测系统",
        "open_challenge",
        "手机结构件打磨工位需视觉引导机器人上下料，并在线检测划伤、凹坑等表面缺陷，漏检率低于0.1%，节拍不大于3秒。",
        "机器视觉算法、工业相机与机器人集成经验",
        "500000",
        "2000000",
        ["3990", "6513"],
        "软件著作权归揭榜方，发榜方永久免费使用",
        "open",
    ),
    (
        "伺服驱动器EtherCAT总线批量配套",
        "supply_need",
        "新一代六轴机器人配套伺服电机及驱动器，支持EtherCAT总线、绝对值编码器，月用量约2000套，要求通过CE认证。",
        "伺服电机与驱动器量产能力，可提供可靠性试验报告",
        None,
        "12000000",
        ["3812"],
        None,
        "open",
    ),
    (
        "车规级碳化硅功率模块联合开发",
        "open_challenge",
        "面向800V高压平台的主驱逆变器，需联合开发车规级碳化硅功率模块，满足AEC-Q101认证，结温175℃。",
        "碳化硅器件设计与模块封装能力",
        "1500000",
        "8000000",
        ["3972"],
        "背景知识产权各自所有，新增知识产权共有",
        "in_progress",
    ),
    (
        "机器人用高柔性拖链电缆",
        "supply_need",
        "工业机器人本体内部走线需耐弯折拖链电缆，弯曲寿命不少于1000万次，需提供第三方检测报告。",
        "电线电缆生产能力",
        None,
        "1500000",
        ["3831"],
        None,
        "pending_review",
    ),
]
DONGGUAN = [
    (
        "储能电芯模组自动组装整线",
        "open_challenge",
        "我司储能电池模组产线扩产，征集电芯上料、堆叠、激光焊接、视觉检测一体化自动组装整线方案，节拍不低于12PPM。",
        "非标自动化整线设计与交付经验",
        "600000",
        "10000000",
        ["3563", "3841"],
        "设备知识产权归揭榜方",
        "open",
    ),
    (
        "5G基站陶瓷介质滤波器国产替代",
        "supply_need",
        "5G小基站射频单元所需陶瓷介质滤波器，插损与带外抑制指标对标进口产品，年需求约10万只。",
        "滤波器设计与量产能力",
        None,
        "6000000",
        ["3989", "3921"],
        None,
        "failed",
    ),
]
CHONGQING = [
    (
        "一体化压铸后地板及电驱壳体",
        "open_challenge",
        "新车型车身后地板拟采用一体化大型压铸，同时需电驱壳体铝合金压铸件配套，征集压铸工艺与模具方案。",
        "大型压铸设备与真空压铸工艺经验",
        "2000000",
        "30000000",
        ["3392", "3670"],
        "工艺专利归揭榜方，发榜方享有使用权",
        "open",
    ),
    (
        "智能座舱域控制器多屏联动方案",
        "open_challenge",
        "新车型智能座舱需域控制器支持仪表、中控、副驾三屏联动，启动时间小于2秒，通过功能安全ASIL-B评估。",
        "车载域控制器软硬件开发能力",
        "1000000",
        "6000000",
        ["3962", "3670"],
        "双方共有",
        "taken",
    ),
    (
        "纯电车型热泵空调及电子水泵配套",
        "supply_need",
        "纯电平台热管理系统需热泵空调总成及电子水泵配套，-20℃制热能效比不低于2.0。",
        "汽车热管理部件量产能力，IATF 16949 认证",
        None,
        "20000000",
        ["3670"],
        None,
        "open",
    ),
]
PROPOSALS = [
    "我司在该领域有多年量产经验，拟组建专项团队，3个月提供样品，6个月完成验证并具备批量供货能力。",
    "采用自主研发的核心工艺与检测方法，关键指标对标进口产品，可先行小批量试用并驻厂支持。",
    "我司已为多家龙头企业配套同类产品，可按贵司需求定制开发，报价含两年技术服务。",
]


def _leader_accounts(session: Session, leaders: dict[str, Any], users: dict[str, Any]) -> dict[str, Any]:
    from srdi.auth.enums import Role
    from srdi.auth.service import UserData, create_user
    from srdi.config import get_settings

    settings = get_settings()
    out = {"sz": users.get("demo-chain-leader")}
    for key, username, name in (
        ("dg", "demo-chain-leader-dg", "东莞链主企业（演示）"),
        ("cq", "demo-chain-leader-cq", "重庆链主企业（演示）"),
    ):
        user = users.get(username)
        if user is None and leaders.get(key) is not None:
            user = create_user(
                session,
                UserData(
                    username=username,
                    display_name=name,
                    role=Role.chain_leader,
                    password=settings.demo_password,
                    enterprise_id=leaders[key].id,
                    is_demo=True,
                ),
                settings,
                actor=None,
            )
        out[key] = user
    return out


def demo_hook(conn: Connection, result: Any, *, reset: bool) -> str:
    from srdi.auth.models import User
    from srdi.config import get_settings
    from srdi.enterprise import service as enterprise_service
    from srdi.enterprise.models import Enterprise, MainProduct
    from srdi.kit.workdays import beijing_today
    from srdi.matchmaking import service
    from srdi.matchmaking.enums import BidAction, NeedStatus

    if not get_settings().demo_mode:
        return "未生成供需对接演示数据：SRDI_DEMO_MODE 未开启 / matchmaking demo skipped: demo mode is off"
    session = Session(bind=conn, join_transaction_mode="create_savepoint")
    try:
        users = {u.username: u for u in session.scalars(select(User).where(User.is_demo.is_(True))).all()}
        sz_leader_user = users.get("demo-chain-leader")
        admin = users.get("demo-admin")
        if sz_leader_user is None or sz_leader_user.enterprise_id is None or admin is None:
            session.commit()
            return "未生成供需对接演示数据：缺少演示账号 / matchmaking demo skipped: no demo accounts"

        def first_in(prefix: str, divisions: tuple[str, ...]) -> Enterprise | None:
            q = (
                select(Enterprise)
                .where(Enterprise.is_synthetic.is_(True), Enterprise.region_code.startswith(prefix))
                .order_by(Enterprise.id)
            )
            rows = list(session.scalars(q.limit(400)))
            return next((e for e in rows if e.industry_code[:2] in divisions), rows[0] if rows else None)

        leaders: dict[str, Any] = {
            "sz": session.get(Enterprise, sz_leader_user.enterprise_id),
            "dg": first_in("4419", ("39", "38", "35")),
            "cq": first_in("50", ("36", "37", "34")),
        }
        accounts = _leader_accounts(session, leaders, users)
        reviewers = {
            "sz": users.get("demo-district") or admin,
            "dg": users.get("demo-province") or admin,
            "cq": admin,
        }

        # Capabilities pre-filled from the registry for enterprises with main products (not the leaders).
        leader_ids = {e.id for e in leaders.values() if e is not None}
        with_products = list(
            session.scalars(
                select(MainProduct.enterprise_id)
                .distinct()
                .order_by(MainProduct.enterprise_id)
                .limit(CAPABILITY_ENTERPRISES)
            )
        )
        own = users.get("demo-enterprise")
        if own is not None and own.enterprise_id and own.enterprise_id not in with_products:
            with_products.insert(0, own.enterprise_id)
        caps = 0
        for ent in enterprise_service.with_facts(session, [i for i in with_products if i not in leader_ids]):
            if service.capabilities_of(session, ent.id) or not ent.main_products:
                continue
            d = service.capability_draft(ent)
            service.save_capability(
                session,
                ent,
                service.CapabilityData(
                    title=d["title"],
                    description=d["description"],
                    keywords=d["keywords"],
                    main_product_ids=d["main_product_ids"],
                    ip_item_ids=d["ip_item_ids"],
                ),
            )
            caps += 1

        posted = 0
        bids = 0
        today = beijing_today()
        for key, needs in (("sz", SHENZHEN), ("dg", DONGGUAN), ("cq", CHONGQING)):
            leader, user = leaders.get(key), accounts.get(key)
            if leader is None or user is None:
                continue
            existing = {n.title_key for n in service.needs_of_leader(session, leader.id)}
            for i, (title, kind, problem, required, reward, budget, codes, ip_terms, final) in enumerate(
                needs
            ):
                if service.title_key(title) in existing:
                    continue
                need = service.post_need(
                    session,
                    leader,
                    service.NeedData(
                        kind=kind,
                        title=title,
                        problem=problem,
                        required_capability=required,
                        reward_yuan=Decimal(reward) if reward else None,
                        budget_yuan=Decimal(budget) if budget else None,
                        deadline_date=today + timedelta(days=60 + 15 * i),
                        ip_terms=ip_terms,
                        industry_codes=codes,
                    ),
                    user,
                )
                posted += 1
                if final == "pending_review":
                    continue
                service.review_need(session, need, reviewers[key], approve=True, note="符合发布要求")
                if final == "open" and i % 2 == 1:
                    continue  # some open needs still wait for their first proposal
                takers = [
                    m.enterprise_id
                    for m in service.matches_for_need(session, need, top_k=6)
                    if m.enterprise_id not in leader_ids
                ][:3]
                placed = []
                for j, ent_id in enumerate(takers):
                    ent = enterprise_service.get_or_404(session, ent_id)
                    bid = service.place_bid(
                        session,
                        need,
                        ent,
                        service.BidData(
                            proposal=PROPOSALS[j % len(PROPOSALS)],
                            quoted_yuan=(Decimal(budget) * Decimal("0.8")).quantize(Decimal("1"))
                            if budget
                            else None,
                            planned_days=180,
                        ),
                        None,
                    )
                    placed.append(bid)
                    bids += 1
                if final == "open" or not placed:
                    if placed:
                        service.act_on_bid(session, placed[0], user, BidAction.shortlist.value, None)
                    continue
                service.act_on_bid(session, placed[0], user, BidAction.select.value, "方案最契合需求")
                if final == "taken":
                    continue
                m1 = service.add_milestone(session, need, user, "样品交付与测试", today + timedelta(days=45))
                service.start_need(session, need, user)
                service.complete_milestone(session, m1, user, today, "样品通过发榜方测试")
                service.add_milestone(session, need, user, "小批量试产", today + timedelta(days=120))
                if final == "delivered":
                    service.deliver_need(session, need, user, "样品及小批量产品验收合格，转入批量采购")
                elif final == "failed":
                    service.fail_need(session, need, user, "插损指标未达到要求，双方协商终止")
                assert need.status == NeedStatus(final).value
        session.commit()
    finally:
        session.close()
    return (
        f"供需对接：新发布需求 {posted} 项、揭榜方案 {bids} 份、企业能力 {caps} 项 / "
        f"matchmaking: {posted} needs, {bids} bids, {caps} capabilities"
    )
