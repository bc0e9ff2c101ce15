"""``maintain daily|weekly|monthly``: the maintenance schedule as one cron-safe job per schedule.

- daily: premake the partitions of user_interactions (cheap: nothing to do on most days), the
  health check, the slowest statements, the connections;
- weekly: refresh every materialized view, review the indexes;
- monthly: premake the partitions, ``VACUUM (ANALYZE)`` of the tables that need it, review the
  unused indexes.

Each schedule holds a job-level advisory lock of its own (``db.advisory_lock``, tried once): an
overlapping run of the same schedule skips and says so. A step that raises becomes a *failed* step
and the next steps still run; the job fails (exit 1) when a step failed. The daily health check
fails its step only when a check is *critical*; warnings are reported, not failed.
"""

from __future__ import annotations

import datetime as dt
import os
import shlex
import shutil
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from musicdb import db, locks
from musicdb.config import DatabaseTarget
from musicdb.ops import health, maintenance, refresh, vacuum
from musicdb.progress import Progress as Reporter
from musicdb.progress import as_progress

if TYPE_CHECKING:
    from musicdb.render import Report

SCHEDULES: dict[str, tuple[str, ...]] = {
    "daily": ("premake_partitions", "health_check", "slow_queries", "connections"),
    "weekly": ("refresh_views", "index_review"),
    "monthly": ("premake_partitions", "vacuum", "unused_index_review"),
}

#: When the crontab lines run them (minute hour day-of-month month day-of-week), staggered so
#: that the heavier weekly and monthly jobs do not start together with the daily one.
CRON_TIMES = {"daily": "15 3 * * *", "weekly": "45 3 * * 0", "monthly": "30 4 1 * *"}

STEP_STATUSES = ("ok", "warning", "critical", "unknown", "failed", "skipped")

Progress = Reporter | Callable[[str], None]  # see musicdb.progress


@dataclass(frozen=True)
class MaintainOptions:
    thresholds: health.Thresholds = field(default_factory=health.Thresholds)
    skip_checks: tuple[str, ...] = ()
    allow_blocking: bool = False
    min_dead_ratio: float = maintenance.DEFAULT_MIN_DEAD_RATIO
    min_dead_rows: int = maintenance.DEFAULT_MIN_DEAD_ROWS
    lock_timeout_ms: int = maintenance.DEFAULT_LOCK_TIMEOUT_MS
    statement_timeout_ms: int | None = maintenance.DEFAULT_STATEMENT_TIMEOUT_MS
    slow_query_limit: int = 5
    #: replicas whose index scans the index reviews count too
    replicas: tuple[DatabaseTarget, ...] = ()


@dataclass
class Step:
    name: str
    status: str
    message: str
    details: dict[str, Any] = field(default_factory=dict)
    duration_ms: float | None = None

    @property
    def failed(self) -> bool:
        return self.status in ("failed", "critical")

    def as_dict(self) -> dict[str, Any]:
        return {"step": self.name, "status": self.status, "message": self.message,
                "duration_ms": self.duration_ms, "details": self.details}


@dataclass
class MaintainResult:
    schedule: str
    database: str
    outcome: str  # ok | failed | skipped
    steps: list[Step] = field(default_factory=list)
    message: str = ""
    started_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))
    duration_ms: float | None = None

    @property
    def exit_code(self) -> int:
        return 1 if self.outcome == "failed" else 0

    def summary(self) -> str:
        if self.outcome == "skipped":
            return f"maintain {self.schedule}: skipped: {self.message}"
        failed = [s.name for s in self.steps if s.failed]
        text = f"maintain {self.schedule}: {self.outcome}, {len(self.steps)} step(s)"
        if failed:
            text += f", failed: {', '.join(failed)}"
        return text

    def to_report(self) -> Report:
        from musicdb.render import Column, Report

        return Report(
            name="maintain",
            title=f"maintain {self.schedule}: {self.outcome}",
            columns=[
                Column("step", "step"),
                Column("status", "status"),
                Column("duration_ms", "duration", "ms"),
                Column("message", "message"),
                Column("details", "details", table=False),
            ],
            rows=[s.as_dict() for s in self.steps],
            meta={
                "schedule": self.schedule,
                "outcome": self.outcome,
                "exit_code": self.exit_code,
                "summary": self.summary(),
                "message": self.message,
                "database": self.database,
                "started_at": self.started_at.isoformat(),
                "duration_ms": self.duration_ms,
            },
        )


