"""Bad input and integrity: refused in Chinese, nothing changed (issue 14); 双随机 is reproducible; aggregation;
objections pause 公示; concurrent approvals never skip a level (PostgreSQL, real threads)."""

from __future__ import annotations

import threading
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from srdi.application import service
from srdi.application.enums import Aggregation, ReviewAction
from srdi.application.exceptions import ApplicationConflict, ConcurrentChange
from srdi.application.models import (
    Application,
    ApplicationBatch,
    ApplicationEvent,
    EvidenceFile,
    ExpertAssignment,
)
from srdi.auth.enums import Role
from srdi.auth.models import User
from srdi.enterprise.models import Enterprise
from tests.application import support
from tests.application.support import PDF
from tests.auth_support import make_user


def _submitted(db, make_user_fn, *, region: str = "440305"):  # type: ignore[no-untyped-def]
    """An application of a new enterprise, submitted with its evidence: at 区县初审."""
    ent = support.enterprise(db, region=region)
    b = support.batch(db)
    user = make_user_fn(Role.enterprise, enterprise_id=ent.id)
    app = service.create_application(db, ent, b, user)
    service.update_draft(db, user, app.id, statement=None, pledge=True)
    for item in ("N2", "N3", "N6"):
        service.store_evidence(db, user, app.id, item, "a.pdf", PDF)
    service.submit(db, user, app.id)
    return app, user, ent


def _state(db: Session, app_id: int) -> tuple[object, ...]:
    db.flush()
    a = db.get(Application, app_id)
    events = db.scalar(
        select(func.count()).select_from(ApplicationEvent).where(ApplicationEvent.application_id == app_id)
    )
    return (a.status, a.level, a.version, events)  # type: ignore[union-attr]


def test_submission_outside_the_batch_window_is_refused_and_nothing_changes(
    db, client_as, clock, evidence_dir
):
    ent = support.enterprise(db)
    b = support.batch(db, open_date=date(2026, 10, 8), close_date=date(2026, 10, 30))
    me = client_as(Role.enterprise, enterprise_id=ent.id)
    clock.day = date(2026, 10, 20)
    app_id = me.post("/api/v1/applications", json={"batch_id": b.id}).json()["id"]
    me.patch(f"/api/v1/applications/{app_id}", json={"pledge_accepted": True})
    for item in ("N2", "N3", "N6"):
        me.post(
            "/api/v1/evidence-files",
            data={"application_id": str(app_id), "item_id": item},
            files={"file": ("a.pdf", PDF, "application/pdf")},
        )
    clock.day = date(2026, 11, 2)
    before = _state(db, app_id)
    r = me.post(f"/api/v1/applications/{app_id}/submission")
    assert (r.status_code, r.json()["message"]) == (
        422, f"不在批次“{b.name}”的申报时间内（2026-10-08 至 2026-10-30），不能提交",
    )  # fmt: skip
    assert _state(db, app_id) == before
    r = me.post(
        "/api/v1/applications", json={"batch_id": support.batch(db, close_date=date(2026, 10, 30)).id}
    )
    assert r.status_code == 422 and r.json()["message"].endswith("已于2026-10-30截止，不能再申报")


def test_an_oversized_file_is_refused_before_it_is_stored(db, client_as, clock, evidence_dir, monkeypatch):
    monkeypatch.setattr(service, "max_evidence_bytes", lambda: 64)
    ent = support.enterprise(db)
    me = client_as(Role.enterprise, enterprise_id=ent.id)
    app_id = me.post("/api/v1/applications", json={"batch_id": support.batch(db).id}).json()["id"]
    r = me.post(
        "/api/v1/evidence-files",
        data={"application_id": str(app_id), "item_id": "N3"},
        files={"file": ("big.pdf", PDF + b"0" * 100, "application/pdf")},
    )
    assert (r.status_code, r.json()["message"]) == (422, "文件过大，单个文件不能超过 0 MiB")
    assert db.scalar(select(func.count()).select_from(EvidenceFile)) == 0
    assert list(evidence_dir.rglob("*")) == []


