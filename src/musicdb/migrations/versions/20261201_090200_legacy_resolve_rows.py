"""legacy: quarantine or correct the rows the target constraints reject

Revision ID: 20261201_090200_legacy_resolve_rows
Revises: 20261201_090100_legacy_updated_at_triggers
Create Date: 2026-12-01 09:02:00

NULL ``track_sources.source_id`` rows (duplicates, singletons, and rows superseded by a row
with a source id), rows sharing ``(source_type, source_id)`` under different parents (the kept
row: active first, then most recently updated, then lowest id), votes outside {-1, 1}: moved
to ``musicdb_adopt.quarantine`` as JSON with the reason. Ratings outside 1..5 become NULL, the
old value kept in ``musicdb_adopt.changed_values``.
"""

from __future__ import annotations

from alembic import op

revision = "20261201_090200_legacy_resolve_rows"
down_revision = "20261201_090100_legacy_updated_at_triggers"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from musicdb.adopt import conversion

    conversion.run_step('rows')


def downgrade() -> None:
    from musicdb import adopt

    adopt.refuse_downgrade(op, revision)
