"""``musicdb migrate adopt``: take over the hand-built platform database.

:func:`inspect` says what a database is, from its catalog (never from its stamp alone): empty;
managed by musicdb at a known revision (no drift); the legacy platform layout (stamped or not);
already adopted; or something else, with the differences. :func:`plan` adds, for the legacy
layout, every step of the conversion with its SQL and what the application writing to the
database will notice. :func:`adopt` registers the database (book-keeping schema
``musicdb_adopt``) and re-stamps it at the start of the ``legacy`` branch, so that
``musicdb migrate up`` converts it, step by step, and merges it into the main line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from musicdb import db
from musicdb.adopt import conversion
from musicdb.config import DatabaseTarget
from musicdb.errors import MusicdbError

if TYPE_CHECKING:
    import psycopg

    from musicdb.render import Document

LEGACY_STAMP = "20250618_075149_add_performance_indexes"
#: The third revision of the application's own chain (its first two ids are musicdb's).
APPLICATION_STAMP = "add_users_table"
#: What the application's ``add_users_table`` makes of the legacy layout's users table: NOT NULL
#: flags and creation time with server defaults, and three redundant indexes.
APPLICATION_USERS_SQL = """
ALTER TABLE users ALTER COLUMN is_active SET NOT NULL, ALTER COLUMN is_active SET DEFAULT true,
    ALTER COLUMN is_admin SET NOT NULL, ALTER COLUMN is_admin SET DEFAULT false,
    ALTER COLUMN created_at SET NOT NULL, ALTER COLUMN created_at SET DEFAULT now(),
    ALTER COLUMN default_language SET DEFAULT 'en';
