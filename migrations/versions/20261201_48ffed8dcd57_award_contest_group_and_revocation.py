"""award contest group (创客中国 企业组/创客组) and recognition revocation date and reason

Revision ID: 48ffed8dcd57
Revises: 3b1ae6b5ebdf
Create Date: 2026-12-01 22:06:23.201736
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '48ffed8dcd57'
down_revision: str | None = '3b1ae6b5ebdf'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('award', schema=None) as batch_op:
        batch_op.add_column(sa.Column('contest_group', sa.String(length=40), nullable=True))

    with op.batch_alter_table('recognition', schema=None) as batch_op:
        batch_op.add_column(sa.Column('revoked_date', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('revocation_reason', sa.String(length=40), nullable=True))

    # Existing 创客中国 entries whose recorded name states the group get it; the others stay unknown (null), so a
    # direct route is never granted on a list whose group nobody recorded.
    op.execute(
        "UPDATE award SET contest_group = 'enterprise_group' "
        "WHERE kind = 'maker_china' AND name LIKE '%企业组%'"
    )
    op.execute(
        "UPDATE award SET contest_group = 'maker_group' "
        "WHERE kind = 'maker_china' AND name LIKE '%创客组%'"
    )


def downgrade() -> None:
    with op.batch_alter_table('recognition', schema=None) as batch_op:
        batch_op.drop_column('revocation_reason')
        batch_op.drop_column('revoked_date')

    with op.batch_alter_table('award', schema=None) as batch_op:
        batch_op.drop_column('contest_group')
