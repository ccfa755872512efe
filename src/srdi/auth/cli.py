"""``srdi users …``: manage accounts from the command line (registered in ``srdi.cli``)."""

from __future__ import annotations

import typer

from srdi.auth.enums import Role

users_app = typer.Typer(help="用户与账号管理 / User accounts", no_args_is_help=True)

ROLE_HELP = "角色 / role: " + ", ".join(f"{r.value}（{r.label}）" for r in Role)


def _password(value: str | None, stdin: bool) -> str:
    if stdin:
        import sys

        return sys.stdin.readline().rstrip("\n")
    if value:
        return value
    return str(typer.prompt("密码 / password", hide_input=True, confirmation_prompt=True))


def _fail(exc: Exception) -> None:
    from srdi.kit.errors import AppError

    if isinstance(exc, AppError):
        typer.echo(f"错误 / error: {exc.message_zh} / {exc.message_en}", err=True)
        raise typer.Exit(1) from exc
    raise exc


@users_app.command("create")
def create(
    username: str = typer.Argument(..., help="用户名 / username"),
    role: Role = typer.Option(..., "--role", help=ROLE_HELP),
    display_name: str = typer.Option(None, "--name", help="显示名称 / display name (default: username)"),
    region: str = typer.Option(
        None, "--region", help="管辖区划代码：区县6位、市4位、省2位 / region_code prefix for officials"
    ),
    enterprise_id: int = typer.Option(None, "--enterprise-id", help="所属企业编号 / enterprise id"),
    department: str = typer.Option(None, "--department", help="所属责任单位 / department"),
    password: str = typer.Option(
        None, "--password", help="密码（不填则提示输入）/ password (prompted when omitted)"
    ),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="从标准输入读密码 / read from stdin"),
) -> None:
    """新建用户 / Create a user account."""
    from srdi.auth import service
    from srdi.config import get_settings
    from srdi.db.session import session_scope

    secret = _password(password, password_stdin)
    try:
        with session_scope() as db:
            user = service.create_user(
                db,
                service.UserData(
                    username=username,
                    display_name=display_name or username,
                    role=role,
                    password=secret,
                    region_code=region,
                    enterprise_id=enterprise_id,
                    department=department,
                ),
                get_settings(),
                actor=None,
            )
            typer.echo(f"已创建用户 / created: {user.username}（{role.label}）id={user.id}")
    except Exception as exc:
        _fail(exc)


@users_app.command("list")
def list_users(
    role: Role = typer.Option(None, "--role", help=ROLE_HELP),
    include_inactive: bool = typer.Option(False, "--all", help="包括已停用 / include deactivated accounts"),
) -> None:
    """列出用户 / List user accounts."""
    from rich.console import Console
    from rich.table import Table

    from srdi.auth import repository, service
    from srdi.db.session import session_scope

    table = Table("id", "用户名 username", "角色 role", "范围 scope", "状态 status", "最近登录 last login")
    with session_scope() as db:
        users, _ = repository.list_users(
            db, role=role.value if role else None, active=None if include_inactive else True, page_size=10_000
        )
        for u in users:
            scope = (
                service.scope_label(u)
                or u.department
                or (f"企业 {u.enterprise_id}" if u.enterprise_id else "")
            )
            table.add_row(
                str(u.id),
                u.username + ("（演示）" if u.is_demo else ""),
                Role(u.role).label,
                scope,
                "启用" if u.active else "停用",
                u.last_login_at.strftime("%Y-%m-%d %H:%M") if u.last_login_at else "",
            )
    Console().print(table)


@users_app.command("reset-password")
def reset_password(
    username: str = typer.Argument(..., help="用户名 / username"),
    password: str = typer.Option(None, "--password", help="新密码（不填则提示输入）/ new password"),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="从标准输入读密码 / read from stdin"),
) -> None:
    """重置密码并使其所有会话失效 / Set a new password and end all of the user's sessions."""
    from srdi.auth import repository, service
    from srdi.config import get_settings
    from srdi.db.session import session_scope

    secret = _password(password, password_stdin)
    try:
        with session_scope() as db:
            user = repository.get_user_by_username(db, username)
            if user is None:
                typer.echo(f"用户不存在 / no such user: {username}", err=True)
                raise typer.Exit(1)
            service.reset_password(db, user, secret, get_settings(), actor=None)
            typer.echo(f"已重置密码 / password reset: {username}")
    except typer.Exit:
        raise
    except Exception as exc:
        _fail(exc)


def _set_active(username: str, active: bool) -> None:
    from srdi.auth import repository, service
    from srdi.db.session import session_scope

    with session_scope() as db:
        user = repository.get_user_by_username(db, username)
        if user is None:
            typer.echo(f"用户不存在 / no such user: {username}", err=True)
            raise typer.Exit(1)
        service.set_active(db, user, active, actor=None)
    typer.echo(f"{'已启用 / activated' if active else '已停用 / deactivated'}: {username}")


@users_app.command("deactivate")
def deactivate(username: str = typer.Argument(..., help="用户名 / username")) -> None:
    """停用用户（会话立即失效）/ Deactivate a user; their sessions end at once."""
    _set_active(username, False)


@users_app.command("activate")
def activate(username: str = typer.Argument(..., help="用户名 / username")) -> None:
    """启用用户 / Re-activate a user."""
    _set_active(username, True)


@users_app.command("create-demo")
def create_demo() -> None:
    """创建演示账号（每个角色一个，仅演示模式）/ Create one demo account per role (demo mode only)."""
    from srdi.auth.demo import create_demo_accounts
    from srdi.config import get_settings
    from srdi.db.session import session_scope

    settings = get_settings()
    try:
        with session_scope() as db:
            accounts = create_demo_accounts(db, settings)
            for user, created in accounts:
                typer.echo(
                    f"{'新建 created' if created else '已有 exists '}  {user.username:<20} {Role(user.role).label}"
                )
    except Exception as exc:
        _fail(exc)
    typer.echo(f"演示密码 / demo password: {settings.demo_password}")
