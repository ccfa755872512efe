"""appeal rows keep a tenth of each page free, so the sweeper's updates are HOT (issue 13)

The overdue sweep changes only ``reminded`` and ``escalation_level``, which no index covers: with room on the
page PostgreSQL writes the new row version beside the old one (a heap-only tuple) and touches none of the
table's nine indexes. A full page (fillfactor 100, the default) sends it to another page and adds an entry to
every index — at 1,000,000 appeals that was most of the sweep's WAL. Only pages written from now on keep the
room; an existing installation gets it for its old rows after a table rewrite (``VACUUM FULL appeal`` or
pg_repack, at a quiet hour). Nothing to do on SQLite.

Revision ID: c4e8a1f0b7d3
Revises: 9a3c1e7d5b21
Create Date: 2026-12-02 17:20:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "c4e8a1f0b7d3"
down_revision: str | None = "9a3c1e7d5b21"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE appeal SET (fillfactor = 90)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE appeal RESET (fillfactor)")
