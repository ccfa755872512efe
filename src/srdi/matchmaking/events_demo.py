"""The ``srdi demo`` hook for events and talent needs: 对接会、路演、新品发布会、校企人才对接会 in 深圳, 东莞 and 重庆
with registrations, attendance, meetings and contracts; hiring and training needs of demo enterprises, some
answered by their district and with hires recorded.

Synthetic only, and through the real service. An event that already happened is created for today, registered
for, then dated back to the day it took place (the service refuses new events in the past) before its
attendance, meetings and contracts are recorded — the history a year of use would leave. demo-enterprise is
the seller of one contract awaiting its confirmation and has two hiring needs; demo-chain-leader organises a
路演 and met enterprises at 南山's 对接会; demo-district has talent needs to answer. Idempotent: an event whose
title exists, or an enterprise's post that is open, is not written again.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

# (key, organiser account, leader key or None, kind, title, days from today, place, organiser, region, industries,
#  registrants, contracts: [(seller rank among registrants, title, 万元, confirmed)])
EVENTS: list[tuple[Any, ...]] = [
    ("dg1", "demo-province", None, "matchmaking", "东莞市专精特新企业对接华为、OPPO等龙头企业专场", -200,
     "松山湖国际会展中心", "东莞市工业和信息化局", "441900", ["3922", "3984"], 6,
     [(0, "手机结构件精密模具年度采购", "380", True), (2, "5G 基站散热模组试产订单", "95.6", False)]),
    ("dg2", "demo-province", None, "matchmaking", "东莞市专精特新企业对接新能源汽车龙头企业", -120,
     "东莞市民服务中心多功能厅", "东莞市工业和信息化局", "441900", ["3670", "3841"], 5,
     [(1, "动力电池结构件配套合同", "620", True)]),
    ("dg3", "demo-province", None, "matchmaking", "东莞市智能装备产业链供需对接会", -45,
     "长安镇智能装备产业园", "东莞市工业和信息化局", "441900", ["3491", "3484"], 4, []),
    ("dg4", "demo-chain-leader-dg", "dg", "roadshow", "链主企业开放日暨专精特新企业路演", 25,
     "东莞链主企业总部展厅", "东莞链主企业（演示）", "441900", ["3984"], 0, []),
    ("dgjob", "demo-province", None, "job_fair", "东莞理工学院专精特新企业专场招聘会", 18,
     "东莞理工学院松山湖校区体育馆", "东莞市人力资源和社会保障局", "441900", [], 0, []),
    ("sz1", "demo-district", "sz", "matchmaking", "南山区机器人产业链供需对接会", -60,
     "南山区科技园深圳湾创新科技中心", "南山区工业和信息化局", "440305", ["3491", "3484"], 5,
     [(0, "谐波减速器批量采购框架协议", "260", False), (1, "机器视觉检测工位集成", "88", True)]),
    ("sz2", "demo-city", None, "product_launch", "深圳产业会客厅专精特新企业新品发布会", -30,
     "深圳产业会客厅（福田）", "深圳市中小企业服务局", "440304", ["3962", "3984"], 4, []),
    ("sz3", "demo-chain-leader", "sz", "roadshow", "链主企业技术需求发布暨专精特新企业路演", 14,
     "南山区链主企业研发中心报告厅", "链主企业（演示）", "440305", ["3491"], 0, []),
    ("szjob", "demo-district", None, "job_fair", "南山区专精特新企业校企人才对接会", 21,
     "深圳大学粤海校区学生活动中心", "南山区人力资源局", "440305", [], 0, []),
    ("cq1", "demo-admin", None, "matchmaking", "重庆市智能网联新能源汽车产业链对接会", -90,
     "重庆国际博览中心", "重庆市经济和信息化委员会", "500112", ["3670", "3612"], 4,
     [(0, "线控底盘零部件定点采购", "450", True)]),
]  # fmt: skip

# (post, kind, headcount, skills, salary 元/月, joint training, description)
POSTS: list[tuple[Any, ...]] = [
    ("嵌入式软件工程师", "hiring", 5, ["C/C++", "RTOS", "电机控制"], ("15000", "25000"), True,
     "负责核心产品固件开发，可与高校联合培养应届毕业生。"),
    ("数控机床操作工", "hiring", 12, ["数控编程", "精密测量"], ("7000", "10000"), False,
     "两班倒，提供宿舍，持数控车工证优先。"),
    ("质量工程师", "hiring", 3, ["IATF 16949", "SPC", "失效分析"], ("12000", "18000"), False, ""),
    ("工业机器人运维技师", "training", 20, ["机器人示教", "PLC"], None, True,
     "与职业院校共建订单班，培养机器人运维技师。"),
    ("电池工艺工程师", "hiring", 4, ["电芯工艺", "涂布", "化成"], ("14000", "22000"), False, ""),
]  # fmt: skip


def demo_hook(conn: Connection, result: Any, *, reset: bool) -> str:
    from srdi.auth.models import User
    from srdi.config import get_settings
    from srdi.enterprise import service as enterprise_service
    from srdi.enterprise.models import Enterprise
    from srdi.kit.workdays import beijing_today
    from srdi.matchmaking import events_service as svc
    from srdi.matchmaking.models import MatchEvent
    from srdi.matchmaking.service import region_label, title_key

    if not get_settings().demo_mode:
        return "未生成对接活动演示数据：SRDI_DEMO_MODE 未开启 / events demo skipped: demo mode is off"
    session = Session(bind=conn, join_transaction_mode="create_savepoint")
    try:
        users = {u.username: u for u in session.scalars(select(User).where(User.is_demo.is_(True))).all()}
        if "demo-admin" not in users or "demo-chain-leader" not in users:
            session.commit()
            return "未生成对接活动演示数据：缺少演示账号 / events demo skipped: no demo accounts"
        today = beijing_today()
        leaders = {
            "sz": users["demo-chain-leader"].enterprise_id,
            "dg": (users.get("demo-chain-leader-dg") or users["demo-chain-leader"]).enterprise_id,
        }
        own = users.get("demo-enterprise")
        leader_ids = {v for v in leaders.values() if v}
        cq_leader = users.get("demo-chain-leader-cq")
        if cq_leader is not None and cq_leader.enterprise_id:
            leader_ids.add(cq_leader.enterprise_id)

        def in_region(prefix: str, n: int, skip: set[int]) -> list[Enterprise]:
            q = (
                select(Enterprise)
                .where(Enterprise.is_synthetic.is_(True), Enterprise.region_code.startswith(prefix))
                .order_by(Enterprise.id)
                .limit(n + len(skip) + 5)
            )
            return [e for e in session.scalars(q) if e.id not in skip][:n]

        existing = {e.title_key for e in session.scalars(select(MatchEvent))}
        written = contracts = 0
        for (key, account, leader_key, kind, title, days, place, organiser, region, codes, n_reg,
             deals) in EVENTS:  # fmt: skip
            user = users.get(account)
            if user is None or title_key(title) in existing:
                continue
            leader_id = leaders.get(leader_key) if leader_key and user.role == "chain_leader" else None
            leader = enterprise_service.get_or_404(session, leader_id) if leader_id else None
            ev = svc.create_event(
                session,
                user,
                svc.EventData(
                    kind=kind,
                    title=title,
                    event_date=today + timedelta(days=max(days, 0)),
                    place=place,
                    organiser=organiser,
                    region_code=region,
                    description=f"{organiser}组织，面向{region_label(region)}专精特新企业。",
                    industry_codes=codes,
                    capacity=200,
                ),
                leader,
            )
            written += 1
            skip = set(leader_ids)
            regs = in_region(region[:4], n_reg, skip)
            if key == "sz1" and own is not None and own.enterprise_id:
                regs = [enterprise_service.get_or_404(session, own.enterprise_id), *regs[: n_reg - 1]]
            for e in regs:
                svc.register(session, ev, e, user, "参会人：总经理、销售负责人")
            meeting_leader = leaders.get("sz") if region.startswith("4403") else leaders.get("dg")
            if region.startswith("50") and cq_leader is not None:
                meeting_leader = cq_leader.enterprise_id
            if meeting_leader and kind == "matchmaking":
                ent = enterprise_service.get_or_404(session, meeting_leader)
                if svc.registration_of(session, ev, ent.id) is None and ev.leader_enterprise_id != ent.id:
                    svc.register(session, ev, ent, user, "链主企业采购与研发负责人参会")
            if days >= 0:
                continue
            ev.event_date = today + timedelta(days=days)  # the day it took place
            session.flush()
            came = [r.enterprise_id for r in svc.registrations(session, ev)][:-1] or [
                r.enterprise_id for r in svc.registrations(session, ev)
            ]
            svc.record_attendance(session, ev, user, came)
            svc.hold_event(session, ev, user, f"到会企业 {len(came)} 家")
            if not meeting_leader or kind != "matchmaking":
                continue
            sellers = [
                r.enterprise_id for r in svc.registrations(session, ev) if r.enterprise_id != meeting_leader
            ]
            for s in sellers[:3]:
                svc.record_meeting(session, ev, user, meeting_leader, s, None, "交流配套需求与样品测试安排")
            official = user if svc.covers(user, ev.region_code) else users["demo-admin"]
            for rank, deal, wan, confirmed in deals:
                if rank >= len(sellers):
                    continue
                # The buyer's contract is recorded by its leader account when it has one, else by the official.
                buyer_user = next(
                    (
                        u
                        for u in users.values()
                        if u.role == "chain_leader" and u.enterprise_id == meeting_leader
                    ),
                    None,
                )
                o = svc.record_outcome(
                    session,
                    ev,
                    buyer_user or official,
                    buyer_id=meeting_leader,
                    seller_id=sellers[rank],
                    title=deal,
                    amount_wan=Decimal(wan),
                    signed_on=min(today, ev.event_date + timedelta(days=20)),
                )
                if confirmed and buyer_user is not None:
                    seller_user = next(
                        (
                            u
                            for u in users.values()
                            if u.enterprise_id == sellers[rank] and u.role != "chain_leader"
                        ),
                        None,
                    )
                    if seller_user is not None:
                        svc.confirm_outcome(session, o, seller_user)
                    else:
                        svc.verify_outcome(session, o, official)
                contracts += 1

        # Talent needs: demo-enterprise's own, and enterprises of 深圳 and 东莞 districts.
        posted = 0
        district = users.get("demo-district")
        targets: list[Enterprise] = []
        if own is not None and own.enterprise_id:
            targets.append(enterprise_service.get_or_404(session, own.enterprise_id))
        targets += in_region("4403", 5, leader_ids | {e.id for e in targets})
        targets += in_region("4419", 3, leader_ids)
        for i, ent in enumerate(targets):
            picks = (
                [POSTS[i % len(POSTS)], POSTS[(i + 3) % len(POSTS)]] if i == 0 else [POSTS[i % len(POSTS)]]
            )
            for post, kind, count, skills, salary, joint, description in picks:
                if svc.has_open_post(session, ent.id, kind, post):
                    continue
                author = own if own is not None and own.enterprise_id == ent.id else users["demo-admin"]
                need = svc.post_talent(
                    session,
                    ent,
                    author,
                    svc.TalentData(
                        kind=kind,
                        post=post,
                        headcount=count,
                        skills=skills,
                        salary_min_yuan=Decimal(salary[0]) if salary else None,
                        salary_max_yuan=Decimal(salary[1]) if salary else None,
                        joint_training=joint,
                        description=description,
                    ),
                )
                posted += 1
                answerer = (
                    district if district is not None and svc.covers(district, need.region_code) else None
                )
                answerer = answerer or users["demo-admin"]
                if i % 2 == 0:
                    svc.respond_talent(
                        session, need, answerer, "已推送至区公共就业服务平台，并安排参加近期校企人才对接会"
                    )
                    svc.record_talent_outcome(
                        session, need, answerer, on_date=today, resumes=count * 8, interviews=count * 3,
                        hires=max(1, count // 2), event_id=None, note="区公共就业服务平台推荐",
                    )  # fmt: skip
        session.commit()
    finally:
        session.close()
    return (
        f"对接活动：新建活动 {written} 场、合作成果 {contracts} 项；用人用工需求 {posted} 项 / "
        f"events: {written} events, {contracts} contracts, {posted} talent needs"
    )
