"""Synthetic but realistic platform data, generated in Python and loaded with ``COPY``.

Shape of the data (scale 1 = about 10,000 users, 20,000 artists, 40,000 albums, 200,000 tracks,
1,000,000 interactions, 50,000 playlists with 1,000,000 playlist entries; the other tables in
proportion):

- popularity is skewed: tracks, users and artists are drawn by rank through ``n * u**k`` (a
  power law, Zipf-like: the top 1% of tracks get about a third of all plays);
- timestamps spread over the 365 days before ``until`` with a daily rhythm (quiet nights,
  busy evenings);
- JSONB columns hold plausible keys: genres from a fixed vocabulary, ``audio_features`` with
  ``energy`` and ``danceability`` in 0..1, social links, credits, dynamic playlist rules;
- titles, names and descriptions are made of real English words, so full-text search finds them.

Rows are written as COPY text lines (pre-formatted strings, a chunk at a time) on one
connection in one transaction, in foreign-key order; ids are assigned here, after the largest
existing id, so ``append`` adds a self-contained batch and the identity sequences are moved past
it at the end. The same seed (and ``until`` date) gives the same rows.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from musicdb import db, locks
from musicdb import progress as progress_api
from musicdb.config import DatabaseTarget
from musicdb.errors import MusicdbError, UsageError
from musicdb.migrate.schema import PLATFORM_TABLES
from musicdb.progress import as_progress
from musicdb.workload.rows import Chunks, Lines, _Generator
from musicdb.workload.vocabulary import (
    ACTIVITY_TYPES,
    BASE62,
    BROAD_GENRES,
    CHUNK_ROWS,
    CONTEXTS,
    COUNTRIES,
    DEVICES,
    FAVOURITE_SHARE,
    FIRST_NAMES,
    GENRE_POOL,
    GENRES,
    HOURLY,
    INTERACTION_MIX,
    LABELS,
    LAST_NAMES,
    MAX_LIBRARY,
    MOODS,
    PLAYLIST_WORDS,
    POWER_LIBRARY_ALPHA,
    POWER_LIBRARY_SHARE,
    POWER_USER_EVERY,
    REGIONAL_GENRES,
    SESSION_TYPES,
    SKIP_REASONS,
    STYLE_GENRES,
    WORDS,
    external_id,
)

#: The public names, including those of row making (:mod:`~musicdb.workload.rows`,
#: :mod:`~musicdb.workload.vocabulary`), importable from here as before.
__all__ = [
    "ACTIVITY_TYPES", "BASE62", "BROAD_GENRES", "CHUNK_ROWS", "CONTEXTS", "COUNTRIES", "Chunks",
    "DEVICES", "FAVOURITE_SHARE", "FIRST_NAMES", "GENRES", "GENRE_POOL", "GenerateResult",
    "HOURLY", "INTERACTION_MIX", "LABELS", "LAST_NAMES", "Lines", "MAX_LIBRARY", "MOODS",
    "PARALLEL_MIN_ROWS", "PLAYLIST_WORDS", "POWER_LIBRARY_ALPHA", "POWER_LIBRARY_SHARE",
    "POWER_USER_EVERY", "Progress", "REGIONAL_GENRES", "SCALE_1", "SESSION_TYPES", "SKIP_REASONS",
    "STYLE_GENRES", "TABLES", "TableLoad", "WORDS", "external_id", "generate", "plan_counts",
]

if TYPE_CHECKING:
    import psycopg

    from musicdb.render import Report


#: Foreign-key order (parents first): the 20 platform tables in schema.py's dependency order.
#: The generator relies on it: each table's rows use facts (ids, owners, durations, sizes) left
#: by the tables before it.
TABLES: tuple[str, ...] = PLATFORM_TABLES

#: Rows per table at scale 1 (the issue's figures; the rest in proportion).
SCALE_1 = {
    "users": 10_000,
    "artists": 20_000,
    "albums": 40_000,
    "tracks": 200_000,
    "artist_sources": 26_000,
    "album_sources": 48_000,
    "track_sources": 250_000,
    "playlists": 50_000,
    "playlist_tracks": 1_000_000,
    "playlist_collaborators": 15_000,
    "playlist_activities": 200_000,
    "playlist_track_votes": 60_000,
    "playlist_follows": 100_000,
    "user_music_profiles": 10_000,
    "user_library": 200_000,
    "user_interactions": 1_000_000,
    "discovery_sessions": 50_000,
    "discovery_session_tracks": 500_000,
    "user_artist_follows": 100_000,
    "user_album_collections": 100_000,
}


# --- plan ----------------------------------------------------------------------------------------
def plan_counts(
    scale: float,
    *,
    users: int | None = None,
    tracks: int | None = None,
    interactions: int | None = None,
) -> dict[str, int]:
    """Rows per table for *scale*; ``users``/``tracks``/``interactions`` override and pull the
    tables that depend on them along (artists and albums follow tracks; playlists, libraries,
    sessions and follows follow users)."""
    if scale < 0 or not math.isfinite(scale):
        raise UsageError(f"--scale must be a positive number, not {scale}")
    for name, value in (("users", users), ("tracks", tracks), ("interactions", interactions)):
        if value is not None and value < 0:
            raise UsageError(f"--{name} must not be negative")
    u = users if users is not None else round(SCALE_1["users"] * scale)
    t = tracks if tracks is not None else round(SCALE_1["tracks"] * scale)
    if u < 1 or t < 1:
        raise UsageError("the plan needs at least one user and one track (raise --scale)")
    user_factor = u / SCALE_1["users"]
    track_factor = t / SCALE_1["tracks"]
    counts: dict[str, int] = {}
    for table, base in SCALE_1.items():
        if table in ("artists", "albums", "artist_sources", "album_sources", "track_sources"):
            factor = track_factor
        else:
            factor = user_factor
        counts[table] = max(1, round(base * factor))
    counts["users"] = u
    counts["user_music_profiles"] = u
    counts["tracks"] = t
    counts["user_interactions"] = (
        interactions
        if interactions is not None
        else round(SCALE_1["user_interactions"] * scale)
    )
    return counts


@dataclass
class TableLoad:
    table: str
    rows: int
    #: generating and copying the rows (the two overlap)
    seconds: float
    #: rebuilding the table's indexes and validating its foreign keys (bulk load only)
    index_seconds: float = 0.0

    @property
    def rows_per_s(self) -> float:
        return self.rows / self.seconds if self.seconds > 0 else 0.0


@dataclass
class GenerateResult:
    """What a run loaded, and how fast."""

    database: str
    seed: int
    until: dt.date
    append: bool
    tables: list[TableLoad] = field(default_factory=list)
    load_seconds: float = 0.0
    index_seconds: float = 0.0
    analyze_seconds: float = 0.0
    refresh_seconds: float = 0.0
    total_seconds: float = 0.0

    @property
    def rows(self) -> int:
        return sum(t.rows for t in self.tables)

    @property
    def load_rows_per_s(self) -> float:
        return self.rows / self.load_seconds if self.load_seconds > 0 else 0.0

    @property
    def overall_rows_per_s(self) -> float:
        return self.rows / self.total_seconds if self.total_seconds > 0 else 0.0

    def report(self) -> Report:
        from musicdb.render import Column, Report

        rows: list[dict[str, Any]] = [
            {"table": t.table, "rows": t.rows, "seconds": t.seconds, "rows_per_s": t.rows_per_s,
             "index_seconds": t.index_seconds}
            for t in self.tables
        ]
        rows.append(
            {"table": "(load, all tables)", "rows": self.rows, "seconds": self.load_seconds,
             "rows_per_s": self.load_rows_per_s, "index_seconds": self.index_seconds}
        )
        rows.append(
            {"table": "(overall, with ANALYZE and view refresh)", "rows": self.rows,
             "seconds": self.total_seconds, "rows_per_s": self.overall_rows_per_s,
             "index_seconds": self.index_seconds}
        )
        return Report(
            name="generate",
            title=f"Generated data in {self.database}",
            columns=[
                Column("table", "table"),
                Column("rows", "rows", "count"),
                Column("seconds", "seconds", "number"),
                Column("rows_per_s", "rows/s", "count"),
                Column("index_seconds", "index/FK seconds", "number"),
            ],
            rows=rows,
            notes=[
                f"seed {self.seed}, timestamps over the 365 days before {self.until}",
                f"indexes and foreign keys {self.index_seconds:.2f} s, ANALYZE "
                f"{self.analyze_seconds:.2f} s, view refresh {self.refresh_seconds:.2f} s",
            ],
            meta={
                "seed": self.seed,
                "until": self.until.isoformat(),
                "append": self.append,
                "rows": self.rows,
                "load_seconds": self.load_seconds,
                "index_seconds": self.index_seconds,
                "analyze_seconds": self.analyze_seconds,
                "refresh_seconds": self.refresh_seconds,
                "total_seconds": self.total_seconds,
                "load_rows_per_s": self.load_rows_per_s,
                "overall_rows_per_s": self.overall_rows_per_s,
            },
        )


Progress = progress_api.Progress  # the library's one progress interface


# --- running -------------------------------------------------------------------------------------
def _is_at_head(conn: psycopg.Connection[Any]) -> tuple[bool, tuple[str, ...], tuple[str, ...]]:
    from musicdb import migrate

    current = migrate.current_revisions(conn)
    heads = migrate.heads()
    return set(current) == set(heads), current, heads


def _max_ids(conn: psycopg.Connection[Any]) -> dict[str, int]:
    from psycopg import sql

    out = {}
    for table in TABLES:
        row = conn.execute(
            sql.SQL("SELECT coalesce(max(id), 0) FROM {}").format(sql.Identifier(table))
        ).fetchone()
        out[table] = int(row[0]) if row else 0
    return out


def _non_empty(conn: psycopg.Connection[Any]) -> list[str]:
    from psycopg import sql

    found = []
    for table in TABLES:
        row = conn.execute(
            sql.SQL("SELECT EXISTS (SELECT 1 FROM {})").format(sql.Identifier(table))
        ).fetchone()
        if row and row[0]:
            found.append(table)
    return found


@dataclass
class _Deferred:
    """Secondary indexes and foreign keys set aside for a bulk load (restored before commit)."""

    indexes: list[tuple[str, str, str]]  # (table, name, CREATE INDEX ...) from pg_get_indexdef
    foreign_keys: list[tuple[str, str, str]]  # (table, name, definition)


_SECONDARY_INDEXES = """
SELECT t.relname, i.relname, pg_get_indexdef(i.oid)
FROM pg_index AS x
JOIN pg_class AS i ON i.oid = x.indexrelid
JOIN pg_class AS t ON t.oid = x.indrelid
JOIN pg_namespace AS n ON n.oid = t.relnamespace
WHERE n.nspname = current_schema() AND t.relname = ANY(%s)
  AND NOT EXISTS (SELECT 1 FROM pg_constraint AS c WHERE c.conindid = i.oid)
