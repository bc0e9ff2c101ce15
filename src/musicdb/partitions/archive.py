"""Retiring old months of ``user_interactions`` (archive, detach, drop) and restoring an archive.

An archive is two files in the archive directory: ``user_interactions_pYYYYMM.copy.gz`` (the
month's rows as ``COPY ... TO STDOUT`` text, gzip-compressed) and beside it
``user_interactions_pYYYYMM.copy.gz.json``, its manifest: the table, the partition and its bounds,
the columns, the number of rows and the SHA-256 of the compressed file. The archive is written
to a temporary name, read back (checksum and row count) and only then renamed into place; a
month whose archive failed is never dropped.

Retiring a month: archive it (optional), ``DETACH PARTITION ... CONCURRENTLY`` when the server
can (PostgreSQL 14+, and no default partition: PostgreSQL refuses CONCURRENTLY then) else a plain
DETACH under ``lock_timeout`` (a catalog change), rename the detached table
``user_interactions_retired_pYYYYMM`` (so nothing mistakes it for a month), check that it still
holds the archived rows, drop it. A retired table a kill left behind is finished by the next run.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from psycopg import sql

from musicdb import db, locks
from musicdb.errors import MusicdbError, UsageError
from musicdb.partitions import DEFAULT_LOCK_TIMEOUT_MS, TABLE, add_months, month_of, month_partition
from musicdb.partitions import catalog as cat
from musicdb.partitions.upkeep import require_partitioned
from musicdb.progress import Progress, as_progress

if TYPE_CHECKING:
    import psycopg

    from musicdb.config import DatabaseTarget
    from musicdb.render import Report

RETIRED_PREFIX = f"{TABLE}_retired_"
SUFFIX = ".copy.gz"
MANIFEST_SUFFIX = ".json"
_CHUNK = 1 << 20


@dataclass
class Retired:
    partition: str
    lower: dt.datetime | None
    upper: dt.datetime | None
    outcome: str  # retired | failed
    rows: int | None = None
    archive: str | None = None
    sha256: str | None = None
    detach: str = ""
    message: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"partition": self.partition, "from": self.lower, "to": self.upper,
                "outcome": self.outcome, "rows": self.rows, "archive": self.archive,
                "sha256": self.sha256, "detach": self.detach,
                "message": self.message}


@dataclass
class RetireResult:
    cutoff: dt.datetime
    months: list[Retired] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return any(m.outcome == "failed" for m in self.months)

    def summary(self) -> str:
        done = sum(m.outcome == "retired" for m in self.months)
        text = f"partitions retire: {done} partition(s) before {self.cutoff:%Y-%m-%d} retired"
        return text + "".join(f"; {m.partition} kept: {m.message}" for m in self.months
                              if m.outcome == "failed")

    def to_report(self) -> Report:
        from musicdb.render import Column, Report

        return Report(
            name="partitions-retire", title=self.summary(),
            columns=[Column("partition", "partition"), Column("from", "from", "timestamp"),
                     Column("to", "to", "timestamp"), Column("outcome", "outcome"),
                     Column("rows", "rows", "count"), Column("archive", "archive"),
                     Column("sha256", "sha256", table=False), Column("detach", "detach"),
                     Column("message", "message", wrap=True)],
            rows=[m.as_dict() for m in self.months],
            meta={"cutoff": self.cutoff.isoformat(), "failed": self.failed},
        )


def candidates(conn: psycopg.Connection[Any], older_than_months: int) -> tuple[dt.datetime,
                                                                              list[cat.Partition]]:
    """The cutoff (first day of the month *older_than_months* before the current one) and the
    partitions wholly before it, oldest first (retired tables a kill left behind included)."""
    if older_than_months < 1:
        raise UsageError("--older-than must be at least 1 month")
    cutoff = cat.retention_cutoff(conn, older_than_months)
    old = cat.wholly_before(cat.partitions(conn), cutoff)
    left = conn.execute(
        "SELECT relname FROM pg_catalog.pg_class WHERE relkind = 'r' AND NOT relispartition "
        "AND relnamespace = 'public'::regnamespace AND starts_with(relname, %s) ORDER BY 1",
        (RETIRED_PREFIX,)).fetchall()
    for (name,) in left:
        month = month_of(name)
        bounds = (cat.as_datetime(month), cat.as_datetime(add_months(month, 1))) if month else (
            None, None)
        old.append(cat.Partition(name, *bounds))
    return cutoff, old


def _copy_out(conn: psycopg.Connection[Any], name: str, cols: sql.Composable, path: Path,
              shown: Progress) -> tuple[int, str]:
    """COPY the table *name* into a gzip file at *path*: (rows, sha256 of the file)."""
    rows = 0
    with path.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as out:
        with conn.cursor() as cur, cur.copy(sql.SQL("COPY (SELECT {} FROM ONLY {}) TO STDOUT")
                                            .format(cols, sql.Identifier(name))) as copy:
            for data in copy:
                out.write(data)
                n = bytes(data).count(b"\n")
                rows += n
                shown.advance(n)
        raw.flush()
        os.fsync(raw.fileno())
    return rows, file_sha256(path)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _count_lines(path: Path) -> int:
    count = 0
    with gzip.open(path, "rb") as f:
        while chunk := f.read(_CHUNK):
            count += chunk.count(b"\n")
    return count


def _archive(conn: psycopg.Connection[Any], part: cat.Partition, source: str, directory: Path,
             shown: Progress) -> Retired:
    """Write and verify the archive of *source* (the partition, or its retired table)."""
    name = part.name
    if name.startswith(RETIRED_PREFIX):
        name = f"{TABLE}_{name.removeprefix(RETIRED_PREFIX)}"
    final = directory / f"{name}{SUFFIX}"
    temp = directory / f".{name}{SUFFIX}.partial"
    col_names = cat.column_names(conn)
    cols = cat.columns(conn)
    shown.start(f"archive {name}", total=part.rows_estimate, unit="rows")
    rows, digest = _copy_out(conn, source, cols, temp, shown)
    if _count_lines(temp) != rows or file_sha256(temp) != digest:
        raise MusicdbError(f"{temp}: the archive read back does not match what was written")
    manifest = {"table": TABLE, "partition": name,
                "from": part.lower.isoformat() if part.lower else None,
                "to": part.upper.isoformat() if part.upper else None,
                "columns": col_names, "rows": rows, "sha256": digest,
                "format": "postgresql copy text, gzip"}
    man_temp = directory / f".{name}{SUFFIX}{MANIFEST_SUFFIX}.partial"
    man_temp.write_text(json.dumps(manifest, indent=2) + "\n")
    os.replace(temp, final)
    os.replace(man_temp, directory / f"{name}{SUFFIX}{MANIFEST_SUFFIX}")
    return Retired(name, part.lower, part.upper, "retired", rows, str(final), digest)


def _detach(conn: psycopg.Connection[Any], part: cat.Partition, lock_timeout_ms: int) -> str:
    """Detach *part* and rename it retired: how it was detached."""
    retired = RETIRED_PREFIX + part.name.removeprefix(TABLE + "_")
    has_default = cat.default_partition(cat.partitions(conn)) is not None
    db.set_timeouts(conn, lock_timeout_ms=lock_timeout_ms)
    try:
        if part.detach_pending:
            conn.execute(sql.SQL("ALTER TABLE {} DETACH PARTITION {} FINALIZE").format(
                sql.Identifier(TABLE), sql.Identifier(part.name)))
            how = "concurrently (finalized)"
        elif db.server_version_num(conn) >= 140000 and not has_default:
            # CONCURRENTLY: not in a transaction block (this connection is autocommit)
            conn.execute(sql.SQL("ALTER TABLE {} DETACH PARTITION {} CONCURRENTLY").format(
                sql.Identifier(TABLE), sql.Identifier(part.name)))
            how = "concurrently"
        else:
            conn.execute(sql.SQL("ALTER TABLE {} DETACH PARTITION {}").format(
                sql.Identifier(TABLE), sql.Identifier(part.name)))
            how = "plain (a default partition exists)" if has_default else "plain"
        conn.execute(sql.SQL("ALTER TABLE {} RENAME TO {}").format(
            sql.Identifier(part.name), sql.Identifier(retired)))
    finally:
        conn.execute("RESET lock_timeout")
    return how


def retire(
    target: DatabaseTarget,
    older_than_months: int,
    *,
    archive_dir: str | os.PathLike[str] | None = None,
    lock_timeout_ms: int = DEFAULT_LOCK_TIMEOUT_MS,
    progress: Progress | Callable[[str], None] | None = None,
) -> RetireResult:
    """Retire every partition wholly older than *older_than_months* months (see the module)."""
    shown = as_progress(progress)
    directory = Path(archive_dir) if archive_dir is not None else None
    if directory is not None:
        try:
            directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise MusicdbError(f"cannot use the archive directory {directory}: {exc.strerror}"
                               ) from exc
    with db.connect(target, application_name="musicdb partitions retire") as conn:
        db.require_primary(conn, "partitions retire")
        require_partitioned(conn)
        with db.advisory_lock(target, locks.PARTITIONS, what="partitions", conn=conn):
            cutoff, old = candidates(conn, older_than_months)
            result = RetireResult(cutoff)
            for part in old:
                leftover = part.name.startswith(RETIRED_PREFIX)
                entry = Retired(part.name, part.lower, part.upper, "retired")
                try:
                    if directory is not None:
                        entry = _archive(conn, part, part.name, directory, shown)
                    entry.detach = "earlier run" if leftover else _detach(conn, part,
                                                                          lock_timeout_ms)
                    retired = part.name if leftover else (
                        RETIRED_PREFIX + part.name.removeprefix(TABLE + "_"))
                    if directory is not None and cat.count(conn, retired) != entry.rows:
                        # rows arrived between the archive and the detach: archive again
                        entry = _archive(conn, part, retired, directory, shown)
                    elif directory is None:
                        entry.rows = part.rows_estimate  # no archive: the planner's estimate
                    conn.execute(sql.SQL("DROP TABLE {}").format(sql.Identifier(retired)))
                except Exception as exc:
                    message = getattr(exc, "message", None) or db.describe_error(exc) or str(exc)
                    entry.outcome, entry.message = "failed", message
                    result.months.append(entry)
                    break  # the months after it stay: retiring goes oldest first
                entry.partition = part.name
                result.months.append(entry)
    return result


# -- restore --------------------------------------------------------------------------------------
@dataclass
class Restored:
    partition: str
    rows: int
    file: str

    def to_report(self) -> Report:
        from musicdb.render import Column, Report

        return Report(
            name="partitions-restore",
            title=f"partitions restore: {self.rows} row(s) back in {self.partition}",
            columns=[Column("partition", "partition"), Column("rows", "rows", "count"),
                     Column("file", "file")],
            rows=[{"partition": self.partition, "rows": self.rows, "file": self.file}],
        )


def read_manifest(path: Path) -> dict[str, Any]:
    manifest_path = path.with_name(path.name + MANIFEST_SUFFIX)
    try:
        manifest = json.loads(manifest_path.read_text())
    except FileNotFoundError as exc:
        raise UsageError(f"{path}: no manifest {manifest_path.name} beside it") from exc
    except (OSError, ValueError) as exc:
        raise UsageError(f"{manifest_path}: not a readable archive manifest ({exc})") from exc
    keys = {"table", "partition", "from", "to", "columns", "rows", "sha256"}
    if not isinstance(manifest, dict) or not keys <= manifest.keys() or manifest["table"] != TABLE:
        raise UsageError(f"{manifest_path}: not a {TABLE} archive manifest")
    return manifest


def restore(
    target: DatabaseTarget,
    file: str | os.PathLike[str],
    *,
    lock_timeout_ms: int = DEFAULT_LOCK_TIMEOUT_MS,
    progress: Progress | Callable[[str], None] | None = None,
) -> Restored:
    """Load an archive back as its month's partition (checksum and row count verified first)."""
    shown = as_progress(progress)
    path = Path(file)
    if not path.is_file():
        raise UsageError(f"{path}: no such archive file")
    manifest = read_manifest(path)
    if file_sha256(path) != manifest["sha256"]:
        raise MusicdbError(f"{path}: checksum mismatch (the file is not the archive its "
                           "manifest describes); nothing restored")
    lower = dt.datetime.fromisoformat(manifest["from"]) if manifest["from"] else None
    upper = dt.datetime.fromisoformat(manifest["to"]) if manifest["to"] else None
    if upper is None:
        raise UsageError(f"{path}: the archive has no upper bound")
    name = month_partition(lower.date()) if lower is not None else manifest["partition"]
    with db.connect(target, application_name="musicdb partitions restore") as conn:
        db.require_primary(conn, "partitions restore")
        require_partitioned(conn)
        with db.advisory_lock(target, locks.PARTITIONS, what="partitions", conn=conn):
            far = dt.datetime(1, 1, 1)
            clash = next((p for p in cat.partitions(conn)
                          if p.overlaps(lower or far, upper)), None)
            if clash is not None:
                raise MusicdbError(f"{path}: {clash.name} already covers part of "
                                   f"{manifest['from']} .. {manifest['to']}; nothing restored")
            if cat.exists(conn, name):
                raise MusicdbError(f"{path}: a table {name} exists already; nothing restored")
            cols = sql.SQL(", ").join(map(sql.Identifier, manifest["columns"]))
            shown.start(f"restore {name}", total=manifest["rows"], unit="rows")
            with conn.transaction():
                cat.create_standalone(conn, name, lower or far, upper)
                if lower is None:
                    cat.add_bound_check(conn, name, None, upper, valid=True)
                with conn.cursor() as cur, cur.copy(sql.SQL("COPY {} ({}) FROM STDIN").format(
                        sql.Identifier(name), cols)) as copy, gzip.open(path, "rb") as f:
                    while chunk := f.read(_CHUNK):
                        copy.write(chunk)
                        shown.advance(chunk.count(b"\n"))
                rows = cat.count(conn, name)
                if rows != manifest["rows"]:
                    raise MusicdbError(f"{path}: {rows} row(s) read, the manifest says "
                                       f"{manifest['rows']}; nothing restored")
                db.set_timeouts(conn, lock_timeout_ms=lock_timeout_ms, local=True)
                cat.attach(conn, name, lower, upper)
                cat.drop_bound_check(conn, name)
    return Restored(name, rows, str(path))
