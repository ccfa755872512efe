"""盲审: no answer an expert can fetch names the enterprise — every GET route of the API is swept with the
expert's session, path parameters filled with the objects of the review (issue 14)."""

from __future__ import annotations

import re

from srdi.application import service
from srdi.application.enums import ReviewAction
from srdi.auth.enums import Role
from tests.application import support
from tests.application.support import PDF
from tests.auth.test_authorization_matrix import api_routes

NAME = "深圳市鹏城隐名精工有限公司"


def test_no_route_an_expert_may_call_leaks_the_enterprise(app, db, client_as, make_user, clock, evidence_dir):
    ent = support.enterprise(db, name=NAME)
    ent.contact_name = "隐名联系人"
    b = support.batch(db)
    owner = make_user(Role.enterprise, enterprise_id=ent.id)
    a = service.create_application(db, ent, b, owner)
    service.update_draft(db, owner, a.id, statement=f"{NAME}（简称鹏城隐名精工）主营减速器", pledge=True)
    files = [
        service.store_evidence(db, owner, a.id, item, f"{NAME}审计报告.pdf", PDF)
        for item in ("N2", "N3", "N6")
    ]
    service.submit(db, owner, a.id)
    admin = make_user(Role.admin)
    for level in ("district_review", "city_review"):
        service.review(db, admin, a.id, service.ReviewData(ReviewAction.approve, level))
    me = make_user(Role.expert)
    support.expert(db, "盲审专家", "440106", user_id=me.id)
    support.expert(db, "另一专家", "440304")
    [mine] = [
        r
        for r in service.assign_experts(db, admin, a.id, seed=5)
        if r.expert_id == service.expert_of(db, me).id
    ]  # type: ignore[union-attr]

    expert = client_as(me)
    r = expert.put(
        f"/api/v1/expert/assignments/{mine.id}/scores",
        json={"scores": {s.id: 7 for s in service.scoring_sheet(a)}, "comment": f"{NAME}的研发投入充分"},
    )
    assert r.status_code == 200 and r.json()["comment"] == "（已隐去）的研发投入充分"

    values = {
        "assignment_id": mine.id,
        "application_id": a.id,
        "batch_id": b.id,
        "file_id": files[0].id,
        "enterprise_id": ent.id,
        "objection_id": 1,
    }
    secrets = [NAME, "鹏城隐名精工", ent.uscc, "隐名联系人", "科技园测试路"]
    swept, skipped = [], []
    for method, path in sorted(api_routes(app)):
        if method != "GET":
            continue
        names = re.findall(r"{(\w+)}", path)
        if any(n not in values for n in names):
            skipped.append(path)
            continue
        r = expert.get(path.format(**values))
        swept.append((path, r.status_code))
        text = r.content.decode("utf-8", errors="replace")
        leaked = [s for s in secrets if s in text]
        assert not leaked, f"{path} answered {r.status_code} with {leaked}"
    assert ("/api/v1/expert/assignments/{assignment_id}", 200) in swept
    assert ("/api/v1/expert/assignments", 200) in swept
    assert ("/api/v1/applications/{application_id}", 403) in swept
    assert ("/api/v1/evidence-files/{file_id}", 403) in swept
    assert len(swept) > 40
