"""legacy: validate the new foreign keys and checks

Revision ID: 20261201_090800_legacy_validate_constraints
Revises: 20261201_090700_legacy_constraints
Create Date: 2026-12-01 09:08:00

``VALIDATE CONSTRAINT`` takes SHARE UPDATE EXCLUSIVE: reads and writes go on meanwhile.
"""

from __future__ import annotations

from alembic import op

revision = "20261201_090800_legacy_validate_constraints"
down_revision = "20261201_090700_legacy_constraints"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from musicdb.adopt import conversion

    conversion.run_step('validate')


def downgrade() -> None:
    from musicdb import adopt

    adopt.refuse_downgrade(op, revision)