ORDER BY t.relname, i.relname
"""

_FOREIGN_KEYS = """
SELECT t.relname, c.conname, pg_get_constraintdef(c.oid)
FROM pg_constraint AS c
JOIN pg_class AS t ON t.oid = c.conrelid
JOIN pg_namespace AS n ON n.oid = t.relnamespace
WHERE c.contype = 'f' AND n.nspname = current_schema() AND t.relname = ANY(%s)
ORDER BY t.relname, c.conname
"""


def _defer_checks(conn: psycopg.Connection[Any]) -> _Deferred:
    """Drop the secondary indexes and foreign keys of the (empty) tables, inside the load's
    transaction: PostgreSQL's own advice for populating a database. Building an index once over
    the loaded rows is faster than growing it row by row, and one validating join per foreign
    key replaces a trigger query per row. A failure rolls the drops back with the load."""
    from psycopg import sql

    tables = list(TABLES)
    # a partitioned table's index prints as ``ON ONLY``: rebuilt without it, on every partition
    indexes = [(r[0], r[1], r[2].replace(" ON ONLY ", " ON ", 1))
               for r in conn.execute(_SECONDARY_INDEXES, (tables,))]
    fks = [(r[0], r[1], r[2]) for r in conn.execute(_FOREIGN_KEYS, (tables,)).fetchall()]
    for table, name, _definition in fks:
        conn.execute(
            sql.SQL("ALTER TABLE {} DROP CONSTRAINT {}").format(
                sql.Identifier(table), sql.Identifier(name)
            )
        )
    for _table, name, _definition in indexes:
        conn.execute(sql.SQL("DROP INDEX {}").format(sql.Identifier(name)))
    return _Deferred(indexes, fks)


def _restore_checks(conn: psycopg.Connection[Any], deferred: _Deferred, table: str) -> None:
    """Recreate what :func:`_defer_checks` dropped on *table*, from the catalog's own
    definitions. Called as soon as *table* is loaded (its parents were loaded before it), so the
    server builds these while the rows of the next tables are being generated."""
    from psycopg import sql

    for owner, _name, definition in deferred.indexes:
        if owner == table:
            conn.execute(sql.SQL(definition))  # type: ignore[arg-type]  # catalog text
    for owner, name, definition in deferred.foreign_keys:
        if owner == table:
            conn.execute(
                sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} ").format(
                    sql.Identifier(owner), sql.Identifier(name)
                )
                + sql.SQL(definition)  # type: ignore[arg-type]
            )


# --- a second process for the rows ---------------------------------------------------------------
#: Plans of at least this many rows are generated in a second process while this one streams
#: them to the server, so that Python and the server work at the same time; smaller plans are not
#: worth starting a process for. Either way the rows are the same.
PARALLEL_MIN_ROWS = 200_000
#: Chunks the second process may run ahead (while the server builds a table's indexes).
_QUEUE_CHUNKS = 96
_FAILED = 0xFFFFFFFF


def _produce(send: Any, counts: dict[str, int], offsets: dict[str, int], seed: int,
             until: dt.date) -> None:
    """The second process: every table's COPY chunks in :data:`TABLES` order, each sent as a
    4-byte row count followed by the UTF-8 text; an empty message ends a table."""
    try:
        gen = _Generator(counts, offsets, seed, until)
        for table in TABLES:
            for text, n in gen.rows(table):
                send.send_bytes(n.to_bytes(4, "little") + text.encode())
            send.send_bytes(b"")
    except BaseException as exc:  # reported to the loading process, which raises it
        send.send_bytes(_FAILED.to_bytes(4, "little") + f"{type(exc).__name__}: {exc}".encode())
    finally:
        send.close()


class _RowSource:
    """COPY chunks per table, from this process or from a second one."""

    def __init__(self, counts: dict[str, int], offsets: dict[str, int], seed: int,
                 until: dt.date, parallel: bool) -> None:
        self.gen: _Generator | None = None
        self.proc: Any = None
        if not parallel:
            self.gen = _Generator(counts, offsets, seed, until)
            return
        import multiprocessing
        import queue
        import threading

        # spawn, not fork: this process holds a server connection and may run a progress thread
        ctx = multiprocessing.get_context("spawn")
        recv, send = ctx.Pipe(duplex=False)
        self.proc = ctx.Process(target=_produce, args=(send, counts, offsets, seed, until),
                                name="musicdb generate rows", daemon=True)
        self.proc.start()
        send.close()
        self.queue: queue.Queue[bytes | None] = queue.Queue(maxsize=_QUEUE_CHUNKS)
        self.closing = threading.Event()
        # a thread keeps reading the pipe, so the other process never waits for this one
        self.reader = threading.Thread(target=self._drain, args=(recv,), daemon=True)
        self.reader.start()

    def _drain(self, recv: Any) -> None:
        import queue

        try:
            while not self.closing.is_set():
                message: bytes | None = recv.recv_bytes()
                while True:
                    try:
                        self.queue.put(message, timeout=0.2)
                        break
                    except queue.Full:
                        if self.closing.is_set():
                            return
        except (EOFError, OSError):
            self.queue.put(None)
        finally:
            recv.close()

    def rows(self, table: str) -> Iterator[tuple[str | memoryview, int]]:
        if self.gen is not None:
            yield from self.gen.rows(table)
            return
        while True:
            message = self.queue.get()
            if message is None:
                raise MusicdbError("the process generating rows ended unexpectedly")
            if not message:
                return
            n = int.from_bytes(message[:4], "little")
            if n == _FAILED:
                raise MusicdbError(f"generating rows failed: {message[4:].decode()}")
            yield memoryview(message)[4:], n

    def close(self) -> None:
        if self.proc is None:
            return
        self.closing.set()
        if self.proc.is_alive():
            self.proc.terminate()
        self.proc.join(timeout=10)
        self.reader.join(timeout=10)


def generate(
    target: DatabaseTarget,
    *,
    scale: float = 1.0,
    users: int | None = None,
    tracks: int | None = None,
    interactions: int | None = None,
    seed: int | None = None,
    until: dt.date | None = None,
    append: bool = False,
    analyze: bool = True,
    parallel: bool | None = None,
    progress: Progress | progress_api.Notify | None = None,
) -> GenerateResult:
    """Load synthetic data into *target* (at head; empty unless *append*); return what it did.

    *parallel*: generate the rows in a second process (default: for plans of at least
    :data:`PARALLEL_MIN_ROWS` rows); the rows do not depend on it.

    On an empty database everything happens in one transaction, table by table: ``COPY ...
    FREEZE`` into the table (truncated first, so the rows are written frozen and no later pass
    rewrites their hint bits), then its indexes and foreign keys, then ``ANALYZE``, while the
    next tables' rows are being generated; the popularity view is refreshed in the same
    transaction once its tables are in. ``append`` copies into the live tables with their
    indexes and checks, then analyzes and refreshes after the commit."""
    from psycopg import sql

    progress = as_progress(progress)
    counts = plan_counts(scale, users=users, tracks=tracks, interactions=interactions)
    if seed is None:
        seed = random.SystemRandom().randrange(1, 2**31)
    until = until or dt.datetime.now(dt.UTC).date()
    if parallel is None:
        parallel = sum(counts.values()) >= PARALLEL_MIN_ROWS
    started = time.perf_counter()
    with db.advisory_lock(target, locks.GENERATE, what="generate",
                          hint="another musicdb generate is loading this database"):
        conn = db.connect(target, autocommit=False, application_name="musicdb generate")
        source: _RowSource | None = None
        try:
            at_head, current, heads = _is_at_head(conn)
            if not at_head:
                raise MusicdbError(
                    f"{target.display} is not at head (current: {', '.join(current) or 'base'}; "
                    f"head: {', '.join(heads)}); run `musicdb migrate up` first"
                )
            busy = _non_empty(conn)
            if busy and not append:
                raise MusicdbError(
                    f"{target.display} already holds data ({', '.join(busy[:4])}"
                    f"{', ...' if len(busy) > 4 else ''}); pass --append to add to it"
                )
            offsets = _max_ids(conn)
            result = GenerateResult(target.display, seed, until, append)
            source = _RowSource(counts, offsets, seed, until, parallel)
            load_start = time.perf_counter()
            bulk = not busy
            deferred = None
            names = sql.SQL(", ").join(map(sql.Identifier, TABLES))
            if bulk:
                # the tables are empty; locked, re-checked, then truncated in this transaction,
                # which is what lets COPY write frozen rows
                conn.execute(sql.SQL("LOCK TABLE {} IN ACCESS EXCLUSIVE MODE").format(names))
                busy = _non_empty(conn)
                if busy:
                    raise MusicdbError(f"{target.display} received rows while generate started "
                                       f"({', '.join(busy[:4])}); nothing was loaded")
                # big sorts for the index builds stay in memory (this transaction only)
                conn.execute("SET LOCAL maintenance_work_mem = '512MB'")
                conn.execute(sql.SQL("TRUNCATE {}").format(names))
            # user_interactions: a partition for every month the events fall in
            from musicdb.partitions.upkeep import prepare_load

            prepare_load(conn, until - dt.timedelta(days=365), until)
            if bulk:
                deferred = _defer_checks(conn)
            view_refreshed = False
            partitioned = {r[0] for r in conn.execute(
                "SELECT c.relname FROM pg_catalog.pg_class AS c WHERE c.relkind = 'p' "
                "AND c.relnamespace = 'public'::regnamespace").fetchall()}
            with conn.cursor() as cur:
                for table in TABLES:
                    progress.start(table, total=counts[table], unit="rows")
                    t0 = time.perf_counter()
                    copy_sql = sql.SQL("COPY {} ({}) FROM STDIN{}").format(
                        sql.Identifier(table),
                        sql.SQL(", ").join(map(sql.Identifier, _Generator.columns(table))),
                        # COPY FREEZE is refused on a partitioned table (user_interactions)
                        sql.SQL(" (FREEZE)" if bulk and table not in partitioned else ""),
                    )
                    loaded = 0
                    with cur.copy(copy_sql) as copy:
                        for text, n in source.rows(table):
                            copy.write(text)
                            loaded += n
                            progress.advance(n)
                    load = TableLoad(table, loaded, time.perf_counter() - t0)
                    result.tables.append(load)
                    if deferred is None:
                        continue
                    t0 = time.perf_counter()
                    progress.note("indexes and constraints")
                    _restore_checks(conn, deferred, table)
                    load.index_seconds = time.perf_counter() - t0
                    result.index_seconds += load.index_seconds
                    if analyze:
                        t0 = time.perf_counter()
                        progress.note("ANALYZE")
                        cur.execute(sql.SQL("ANALYZE {}").format(sql.Identifier(table)))
                        result.analyze_seconds += time.perf_counter() - t0
                    if table == _VIEW_NEEDS:
                        progress.note("REFRESH MATERIALIZED VIEW mv_track_popularity")
                        result.refresh_seconds = _refresh_view(conn, analyze)
                        view_refreshed = True
                # ids were given explicitly: move each identity past the largest one
                for table in TABLES:
                    cur.execute(
                        sql.SQL(
                            "SELECT setval(pg_get_serial_sequence(%s, 'id'), "
                            "greatest((SELECT max(id) FROM {}), 1))"
                        ).format(sql.Identifier(table)),
                        (table,),
                    )
            conn.commit()
            result.load_seconds = time.perf_counter() - load_start
            conn.autocommit = True
            if analyze and deferred is None:
                progress.start("ANALYZE", total=len(TABLES), unit="tables")
                t0 = time.perf_counter()
                for table in TABLES:
                    conn.execute(sql.SQL("ANALYZE {}").format(sql.Identifier(table)))
                    progress.advance()
                result.analyze_seconds = time.perf_counter() - t0
            if not view_refreshed:
                progress.start("refresh mv_track_popularity")
                result.refresh_seconds = _refresh_view(conn, analyze)
        finally:
            if source is not None:
                source.close()
            conn.close()
    result.total_seconds = time.perf_counter() - started
    return result


#: The last table the popularity view reads (tracks LEFT JOIN user_interactions).
_VIEW_NEEDS = "user_interactions"


def _refresh_view(conn: psycopg.Connection[Any], analyze: bool) -> float:
    t0 = time.perf_counter()
    conn.execute("REFRESH MATERIALIZED VIEW mv_track_popularity")
    if analyze:
        conn.execute("ANALYZE mv_track_popularity")
    return time.perf_counter() - t0
