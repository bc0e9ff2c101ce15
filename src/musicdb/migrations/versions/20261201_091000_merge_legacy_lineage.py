"""merge the legacy lineage into the main line

Revision ID: 20261201_091000_merge_legacy_lineage
Revises: 20261128_090000_maintenance_log, 20261201_090900_legacy_create_indexes
Create Date: 2026-12-01 09:10:00

After the last step of the ``legacy`` branch an adopted database has exactly the schema of the
main line's second revision; this merge joins the two lines so that there is one head, and both
a fresh database and an adopted one reach it (a fresh one passes through the legacy branch
without changes). Nothing to do in either direction.
"""

from __future__ import annotations

revision = "20261201_091000_merge_legacy_lineage"
down_revision = ("20261128_090000_maintenance_log", "20261201_090900_legacy_create_indexes")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
