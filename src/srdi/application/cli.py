"""``srdi applications``: open a batch, draw experts (双随机), announce a batch (registered in ``srdi.cli``).

Each command acts as a named account (``--as``), so the scope checks, the timeline and the audit log are the
same as through the web UI.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

import typer

applications_app = typer.Typer(help="申报与审核 / Applications and review", no_args_is_help=True)
AS_USER = typer.Option(..., "--as", help="以哪个账号办理（用户名）/ act as this username")


@contextmanager
def _acting(username: str) -> Iterator[tuple[Any, Any]]:
    from srdi.auth.models import User
    from srdi.db.session import session_scope
    from srdi.kit.errors import AppError

    try:
        with session_scope() as db:
            user = db.query(User).filter(User.username == username, User.active.is_(True)).one_or_none()
            if user is None:
                typer.echo(f"没有名为 {username} 的有效账号 / no active account {username}", err=True)
                raise typer.Exit(2)
            yield db, user
    except AppError as exc:
        typer.echo(f"{exc.message_zh} / {exc.message_en}", err=True)
        raise typer.Exit(1) from exc


@applications_app.command("batch")
def batch_command(
    name: str = typer.Option(..., help="批次名称 / batch name"),
    tier: str = typer.Option("srdi_sme", help="称号 / tier"),
    region: str = typer.Option(..., help="受理范围代码（2/4/6 位）/ region prefix"),
    open_date: str = typer.Option(..., "--open", help="开始日期 YYYY-MM-DD"),
    close_date: str = typer.Option(..., "--close", help="截止日期 YYYY-MM-DD"),
    purpose: str = typer.Option("new_application", help="new_application | re_review"),
    username: str = AS_USER,
) -> None:
    """开设申报批次 / Open an application batch."""
    from srdi.application import service
    from srdi.auth.service import audit

    with _acting(username) as (db, user):
        b = service.create_batch(
            db,
            service.BatchData(
                name=name,
                tier=tier,
                purpose=purpose,
                region_code=region,
                open_date=date.fromisoformat(open_date),
                close_date=date.fromisoformat(close_date),
            ),
            user,
        )
        audit(
            db, user, "application.batch.create", ("application_batch", b.id), {"name": b.name, "via": "cli"}
        )
        typer.echo(f"已开设批次 {b.id}：{b.name}（{b.open_date} 至 {b.close_date}）/ batch {b.id} opened")


@applications_app.command("assign")
def assign_command(
    application_id: int = typer.Argument(..., help="申报编号 / application id"),
    seed: int = typer.Option(None, help="随机种子（可复现）/ seed"),
    count: int = typer.Option(None, min=1, max=15, help="人数 / experts to draw"),
    username: str = AS_USER,
) -> None:
    """双随机抽取评审专家 / Draw experts for an application at its expert step."""
    from srdi.application import service
    from srdi.auth.service import audit

    with _acting(username) as (db, user):
        rows = service.assign_experts(db, user, application_id, count=count, seed=seed)
        names = {e.id: e.name for e in service.experts(db)}
        audit(
            db, user, "application.assign_experts", ("application", application_id),
            {"experts": [r.expert_id for r in rows], "seed": rows[0].seed, "via": "cli"},
        )  # fmt: skip
        typer.echo(
            f"随机种子 {rows[0].seed}，抽中：{'、'.join(names[r.expert_id] for r in rows)} / seed {rows[0].seed}"
        )


@applications_app.command("announce")
def announce_command(
    batch_id: int = typer.Argument(..., help="批次编号 / batch id"),
    document_no: str = typer.Option(None, help="公告文号 / document number"),
    username: str = AS_USER,
) -> None:
    """公告认定：公示期满的申报生成认定记录 / Announce a batch (creates the recognition records)."""
    from srdi.application import service
    from srdi.auth.service import audit

    with _acting(username) as (db, user):
        apps = service.announce(db, user, batch_id, document_no)
        audit(
            db, user, "application.announce", ("application_batch", batch_id),
            {"applications": [a.id for a in apps], "document_no": document_no, "via": "cli"},
        )  # fmt: skip
        typer.echo(f"已公告 {len(apps)} 项申报 / {len(apps)} applications announced")


@applications_app.command("list")
def list_command(
    status: str = typer.Option(None, help="状态 / status"),
    username: str = AS_USER,
) -> None:
    """列出申报 / List applications the account may see."""
    from srdi.application import service
    from srdi.application.enums import ApplicationStatus

    with _acting(username) as (db, user):
        for a in service.list_for(db, user, status=status, awaiting_me=False):
            level = service.level_label(a.level) or ""
            typer.echo(
                f"{a.id:>6}  {ApplicationStatus(a.status).label:<5} {level:<6} {a.profile.get('name', '')}"
            )


@applications_app.command("annual-updates")
def annual_updates_command(
    year: int = typer.Option(..., help="更新年份（更新上一年度数据）/ year of the update"),
    username: str = AS_USER,
) -> None:
    """开启年度更新：为辖区内已认定企业生成任务 / Open the annual update tasks of a year."""
    from srdi.application import dynamic_service
    from srdi.auth.service import audit

    with _acting(username) as (db, user):
        rows = dynamic_service.open_annual_updates(db, user, year)
        audit(
            db, user, "dynamic.annual_update.open", None, {"year": year, "created": len(rows), "via": "cli"}
        )
        typer.echo(f"已生成 {len(rows)} 项年度更新任务 / {len(rows)} tasks opened")


@applications_app.command("dynamic-sweep")
def dynamic_sweep_command() -> None:
    """年度更新逾期检查（srdi serve 与 srdi worker 也定时执行）/ Mark overdue annual updates now."""
    from srdi.application.tasks import sweep_dynamic_once, sweep_expiry_once

    n = sweep_dynamic_once()
    typer.echo(f"逾期未更新 {n} 项 / {n} tasks overdue")
    m = sweep_expiry_once()
    typer.echo(f"认定到期处理 {m} 项（复核中或已过期）/ {m} recognitions at expiry")
