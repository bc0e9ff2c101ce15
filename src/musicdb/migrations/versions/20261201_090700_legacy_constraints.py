"""legacy: constraint names, ON DELETE actions, new checks

Revision ID: 20261201_090700_legacy_constraints
Revises: 20261201_090600_legacy_columns_listening
Create Date: 2026-12-01 09:07:00

Constraints renamed to the naming convention; foreign keys replaced by ones with the target's
ON DELETE action and the vote_type / rating checks added, all ``NOT VALID`` (enforced for new
rows at once; the next step checks the existing rows without blocking writers).
"""

from __future__ import annotations

from alembic import op

revision = "20261201_090700_legacy_constraints"
down_revision = "20261201_090600_legacy_columns_listening"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from musicdb.adopt import conversion

    conversion.run_step('constraints')


def downgrade() -> None:
    from musicdb import adopt

    adopt.refuse_downgrade(op, revision)
