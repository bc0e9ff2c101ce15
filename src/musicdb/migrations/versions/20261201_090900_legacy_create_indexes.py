"""legacy: create the missing indexes and unique constraints

Revision ID: 20261201_090900_legacy_create_indexes
Revises: 20261201_090800_legacy_validate_constraints
Create Date: 2026-12-01 09:09:00

Runs outside a transaction: on tables of ``MUSICDB_CONCURRENT_INDEX_MIN_ROWS`` (default 100000)
estimated rows or more each index is built ``CONCURRENTLY``; smaller ones are built plainly, each
in its own short transaction. A failure drops the indexes this run started (an interrupted run
leaves at most an INVALID index, which the next run drops and rebuilds). The new unique
constraints (source tables' (source_type, source_id), the deferrable playlist position) are
attached to their freshly built index with ``ADD CONSTRAINT ... USING INDEX``.
"""

from __future__ import annotations

from alembic import op

revision = "20261201_090900_legacy_create_indexes"
down_revision = "20261201_090800_legacy_validate_constraints"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from musicdb.adopt import conversion

    conversion.run_step('create_indexes')


def downgrade() -> None:
    from musicdb import adopt

    adopt.refuse_downgrade(op, revision)
