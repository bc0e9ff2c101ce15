"""Alembic environment of the contract history (version table ``musicdb_contract_version``)."""

from __future__ import annotations

from musicdb.migrate.alembic_env import run

run(version_table="musicdb_contract_version")
