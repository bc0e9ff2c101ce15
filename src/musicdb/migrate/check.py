"""``musicdb migrate check``: drift, the live schema against what its revisions build in a scratch
database (names importable from :mod:`musicdb.migrate`)."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from musicdb import db
from musicdb.config import DatabaseTarget
from musicdb.errors import MusicdbError, NotOnStandby
from musicdb.migrate import (
    DEFAULT_LOCK_TIMEOUT_MS,
    _db_message,
    _quiet,
    _run_alembic,
    current_revisions,
)

if TYPE_CHECKING:
    from alembic.config import Config


@contextmanager
def scratch_database(target: DatabaseTarget, prefix: str = "musicdb_scratch_") -> Iterator[str]:
    """A throwaway empty database on the same server (needs CREATEDB) to compare against; yields
    its URL (:func:`musicdb.db.scratch_database`, worded for the drift check)."""

    def refused(exc: Exception) -> Exception:
        return MusicdbError(
            f"cannot create a scratch database to compare against ({_db_message(exc)}); "
            "the drift check needs the CREATEDB privilege"
        )

    with db.scratch_database(target, prefix=prefix, purpose="the drift check",
                             refused=refused) as scratch:
        yield scratch.conninfo


def expected_snapshot(target: DatabaseTarget, revisions: tuple[str, ...],
                      contracted: tuple[str, ...] = ()) -> dict[str, Any]:
    """The catalog snapshot the migrations build at *revisions* (then the contract revisions
    *contracted*), in a scratch database."""
    from musicdb.migrate import contract, snapshot

    with scratch_database(target) as url:
        scratch = DatabaseTarget(url, "scratch")
        for rev in revisions:
            _run_alembic(scratch, functools.partial(_alembic_upgrade, rev=rev),
                         lock_timeout_ms=DEFAULT_LOCK_TIMEOUT_MS, statement_timeout_ms=None,
                         progress=_quiet)
        for rev in contracted:
            _run_alembic(scratch, functools.partial(_alembic_upgrade, rev=rev),
                         lock_timeout_ms=DEFAULT_LOCK_TIMEOUT_MS, statement_timeout_ms=None,
                         progress=_quiet, config=contract.alembic_config)
        with db.connect(scratch) as conn:
            return snapshot.snapshot(conn)


def _alembic_upgrade(cfg: Config, rev: str) -> None:
    from alembic import command

    command.upgrade(cfg, rev)


def drift(target: DatabaseTarget) -> list[Any]:
    """Every difference between the live schema and what its revision(s) should have built."""
    from musicdb.migrate import contract, snapshot

    with db.connect(target) as conn:
        current = current_revisions(conn)
        contracted = contract.applied(conn)
        actual = snapshot.snapshot(conn)
    expected = expected_snapshot(target, current, contracted)
    # the contract's version table stays (empty) after an undo: book-keeping, not schema
    return list(snapshot.diff(expected, actual, ignore=(contract.VERSION_TABLE,)))


def drift_report(target: DatabaseTarget) -> Any:
    """:func:`drift` as a report (one row per difference)."""
    from musicdb.render import Column, Report

    notes: list[str] = []
    try:
        differences = drift(target)
    except NotOnStandby as exc:
        differences, notes = [], [f"skipped: {exc.message}"]
    rows = [
        {
            "kind": d.kind,
            "name": d.name,
            "change": d.change,
            "expected": d.expected,
            "actual": d.actual,
        }
        for d in differences
    ]
    return Report(
        name="migrate_check",
        title="Schema drift (live database against its migrations)",
        columns=[
            Column("kind", "kind"),
            Column("name", "object"),
            Column("change", "change"),
            Column("expected", "expected", wrap=True),
            Column("actual", "actual", wrap=True),
        ],
        rows=rows,
        notes=notes,
        meta={"skipped": "standby"} if notes else {},
    )
