"""HTTP endpoints of the policy library, the sandbox and precise push.

Officials (and administrators) draft, test and publish versions of the policies whose region lies inside their
own; every logged-in user reads the published library; an enterprise's push results and answers are read and
written by that enterprise and by the officials and commissioners whose region contains it (404 otherwise).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Depends, Path, Query
from sqlalchemy.orm import Session

from srdi.auth.dependencies import current_user, require_roles
from srdi.auth.enums import ENTERPRISE_SELF, MANAGERS, MONITORS, OFFICIALS, REGISTRY_READERS, Role
from srdi.auth.service import Principal, audit
from srdi.db.session import DbSession, SessionFactory, get_task_session_factory
from srdi.enterprise import service as enterprise_service
from srdi.enterprise.dependencies import VisibleEnterprise
from srdi.kit.money import fen_to_yuan
from srdi.kit.params import AsOf
from srdi.kit.workdays import beijing_today
from srdi.policy import service, tasks
from srdi.policy.enums import VersionStatus
from srdi.policy.exceptions import ImplausibleAnswer, InvalidDraft, PolicyNotFound
from srdi.policy.models import PolicyVersion
from srdi.policy.schemas import (
    AnswerKeyOut,
    AnswerOut,
    AnswersIn,
    DraftIn,
    MatchOut,
    MyPoliciesOut,
    PolicyOut,
    RejectIn,
    SandboxIn,
    SandboxOut,
    SandboxSide,
    VerificationOut,
    VerifyIn,
)

router = APIRouter(tags=["政策库 policies"])

READERS = REGISTRY_READERS
WRITERS = (Role.admin, *OFFICIALS, *ENTERPRISE_SELF)
# Who checks a self-reported value (待核验): officials, administrators and commissioners, each in their region.
VERIFIERS = MONITORS

# scope="function": the request's transaction commits before the response is sent, so a client that reads
# right after a change, and a background task started by it, see the change (FastAPI's default ends a yield
# dependency only after the response and its background tasks).
TaskSessions = Annotated[SessionFactory, Depends(get_task_session_factory)]
Anyone = Annotated[Principal, Depends(current_user)]
Manager = Annotated[Principal, Depends(require_roles(*MANAGERS))]
Reader = Annotated[Principal, Depends(require_roles(*READERS))]
Writer = Annotated[Principal, Depends(require_roles(*WRITERS))]
SelfUser = Annotated[Principal, Depends(require_roles(*ENTERPRISE_SELF))]
Verifier = Annotated[Principal, Depends(require_roles(*VERIFIERS))]
RequestId = Annotated[int, Path(ge=1, le=2**31 - 1, description="核验事项编号")]
PolicyKey = Annotated[str, Path(min_length=1, max_length=80, pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")]
VersionId = Annotated[int, Path(ge=1, le=2**31 - 1, description="政策版本编号")]


def yuan(fen: int | None) -> Decimal | None:
    return None if fen is None else fen_to_yuan(fen)


def is_manager(principal: Principal) -> bool:
    return principal.role in MANAGERS


def may_manage(principal: Principal | None, v: PolicyVersion) -> bool:
    """What the manage routes would allow: a managing role, and every region of the policy inside the caller's."""
    return (
        principal is not None
        and is_manager(principal)
        and service.within_region(principal.scope.region_prefixes, v)
    )