def test_reviewers_out_of_scope_or_level_are_refused_and_nothing_changes(
    db, client_as, make_user, clock, evidence_dir
):
    app, _, _ = _submitted(db, make_user)
    before = _state(db, app.id)
    body = {"action": "approve", "level": "district_review"}
    other_district = client_as(Role.district_official, region_code="440304")
    r = other_district.post(f"/api/v1/applications/{app.id}/reviews", json=body)
    assert (r.status_code, r.json()["message"]) == (404, "未找到该申报")
    province = client_as(Role.provincial_official)
    r = province.post(f"/api/v1/applications/{app.id}/reviews", json=body)
    assert (r.status_code, r.json()["message"]) == (403, "当前为“区县初审”阶段，应由区县主管部门办理")
    district = client_as(Role.district_official)
    r = district.post(f"/api/v1/applications/{app.id}/reviews", json={**body, "level": "city_review"})
    assert (r.status_code, r.json()["message"]) == (
        409,
        "该申报已不在“市级审核”阶段（当前：区县初审），请刷新",
    )
    r = district.post(
        f"/api/v1/applications/{app.id}/reviews", json={"action": "reject", "level": "district_review"}
    )
    assert (r.status_code, r.json()["message"]) == (422, "不予通过须说明理由")
    r = district.post(
        f"/api/v1/applications/{app.id}/reviews",
        json={"action": "return_for_correction", "level": "district_review"},
    )
    assert (r.status_code, r.json()["message"]) == (422, "退回补正须列明需要补正的事项")
    assert _state(db, app.id) == before


def test_a_conflicted_expert_cannot_be_assigned_and_the_draw_is_reproducible(
    db, client_as, make_user, clock, evidence_dir
):
    app, _, ent = _submitted(db, make_user)
    official = make_user(Role.admin)
    for level in ("district_review", "city_review"):
        service.review(db, official, app.id, service.ReviewData(ReviewAction.approve, level))
    tied = support.expert(db, "钱评审", "440106", declared_enterprise_ids=[ent.id])
    neighbour = support.expert(db, "孙评审", "440305")
    free = [support.expert(db, f"评审{i}", "440106") for i in range(5)]
    province = client_as(Role.provincial_official)
    for e, why in ((tied, "专家申报了与该企业的关联关系"), (neighbour, "专家与申报企业在同一区县")):
        r = province.post(f"/api/v1/applications/{app.id}/expert-assignments", json={"expert_ids": [e.id]})
        assert (r.status_code, r.json()["message"]) == (
            409,
            f"专家“{e.name}”与申报企业存在利益冲突（{why}），不能指派",
        )
    assert db.scalar(select(func.count()).select_from(ExpertAssignment)) == 0
    candidates = [e.id for e in free]
    assert service.draw(candidates, 2, 42) == service.draw(list(reversed(candidates)), 2, 42)
    r = province.post(f"/api/v1/applications/{app.id}/expert-assignments", json={"seed": 42})
    assert sorted(a["expert_id"] for a in r.json()) == service.draw(candidates, 2, 42)
    r = province.post(f"/api/v1/applications/{app.id}/expert-assignments", json={"seed": 42})
    assert (r.status_code, r.json()["message"]) == (409, "该申报已抽取评审专家，不能重复抽取")


def test_aggregations_and_the_divergence_flag():
    assert service.aggregate([60, 70, 95], Aggregation.mean, 0.2) == Decimal("75.00")
    assert service.aggregate([60, 70, 95], Aggregation.median, 0.2) == Decimal("70.00")
    assert service.aggregate([10, 60, 70, 80, 100], Aggregation.trimmed_mean, 0.2) == Decimal("70.00")


def test_scores_outside_the_sheet_are_refused(db, client_as, make_user, clock, evidence_dir):
    app, _, _ = _submitted(db, make_user)
    admin = make_user(Role.admin)
    for level in ("district_review", "city_review"):
        service.review(db, admin, app.id, service.ReviewData(ReviewAction.approve, level))
    u = make_user(Role.expert)
    support.expert(db, "周评审", "440106", user_id=u.id)
    support.expert(db, "吴评审", "440304")
    service.assign_experts(db, admin, app.id, seed=1)
    ex = client_as(u)
    [task] = ex.get("/api/v1/expert/assignments").json()
    scores = {s["id"]: 5 for s in task["sheet"]}
    r = ex.put(f"/api/v1/expert/assignments/{task['id']}/scores", json={"scores": {**scores, "N1": 11}})
    assert (r.status_code, r.json()["message"]) == (
        422,
        "“已获得科技和创新型中小企业称号”的得分须在 0 到 10 之间",
    )
    del scores["N9"]
    r = ex.put(f"/api/v1/expert/assignments/{task['id']}/scores", json={"scores": scores})
    assert r.status_code == 422 and r.json()["message"].startswith(
        "评分表须逐项打分，缺少：专精特新发展评价得分不低于50分"
    )


def _to_publicity(db, make_user_fn):  # type: ignore[no-untyped-def]
    app, _user, _ent = _submitted(db, make_user_fn)
    admin = make_user_fn(Role.admin)
    for level in ("district_review", "city_review"):
        service.review(db, admin, app.id, service.ReviewData(ReviewAction.approve, level))
    users = {}
    for name, region in (("甲评审", "440106"), ("乙评审", "440304")):
        u = make_user_fn(Role.expert)
        users[support.expert(db, name, region, user_id=u.id).id] = u
    sheet = {s.id: 9 for s in service.scoring_sheet(app)}
    for r in service.assign_experts(db, admin, app.id, seed=3):
        service.submit_scores(db, users[r.expert_id], r.id, sheet, None)
    service.review(db, admin, app.id, service.ReviewData(ReviewAction.approve, "provincial_decision"))
    return app, admin


