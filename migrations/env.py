"""Alembic environment: the URL comes from settings (or a connection handed in by the caller)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from srdi.config import get_settings
from srdi.db.session import make_engine
from srdi.model_registry import Base

target_metadata = Base.metadata


def _foreign_keys(connection: Connection, on: bool) -> None:
    """SQLite batch migrations rebuild a table by copy, drop and rename. With foreign keys on, dropping the old
    ``enterprise`` table would cascade and delete every row that refers to it, so they are off while migrating
    (SQLite ignores this PRAGMA inside a transaction; pysqlite opens none for it)."""
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")


def _check_foreign_keys(connection: Connection) -> None:
    if connection.dialect.name != "sqlite":
        return
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        raise RuntimeError(f"migration left rows that violate foreign keys: {broken[:5]}")


def _configure(connection: Connection) -> None:
    _foreign_keys(connection, on=False)
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
        _check_foreign_keys(connection)
    _foreign_keys(connection, on=True)


def run_migrations_offline() -> None:
    context.configure(url=get_settings().database_url, target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        return
    engine = make_engine(get_settings().database_url)
    with engine.connect() as conn:
        _configure(conn)
        conn.commit()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