# -- the steps ------------------------------------------------------------------------------------
@dataclass
class RunState:
    """What the steps of one run share: the daily health check's result, which the connections
    step judges the sessions from instead of running those checks a second time."""

    health: health.HealthResult | None = None
    #: where the steps report the object they work on (notes only: the run is the task)
    progress: Progress | None = None


StepFn = Callable[[DatabaseTarget, MaintainOptions, RunState], Step]
SESSION_CHECKS = ("long_transactions", "idle_in_transaction", "blocking")


def _health_check(target: DatabaseTarget, options: MaintainOptions, state: RunState) -> Step:
    result = health.run_checks(target, thresholds=options.thresholds, skip=options.skip_checks)
    state.health = result
    not_ok = [c.as_dict() for c in result.checks if c.status != health.OK]
    for item in not_ok:
        item.pop("details", None)
    return Step("health_check", result.status, result.summary(),
                {"counts": result.counts(), "not_ok": not_ok})


def _premake_partitions(target: DatabaseTarget, options: MaintainOptions,
                        state: RunState) -> Step:
    from musicdb.partitions import conversion, upkeep

    with db.connect(target, application_name="musicdb maintain") as conn:
        partitioned = conversion.is_partitioned(conn)
    if not partitioned:
        return Step("premake_partitions", "skipped", "user_interactions is not partitioned")
    result = upkeep.premake(target, lock_timeout_ms=options.lock_timeout_ms)
    status = {"ok": "ok", "skipped": "skipped"}.get(result.outcome, "failed")
    return Step("premake_partitions", status, result.summary(),
                {"months_ahead": result.months_ahead,
                 "months": [m.as_dict() for m in result.months]})


def _report_connection(target: DatabaseTarget) -> Any:
    return db.connect(target, application_name="musicdb maintain", statement_timeout_ms=30_000)


def _slow_queries(target: DatabaseTarget, options: MaintainOptions, state: RunState) -> Step:
    """The statements with the most total time: the ``analyze-queries`` report's first rows."""
    from musicdb import reports

    with _report_connection(target) as conn:
        try:
            report = reports.analyze_queries(conn, order="total", limit=options.slow_query_limit)
        except reports.ReportUnavailable as exc:
            return Step("slow_queries", "skipped", exc.message)
    top = [{"calls": r.calls, "total_ms": r.total_ms, "mean_ms": r.mean_ms, "rows": r.rows,
            "query": r.query} for r in report.rows]
    if not top:
        return Step("slow_queries", "ok", "no statement recorded yet", {"statements": []})
    first = top[0]
    return Step("slow_queries", "ok",
                f"top {len(top)} statements by total time; first: {first['total_ms']:.0f} ms "
                f"over {first['calls']} calls (musicdb analyze-queries)",
                {"statements": top, "meta": report.report_meta()})