def version_out(v: PolicyVersion, principal: Principal | None = None) -> PolicyOut:
    pol = service.policy_of(v)
    s = pol.summary()
    return PolicyOut(
        version_id=v.id,
        may_manage=may_manage(principal, v),
        policy_key=v.policy_key,
        version=v.version,
        status=v.status,
        origin=v.origin,
        title=s["title"],
        source=s["source"],
        issuer=s["issuer"],
        region_codes=s["region_codes"],
        departments=s["departments"],
        mode=s["mode"],
        mode_label=s["mode_label"],
        effective_from=date.fromisoformat(s["effective_from"]) if s["effective_from"] else None,
        effective_to=date.fromisoformat(s["effective_to"]) if s["effective_to"] else None,
        verification=s["verification"],
        policy_status=s["policy_status"],
        policy_status_label=s["policy_status_label"],
        amount_rule=s["amount_rule"],
        allocation_label=s["allocation_label"],
        allocation_stated=s["allocation_stated"],
        payment_deadline_days=s["payment_deadline_days"],
        bounds=s["bounds"],
        unverified=s["unverified"],
        unverified_labels=service.unverified_labels(pol),
        budget_yuan=yuan(pol.budget_fen),
        period=s["period"],
        allocation_order=s["allocation_order"],
        beneficiary=s["beneficiary"],
        benefit_kind=s["benefit_kind"],
        benefit_description=s["benefit_description"],
        amount_is_maximum=s["amount_is_maximum"],
        unit=s["unit"],
        review_checks=s["review_checks"],
        seeds=s["seeds"],
        parameters=s["parameters"],
        conditions=[{"id": f.id, "label": f.label, "expr": f.text} for f in pol.rule_set.conditions]
        + [{"id": "pass", "label": "资格判定", "expr": pol.rule_set.pass_formula.text}],
        note=v.note,
        sandbox=v.sandbox,
        created_by=v.created_by,
        created_at=v.created_at,
        published_by=v.published_by,
        published_at=v.published_at,
    )


@router.get("/policies", response_model=list[PolicyOut], summary="政策库（已发布版本）")
def list_policies(db: DbSession, principal: Anyone) -> list[PolicyOut]:
    return [version_out(v, principal) for v, _ in service.published(db)]


@router.get("/policies/{policy_key}/versions", response_model=list[PolicyOut], summary="政策的全部版本")
def policy_versions(db: DbSession, principal: Anyone, policy_key: PolicyKey) -> list[PolicyOut]:
    rows = service.versions_of(db, policy_key)
    if not is_manager(principal):
        rows = [v for v in rows if v.status != VersionStatus.draft]
    return [version_out(v, principal) for v in rows]


@router.get("/policy-versions/{version_id}", response_model=PolicyOut, summary="政策版本详情")
def get_version(db: DbSession, principal: Anyone, version_id: VersionId) -> PolicyOut:
    v = service.get_version(db, version_id)
    if v.status == VersionStatus.draft and not is_manager(principal):
        raise PolicyNotFound(version_id)  # drafts are not public
    return version_out(v, principal)


@router.post(
    "/policies/{policy_key}/drafts",
    response_model=PolicyOut,
    status_code=201,
    summary="起草新版本（改参数/预算）",
)
def create_draft(db: DbSession, principal: Manager, policy_key: PolicyKey, body: DraftIn) -> PolicyOut:
    budget: str | bool | None = False
    if body.clear_budget:
        budget = None
    elif body.budget_yuan is not None:
        if body.budget_yuan != body.budget_yuan.quantize(Decimal("0.01")):
            raise InvalidDraft("预算最多精确到分")
        budget = f"{body.budget_yuan}元"
    v = service.create_draft(
        db,
        policy_key,
        parameters=body.parameters,
        budget=budget,
        note=body.note,
        actor=principal.username,
        scope_prefixes=principal.scope.region_prefixes,
    )
    audit(
        db,
        principal,
        "policy.draft",
        ("policy_version", v.id),
        {"policy_key": policy_key, **body.model_dump(mode="json")},
    )
    return version_out(v, principal)


def _side(d: dict[str, Any]) -> SandboxSide:
    return SandboxSide(
        counts=d["counts"],
        amount_yuan=fen_to_yuan(d["amount_fen"]),
        budget_yuan=yuan(d["budget_fen"]),
        funded=d["funded"],
        funded_yuan=fen_to_yuan(d["funded_fen"]),
        oversubscribed=d["oversubscribed"],
    )


