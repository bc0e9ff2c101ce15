"""``health-check``: the database's health as a list of checks, each ok/warning/critical/unknown.

Checks are data (:class:`Check`): a stable name, a status, a one-line message and details with raw
values. The worst status wins, in the order ok < unknown < warning < critical, so a check that
could not run never hides a real problem; the exit code follows the Nagios convention (0 ok,
1 warning, 2 critical, 3 unknown). A check that cannot run (no privilege, no extension, no
CREATEDB for the drift check) is *unknown* with the reason, never a crash.

Thresholds have defaults (:class:`Thresholds`, in :mod:`musicdb.ops.health_thresholds`), and can be
set from the environment (``MUSICDB_HEALTH_<NAME>``, e.g. ``MUSICDB_HEALTH_VIEW_STALE_WARNING=2d``)
and, over that, by options (``--threshold view_stale_warning=2d``).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from musicdb import db
from musicdb.config import DatabaseTarget
from musicdb.errors import MusicdbError, UsageError
from musicdb.ops.health_checks import (
    CHECK_LOCK_TIMEOUT_MS,
    CHECK_STATEMENT_TIMEOUT_MS,
    CHECKS,
    CRITICAL,
    EXIT_CODES,
    OK,
    OWN_CONNECTIONS,
    SEVERITY,
    STATUSES,
    UNKNOWN,
    WARNING,
    CannotRun,
    Check,
    Context,
    OtherRole,
    check,
    worst,
)
from musicdb.ops.health_thresholds import Thresholds

#: The public names, including those of the checks module.
__all__ = [
    "CHECKS", "CHECK_LOCK_TIMEOUT_MS", "CHECK_NAMES", "CHECK_STATEMENT_TIMEOUT_MS", "CRITICAL",
    "CannotRun", "Check", "CheckList", "Context", "EXIT_CODES", "HealthResult", "OK", "OtherRole",
    "SEVERITY", "STATUSES", "Thresholds", "UNKNOWN", "WARNING", "check", "describe_checks",
    "run_checks", "select_checks", "worst",
]

if TYPE_CHECKING:
    from musicdb.render import Report
    from musicdb.reports import CatalogFacts


# -- the whole run ---------------------------------------------------------------------------------
@dataclass
class HealthResult:
    database: str
    checks: list[Check]
    thresholds: Thresholds
    server_version: str | None = None
    generated_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))

    @property
    def status(self) -> str:
        """The worst status, leaving out the checks meant for the other role (see OtherRole)."""
        return worst(c.status for c in self.checks if not c.details.get("other_role"))

    @property
    def exit_code(self) -> int:
        return EXIT_CODES[self.status]

    def counts(self) -> dict[str, int]:
        return {s: sum(1 for c in self.checks if c.status == s) for s in STATUSES}

    def summary(self) -> str:
        """One line in the Nagios manner: status, counts, and the checks that are not ok."""
        counts = self.counts()
        parts = ", ".join(f"{counts[s]} {s}" for s in STATUSES)
        bad = sorted((c for c in self.checks
                      if c.status != OK and not c.details.get("other_role")),
                     key=lambda c: -SEVERITY[c.status])
        line = f"MUSICDB {self.status.upper()} - {parts}"
        if bad:
            line += ": " + "; ".join(f"{c.name} {c.status}: {c.message}" for c in bad[:3])
            if len(bad) > 3:
                line += f"; and {len(bad) - 3} more"
        return line

    def to_report(self) -> Report:
        from musicdb.render import Column, Report

        return Report(
            name="health_check",
            title=f"Health: {self.status.upper()}",
            columns=[
                Column("check", "check"),
                Column("status", "status"),
                Column("message", "message"),
                Column("details", "details", table=False),
                Column("duration_ms", "time", "ms"),
            ],
            rows=[c.as_dict() for c in self.checks],
            server_version=self.server_version,
            meta={
                "status": self.status,
                "exit_code": self.exit_code,
                "counts": self.counts(),
                "summary": self.summary(),
                "database": self.database,
                "thresholds": self.thresholds.as_dict(),
            },
            generated_at=self.generated_at,
        )


CHECK_NAMES = ("connectivity", *CHECKS)


def select_checks(only: Sequence[str] = (), skip: Sequence[str] = ()) -> list[str]:
    """The check names to run, in report order; unknown names are a usage error."""
    known = list(CHECK_NAMES)
    for name in (*only, *skip):
        if name not in known:
            raise UsageError(f"unknown check {name!r}; known: {', '.join(known)}")
    chosen = [n for n in known if (not only or n in only) and n not in skip]
    if "connectivity" not in chosen:
        chosen.insert(0, "connectivity")  # every other check needs it
    return chosen


def run_checks(
    target: DatabaseTarget,
    *,
    thresholds: Thresholds | None = None,
    only: Sequence[str] = (),
    skip: Sequence[str] = (),
    statement_timeout_ms: int = CHECK_STATEMENT_TIMEOUT_MS,
    replicas: Sequence[DatabaseTarget] = (),
    facts: CatalogFacts | None = None,
) -> HealthResult:
    """Run the chosen checks; never raises for a check, only for bad arguments. The index
    checks count the scans of *replicas* too.

    With *facts*, the checks run on its connection (left open) and share its catalog facts (and
    its replicas) with the caller: ``musicdb metrics`` exports the figures the checks judge."""
    thresholds = thresholds or Thresholds()
    names = select_checks(only, skip)
    clock = time.perf_counter()
    if facts is not None:
        return _run_on(target, facts, thresholds, names, clock)
    try:
        conn = db.connect(target, application_name="musicdb health-check", connect_timeout=10,
                          lock_timeout_ms=CHECK_LOCK_TIMEOUT_MS,
                          statement_timeout_ms=statement_timeout_ms)
    except MusicdbError as exc:
        checks = [Check("connectivity", CRITICAL, exc.message,
                        duration_ms=(time.perf_counter() - clock) * 1000)]
        checks += [Check(n, UNKNOWN, "not run: no connection") for n in names[1:]]
        return HealthResult(target.display, checks, thresholds)
    from musicdb.reports import CatalogFacts

    with conn:
        return _run_on(target, CatalogFacts(conn, replicas), thresholds, names, clock)


def _run_on(
    target: DatabaseTarget,
    facts: CatalogFacts,
    thresholds: Thresholds,
    names: Sequence[str],
    clock: float,
) -> HealthResult:
    server_version = facts.server_version
    checks = [Check("connectivity", OK, f"connected to PostgreSQL {server_version}",
                    {"server_version_num": facts.server_version_num},
                    (time.perf_counter() - clock) * 1000)]
    ctx = Context(target, facts.conn, thresholds, facts)
    done: dict[str, Check] = {}
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="musicdb-check") as pool:
        beside = {n: pool.submit(_run_one, ctx, n) for n in names[1:] if n in OWN_CONNECTIONS}
        for name in names[1:]:
            if name not in beside:
                done[name] = _run_one(ctx, name)
        for name, future in beside.items():
            done[name] = future.result()
    checks += [done[name] for name in names[1:]]
    return HealthResult(target.display, checks, thresholds, server_version)


def _run_one(ctx: Context, name: str) -> Check:
    fn, _ = CHECKS[name]
    clock = time.perf_counter()
    try:
        result = fn(ctx)
    except OtherRole as exc:
        result = Check(name, UNKNOWN, f"not for this server: {exc}", {"other_role": True})
    except CannotRun as exc:
        result = Check(name, UNKNOWN, f"cannot check: {exc}")
    except MusicdbError as exc:
        result = Check(name, UNKNOWN, f"cannot check: {exc.message}")
    except Exception as exc:
        message = db.describe_error(exc)
        if message is None:
            message = f"{type(exc).__name__}: {exc}"
        result = Check(name, UNKNOWN, f"cannot check: {message}")
    result.duration_ms = (time.perf_counter() - clock) * 1000
    return result


def describe_checks() -> list[tuple[str, str]]:
    return [("connectivity", "the database answers"),
            *((name, desc) for name, (_, desc) in CHECKS.items())]


@dataclass(frozen=True)
class CheckList:
    """What ``health-check --list`` shows: every check, then every threshold with its value."""

    thresholds: Thresholds

    def to_report(self) -> Report:
        from musicdb.render import Column, Report

        rows = [{"kind": "check", "name": name, "description": description, "value": None}
                for name, description in describe_checks()]
        rows += [{"kind": "threshold", "name": name, "description": None, "value": value}
                 for name, value in self.thresholds.as_dict().items()]
        return Report(
            name="health_checks",
            title="Health checks and thresholds",
            columns=[
                Column("kind", "kind"),
                Column("name", "name"),
                Column("description", "description"),
                Column("value", "value"),
            ],
            rows=rows,
        )
