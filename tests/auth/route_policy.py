"""The authorization policy of every /api/v1 endpoint, written down independently of the routers (QUALITY S1).

tests/auth/test_authorization_matrix.py reads the application's route table and fails for any route missing
here, so a new endpoint cannot ship without someone deciding who may call it. To add one:

    ("GET", "/api/v1/things/{thing_id}"): Rule(roles=READERS, target=...),

``roles`` is PUBLIC (no login), ANY (any logged-in user) or the set of roles admitted. ``target`` says how the
object in the path is scoped: "enterprise" — ``{enterprise_id}`` is checked against the caller's scope (an
enterprise outside it answers 404, as if absent); "enterprise_list" — a collection of enterprises filtered to
the scope; "none" — no per-object scope. ``body`` builds a valid request body; ``ok`` is the success status.
``params`` gives sample values for path parameters other than ``enterprise_id``. A successful call of a route
that changes state (any method but GET, unless ``writes`` says otherwise) or exports data (its path says
"export") must add an audit row.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import count
from typing import Any

from stdnum.cn import uscc as uscc_std

from srdi.auth.enums import Role

PUBLIC = "public"
ANY = "any"

OFFICIALS = frozenset({Role.district_official, Role.city_official, Role.provincial_official})
ENTERPRISE_SELF = frozenset({Role.enterprise, Role.chain_leader})
# Registry readers: officials in their region, commissioners in their area, enterprises themselves.
READERS = frozenset({Role.admin, Role.service_commissioner}) | OFFICIALS | ENTERPRISE_SELF
# New registry entries: officials (within their region) and administrators.
CREATORS = frozenset({Role.admin}) | OFFICIALS
# Yearly figures: officials (corrections, imports) and the enterprise itself (填报); commissioners only read.
FIGURE_WRITERS = frozenset({Role.admin}) | OFFICIALS | ENTERPRISE_SELF
ADMIN = frozenset({Role.admin})
# Awards decide recognition routes: officials (within their region) and administrators; enterprises only read.
AWARD_WRITERS = frozenset({Role.admin}) | OFFICIALS
# Policy drafts, sandbox, publish and 免申即享 runs: officials (within their region) and administrators.
POLICY_MANAGERS = frozenset({Role.admin}) | OFFICIALS
# The verification queue (待核验): officials, administrators and commissioners in their region.
VERIFIERS = frozenset({Role.admin, Role.service_commissioner}) | OFFICIALS

_seq = count(1)


def new_uscc() -> str:
    base = "91440305" + f"{700000 + next(_seq):09d}"
    return base + uscc_std.calc_check_digit(base)


@dataclass(frozen=True)
class Rule:
    roles: frozenset[Role] | str
    target: str = "none"
    body: Callable[[Any], dict[str, Any]] | None = None
    ok: int = 200
    params: dict[str, Callable[[Any], object]] = field(default_factory=dict)
    # For aggregates over the caller's scope: check(json, visible) → a problem or None, where ``visible`` is
    # the list of every enterprise in the database the caller may see.
    check: Callable[[Any, list[Any]], str | None] | None = None
    # Does a successful call owe an audit row (QUALITY S3)? Default: it changes state (any method but GET) or
    # it is an export (the path says "export"). Set False for a POST that only computes.
    writes: bool | None = None
    # May a successful answer carry a full phone number or bank account? Only endpoints that unmask on purpose
    # (and audit it) say True; every other answer must show them masked (PRODUCT C9).
    unmasked: bool = False

    def owes_audit(self, method: str, path: str) -> bool:
        if self.writes is not None:
            return self.writes
        return method != "GET" or "export" in path


def _new_enterprise(_: Any) -> dict[str, Any]:
    return {
        "uscc": new_uscc(),
        "name": f"矩阵测试新建企业{next(_seq)}",
        "region_code": "440305",
        "industry_code": "3562",
    }


def _award(_: Any) -> dict[str, Any]:
    return {
        "kind": "maker_china",
        "level": "national",
        "name": "矩阵测试“创客中国”大赛",
        "award_date": "2025-11-20",
        "top_group": 500,
        "contest_group": "enterprise_group",
    }


def _new_user(_: Any) -> dict[str, Any]:
    return {
        "username": f"matrix-new-{next(_seq)}",
        "display_name": "矩阵测试",
        "role": "expert",
        "password": "Matrix-pass-1",
    }


def _login(world: Any) -> dict[str, Any]:
    return {"username": world.login_user.username, "password": world.password}


def _victim(world: Any) -> object:
    return world.victim_user.id


def _regions_within(body: Any, visible: list[Any]) -> str | None:
    codes = {e.region_code for e in visible}
    shown = {item["code"] for item in body}
    return None if shown == codes else f"regions {sorted(shown)}, scope has {sorted(codes)}"


def _counts_sum(body: Any, visible: list[Any]) -> str | None:
    total = sum(item["enterprises"] for item in body)
    return None if total == len(visible) else f"counts add up to {total}, scope has {len(visible)}"


def _summary_total(body: Any, visible: list[Any]) -> str | None:
    return None if body["total"] == len(visible) else f"total {body['total']}, scope has {len(visible)}"


MONITORS = frozenset({Role.admin, Role.service_commissioner}) | OFFICIALS


def _target(_: Any) -> dict[str, Any]:
    return {
        "region_code": "440305",
        "year": 2026,
        "measure": "srdi_sme_count",
        "value": 3,
        "source": "矩阵测试文件",
    }


def _reported_figure(_: Any) -> dict[str, Any]:
    return {"region_code": "440305", "measure": "trainees", "on_date": "2026-06-01", "value": 10}


def _report(_: Any) -> dict[str, Any]:
    return {"period": "2025Q3", "region_code": "440305", "fmt": "html"}


ASSESSORS = READERS
RUNNERS = frozenset({Role.admin}) | OFFICIALS
RUN_READERS = MONITORS

# Appeals (srdi.appeal.router): enterprises file and follow their own; officials and commissioners receive and
# dispatch; department handlers answer. Staff work lists and KPIs exclude experts and banks.
APPEAL_STAFF = frozenset({Role.admin, Role.service_commissioner, Role.department_handler}) | OFFICIALS
APPEAL_USERS = APPEAL_STAFF | ENTERPRISE_SELF
APPEAL_FILERS = frozenset({Role.admin, Role.service_commissioner}) | OFFICIALS | ENTERPRISE_SELF
NO_APPEAL = lambda _: 2**31 - 1  # noqa: E731

# Matchmaking (srdi.matchmaking.router): chain leaders post needs and see their own needs' matches and bidders;
# officials review in their region; enterprises (and leaders, who are enterprises) bid and publish capabilities.
MATCH_USERS = frozenset({Role.admin}) | OFFICIALS | ENTERPRISE_SELF
NEED_MANAGERS = frozenset({Role.admin, Role.chain_leader}) | OFFICIALS
LEADERS = frozenset({Role.chain_leader})
# Events: officials (in their region) and chain leaders (their own) organise them.
EVENT_ORGANISERS = frozenset({Role.admin, Role.chain_leader}) | OFFICIALS
NO_OBJECT = lambda _: 2**31 - 1  # noqa: E731


def _department(_: Any) -> dict[str, Any]:
    return {
        "name": "矩阵测试责任单位",
        "region_code": "440305",
        "level": "district",
        "duty": "矩阵测试",
        "categories": ["other"],
    }


# Applications and review (srdi.application.router): enterprises apply for themselves; officials review in their
# region; provincial officials open batches, draw experts and announce; experts see only their own assignments.
APPLICANTS = ENTERPRISE_SELF
APPLICATION_USERS = frozenset({Role.admin}) | OFFICIALS | ENTERPRISE_SELF
APPLICATION_REVIEWERS = frozenset({Role.admin}) | OFFICIALS
BATCH_MANAGERS = frozenset({Role.admin, Role.provincial_official})
PUBLICITY_OFFICIALS = frozenset({Role.admin, Role.city_official, Role.provincial_official})
EXPERTS = frozenset({Role.expert})
NO_ID = lambda _: 2**31 - 1  # noqa: E731


def _batch(_: Any) -> dict[str, Any]:
    return {
        "name": f"矩阵测试批次{next(_seq)}",
        "tier": "srdi_sme",
        "region_code": "44",
        "open_date": "2026-10-08",
        "close_date": "2026-11-30",
    }


# Financing (srdi.finance.router): officials manage whitelists and review products; banks see approved lists of
# their region, their own products and the requests addressed to them; enterprises their score, matches, requests.
FIN_MANAGERS = frozenset({Role.admin}) | OFFICIALS
FIN_LIST_READERS = FIN_MANAGERS | {Role.bank}
FIN_SCORE_READERS = FIN_MANAGERS | {Role.service_commissioner} | ENTERPRISE_SELF
FIN_USERS = FIN_MANAGERS | {Role.bank} | ENTERPRISE_SELF
NO_OBJECT = lambda _: 2**31 - 1  # noqa: E731


POLICY: dict[tuple[str, str], Rule] = {
    ("GET", "/api/v1/health"): Rule(PUBLIC),
    ("GET", "/api/v1/openapi.json"): Rule(PUBLIC),
    # --- auth
    ("POST", "/api/v1/auth/login"): Rule(PUBLIC, body=_login),
    ("POST", "/api/v1/auth/token"): Rule(PUBLIC, body=_login),
    ("GET", "/api/v1/auth/demo-accounts"): Rule(PUBLIC),
    ("POST", "/api/v1/auth/logout"): Rule(ANY, ok=204),
    ("GET", "/api/v1/auth/me"): Rule(ANY),
    ("POST", "/api/v1/auth/password"): Rule(
        ANY, ok=204, body=lambda w: {"old_password": w.password, "new_password": "Changed-pass-2027"}
    ),
    # --- administration
    ("GET", "/api/v1/admin/users"): Rule(ADMIN),
    ("POST", "/api/v1/admin/users"): Rule(ADMIN, body=_new_user, ok=201),
    ("POST", "/api/v1/admin/users/{user_id}/deactivate"): Rule(ADMIN, params={"user_id": _victim}),
    ("POST", "/api/v1/admin/users/{user_id}/activate"): Rule(ADMIN, params={"user_id": _victim}),
    ("POST", "/api/v1/admin/users/{user_id}/reset-password"): Rule(
        ADMIN, params={"user_id": _victim}, body=lambda _: {"new_password": "Reset-pass-2027"}
    ),
    ("GET", "/api/v1/admin/audit-log"): Rule(ADMIN),
    ("GET", "/api/v1/admin/audit-log.csv"): Rule(ADMIN, writes=True),
    ("GET", "/api/v1/admin/calendar"): Rule(ADMIN, writes=False),
    ("GET", "/api/v1/admin/roles"): Rule(ADMIN, writes=False),
    # --- registry
    ("GET", "/api/v1/enterprises"): Rule(READERS, target="enterprise_list"),
    ("POST", "/api/v1/enterprises"): Rule(CREATORS, body=_new_enterprise, ok=201),
    ("GET", "/api/v1/enterprises/{enterprise_id}"): Rule(READERS, target="enterprise"),
    ("GET", "/api/v1/enterprises/{enterprise_id}/contact"): Rule(READERS, target="enterprise", unmasked=True),
    ("GET", "/api/v1/enterprises/{enterprise_id}/yearly-figures"): Rule(READERS, target="enterprise"),
    ("PUT", "/api/v1/enterprises/{enterprise_id}/yearly-figures/{year}"): Rule(
        FIGURE_WRITERS,
        target="enterprise",
        params={"year": lambda _: 2025},
        body=lambda _: {"employees": 120, "operating_revenue": "30000000.00", "source": "self_reported"},
    ),
    ("GET", "/api/v1/enterprises/{enterprise_id}/facts"): Rule(READERS, target="enterprise"),
    ("GET", "/api/v1/enterprises/{enterprise_id}/recognitions"): Rule(READERS, target="enterprise"),
    ("GET", "/api/v1/enterprises/{enterprise_id}/awards"): Rule(READERS, target="enterprise"),
    ("POST", "/api/v1/enterprises/{enterprise_id}/awards"): Rule(
        AWARD_WRITERS, target="enterprise", ok=201, body=_award
    ),
    # No award with this id exists: an admitted caller in scope gets 404 for the award, out of scope for the
    # enterprise; enterprise accounts get 403 before anything is looked up.
    ("PUT", "/api/v1/enterprises/{enterprise_id}/awards/{award_id}"): Rule(
        AWARD_WRITERS, target="enterprise", ok=404, params={"award_id": lambda _: 2**31 - 1}, body=_award
    ),
    ("DELETE", "/api/v1/enterprises/{enterprise_id}/awards/{award_id}"): Rule(
        AWARD_WRITERS, target="enterprise", ok=404, params={"award_id": lambda _: 2**31 - 1}
    ),
    ("GET", "/api/v1/enterprises/{enterprise_id}/history"): Rule(READERS, target="enterprise"),
    # --- registry import/export (srdi.enterprise.importing.router). Imports: officials and administrators; the
    # matrix sends no multipart file, so an admitted caller gets 422 (validation) after passing authorization,
    # and a job id that does not exist gets 404 — the import tests cover success paths and scoping.
    ("GET", "/api/v1/imports/template"): Rule(CREATORS),
    ("GET", "/api/v1/imports"): Rule(CREATORS),
    ("POST", "/api/v1/imports"): Rule(CREATORS, ok=422),
    ("POST", "/api/v1/award-imports"): Rule(CREATORS, ok=422),
    ("GET", "/api/v1/imports/{job_id}"): Rule(CREATORS, ok=404, params={"job_id": lambda _: 2**31 - 1}),
    ("GET", "/api/v1/imports/{job_id}/report"): Rule(
        CREATORS, ok=404, params={"job_id": lambda _: 2**31 - 1}
    ),
    ("GET", "/api/v1/imports/{job_id}/report.xlsx"): Rule(
        CREATORS, ok=404, params={"job_id": lambda _: 2**31 - 1}
    ),
    ("GET", "/api/v1/exports/enterprises"): Rule(READERS),
    # --- monitoring: aggregates over the caller's region only
    ("GET", "/api/v1/monitoring/regions"): Rule(MONITORS, check=_regions_within),
    ("GET", "/api/v1/monitoring/industries"): Rule(MONITORS, check=_counts_sum),
    ("GET", "/api/v1/monitoring/district-summary"): Rule(MONITORS, check=_summary_total),
    ("GET", "/api/v1/monitoring/measures"): Rule(MONITORS),
    ("GET", "/api/v1/monitoring/targets"): Rule(MONITORS),
    ("PUT", "/api/v1/monitoring/targets"): Rule(CREATORS, body=_target),
    ("DELETE", "/api/v1/monitoring/targets/{target_id}"): Rule(
        CREATORS, ok=404, params={"target_id": lambda _: 2**31 - 1}
    ),
    ("POST", "/api/v1/monitoring/reported-figures"): Rule(CREATORS, body=_reported_figure, ok=201),
    ("GET", "/api/v1/monitoring/overview"): Rule(MONITORS, check=_summary_total),
    ("POST", "/api/v1/monitoring/aggregates/refresh"): Rule(ADMIN),
    ("POST", "/api/v1/monitoring/reports"): Rule(CREATORS, body=_report, ok=202),
    ("GET", "/api/v1/monitoring/reports"): Rule(MONITORS),
    ("GET", "/api/v1/monitoring/reports/{report_id}"): Rule(
        MONITORS, ok=404, params={"report_id": lambda _: 2**31 - 1}
    ),
    ("GET", "/api/v1/monitoring/reports/{report_id}/file"): Rule(
        MONITORS, ok=404, params={"report_id": lambda _: 2**31 - 1}
    ),
    # --- tier evaluation (srdi.criteria.router). Self-assessment of a registered enterprise: anyone who may
    # read it; a posted facts document and the rule sets are public (a prospective enterprise tests itself).
    ("POST", "/api/v1/enterprises/{enterprise_id}/evaluations"): Rule(
        ASSESSORS, target="enterprise", ok=201, body=lambda _: {"as_of": "2025-06-30"}
    ),
    ("GET", "/api/v1/enterprises/{enterprise_id}/evaluations"): Rule(ASSESSORS, target="enterprise"),
    ("GET", "/api/v1/evaluations/{evaluation_id}"): Rule(
        ASSESSORS, ok=404, params={"evaluation_id": lambda _: 2**31 - 1}
    ),
    ("POST", "/api/v1/self-assessment"): Rule(
        PUBLIC, writes=False, body=lambda _: {"as_of": "2025-06-30", "facts": {"region_code": "440305"}}
    ),
    ("GET", "/api/v1/rule-sets"): Rule(PUBLIC),
    # 企业自测 (srdi.self_test): public, read-only, throttled per IP.
    ("GET", "/api/v1/self-test/options"): Rule(PUBLIC),
    ("GET", "/api/v1/self-test/questions"): Rule(PUBLIC),
    ("POST", "/api/v1/self-test/assess"): Rule(
        PUBLIC, writes=False, body=lambda _: {"region_code": "440305", "answers": {"yearly:employees:1": 10}}
    ),
    ("POST", "/api/v1/batch-runs"): Rule(RUNNERS, ok=202, body=lambda _: {"as_of": "2025-06-30"}),
    ("GET", "/api/v1/batch-runs"): Rule(RUN_READERS),
    ("GET", "/api/v1/batch-runs/{run_id}"): Rule(RUN_READERS, ok=404, params={"run_id": lambda _: 2**31 - 1}),
    ("GET", "/api/v1/batch-runs/{run_id}/results"): Rule(
        RUN_READERS, ok=404, params={"run_id": lambda _: 2**31 - 1}
    ),
    ("GET", "/api/v1/batch-runs/{run_id}/seed-pool"): Rule(
        RUN_READERS, ok=404, params={"run_id": lambda _: 2**31 - 1}
    ),
    ("GET", "/api/v1/batch-runs/{run_id}/dynamic-management"): Rule(
        RUN_READERS, ok=404, params={"run_id": lambda _: 2**31 - 1}
    ),
    # --- policy library and precise push (srdi.policy.router). Library reads: any logged-in user; drafts,
    # sandbox and publish: officials and administrators (a policy key that does not exist answers 404).
    ("GET", "/api/v1/policies"): Rule(ANY),
    ("GET", "/api/v1/policies/{policy_key}/versions"): Rule(
        ANY, params={"policy_key": lambda _: "dg_little_giant_doubling_pilot"}
    ),
    ("GET", "/api/v1/policy-versions/{version_id}"): Rule(
        ANY, ok=404, params={"version_id": lambda _: 2**31 - 1}
    ),
    ("POST", "/api/v1/policies/{policy_key}/drafts"): Rule(
        POLICY_MANAGERS, ok=404, params={"policy_key": lambda _: "no_such_policy"}, body=lambda _: {}
    ),
    ("POST", "/api/v1/policy-versions/{version_id}/sandbox"): Rule(
        POLICY_MANAGERS, ok=404, params={"version_id": lambda _: 2**31 - 1}, body=lambda _: {}
    ),
    ("POST", "/api/v1/policy-versions/{version_id}/publish"): Rule(
        POLICY_MANAGERS, ok=404, params={"version_id": lambda _: 2**31 - 1}
    ),
    ("GET", "/api/v1/enterprises/{enterprise_id}/policies"): Rule(READERS, target="enterprise"),
    ("GET", "/api/v1/policy-answer-keys"): Rule(ANY),
    ("GET", "/api/v1/enterprises/{enterprise_id}/policy-answers"): Rule(READERS, target="enterprise"),
    ("PUT", "/api/v1/enterprises/{enterprise_id}/policy-answers"): Rule(
        FIGURE_WRITERS,
        target="enterprise",
        body=lambda _: {"answers": [{"key": "state_space_rent_years", "fiscal_year": 0, "value": 3}]},
    ),
    # 待核验 (decision 0012-provenance): officials, administrators and commissioners, each in their region; an
    # enterprise never reaches the queue (it cannot vouch for its own claims).
    ("GET", "/api/v1/verification-requests"): Rule(VERIFIERS),
    ("POST", "/api/v1/verification-requests/{request_id}/verify"): Rule(
        VERIFIERS, ok=404, params={"request_id": lambda _: 2**31 - 1}, body=lambda _: {"note": "矩阵测试核验"}
    ),
    ("POST", "/api/v1/verification-requests/{request_id}/reject"): Rule(
        VERIFIERS, ok=404, params={"request_id": lambda _: 2**31 - 1}, body=lambda _: {"reason": "矩阵测试"}
    ),
    ("GET", "/api/v1/enterprises/{enterprise_id}/notifications"): Rule(READERS, target="enterprise"),
    ("GET", "/api/v1/notifications/mine"): Rule(ANY),
    ("POST", "/api/v1/notifications/{notification_id}/read"): Rule(
        ENTERPRISE_SELF, ok=404, params={"notification_id": lambda _: 2**31 - 1}
    ),
    # --- 免申即享 (srdi.auto_grant.router): runs, disbursement and publicity by officials; confirmation and
    # contests by the enterprise itself; the publicity list is readable by any logged-in user.
    ("GET", "/api/v1/grant-runs"): Rule(POLICY_MANAGERS),
    ("POST", "/api/v1/grant-runs"): Rule(
        POLICY_MANAGERS, ok=404, body=lambda _: {"policy_key": "no_such_policy"}
    ),
    ("GET", "/api/v1/grant-runs/{run_id}"): Rule(
        POLICY_MANAGERS, ok=404, params={"run_id": lambda _: 2**31 - 1}
    ),
    ("GET", "/api/v1/grant-runs/{run_id}/grants"): Rule(
        POLICY_MANAGERS, ok=404, params={"run_id": lambda _: 2**31 - 1}
    ),
    ("GET", "/api/v1/enterprises/{enterprise_id}/grants"): Rule(READERS, target="enterprise"),
    ("GET", "/api/v1/overdue-grants"): Rule(POLICY_MANAGERS),
    ("GET", "/api/v1/grants/{grant_id}"): Rule(READERS, ok=404, params={"grant_id": lambda _: 2**31 - 1}),
    ("POST", "/api/v1/grants/{grant_id}/consent"): Rule(
        ENTERPRISE_SELF,
        ok=404,
        params={"grant_id": lambda _: 2**31 - 1},
        body=lambda _: {
            "bank_name": "中国银行",
            "account_name": "矩阵企业",
            "bank_account": "6222000012345678",
        },
    ),
    ("POST", "/api/v1/grants/{grant_id}/decline"): Rule(
        ENTERPRISE_SELF, ok=404, params={"grant_id": lambda _: 2**31 - 1}, body=lambda _: {}
    ),
    ("POST", "/api/v1/enterprises/{enterprise_id}/contests"): Rule(
        ENTERPRISE_SELF,
        target="enterprise",
        ok=201,
        body=lambda _: {"policy_key": "dg_little_giant_doubling_pilot", "reason": "矩阵测试：对判定有异议"},
    ),
    ("GET", "/api/v1/contests"): Rule(READERS),
    ("POST", "/api/v1/contests/{contest_id}/resolve"): Rule(
        POLICY_MANAGERS,
        ok=404,
        params={"contest_id": lambda _: 2**31 - 1},
        body=lambda _: {"upheld": False, "response": "经核实判定无误"},
    ),
    ("POST", "/api/v1/disbursement-batches"): Rule(
        POLICY_MANAGERS, ok=404, body=lambda _: {"policy_key": "no_such_policy", "period": "2025"}
    ),
    ("GET", "/api/v1/disbursement-batches"): Rule(POLICY_MANAGERS),
    ("GET", "/api/v1/disbursement-batches/{batch_id}/export.csv"): Rule(
        POLICY_MANAGERS, ok=404, params={"batch_id": lambda _: 2**31 - 1}
    ),
    ("POST", "/api/v1/grant-publicity"): Rule(
        POLICY_MANAGERS, ok=404, body=lambda _: {"policy_key": "no_such_policy", "period": "2025"}
    ),
    ("GET", "/api/v1/grant-publicity/{policy_key}/{period}"): Rule(
        ANY,
        params={"policy_key": lambda _: "dg_srdi_award_auto_grant", "period": lambda _: "2025"},
    ),
    # --- matchmaking (srdi.matchmaking.router); an empty title is refused (422) once authorization passed
    ("POST", "/api/v1/match-needs"): Rule(
        LEADERS, ok=422, body=lambda _: {"kind": "supply_need", "title": "", "problem": ""}
    ),
    ("GET", "/api/v1/match-needs"): Rule(MATCH_USERS),
    ("GET", "/api/v1/match-needs/{need_id}"): Rule(MATCH_USERS, ok=404, params={"need_id": NO_OBJECT}),
    ("POST", "/api/v1/match-needs/{need_id}/transitions"): Rule(
        NEED_MANAGERS, ok=404, params={"need_id": NO_OBJECT}, body=lambda _: {"action": "approve"}
    ),
    ("GET", "/api/v1/match-needs/{need_id}/matches"): Rule(
        NEED_MANAGERS, ok=404, params={"need_id": NO_OBJECT}
    ),
    ("GET", "/api/v1/match-needs/{need_id}/bids"): Rule(NEED_MANAGERS, ok=404, params={"need_id": NO_OBJECT}),
    ("POST", "/api/v1/match-needs/{need_id}/bids"): Rule(
        ENTERPRISE_SELF,
        ok=404,
        params={"need_id": NO_OBJECT},
        body=lambda _: {"proposal": "矩阵测试揭榜方案内容"},
    ),
    ("GET", "/api/v1/match-bids"): Rule(ENTERPRISE_SELF),
    ("POST", "/api/v1/match-bids/{bid_id}/transitions"): Rule(
        ENTERPRISE_SELF, ok=404, params={"bid_id": NO_OBJECT}, body=lambda _: {"action": "select"}
    ),
    ("POST", "/api/v1/match-needs/{need_id}/milestones"): Rule(
        LEADERS, ok=404, params={"need_id": NO_OBJECT}, body=lambda _: {"title": "样机交付"}
    ),
    ("POST", "/api/v1/match-milestones/{milestone_id}/done"): Rule(
        LEADERS, ok=404, params={"milestone_id": NO_OBJECT}, body=lambda _: {}
    ),
    ("POST", "/api/v1/match-needs/{need_id}/contract"): Rule(
        LEADERS, ok=404, params={"need_id": NO_OBJECT}, body=lambda _: {"amount_yuan": "100000"}
    ),
    ("POST", "/api/v1/match-needs/{need_id}/contract/confirm"): Rule(
        ENTERPRISE_SELF, ok=404, params={"need_id": NO_OBJECT}
    ),
    ("POST", "/api/v1/match-needs/{need_id}/contract/verify"): Rule(
        frozenset({Role.admin}) | OFFICIALS, ok=404, params={"need_id": NO_OBJECT}
    ),
    ("GET", "/api/v1/match-recommendations"): Rule(ENTERPRISE_SELF),
    ("GET", "/api/v1/match-capabilities"): Rule(ENTERPRISE_SELF),
    ("GET", "/api/v1/match-capabilities/draft"): Rule(ENTERPRISE_SELF),
    ("POST", "/api/v1/match-capabilities"): Rule(ENTERPRISE_SELF, ok=422, body=lambda _: {"title": ""}),
    ("PUT", "/api/v1/match-capabilities/{capability_id}"): Rule(
        ENTERPRISE_SELF, ok=404, params={"capability_id": NO_OBJECT}, body=lambda _: {"title": "矩阵测试能力"}
    ),
    ("DELETE", "/api/v1/match-capabilities/{capability_id}"): Rule(
        ENTERPRISE_SELF, ok=404, params={"capability_id": NO_OBJECT}
    ),
    # --- events and talent needs (srdi.matchmaking.events_router); bodies refused (422) once authorization passed
    ("POST", "/api/v1/match-events"): Rule(
        EVENT_ORGANISERS,
        ok=422,
        body=lambda _: {
            "kind": "matchmaking",
            "title": "",
            "event_date": "2099-01-01",
            "place": "",
            "organiser": "",
        },
    ),
    ("GET", "/api/v1/match-events"): Rule(MATCH_USERS),
    ("GET", "/api/v1/match-events/{event_id}"): Rule(MATCH_USERS, ok=404, params={"event_id": NO_OBJECT}),
    ("POST", "/api/v1/match-events/{event_id}/transitions"): Rule(
        EVENT_ORGANISERS, ok=404, params={"event_id": NO_OBJECT}, body=lambda _: {"action": "hold"}
    ),
    ("POST", "/api/v1/match-events/{event_id}/registration"): Rule(
        ENTERPRISE_SELF, ok=404, params={"event_id": NO_OBJECT}, body=lambda _: {}
    ),
    ("DELETE", "/api/v1/match-events/{event_id}/registration"): Rule(
        ENTERPRISE_SELF, ok=404, params={"event_id": NO_OBJECT}
    ),
    ("POST", "/api/v1/match-events/{event_id}/attendance"): Rule(
        EVENT_ORGANISERS,
        ok=404,
        params={"event_id": NO_OBJECT},
        body=lambda _: {"attended_enterprise_ids": []},
    ),
    ("POST", "/api/v1/match-events/{event_id}/meetings"): Rule(
        EVENT_ORGANISERS, ok=404, params={"event_id": NO_OBJECT}, body=lambda _: {"enterprise_id": 1}
    ),
    ("GET", "/api/v1/match-meetings"): Rule(LEADERS),
    ("POST", "/api/v1/match-events/{event_id}/outcomes"): Rule(
        EVENT_ORGANISERS,
        ok=404,
        params={"event_id": NO_OBJECT},
        body=lambda _: {
            "seller_enterprise_id": 1,
            "title": "矩阵测试合同",
            "amount_wan": "10",
            "signed_on": "2026-01-01",
        },
    ),
    ("POST", "/api/v1/match-outcomes/{outcome_id}/confirm"): Rule(
        ENTERPRISE_SELF, ok=404, params={"outcome_id": NO_OBJECT}
    ),
    ("POST", "/api/v1/match-outcomes/{outcome_id}/verify"): Rule(
        frozenset({Role.admin}) | OFFICIALS, ok=404, params={"outcome_id": NO_OBJECT}
    ),
    ("POST", "/api/v1/match-talent"): Rule(
        ENTERPRISE_SELF, ok=422, body=lambda _: {"kind": "hiring", "post": "", "headcount": 1}
    ),
    ("GET", "/api/v1/match-talent"): Rule(MATCH_USERS),
    ("GET", "/api/v1/match-talent/{need_id}"): Rule(MATCH_USERS, ok=404, params={"need_id": NO_OBJECT}),
    ("POST", "/api/v1/match-talent/{need_id}/transitions"): Rule(
        MATCH_USERS, ok=404, params={"need_id": NO_OBJECT}, body=lambda _: {"action": "respond"}
    ),
    ("POST", "/api/v1/match-talent/{need_id}/outcomes"): Rule(
        MATCH_USERS,
        ok=404,
        params={"need_id": NO_OBJECT},
        body=lambda _: {"on_date": "2026-01-01", "hires": 1},
    ),
    ("GET", "/api/v1/match-figures"): Rule(frozenset({Role.admin}) | OFFICIALS),
    # --- appeals closed loop (srdi.appeal.router, srdi.casework.router, srdi.appeal.open311_router)
    ("GET", "/api/v1/appeal-departments"): Rule(ANY),
    ("PUT", "/api/v1/appeal-departments/{department_key}"): Rule(
        ADMIN, params={"department_key": lambda _: "matrix_unit"}, body=_department
    ),
    ("GET", "/api/v1/appeal-categories"): Rule(ANY),
    ("GET", "/api/v1/appeal-transitions"): Rule(ANY),
    ("POST", "/api/v1/appeals/route-suggestions"): Rule(
        APPEAL_USERS, writes=False, body=lambda _: {"text": "想申请贷款贴息", "region_code": "440305"}
    ),
    # The matrix posts an empty title: every admitted caller passes authorization, then gets 422 (the appeal
    # tests cover filing by each kind of caller).
    ("POST", "/api/v1/appeals"): Rule(
        APPEAL_FILERS, ok=422, body=lambda _: {"title": "", "content": "矩阵测试诉求内容"}
    ),
    ("GET", "/api/v1/appeals"): Rule(APPEAL_USERS),
    ("GET", "/api/v1/appeals/{appeal_id}"): Rule(APPEAL_USERS, ok=404, params={"appeal_id": NO_APPEAL}),
    ("POST", "/api/v1/appeals/{appeal_id}/transitions"): Rule(
        APPEAL_USERS, ok=404, params={"appeal_id": NO_APPEAL}, body=lambda _: {"action": "accept"}
    ),
    ("GET", "/api/v1/appeals/{appeal_id}/suggested-policies"): Rule(
        APPEAL_STAFF, ok=404, params={"appeal_id": NO_APPEAL}
    ),
    # Attachments: a multipart upload without its fields is 422 for every role that may upload; a missing file 404.
    ("POST", "/api/v1/appeal-attachments"): Rule(APPEAL_USERS, ok=422),
    ("GET", "/api/v1/appeal-attachments/{attachment_id}"): Rule(
        APPEAL_USERS, ok=404, params={"attachment_id": lambda _: 2**31 - 1}
    ),
    ("GET", "/api/v1/appeal-kpis"): Rule(MONITORS),
    ("GET", "/api/v1/appeal-notices"): Rule(APPEAL_STAFF),
    ("POST", "/api/v1/appeal-sweeps"): Rule(ADMIN),
    ("GET", "/api/v1/admin/calendar/{year}"): Rule(ADMIN, params={"year": lambda _: 2026}),
    ("PUT", "/api/v1/admin/calendar/{year}"): Rule(
        ADMIN,
        params={"year": lambda _: 2031},
        body=lambda _: {"days": [{"date": "2031-01-01", "is_off_day": True, "name": "元旦"}]},
    ),
    ("POST", "/api/v1/casework/assignments"): Rule(
        POLICY_MANAGERS,
        body=lambda w: {"commissioner_id": w.users[Role.service_commissioner].id, "basis": "district"},
    ),
    ("GET", "/api/v1/casework/worklist"): Rule(frozenset({Role.service_commissioner})),
    ("GET", "/api/v1/enterprises/{enterprise_id}/visits"): Rule(READERS, target="enterprise"),
    # Commissioners record visits to the enterprises assigned to them; the matrix's are not assigned (404).
    ("POST", "/api/v1/enterprises/{enterprise_id}/visits"): Rule(
        frozenset({Role.service_commissioner}),
        ok=404,
        params={"enterprise_id": lambda w: w.enterprises["own"].id},
        body=lambda _: {"visit_date": "2026-03-03", "notes": "走访了解企业融资需求"},
    ),
    # Open311 GeoReport v2: the catalogue is public; requests need an api_key (none here: 403 for everyone,
    # whatever session the caller has). tests/appeal/test_open311.py covers the keyed calls.
    ("GET", "/api/v1/open311/v2/services.{fmt}"): Rule(PUBLIC, params={"fmt": lambda _: "json"}),
    ("GET", "/api/v1/open311/v2/services/{service_code}.{fmt}"): Rule(
        PUBLIC, params={"fmt": lambda _: "json", "service_code": lambda _: "financing"}
    ),
    ("POST", "/api/v1/open311/v2/requests.{fmt}"): Rule(PUBLIC, ok=403, params={"fmt": lambda _: "json"}),
    ("GET", "/api/v1/open311/v2/requests.{fmt}"): Rule(PUBLIC, ok=403, params={"fmt": lambda _: "json"}),
    ("GET", "/api/v1/open311/v2/requests/{service_request_id}.{fmt}"): Rule(
        PUBLIC, ok=403, params={"fmt": lambda _: "json", "service_request_id": lambda _: 1}
    ),
    ("GET", "/api/v1/open311/v2/tokens/{token}.{fmt}"): Rule(
        PUBLIC, ok=403, params={"fmt": lambda _: "json", "token": lambda _: "abc123"}
    ),
    # --- applications and review (srdi.application.router)
    ("GET", "/api/v1/application-batches"): Rule(APPLICATION_USERS),
    ("POST", "/api/v1/application-batches"): Rule(BATCH_MANAGERS, ok=201, body=_batch),
    ("GET", "/api/v1/application-batches/{batch_id}/publicity"): Rule(
        APPLICATION_USERS, ok=404, params={"batch_id": NO_ID}
    ),
    ("POST", "/api/v1/application-batches/{batch_id}/announcement"): Rule(
        BATCH_MANAGERS, ok=404, params={"batch_id": NO_ID}, body=lambda _: {}
    ),
    ("GET", "/api/v1/applications"): Rule(APPLICATION_USERS),
    ("POST", "/api/v1/applications"): Rule(APPLICANTS, ok=404, body=lambda _: {"batch_id": 2**31 - 1}),
    ("GET", "/api/v1/applications/{application_id}"): Rule(
        APPLICATION_USERS, ok=404, params={"application_id": NO_ID}
    ),
    ("PATCH", "/api/v1/applications/{application_id}"): Rule(
        APPLICANTS, ok=404, params={"application_id": NO_ID}, body=lambda _: {"pledge_accepted": True}
    ),
    ("POST", "/api/v1/applications/{application_id}/submission"): Rule(
        APPLICANTS, ok=404, params={"application_id": NO_ID}
    ),
    ("POST", "/api/v1/applications/{application_id}/reviews"): Rule(
        APPLICATION_REVIEWERS,
        ok=404,
        params={"application_id": NO_ID},
        body=lambda _: {"action": "approve", "level": "district_review"},
    ),
    ("GET", "/api/v1/applications/{application_id}/comparison"): Rule(
        APPLICATION_REVIEWERS, ok=404, params={"application_id": NO_ID}
    ),
    ("POST", "/api/v1/applications/{application_id}/expert-assignments"): Rule(
        BATCH_MANAGERS, ok=404, params={"application_id": NO_ID}, body=lambda _: {}
    ),
    ("POST", "/api/v1/applications/{application_id}/objections"): Rule(
        PUBLICITY_OFFICIALS,
        ok=404,
        params={"application_id": NO_ID},
        body=lambda _: {"content": "矩阵测试异议"},
    ),
    ("POST", "/api/v1/application-objections/{objection_id}/answer"): Rule(
        PUBLICITY_OFFICIALS,
        ok=404,
        params={"objection_id": NO_ID},
        body=lambda _: {"upheld": False, "answer": "矩阵测试答复"},
    ),
    # The matrix sends no multipart body: every admitted caller passes authorization, then gets 422
    # (tests/application cover uploads).
    ("POST", "/api/v1/evidence-files"): Rule(APPLICANTS, ok=422),
    ("GET", "/api/v1/evidence-files/{file_id}"): Rule(APPLICATION_USERS, ok=404, params={"file_id": NO_ID}),
    ("DELETE", "/api/v1/evidence-files/{file_id}"): Rule(APPLICANTS, ok=404, params={"file_id": NO_ID}),
    ("GET", "/api/v1/experts"): Rule(BATCH_MANAGERS),
    ("POST", "/api/v1/experts"): Rule(
        BATCH_MANAGERS, ok=201, body=lambda _: {"name": "矩阵测试专家", "region_code": "440106"}
    ),
    ("GET", "/api/v1/expert/assignments"): Rule(EXPERTS),
    ("GET", "/api/v1/expert/assignments/{assignment_id}"): Rule(
        EXPERTS, ok=404, params={"assignment_id": NO_ID}
    ),
    ("PUT", "/api/v1/expert/assignments/{assignment_id}/scores"): Rule(
        EXPERTS, ok=404, params={"assignment_id": NO_ID}, body=lambda _: {"scores": {}}
    ),
    # --- 动态管理 (srdi.application.dynamic_router); tests/application/test_dynamic_management.py walks them
    ("GET", "/api/v1/annual-updates"): Rule(APPLICATION_USERS),
    ("POST", "/api/v1/annual-updates/generation"): Rule(
        APPLICATION_REVIEWERS, ok=201, body=lambda _: {"year": 2026}
    ),
    ("GET", "/api/v1/annual-updates/{task_id}"): Rule(APPLICATION_USERS, ok=404, params={"task_id": NO_ID}),
    ("POST", "/api/v1/annual-updates/{task_id}/submission"): Rule(
        APPLICANTS, ok=404, params={"task_id": NO_ID}, body=lambda _: {"figures": {"employees": 10}}
    ),
    ("POST", "/api/v1/annual-updates/{task_id}/acknowledgement"): Rule(
        APPLICATION_REVIEWERS, ok=404, params={"task_id": NO_ID}, body=lambda _: {}
    ),
    ("GET", "/api/v1/major-changes"): Rule(APPLICATION_USERS),
    ("POST", "/api/v1/major-changes"): Rule(
        APPLICANTS,
        ok=201,
        body=lambda _: {
            "kind": "rename",
            "change_date": "2026-01-10",
            "description": "矩阵测试更名",
            "new_name": "矩阵测试更名后有限公司",
        },
    ),
    ("POST", "/api/v1/major-changes/{report_id}/acknowledgement"): Rule(
        APPLICATION_REVIEWERS, ok=404, params={"report_id": NO_ID}, body=lambda _: {}
    ),
    ("GET", "/api/v1/re-review-candidates"): Rule(APPLICATION_REVIEWERS),
    ("GET", "/api/v1/revocation-kinds"): Rule(APPLICATION_REVIEWERS),
    ("POST", "/api/v1/recognitions/{recognition_id}/revocation"): Rule(
        BATCH_MANAGERS,
        ok=404,
        params={"recognition_id": NO_ID},
        body=lambda _: {"kind": "tax_violation", "reason": "矩阵测试"},
    ),
    ("GET", "/api/v1/enterprises/{enterprise_id}/recognitions/{recognition_id}/certificate.pdf"): Rule(
        READERS, target="enterprise", ok=404, params={"recognition_id": NO_ID}
    ),
    # --- financing (srdi.finance.router); tests/finance covers the successful walks and the 404s between banks
    ("GET", "/api/v1/finance/me"): Rule(FIN_USERS),
    ("GET", "/api/v1/finance/banks"): Rule(FIN_USERS),
    ("GET", "/api/v1/finance/whitelists"): Rule(FIN_LIST_READERS),
    ("POST", "/api/v1/finance/whitelists/{list_key}/runs"): Rule(
        FIN_MANAGERS,
        ok=404,
        params={"list_key": lambda _: "no_such_list"},
        body=lambda _: {"period": "2026Q4"},
    ),
    ("GET", "/api/v1/finance/whitelist-runs/{run_id}"): Rule(
        FIN_LIST_READERS, ok=404, params={"run_id": NO_OBJECT}
    ),
    ("POST", "/api/v1/finance/whitelist-runs/{run_id}/approval"): Rule(
        FIN_MANAGERS, ok=404, params={"run_id": NO_OBJECT}
    ),
    ("GET", "/api/v1/finance/whitelist-runs/{run_id}/export"): Rule(
        FIN_LIST_READERS, ok=404, params={"run_id": NO_OBJECT}
    ),
    ("GET", "/api/v1/finance/scorecard"): Rule(ANY),
    ("GET", "/api/v1/finance/enterprises/{enterprise_id}/credit-score"): Rule(
        FIN_SCORE_READERS, target="enterprise"
    ),
    ("GET", "/api/v1/finance/enterprises/{enterprise_id}/product-matches"): Rule(
        FIN_SCORE_READERS, target="enterprise"
    ),
    ("GET", "/api/v1/finance/product-fields"): Rule(FIN_USERS),
    ("GET", "/api/v1/finance/products"): Rule(FIN_USERS),
    # The matrix's bank account is linked to no bank: refused (422) before anything is stored.
    ("POST", "/api/v1/finance/products"): Rule(
        frozenset({Role.bank}),
        ok=422,
        body=lambda _: {
            "name": "矩阵测试产品",
            "amount_min": "100000",
            "amount_max": "1000000",
            "rate_min_percent": "3",
            "rate_max_percent": "4",
            "term_months_max": 12,
            "collateral": "none",
            "guarantee": "none",
            "eligibility": [{"field": "credit_score", "op": ">=", "value": "60"}],
        },
    ),
    ("GET", "/api/v1/finance/products/{product_id}"): Rule(
        FIN_USERS, ok=404, params={"product_id": NO_OBJECT}
    ),
    ("POST", "/api/v1/finance/products/{product_id}/review"): Rule(
        FIN_MANAGERS, ok=404, params={"product_id": NO_OBJECT}, body=lambda _: {"decision": "publish"}
    ),
    ("POST", "/api/v1/finance/requests"): Rule(
        ENTERPRISE_SELF,
        ok=404,
        body=lambda _: {
            "bank_ids": [2**31 - 1],
            "amount": "1000000",
            "purpose": "流动资金",
            "term_months": 12,
        },
    ),
    ("GET", "/api/v1/finance/requests"): Rule(FIN_USERS),
    ("GET", "/api/v1/finance/requests/{request_id}"): Rule(
        FIN_USERS, ok=404, params={"request_id": NO_OBJECT}
    ),
    ("POST", "/api/v1/finance/requests/{request_id}/transitions"): Rule(
        FIN_USERS, ok=404, params={"request_id": NO_OBJECT}, body=lambda _: {"action": "accept"}
    ),
    ("GET", "/api/v1/finance/figures"): Rule(FIN_USERS),
    ("GET", "/api/v1/finance/bank-accounts"): Rule(ADMIN),
    # No such user: refused (404) before anything changes; tests/finance/test_bank_accounts.py walks the link.
    ("PUT", "/api/v1/finance/bank-accounts/{user_id}"): Rule(
        ADMIN, ok=404, params={"user_id": NO_OBJECT}, body=lambda _: {"bank_id": None}
    ),
}
