"""Alembic environment of musicdb's main history (see :mod:`musicdb.alembic_env`)."""

from __future__ import annotations

from musicdb.alembic_env import run
from musicdb.schema import metadata

run(target_metadata=metadata)
