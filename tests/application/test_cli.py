"""``srdi applications``: the same rules and refusals as the API, acting as a named account."""

from __future__ import annotations

from contextlib import contextmanager

from typer.testing import CliRunner

from srdi.application import service
from srdi.application.enums import ReviewAction
from srdi.auth.enums import Role
from srdi.cli import app as cli
from tests.application import support
from tests.application.test_refusals import _submitted


def _in_test_session(monkeypatch, db) -> None:  # type: ignore[no-untyped-def]
    from srdi.db import session as db_session

    @contextmanager
    def scope():  # type: ignore[no-untyped-def]
        yield db
        db.flush()

    monkeypatch.setattr(db_session, "session_scope", scope)


def test_batch_assign_and_announce_from_the_command_line(db, make_user, monkeypatch, clock, evidence_dir):
    _in_test_session(monkeypatch, db)
    runner = CliRunner()
    make_user(Role.provincial_official, username="cli-province")
    make_user(Role.city_official, username="cli-city")
    args = ["applications", "batch", "--name", "命令行批次", "--region", "44", "--open", "2026-10-08"]
    r = runner.invoke(cli, [*args, "--close", "2026-11-30", "--as", "cli-city"])
    assert r.exit_code == 1 and "只能为本辖区开设申报批次" in r.output
    r = runner.invoke(cli, [*args, "--close", "2026-11-30", "--as", "cli-province"])
    assert r.exit_code == 0 and "已开设批次" in r.output, r.output

    app, _, _ = _submitted(db, make_user)
    admin = make_user(Role.admin)
    for level in ("district_review", "city_review"):
        service.review(db, admin, app.id, service.ReviewData(ReviewAction.approve, level))
    for i in range(3):
        support.expert(db, f"命令行专家{i}", "440106")
    r = runner.invoke(cli, ["applications", "assign", str(app.id), "--seed", "9", "--as", "cli-province"])
    assert r.exit_code == 0 and r.output.startswith("随机种子 9，抽中："), r.output
    r = runner.invoke(cli, ["applications", "announce", str(app.batch_id), "--as", "cli-province"])
    assert (r.exit_code, "本批次没有公示期满的申报，无法公告" in r.output) == (1, True), r.output
