"""contract: the strict schema of docs/schema.md, once the application no longer needs the expand

Revision ID: 20261204_091000_contract_strict
Revises:
Create Date: 2026-12-04 09:10:00

Run by ``musicdb migrate contract`` only (never by ``migrate up`` nor ``flask db upgrade``),
on a database at the compatible head ``20261204_090000_platform_app_compatible`` or later:
``search_vector`` is the generated tsvector again (the text column is dropped), a track source
needs its ``source_id`` and one ``(source_type, source_id)`` maps to one row, the 44 timestamp
columns are ``timestamptz`` with ``now()`` defaults. The rows are checked again under a lock on
track_sources before anything changes. The downgrade returns to the compatible head with every
row (``search_vector`` comes back empty: the generated column holds the search document).
"""

from __future__ import annotations

from alembic import op

revision = "20261204_091000_contract_strict"  # fits the version table's varchar(32)
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    from musicdb.migrate import compat, contract

    contract.verify_in_revision(op)
    compat.restrict(op)


def downgrade() -> None:
    from musicdb.migrate import compat

    compat.relax(op)
