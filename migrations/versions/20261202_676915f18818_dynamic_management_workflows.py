"""dynamic management workflows: annual update tasks, major-change reports, revocations (issue 14.6)

Revision ID: 676915f18818
Revises: de72e46b9ce4
Create Date: 2026-12-02 13:23:13.355671
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "676915f18818"
down_revision: str | None = "de72e46b9ce4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "annual_update_task",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("region_code", sa.String(length=6), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("fiscal_year", sa.Integer(), nullable=False),
        sa.Column("regime", sa.String(length=40), nullable=False),
        sa.Column("deadline_date", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("tiers", sa.JSON(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("submitted_by", sa.String(length=100), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_by", sa.String(length=100), nullable=True),
        sa.Column("overdue_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprise.id"],
            name=op.f("fk_annual_update_task_enterprise_id_enterprise"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_annual_update_task")),
        sa.UniqueConstraint("enterprise_id", "year", name=op.f("uq_annual_update_task_enterprise_id_year")),
    )
    with op.batch_alter_table("annual_update_task", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_annual_update_task_deadline_date"), ["deadline_date"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_annual_update_task_enterprise_id"), ["enterprise_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_annual_update_task_region_code"), ["region_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_annual_update_task_status"), ["status"], unique=False)

    op.create_table(
        "major_change_report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("region_code", sa.String(length=6), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("change_date", sa.Date(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("reported_by", sa.String(length=100), nullable=False),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_by", sa.String(length=100), nullable=True),
        sa.Column("acknowledgement_note", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprise.id"],
            name=op.f("fk_major_change_report_enterprise_id_enterprise"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_major_change_report")),
    )
    with op.batch_alter_table("major_change_report", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_major_change_report_enterprise_id"), ["enterprise_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_major_change_report_region_code"), ["region_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_major_change_report_status"), ["status"], unique=False)

    op.create_table(
        "recognition_revocation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("recognition_id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("severity", sa.String(length=40), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("revoked_date", sa.Date(), nullable=False),
        sa.Column("ban_until", sa.Date(), nullable=True),
        sa.Column("recorded_by", sa.String(length=100), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprise.id"],
            name=op.f("fk_recognition_revocation_enterprise_id_enterprise"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recognition_id"],
            ["recognition.id"],
            name=op.f("fk_recognition_revocation_recognition_id_recognition"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recognition_revocation")),
        sa.UniqueConstraint("recognition_id", name=op.f("uq_recognition_revocation_recognition_id")),
    )
    with op.batch_alter_table("recognition_revocation", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_recognition_revocation_enterprise_id"), ["enterprise_id"], unique=False
        )


def downgrade() -> None:

    with op.batch_alter_table("recognition_revocation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_recognition_revocation_enterprise_id"))

    op.drop_table("recognition_revocation")
    with op.batch_alter_table("major_change_report", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_major_change_report_status"))
        batch_op.drop_index(batch_op.f("ix_major_change_report_region_code"))
        batch_op.drop_index(batch_op.f("ix_major_change_report_enterprise_id"))

    op.drop_table("major_change_report")
    with op.batch_alter_table("annual_update_task", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_annual_update_task_status"))
        batch_op.drop_index(batch_op.f("ix_annual_update_task_region_code"))
        batch_op.drop_index(batch_op.f("ix_annual_update_task_enterprise_id"))
        batch_op.drop_index(batch_op.f("ix_annual_update_task_deadline_date"))

    op.drop_table("annual_update_task")
