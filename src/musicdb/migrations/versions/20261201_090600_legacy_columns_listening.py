"""legacy: columns of tracks and user_interactions, the popularity view

Revision ID: 20261201_090600_legacy_columns_listening
Revises: 20261201_090500_legacy_columns_catalogue
Create Date: 2026-12-01 09:06:00

tracks and user_interactions (the big table), and ``mv_track_popularity`` dropped and rebuilt
in the same transaction with the target's definition (plays only) and its UNIQUE (track_id)
index, so readers of the view wait for the commit but never find it missing.
"""

from __future__ import annotations

from alembic import op

revision = "20261201_090600_legacy_columns_listening"
down_revision = "20261201_090500_legacy_columns_catalogue"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from musicdb.adopt import conversion

    conversion.run_step('columns_listening')


def downgrade() -> None:
    from musicdb import adopt

    adopt.refuse_downgrade(op, revision)
