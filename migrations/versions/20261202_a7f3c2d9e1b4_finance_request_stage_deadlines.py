"""finance: the time limit of each financing-request stage (受理/审批, in working days) stamped on the request and
its events (issue 16)

Revision ID: a7f3c2d9e1b4
Revises: 038e97b83e54
Create Date: 2026-12-02 13:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from srdi.db.base import UtcDateTime

revision: str = "a7f3c2d9e1b4"
down_revision: str | None = "038e97b83e54"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("finance_request", schema=None) as batch_op:
        batch_op.add_column(sa.Column("due_at", UtcDateTime(timezone=True), nullable=True))
    with op.batch_alter_table("finance_request_event", schema=None) as batch_op:
        batch_op.add_column(sa.Column("due_at", UtcDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("finance_request_event", schema=None) as batch_op:
        batch_op.drop_column("due_at")
    with op.batch_alter_table("finance_request", schema=None) as batch_op:
        batch_op.drop_column("due_at")
