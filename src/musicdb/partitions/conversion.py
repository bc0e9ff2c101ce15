"""Turn the plain ``user_interactions`` into a monthly range-partitioned table and back.

Upgrade, with short locks (every step under ``lock_timeout``):

1. ``ADD CONSTRAINT ... CHECK (created_at IS NOT NULL AND created_at < <next month>) NOT VALID``
   (a catalog change), then ``VALIDATE CONSTRAINT`` (scans the table under SHARE UPDATE
   EXCLUSIVE: reads and writes go on) and ``CREATE UNIQUE INDEX CONCURRENTLY (id, created_at)``.
2. One short transaction: the table becomes ``user_interactions_legacy`` (its indexes renamed,
   its primary key moved to the new index with ``ADD PRIMARY KEY USING INDEX``, its identity
   handed over to the new parent at the same next value), the partitioned parent is created
   with the same columns, checks, foreign keys and indexes, and the old table is attached as the
   partition ``MINVALUE .. <next month>``: the validated check proves the bound (no scan), the
   existing indexes and foreign keys are attached instead of rebuilt. The month partitions
   ahead and the default partition are created (empty).
3. The materialized view (which read the old table by OID) is built anew on the parent beside
   the old one (its readers go on), then swapped in by a short transaction (drop, rename).

Downgrade keeps every row: the month and default partitions' rows are copied into the legacy
table, which becomes the plain ``user_interactions`` again (primary key on ``id``, rebuilt).
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from psycopg import sql

from musicdb.partitions import (
    DEFAULT,
    KEY,
    LEGACY,
    PREMADE_AHEAD,
    TABLE,
    add_months,
    month_partition,
    month_start,
)

BOUND_CHECK = f"{LEGACY}_bound"
NEW_KEY_INDEX = f"{LEGACY}_pkey_new"
LOCK_TIMEOUT = "10s"

INDEXES_SQL = """
SELECT i.relname, pg_catalog.pg_get_indexdef(i.oid), x.indisprimary
FROM pg_catalog.pg_index AS x
JOIN pg_catalog.pg_class AS i ON i.oid = x.indexrelid
WHERE x.indrelid = to_regclass(%(table)s)
ORDER BY i.relname
"""


def _ident(*names: str) -> sql.Identifier:
    return sql.Identifier(*names)


def _legacy_index_name(name: str) -> str:
    prefix = f"ix_{TABLE}_"
    if name.startswith(prefix):
        return f"ix_{LEGACY}_{name[len(prefix):]}"
    return f"{LEGACY}_{name}"[:63]


def is_partitioned(conn: Any) -> bool:
    row = conn.execute(
        "SELECT relkind::text FROM pg_catalog.pg_class WHERE oid = to_regclass(%s)", (TABLE,)
    ).fetchone()
    return bool(row) and row[0] == "p"


def create_month(conn: Any, month: Any) -> None:
    """Create the partition of *month* (a first day) if it does not exist."""
    conn.execute(sql.SQL("CREATE TABLE IF NOT EXISTS {} PARTITION OF {} "
                         "FOR VALUES FROM ({}) TO ({})").format(
        _ident(month_partition(month)), _ident(TABLE), sql.Literal(month.isoformat()),
        sql.Literal(add_months(month, 1).isoformat())))


#: (step, lock it holds, milliseconds) of one conversion, for the benchmark and the docs
Timings = list[tuple[str, str, float]]


@contextmanager
def _timed(timings: Timings | None, step: str, lock: str) -> Iterator[None]:
    started = time.perf_counter()
    yield
    if timings is not None:
        timings.append((step, lock, (time.perf_counter() - started) * 1000))


def partition(conn: Any, ctx: Any, timings: Timings | None = None) -> None:
    """Upgrade (see the module docstring); *conn* is the migrating psycopg connection, *ctx* the
    Alembic migration context (its autocommit block runs the steps in their own transactions).
    *timings*, when given, receives each step's duration and the lock it holds."""
    if is_partitioned(conn):
        return

    with ctx.autocommit_block():
        conn.execute(sql.SQL("SET lock_timeout = {}").format(sql.Literal(LOCK_TIMEOUT)))
        now = conn.execute("SELECT (now() AT TIME ZONE 'UTC')::date").fetchone()[0]
        first = add_months(month_start(now), 1)
        with _timed(timings, "ADD CONSTRAINT ... CHECK NOT VALID", "ACCESS EXCLUSIVE (catalog)"):
            conn.execute(sql.SQL("ALTER TABLE {} DROP CONSTRAINT IF EXISTS {}").format(
                _ident(TABLE), _ident(BOUND_CHECK)))
            conn.execute(sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} CHECK ({} IS NOT NULL AND "
                                 "{} < {}) NOT VALID").format(
                _ident(TABLE), _ident(BOUND_CHECK), _ident(KEY), _ident(KEY),
                sql.Literal(first.isoformat()) + sql.SQL("::timestamp")))
        with _timed(timings, "VALIDATE CONSTRAINT", "SHARE UPDATE EXCLUSIVE"):
            conn.execute(sql.SQL("ALTER TABLE {} VALIDATE CONSTRAINT {}").format(
                _ident(TABLE), _ident(BOUND_CHECK)))
        with _timed(timings, "CREATE UNIQUE INDEX CONCURRENTLY (id, created_at)",
                    "SHARE UPDATE EXCLUSIVE"):
            conn.execute(sql.SQL("DROP INDEX IF EXISTS {}").format(_ident(NEW_KEY_INDEX)))
            conn.execute(sql.SQL("CREATE UNIQUE INDEX CONCURRENTLY {} ON {} (id, {})").format(
                _ident(NEW_KEY_INDEX), _ident(TABLE), _ident(KEY)))
        with _timed(timings, "swap: new parent, ATTACH PARTITION, months, default",
                    "ACCESS EXCLUSIVE on user_interactions"), conn.transaction():
            _swap(conn, first)
        _rebuild_view(conn, timings)
        conn.execute("RESET lock_timeout")


