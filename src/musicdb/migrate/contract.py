"""``musicdb migrate contract``: the strict schema, applied once nothing needs the expand.

The contract step is a history of its own (``musicdb:contract_migrations``, version table
``musicdb_contract_version``): ``alembic_version``, which Flask-Migrate reads, stays on the main
line, so ``flask db upgrade`` (which targets the single head) never contracts and ``flask db
current`` keeps agreeing with ``musicdb migrate status``; later main-line revisions take the
compatible head as their parent as usual. The main line's compatible head refuses to be
downgraded while the database is contracted.

Before it runs, contract checks what the strict schema would reject and refuses (listing every
reason with its count) while any of it is found: rows that would violate it, and, where
``pg_stat_statements`` can be read, statements that still write the old way. The rows are checked
again inside the contract transaction, under a lock on ``track_sources``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from musicdb import db
from musicdb.config import DatabaseTarget
from musicdb.errors import MusicdbError
from musicdb.migrate import compat

if TYPE_CHECKING:
    import psycopg
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from musicdb.render import Document

VERSION_TABLE = "musicdb_contract_version"
COMPATIBLE_HEAD = "20261204_090000_platform_app_compatible"

#: Old-way writes, as pg_stat_statements normalises them: an INSERT or UPDATE of one of the
#: four full-text tables that names search_vector (the deployed application's ORM does).
OLD_WRITES_SQL = r"""
SELECT count(*), coalesce(sum(s.calls), 0),
       min(left(regexp_replace(s.query, '\s+', ' ', 'g'), 160))
FROM {} AS s
WHERE s.dbid = (SELECT oid FROM pg_catalog.pg_database WHERE datname = current_database())
  AND s.query ~* ('^\s*(insert\s+into|update)\s+("?public"?\.)?'
                  '"?(tracks|artists|albums|playlists)"?[\s(]')
  AND s.query ~* '\msearch_vector\M'
