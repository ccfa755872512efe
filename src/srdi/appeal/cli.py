"""``srdi appeals``, ``srdi calendar`` and ``srdi worker`` (registered in ``srdi.cli``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

import typer

appeals_app = typer.Typer(help="诉求闭环 / Appeals closed loop", no_args_is_help=True)
calendar_app = typer.Typer(help="工作日历 / Working-day calendar", no_args_is_help=True)


@appeals_app.command("list")
def list_command(
    status: str = typer.Option(None, help="状态 / status (submitted, accepted, …)"),
    overdue: bool = typer.Option(False, help="只看超时 / overdue only"),
    limit: int = typer.Option(50, min=1, max=1000, help="条数 / rows"),
) -> None:
    """列出诉求 / List appeals (newest first)."""
    from srdi.appeal import service
    from srdi.appeal.enums import AppealStatus
    from srdi.db.session import session_scope

    with session_scope() as db:
        rows, total = service.list_visible(
            db,
            service.AppealScope(),
            page=1,
            page_size=limit,
            statuses=[AppealStatus(status).value] if status else None,
            overdue_at=service.now_utc() if overdue else None,
        )
        typer.echo(f"共 {total} 件 / {total} appeals")
        for a in rows:
            due = f"{a.due_at:%Y-%m-%d %H:%M}Z" if a.due_at else "-"
            typer.echo(f"{a.id:>8}  {AppealStatus(a.status).label:<5}  期限 {due:<18} {a.title}")


@appeals_app.command("sweep")
def sweep_command() -> None:
    """立即执行一次超时提醒与督办 / Run the overdue sweep now (idempotent)."""
    from srdi.appeal import tasks

    r = tasks.sweep_once()
    typer.echo(
        f"提醒 {r.reminded} 件，督办至单位负责人 {r.escalated_department} 件，督办至区县 {r.escalated_district} 件 / "
        f"{r.reminded} reminders, {r.escalated_department} + {r.escalated_district} escalations"
    )
    if r.skipped_years:
        typer.echo(f"缺少节假日数据的年份 / years without holiday data: {r.skipped_years}", err=True)
        raise typer.Exit(2)


@appeals_app.command("sweep-files")
def sweep_files_command() -> None:
    """删除无人引用的附件文件 / Remove attachment files no appeal refers to (older than an hour)."""
    from srdi.appeal import tasks

    n = tasks.sweep_orphan_files()
    typer.echo(f"已删除无人引用的附件文件 {n} 个 / {n} unreferenced attachment files removed")


@appeals_app.command("kpi")
def kpi_command(
    dimension: str = typer.Option("department", help="department | district | category | month"),
) -> None:
    """诉求办理指标 / Appeal KPIs (办结率, 按时办结率, 满意率, 平均办理工作日)."""
    from srdi.appeal import service
    from srdi.db.session import session_scope

    if dimension not in ("department", "district", "category", "month"):
        typer.echo("维度应为 department、district、category 或 month / bad dimension", err=True)
        raise typer.Exit(2)

    def pct(v: float | None) -> str:
        return "-" if v is None else f"{v * 100:.1f}%"

    with session_scope() as db:
        rows = service.kpis(db, service.AppealScope(), dimension)
    typer.echo("单位/维度\t总数\t办结率\t按时办结率\t满意率\t平均办理工作日")
    for r in rows:
        avg = "-" if r["avg_handling_working_days"] is None else f"{r['avg_handling_working_days']:.1f}"
        typer.echo(
            f"{r['label']}\t{r['filed']}\t{pct(r['closure_rate'])}\t{pct(r['on_time_rate'])}\t"
            f"{pct(r['satisfaction_rate'])}\t{avg}"
        )


@appeals_app.command("sync-catalogue")
def sync_command() -> None:
    """载入责任单位与诉求类别 / Load departments.yaml and categories.yaml into the database."""
    from srdi.appeal import service
    from srdi.db.session import session_scope

    with session_scope() as db:
        deps, cats = service.sync_catalogue(db)
    typer.echo(f"新增责任单位 {deps} 个、诉求类别 {cats} 个 / {deps} departments, {cats} categories added")


@appeals_app.command("open311-key")
def open311_key_command(
    username: str = typer.Argument(..., help="该密钥代表的用户 / the user the key acts as"),
    name: str = typer.Option("Open311 客户端", help="客户端名称 / client name"),
) -> None:
    """为 Open311 客户端签发 api_key / Issue an Open311 api_key for USERNAME (shown once)."""
    from srdi.appeal import open311_service
    from srdi.auth.service import get_user_by_username
    from srdi.db.session import session_scope

    with session_scope() as db:
        user = get_user_by_username(db, username)
        if user is None:
            typer.echo(f"用户 {username} 不存在 / no such user", err=True)
            raise typer.Exit(1)
        key = open311_service.create_key(db, user, name)
    typer.echo(key)


@calendar_app.command("check")
def calendar_check(day: str = typer.Argument(..., help="日期 YYYY-MM-DD / date")) -> None:
    """某日是否工作日 / Is DATE a working day (bundled data plus administrator-entered years)?"""
    from srdi.appeal import service
    from srdi.db.session import session_scope
    from srdi.kit.workdays import CalendarYearMissing

    try:
        d = date.fromisoformat(day)
    except ValueError:
        typer.echo(f"日期格式应为 YYYY-MM-DD：{day} / bad date", err=True)
        raise typer.Exit(2) from None
    with session_scope() as db:
        cal = service.calendar(db)
    try:
        working = cal.is_working_day(d)
    except CalendarYearMissing as exc:
        typer.echo(exc.message_zh, err=True)
        raise typer.Exit(1) from None
    name = cal.holiday_name(d)
    kind = "工作日" if working else "休息日"
    extra = f"（{name}{'调休上班' if working else '放假'}）" if name else ""
    typer.echo(f"{d.isoformat()} {kind}{extra} / {'working day' if working else 'day off'}")


def worker(
    interval: int = typer.Option(
        None, help="间隔秒数 / seconds between sweeps (default SRDI_APPEAL_SWEEP_INTERVAL_SECONDS)"
    ),
) -> None:
    """运行诉求时限监控（提醒与督办）/ Run the appeals time-limit sweeper in the foreground."""
    run_worker(interval)


def run_worker(interval: int | None, also: Sequence[Callable[[Any], object]] = ()) -> None:
    """The sweeper loop in the foreground; ``also``: other domains' sweeps wired in by ``srdi.cli``."""
    import logging

    from srdi.appeal.tasks import Sweeper
    from srdi.config import get_settings

    logging.basicConfig(level=get_settings().log_level)
    sweeper = Sweeper(interval or get_settings().appeal_sweep_interval_seconds, also=also)
    try:
        sweeper.run()
    except KeyboardInterrupt:
        sweeper.stop()
