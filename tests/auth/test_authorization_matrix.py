"""QUALITY S1: every /api/v1 endpoint × every role (and anonymous), expected outcomes from route_policy.POLICY.

The world: five enterprises placed so that each scope boundary is crossed —

    own        440305 深圳市南山区   the enterprise user's enterprise
    neighbour  440305 深圳市南山区   the chain leader's enterprise; same district, another enterprise
    futian     440304 深圳市福田区   same city, another district
    guangzhou  440106 广州市天河区   same province, another city
    chongqing  500112 重庆市渝北区   another province

and one user per role: officials scoped to 440305 / 4403 / 44, the commissioner to 440305.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from srdi.auth.enums import Role
from srdi.auth.models import AuditLog, User, UserSession
from srdi.enterprise.models import ChangeLog, Enterprise, YearlyFigure
from tests.auth.route_policy import ANY, POLICY, PUBLIC, Rule, new_uscc
from tests.auth_support import TEST_PASSWORD, bearer_for, make_user

PLACES = {
    "own": "440305",
    "neighbour": "440305",
    "futian": "440304",
    "guangzhou": "440106",
    "chongqing": "500112",
}
ROLES: list[Role | None] = [None, *Role]
FULL_PHONE = "13912345678"


def api_routes(app: Any) -> set[tuple[str, str]]:
    """(method, path) of every route under /api/v1, nested routers included."""
    try:
        from fastapi.routing import iter_route_contexts

        routes = list(iter_route_contexts(app.routes))
    except ImportError:  # FastAPI before nested-router contexts: app.routes is already flat
        routes = list(app.routes)
    out = set()
    for r in routes:
        path, methods = getattr(r, "path", None), getattr(r, "methods", None)
        if path and methods and path.startswith("/api/v1"):
            path = re.sub(
                r":\w+}", "}", path
            )  # a typed segment ({appeal_id:int}) is documented as {appeal_id}
            out.update((m, path) for m in methods if m != "HEAD")
    return out


@dataclass
class World:
    enterprises: dict[str, Enterprise]
    users: dict[Role, User]
    login_user: User
    victim_user: User
    password: str = TEST_PASSWORD


@pytest.fixture
def world(db: Session) -> World:
    ents = {}
    for key, region in PLACES.items():
        e = Enterprise(
            uscc=new_uscc(),
            name=f"矩阵企业{key}有限公司",
            region_code=region,
            industry_code="3562",
            tags=[],
            is_synthetic=False,
            contact_phone=FULL_PHONE,
        )
        db.add(e)
        ents[key] = e
    db.flush()
    bound = {Role.enterprise: ents["own"].id, Role.chain_leader: ents["neighbour"].id}
    users = {role: make_user(db, role, enterprise_id=bound.get(role)) for role in Role}
    return World(
        enterprises=ents,
        users=users,
        login_user=make_user(db, Role.expert, username="matrix-login"),
        victim_user=make_user(db, Role.expert, username="matrix-victim"),
    )


def visible(role: Role, user: User, ent: Enterprise) -> bool:
    """The specification of scope, restated here rather than imported from the code under test."""
    if role is Role.admin:
        return True
    if role in (
        Role.district_official,
        Role.city_official,
        Role.provincial_official,
        Role.service_commissioner,
    ):
        return ent.region_code.startswith(user.region_code or "x")
    if role in (Role.enterprise, Role.chain_leader):
        return ent.id == user.enterprise_id
    return False


def expected_status(rule: Rule, role: Role | None, user: User | None, target: Enterprise | None) -> int:
    if rule.roles == PUBLIC:
        return rule.ok
    if role is None:
        return 401
    if rule.roles != ANY and role not in rule.roles:
        return 403
    if rule.target == "enterprise" and target is not None and not visible(role, user, target):  # type: ignore[arg-type]
        return 404
    return rule.ok


def snapshot(db: Session) -> tuple[Any, ...]:
    """Everything a request could change; a denied request must leave it identical."""
    db.flush()
    counts = tuple(
        db.scalar(select(func.count()).select_from(t))
        for t in (Enterprise, ChangeLog, YearlyFigure, User, AuditLog)
    )
    users = tuple(db.execute(select(User.id, User.active, User.password_hash).order_by(User.id)).all())
    figures = tuple(
        db.execute(
            select(YearlyFigure.enterprise_id, YearlyFigure.fiscal_year, YearlyFigure.employees).order_by(
                YearlyFigure.id
            )
        ).all()
    )
    revoked = db.scalar(
        select(func.count()).select_from(UserSession).where(UserSession.revoked_at.isnot(None))
    )
    return counts, users, figures, revoked


def _url(path: str, rule: Rule, world: World, target: Enterprise | None) -> str:
    values = {name: fn(world) for name, fn in rule.params.items()}
    if target is not None:
        values["enterprise_id"] = target.id
    return path.format(**values)


def test_every_api_route_has_a_policy_entry_and_no_entry_is_stale(app):
    routes = api_routes(app)
    missing = sorted(routes - POLICY.keys())
    stale = sorted(POLICY.keys() - routes)
    assert not missing, (
        f"routes without an authorization policy (add them to tests/auth/route_policy.py): {missing}"
    )
    assert not stale, f"policy entries for routes that no longer exist: {stale}"


@pytest.mark.parametrize("route", sorted(POLICY), ids=lambda r: f"{r[0]} {r[1]}")
def test_route_answers_each_role_as_the_policy_says(route, app, anon_client, db, world):
    method, path = route
    rule = POLICY[route]
    targets: list[Enterprise | None] = (
        list(world.enterprises.values()) if rule.target == "enterprise" else [None]
    )
    failures = []
    for role in ROLES:
        user = world.users[role] if role else None
        for target in targets:
            want = expected_status(rule, role, user, target)
            headers = bearer_for(db, user) if user else {}
            before = snapshot(db)
            body = rule.body(world) if rule.body else None
            r = anon_client.request(method, _url(path, rule, world, target), json=body, headers=headers)
            where = f"{role or 'anonymous'} → {target.name if target else '-'}"
            if r.status_code != want:
                failures.append(f"{where}: got {r.status_code}, expected {want}: {r.text[:200]}")
                continue
            if want in (401, 403, 404):
                if snapshot(db) != before:
                    failures.append(f"{where}: denied with {want} but changed the database")
                answer = r.json()
                # Open311 answers errors as the standard has them: [{"code": …, "description": …}].
                message = answer[0].get("description") if isinstance(answer, list) else answer.get("message")
                if message in (None, ""):
                    failures.append(f"{where}: denial without a Chinese message")
            if rule.target == "enterprise_list" and want == 200:
                seen = {item["id"] for item in r.json()["items"]}
                should = {e.id for e in world.enterprises.values() if visible(role, user, e)}  # type: ignore[arg-type]
                world_ids = {e.id for e in world.enterprises.values()}
                if seen & world_ids != should:
                    failures.append(
                        f"{where}: list shows {sorted(seen & world_ids)}, scope is {sorted(should)}"
                    )
                if seen & _foreign(db, role, user):  # type: ignore[arg-type]
                    failures.append(f"{where}: list shows enterprises outside the scope")
            if want == rule.ok and 200 <= want < 300 and rule.owes_audit(method, path):
                audited = snapshot(db)[0][-1] - before[0][-1]
                if audited < 1:
                    failures.append(f"{where}: changed state or exported without an audit row (QUALITY S3)")
            if FULL_PHONE in r.text and not rule.unmasked:
                failures.append(f"{where}: answer shows an unmasked phone number")
            if rule.check is not None and want == rule.ok:
                in_scope = [e for e in db.scalars(select(Enterprise)).all() if visible(role, user, e)]  # type: ignore[arg-type]
                if problem := rule.check(r.json(), in_scope):
                    failures.append(f"{where}: {problem}")
            if role in (Role.enterprise, Role.chain_leader):
                for other in world.enterprises.values():
                    if other.id != user.enterprise_id and (other.uscc in r.text or other.name in r.text):  # type: ignore[union-attr]
                        failures.append(f"{where}: response reveals {other.name}")
    assert not failures, "\n".join(failures)


def _foreign(db: Session, role: Role, user: User | None) -> set[int]:
    """Ids of every enterprise in the database outside this user's scope (the world's and any other)."""
    ents = db.scalars(select(Enterprise)).all()
    return {e.id for e in ents if not visible(role, user, e)}  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "query",
    [
        {"region": "440106"},
        {"region": "50"},
        {"q": "矩阵企业guangzhou"},
        {"q": "矩阵企业"},
        {"page_size": 100},
    ],
    ids=["other-city-region", "other-province", "other-name", "all-names", "big-page"],
)
def test_list_filters_cannot_widen_a_scoped_users_view(query, anon_client, db, world):
    for role, user in world.users.items():
        r = anon_client.get("/api/v1/enterprises", params=query, headers=bearer_for(db, user))
        if role in (Role.bank, Role.expert, Role.department_handler):
            assert r.status_code == 403, role
            continue
        assert r.status_code == 200, (role, r.text)
        seen = {i["id"] for i in r.json()["items"]}
        assert not seen & _foreign(db, role, user), (role, query, seen)


def test_district_official_lists_only_their_district_and_cannot_open_a_neighbouring_one(
    anon_client, db, world
):
    official = world.users[Role.district_official]
    headers = bearer_for(db, official)
    items = anon_client.get("/api/v1/enterprises", headers=headers).json()["items"]
    assert sorted(i["name"] for i in items) == ["矩阵企业neighbour有限公司", "矩阵企业own有限公司"]
    futian = world.enterprises["futian"]
    r = anon_client.get(f"/api/v1/enterprises/{futian.id}", headers=headers)
    assert (r.status_code, r.json()["message"]) == (404, "未找到该企业")


def test_enterprise_user_cannot_change_another_enterprises_figures_and_nothing_is_written(
    anon_client, db, world
):
    user = world.users[Role.enterprise]
    other = world.enterprises["neighbour"]
    before = snapshot(db)
    r = anon_client.put(
        f"/api/v1/enterprises/{other.id}/yearly-figures/2025",
        json={"employees": 1, "source": "self_reported"},
        headers=bearer_for(db, user),
    )
    assert r.status_code == 404
    assert snapshot(db) == before
    own = world.enterprises["own"]
    r = anon_client.put(
        f"/api/v1/enterprises/{own.id}/yearly-figures/2025",
        json={"employees": 7, "source": "self_reported"},
        headers=bearer_for(db, user),
    )
    assert (r.status_code, r.json()["employees"], r.json()["updated_by"]) == (200, 7, user.username)


def test_official_cannot_create_an_enterprise_outside_their_region(anon_client, db, world):
    official = world.users[Role.district_official]
    before = snapshot(db)
    body = {"uscc": new_uscc(), "name": "越权新建企业", "region_code": "440106", "industry_code": "3562"}
    r = anon_client.post("/api/v1/enterprises", json=body, headers=bearer_for(db, official))
    assert (r.status_code, r.json()["message"]) == (403, "只能在本账号管辖的行政区划内新建企业")
    assert snapshot(db) == before


def test_enterprise_user_bound_to_a_removed_enterprise_sees_nothing(anon_client, db, world):
    user = make_user(db, Role.enterprise, enterprise_id=None)
    r = anon_client.get("/api/v1/enterprises", headers=bearer_for(db, user))
    assert (r.status_code, r.json()["total"]) == (200, 0)


ID_PARAM = re.compile(r"\{(\w+_id)\}")
SWEEP_IDS = range(1, 21)


def _leaks(text: str, world: World, visible_ids: set[int]) -> list[str]:
    hidden = [e for e in world.enterprises.values() if e.id not in visible_ids]
    found = [e.name for e in hidden if e.uscc in text or e.name in text]
    hidden_ids = {e.id for e in hidden}
    found += [
        f"enterprise_id {m}" for m in re.findall(r'"enterprise_id"\s*:\s*(\d+)', text) if int(m) in hidden_ids
    ]
    return found


def test_scoped_accounts_reach_no_out_of_scope_object_by_sweeping_ids(anon_client, db, world):
    """Objects of every enterprise exist (made through each scoped write, as admin); then enterprise accounts and
    a district official try ids 1–20 on every route with an object id they are admitted to: no answer may show
    an enterprise outside their scope."""
    admin = bearer_for(db, world.users[Role.admin])
    for (method, path), rule in sorted(POLICY.items()):
        if method == "GET" or rule.body is None or "{enterprise_id}" not in path:
            continue
        for ent in world.enterprises.values():
            anon_client.request(method, _url(path, rule, world, ent), json=rule.body(world), headers=admin)
    failures = []
    for role in (Role.enterprise, Role.chain_leader, Role.district_official):
        user = world.users[role]
        headers = bearer_for(db, user)
        in_scope = {e.id for e in world.enterprises.values() if visible(role, user, e)}
        own = user.enterprise_id or min(in_scope)
        for (method, path), rule in sorted(POLICY.items()):
            ids = [p for p in ID_PARAM.findall(path) if p != "enterprise_id"]
            admitted = rule.roles in (PUBLIC, ANY) or role in rule.roles  # type: ignore[operator]
            if not ids or not admitted:
                continue
            fixed = {name: fn(world) for name, fn in rule.params.items() if name not in ids}
            for i in SWEEP_IDS:
                url = path.format(**fixed, **dict.fromkeys(ids, i), enterprise_id=own)
                body = rule.body(world) if rule.body else None
                r = anon_client.request(method, url, json=body, headers=headers)
                if r.status_code < 300 and (leaks := _leaks(r.text, world, in_scope)):
                    failures.append(f"{role} {method} {url}: {r.status_code} shows {leaks}")
    assert not failures, "\n".join(failures)
