"""The ``srdi demo`` hook: the department catalogue, commissioners' enterprises and several hundred appeals.

Synthetic only (demo enterprises): appeals in every status over the last five months, filed through every
channel, each taken through the real state machine with the time it happened, so the events, deadlines,
on-time flags and handling days are what the service computes. Some open ones are past their deadline (the
sweeper escalates them once the server runs), most closed ones are rated. Idempotent: once demo enterprises
have appeals, nothing more is added.
"""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from sqlalchemy import Connection, func, select
from sqlalchemy.orm import Session

DEMO_APPEALS = 420
SEED = 20261201

# (category, title, content) — what enterprises in the seeds' cities actually ask for; {placeholders} vary.
TEXTS: list[tuple[str, str, str]] = [
    (
        "financing",
        "申请专精特新贷款贴息",
        "我司为{tier}，今年向{bank}贷款{amount}万元用于购置设备，想了解贷款贴息的申请条件、材料和受理时间。",
    ),
    (
        "financing",
        "流动资金周转困难",
        "受下游客户回款周期延长影响，公司流动资金缺口约{amount}万元，希望政府协调银行给予信用贷款支持。",
    ),
    (
        "financing",
        "咨询知识产权质押融资",
        "公司拥有{patents}项发明专利，想用专利做质押向银行融资{amount}万元，不清楚评估和登记流程，请指导。",
    ),
    (
        "financing",
        "对接股权投资机构",
        "公司计划启动A轮融资，拟融资{amount}万元，希望参加政府组织的投融资路演并对接产业基金。",
    ),
    (
        "financing",
        "申请融资担保费补贴",
        "我司通过融资担保公司取得贷款{amount}万元，担保费率较高，咨询是否有担保费补贴及如何申报。",
    ),
    (
        "talent_labour",
        "引进高层次研发人才",
        "公司急需引进{field}方向的博士研发人员{n}名，想了解人才引进补贴、住房保障和子女入学政策。",
    ),
    (
        "talent_labour",
        "技术工人招工难",
        "生产线扩产后缺少数控操作工约{n}人，多次招聘效果不好，希望人社部门帮助对接职业院校。",
    ),
    (
        "talent_labour",
        "职称评审咨询",
        "公司有{n}名工程师想申报中级职称，民营企业员工如何参加职称评审？需要哪些业绩材料？",
    ),
    ("talent_labour", "申请稳岗补贴", "我司全年未裁员，参保人数{n}人，咨询稳岗返还的申领条件和办理渠道。"),
    (
        "land_space",
        "需要扩大生产厂房",
        "公司订单增长，现有厂房{area}平方米已不够用，希望在本区寻找约{area2}平方米的产业用房，租金能否优惠？",
    ),
    (
        "land_space",
        "产业用房租金补贴",
        "我司租用园区厂房{area}平方米，听说专精特新企业可以申请租金补贴，请问标准和申请时间。",
    ),
    (
        "land_space",
        "厂房搬迁协调",
        "所在园区将进行城市更新，公司需在{months}个月内搬迁，生产设备多，希望协调过渡期厂房。",
    ),
    (
        "policy_consulting",
        "专精特新奖励资金何时拨付",
        "我司去年被认定为{tier}，按政策可获得奖励资金，至今未收到拨付，请问进度如何。",
    ),
    (
        "digital_transformation",
        "技术改造项目资助申报",
        "公司投入{amount}万元进行智能化改造，想申报技术改造投资补贴，申报系统什么时候开放？",
    ),
    (
        "tech_innovation",
        "研发投入奖励咨询",
        "公司上年研发投入{amount}万元，占营业收入比例较高，咨询研发投入奖励的计算方式和申报要求。",
    ),
    (
        "srdi_recognition",
        "咨询专精特新认定条件",
        "公司主营{product}，营业收入约{amount}万元，想了解申报专精特新中小企业需要满足哪些条件。",
    ),
    (
        "srdi_recognition",
        "小巨人申报咨询",
        "我司已是省级专精特新企业，拟申报国家级专精特新“小巨人”，请问今年的申报时间和推荐程序。",
    ),
    (
        "policy_consulting",
        "免申即享政策是否适用",
        "听说部分奖补政策实行免申即享，公司是创新型中小企业，想确认是否在名单内，是否需要提交材料。",
    ),
    (
        "srdi_recognition",
        "创新型中小企业自评",
        "公司第一次参加创新型中小企业评价，对评价指标中的研发费用口径不太清楚，请帮忙解释。",
    ),
    (
        "market_licence",
        "产品质量检验费用高",
        "公司{product}需要做型式检验，费用和周期都较长，希望市场监管部门提供检验检测服务对接。",
    ),
    (
        "market_licence",
        "营业执照经营范围变更",
        "公司新增{product}业务，需要变更经营范围，网上办理一直提示材料不全，请协助。",
    ),
    (
        "market_licence",
        "参与行业标准制定",
        "我司在{product}领域有技术积累，希望牵头或参与行业标准制定，请问如何申请立项。",
    ),
    (
        "tax",
        "研发费用加计扣除咨询",
        "公司上年度研发费用{amount}万元，咨询研发费用加计扣除的归集范围和预缴申报时能否享受。",
    ),
    (
        "tax",
        "增值税留抵退税进度",
        "我司已提交增值税留抵退税申请，金额约{amount}万元，一个多月未有结果，请帮忙查询进度。",
    ),
    (
        "tax",
        "高新技术企业税收优惠",
        "公司刚通过高新技术企业认定，想了解企业所得税减按15%征收从何时开始适用。",
    ),
    (
        "tech_innovation",
        "申报市级科技项目",
        "公司在{field}方向有关键技术攻关需求，想申报市级科技计划项目，请问指南发布时间和申报条件。",
    ),
    (
        "ip",
        "专利侵权维权求助",
        "我司发现有企业仿冒公司{product}专利产品，想请知识产权部门给予维权指导。",
    ),
    (
        "tech_innovation",
        "建设企业研发中心",
        "公司计划建设市级工程技术研究中心，咨询认定条件和建设期的资助政策。",
    ),
    (
        "utilities",
        "用电增容申请",
        "公司新增生产线后需要用电增容{amount}千伏安，供电部门答复周期较长，希望协调加快办理。",
    ),
    (
        "government_service",
        "企业周边道路交通问题",
        "园区门口道路经常拥堵，货车进出困难，影响生产物流，希望有关部门改善交通组织。",
    ),
]
WORDS: dict[str, list[str]] = {
    "tier": ["创新型中小企业", "专精特新中小企业", "省级专精特新企业", "专精特新“小巨人”企业"],
    "bank": ["工商银行", "建设银行", "招商银行", "农商银行", "中国银行"],
    "field": ["工业软件", "精密制造", "新能源材料", "集成电路", "生物医药", "智能装备"],
    "product": ["精密模具", "工业传感器", "锂电池隔膜", "医疗器械", "伺服电机", "光学镜头"],
}
STATUS_WEIGHTS = [
    ("submitted", 7),
    ("accepted", 6),
    ("dispatched", 8),
    ("in_progress", 14),
    ("answered", 8),
    ("closed", 15),
    ("rated", 36),
    ("rejected", 6),
]
PATH = ["accepted", "dispatched", "in_progress", "answered", "closed", "rated"]
CHANNELS = ["web", "web", "web", "phone", "hotline_12345", "visit", "api"]
ANSWERS = [
    "经核实，贵司符合申报条件，请于申报期内通过平台提交材料，我单位将安排专人跟进。",
    "已协调相关银行与贵司对接，客户经理将在3个工作日内联系贵司。",
    "该事项已转有关科室办理，现将政策文件及申报指南发送贵司，如有疑问请致电经办人。",
    "经研究，目前暂无对应的扶持政策，我们将把贵司诉求纳入下一步政策研究。",
]