"""


def alembic_config() -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", "musicdb:contract_migrations")
    return cfg


def script_directory() -> ScriptDirectory:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config())


def applied(conn: psycopg.Connection[Any]) -> tuple[str, ...]:
    """The contract revisions stamped in the database (empty: not contracted)."""
    row = conn.execute("SELECT to_regclass(%s) IS NOT NULL", (f"public.{VERSION_TABLE}",))
    if not row.fetchone()[0]:  # type: ignore[index]
        return ()
    rows = conn.execute(  # a constant name, never input
        f"SELECT version_num FROM public.{VERSION_TABLE} ORDER BY 1").fetchall()  # noqa: S608
    return tuple(r[0] for r in rows)


def reaches_compatible_head(main: tuple[str, ...]) -> bool:
    from musicdb import migrate

    if not main:
        return False
    script = migrate.script_directory()
    try:
        below = {r.revision for r in script.iterate_revisions(main, "base")}
    except Exception:  # a revision musicdb does not know
        return False
    return COMPATIBLE_HEAD in below


@dataclass(frozen=True)
class Reason:
    """One thing the strict schema would reject: what, how many, and what to do."""

    check: str
    count: int
    detail: str

    def __str__(self) -> str:
        return f"{self.check}: {self.count} — {self.detail}"

    def as_dict(self) -> dict[str, Any]:
        return {"check": self.check, "count": self.count, "detail": self.detail}


def row_reasons(conn: psycopg.Connection[Any]) -> list[Reason]:
    """Rows the strict schema would reject."""
    reasons = []
    (nulls,) = conn.execute(  # type: ignore[misc]
        "SELECT count(*) FROM track_sources WHERE source_id IS NULL").fetchone()
    if nulls:
        reasons.append(Reason(
            "track_sources.source_id IS NULL", nulls,
            "rows without an external id: give them their id, or delete them"))
    pairs, dup_rows = conn.execute(
        "SELECT count(*), coalesce(sum(n), 0) FROM (SELECT count(*) AS n FROM track_sources "
        "WHERE source_id IS NOT NULL GROUP BY source_type, source_id HAVING count(*) > 1) AS d"
    ).fetchone()  # type: ignore[misc]
    if pairs:
        detail = f"pairs held by {int(dup_rows)} track_sources rows: keep one row per pair"
        reasons.append(Reason("(source_type, source_id) on several tracks", int(pairs), detail))
    return reasons


def statement_reasons(conn: psycopg.Connection[Any]) -> tuple[list[Reason], list[str]]:
    """Writes of the old kind that pg_stat_statements has seen, and notes on what it cannot show."""
    from psycopg import sql

    notes = ["a track source inserted with a NULL source_id cannot be seen in "
             "pg_stat_statements (parameters are not recorded): only the row check catches it"]
    row = conn.execute(
        "SELECT n.nspname FROM pg_catalog.pg_extension AS e JOIN pg_catalog.pg_namespace AS n "
        "ON n.oid = e.extnamespace WHERE e.extname = 'pg_stat_statements'").fetchone()
    if row is None:
        notes.insert(0, "pg_stat_statements is not installed in this database: statements still "
                        "writing search_vector cannot be checked")
        return [], notes
    query = sql.SQL(OLD_WRITES_SQL).format(sql.Identifier(row[0], "pg_stat_statements"))
    try:
        with conn.transaction():
            found = conn.execute(query).fetchone()
    except Exception as exc:
        notes.insert(0, f"pg_stat_statements cannot be read ({db.describe_error(exc)}): "
                        "statements still writing search_vector cannot be checked")
        return [], notes
    statements, calls, sample = found  # type: ignore[misc]
    if not statements:
        return [], notes
    return [Reason(
        "statements writing search_vector", int(statements),
        f"{int(calls)} calls recorded by pg_stat_statements (e.g. {sample!r}): deploy the "
        "application on musicdb.models, then pg_stat_statements_reset() and check again")], notes


@dataclass
class ContractPlan:
    database: str
    main: tuple[str, ...]
    applied: tuple[str, ...]
    reasons: list[Reason] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ready(self) -> bool:
        return not self.reasons

    def as_dict(self) -> dict[str, Any]:
        return {"database": self.database, "main": list(self.main),
                "contracted": list(self.applied), "ready": self.ready,
                "reasons": [r.as_dict() for r in self.reasons], "notes": self.notes}

    def to_document(self, dry_run: bool = False) -> Document:
        """``migrate contract`` for the renderer: JSON/CSV carry :meth:`as_dict` and ``dry_run``."""
        from musicdb.render import Document

        lines = [("database", self.database), ("main line", ", ".join(self.main) or "base"),
                 ("contract", ", ".join(self.applied) or "not applied")]
        lines += [("refused by", str(reason)) for reason in self.reasons]
        lines += [("note", note) for note in self.notes]
        return Document(name="migrate-contract", data={**self.as_dict(), "dry_run": dry_run},
                        lines=lines)


def plan(target: DatabaseTarget) -> ContractPlan:
    """What contract finds: the revisions, and every reason it would refuse."""
    from musicdb import migrate

    with db.connect(target) as conn:
        main = migrate.current_revisions(conn)
        done = applied(conn)
        result = ContractPlan(target.display, main, done)
        if done:
            return result
        if not reaches_compatible_head(main):
            result.reasons.append(Reason(
                "main line below the compatible head", 1,
                f"the database is at {', '.join(main) or 'base'}: run `musicdb migrate up` "
                f"first ({COMPATIBLE_HEAD})"))
            return result
        result.reasons += row_reasons(conn)
        statements, notes = statement_reasons(conn)
        result.reasons += statements
        result.notes += notes
        (texts,) = conn.execute(
            "SELECT (SELECT count(*) FROM tracks WHERE search_vector IS NOT NULL) + "
            "(SELECT count(*) FROM artists WHERE search_vector IS NOT NULL) + "
            "(SELECT count(*) FROM albums WHERE search_vector IS NOT NULL) + "
            "(SELECT count(*) FROM playlists WHERE search_vector IS NOT NULL)").fetchone()  # type: ignore[misc]
        if texts:
            result.notes.append(f"{texts} rows hold text in search_vector: that column is dropped "
                                f"(the generated {compat.SEARCH_DOCUMENT} becomes search_vector)")
    return result


def offline_sql(undo: bool = False) -> str:
    """The SQL of the contract (or of its undo), rendered without a database."""
    import io

    from alembic import command

    buffer = io.StringIO()
    cfg = alembic_config()
    cfg.output_buffer = buffer
    head = script_directory().get_current_head()
    if undo:
        command.downgrade(cfg, f"{head}:base", sql=True)
    else:
        command.upgrade(cfg, "head", sql=True)
    return buffer.getvalue()


def _read(target: DatabaseTarget) -> tuple[str, ...]:
    with db.connect(target) as conn:
        return applied(conn)


def run(target: DatabaseTarget, *, undo: bool = False, progress: Callable[[str], None],
        **options: Any) -> Any:
    """Contract (or undo it) under the migration lock; the CLI checks :func:`plan` first."""
    from alembic import command

    from musicdb import migrate

    def action(cfg: Config) -> None:
        if undo:
            command.downgrade(cfg, "base")
        else:
            command.upgrade(cfg, "head")

    return migrate.run_history(target, action, config=alembic_config, read=_read,
                               progress=progress, **options)


# -- called by the revisions --------------------------------------------------------------------
def verify_in_revision(op: Any) -> None:
    """Inside the contract transaction: lock track_sources and check the rows again."""
    from musicdb import migrate
    from musicdb.adopt import live_connection

    conn = live_connection(op)
    if conn is None:
        return
    if not reaches_compatible_head(migrate.current_revisions(conn)):
        raise MusicdbError(f"contract needs the main line at {COMPATIBLE_HEAD} or later: run "
                           "`musicdb migrate up` first")
    conn.execute("LOCK TABLE track_sources IN SHARE ROW EXCLUSIVE MODE")
    reasons = row_reasons(conn)
    if reasons:
        raise MusicdbError("contract refused: " + "; ".join(str(r) for r in reasons))


def refuse_main_line_downgrade(op: Any) -> None:
    """The compatible head's downgrade: not while the database is contracted."""
    from musicdb.adopt import live_connection

    conn = live_connection(op)
    if conn is not None and applied(conn):
        raise MusicdbError("the database is contracted: run `musicdb migrate contract --undo` "
                           f"before downgrading below {COMPATIBLE_HEAD}")