@router.post("/policy-versions/{version_id}/sandbox", response_model=SandboxOut, summary="政策沙盘测算")
def sandbox(db: DbSession, principal: Manager, version_id: VersionId, body: SandboxIn) -> SandboxOut:
    r = service.sandbox(
        db, version_id, as_of=body.as_of or beijing_today(), scope_prefixes=principal.scope.region_prefixes
    )
    audit(db, principal, "policy.sandbox", ("policy_version", version_id), {"summary": r["summary"]})
    examples = [
        {
            **{k: v for k, v in e.items() if not k.endswith("_fen")},
            "amount_before_yuan": yuan(e["amount_before_fen"]),
            "amount_after_yuan": yuan(e["amount_after_fen"]),
        }
        for e in r["examples"]
    ]
    return SandboxOut(
        **{
            k: v
            for k, v in r.items()
            if k not in ("before", "after", "delta_amount_fen", "examples", "as_of")
        },
        as_of=date.fromisoformat(r["as_of"]),
        before=_side(r["before"]),
        after=_side(r["after"]),
        delta_amount_yuan=fen_to_yuan(r["delta_amount_fen"]),
        examples=examples,
    )


@router.post("/policy-versions/{version_id}/publish", response_model=PolicyOut, summary="发布草稿")
def publish(
    db: DbSession,
    principal: Manager,
    version_id: VersionId,
    background: BackgroundTasks,
    sessions: TaskSessions,
) -> PolicyOut:
    v = service.publish(
        db, version_id, actor=principal.username, scope_prefixes=principal.scope.region_prefixes
    )
    audit(
        db,
        principal,
        "policy.publish",
        ("policy_version", v.id),
        {"policy_key": v.policy_key, "version": v.version},
    )
    background.add_task(
        tasks.refresh_dirty, sessions
    )  # push results of every enterprise are recomputed in the background
    return version_out(v, principal)


def _match_out(m: dict[str, Any]) -> MatchOut:
    return MatchOut(**{k: v for k, v in m.items() if k != "amount_fen"}, amount_yuan=yuan(m["amount_fen"]))


@router.get(
    "/enterprises/{enterprise_id}/policies",
    response_model=MyPoliciesOut,
    summary="企业的政策匹配（精准推送）",
)
def my_policies(
    db: DbSession, principal: Reader, ent: VisibleEnterprise, as_of: AsOf = None
) -> MyPoliciesOut:
    r = service.my_policies(db, ent, as_of or beijing_today())
    return MyPoliciesOut(
        as_of=date.fromisoformat(r["as_of"]),
        eligible=[_match_out(m) for m in r["eligible"]],
        unknown=[_match_out(m) for m in r["unknown"]],
        ineligible=[_match_out(m) for m in r["ineligible"]],
        eligible_amount_yuan=fen_to_yuan(r["eligible_amount_fen"]),
    )


@router.get("/policy-answer-keys", response_model=list[AnswerKeyOut], summary="政策所需的补充信息项")
def answer_keys(principal: Anyone) -> list[AnswerKeyOut]:
    return [AnswerKeyOut(**k) for k in service.answer_keys()]


@router.get(
    "/enterprises/{enterprise_id}/policy-answers",
    response_model=list[AnswerOut],
    summary="企业填报的政策补充信息",
)
def get_answers(db: DbSession, principal: Reader, ent: VisibleEnterprise) -> list[AnswerOut]:
    return [_answer_out(a) for a in service.answers_of(db, ent.id)]


def _answer_out(a: Any, notice: str | None = None) -> AnswerOut:
    from srdi.enterprise.enums import provenance_label

    return AnswerOut(
        key=a.key,
        fiscal_year=a.fiscal_year,
        value=a.value,
        source=a.source,
        source_label=provenance_label(a.source) or a.source,
        updated_by=a.updated_by,
        updated_at=a.updated_at,
        provenance_notice=notice,
    )


@router.put(
    "/enterprises/{enterprise_id}/policy-answers", response_model=list[AnswerOut], summary="填报政策补充信息"
)
def put_answers(db: DbSession, principal: Writer, ent: VisibleEnterprise, body: AnswersIn) -> list[AnswerOut]:
    keys = {k["key"]: k for k in service.answer_keys()}
    for a in body.answers:
        spec = keys.get(a.key)
        if spec is None:
            raise InvalidDraft(f"未知的信息项 {a.key}")
        if spec["yearly"] != bool(a.fiscal_year):
            raise InvalidDraft(f"{spec['label']}：{'需要' if spec['yearly'] else '不需要'}填写年度")
        _check_value(spec, a.value)
    # Provenance is the server's decision from the caller's role (decision 0012-provenance): an enterprise's
    # answer is self-reported whatever the body says, and the response says so.
    source, notice = enterprise_service.decide_source(principal.role, body.source)
    rows = service.set_answers(
        db, ent.id, [a.model_dump() for a in body.answers], actor=principal.username, source=source
    )
    audit(
        db,
        principal,
        "policy.answers.update",
        ("enterprise", ent.id),
        {
            "answers": [a.model_dump() for a in body.answers],
            "source": source,
            "requested_source": body.source,
        },
    )
    return [_answer_out(a, notice) for a in rows]


