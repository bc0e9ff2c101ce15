"""legacy: columns of the user and playlist tables

Revision ID: 20261201_090400_legacy_columns_accounts
Revises: 20261201_090300_legacy_drop_redundant_indexes
Create Date: 2026-12-01 09:04:00

serial ids become identity columns (bigint on the event tables; each sequence's position is
carried over), timestamps become timestamptz read as UTC (``AT TIME ZONE 'UTC'``, whatever the
session's TimeZone), NULLs in columns the target makes NOT NULL take the column default (each
recorded in ``musicdb_adopt.changed_values``), server defaults are set. One rewrite per table.
"""

from __future__ import annotations

from alembic import op

revision = "20261201_090400_legacy_columns_accounts"
down_revision = "20261201_090300_legacy_drop_redundant_indexes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from musicdb.adopt import conversion

    conversion.run_step('columns_accounts')


def downgrade() -> None:
    from musicdb import adopt

    adopt.refuse_downgrade(op, revision)
