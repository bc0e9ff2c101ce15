"""Alembic environment of musicdb's main history (see :mod:`musicdb.migrate.alembic_env`)."""

from __future__ import annotations

from musicdb.migrate.alembic_env import run
from musicdb.migrate.schema import metadata

run(target_metadata=metadata)
