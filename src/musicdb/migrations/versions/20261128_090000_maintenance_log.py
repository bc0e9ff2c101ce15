"""maintenance_log: musicdb's record of maintenance runs

Revision ID: 20261128_090000_maintenance_log
Revises: 20250618_075149_add_performance_indexes
Create Date: 2026-11-28 09:00:00

One row per maintenance operation (``refresh``, ``vacuum``, ``vacuum_full``, ...) on one target,
with its timing, row count and outcome; ``health-check`` reads the latest successful refresh of
a view to judge its staleness.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "20261128_090000_maintenance_log"
down_revision = "20250618_075149_add_performance_indexes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "maintenance_log",
        sa.Column("id", sa.BigInteger, sa.Identity(always=False), nullable=False),
        sa.Column("operation", sa.String(32), nullable=False),
        sa.Column("target", sa.Text, nullable=False),
        sa.Column(
            "started_at",
            sa.DateTime(timezone=True),
            nullable=False,
            server_default=sa.text("now()"),
        ),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
        sa.Column("duration_ms", sa.Double()),
        sa.Column("rows", sa.BigInteger),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("error", sa.Text),
        sa.Column("details", JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_maintenance_log")),
        sa.CheckConstraint(
            "outcome IN ('ok', 'failed', 'skipped', 'timeout')",
            name=op.f("ck_maintenance_log_outcome"),
        ),
    )
    # "latest refresh of this view", "history of this table's vacuums"
    op.create_index(
        op.f("ix_maintenance_log_target_operation_started_at"),
        "maintenance_log",
        ["target", "operation", sa.text("started_at DESC")],
    )


def downgrade() -> None:
    op.drop_index(
        op.f("ix_maintenance_log_target_operation_started_at"), table_name="maintenance_log"
    )
    op.drop_table("maintenance_log")