def _rebuild_view(conn: Any, timings: Timings | None) -> None:
    """The materialized view read the old table by OID: it is built anew on the parent beside
    the old one (whose readers go on), then put in its place in a short transaction."""
    from musicdb.migrate import compat

    view, new = compat.VIEW, f"{compat.VIEW}_new"
    index_names = [re.search(r"INDEX (\S+) ON", stmt).group(1)  # type: ignore[union-attr]
                   for stmt in compat.VIEW_INDEXES]
    with _timed(timings, "materialized view built beside the old one", "none on the old view"), \
            conn.transaction():
        conn.execute(sql.SQL("DROP MATERIALIZED VIEW IF EXISTS {}").format(_ident(new)))
        for stmt in (compat.VIEW_SQL, *compat.VIEW_INDEXES):
            conn.execute(stmt.replace(view, new))  # the packaged statements, renamed
    with _timed(timings, "materialized view swapped in", "ACCESS EXCLUSIVE on the view"), \
            conn.transaction():
        grants = compat.view_grants(conn)
        conn.execute(sql.SQL("DROP MATERIALIZED VIEW {}").format(_ident(view)))
        conn.execute(sql.SQL("ALTER MATERIALIZED VIEW {} RENAME TO {}").format(
            _ident(new), _ident(view)))
        for name in index_names:
            conn.execute(sql.SQL("ALTER INDEX {} RENAME TO {}").format(
                _ident(name.replace(view, new)), _ident(name)))
        for stmt in grants:
            conn.execute(stmt)


