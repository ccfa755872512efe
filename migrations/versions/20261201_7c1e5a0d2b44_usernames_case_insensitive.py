"""usernames case-insensitive: stored NFKC, trimmed, lower-case

Revision ID: 7c1e5a0d2b44
Revises: adefd45e9f7f
Create Date: 2026-12-01 22:30:00

``thr4`` and ``Thr4`` were two accounts (issue 8). Logins and account creation now normalise the name
(srdi.auth.repository.normalize_username); this revision brings the stored names to that form. Two accounts
that differ only in case cannot be merged automatically (each has its own password and scope): the upgrade stops
and names them, so an administrator renames one first.
"""

import unicodedata
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '7c1e5a0d2b44'
down_revision: str | None = 'adefd45e9f7f'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

users = sa.table('user_account', sa.column('id', sa.Integer), sa.column('username', sa.String))


def _normal(name: str) -> str:
    # The same as srdi.auth.repository.normalize_username (a migration never imports application code).
    return unicodedata.normalize('NFKC', name).strip().lower()


def upgrade() -> None:
    conn = op.get_bind()
    rows = conn.execute(sa.select(users.c.id, users.c.username)).all()
    seen: dict[str, str] = {}
    clashes = []
    for _id, name in rows:
        key = _normal(name)
        if key in seen:
            clashes.append(f'{seen[key]!r} / {name!r}')
        seen[key] = name
    if clashes:
        raise RuntimeError(
            '用户名仅大小写不同的账号须先改名 / accounts differing only in case must be renamed first: '
            + ', '.join(clashes)
        )
    for id_, name in rows:
        if _normal(name) != name:
            conn.execute(sa.update(users).where(users.c.id == id_).values(username=_normal(name)))


def downgrade() -> None:
    # The original case is not kept: the normalised names stay valid under the previous code.
    pass
