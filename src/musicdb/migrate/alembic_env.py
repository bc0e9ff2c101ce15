"""The Alembic environment shared by musicdb's two histories (``env.py`` of each calls :func:`run`).

musicdb drives Alembic in code: the caller opens the connection (and takes the migration lock)
and hands it over in ``config.attributes["connection"]``. Offline mode (``migrate sql``) needs no
server, only the PostgreSQL dialect. Two other callers are served:

- **Flask-Migrate** (``flask db upgrade/current/check/downgrade`` with ``Migrate(app, db,
  directory=musicdb.flask.MIGRATIONS_DIRECTORY)``): inside an application context the engine,
  the metadata to compare (the application's models) and the ``Migrate(...)`` options come from
  the Flask application, and the migration lock is taken on that connection, so a ``flask db
  upgrade`` and a ``musicdb migrate up`` never run at once;
- the stock ``alembic`` command, with ``sqlalchemy.url`` set.

Logging is left to the application: this module never calls ``logging.config.fileConfig``.
"""

from __future__ import annotations

from typing import Any

# Offline SQL is rendered for the PostgreSQL dialect; no connection is made from this URL.
OFFLINE_URL = "postgresql+psycopg://"

#: Tables musicdb keeps beside the models, which autogenerate must leave alone.
NOT_MODELLED = frozenset({"musicdb_contract_version"})


def _include_object(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
                    ) -> bool:
    from musicdb.partitions import is_partition_name

    table = getattr(getattr(obj, "table", None), "name", None)
    if is_partition_name(name if type_ == "table" else table):
        return False  # partitions come and go: the parent is the modelled table
    return not (type_ == "table" and name in NOT_MODELLED)


def _flask_migrate() -> Any:
    """The Flask-Migrate extension of the current application, or None outside one."""
    try:
        from flask import current_app

        return current_app.extensions["migrate"]
    except (ImportError, RuntimeError, KeyError):
        return None


def run(*, version_table: str = "alembic_version", target_metadata: Any = None) -> None:
    from alembic import context

    config = context.config
    options: dict[str, Any] = {
        "target_metadata": target_metadata,
        "transaction_per_migration": True,
        "compare_type": True,
        "version_table": version_table,
        "include_object": _include_object,
    }
    if context.is_offline_mode():
        url = (config.attributes.get("url") or config.get_main_option("sqlalchemy.url")
               or OFFLINE_URL)
        context.configure(url=url, literal_binds=True, dialect_opts={"paramstyle": "named"},
                          **options)
        with context.begin_transaction():
            context.run_migrations()
        return

    def run_with(connection: Any) -> None:
        context.configure(
            connection=connection,
            # musicdb.migrate reports progress per revision through this hook.
            on_version_apply=config.attributes.get("on_version_apply"),
            **options,
        )
        with context.begin_transaction():
            context.run_migrations()

    connection = config.attributes.get("connection")
    if connection is not None:
        run_with(connection)
        return

    import sqlalchemy as sa

    flask_migrate = _flask_migrate()
    if flask_migrate is not None:
        engine = flask_migrate.db.engine
        options["target_metadata"] = flask_migrate.db.metadata
        options.update({k: v for k, v in flask_migrate.configure_args.items()
                        if k not in ("target_metadata", "version_table")})
        from musicdb.locks import MIGRATION

        with engine.connect() as conn:
            conn.execute(sa.text("SELECT pg_advisory_lock(:ns, :k)"),
                         {"ns": MIGRATION.namespace, "k": MIGRATION.key})
            conn.commit()
            try:
                run_with(conn)
                conn.commit()
            finally:
                conn.rollback()
                conn.execute(sa.text("SELECT pg_advisory_unlock(:ns, :k)"),
                             {"ns": MIGRATION.namespace, "k": MIGRATION.key})
                conn.commit()
        return

    # The stock ``alembic`` command against this script directory.
    url = config.attributes.get("url") or config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("no database connection: pass one in config.attributes['connection']")
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            run_with(conn)
            conn.commit()
    finally:
        engine.dispose()
