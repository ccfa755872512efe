"""appeals: department.admin_edited — the catalogue sync leaves administrators' edits alone (issue 13)

Revision ID: 7c1e5a9d3b20
Revises: 038e97b83e54
Create Date: 2026-12-02 14:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "7c1e5a9d3b20"
down_revision: str | None = "038e97b83e54"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("department", schema=None) as batch_op:
        batch_op.add_column(sa.Column("admin_edited", sa.Boolean(), server_default=sa.false(), nullable=False))
    # Units administrators saved before this column existed: the audit log has every save.
    op.execute(
        "UPDATE department SET admin_edited = true WHERE key IN "
        "(SELECT object_id FROM audit_log WHERE action = 'appeal.department.save')"
    )


def downgrade() -> None:
    with op.batch_alter_table("department", schema=None) as batch_op:
        batch_op.drop_column("admin_edited")