def _swap(conn: Any, first: Any) -> None:
    indexes = [row for row in conn.execute(INDEXES_SQL, {"table": TABLE}).fetchall()
               if row[0] != NEW_KEY_INDEX]
    pkey = next(name for name, _, primary in indexes if primary)
    seq = conn.execute("SELECT pg_get_serial_sequence(%s, 'id')", (TABLE,)).fetchone()[0]
    last, called = conn.execute(
        sql.SQL("SELECT last_value, is_called FROM {}").format(
            sql.SQL(seq))).fetchone()  # catalog value, already quoted by PostgreSQL
    next_value = last + 1 if called else last
    conn.execute(sql.SQL("ALTER TABLE {} RENAME TO {}").format(_ident(TABLE), _ident(LEGACY)))
    for name, _, primary in indexes:
        if not primary:
            conn.execute(sql.SQL("ALTER INDEX {} RENAME TO {}").format(
                _ident(name), _ident(_legacy_index_name(name))))
    conn.execute(sql.SQL("ALTER TABLE {} DROP CONSTRAINT {}, ALTER COLUMN {} SET NOT NULL, "
                         "ADD CONSTRAINT {} PRIMARY KEY USING INDEX {}, "
                         "ALTER COLUMN id DROP IDENTITY").format(
        _ident(LEGACY), _ident(pkey), _ident(KEY), _ident(f"{LEGACY}_pkey"),
        _ident(NEW_KEY_INDEX)))
    conn.execute(sql.SQL("CREATE TABLE {} (LIKE {} INCLUDING DEFAULTS INCLUDING CONSTRAINTS, "
                         "CONSTRAINT {} PRIMARY KEY (id, {})) PARTITION BY RANGE ({})").format(
        _ident(TABLE), _ident(LEGACY), _ident(pkey), _ident(KEY), _ident(KEY)))
    conn.execute(sql.SQL("ALTER TABLE {} DROP CONSTRAINT {}, ALTER COLUMN id ADD GENERATED BY "
                         "DEFAULT AS IDENTITY (START WITH {})").format(
        _ident(TABLE), _ident(BOUND_CHECK), sql.Literal(next_value)))
    fkeys = conn.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_catalog.pg_constraint "
        "WHERE conrelid = to_regclass(%s) AND contype = 'f' ORDER BY conname", (LEGACY,)
    ).fetchall()
    for name, definition in fkeys:
        conn.execute(sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} " + definition).format(
            _ident(TABLE), _ident(name)))  # definition: PostgreSQL's own text of the catalog
    for _, definition, primary in indexes:
        if not primary:
            conn.execute(definition)  # PostgreSQL's own text: ON public.user_interactions
    conn.execute(sql.SQL("ALTER TABLE {} ATTACH PARTITION {} FOR VALUES FROM (MINVALUE) TO ({})")
                 .format(_ident(TABLE), _ident(LEGACY), sql.Literal(first.isoformat())))
    conn.execute(sql.SQL("ALTER TABLE {} DROP CONSTRAINT {}").format(
        _ident(LEGACY), _ident(BOUND_CHECK)))
    for ahead in range(PREMADE_AHEAD + 1):
        create_month(conn, add_months(first, ahead))
    conn.execute(sql.SQL("CREATE TABLE {} PARTITION OF {} DEFAULT").format(
        _ident(DEFAULT), _ident(TABLE)))


def unpartition(conn: Any) -> None:
    """Downgrade: every row back in one plain ``user_interactions`` (primary key ``id``)."""
    if not is_partitioned(conn):
        return
    from musicdb.migrate import compat

    parts = [r[0] for r in conn.execute(
        "SELECT c.relname FROM pg_catalog.pg_inherits AS i "
        "JOIN pg_catalog.pg_class AS c ON c.oid = i.inhrelid "
        "WHERE i.inhparent = to_regclass(%s) ORDER BY c.relname", (TABLE,)).fetchall()]
    seq = conn.execute("SELECT pg_get_serial_sequence(%s, 'id')", (TABLE,)).fetchone()[0]
    last, called = conn.execute(sql.SQL("SELECT last_value, is_called FROM {}").format(
        sql.SQL(seq))).fetchone()  # catalog value, already quoted by PostgreSQL
    next_value = last + 1 if called else last
    grants = compat.view_grants(conn)
    conn.execute(f"DROP MATERIALIZED VIEW {compat.VIEW}")
    parent_indexes = conn.execute(INDEXES_SQL, {"table": TABLE}).fetchall()
    if LEGACY not in parts:
        conn.execute(sql.SQL("CREATE TABLE {} (LIKE {} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)")
                     .format(_ident(LEGACY), _ident(TABLE)))
    for part in parts:
        conn.execute(sql.SQL("ALTER TABLE {} DETACH PARTITION {}").format(
            _ident(TABLE), _ident(part)))
    for part in parts:
        if part != LEGACY:
            conn.execute(sql.SQL("INSERT INTO {} SELECT * FROM {}").format(
                _ident(LEGACY), _ident(part)))
            conn.execute(sql.SQL("DROP TABLE {}").format(_ident(part)))
    conn.execute(sql.SQL("DROP TABLE {}").format(_ident(TABLE)))
    conn.execute(sql.SQL("ALTER TABLE {} DROP CONSTRAINT IF EXISTS {}").format(
        _ident(LEGACY), _ident(f"{LEGACY}_pkey")))
    for name, _, _ in conn.execute(INDEXES_SQL, {"table": LEGACY}).fetchall():
        conn.execute(sql.SQL("DROP INDEX {}").format(_ident(name)))
    conn.execute(sql.SQL("ALTER TABLE {} RENAME TO {}").format(_ident(LEGACY), _ident(TABLE)))
    for name, definition, primary in parent_indexes:
        if primary:
            conn.execute(sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} PRIMARY KEY (id)").format(
                _ident(TABLE), _ident(name)))
        else:  # PostgreSQL's own text; ON ONLY is a partitioned index's, meaningless here
            conn.execute(definition.replace(" ON ONLY ", " ON ", 1))
    conn.execute(sql.SQL("ALTER TABLE {} ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY "
                         "(START WITH {})").format(_ident(TABLE), sql.Literal(next_value)))
    for stmt in (compat.VIEW_SQL, *compat.VIEW_INDEXES, *grants):
        conn.execute(stmt)


