"""legacy: drop redundant indexes, rename the equivalent ones

Revision ID: 20261201_090300_legacy_drop_redundant_indexes
Revises: 20261201_090200_legacy_resolve_rows
Create Date: 2026-12-01 09:03:00

Exact duplicates, left-prefix-redundant btrees and the full-text expression indexes over the
text search_vector are dropped before the table rewrites (which would rebuild them); an index
with exactly the definition of a target index is renamed to the target's name.
"""

from __future__ import annotations

from alembic import op

revision = "20261201_090300_legacy_drop_redundant_indexes"
down_revision = "20261201_090200_legacy_resolve_rows"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from musicdb.adopt import conversion

    conversion.run_step('drop_indexes')


def downgrade() -> None:
    from musicdb import adopt

    adopt.refuse_downgrade(op, revision)
