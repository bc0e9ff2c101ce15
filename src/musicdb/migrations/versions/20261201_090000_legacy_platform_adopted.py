"""legacy: the hand-built platform database, adopted

Revision ID: 20261201_090000_legacy_platform_adopted
Revises: 20250618_075149_add_performance_indexes
Create Date: 2026-12-01 09:00:00

The start of the ``legacy`` branch. The platform's production database was built by hand and
stamped ``20250618_075149_add_performance_indexes`` without being built by the first two
revisions: its layout differs from theirs (docs/migration-guide.md). ``musicdb migrate adopt``
checks the layout in the catalog (it never trusts the stamp) and re-stamps such a database here; the
revisions of this branch then convert it, one step per transaction, onto exactly the schema the
main line builds, and the merge revision joins the two lines.

A database built by the main line passes through this branch too (Alembic applies every
ancestor of the head): there the steps find nothing registered by adopt and change nothing.
This revision's upgrade only runs on such databases (adopt stamps it, never runs it); it
refuses a database that still has the legacy layout, which must be adopted first.
"""

from __future__ import annotations

from alembic import op

revision = "20261201_090000_legacy_platform_adopted"
down_revision = "20250618_075149_add_performance_indexes"
branch_labels = ("legacy",)
depends_on = None


def upgrade() -> None:
    from musicdb import adopt

    adopt.refuse_unadopted_legacy(op)


def downgrade() -> None:
    pass
