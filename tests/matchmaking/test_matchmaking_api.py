"""揭榜挂帅 through the API: post → review → matched enterprises told with reasons → 揭榜 → select → deliver;
refusals of empty, oversized and duplicate postings; a leader sees only its own needs' bidders."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from srdi.auth.enums import Role
from srdi.kit.workdays import beijing_today
from srdi.matchmaking import service
from srdi.notification.models import Notification
from tests.matchmaking import factories

CHALLENGE = {
    "kind": "open_challenge",
    "title": "协作机器人关节谐波减速器国产化",
    "problem": "我司协作机器人关节目前依赖进口谐波减速器，需国产谐波减速器替代，背隙不大于1弧分，寿命1万小时以上。",
    "required_capability": "具备谐波减速器柔轮、刚轮精密加工与装配检测能力",
    "reward_yuan": "500000",
    "budget_yuan": "3000000",
    "ip_terms": "联合开发成果专利由双方共有",
    "industry_codes": ["3484", "3491"],
}


def _notes(db, enterprise_id):  # type: ignore[no-untyped-def]
    db.flush()
    return db.scalars(
        select(Notification).where(Notification.enterprise_id == enterprise_id).order_by(Notification.id)
    ).all()


def test_leader_publishes_a_challenge_that_is_reviewed_matched_taken_selected_and_delivered(db, client_as):
    service._invalidate()
    ents = factories.suppliers(db)
    leader = client_as(Role.chain_leader, enterprise_id=ents["leader"].id)
    r = leader.post("/api/v1/match-needs", json=CHALLENGE)
    assert r.status_code == 201, r.text
    need = r.json()
    assert (need["status"], need["status_label"], need["reward_yuan"], need["region_code"]) == (
        "pending_review",
        "待审核",
        "500000.00",
        "440305",
    )
    assert need["industry_names"] == ["机械零部件加工", "工业机器人制造"]
    need_id = need["id"]

    # Before review, nobody else sees it.
    bidder = client_as(Role.enterprise, enterprise_id=ents["harmonic"].id)
    assert bidder.get(f"/api/v1/match-needs/{need_id}").status_code == 404
    assert bidder.get("/api/v1/match-needs").json()["items"] == []

    official = client_as(Role.district_official)
    queue = official.get("/api/v1/match-needs", params={"view": "review", "status": "pending_review"}).json()[
        "items"
    ]
    assert [n["id"] for n in queue] == [need_id]
    assert official.get(f"/api/v1/match-needs/{need_id}").json()["allowed_actions"] == ["approve", "reject"]
    r = official.post(
        f"/api/v1/match-needs/{need_id}/transitions", json={"action": "approve", "note": "同意发布"}
    )
    assert r.status_code == 200, r.text
    assert (r.json()["need"]["status"], r.json()["notified"]) == ("open", 2)

    # The matches, best first, with one sentence per dimension.
    matches = leader.get(f"/api/v1/match-needs/{need_id}/matches").json()
    assert [m["enterprise_name"] for m in matches] == [
        "深圳市精传科技有限公司",
        "东莞市行星传动有限公司",
    ]
    best = matches[0]
    sentences = {d["key"]: d["sentence"] for d in best["dimensions"]}
    assert sentences["industry"] == "行业同为小类 C3484 机械零部件加工"
    assert sentences["tier"] == "国家级专精特新“小巨人”企业"
    assert sentences["region"] == "同在广东省深圳市"
    assert sentences["ip"] == "持有 3 项相关知识产权（其中发明专利 3 项），如《一种谐波减速器柔轮结构》"
    assert sentences["text"].startswith("关键词“谐波减速器")
    # The enterprise was told, with the reasons.
    [note] = _notes(db, ents["harmonic"].id)
    assert note.title == "新揭榜挂帅技术难题与贵企业匹配：协作机器人关节谐波减速器国产化"
    assert note.body.startswith("匹配理由：关键词“谐波减速器")
    assert "行业同为小类 C3484 机械零部件加工" in note.body
    assert _notes(db, ents["battery"].id) == []

    # The enterprise sees it recommended, with the same score as the leader's list.
    recs = bidder.get("/api/v1/match-recommendations").json()
    assert [(x["need"]["id"], x["score"]) for x in recs] == [(need_id, best["score"])]

    # 揭榜: two enterprises take it up; the leader shortlists and selects one.
    r = bidder.post(
        f"/api/v1/match-needs/{need_id}/bids",
        json={"proposal": "采用自研柔轮齿形与精密装配检测工艺，6个月交付样机并完成1万小时寿命试验。", "quoted_yuan": "450000",
              "planned_days": 180, "confidential_note": "齿形参数见保密附件"},
    )  # fmt: skip
    assert r.status_code == 201, r.text
    bid_id = r.json()["id"]
    other = client_as(Role.enterprise, enterprise_id=ents["planetary"].id)
    r = other.post(
        f"/api/v1/match-needs/{need_id}/bids", json={"proposal": "以精密行星减速机方案替代，背隙3弧分。"}
    )
    assert r.status_code == 201, r.text

    # A second bid from the same enterprise is refused.
    r = bidder.post(f"/api/v1/match-needs/{need_id}/bids", json={"proposal": "再次提交同样的揭榜方案内容。"})
    assert (r.status_code, r.json()["message"]) == (409, "贵企业已对该需求提交过揭榜方案，请勿重复提交")

    bids = leader.get(f"/api/v1/match-needs/{need_id}/bids").json()
    assert [(b["enterprise_name"], b["status"], b["confidential_note"]) for b in bids] == [
        ("深圳市精传科技有限公司", "submitted", "齿形参数见保密附件"),
        ("东莞市行星传动有限公司", "submitted", None),
    ]
    assert (
        leader.post(f"/api/v1/match-bids/{bid_id}/transitions", json={"action": "shortlist"}).json()["status"]
        == "shortlisted"
    )
    r = leader.post(f"/api/v1/match-bids/{bid_id}/transitions", json={"action": "select", "note": "方案成熟"})
    assert (r.status_code, r.json()["status_label"]) == (200, "已选定"), r.text
    assert other.get("/api/v1/match-bids").json()["items"][0]["status"] == "declined"

    # Milestones, start, delivery.
    r = leader.post(
        f"/api/v1/match-needs/{need_id}/milestones", json={"title": "样机交付", "due_date": "2027-06-30"}
    )
    assert r.status_code == 201, r.text
    r = leader.post(f"/api/v1/match-milestones/{r.json()['id']}/done", json={"note": "样机通过验收"})
    assert r.json()["note"] == "样机通过验收"
    assert (
        leader.post(f"/api/v1/match-needs/{need_id}/transitions", json={"action": "start"}).status_code == 200
    )
    r = leader.post(
        f"/api/v1/match-needs/{need_id}/transitions",
        json={"action": "deliver", "note": "样机寿命试验达标，转入批量采购"},
    )
    assert r.status_code == 200, r.text
    detail = r.json()["need"]
    assert (detail["status_label"], detail["selected_enterprise_name"]) == (
        "已交付",
        "深圳市精传科技有限公司",
    )
    assert [(e["action"], e["to_status"]) for e in detail["events"]] == [
        ("submit", "pending_review"),
        ("approve", "open"),
        ("bid", "open"),
        ("bid", "open"),
        ("bid_shortlist", "open"),
        ("select", "taken"),
        ("milestone_add", "taken"),
        ("milestone_done", "taken"),
        ("start", "in_progress"),
        ("deliver", "delivered"),
    ]
    titles = [n.title for n in _notes(db, ents["harmonic"].id)]
    assert titles[1:] == [
        "揭榜方案已入围：协作机器人关节谐波减速器国产化",
        "揭榜成功：协作机器人关节谐波减速器国产化",
        "揭榜任务已确认交付",
    ]
    # The purchase that followed (首购, SEED-001 (二十七)): the buyer records it, the seller confirms it.
    r = leader.post(f"/api/v1/match-needs/{need_id}/contract", json={"amount_yuan": "1200000"})
    assert r.status_code == 200, r.text
    fp = r.json()["first_purchase"]
    assert (fp["eligible"], fp["provenance"], fp["reasons"][0]) == (
        False,
        "仅买方登记",
        "合同尚待供方确认或主管部门核实",
    )
    assert bidder.get(f"/api/v1/match-needs/{need_id}").json()["can_confirm_contract"] is True
    assert other.post(f"/api/v1/match-needs/{need_id}/contract/confirm").status_code == 404
    r = bidder.post(f"/api/v1/match-needs/{need_id}/contract/confirm")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["contract_amount_yuan"] == "1200000.00"
    assert body["first_purchase"] == {
        "eligible": True,
        "reasons": [
            "合同已由供方确认或经主管部门核实",
            "供方位于广东省深圳市宝安区",
            "供方为有效期内的专精特新企业",
            "买方首次向该企业采购",
        ],
        "cite": "SEED-001 (二十七)",
        "amount_note": "奖励金额待核实（政策原文未给出标准）",
        "provenance": "供方确认",
    }
    r = leader.post(f"/api/v1/match-needs/{need_id}/contract", json={"amount_yuan": "1"})
    assert (r.status_code, r.json()["message"]) == (409, "采购合同已确认，不能再修改")
    # The delivery now counts as a past outcome of that enterprise.
    m = service.get_matcher(db).profile(ents["harmonic"].id)
    assert m is not None and (m.delivered, m.failed) == (1, 0)


def test_a_leader_sees_only_its_own_needs_bidders_and_matches(db, client_as):
    service._invalidate()
    ents = factories.suppliers(db)
    leader = client_as(Role.chain_leader, enterprise_id=ents["leader"].id)
    need_id = leader.post("/api/v1/match-needs", json=CHALLENGE).json()["id"]
    client_as(Role.district_official).post(
        f"/api/v1/match-needs/{need_id}/transitions", json={"action": "approve"}
    )
    another_leader = client_as(Role.chain_leader, enterprise_id=ents["battery"].id)
    for path in ("bids", "matches"):
        r = another_leader.get(f"/api/v1/match-needs/{need_id}/{path}")
        assert (r.status_code, r.json()["message"]) == (404, "未找到该需求")
    # It sees the published need itself, without the bid count.
    assert another_leader.get(f"/api/v1/match-needs/{need_id}").json()["bid_count"] is None
    # Officials of another region do not review it.
    other_district = client_as(Role.district_official, region_code="440306")
    assert other_district.get(f"/api/v1/match-needs/{need_id}/bids").status_code == 404
    # A bidder cannot act on another enterprise's bid.
    bidder = client_as(Role.enterprise, enterprise_id=ents["harmonic"].id)
    bid_id = bidder.post(
        f"/api/v1/match-needs/{need_id}/bids", json={"proposal": "采用自研柔轮齿形，6个月交付样机。"}
    ).json()["id"]
    r = another_leader.post(f"/api/v1/match-bids/{bid_id}/transitions", json={"action": "select"})
    assert r.status_code == 404


def test_empty_oversized_and_duplicate_postings_are_refused_in_chinese(db, client_as):
    service._invalidate()
    ents = factories.suppliers(db)
    leader = client_as(Role.chain_leader, enterprise_id=ents["leader"].id)

    def post(**changes):  # type: ignore[no-untyped-def]
        return leader.post("/api/v1/match-needs", json={**CHALLENGE, **changes})

    cases = [
        ({"title": "   "}, 422, "标题不能为空"),
        ({"problem": ""}, 422, "需求描述不能为空"),
        ({"problem": "减速器" * 2000}, 422, "需求描述过长（6000 字），请精简到 5000 字以内"),
        ({"title": "减" * 101}, 422, "标题过长（101 字），请精简到 100 字以内"),
        ({"industry_codes": []}, 422, "请至少选择一个所属行业"),
        ({"industry_codes": ["9999"]}, 422, "行业代码 9999 不在《国民经济行业分类》(GB/T 4754-2017) 中"),
        ({"reward_yuan": None}, 422, "揭榜挂帅需填写榜单奖励金额（元）"),
        ({"reward_yuan": "-1"}, 422, "榜单奖励不能为负数"),
        ({"reward_yuan": "0.001"}, 422, "榜单奖励最多精确到分（小数点后两位）"),
        ({"budget_yuan": "1e400"}, 422, "预算超过 100 亿元，请核对单位（元）"),
        ({"deadline_date": beijing_today().isoformat()}, 422, "揭榜截止日期须晚于今天"),
    ]
    for changes, status, message in cases:
        r = post(**changes)
        assert (r.status_code, r.json()["message"]) == (status, message), changes
    assert post(deadline_date=(beijing_today() + timedelta(days=30)).isoformat()).status_code == 201
    # The same title again (spaces and punctuation aside) while the first is live.
    r = post(title="协作机器人关节 谐波减速器国产化！")
    assert (r.status_code, r.json()["message"]) == (
        409,
        "贵企业已发布过同名需求“协作机器人关节 谐波减速器国产化！”（尚未办结），请勿重复发布",
    )
    # Rejection needs a reason.
    need_id = leader.get("/api/v1/match-needs", params={"view": "mine"}).json()["items"][0]["id"]
    official = client_as(Role.district_official)
    r = official.post(f"/api/v1/match-needs/{need_id}/transitions", json={"action": "reject"})
    assert (r.status_code, r.json()["message"]) == (422, "审核不通过须写明原因")
    # A failed delivery needs a reason too, and only from taken/in progress.
    r = leader.post(f"/api/v1/match-needs/{need_id}/transitions", json={"action": "fail", "note": "未达标"})
    assert (r.status_code, r.json()["message"]) == (409, "需求当前状态为“待审核”，您不能执行“记录未成功”")
    # Empty and duplicate capabilities.
    me = client_as(Role.enterprise, enterprise_id=ents["harmonic"].id)
    assert (
        me.post("/api/v1/match-capabilities", json={"title": " "}).json()["message"]
        == "能力/产品名称不能为空"
    )
    assert me.post("/api/v1/match-capabilities", json={"title": "谐波减速器"}).status_code == 201
    r = me.post("/api/v1/match-capabilities", json={"title": "谐波 减速器"})
    assert (r.status_code, r.json()["message"]) == (409, "已发布过同名能力/产品“谐波 减速器”，请直接修改")


def test_a_failed_delivery_is_recorded_with_its_reason(db, client_as):
    service._invalidate()
    ents = factories.suppliers(db)
    leader = client_as(Role.chain_leader, enterprise_id=ents["leader"].id)
    need_id = leader.post("/api/v1/match-needs", json=CHALLENGE).json()["id"]
    client_as(Role.district_official).post(
        f"/api/v1/match-needs/{need_id}/transitions", json={"action": "approve"}
    )
    bidder = client_as(Role.enterprise, enterprise_id=ents["planetary"].id)
    bid_id = bidder.post(
        f"/api/v1/match-needs/{need_id}/bids", json={"proposal": "以精密行星减速机方案替代谐波。"}
    ).json()["id"]
    leader.post(f"/api/v1/match-bids/{bid_id}/transitions", json={"action": "select"})
    r = leader.post(f"/api/v1/match-needs/{need_id}/transitions", json={"action": "fail", "note": ""})
    assert (r.status_code, r.json()["message"]) == (422, "未成功原因不能为空")
    r = leader.post(
        f"/api/v1/match-needs/{need_id}/transitions",
        json={"action": "fail", "note": "样机背隙3弧分，未达到1弧分要求"},
    )
    assert (r.json()["need"]["status_label"], r.json()["need"]["failure_reason"]) == (
        "未成功",
        "样机背隙3弧分，未达到1弧分要求",
    )
    m = service.get_matcher(db).profile(ents["planetary"].id)
    assert m is not None and (m.delivered, m.failed) == (0, 1)


def test_capability_draft_is_prefilled_from_the_registry(db, client_as):
    service._invalidate()
    ents = factories.suppliers(db)
    me = client_as(Role.enterprise, enterprise_id=ents["harmonic"].id)
    d = me.get("/api/v1/match-capabilities/draft").json()
    assert (d["title"], d["tier"], d["tier_label"]) == (
        "谐波减速器",
        "little_giant",
        "国家级专精特新“小巨人”企业",
    )
    assert d["keywords"] == ["谐波减速器", "机器人关节模组"]
    assert len(d["ip_item_ids"]) == 3
    assert d["description"].startswith(
        "主导产品：谐波减速器、机器人关节模组。核心知识产权：一种谐波减速器柔轮结构"
    )