def test_an_objection_pauses_publicity_and_an_upheld_one_rejects(
    db, client_as, make_user, clock, evidence_dir
):
    app, _ = _to_publicity(db, make_user)
    assert (app.status, app.publicity_end_date) == ("publicity", date(2026, 11, 11))
    city = client_as(Role.city_official)
    r = city.post(
        f"/api/v1/applications/{app.id}/objections", json={"content": "来信反映该企业研发费用数据不实"}
    )
    assert r.status_code == 201
    oid = r.json()["id"]
    clock.day = date(2026, 11, 12)
    province = client_as(Role.provincial_official)
    r = province.post(f"/api/v1/application-batches/{app.batch_id}/announcement", json={})
    assert (r.status_code, r.json()["message"]) == (
        409,
        "仍有 1 项申报在公示期内或有未答复的异议，暂不能公告",
    )
    clock.day = date(2026, 11, 4)
    r = city.post(
        f"/api/v1/application-objections/{oid}/answer",
        json={"upheld": False, "answer": "经核实，数据有审计报告佐证"},
    )
    assert r.status_code == 200
    db.refresh(app)
    # Received Monday 11-02, answered Wednesday 11-04: 2 working days paused, the end moves 11-11 → 11-13.
    assert (app.publicity_paused, app.publicity_end_date) == (False, date(2026, 11, 13))
    r = city.post(f"/api/v1/applications/{app.id}/objections", json={"content": "再次来信"})
    oid = r.json()["id"]
    r = city.post(f"/api/v1/application-objections/{oid}/answer", json={"upheld": True, "answer": "异议属实"})
    db.refresh(app)
    assert (app.status, app.reject_reason) == ("rejected", "公示期异议成立：异议属实")


# --- concurrency: real threads, each with its own connection and transaction --------------------------------


@pytest.mark.postgres
def test_concurrent_approvals_never_skip_a_level(engine, tmp_path, monkeypatch):
    if engine.dialect.name != "postgresql":
        pytest.skip("row locks are a PostgreSQL matter; SQLite serialises writers")
    monkeypatch.setattr(service, "evidence_root", lambda: tmp_path)
    monkeypatch.setattr(service, "today", lambda: support.MONDAY)
    with Session(engine, expire_on_commit=False) as s:
        ent = support.enterprise(s, name="并发申报测试有限公司")
        b = support.batch(s, name=f"并发测试批次{ent.id}")
        user = make_user(s, Role.enterprise, enterprise_id=ent.id)
        app = service.create_application(s, ent, b, user)
        service.update_draft(s, user, app.id, statement=None, pledge=True)
        for item in ("N2", "N3", "N6"):
            service.store_evidence(s, user, app.id, item, "a.pdf", PDF)
        service.submit(s, user, app.id)
        officials = [make_user(s, Role.admin) for _ in range(6)]
        s.commit()
        app_id, ids, ent_id, batch_id = app.id, [o.id for o in officials], ent.id, b.id
    barrier = threading.Barrier(len(ids))
    outcomes: list[str] = []
    lock = threading.Lock()

    def approve(uid: int) -> None:
        barrier.wait()
        with Session(engine) as s:
            try:
                service.review(
                    s, s.get(User, uid), app_id, service.ReviewData(ReviewAction.approve, "district_review")
                )  # type: ignore[arg-type]
                s.commit()
                result = "ok"
            except (ApplicationConflict, ConcurrentChange) as exc:
                s.rollback()
                result = type(exc).__name__
            with lock:
                outcomes.append(result)

    try:
        threads = [threading.Thread(target=approve, args=(uid,)) for uid in ids]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert outcomes.count("ok") == 1, outcomes
        with Session(engine) as s:
            a = s.get(Application, app_id)
            assert (a.status, a.level) == ("in_review", "city_review")  # type: ignore[union-attr]
            approvals = s.scalar(
                select(func.count())
                .select_from(ApplicationEvent)
                .where(ApplicationEvent.application_id == app_id, ApplicationEvent.action == "approve")
            )
            assert approvals == 1
    finally:
        with Session(engine) as s:
            s.execute(delete(Application).where(Application.id == app_id))
            s.execute(delete(ApplicationBatch).where(ApplicationBatch.id == batch_id))
            s.execute(delete(User).where(User.id.in_([*ids])))
            s.execute(delete(User).where(User.enterprise_id == ent_id))
            s.execute(delete(Enterprise).where(Enterprise.id == ent_id))
            s.commit()