def _check_value(spec: dict[str, Any], value: object) -> None:
    from srdi.kit.money import MoneyError, yuan_to_fen

    if value is None:
        return
    t = spec["type"]
    ok = True
    if t == "bool":
        ok = isinstance(value, bool)
    elif t == "int":
        ok = isinstance(value, int) and not isinstance(value, bool) and value >= 0
    elif t == "money":
        try:
            ok = isinstance(value, str) and yuan_to_fen(value) >= 0
        except MoneyError:
            ok = False
    if not ok:
        raise InvalidDraft(f"{spec['label']}：取值类型应为 {t}")
    # Plausible bounds declared by the policies that read this answer: a 1e25 figure is refused here, in
    # Chinese, before it can reach any computation (engine units: fen for money).
    n = yuan_to_fen(str(value)) if t == "money" else value
    if not isinstance(n, int) or isinstance(n, bool):
        return
    if spec.get("_max") is not None and n > spec["_max"]:
        raise ImplausibleAnswer(f"{spec['label']}：超出合理范围（不超过{spec['max']}），请核实后再填报")
    if spec.get("_min") is not None and n < spec["_min"]:
        raise ImplausibleAnswer(f"{spec['label']}：低于合理范围（不低于{spec['min']}），请核实后再填报")


# --- 待核验: the verification queue ---------------------------------------------------------------------------


@router.get(
    "/verification-requests",
    response_model=list[VerificationOut],
    summary="核验队列：企业自报、决定资金的政策输入（本账号管辖地区）",
)
def verification_queue(
    db: DbSession,
    principal: Verifier,
    status: Annotated[
        str | None, Query(pattern="^(pending|verified|rejected)$", description="状态，默认待核验")
    ] = "pending",
) -> list[VerificationOut]:
    rows = service.verification_queue(db, principal.scope.region_prefixes, status)
    return [VerificationOut(**r) for r in rows]


def _verification(db: Session, req: Any) -> VerificationOut:
    _, ent = service.get_request(db, req.id, None)
    titles = {v.policy_key: pol.title for v, pol in service.published(db)}
    return VerificationOut(
        **service.verification_out(req, ent.name, ent.uscc, ent.region_code, titles.get(req.policy_key))
    )


def _audited(db: DbSession, principal: Principal, verb: str, req: Any) -> VerificationOut:
    """The audit row of a verification decision (verify / reject) and the request as it now stands."""
    audit(
        db,
        principal,
        f"policy.verification.{verb}",
        ("enterprise", req.enterprise_id),
        {"request_id": req.id, "policy_key": req.policy_key, "input_id": req.input_id},
    )
    return _verification(db, req)


@router.post(
    "/verification-requests/{request_id}/verify",
    response_model=VerificationOut,
    summary="核验通过：数据来源记为已核验（核验人、时间、说明、依据）",
)
def verify_request(
    db: DbSession, principal: Verifier, request_id: RequestId, body: VerifyIn
) -> VerificationOut:
    req = service.verify(
        db,
        request_id,
        actor=principal.username,
        note=body.note,
        evidence=body.evidence,
        scope_prefixes=principal.scope.region_prefixes,
    )
    return _audited(db, principal, "verify", req)


@router.post(
    "/verification-requests/{request_id}/reject",
    response_model=VerificationOut,
    summary="核验不通过：填写理由，不据此拨付",
)
def reject_request(
    db: DbSession, principal: Verifier, request_id: RequestId, body: RejectIn
) -> VerificationOut:
    req = service.reject(
        db,
        request_id,
        actor=principal.username,
        reason=body.reason,
        scope_prefixes=principal.scope.region_prefixes,
    )
    return _audited(db, principal, "reject", req)
