"""user_interactions partitioned by month of created_at

Revision ID: 20261204_100000_partition_user_interactions
Revises: 20261204_090000_platform_app_compatible
Create Date: 2026-12-04 10:00:00

The plain table becomes the partition ``user_interactions_legacy`` (everything before next
month) of a range-partitioned ``user_interactions``; next month and the three after it get their
own partitions, plus a default partition. Primary key ``(id, created_at)``. Short locks only:
see :mod:`musicdb.partitions.conversion` and docs/operations.md. Downgrade keeps every row.

Locks measured on a scale-1 database (1,000,000 interactions, PostgreSQL 15,
benchmarks/partitioning.py): ADD CONSTRAINT ... NOT VALID 1.5 ms (ACCESS EXCLUSIVE, catalog);
VALIDATE 177 ms and CREATE UNIQUE INDEX CONCURRENTLY 1.24 s (SHARE UPDATE EXCLUSIVE: reads and
writes go on); the swap 47 ms, 16 ms in a second run (ACCESS EXCLUSIVE on user_interactions:
the longest blocking lock); the materialized view built beside the old one in 4.1 s (no lock on
the old view), swapped in 6 ms (ACCESS EXCLUSIVE on the view).
Offline (``--sql``) it is one DO block (conversion.OFFLINE_SQL) with a plain index build.
"""

from __future__ import annotations

from alembic import op

revision = "20261204_100000_partition_user_interactions"
down_revision = "20261204_090000_platform_app_compatible"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from musicdb.adopt import live_connection
    from musicdb.partitions import conversion

    conn = live_connection(op)
    if conn is None:
        from musicdb.migrate import compat

        op.execute(conversion.OFFLINE_SQL)
        op.execute(f"DROP MATERIALIZED VIEW {compat.VIEW}")
        for stmt in (compat.VIEW_SQL, *compat.VIEW_INDEXES):
            op.execute(stmt)
        return
    conversion.partition(conn, op.get_context())


def downgrade() -> None:
    from musicdb.adopt import live_connection
    from musicdb.migrate import contract
    from musicdb.partitions import conversion

    contract.refuse_main_line_downgrade(op)
    conn = live_connection(op)
    if conn is None:
        op.execute("-- user_interactions is unpartitioned from the live catalog (run it online)")
        return
    conversion.unpartition(conn)
