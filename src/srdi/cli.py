"""Operator command line ``srdi``. Every command's help is in Chinese and English."""

from __future__ import annotations

from typing import Any

import typer

from srdi.config import Settings, get_settings

app = typer.Typer(
    help="专精特新企业梯度培育平台 命令行工具 / SRDI Platform operator CLI",
    no_args_is_help=True,
    rich_markup_mode="rich",
)
db_app = typer.Typer(help="数据库管理 / Database management", no_args_is_help=True)
app.add_typer(db_app, name="db")

from srdi.auth.cli import users_app  # noqa: E402 — the users command group lives with its domain

app.add_typer(users_app, name="users")

from srdi.criteria.cli import evaluate as evaluate_command  # noqa: E402
from srdi.criteria.cli import rules_app  # noqa: E402

app.command("evaluate")(evaluate_command)
app.add_typer(rules_app, name="rules")


@db_app.command("upgrade")
def db_upgrade(revision: str = typer.Argument("head", help="目标版本 / target revision")) -> None:
    """执行数据库迁移到最新版本 / Apply Alembic migrations up to REVISION."""
    from srdi.db.migrate import upgrade

    upgrade(revision=revision)
    typer.echo(f"数据库已迁移到 {revision} / database upgraded to {revision}: {_safe_url()}")


@db_app.command("current")
def db_current() -> None:
    """显示数据库当前版本 / Show the database's current migration revision."""
    from alembic.runtime.migration import MigrationContext

    from srdi.db.migrate import current_heads
    from srdi.db.session import get_engine

    with get_engine().connect() as conn:
        rev = MigrationContext.configure(conn).get_current_revision()
    heads = current_heads()
    typer.echo(f"当前版本 current: {rev}；最新版本 head: {', '.join(heads)}")
    if rev not in heads:
        typer.echo("数据库不是最新版本，请运行 srdi db upgrade / database is behind: run `srdi db upgrade`")
        raise typer.Exit(1)


@app.command()
def serve(
    host: str = typer.Option(None, help="监听地址 / bind address (default SRDI_HOST)"),
    port: int = typer.Option(None, help="端口 / port (default SRDI_PORT)"),
    workers: int = typer.Option(None, help="工作进程数 / worker processes (default SRDI_WORKERS)"),
    reload: bool = typer.Option(False, help="代码改动时自动重启（开发用）/ auto-reload for development"),
) -> None:
    """启动 Web 服务（API 与网页界面）/ Start the web server (API and web UI)."""
    import uvicorn

    s = get_settings()
    s.check_production_safety()
    proxies = proxy_options(s)
    uvicorn.run(
        "srdi.main:create_app",
        factory=True,
        host=host or s.host,
        port=port or s.port,
        workers=workers or s.workers,
        reload=reload,
        log_level=s.log_level.lower(),
        proxy_headers=bool(proxies["proxy_headers"]),
        forwarded_allow_ips=proxies["forwarded_allow_ips"],
    )


@app.command()
def recover() -> None:
    """标记中断的导入与免申即享批次并清理残留上传文件（服务启动时也会执行）/ Mark interrupted jobs, sweep uploads."""
    from srdi.db.session import session_scope
    from srdi.recovery import recover as run_recovery

    with session_scope() as db:
        found = run_recovery(db)
    typer.echo(
        f"已中断的批次 runs: {found.runs or '无'}；已中断的导入 imports: {found.imports or '无'}；"
        f"清理上传文件 files removed: {len(found.files)}"
    )


def proxy_options(s: Settings) -> dict[str, Any]:
    """uvicorn's proxy settings from SRDI_TRUSTED_PROXIES. Left alone, uvicorn believes X-Forwarded-For from
    127.0.0.1 (STACK.md traps), so anyone behind loopback could pick their address: trust no one unless told."""
    proxies = [p.strip() for p in s.trusted_proxies.split(",") if p.strip()]
    if not proxies:
        return {"proxy_headers": False, "forwarded_allow_ips": ""}
    return {"proxy_headers": True, "forwarded_allow_ips": proxies}


from srdi.demo.cli import demo as _demo  # noqa: E402 — kept next to its registration

app.command("demo")(_demo)

from srdi.enterprise import io_cli as _io  # noqa: E402 — kept next to its registration

app.command("import")(_io.import_file)
app.command("export")(_io.export)
app.command("template")(_io.template)

from srdi.enterprise.award_cli import import_awards_file as _import_awards  # noqa: E402

app.command("import-awards")(_import_awards)

from srdi.auto_grant.cli import grant_app, policy_app  # noqa: E402 — kept next to its registration

app.add_typer(grant_app, name="grant")
app.add_typer(policy_app, name="policy")

from srdi.appeal.cli import appeals_app, calendar_app  # noqa: E402 — kept next to its registration

app.add_typer(appeals_app, name="appeals")
app.add_typer(calendar_app, name="calendar")

from srdi.finance.cli import finance_app  # noqa: E402 — kept next to its registration

app.add_typer(finance_app, name="finance")


@app.command("worker")
def worker(
    interval: int = typer.Option(
        None, help="间隔秒数 / seconds between sweeps (default SRDI_APPEAL_SWEEP_INTERVAL_SECONDS)"
    ),
) -> None:
    """运行时限监控：诉求提醒与督办、年度更新逾期 / Run the deadline sweepers (appeals, annual updates)."""
    from srdi.appeal.cli import run_worker
    from srdi.application.tasks import SCHEDULED_JOBS

    run_worker(interval, also=SCHEDULED_JOBS)


from srdi.application.cli import applications_app  # noqa: E402 — kept next to its registration

app.add_typer(applications_app, name="applications")
from srdi.monitoring.cli import monitoring_app, report_app  # noqa: E402 — kept next to its registration

app.add_typer(report_app, name="report")
app.add_typer(monitoring_app, name="monitoring")


def _safe_url() -> str:
    url = get_settings().database_url
    if "@" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://***@{rest.split('@', 1)[1]}"
    return url


def main() -> None:
    app()


if __name__ == "__main__":
    main()
