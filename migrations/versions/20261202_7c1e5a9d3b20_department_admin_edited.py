"""appeals: department.admin_edited (the catalogue sync leaves administrators' edits alone) and the KPI
pre-aggregate appeal_kpi_aggregate (issue 13)

Revision ID: 7c1e5a9d3b20
Revises: a7f3c2d9e1b4
Create Date: 2026-12-02 14:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from srdi.db.base import UtcDateTime

revision: str = "7c1e5a9d3b20"
down_revision: str | None = "a7f3c2d9e1b4"
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


    op.create_table(
        "appeal_kpi_aggregate",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("region_code", sa.String(length=6), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=True),
        sa.Column("category_key", sa.String(length=60), nullable=False),
        sa.Column("submitted_month", sa.String(length=7), nullable=False),
        sa.Column("filed", sa.Integer(), nullable=False),
        sa.Column("rejected", sa.Integer(), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("on_time", sa.Integer(), nullable=False),
        sa.Column("rated", sa.Integer(), nullable=False),
        sa.Column("satisfied", sa.Integer(), nullable=False),
        sa.Column("handling_days", sa.Integer(), nullable=False),
        sa.Column("overdue_open", sa.Integer(), nullable=False),
        sa.Column("refreshed_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appeal_kpi_aggregate")),
    )
    with op.batch_alter_table("appeal_kpi_aggregate", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_appeal_kpi_aggregate_region_code"), ["region_code"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("appeal_kpi_aggregate", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_appeal_kpi_aggregate_region_code"))
    op.drop_table("appeal_kpi_aggregate")
    with op.batch_alter_table("department", schema=None) as batch_op:
        batch_op.drop_column("admin_edited")