def _connections(target: DatabaseTarget, options: MaintainOptions, state: RunState) -> Step:
    """The ``connection-stats`` report's totals, judged by the session health checks (those of
    this run's health check step when it ran them)."""
    from musicdb import reports

    with _report_connection(target) as conn:
        stats = reports.connection_stats(conn)
    done = {c.name: c for c in state.health.checks} if state.health else {}
    if all(name in done for name in SESSION_CHECKS):
        sessions = [done[name] for name in SESSION_CHECKS]
    else:
        checks = health.run_checks(target, thresholds=options.thresholds, only=SESSION_CHECKS)
        sessions = [c for c in checks.checks if c.name != "connectivity"]
    status = health.worst(c.status for c in sessions)
    states = ", ".join(f"{n} {s}" for s, n in sorted(stats.by_state.items()))
    notes = "; ".join(c.message for c in sessions if c.status != health.OK)
    message = (f"{stats.connections} of {stats.max_connections} connections "
               f"({states})" + (f"; {notes}" if notes else ""))
    return Step("connections", status if status != health.UNKNOWN else "ok", message,
                {**stats.report_meta(),
                 "checks": [{"check": c.name, "status": c.status, "message": c.message}
                            for c in sessions]})


def _refresh_views(target: DatabaseTarget, options: MaintainOptions, state: RunState) -> Step:
    results = refresh.refresh_all_views(
        target, allow_blocking=options.allow_blocking, lock_timeout_ms=options.lock_timeout_ms,
        statement_timeout_ms=options.statement_timeout_ms, progress=state.progress,
    )
    failed = [r for r in results if r.failed]
    items = [{"view": r.view, "outcome": r.outcome, "mode": r.mode, "rows": r.rows,
              "duration_ms": r.duration_ms, "message": r.message} for r in results]
    if not results:
        return Step("refresh_views", "ok", "no materialized view", {"views": []})
    parts = ", ".join(f"{r.view} {r.outcome}" for r in results)
    if failed:
        return Step("refresh_views", "failed",
                    f"{len(failed)} of {len(results)} refresh(es) failed: "
                    + "; ".join(r.message for r in failed), {"views": items})
    return Step("refresh_views", "ok", parts, {"views": items})


def _index_checks(target: DatabaseTarget, options: MaintainOptions, name: str,
                  only: Sequence[str]) -> Step:
    result = health.run_checks(target, thresholds=options.thresholds, only=only,
                               replicas=options.replicas)
    checks = [c for c in result.checks if c.name != "connectivity"]
    status = health.worst(c.status for c in checks)
    return Step(name, status, "; ".join(f"{c.name}: {c.message}" for c in checks),
                {c.name: c.details for c in checks})


def _index_review(target: DatabaseTarget, options: MaintainOptions, state: RunState) -> Step:
    return _index_checks(target, options, "index_review",
                         ("invalid_indexes", "duplicate_indexes", "unused_indexes"))


def _unused_index_review(target: DatabaseTarget, options: MaintainOptions,
                         state: RunState) -> Step:
    return _index_checks(target, options, "unused_index_review", ("unused_indexes",))


def _vacuum(target: DatabaseTarget, options: MaintainOptions, state: RunState) -> Step:
    run = vacuum.vacuum_all(
        target, min_dead_ratio=options.min_dead_ratio, min_dead_rows=options.min_dead_rows,
        lock_timeout_ms=options.lock_timeout_ms, statement_timeout_ms=options.statement_timeout_ms,
        progress=state.progress,
    )
    items = [{"table": r.table, "outcome": r.outcome, "duration_ms": r.duration_ms,
              "dead_rows_before": r.dead_rows_before, "message": r.message}
             for r in run.results]
    if not run.results:
        return Step("vacuum", "ok",
                    f"no table with {run.min_dead_rows}+ dead rows and a dead ratio of "
                    f"{run.min_dead_ratio:.0%}+", {"tables": []})
    failed = [r for r in run.results if r.failed]
    if failed:
        return Step("vacuum", "failed",
                    f"{len(failed)} of {len(run.results)} vacuum(s) failed: "
                    + "; ".join(r.message for r in failed), {"tables": items})
    return Step("vacuum", "ok",
                f"VACUUM (ANALYZE) of {len(run.results)} table(s): "
                + ", ".join(r.table for r in run.results), {"tables": items})