CREATE UNIQUE INDEX ix_users_username ON users (username);
CREATE UNIQUE INDEX ix_users_email ON users (email);
CREATE INDEX ix_users_is_active ON users (is_active);
"""
LEGACY_BASE = "20261201_090000_legacy_platform_adopted"
MERGE = "20261201_091000_merge_legacy_lineage"

#: (step, revision) in the order ``migrate up`` applies them.
STEPS: tuple[tuple[str, str], ...] = (
    ("triggers", "20261201_090100_legacy_updated_at_triggers"),
    ("rows", "20261201_090200_legacy_resolve_rows"),
    ("drop_indexes", "20261201_090300_legacy_drop_redundant_indexes"),
    ("columns_accounts", "20261201_090400_legacy_columns_accounts"),
    ("columns_catalogue", "20261201_090500_legacy_columns_catalogue"),
    ("columns_listening", "20261201_090600_legacy_columns_listening"),
    ("constraints", "20261201_090700_legacy_constraints"),
    ("validate", "20261201_090800_legacy_validate_constraints"),
    ("create_indexes", "20261201_090900_legacy_create_indexes"),
)
LEGACY_REVISIONS = frozenset({LEGACY_BASE, *(rev for _s, rev in STEPS)})

#: What an application written against the legacy schema will notice, and when.
WRITER_IMPACTS: tuple[tuple[str, str, str], ...] = (
    ("triggers", "all",
     "UPDATE on users, discovery_sessions and playlist_activities works again (it failed with "
     "'record \"new\" has no field \"updated_at\"'); UPDATE on the three *_sources tables now "
     "sets updated_at = now() itself"),
    ("rows", "track_sources, artist_sources, album_sources, playlist_track_votes, user_library",
     "rows with a NULL track_sources.source_id, source rows whose (source_type, source_id) "
     "another parent already maps, and votes outside {-1, 1} disappear from the tables (kept in "
     "musicdb_adopt.quarantine); out-of-range ratings read back as NULL"),
    ("drop_indexes", "all",
     "some legacy index names disappear (only visible to index hints or pg_stat readers); until "
     "the create_indexes step some foreign-key columns have no index"),
    ("columns_*", "all 20 tables",
     "each table is rewritten under an ACCESS EXCLUSIVE lock: reads and writes of that table wait "
     "for the step's commit (time it on a copy first)"),
    ("columns_*", "all timestamp columns",
     "timestamps become timestamptz: values are read back with a time zone (UTC values, shown "
     "in the session's TimeZone); a naive value written later is taken in the session's "
     "TimeZone, so writers must send UTC or an explicit offset (set TimeZone = 'UTC')"),
    ("columns_*", "ids",
     "id columns become identity columns (bigint on user_interactions, playlist_activities, "
     "discovery_session_tracks); inserts without id keep working, nextval('<table>_id_seq') "
     "keeps working; code that reads ids of the three event tables must accept 64-bit integers"),
    ("columns_*", "columns with an application default",
     "NULL is no longer accepted in the columns the target makes NOT NULL (flags, counters, "
     "JSON lists/objects, created_at ...): omit the column to get the server default instead"),
    ("columns_catalogue", "artists, albums, tracks, playlists",
     "search_vector can no longer be written (INSERT/UPDATE naming it fail: it is generated "
     "from the row); it reads back as a tsvector, not text"),
    ("columns_catalogue", "track_sources",
     "track_sources.source_id can no longer be NULL, and one (source_type, source_id) maps to "
     "one row only (after the create_indexes step), until the compatible head at the end of the "
     "same run, which accepts both again and puts the quarantined track sources back"),
    ("columns_listening", "mv_track_popularity",
     "the view's columns are renamed: id -> track_id, avg_play_duration -> "
     "avg_play_duration_ms; unique_listeners and last_played_at count plays only; REFRESH ... "
     "CONCURRENTLY now works"),
    ("constraints", "playlists, playlist_tracks, users' children, ...",
     "deletes now cascade (owned rows go with their parent) or set references to NULL "
     "(albums/tracks of a deleted artist, added_by, last_modified_by, parent_id, invited_by, "
     "playlist_activities.user_id) instead of failing; vote_type must be -1 or 1, rating 1..5"),
    ("columns_accounts", "playlist_tracks, playlist_activities",
     "added_by and playlist_activities.user_id may now be NULL (after a user is deleted)"),
    ("create_indexes", "playlist_tracks",
     "UNIQUE (playlist_id, position) becomes DEFERRABLE: a reorder can swap positions inside one "
     "transaction (SET CONSTRAINTS ... DEFERRED)"),
)


@dataclass
class Inspection:
    """What a database is. ``kind``: empty, managed, legacy, adopted or unknown."""

    database: str
    kind: str
    message: str
    stamp: tuple[str, ...] = ()
    differences: list[Any] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def adoptable(self) -> bool:
        return self.kind == "legacy"

    def as_dict(self) -> dict[str, Any]:
        return {
            "database": self.database,
            "kind": self.kind,
            "message": self.message,
            "stamp": list(self.stamp),
            "adoptable": self.adoptable,
            "row_counts": self.counts,
            "differences": [_difference(d) for d in self.differences],
        }


def _difference(d: Any) -> dict[str, Any]:
    return {"kind": d.kind, "name": d.name, "change": d.change}


def legacy_schema_sql() -> str:
    from importlib.resources import files

    return files("musicdb.adopt").joinpath("legacy_platform.sql").read_text(encoding="utf-8")


def legacy_snapshot(target: DatabaseTarget, application: bool = False) -> dict[str, Any]:
    """The catalog snapshot of the legacy layout (with *application*: as the application's own
    chain leaves it, ending with ``add_users_table``), built in a scratch database."""
    from musicdb import migrate
    from musicdb.migrate import snapshot

    with (
        migrate.scratch_database(target, prefix="musicdb_legacy_") as url,
        db.connect(DatabaseTarget(url, "scratch")) as conn,
    ):
        conn.execute(legacy_schema_sql())  # type: ignore[arg-type]  # static, packaged DDL
        if application:
            conn.execute(APPLICATION_USERS_SQL)  # type: ignore[arg-type]  # static DDL
        return snapshot.snapshot(conn)


def _public_relations(conn: psycopg.Connection[Any]) -> list[str]:
    rows = conn.execute(
        """
        SELECT c.relname FROM pg_catalog.pg_class AS c
        JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'S')
          AND c.relname <> 'alembic_version'
          AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend AS d
                          WHERE d.classid = 'pg_catalog.pg_class'::regclass
                            AND d.objid = c.oid AND d.deptype = 'e')
        ORDER BY 1
        """
    ).fetchall()
    return [r[0] for r in rows]


def row_counts(conn: psycopg.Connection[Any]) -> dict[str, int]:
    from psycopg import sql

    counts = {}
    for table in conversion.TABLES:
        exists = conn.execute("SELECT to_regclass(%s) IS NOT NULL", (f"public.{table}",))
        if exists.fetchone()[0]:  # type: ignore[index]
            row = conn.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table)))
            counts[table] = row.fetchone()[0]  # type: ignore[index]
    return counts


def inspect(target: DatabaseTarget) -> Inspection:
    from musicdb import migrate
    from musicdb.migrate import snapshot

    with db.connect(target) as conn:
        stamp = migrate.current_revisions(conn)
        relations = _public_relations(conn)
        adopted = conversion.is_adopted(conn)
        live = snapshot.snapshot(conn)
        counts = row_counts(conn) if set(conversion.TABLES) <= set(relations) else {}
    known = {r.revision for r in migrate.script_directory().walk_revisions()}
    shown = ", ".join(stamp) or "no stamp"
    if not relations:
        return Inspection(target.display, "empty",
                          f"empty database ({shown}): nothing to adopt; `musicdb migrate up` "
                          "builds the schema", stamp)
    if adopted:
        state = "converted and at head" if MERGE in stamp else "conversion pending"
        return Inspection(target.display, "adopted",
                          f"already adopted ({shown}): {state}; `musicdb migrate up` continues",
                          stamp, counts=counts)
    if set(conversion.TABLES) <= set(relations):
        application = stamp == (APPLICATION_STAMP,)
        differences = snapshot.diff(legacy_snapshot(target, application), live,
                                    ignore=("alembic_version",))
        if not differences and application:
            return Inspection(target.display, "legacy",
                              f"built by the platform application's own chain ({shown}): "
                              "adoptable", stamp, counts=counts)
        if not differences:
            how = ("stamped " + shown + " by hand") if stamp else "not stamped"
            return Inspection(target.display, "legacy",
                              f"the hand-built legacy platform layout ({how}): adoptable",
                              stamp, counts=counts)
    else:
        differences = None
    if stamp and set(stamp) <= known:
        drift = migrate.drift(target)
        if not drift:
            return Inspection(target.display, "managed",
                              f"managed by musicdb at {shown}, no drift: nothing to adopt",
                              stamp, counts=counts)
        if differences is None or len(drift) < len(differences):
            differences = drift
            what = f"its stamp ({shown}) says"
        else:
            what = "the legacy layout has"
    else:
        what = "the legacy layout has"
        if differences is None:
            differences = snapshot.diff(legacy_snapshot(target), live,
                                        ignore=("alembic_version",))
    return Inspection(target.display, "unknown",
                      f"neither empty, nor managed, nor the legacy layout ({shown}): "
                      f"{len(differences)} difference(s) from what {what}; nothing changed",
                      stamp, differences, counts)


# -- the plan -----------------------------------------------------------------------------------
ADOPT_STEP = "(adopt)"


def adopt_step(found: Inspection) -> conversion.StepPlan:
    """What ``migrate adopt`` itself runs, in one transaction, for what *found* says: the
    book-keeping schema, the record of what was found, and the new stamp. The dry run shows this
    very step; :func:`adopt` executes it."""
    import json

    step = conversion.StepPlan("adopt", "register the database and re-stamp it")
    for stmt in conversion.BOOKKEEPING_SQL:
        step.add(stmt)
    details = json.dumps({"row_counts": found.counts, "message": found.message})
    step.add("INSERT INTO musicdb_adopt.adoption (previous_stamp, layout, details) "
             "VALUES (%s, 'legacy', %s::jsonb)", (list(found.stamp), details))
    step.add("CREATE TABLE IF NOT EXISTS alembic_version (version_num varchar(64) NOT NULL, "
             "CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num))")
    step.add("ALTER TABLE alembic_version ALTER COLUMN version_num TYPE varchar(64)")
    step.add("DELETE FROM alembic_version")
    step.add("INSERT INTO alembic_version (version_num) VALUES (%s)", (LEGACY_BASE,))
    return step


@dataclass
class AdoptPlan:
    """What ``migrate adopt`` found and, for the legacy layout, every step: the adopt step itself
    (what :func:`adopt` runs) and the conversion steps ``migrate up`` runs after it."""

    inspection: Inspection
    steps: list[tuple[str, conversion.StepPlan]] = field(default_factory=list)
    #: Every statement of every step, rendered on the database's connection, in order.
    statements: list[dict[str, Any]] = field(default_factory=list)

    @property
    def findings(self) -> list[dict[str, Any]]:
        return [f for _r, step in self.steps for f in step.findings]

    def render_statements(self, conn: psycopg.Connection[Any]) -> None:
        self.statements = [
            {"revision": revision, "step": step.step, "n": i, "transaction": step.transactional,
             "sql": stmt.text(conn), "params": list(stmt.params), "why": stmt.why}
            for revision, step in self.steps for i, stmt in enumerate(step.statements, 1)
        ]

    def as_dict(self, dry_run: bool) -> dict[str, Any]:
        impacts = [{"step": s, "tables": t, "change": c} for s, t, c in WRITER_IMPACTS]
        return {"report": "migrate_adopt", "inspection": self.inspection.as_dict(),
                "dry_run": dry_run,
                "steps": [{"revision": r, "step": p.step, "title": p.title,
                           "transaction": p.transactional, "statements": len(p.statements)}
                          for r, p in self.steps],
                "findings": self.findings, "writer_impacts": impacts if self.steps else [],
                "statements": self.statements}

    def to_document(self, dry_run: bool) -> Document:
        """``migrate adopt`` (dry run, or a database it does not adopt) for the renderer."""
        from musicdb.render import Document

        found = self.inspection
        body = [f"  {d}"[:160] for d in found.differences[:50]]
        if len(found.differences) > 50:
            body.append(f"  ... and {len(found.differences) - 50} more (--format json lists all)")
        if self.steps:
            body.append("\nplan (adopt re-stamps; `musicdb migrate up` runs the rest):")
            for revision, step in self.steps:
                mode = "one transaction" if step.transactional else "outside a transaction"
                body.append(f"  {revision}  {step.title} ({len(step.statements)} statements, "
                            f"{mode})")
            body.append("\nwhat happens to rows (every removed row is kept in "
                        "musicdb_adopt.quarantine):")
            body += [f"  [{f['step']}] {f['kind']}: {f['detail']}" for f in self.findings
                     if f["kind"] not in ("index_dropped", "on_delete")]
            body.append("\nwhat the application writing to this database will notice:")
            body += [f"  [{s}] {t}: {c}" for s, t, c in WRITER_IMPACTS]
            body.append("\n-- SQL")
            for s in self.statements:
                params = f"  -- params: {s['params']}" if s["params"] else ""
                body.append(f"-- {s['revision']} ({s['step']} #{s['n']}) {s['why']}"[:300])
                body.append(f"{s['sql'].strip()};{params}")
        return Document(name="migrate-adopt", data=self.as_dict(dry_run),
                        lines=[("database", found.database),
                               ("found", f"{found.kind}: {found.message}")],
                        body=body)


def plan(target: DatabaseTarget, inspection: Inspection | None = None) -> AdoptPlan:
    """The inspection and, for the legacy layout, every step with its SQL (nothing runs)."""
    from psycopg.sql import SQL, Identifier

    inspection = inspection or inspect(target)
    result = AdoptPlan(inspection)
    if not inspection.adoptable:
        return result
    with db.connect(target) as conn:
        result.steps.append((ADOPT_STEP, adopt_step(inspection)))
        for step, revision in STEPS:
            step_plan = conversion.PLANNERS[step](conn)
            if step == "validate":
                # on the live (legacy) catalog nothing is NOT VALID yet: show what will be
                for table, name, _k, _d in conversion.constraint_plan(conn).adds:
                    step_plan.add(SQL("ALTER TABLE {} VALIDATE CONSTRAINT {}").format(
                        Identifier(table), Identifier(name)))
            result.steps.append((revision, step_plan))
        result.render_statements(conn)
    return result


# -- adopting -----------------------------------------------------------------------------------
@dataclass
class AdoptResult:
    inspection: Inspection
    before: tuple[str, ...]
    after: tuple[str, ...]

    def to_document(self) -> Document:
        from musicdb.render import Document

        before, after = ", ".join(self.before) or "none", ", ".join(self.after)
        line = f"adopted {self.inspection.database}: stamp {before} -> {after}"
        return Document(name="migrate-adopt",
                        data={**self.inspection.as_dict(), "before": list(self.before),
                              "after": list(self.after)},
                        body=[line])


def adopt(target: DatabaseTarget, *, lock_wait_s: float = 60.0,
          progress: Any = None) -> AdoptResult:
    """Register a legacy database and stamp it at the start of the legacy branch.

    Runs under the migration lock and in one transaction: :func:`adopt_step` for what the
    inspection (made again under the lock) found. Nothing of the platform's tables changes here.
    """
    from musicdb import migrate

    with migrate.migration_lock(target, wait_s=lock_wait_s, progress=progress or (lambda _m: None)):
        found = inspect(target)  # again, now that nobody else migrates
        if not found.adoptable:
            raise MusicdbError(f"not adopted: {found.message}")
        with (
            db.connect(target, autocommit=False, application_name="musicdb adopt") as conn,
            conn.transaction(),
        ):
            conversion.execute(conn, adopt_step(found))
        with db.connect(target) as conn:
            after = migrate.current_revisions(conn)
    return AdoptResult(found, found.stamp, after)


# -- called by the revisions ---------------------------------------------------------------------
def live_connection(op: Any) -> Any:
    """The psycopg connection a revision runs on, or None when it renders SQL offline."""
    if op.get_context().as_sql:
        return None
    return op.get_bind().connection.dbapi_connection


def refuse_unadopted_legacy(op: Any) -> None:
    """Upgrade of the legacy branch's first revision: only ever runs on a database that adopt
    did not stamp. Stop there if that database still has the legacy layout."""
    conn = live_connection(op)
    if conn is None:
        return
    row = conn.execute(
        "SELECT format_type(a.atttypid, a.atttypmod) FROM pg_catalog.pg_attribute AS a "
        "WHERE a.attrelid = to_regclass('public.tracks') AND a.attname = 'search_vector' "
        "AND NOT a.attisdropped"
    ).fetchone()
    if row and row[0] == "text" and not conversion.is_adopted(conn):
        raise MusicdbError(
            "this database has the hand-built legacy layout (text search_vector ...): run "
            "`musicdb migrate adopt` first, then `musicdb migrate up`"
        )


def refuse_downgrade(op: Any, revision: str) -> None:
    """Downgrade of a conversion step: nothing to undo on a database built by the main line;
    on an adopted database the conversion is one-way (see docs/migration-guide.md, rollback)."""
    conn = live_connection(op)
    if conn is None:
        return
    if conversion.is_adopted(conn):
        raise MusicdbError(
            f"{revision} converted an adopted legacy database and cannot be undone in place: "
            "restore the backup taken before adoption (docs/migration-guide.md, Rollback)"
        )
