"""deadline reminders to experts (a user's inbox), rename reports, scheduled runs (issue 14)

Revision ID: 9a3c1e7d5b21
Revises: 676915f18818
Create Date: 2026-12-02 17:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "9a3c1e7d5b21"
down_revision: str | None = "676915f18818"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.add_column(sa.Column("user_id", sa.Integer(), nullable=True))
        batch_op.alter_column("enterprise_id", existing_type=sa.Integer(), nullable=True)
        batch_op.create_index(batch_op.f("ix_notification_user_id"), ["user_id"], unique=False)
        batch_op.create_foreign_key(
            "fk_notification_user_id_user_account", "user_account", ["user_id"], ["id"], ondelete="CASCADE"
        )
        batch_op.create_unique_constraint("uq_notification_user_id_dedupe_key", ["user_id", "dedupe_key"])
    with op.batch_alter_table("major_change_report", schema=None) as batch_op:
        batch_op.add_column(sa.Column("old_name", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("new_name", sa.String(length=200), nullable=True))
    op.create_table(
        "scheduled_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("job", sa.String(length=60), nullable=False),
        sa.Column("run_key", sa.String(length=60), nullable=False),
        sa.Column("ran_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("result", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scheduled_run")),
        sa.UniqueConstraint("job", "run_key", name=op.f("uq_scheduled_run_job_run_key")),
    )


def downgrade() -> None:
    op.drop_table("scheduled_run")
    with op.batch_alter_table("major_change_report", schema=None) as batch_op:
        batch_op.drop_column("new_name")
        batch_op.drop_column("old_name")
    op.execute("DELETE FROM notification WHERE enterprise_id IS NULL")
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.drop_constraint("uq_notification_user_id_dedupe_key", type_="unique")
        batch_op.drop_constraint("fk_notification_user_id_user_account", type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_notification_user_id"))
        batch_op.alter_column("enterprise_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column("user_id")
