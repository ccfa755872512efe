"""Models and migrations must agree (ARCHITECTURE convention 11): autogenerate finds nothing to add."""

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from srdi.db.migrate import current_heads
from srdi.model_registry import Base


def test_models_and_migrations_agree(engine):
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(ctx, Base.metadata)
    assert diff == []


def test_single_migration_head():
    assert len(current_heads()) == 1


def test_database_is_at_head(engine):
    with engine.connect() as conn:
        assert MigrationContext.configure(conn).get_current_revision() in current_heads()