def _fill(text: str, rng: random.Random) -> str:
    values = {k: rng.choice(v) for k, v in WORDS.items()}
    values.update(
        amount=str(rng.choice([80, 150, 200, 300, 500, 800, 1200, 2000])),
        patents=str(rng.randint(3, 30)),
        n=str(rng.randint(3, 60)),
        area=str(rng.choice([800, 1500, 3000, 5000])),
        area2=str(rng.choice([2000, 4000, 8000])),
        months=str(rng.randint(3, 12)),
    )
    return text.format(**values)


def demo_hook(conn: Connection, result: Any, *, reset: bool) -> str:
    from srdi.appeal import service
    from srdi.appeal.enums import AppealAction, Channel, RejectReason
    from srdi.appeal.models import Appeal
    from srdi.auth.models import User
    from srdi.casework import service as casework
    from srdi.casework.enums import AssignmentBasis
    from srdi.enterprise.models import Enterprise
    from srdi.kit.workdays import CalendarYearMissing

    session = Session(bind=conn, join_transaction_mode="create_savepoint")
    try:
        deps, cats = service.sync_catalogue(session)
        users = {u.username: u for u in session.scalars(select(User).where(User.is_demo.is_(True))).all()}
        commissioner = users.get("demo-commissioner")
        assigned = 0
        if commissioner is not None:
            assigned = casework.assign(session, commissioner, AssignmentBasis.district, actor="demo")
        existing = session.scalar(
            select(func.count())
            .select_from(Appeal)
            .join(Enterprise, Enterprise.id == Appeal.enterprise_id)
            .where(Enterprise.is_synthetic.is_(True))
        )
        if existing:
            session.commit()
            return f"诉求演示数据已存在（{existing} 件）/ demo appeals already present ({existing})"
        ents = list(
            session.scalars(
                select(Enterprise).where(Enterprise.is_synthetic.is_(True)).order_by(Enterprise.id)
            ).all()
        )
        admin = users.get("demo-admin")
        if not ents or admin is None:
            session.commit()
            return "未生成诉求演示数据：缺少演示企业或演示账号 / demo appeals skipped: no demo enterprises or accounts"
        district, handler = users.get("demo-district"), users.get("demo-handler")
        own = users.get("demo-enterprise")
        rng = random.Random(SEED)
        now = service.now_utc()
        by_key = {d.key: d for d in service.departments(session)}
        router = service.router(session)
        # The demo enterprise and the commissioner's enterprises come first, so their accounts have work.
        mine = set(casework.enterprise_ids_of(session, commissioner.id)) if commissioner else set()
        ordered = sorted(
            ents, key=lambda e: (e.id != (own.enterprise_id if own else None), e.id not in mine, e.id)
        )
        weights = [w for _, w in STATUS_WEIGHTS]
        made = skipped = 0
        for i in range(DEMO_APPEALS):
            counted = False
            try:
                # One savepoint per appeal: a deadline that runs into a year the calendar lacks (the next
                # year's 放假安排 is published each November) skips that appeal instead of the whole demo.
                with session.begin_nested():
                    ent = ordered[i] if i < 40 else rng.choice(ents)
                    category, title, content = rng.choice(TEXTS)
                    content = _fill(content, rng)
                    target = rng.choices([s for s, _ in STATUS_WEIGHTS], weights)[0]
                    if i < 6:  # the demo enterprise: one of each stage of the journey
                        target = ["submitted", "dispatched", "in_progress", "answered", "closed", "rated"][i]
                    channel = Channel(rng.choice(CHANNELS))
                    # Older appeals are further along; open ones are recent, some already past their deadline.
                    age = (
                        rng.randint(1, 12)
                        if target in ("submitted", "accepted", "dispatched", "in_progress")
                        else rng.randint(10, 150)
                    )
                    at = now - timedelta(days=age, hours=rng.randint(0, 8))
                    filer = User(
                        role="enterprise",
                        enterprise_id=ent.id,
                        display_name=f"{ent.name}（企业用户）",
                        username="",
                    )
                    staff = district if ent.region_code.startswith("440305") and district else admin
                    a = service.file_appeal(
                        session,
                        ent,
                        service.AppealData(
                            title=title, content=content, category_key=category, channel=channel
                        ),
                        actor=filer if channel in (Channel.web, Channel.api) else staff,
                        now=at,
                        check_duplicates=False,
                    )
                    made += 1
                    counted = True
                    if target == "submitted":
                        continue
                    t = at + timedelta(hours=rng.randint(2, 40))
                    if target == "rejected":
                        reason = rng.choice(list(RejectReason))
                        service.transition(
                            session,
                            a.id,
                            service.TransitionInput(AppealAction.reject, reject_reason=reason),
                            actor=staff,
                            now=t,
                        )
                        continue
                    suggestion = service.route_suggestions(
                        session, title + "\n" + content, ent.region_code, top_k=1
                    )
                    dep_key = suggestion[0].department_key if suggestion else None
                    if dep_key not in by_key:
                        # The unit of the enterprise's jurisdiction that handles the category, else the city's SME unit.
                        dep_key = next(
                            (
                                k
                                for k in router.jurisdiction(ent.region_code)
                                if k in by_key and category in by_key[k].categories
                            ),
                            "sz_zxqyj",
                        )
                    dep = by_key[dep_key]
                    doer = handler if handler is not None and handler.department == dep.name else admin
                    late = rng.random() < 0.18
                    for step in PATH[: PATH.index(target) + 1]:
                        if step == "accepted":
                            inp = service.TransitionInput(AppealAction.accept)
                        elif step == "dispatched":
                            inp = service.TransitionInput(AppealAction.dispatch, department_key=dep.key)
                        elif step == "in_progress":
                            inp = service.TransitionInput(AppealAction.start)
                        elif step == "answered":
                            t = t + timedelta(
                                days=rng.randint(5, 9) if late else rng.randint(0, 3), hours=rng.randint(1, 6)
                            )
                            inp = service.TransitionInput(AppealAction.answer, answer=rng.choice(ANSWERS))
                        elif step == "closed":
                            t = t + timedelta(days=rng.randint(0, 2))
                            inp = service.TransitionInput(AppealAction.close)
                        else:
                            happy = rng.random() < (0.6 if late else 0.93)
                            inp = service.TransitionInput(
                                AppealAction.rate,
                                satisfied=happy,
                                rating=rng.choice([4, 5]) if happy else rng.choice([1, 2, 3]),
                                reason=None if happy else "答复未解决实际问题",
                            )
                        actor = {"accepted": staff, "dispatched": staff, "closed": filer, "rated": filer}.get(
                            step, doer
                        )
                        t = min(t + timedelta(hours=rng.randint(1, 20)), now)
                        service.transition(session, a.id, inp, actor=actor, now=t)
            except CalendarYearMissing:
                skipped += 1
                made -= int(counted)
        session.commit()
    finally:
        session.close()
    return (
        f"责任单位 {deps} 个、诉求类别 {cats} 个已载入；服务专员分配企业 {assigned} 家；演示诉求 {made} 件 / "
        f"{made} demo appeals, {assigned} enterprises assigned to the demo commissioner"
        + (
            f"；{skipped} 件因缺少下一年度节假日安排未生成 / {skipped} skipped (holiday data missing)"
            if skipped
            else ""
        )
    )
