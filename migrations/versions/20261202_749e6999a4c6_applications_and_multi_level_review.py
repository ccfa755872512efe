"""applications and multi-level review

Revision ID: 749e6999a4c6
Revises: b3a7d1e4c9f2
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "749e6999a4c6"
down_revision: str | None = "b3a7d1e4c9f2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "application_batch",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("tier", sa.String(length=40), nullable=False),
        sa.Column("purpose", sa.String(length=40), nullable=False),
        sa.Column("region_code", sa.String(length=6), nullable=False),
        sa.Column("open_date", sa.Date(), nullable=False),
        sa.Column("close_date", sa.Date(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("announced_date", sa.Date(), nullable=True),
        sa.Column("announced_by", sa.String(length=100), nullable=True),
        sa.Column("document_no", sa.String(length=100), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_application_batch")),
        sa.UniqueConstraint("name", name=op.f("uq_application_batch_name")),
    )
    with op.batch_alter_table("application_batch", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_application_batch_region_code"), ["region_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_application_batch_tier"), ["tier"], unique=False)

    op.create_table(
        "application",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("region_code", sa.String(length=6), nullable=False),
        sa.Column("tier", sa.String(length=40), nullable=False),
        sa.Column("purpose", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=40), nullable=False),
        sa.Column("chain", sa.JSON(), nullable=False),
        sa.Column("level", sa.String(length=40), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("profile", sa.JSON(), nullable=False),
        sa.Column("as_of_date", sa.Date(), nullable=False),
        sa.Column("rule_set_id", sa.String(length=80), nullable=False),
        sa.Column("rule_set_hash", sa.String(length=80), nullable=False),
        sa.Column("self_status", sa.String(length=20), nullable=False),
        sa.Column("inputs_snapshot", sa.JSON(), nullable=False),
        sa.Column("trace", sa.JSON(), nullable=False),
        sa.Column("statement", sa.Text(), nullable=True),
        sa.Column("pledge_accepted", sa.Boolean(), nullable=False),
        sa.Column("pledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("correction_items", sa.JSON(), nullable=False),
        sa.Column("correction_due_date", sa.Date(), nullable=True),
        sa.Column("reject_reason", sa.Text(), nullable=True),
        sa.Column("expert_score", sa.Numeric(precision=8, scale=2), nullable=True),
        sa.Column("expert_aggregation", sa.String(length=20), nullable=True),
        sa.Column("expert_divergent", sa.Boolean(), nullable=True),
        sa.Column("publicity_start_date", sa.Date(), nullable=True),
        sa.Column("publicity_end_date", sa.Date(), nullable=True),
        sa.Column("publicity_paused", sa.Boolean(), nullable=False),
        sa.Column("recognition_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["application_batch.id"], name=op.f("fk_application_batch_id_application_batch")
        ),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprise.id"],
            name=op.f("fk_application_enterprise_id_enterprise"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recognition_id"],
            ["recognition.id"],
            name=op.f("fk_application_recognition_id_recognition"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_application")),
    )
    with op.batch_alter_table("application", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_application_batch_id"), ["batch_id"], unique=False)
        batch_op.create_index("ix_application_batch_status", ["batch_id", "status"], unique=False)
        batch_op.create_index("ix_application_enterprise_batch", ["enterprise_id", "batch_id"], unique=True)
        batch_op.create_index(batch_op.f("ix_application_enterprise_id"), ["enterprise_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_application_level"), ["level"], unique=False)
        batch_op.create_index(batch_op.f("ix_application_region_code"), ["region_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_application_status"), ["status"], unique=False)

    op.create_table(
        "expert",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("region_code", sa.String(length=6), nullable=False),
        sa.Column("declared_enterprise_ids", sa.JSON(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_expert_user_id_user_account"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_expert")),
        sa.UniqueConstraint("user_id", name=op.f("uq_expert_user_id")),
    )
    op.create_table(
        "application_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("level", sa.String(length=40), nullable=True),
        sa.Column("from_status", sa.String(length=40), nullable=True),
        sa.Column("to_status", sa.String(length=40), nullable=True),
        sa.Column("actor_user_id", sa.Integer(), nullable=True),
        sa.Column("actor_name", sa.String(length=100), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_user_id"],
            ["user_account.id"],
            name=op.f("fk_application_event_actor_user_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["application.id"],
            name=op.f("fk_application_event_application_id_application"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_application_event")),
    )
    with op.batch_alter_table("application_event", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_application_event_application_id"), ["application_id"], unique=False
        )

    op.create_table(
        "application_objection",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("received_date", sa.Date(), nullable=False),
        sa.Column("recorded_by", sa.String(length=100), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("answered_date", sa.Date(), nullable=True),
        sa.Column("answered_by", sa.String(length=100), nullable=True),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["application.id"],
            name=op.f("fk_application_objection_application_id_application"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_application_objection")),
    )
    with op.batch_alter_table("application_objection", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_application_objection_application_id"), ["application_id"], unique=False
        )

    op.create_table(
        "evidence_file",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.String(length=40), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("content_type", sa.String(length=60), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("uploaded_by", sa.String(length=100), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["application.id"],
            name=op.f("fk_evidence_file_application_id_application"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence_file")),
    )
    with op.batch_alter_table("evidence_file", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_evidence_file_application_id"), ["application_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_evidence_file_sha256"), ["sha256"], unique=False)

    op.create_table(
        "expert_assignment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("expert_id", sa.Integer(), nullable=False),
        sa.Column("seed", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("scores", sa.JSON(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("scored_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["application.id"],
            name=op.f("fk_expert_assignment_application_id_application"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["expert_id"], ["expert.id"], name=op.f("fk_expert_assignment_expert_id_expert")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_expert_assignment")),
        sa.UniqueConstraint(
            "application_id", "expert_id", name=op.f("uq_expert_assignment_application_id_expert_id")
        ),
    )
    with op.batch_alter_table("expert_assignment", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_expert_assignment_application_id"), ["application_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_expert_assignment_expert_id"), ["expert_id"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("expert_assignment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_expert_assignment_expert_id"))
        batch_op.drop_index(batch_op.f("ix_expert_assignment_application_id"))

    op.drop_table("expert_assignment")
    with op.batch_alter_table("evidence_file", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_evidence_file_sha256"))
        batch_op.drop_index(batch_op.f("ix_evidence_file_application_id"))

    op.drop_table("evidence_file")
    with op.batch_alter_table("application_objection", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_application_objection_application_id"))

    op.drop_table("application_objection")
    with op.batch_alter_table("application_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_application_event_application_id"))

    op.drop_table("application_event")
    op.drop_table("expert")
    with op.batch_alter_table("application", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_application_status"))
        batch_op.drop_index(batch_op.f("ix_application_region_code"))
        batch_op.drop_index(batch_op.f("ix_application_level"))
        batch_op.drop_index(batch_op.f("ix_application_enterprise_id"))
        batch_op.drop_index("ix_application_enterprise_batch")
        batch_op.drop_index("ix_application_batch_status")
        batch_op.drop_index(batch_op.f("ix_application_batch_id"))

    op.drop_table("application")
    with op.batch_alter_table("application_batch", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_application_batch_tier"))
        batch_op.drop_index(batch_op.f("ix_application_batch_region_code"))

    op.drop_table("application_batch")
