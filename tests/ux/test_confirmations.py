"""Issue 15.3: every writing API operation the front end calls is listed here as irreversible or not, and every
button that calls an irreversible one asks first through web/src/kit/confirm.ts (confirmIrreversible or
promptReason), in the same function, before the call.

A static scan of web/src: the writing operations are the ``api.POST/PUT/PATCH/DELETE("…")`` and
``rawFetch("…", { method })`` calls; each is reached through the exported function that holds it (``disburse``,
``publishGrants`` …) or written in a page directly. A new writing operation fails the first test until it is
classified below; an irreversible one fails the second until its every caller confirms."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

WEB = Path(__file__).resolve().parents[2] / "web" / "src"

# (method, path) → "confirm" (always asks), "by_action" (asks for the actions listed in BY_ACTION) or "plain".
OPERATIONS: dict[tuple[str, str], str] = {
    # administration
    ("POST", "/api/v1/admin/users"): "plain",
    ("POST", "/api/v1/admin/users/{user_id}/deactivate"): "confirm",
    ("POST", "/api/v1/admin/users/{user_id}/activate"): "plain",
    ("POST", "/api/v1/admin/users/{user_id}/reset-password"): "confirm",
    ("POST", "/api/v1/auth/password"): "plain",
    ("POST", "/api/v1/auth/login"): "plain",
    ("POST", "/api/v1/auth/logout"): "plain",
    ("PUT", "/api/v1/admin/calendar/{year}"): "confirm",
    # the registry
    ("PUT", "/api/v1/enterprises/{enterprise_id}/yearly-figures/{year}"): "plain",
    ("POST", "/api/v1/enterprises/{enterprise_id}/awards"): "plain",
    ("PUT", "/api/v1/enterprises/{enterprise_id}/awards/{award_id}"): "plain",
    ("DELETE", "/api/v1/enterprises/{enterprise_id}/awards/{award_id}"): "confirm",
    ("POST", "/api/v1/imports"): "plain",
    ("POST", "/api/v1/enterprises/{enterprise_id}/evaluations"): "plain",
    ("POST", "/api/v1/batch-runs"): "plain",
    # monitoring
    ("PUT", "/api/v1/monitoring/targets"): "plain",
    ("POST", "/api/v1/monitoring/reports"): "plain",
    # appeals: 不予受理 and 办结 end the appeal
    ("POST", "/api/v1/appeal-attachments"): "plain",
    ("POST", "/api/v1/appeals"): "plain",
    ("POST", "/api/v1/appeals/{appeal_id}/transitions"): "by_action",
    ("POST", "/api/v1/appeals/route-suggestions"): "plain",
    ("PUT", "/api/v1/appeal-departments/{department_key}"): "plain",
    # policies: 发布 replaces the version in force; 核验 decides what enterprises receive
    ("POST", "/api/v1/policies/{policy_key}/drafts"): "plain",
    ("POST", "/api/v1/policy-versions/{version_id}/sandbox"): "plain",
    ("POST", "/api/v1/policy-versions/{version_id}/publish"): "confirm",
    ("POST", "/api/v1/notifications/{notification_id}/read"): "plain",
    ("PUT", "/api/v1/enterprises/{enterprise_id}/policy-answers"): "plain",
    ("POST", "/api/v1/verification-requests/{request_id}/verify"): "confirm",
    ("POST", "/api/v1/verification-requests/{request_id}/reject"): "confirm",
    # financing
    ("POST", "/api/v1/finance/whitelists/{list_key}/runs"): "plain",
    ("POST", "/api/v1/finance/whitelist-runs/{run_id}/approval"): "confirm",
    ("POST", "/api/v1/finance/products"): "plain",
    ("POST", "/api/v1/finance/products/{product_id}/review"): "confirm",
    ("POST", "/api/v1/finance/requests"): "plain",
    ("POST", "/api/v1/finance/requests/{request_id}/transitions"): "by_action",
    # matchmaking
    ("POST", "/api/v1/match-needs"): "plain",
    ("POST", "/api/v1/match-needs/{need_id}/transitions"): "by_action",
    ("POST", "/api/v1/match-needs/{need_id}/bids"): "plain",
    ("POST", "/api/v1/match-bids/{bid_id}/transitions"): "by_action",
    ("POST", "/api/v1/match-needs/{need_id}/milestones"): "plain",
    ("POST", "/api/v1/match-milestones/{milestone_id}/done"): "confirm",
    ("POST", "/api/v1/match-capabilities"): "plain",
    ("DELETE", "/api/v1/match-capabilities/{capability_id}"): "confirm",
    ("POST", "/api/v1/match-needs/{need_id}/contract"): "plain",
    ("POST", "/api/v1/match-needs/{need_id}/contract/confirm"): "confirm",
    ("POST", "/api/v1/match-needs/{need_id}/contract/verify"): "confirm",
    # applications: 提交 locks the application; 审核 and 公告 decide it
    ("POST", "/api/v1/application-batches"): "plain",
    ("POST", "/api/v1/application-batches/{batch_id}/announcement"): "confirm",
    ("POST", "/api/v1/applications"): "plain",
    ("PATCH", "/api/v1/applications/{application_id}"): "plain",
    ("POST", "/api/v1/applications/{application_id}/submission"): "confirm",
    ("POST", "/api/v1/applications/{application_id}/reviews"): "confirm",
    ("POST", "/api/v1/applications/{application_id}/expert-assignments"): "plain",
    ("POST", "/api/v1/applications/{application_id}/objections"): "plain",
    ("POST", "/api/v1/application-objections/{objection_id}/answer"): "confirm",
    ("POST", "/api/v1/experts"): "plain",
    ("PUT", "/api/v1/expert/assignments/{assignment_id}/scores"): "plain",
    ("POST", "/api/v1/evidence-files"): "plain",
    ("POST", "/api/v1/self-test/assess"): "plain",
    # 免申即享: 拨付 and 公示归档 pay and publish; 确认/放弃 and 异议处理 decide a grant
    ("POST", "/api/v1/grant-runs"): "plain",
    # the consent dialog is itself the question: it names the amount and asks for the receiving account
    ("POST", "/api/v1/grants/{grant_id}/consent"): "plain",
    ("POST", "/api/v1/grants/{grant_id}/decline"): "confirm",
    ("POST", "/api/v1/enterprises/{enterprise_id}/contests"): "plain",
    ("POST", "/api/v1/contests/{contest_id}/resolve"): "confirm",
    ("POST", "/api/v1/disbursement-batches"): "confirm",
    ("POST", "/api/v1/grant-publicity"): "confirm",
    # 动态管理: 撤销认定 ends a title and may bar the enterprise for three years
    ("POST", "/api/v1/annual-updates/generation"): "plain",
    ("POST", "/api/v1/annual-updates/{task_id}/submission"): "plain",
    ("POST", "/api/v1/annual-updates/{task_id}/acknowledgement"): "plain",
    ("POST", "/api/v1/major-changes"): "plain",
    # confirming a 更名 report renames the registry entry: it asks first (other kinds only record the report)
    ("POST", "/api/v1/major-changes/{report_id}/acknowledgement"): "confirm",
    ("POST", "/api/v1/recognitions/{recognition_id}/revocation"): "confirm",
    # events and talent needs: 举办/取消 and confirming or verifying a contract count towards the targets
    ("POST", "/api/v1/match-events"): "plain",
    ("POST", "/api/v1/match-events/{event_id}/registration"): "plain",
    ("DELETE", "/api/v1/match-events/{event_id}/registration"): "plain",
    ("POST", "/api/v1/match-events/{event_id}/attendance"): "plain",
    ("POST", "/api/v1/match-events/{event_id}/meetings"): "plain",
    ("POST", "/api/v1/match-events/{event_id}/outcomes"): "plain",
    ("POST", "/api/v1/match-events/{event_id}/transitions"): "confirm",
    ("POST", "/api/v1/match-outcomes/{outcome_id}/confirm"): "confirm",
    ("POST", "/api/v1/match-outcomes/{outcome_id}/verify"): "confirm",
    ("POST", "/api/v1/match-talent"): "plain",
    ("POST", "/api/v1/match-talent/{need_id}/transitions"): "confirm",
    ("POST", "/api/v1/match-talent/{need_id}/outcomes"): "plain",
    # a bank account's bank can be changed again by the administrator
    ("PUT", "/api/v1/finance/bank-accounts/{user_id}"): "plain",
}

# The actions of a transition operation that cannot be taken back: the caller's IRREVERSIBLE map must name each.
BY_ACTION: dict[tuple[str, str], set[str]] = {
    ("POST", "/api/v1/appeals/{appeal_id}/transitions"): {"reject", "close"},
    ("POST", "/api/v1/finance/requests/{request_id}/transitions"): {"approve", "decline", "withdraw"},
    ("POST", "/api/v1/match-needs/{need_id}/transitions"): {
        "approve",
        "reject",
        "withdraw",
        "select",
        "fail",
    },
    ("POST", "/api/v1/match-bids/{bid_id}/transitions"): {"select", "decline", "withdraw"},
}

CONFIRM = re.compile(r"\b(?:confirmIrreversible|promptReason)\(")
WRITE = re.compile(
    r'\bapi\.(POST|PUT|PATCH|DELETE)\(\s*"([^"]+)"|\brawFetch\(\s*"([^"]+)",\s*\{\s*method:\s*"(\w+)"'
)
EXPORT = re.compile(r"^export (?:const|async function|function) (\w+)", re.M)
# Where a function starts: a declaration, an arrow assigned to a name, or an inline arrow in a template handler.
FUNCTION_START = re.compile(
    r"(?:async\s+)?function\s+\w+\s*\(|\b(?:const|let)\s+\w+\s*=\s*(?:async\s*)?\([^)]*\)\s*(?:=>|:)"
    r'|@\w+(?:\.\w+)*="'
)


def _sources() -> dict[Path, str]:
    files = [p for p in WEB.rglob("*") if p.suffix in {".ts", ".vue"} and p.name != "schema.d.ts"]
    return {p: p.read_text(encoding="utf-8") for p in files if not p.name.endswith(".test.ts")}


def _writes() -> dict[tuple[str, str], list[tuple[Path, str | None, int]]]:
    """(method, path) → where it is called: (file, the exported function that holds it or None, offset)."""
    found: dict[tuple[str, str], list[tuple[Path, str | None, int]]] = {}
    for path, text in _sources().items():
        exports = [(m.start(), m.group(1)) for m in EXPORT.finditer(text)]
        for m in WRITE.finditer(text):
            op = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3))
            holder = None
            if path.suffix == ".ts":
                before = [name for start, name in exports if start < m.start()]
                holder = before[-1] if before else None
            found.setdefault(op, []).append((path, holder, m.start()))
    return found


def _enclosing(text: str, offset: int) -> str:
    """The text from the start of the function that holds ``offset`` up to it."""
    starts = [m.start() for m in FUNCTION_START.finditer(text, 0, offset)]
    return text[starts[-1] : offset] if starts else text[:offset]


IMPORT = re.compile(r'import\s*(?:type\s*)?\{([^}]*)\}\s*from\s*"([^"]+)"')


def _imports(path: Path, text: str, name: str, defined_in: Path) -> bool:
    """Whether ``text`` (the file ``path``) imports ``name`` from the module ``defined_in``."""
    for m in IMPORT.finditer(text):
        names = {n.strip().split(" as ")[0] for n in m.group(1).split(",")}
        module = m.group(2)
        base = WEB / module[2:] if module.startswith("@/") else (path.parent / module).resolve()
        if name in names and base.with_suffix(defined_in.suffix) == defined_in:
            return True
    return False


def _callers(name: str, defined_in: Path) -> list[tuple[Path, int]]:
    call = re.compile(rf"(?<![\w.]){name}\(")
    sites: list[tuple[Path, int]] = []
    for path, text in _sources().items():
        if path != defined_in and not _imports(path, text, name, defined_in):
            continue
        for m in call.finditer(text):
            if path == defined_in and re.search(
                rf"export (?:const|async function|function) {name}\b", text[max(0, m.start() - 40) : m.end()]
            ):
                continue
            sites.append((path, m.start()))
    return sites


def test_every_writing_operation_the_front_end_calls_is_classified() -> None:
    found = set(_writes())
    assert found, "the scan found no writing call: its patterns no longer match web/src"
    assert sorted(found - set(OPERATIONS)) == [], "new writing operations: classify them in OPERATIONS"
    assert sorted(set(OPERATIONS) - found) == [], "operations the front end no longer calls: remove them"


def _call_sites(op: tuple[str, str]) -> list[tuple[Path, int]]:
    """Where a button reaches ``op``: the callers of the exported function that holds it, or the call itself."""
    sites: list[tuple[Path, int]] = []
    for path, holder, offset in _writes().get(op, []):
        if holder is None:
            sites.append((path, offset))
            continue
        callers = _callers(holder, path)
        assert callers, f"{holder} ({op[0]} {op[1]}) is exported but no page calls it"
        sites += callers
    return sites


@pytest.mark.parametrize("op", sorted(op for op, kind in OPERATIONS.items() if kind != "plain"), ids=" ".join)
def test_every_button_that_calls_an_irreversible_operation_asks_first(op: tuple[str, str]) -> None:
    sources = _sources()
    sites = _call_sites(op)
    assert sites, f"nothing calls {op}"
    covered: set[str] = set()
    for path, offset in sites:
        line = sources[path].count("\n", 0, offset) + 1
        body = _enclosing(sources[path], offset)
        assert CONFIRM.search(body), f"{path.relative_to(WEB)}:{line} calls {op[1]} without asking first"
        if OPERATIONS[op] == "by_action":
            tables = re.findall(r"const \w*IRREVERSIBLE\b[^=]*=\s*\{(.*?)\};", sources[path], re.S)
            assert tables, f"{path.relative_to(WEB)} has no IRREVERSIBLE map of the actions that ask first"
            for table in tables:
                covered |= set(re.findall(r"(?:^|[{,\s])(\w+)\s*:", table))
    if OPERATIONS[op] == "by_action":
        assert BY_ACTION[op] <= covered, f"{op[1]}: no caller asks before {sorted(BY_ACTION[op] - covered)}"


def test_the_scanner_finds_an_unconfirmed_call_and_accepts_a_confirmed_one() -> None:
    bare = "async function pay() {\n  const b = await disburse(key, period);\n}"
    asked = 'async function pay() {\n  if (!(await confirmIrreversible({ action: "拨付" }))) return;\n  await disburse(k, p);\n}'
    other = "async function a() { await confirmIrreversible({}); }\nasync function pay() { await disburse(k, p); }"
    for text, ok in ((bare, False), (asked, True), (other, False)):
        assert bool(CONFIRM.search(_enclosing(text, text.index("disburse(")))) is ok, text
