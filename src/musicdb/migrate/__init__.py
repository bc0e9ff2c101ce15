"""Alembic driven from code: safe upgrades and downgrades, status, history, offline SQL (drift, for
``migrate check``, in :mod:`musicdb.migrate.check`).

Safety rules for every change of revision:

- a **migration lock**: a session-level advisory lock held on a connection of its own, taken by
  polling ``pg_try_advisory_lock`` with a bounded wait, so two deploys or cron jobs never migrate at
  once; the revision is read again after the lock is taken (Alembic does so when it starts);
- **one transaction per revision**, so a failure leaves the database at the previous revision;
- a **lock timeout** on the migrating connection, so a revision never queues behind a long
  transaction (and every query of the application behind it); a revision that times out is retried
  a bounded number of times with a growing pause.
"""

from __future__ import annotations

import io
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from musicdb import db, locks
from musicdb.config import DatabaseTarget
from musicdb.errors import LockNotAvailable, MusicdbError, UsageError
from musicdb.progress import Progress as Reporter
from musicdb.progress import as_progress

if TYPE_CHECKING:
    import psycopg
    from alembic.config import Config
    from alembic.script import Script, ScriptDirectory

    from musicdb.render import Document, Report


DEFAULT_LOCK_WAIT_S = 60.0
DEFAULT_LOCK_TIMEOUT_MS = 5_000
DEFAULT_RETRIES = 3

Progress = Reporter | Callable[[str], None]  # see musicdb.progress


def _quiet(_: str) -> None:
    pass


