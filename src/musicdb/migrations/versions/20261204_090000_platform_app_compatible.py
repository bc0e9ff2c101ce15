"""expand: the platform application's writes work (compatible head)

Revision ID: 20261204_090000_platform_app_compatible
Revises: 20261201_091000_merge_legacy_lineage
Create Date: 2026-12-04 09:00:00

The head ``musicdb migrate up`` reaches: the deployed Flask application (text ``search_vector``,
naive UTC timestamps, track sources without an id or shared across tracks) writes to it, and
musicdb's promises hold (full text on the generated, GIN-indexed ``search_document``, the
updated_at triggers, the checks, the JSONB and partial indexes, the concurrently refreshable view).
Details in :mod:`musicdb.migrate.compat`. No table is rewritten (tested on PostgreSQL 15 and 18:
same relfilenode, every instant kept): the timestamp columns change type under ``SET LOCAL TimeZone
= 'UTC'``, which PostgreSQL 12+ does in the catalog only. What costs time, under the locks of this
one transaction: the 8 btree indexes on timestamp columns are rebuilt (timestamptz_ops ->
timestamp_ops; two of them on user_interactions), the view is rebuilt (one aggregation of
user_interactions) and the track_sources index is built. Measured in benchmarks/expand.md.

The strict schema comes back with ``musicdb migrate contract`` (a history of its own, version
table ``musicdb_contract_version``): downgrading below this revision is refused while the
database is contracted.
"""

from __future__ import annotations

from alembic import op

revision = "20261204_090000_platform_app_compatible"
down_revision = "20261201_091000_merge_legacy_lineage"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from musicdb.migrate import compat

    compat.relax(op)


def downgrade() -> None:
    from musicdb.migrate import compat, contract

    contract.refuse_main_line_downgrade(op)
    compat.restrict(op)
