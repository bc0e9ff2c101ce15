"""legacy: updated_at function and triggers on exactly the 8 tables

Revision ID: 20261201_090100_legacy_updated_at_triggers
Revises: 20261201_090000_legacy_platform_adopted
Create Date: 2026-12-01 09:01:00

Drops the triggers on users, discovery_sessions and playlist_activities (no updated_at column:
every UPDATE on them failed), attaches the trigger to the three source tables, and replaces the
legacy triggers by the target's ``trg_<table>_updated_at``. First, so that the application's
failing UPDATEs work again as early as possible.
"""

from __future__ import annotations

from alembic import op

revision = "20261201_090100_legacy_updated_at_triggers"
down_revision = "20261201_090000_legacy_platform_adopted"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from musicdb.adopt import conversion

    conversion.run_step('triggers')


def downgrade() -> None:
    from musicdb import adopt

    adopt.refuse_downgrade(op, revision)