def alembic_config() -> Config:
    """An Alembic config pointing at the revisions inside the installed package (no ini file)."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", "musicdb:migrations")
    return cfg


def script_directory() -> ScriptDirectory:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config())


def revision_graph() -> dict[str, tuple[str, ...]]:
    """Every revision of the package, with the revisions it comes down to, read from the revision
    files' ``revision`` and ``down_revision`` assignments without importing Alembic (which costs
    about half a second of a short command's start). A test holds it equal to Alembic's graph."""
    import ast
    from pathlib import Path

    graph: dict[str, tuple[str, ...]] = {}
    for path in sorted((Path(__file__).parent.parent / "migrations" / "versions").glob("*.py")):
        found: dict[str, Any] = {}
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.Assign) and len(node.targets) == 1:
                target, value = node.targets[0], node.value
            elif isinstance(node, ast.AnnAssign) and node.value is not None:
                target, value = node.target, node.value
            else:
                continue
            if isinstance(target, ast.Name) and target.id in ("revision", "down_revision"):
                found[target.id] = ast.literal_eval(value)
        if isinstance(found.get("revision"), str):
            down = found.get("down_revision")
            downs = () if down is None else (down,) if isinstance(down, str) else tuple(down)
            graph[found["revision"]] = tuple(str(d) for d in downs)
    return graph


def heads() -> tuple[str, ...]:
    """The head revisions (no other revision comes down to them), sorted."""
    graph = revision_graph()
    below = {d for downs in graph.values() for d in downs}
    return tuple(sorted(r for r in graph if r not in below))


# -- reading the live revision ------------------------------------------------------------------
def current_revisions(conn: psycopg.Connection[Any]) -> tuple[str, ...]:
    """The revisions stamped in ``alembic_version`` (empty when the table does not exist)."""
    exists = conn.execute("SELECT to_regclass('public.alembic_version') IS NOT NULL").fetchone()
    if not exists or not exists[0]:
        return ()
    rows = conn.execute("SELECT version_num FROM public.alembic_version ORDER BY 1").fetchall()
    return tuple(r[0] for r in rows)


@dataclass(frozen=True)
class RevisionInfo:
    revision: str
    down_revision: str | tuple[str, ...] | None
    doc: str
    is_head: bool
    is_current: bool
    branch_labels: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "revision": self.revision,
            "down_revision": self.down_revision,
            "doc": self.doc,
            "is_head": self.is_head,
            "is_current": self.is_current,
            "branch_labels": list(self.branch_labels),
        }


@dataclass(frozen=True)
class Status:
    database: str
    current: tuple[str, ...]
    heads: tuple[str, ...]
    pending: tuple[str, ...]
    unknown: tuple[str, ...] = ()
    #: The contract revisions applied (empty: the compatible schema, not contracted).
    contracted: tuple[str, ...] = ()

    @property
    def at_head(self) -> bool:
        return set(self.current) == set(self.heads) and not self.unknown

    def as_dict(self) -> dict[str, Any]:
        return {
            "database": self.database,
            "current": list(self.current),
            "heads": list(self.heads),
            "pending": list(self.pending),
            "unknown": list(self.unknown),
            "at_head": self.at_head,
            "contracted": list(self.contracted),
        }

    def to_document(self) -> Document:
        """``migrate status`` for the renderer: JSON/CSV carry :meth:`as_dict`."""
        from musicdb.render import Document

        lines = [("database", self.database),
                 ("current", ", ".join(self.current) or "base (empty)"),
                 ("head", ", ".join(self.heads))]
        if self.unknown:
            lines.append(("unknown", f"{', '.join(self.unknown)} (not a revision musicdb knows)"))
        lines.append(("pending", ", ".join(self.pending) or "none"))
        lines.append(("status", "at head" if self.at_head else "NOT at head"))
        lines.append(("contract", f"applied ({', '.join(self.contracted)}): the strict schema"
                      if self.contracted else
                      "not applied: the application-compatible schema "
                      "(`musicdb migrate contract --dry-run` says what it needs)"))
        return Document(name="migrate-status", data=self.as_dict(), lines=lines)


def _pending(script: ScriptDirectory, current: tuple[str, ...]) -> tuple[str, ...]:
    """Revisions an upgrade to heads would apply, oldest first."""
    revs: list[Script] = list(script.iterate_revisions(tuple(script.get_heads()), current or None))
    return tuple(r.revision for r in reversed(revs) if r.revision not in current)


def status(target: DatabaseTarget) -> Status:
    from musicdb.migrate import contract

    script = script_directory()
    with db.connect(target) as conn:
        current = current_revisions(conn)
        contracted = contract.applied(conn)
    known = {r.revision for r in script.walk_revisions()}
    unknown = tuple(r for r in current if r not in known)
    pending = _pending(script, tuple(r for r in current if r in known)) if not unknown else ()
    return Status(target.display, current, tuple(script.get_heads()), pending, unknown,
                  contracted)


def history(target: DatabaseTarget | None = None) -> list[RevisionInfo]:
    """Every revision, newest first, marking the live ones when a database is given."""
    script = script_directory()
    current: tuple[str, ...] = ()
    if target is not None:
        with db.connect(target) as conn:
            current = current_revisions(conn)
    head_set = set(script.get_heads())
    return [
        RevisionInfo(
            revision=rev.revision,
            down_revision=(
                tuple(rev.down_revision)
                if isinstance(rev.down_revision, list | tuple)
                else rev.down_revision
            ),
            doc=(rev.doc or "").strip(),
            is_head=rev.revision in head_set,
            is_current=rev.revision in current,
            branch_labels=tuple(sorted(rev.branch_labels or ())),
        )
        for rev in script.walk_revisions()
    ]


def history_report(revisions: list[RevisionInfo]) -> Report:
    """``migrate history`` for the renderer: one row per revision, newest first."""
    from musicdb.render import Column, Report

    rows = []
    for info in revisions:
        row = info.as_dict()
        down = row["down_revision"]
        row["down_revision"] = ", ".join(down) if isinstance(down, tuple | list) else down
        row["marks"] = ", ".join(
            mark for mark, on in (("current", info.is_current), ("head", info.is_head)) if on
        )
        rows.append(row)
    return Report(
        name="migrate_history",
        title="Revisions (newest first)",
        columns=[
            Column("revision", "revision"),
            Column("down_revision", "down revision"),
            Column("marks", "marks"),
            Column("doc", "description", wrap=True),
            Column("is_current", "current", "bool"),
            Column("is_head", "head", "bool"),
        ],
        rows=rows,
    )


# -- the migration lock -------------------------------------------------------------------------
@contextmanager
def migration_lock(
    target: DatabaseTarget,
    *,
    wait_s: float = DEFAULT_LOCK_WAIT_S,
    progress: Progress = _quiet,
    lock: locks.AdvisoryLock = locks.MIGRATION,
    what: str = "migration",
) -> Iterator[None]:
    """Hold the session-level advisory *lock* (the migration lock) on a connection of its own.

    Polls ``pg_try_advisory_lock`` (never queues inside the server) until *wait_s* has passed.
    The mechanism is :func:`musicdb.db.advisory_lock`, shared with the maintenance locks.
    """
    with db.advisory_lock(target, lock, wait_s=wait_s, what=what, hint="--lock-wait",
                          progress=progress):
        yield


# -- running alembic ----------------------------------------------------------------------------
def _is_lock_timeout(exc: BaseException) -> bool:
    from psycopg import errors

    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, errors.LockNotAvailable):
            return True
        current = getattr(current, "orig", None) or current.__cause__ or current.__context__
    return False


def _run_alembic(
    target: DatabaseTarget,
    action: Callable[[Config], None],
    *,
    lock_timeout_ms: int,
    statement_timeout_ms: int | None,
    progress: Progress,
    config: Callable[[], Config] = alembic_config,
) -> None:
    """Run one alembic command on a fresh connection with the timeouts set from the start."""
    from sqlalchemy import event

    cfg = config()
    shown = as_progress(progress)
    shown.start("migrate", unit="revisions")
    started = [time.monotonic()]
    statements = [0]

    def on_apply(*, ctx: Any, step: Any, heads: Any, run_args: Any) -> None:
        elapsed = time.monotonic() - started[0]
        count = statements[0]
        started[0], statements[0] = time.monotonic(), 0
        if step.is_stamp:
            return
        verb = "applied" if step.is_upgrade else "reverted"
        shown.advance()
        shown.note(f"{verb} {step.up_revision_id} ({count} statements, {elapsed:.2f} s)")

    def on_statement(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements[0] += 1
        if "alembic_version" not in statement:
            shown.note(f"statement {statements[0]}: {' '.join(statement.split())[:60]}")

    cfg.attributes["on_version_apply"] = on_apply
    engine = db.engine(
        target,
        lock_timeout_ms=lock_timeout_ms,
        statement_timeout_ms=statement_timeout_ms,
        application_name="musicdb migrate",
    )
    event.listen(engine, "before_cursor_execute", on_statement)
    try:
        with engine.connect() as connection:
            cfg.attributes["connection"] = connection
            action(cfg)
            connection.commit()
    finally:
        engine.dispose()


@dataclass
class MigrationResult:
    before: tuple[str, ...]
    after: tuple[str, ...]
    attempts: int = 1
    messages: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.before != self.after

    def as_dict(self) -> dict[str, Any]:
        return {
            "before": list(self.before),
            "after": list(self.after),
            "changed": self.changed,
            "attempts": self.attempts,
        }


def _read_current(target: DatabaseTarget) -> tuple[str, ...]:
    with db.connect(target) as conn:
        return current_revisions(conn)


def _migrate(
    target: DatabaseTarget,
    action: Callable[[Config], None],
    *,
    lock_wait_s: float,
    lock_timeout_ms: int,
    statement_timeout_ms: int | None,
    retries: int,
    progress: Progress,
    config: Callable[[], Config] = alembic_config,
    read: Callable[[DatabaseTarget], tuple[str, ...]] = _read_current,
) -> MigrationResult:
    with migration_lock(target, wait_s=lock_wait_s, progress=progress):
        before = read(target)  # read again now that nobody else can migrate
        _refuse_unknown_stamp(before, config)
        attempt = 0
        while True:
            attempt += 1
            try:
                _run_alembic(
                    target,
                    action,
                    lock_timeout_ms=lock_timeout_ms,
                    statement_timeout_ms=statement_timeout_ms,
                    progress=progress,
                    config=config,
                )
                break
            except Exception as exc:
                if not _is_lock_timeout(exc):
                    now = read(target)
                    if isinstance(exc, _alembic_errors()[:2]) and now == before:
                        # Alembic could not resolve the revision argument: nothing ran
                        raise UsageError(
                            f"{_reason(exc)}; the database stays at {_fmt_revs(now)}"
                        ) from None
                    raise MusicdbError(
                        f"migration failed: {_db_message(exc)}; the database stays at "
                        f"{_fmt_revs(now)}"
                    ) from exc
                now = read(target)
                if attempt > retries:
                    raise LockNotAvailable(
                        f"migration could not get a lock within {lock_timeout_ms} ms "
                        f"(--lock-timeout) after {attempt} attempts: another transaction holds "
                        f"a lock on a table it changes; the database stays at {_fmt_revs(now)}"
                    ) from exc
                pause = min(0.5 * 2 ** (attempt - 1), 5.0)
                progress(
                    f"lock timeout after {lock_timeout_ms} ms (attempt {attempt}/{retries + 1}); "
                    f"retrying in {pause:g} s"
                )
                time.sleep(pause)
        after = read(target)
    return MigrationResult(before, after, attempt)


def _refuse_unknown_stamp(current: tuple[str, ...], config: Callable[[], Config]) -> None:
    """A database stamped with a revision this history does not hold (another chain built it)
    cannot be migrated: the operation fails (exit 1) and says what to do, before anything runs."""
    from alembic.script import ScriptDirectory

    revisions = ScriptDirectory.from_config(config()).revision_map
    for rev in current:
        try:
            known = revisions.get_revision(rev) is not None
        except _alembic_errors():
            known = False
        if not known:
            raise MusicdbError(
                f"the database is stamped with revision {rev!r}, which musicdb's history does not "
                "hold; run 'musicdb migrate adopt' to inspect it and bring it under management"
            )


def run_history(
    target: DatabaseTarget,
    action: Callable[[Config], None],
    *,
    config: Callable[[], Config],
    read: Callable[[DatabaseTarget], tuple[str, ...]],
    lock_wait_s: float = DEFAULT_LOCK_WAIT_S,
    lock_timeout_ms: int = DEFAULT_LOCK_TIMEOUT_MS,
    statement_timeout_ms: int | None = None,
    retries: int = DEFAULT_RETRIES,
    progress: Progress = _quiet,
) -> MigrationResult:
    """Run *action* on another Alembic history (the contract step) with the same safety rules."""
    return _migrate(target, action, lock_wait_s=lock_wait_s, lock_timeout_ms=lock_timeout_ms,
                    statement_timeout_ms=statement_timeout_ms, retries=retries,
                    progress=progress, config=config, read=read)


def _db_message(exc: BaseException) -> str:
    return db.describe_error(exc) or f"{type(exc).__name__}: {exc}"


def _fmt_revs(revs: tuple[str, ...]) -> str:
    return ", ".join(revs) if revs else "base (no revision)"


_STEPS = re.compile(r"[+-][0-9]+")
_REVISION_HELP = "a revision (see migrate history), head, base"


def _alembic_errors() -> tuple[type[Exception], ...]:
    """What Alembic raises for a revision argument it cannot resolve."""
    from alembic.script.revision import RevisionError
    from alembic.util import CommandError

    return (CommandError, RevisionError, AssertionError, ValueError, KeyError)


def _reason(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def resolve_revision(rev: str, *, steps: str = "+-") -> str:
    """Check that *rev* is a revision argument; return it unchanged.

    Accepted: ``head``, ``heads``, ``base``, a revision id or a unique prefix of one,
    ``LABEL@head``, and a step count ``+N``/``-N`` (N >= 1) with a sign in *steps*. Anything
    else is a :class:`UsageError` (exit 2) saying what is expected.
    """
    if rev in ("head", "heads", "base"):
        return rev
    if not rev.strip():
        raise UsageError(f"empty revision; expected {_REVISION_HELP}" + (" or -N" if steps else ""))
    if _STEPS.fullmatch(rev):
        if rev[0] not in steps:
            allowed = " or ".join(f"{sign}N" for sign in steps)
            said = f"the step count here is {allowed}" if allowed else "no step count here"
            raise UsageError(f"{rev!r}: {said}; give {_REVISION_HELP}")
        if int(rev[1:]) == 0:
            raise UsageError(f"{rev!r}: a step count is at least 1")
        return rev
    if "@" in rev and not rev.endswith("@head"):
        raise UsageError(f"{rev!r}: expected {_REVISION_HELP}, LABEL@head or a step count")
    try:
        found = script_directory().revision_map.get_revisions(rev)
    except _alembic_errors() as exc:
        raise UsageError(f"unknown revision {rev!r}: {_reason(exc)}") from None
    if not found or any(r is None for r in found):
        raise UsageError(f"unknown revision {rev!r}; expected {_REVISION_HELP}")
    return rev


def steps_below(current: tuple[str, ...]) -> int:
    """How many steps ``migrate down -N`` can take from *current* (along the main line)."""
    if not current:
        return 0
    script = script_directory()
    if len(current) != 1:
        return len(list(script.iterate_revisions(current, "base")))
    count, rev = 0, script.get_revision(current[0])
    while rev is not None:
        count += 1
        down = rev.down_revision
        if down is None:
            break
        rev = script.get_revision(down[0] if isinstance(down, tuple | list) else down)
    return count


def pending_downgrade(
    target: DatabaseTarget, revision: str
) -> tuple[tuple[str, ...], list[str]]:
    """The database's current revisions and the revisions a downgrade to *revision* would undo
    (newest first; empty: nothing to do). See :func:`plan_downgrade`."""
    with db.connect(target) as conn:
        current = current_revisions(conn)
    return current, plan_downgrade(current, revision)[1]


def plan_downgrade(current: tuple[str, ...], revision: str) -> tuple[str, list[str]]:
    """The target a downgrade from *current* to *revision* goes to, and the revisions it undoes
    (newest first); a target that is not below *current* is a :class:`UsageError` (exit 2)."""
    if revision in ("head", "heads"):
        raise UsageError("migrate down needs a lower revision, base or -N")
    resolve_revision(revision, steps="-")
    if revision.startswith("-"):
        wanted, available = int(revision[1:]), steps_below(current)
        if wanted > available:
            raise UsageError(
                f"cannot go down {wanted} step(s): the database is {available} step(s) above base "
                f"(at {_fmt_revs(current)}); give -{available} or less, or base"
                if available else f"cannot go down {wanted} step(s): the database is at base"
            )
    target = _main_line_target(current, revision)
    try:
        return target, downgrade_steps(current, target)
    except _alembic_errors() as exc:
        raise UsageError(
            f"cannot go down to {revision!r} from {_fmt_revs(current)}: {_reason(exc)}"
        ) from None


def upgrade(
    target: DatabaseTarget,
    revision: str = "head",
    *,
    lock_wait_s: float = DEFAULT_LOCK_WAIT_S,
    lock_timeout_ms: int = DEFAULT_LOCK_TIMEOUT_MS,
    statement_timeout_ms: int | None = None,
    retries: int = DEFAULT_RETRIES,
    progress: Progress = _quiet,
) -> MigrationResult:
    """Upgrade to *revision* (default head), one transaction per revision, under the lock."""
    from alembic import command

    revision = resolve_revision(revision, steps="+")
    return _migrate(
        target,
        lambda cfg: command.upgrade(cfg, revision),
        lock_wait_s=lock_wait_s,
        lock_timeout_ms=lock_timeout_ms,
        statement_timeout_ms=statement_timeout_ms,
        retries=retries,
        progress=progress,
    )


def downgrade_steps(current: tuple[str, ...], revision: str) -> list[str]:
    """The revisions a downgrade from *current* to *revision* would undo, newest first."""
    script = script_directory()
    if revision.startswith("-"):
        steps = int(revision[1:])
        out: list[str] = []
        for rev in script.iterate_revisions(current, "base"):
            if len(out) >= steps:
                break
            out.append(rev.revision)
        return out
    lower = None if revision == "base" else revision
    return [
        r.revision
        for r in script.iterate_revisions(current, lower)
        if r.revision != lower
    ]


def _main_line_target(current: tuple[str, ...], revision: str) -> str:
    """``-N`` across a merge revision, which Alembic calls an ambiguous walk: follow the first
    parent (the main line) N steps down and name that revision; otherwise *revision* unchanged."""
    if not revision.startswith("-") or len(current) != 1:
        return revision
    script = script_directory()
    rev = script.get_revision(current[0])
    crossed = False
    for _ in range(int(revision[1:])):
        if rev is None or rev.down_revision is None:
            return "base" if crossed else revision
        down = rev.down_revision
        if isinstance(down, tuple | list):
            crossed, down = True, down[0]
        rev = script.get_revision(down)
    return rev.revision if crossed and rev is not None else revision


def downgrade(
    target: DatabaseTarget,
    revision: str,
    *,
    lock_wait_s: float = DEFAULT_LOCK_WAIT_S,
    lock_timeout_ms: int = DEFAULT_LOCK_TIMEOUT_MS,
    statement_timeout_ms: int | None = None,
    retries: int = DEFAULT_RETRIES,
    progress: Progress = _quiet,
) -> MigrationResult:
    """Downgrade to *revision*; the CLI asks for ``--yes`` before base or several steps."""
    from alembic import command

    revision, _ = plan_downgrade(_read_current(target), revision)
    return _migrate(
        target,
        lambda cfg: command.downgrade(cfg, revision),
        lock_wait_s=lock_wait_s,
        lock_timeout_ms=lock_timeout_ms,
        statement_timeout_ms=statement_timeout_ms,
        retries=retries,
        progress=progress,
    )


def offline_sql(spec: str, target: DatabaseTarget | None = None) -> str:
    """The SQL of ``[FROM:]TO`` without running it; FROM defaults to the live revision.

    A downgrade is rendered when TO lies below FROM.
    """
    from alembic import command

    if spec.count(":") > 1:
        raise UsageError(f"{spec!r}: expected [FROM:]TO, one colon at most")
    start, sep, end = spec.partition(":") if ":" in spec else ("", "", spec)
    if sep and not start.strip():
        raise UsageError(f"{spec!r}: FROM is empty; expected FROM:TO, or TO alone")
    end = resolve_revision(end, steps="")
    if not start:
        live: tuple[str, ...] = ()
        if target is not None:
            live = _read_current(target)
        start = live[0] if len(live) == 1 else ("base" if not live else "")
        if not start:
            raise UsageError("the database has several revisions; give FROM explicitly (FROM:TO)")
    else:
        start = resolve_revision(start, steps="")
    start, end = _full_id(start), _full_id(end)
    buffer = io.StringIO()
    cfg = alembic_config()
    cfg.output_buffer = buffer
    if start == end:
        return ""
    try:
        downward = end == "base" or (start != "base" and end in _ancestors(start))
        if downward:
            command.downgrade(cfg, f"{start}:{end}", sql=True)
        else:
            command.upgrade(cfg, f"{start}:{end}" if start != "base" else end, sql=True)
    except _alembic_errors() as exc:  # nothing runs offline: the range itself is wrong
        raise UsageError(f"cannot render {start}:{end}: {_reason(exc)}") from None
    return buffer.getvalue()


def _full_id(rev: str) -> str:
    """A checked revision argument as one full revision id (``base`` and several heads stay)."""
    if rev == "base":
        return rev
    found = script_directory().revision_map.get_revisions(rev)
    only = found[0] if len(found) == 1 else None
    return only.revision if only is not None and not isinstance(only, str) else rev


def _ancestors(rev: str) -> set[str]:
    script = script_directory()
    return {r.revision for r in script.iterate_revisions(rev, "base")} - {rev}


# -- drift (``migrate check``): in musicdb.migrate.check, importable from here ------------------
# (imported last: it uses the runner above)
from musicdb.migrate.check import drift, drift_report, expected_snapshot, scratch_database  # noqa: E402, F401