STEPS: dict[str, StepFn] = {
    "health_check": _health_check,
    "slow_queries": _slow_queries,
    "connections": _connections,
    "refresh_views": _refresh_views,
    "premake_partitions": _premake_partitions,
    "index_review": _index_review,
    "vacuum": _vacuum,
    "unused_index_review": _unused_index_review,
}


def _run_step(name: str, target: DatabaseTarget, options: MaintainOptions,
              state: RunState) -> Step:
    clock = time.perf_counter()
    try:
        step = STEPS[name](target, options, state)
    except Exception as exc:
        message = getattr(exc, "message", None) or db.describe_error(exc)
        if message is None:
            message = f"{type(exc).__name__}: {exc}"
        step = Step(name, "failed", message)
    step.duration_ms = (time.perf_counter() - clock) * 1000
    return step


def maintain(
    target: DatabaseTarget,
    schedule: str,
    *,
    options: MaintainOptions | None = None,
    wait_s: float = 0.0,
    progress: Progress | None = None,
) -> MaintainResult:
    """Run *schedule*'s steps under its job lock; an overlapping run skips (outcome skipped)."""
    if schedule not in SCHEDULES:
        from musicdb.errors import UsageError

        raise UsageError(f"unknown schedule {schedule!r}; expected {', '.join(SCHEDULES)}")
    options = options or MaintainOptions()
    clock = time.perf_counter()
    result = MaintainResult(schedule, target.display, "ok")
    lock = locks.maintain_job(schedule)
    with db.advisory_lock(target, lock, wait_s=wait_s, what=f"maintain {schedule}",
                          skip_if_busy=True, progress=progress) as held:
        if not held:
            result.outcome = "skipped"
            result.message = f"another maintain {schedule} run holds the job lock ({lock.label})"
        else:
            shown = as_progress(progress)
            state = RunState(progress=as_progress(shown.note))
            shown.start(f"maintain {schedule}", total=len(SCHEDULES[schedule]), unit="steps")
            for name in SCHEDULES[schedule]:
                shown.note(name)
                result.steps.append(_run_step(name, target, options, state))
                shown.advance()
            if any(s.failed for s in result.steps):
                result.outcome = "failed"
    result.duration_ms = (time.perf_counter() - clock) * 1000
    return result


# -- cron -----------------------------------------------------------------------------------------
def musicdb_command() -> list[str]:
    """The absolute command cron should run, as an argument list (cron's PATH is minimal)."""
    beside = Path(sys.executable).parent / "musicdb"  # the console script of this environment
    if beside.is_file() and os.access(beside, os.X_OK):
        return [str(beside)]
    found = shutil.which("musicdb")
    if found:
        return [found]
    return [sys.executable, "-m", "musicdb"]


def cron_quote(word: str) -> str:
    """*word* as one shell word on a crontab line: shell-quoted, and ``%`` escaped (cron turns an
    unescaped ``%`` into a newline)."""
    return shlex.quote(word).replace("%", "\\%")


def crontab(command: Sequence[str], log_dir: str = "/var/log/musicdb") -> str:
    """Ready-to-paste crontab lines for the three schedules; *command* is the argument list that
    starts musicdb (:func:`musicdb_command`). Every word is quoted, so paths may hold spaces."""
    run = " ".join(cron_quote(word) for word in command)
    lines = [
        "# musicdb maintenance (minute hour day-of-month month day-of-week).",
        "# The database comes from the environment: set MUSICDB_DATABASE_URL (or PGHOST/PGUSER/",
        "# PGDATABASE with the password in ~/.pgpass) above these lines; never put a password",
        "# in a command line. Each schedule skips when its previous run is still going.",
        f"# Create {log_dir} first; --format json gives one document per run to log collectors.",
    ]
    for schedule, when in CRON_TIMES.items():
        log = cron_quote(f"{log_dir}/maintain-{schedule}.json")
        err = cron_quote(f"{log_dir}/maintain-{schedule}.err")
        lines.append(f"{when} {run} maintain {schedule} --format json >> {log} 2>> {err}")
    return "\n".join(lines)
