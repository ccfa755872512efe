"""Issue 15.3: a page of a long list is counted and cut in SQL (COUNT + LIMIT/OFFSET, the caller's scope a WHERE
clause) — it loads the rows it shows, not the whole list — and it holds exactly the rows the row-by-row scope
check would have shown."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from srdi.application import service as application_service
from srdi.application.enums import ApplicationStatus
from srdi.application.models import Application
from srdi.auth.enums import Role
from srdi.auto_grant.models import Contest
from srdi.criteria.models import BatchRun
from srdi.kit.pagination import page_rows
from tests.application.support import batch
from tests.application.support import enterprise as app_enterprise
from tests.auth_support import make_user
from tests.policy.factories import enterprise


@contextmanager
def loads(*models: type[Any]) -> Iterator[dict[str, Any]]:
    """How many rows of each model the ORM builds, and the SQL sent, while the block runs."""
    seen: dict[str, Any] = {m.__name__: 0 for m in models}
    seen["sql"] = []

    def counter(name: str):  # type: ignore[no-untyped-def]
        def on_load(target: object, context: object) -> None:
            seen[name] += 1

        return on_load

    hooks = [(m, counter(m.__name__)) for m in models]
    for m, fn in hooks:
        event.listen(m, "load", fn)

    def on_sql(conn, cursor, statement, params, context, executemany):  # type: ignore[no-untyped-def]
        seen["sql"].append(statement)

    event.listen(Engine, "before_cursor_execute", on_sql)
    try:
        yield seen
    finally:
        event.remove(Engine, "before_cursor_execute", on_sql)
        for m, fn in hooks:
            event.remove(m, "load", fn)


def test_page_rows_counts_in_sql_and_reads_one_page(db: Session) -> None:
    ent = enterprise(db, region="441900", name="分页测试企业")
    db.add_all(
        Contest(enterprise_id=ent.id, policy_key="k", reason="r", trace={}, created_by="t")
        for _ in range(120)
    )
    db.flush()
    db.expunge_all()

    with loads(Contest) as seen:
        rows, total = page_rows(db, select(Contest).order_by(Contest.id), 3, 25)
    assert (total, len(rows), seen["Contest"]) == (120, 25, 25)
    assert all(isinstance(r, Contest) for r in rows)
    assert any("count(" in s.lower() for s in seen["sql"])
    assert any("LIMIT" in s.upper() and "OFFSET" in s.upper() for s in seen["sql"])


def test_a_page_of_contests_loads_only_that_page_and_only_the_callers_region(db: Session, client_as) -> None:
    dg = enterprise(db, region="441900", name="东莞异议企业")
    sz = enterprise(db, region="440305", name="深圳异议企业")
    for ent, n in ((dg, 230), (sz, 40)):
        db.add_all(
            Contest(enterprise_id=ent.id, policy_key="k", reason="r", trace={}, created_by="t")
            for _ in range(n)
        )
    db.flush()
    db.expunge_all()
    official = client_as("city_official", region_code="4419")
    with loads(Contest) as seen:
        body = official.get("/api/v1/contests", params={"page": 2, "page_size": 20}).json()
    assert (body["total"], len(body["items"])) == (230, 20)
    assert {c["enterprise_name"] for c in body["items"]} == {"东莞异议企业"}
    assert seen["Contest"] == 20  # not 270: the scope and the page are in the SQL
    last = official.get("/api/v1/contests", params={"page": 12, "page_size": 20}).json()
    assert len(last["items"]) == 10


def test_batch_runs_past_the_old_fifty_row_cap_are_counted(db: Session, client_as) -> None:
    def run(prefix: str | None) -> BatchRun:
        return BatchRun(
            as_of_date=date(2025, 6, 30), purpose="new_application", region_prefix=prefix, actor="t"
        )

    db.add_all(
        [run("4419") for _ in range(70)] + [run("4403") for _ in range(30)] + [run(None) for _ in range(5)]
    )
    db.flush()
    db.expunge_all()
    official = client_as("city_official", region_code="4419")
    with loads(BatchRun) as seen:
        body = official.get("/api/v1/batch-runs", params={"page": 4, "page_size": 20}).json()
    assert (body["total"], len(body["items"]), seen["BatchRun"]) == (70, 10, 10)
    admin = client_as("admin")
    assert admin.get("/api/v1/batch-runs", params={"page_size": 1}).json()["total"] == 105


def test_applications_page_in_sql_equals_the_row_by_row_visibility_for_every_role(db: Session) -> None:
    """Differential: ``page_for`` (SQL) and ``list_for`` (``visible`` row by row) agree for every role."""
    batches = [batch(db) for _ in range(4)]
    ents = [app_enterprise(db, region=r) for r in ("440305", "440305", "441900", "500112")]
    statuses = [
        (ApplicationStatus.draft, None),
        (ApplicationStatus.in_review, "district_review"),
        (ApplicationStatus.in_review, "city_review"),
        (ApplicationStatus.in_review, "provincial_decision"),
    ]
    for e, (b, (st, level)) in itertools.product(ents, zip(batches, statuses, strict=True)):
        db.add(
            Application(
                batch_id=b.id,
                enterprise_id=e.id,
                region_code=e.region_code,
                tier="srdi_sme",
                purpose="new_application",
                status=st.value,
                level=level,
                as_of_date=date(2026, 10, 8),
                rule_set_id="x",
                rule_set_hash="x",
                self_status="pass",
            )
        )
    db.flush()
    users = [
        make_user(db, Role.admin),
        make_user(db, Role.provincial_official, region_code="44"),
        make_user(db, Role.city_official, region_code="4403"),
        make_user(db, Role.district_official, region_code="440305"),
        make_user(db, Role.district_official, region_code="500112"),
        make_user(db, Role.enterprise, enterprise_id=ents[0].id),
        make_user(db, Role.expert),
        make_user(db, Role.bank),
    ]
    for user, awaiting in itertools.product(users, (False, True)):
        for status in (None, ApplicationStatus.in_review.value, ApplicationStatus.draft.value):
            want = [a.id for a in application_service.list_for(db, user, status=status, awaiting_me=awaiting)]
            got, total = application_service.page_for(
                db, user, status=status, awaiting_me=awaiting, page=1, page_size=200
            )
            assert ([a.id for a in got], total) == (want, len(want)), (user.role, user.region_code, awaiting)
        assert application_service.page_for(db, user, status=None, awaiting_me=False, page=2, page_size=3)[
            1
        ] == len(application_service.list_for(db, user, status=None, awaiting_me=False))
