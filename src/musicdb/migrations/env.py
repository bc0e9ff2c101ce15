"""Alembic environment for musicdb.

musicdb drives Alembic in code: the caller opens the connection (and takes the migration
lock) and hands it over in ``config.attributes["connection"]``. Offline mode (``migrate sql``)
needs no server, only the PostgreSQL dialect. Logging is left to the application: this file
deliberately does not call ``logging.config.fileConfig``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from alembic import context

from musicdb.schema import metadata as target_metadata

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

config = context.config

# Offline SQL is rendered for the PostgreSQL dialect; no connection is made from this URL.
OFFLINE_URL = "postgresql+psycopg://"

COMMON_OPTIONS: dict[str, Any] = {
    "target_metadata": target_metadata,
    "transaction_per_migration": True,
    "compare_type": True,
}


def run_migrations_offline() -> None:
    url = config.attributes.get("url") or config.get_main_option("sqlalchemy.url") or OFFLINE_URL
    context.configure(
        url=url,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
        **COMMON_OPTIONS,
    )
    with context.begin_transaction():
        context.run_migrations()


def _run_with(connection: Connection) -> None:
    context.configure(
        connection=connection,
        # musicdb.migrate reports progress per revision through this hook.
        on_version_apply=config.attributes.get("on_version_apply"),
        **COMMON_OPTIONS,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run_with(connection)
        return

    # Fallback for running the stock ``alembic`` command against this script directory.
    import sqlalchemy as sa

    url = config.attributes.get("url") or config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("no database connection: pass one in config.attributes['connection']")
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            _run_with(conn)
            conn.commit()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