#: ``migrate --sql``: the same conversion as one block that reads nothing beforehand (plain
#: index build: offline scripts are meant for databases the chain builds, empty or small).
OFFLINE_SQL = """
DO $conversion$
DECLARE
    first date := (date_trunc('month', now() AT TIME ZONE 'UTC') + interval '1 month')::date;
    next_id bigint;
    m date;
    r record;
BEGIN
    SELECT coalesce(max(id), 0) + 1 INTO next_id FROM user_interactions;
    EXECUTE format('ALTER TABLE user_interactions ADD CONSTRAINT user_interactions_legacy_bound '
                   'CHECK (created_at IS NOT NULL AND created_at < %L::timestamp)', first);
    CREATE UNIQUE INDEX user_interactions_legacy_pkey_new ON user_interactions (id, created_at);
    FOR r IN SELECT i.relname FROM pg_index AS x JOIN pg_class AS i ON i.oid = x.indexrelid
             WHERE x.indrelid = 'user_interactions'::regclass AND NOT x.indisprimary
               AND i.relname <> 'user_interactions_legacy_pkey_new' LOOP
        EXECUTE format('ALTER INDEX %I RENAME TO %I', r.relname,
                       replace(r.relname, 'ix_user_interactions_', 'ix_user_interactions_legacy_'));
    END LOOP;
    ALTER TABLE user_interactions RENAME TO user_interactions_legacy;
    ALTER TABLE user_interactions_legacy DROP CONSTRAINT pk_user_interactions,
        ALTER COLUMN created_at SET NOT NULL,
        ADD CONSTRAINT user_interactions_legacy_pkey PRIMARY KEY
            USING INDEX user_interactions_legacy_pkey_new,
        ALTER COLUMN id DROP IDENTITY;
    CREATE TABLE user_interactions (LIKE user_interactions_legacy INCLUDING DEFAULTS
        INCLUDING CONSTRAINTS, CONSTRAINT pk_user_interactions PRIMARY KEY (id, created_at))
        PARTITION BY RANGE (created_at);
    EXECUTE format('ALTER TABLE user_interactions DROP CONSTRAINT user_interactions_legacy_bound, '
                   'ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY (START WITH %s)', next_id);
    FOR r IN SELECT conname, pg_get_constraintdef(oid) AS def FROM pg_constraint
             WHERE conrelid = 'user_interactions_legacy'::regclass AND contype = 'f' LOOP
        EXECUTE format('ALTER TABLE user_interactions ADD CONSTRAINT %I ', r.conname) || r.def;
    END LOOP;
    CREATE INDEX ix_user_interactions_user_id_created_at
        ON user_interactions (user_id, created_at DESC);
    CREATE INDEX ix_user_interactions_track_id_interaction_type
        ON user_interactions (track_id, interaction_type);
    CREATE INDEX ix_user_interactions_created_at ON user_interactions (created_at DESC);
    EXECUTE format('ALTER TABLE user_interactions ATTACH PARTITION user_interactions_legacy '
                   'FOR VALUES FROM (MINVALUE) TO (%L)', first);
    ALTER TABLE user_interactions_legacy DROP CONSTRAINT user_interactions_legacy_bound;
    FOR k IN 0..3 LOOP
        m := (first + make_interval(months => k))::date;
        EXECUTE format('CREATE TABLE %I PARTITION OF user_interactions '
                       'FOR VALUES FROM (%L) TO (%L)',
                       'user_interactions_p' || to_char(m, 'YYYYMM'), m,
                       (m + interval '1 month')::date);
    END LOOP;
    CREATE TABLE user_interactions_default PARTITION OF user_interactions DEFAULT;
END
$conversion$;
"""
