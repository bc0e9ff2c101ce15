"""legacy: columns of the catalogue and source tables

Revision ID: 20261201_090500_legacy_columns_catalogue
Revises: 20261201_090400_legacy_columns_accounts
Create Date: 2026-12-01 09:05:00

As the previous step for artists, albums and the three source tables; ``search_vector``
becomes the generated tsvector (the legacy text is kept in ``musicdb_adopt.changed_values``) and
``track_sources.source_id`` becomes NOT NULL (NULL rows that writers added since the rows step are
quarantined first, under the table lock).
"""

from __future__ import annotations

from alembic import op

revision = "20261201_090500_legacy_columns_catalogue"
down_revision = "20261201_090400_legacy_columns_accounts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from musicdb.adopt import conversion

    conversion.run_step('columns_catalogue')


def downgrade() -> None:
    from musicdb import adopt

    adopt.refuse_downgrade(op, revision)
