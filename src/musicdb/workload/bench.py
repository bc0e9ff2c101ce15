"""``musicdb bench``: time the named query patterns (Q1-Q12) and check what their plans use.

For each pattern: parameters are drawn from the data (busy and uniformly drawn keys, see
:mod:`musicdb.workload.patterns`), the plan is read with ``EXPLAIN (FORMAT JSON)`` for a busy and a
cold key, then the query runs a number of times on one connection (prepared after a few runs, as an
application's driver would) and the client-side latencies give p50/p95/p99.

- ``compare_baseline``: a copy of the database (``CREATE DATABASE ... TEMPLATE``) loses the
  indexes of the performance revision; the same patterns run there with the same parameters,
  and the ratio of the latencies is the speed-up each index buys, measured in the same run.
- ``workers`` > 1: the patterns run from several threads through a SQLAlchemy connection pool;
  a pool that cannot hand out a connection in time is a clear error.
- Runs can be appended to a JSON-lines results file and compared with an earlier run: a pattern
  whose p95 grew by more than a ratio is flagged.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import random
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from musicdb import db
from musicdb.config import DatabaseTarget
from musicdb.errors import MusicdbError, UsageError
from musicdb.progress import Notify, Progress, as_progress
from musicdb.workload.patterns import (
    PERFORMANCE_REVISION,
    SEARCH_COLUMN,
    Params,
    Pattern,
    draw_params,
    explain,
    for_database,
)

if TYPE_CHECKING:
    import psycopg

    from musicdb.render import Report

APP = "musicdb bench"
DEFAULT_ITERATIONS = 300
DEFAULT_BASELINE_ITERATIONS = 20
DEFAULT_MAX_REGRESSION = 1.5


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of *values*."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100.0 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


@dataclass
class Timing:
    calls: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    mean_ms: float
    max_ms: float
    hot_p95_ms: float | None = None
    cold_p95_ms: float | None = None
    hot_p50_ms: float | None = None
    cold_p50_ms: float | None = None

    @classmethod
    def of(cls, samples: list[tuple[str, float]]) -> Timing:
        values = [ms for _, ms in samples]
        hot = [ms for kind, ms in samples if kind == "hot"]
        cold = [ms for kind, ms in samples if kind == "cold"]
        return cls(
            len(values),
            percentile(values, 50),
            percentile(values, 95),
            percentile(values, 99),
            sum(values) / len(values) if values else math.nan,
            max(values) if values else math.nan,
            percentile(hot, 95) if hot else None,
            percentile(cold, 95) if cold else None,
            percentile(hot, 50) if hot else None,
            percentile(cold, 50) if cold else None,
        )


@dataclass
class PatternResult:
    pattern: Pattern
    timing: Timing
    indexes: list[str]
    seq_scans: list[str]
    baseline: Timing | None = None
    baseline_indexes: list[str] = field(default_factory=list)
    previous_p95_ms: float | None = None

    @property
    def uses_intended(self) -> bool:
        return all(name in self.indexes for name in self.pattern.intended)

    @property
    def meets_goal(self) -> bool:
        return self.timing.p95_ms <= self.pattern.goal_p95_ms

    @property
    def speedup_p50(self) -> float | None:
        if self.baseline is None or not self.timing.p50_ms:
            return None
        return self.baseline.p50_ms / self.timing.p50_ms

    @property
    def speedup_p95(self) -> float | None:
        if self.baseline is None or not self.timing.p95_ms:
            return None
        return self.baseline.p95_ms / self.timing.p95_ms

    def speedup_of(self, kind: str) -> float | None:
        """Baseline p50 / p50 over the busy ("hot") or the uniformly drawn ("cold") keys."""
        if self.baseline is None:
            return None
        mine = getattr(self.timing, f"{kind}_p50_ms")
        theirs = getattr(self.baseline, f"{kind}_p50_ms")
        return theirs / mine if mine and theirs is not None else None

    @property
    def p95_ratio(self) -> float | None:
        if not self.previous_p95_ms:
            return None
        return self.timing.p95_ms / self.previous_p95_ms

    def row(self, max_regression: float) -> dict[str, Any]:
        t = self.timing
        ratio = self.p95_ratio
        return {
            "pattern": self.pattern.name,
            "title": self.pattern.title,
            "calls": t.calls,
            "p50_ms": t.p50_ms,
            "p95_ms": t.p95_ms,
            "p99_ms": t.p99_ms,
            "mean_ms": t.mean_ms,
            "max_ms": t.max_ms,
            "hot_p95_ms": t.hot_p95_ms,
            "cold_p95_ms": t.cold_p95_ms,
            "goal_p95_ms": self.pattern.goal_p95_ms,
            "meets_goal": self.meets_goal,
            "intended_index": self.pattern.index,
            "uses_intended": self.uses_intended,
            "indexes": self.indexes,
            "seq_scans": self.seq_scans,
            "baseline_p50_ms": self.baseline.p50_ms if self.baseline else None,
            "baseline_p95_ms": self.baseline.p95_ms if self.baseline else None,
            "baseline_seq_scans": self.baseline_indexes if self.baseline else None,
            "speedup_p50": self.speedup_p50,
            "speedup_p95": self.speedup_p95,
            "hot_p50_ms": t.hot_p50_ms,
            "cold_p50_ms": t.cold_p50_ms,
            "baseline_hot_p50_ms": self.baseline.hot_p50_ms if self.baseline else None,
            "baseline_cold_p50_ms": self.baseline.cold_p50_ms if self.baseline else None,
            "speedup_hot_p50": self.speedup_of("hot"),
            "speedup_cold_p50": self.speedup_of("cold"),
            "previous_p95_ms": self.previous_p95_ms,
            "p95_ratio": ratio,
            "regressed": (ratio is not None and ratio > max_regression),
        }


@dataclass
class BenchResult:
    database: str
    server_version: str
    iterations: int
    seed: int
    workers: int
    results: list[PatternResult]
    row_counts: dict[str, int]
    baseline_database: str | None = None
    baseline_iterations: int = 0
    against: str | None = None
    max_regression: float = DEFAULT_MAX_REGRESSION
    seconds: float = 0.0

    @property
    def regressed(self) -> list[str]:
        return [r.pattern.name for r in self.results if r.row(self.max_regression)["regressed"]]

    def report(self) -> Report:
        from musicdb.render import Column, Report

        columns = [
            Column("pattern", "pattern"),
            Column("title", "what", table=False),
            Column("calls", "calls", "count"),
            Column("p50_ms", "p50", "ms"),
            Column("p95_ms", "p95", "ms"),
            Column("p99_ms", "p99", "ms"),
            Column("goal_p95_ms", "p95 goal", "ms"),
            Column("meets_goal", "goal met", "bool"),
            Column("indexes", "indexes in plan", wrap=True),
            Column("uses_intended", "intended", "bool"),
            Column("seq_scans", "seq scans"),
        ]
        if self.baseline_database:
            columns += [
                Column("baseline_p95_ms", "baseline p95", "ms"),
                Column("speedup_p50", "speed-up p50", "number"),
                Column("speedup_p95", "speed-up p95", "number"),
                Column("speedup_hot_p50", "speed-up hot p50", "number"),
                Column("speedup_cold_p50", "speed-up cold p50", "number"),
            ]
        if self.against:
            columns += [
                Column("previous_p95_ms", "previous p95", "ms"),
                Column("p95_ratio", "p95 ratio", "number"),
                Column("regressed", "regressed", "bool"),
            ]
        # JSON and CSV carry every field; the table shows the columns above
        shown = {c.key for c in columns}
        if self.results:
            columns += [
                Column(k, k, "ms" if k.endswith("_ms") else "text", table=False)
                for k in self.results[0].row(self.max_regression)
                if k not in shown
            ]
        notes = [
            f"{self.iterations} timed runs per pattern, {self.workers} worker(s), seed {self.seed}",
        ]
        if self.baseline_database:
            notes.append(
                f"baseline: a copy without the indexes of {PERFORMANCE_REVISION}, "
                f"{self.baseline_iterations} runs per pattern"
            )
        if self.against:
            notes.append(f"compared with {self.against}; regression = p95 ratio > "
                         f"{self.max_regression:g}")
        return Report(
            name="bench",
            title=f"Query patterns on {self.database}",
            columns=columns,
            rows=[r.row(self.max_regression) for r in self.results],
            server_version=self.server_version,
            notes=notes,
            meta=self.meta(),
        )

    def meta(self) -> dict[str, Any]:
        return {
            "iterations": self.iterations,
            "seed": self.seed,
            "workers": self.workers,
            "row_counts": self.row_counts,
            "baseline_iterations": self.baseline_iterations if self.baseline_database else None,
            "against": self.against,
            "max_regression": self.max_regression,
            "regressed": self.regressed,
            "seconds": self.seconds,
        }

    def saved_run(self) -> dict[str, Any]:
        """One line of the results file."""
        return {
            "saved_at": dt.datetime.now(dt.UTC).isoformat(),
            "database": self.database,
            "server_version": self.server_version,
            **self.meta(),
            "patterns": {
                r.pattern.name: {
                    "p50_ms": r.timing.p50_ms,
                    "p95_ms": r.timing.p95_ms,
                    "p99_ms": r.timing.p99_ms,
                    "calls": r.timing.calls,
                    "indexes": r.indexes,
                    "speedup_p95": r.speedup_p95,
                }
                for r in self.results
            },
        }


# --- results file ---------------------------------------------------------------------------------
def save_run(result: BenchResult, path: Path) -> None:
    """Append *result* as one JSON line to *path* (created when missing)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(result.saved_run(), sort_keys=True) + "\n")


def load_previous(path: Path) -> dict[str, float]:
    """p95 per pattern of the last run in *path*: a results file (JSON lines, the last line
    wins) or the JSON document of ``musicdb bench --format json``."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from exc
    doc: Any = None
    try:
        doc = json.loads(text)
    except json.JSONDecodeError:
        lines = [line for line in text.splitlines() if line.strip()]
        try:
            doc = json.loads(lines[-1]) if lines else None
        except json.JSONDecodeError as exc:
            raise UsageError(f"{path}: not a bench results file ({exc.msg})") from exc
    if isinstance(doc, dict) and isinstance(doc.get("patterns"), dict):
        return {k: float(v["p95_ms"]) for k, v in doc["patterns"].items() if "p95_ms" in v}
    if isinstance(doc, dict) and doc.get("report") == "bench" and isinstance(doc.get("rows"), list):
        return {r["pattern"]: float(r["p95_ms"]) for r in doc["rows"] if r.get("p95_ms")}
    raise UsageError(f"{path}: not a bench results file (no p95 per pattern found)")


# --- timing -----------------------------------------------------------------------------------
def _time_pattern(conn: psycopg.Connection[Any], pattern: Pattern, params: Params, *,
                  iterations: int, warmup: int, rng: random.Random) -> Timing:
    samples: list[tuple[str, float]] = []
    with conn.cursor() as cur:
        for _kind, args in params.cycle(warmup, rng):
            cur.execute(pattern.sql, args)
            cur.fetchall()
        for kind, args in params.cycle(iterations, rng):
            t0 = time.perf_counter()
            cur.execute(pattern.sql, args)
            cur.fetchall()
            samples.append((kind, (time.perf_counter() - t0) * 1000.0))
    return Timing.of(samples)


def _plan_indexes(conn: psycopg.Connection[Any], pattern: Pattern,
                  params: Params) -> tuple[list[str], list[str]]:
    """Indexes and sequentially scanned relations of the plans for a busy and a cold key."""
    probes = [p[0] for p in (params.hot, params.cold) if p] or [()]
    indexes: list[str] = []
    seqs: list[str] = []
    for args in probes:
        facts = explain(conn, pattern, args)
        indexes += [i for i in facts.indexes if i not in indexes]
        seqs += [s for s in facts.seq_scans if s not in seqs]
    return indexes, seqs


def _pooled_timing(target: DatabaseTarget, pattern: Pattern, params: Params, *, iterations: int,
                   workers: int, pool_size: int, pool_timeout_s: float,
                   rng: random.Random) -> Timing:
    samples: list[tuple[str, float]] = []
    lock = threading.Lock()
    jobs = list(params.cycle(iterations, rng))
    with pooled_engine(target, pool_size=pool_size, pool_timeout_s=pool_timeout_s) as engine:
        errors = run_concurrently(
            engine,
            [(pattern, args) for _, args in jobs],
            workers=workers,
            on_sample=lambda i, ms: _append(samples, lock, (jobs[i][0], ms)),
        )
    if errors:
        raise errors[0]
    return Timing.of(samples)


def _append(samples: list[tuple[str, float]], lock: threading.Lock,
            item: tuple[str, float]) -> None:
    with lock:
        samples.append(item)


class pooled_engine:
    """A SQLAlchemy engine with a QueuePool of *pool_size* connections (no overflow), opened with
    :func:`musicdb.db.connect`; disposed (every connection closed) on exit."""

    def __init__(self, target: DatabaseTarget, *, pool_size: int, pool_timeout_s: float = 30.0,
                 application_name: str = "musicdb bench") -> None:
        if pool_size < 1:
            raise UsageError("--pool-size must be at least 1")
        import sqlalchemy

        self.pool_size = pool_size
        self.pool_timeout_s = pool_timeout_s
        self.engine = sqlalchemy.create_engine(
            "postgresql+psycopg://",
            creator=lambda: db.connect(target, autocommit=True, application_name=application_name),
            pool_size=pool_size,
            max_overflow=0,
            pool_timeout=pool_timeout_s,
            pool_pre_ping=False,
        )

    def __enter__(self) -> Any:
        return self

    def __exit__(self, *exc: object) -> None:
        self.engine.dispose()

    def connect(self) -> Any:
        """A pooled connection; an exhausted pool becomes a one-line :class:`MusicdbError`."""
        import sqlalchemy.exc

        try:
            return self.engine.connect()
        except sqlalchemy.exc.TimeoutError as exc:
            raise MusicdbError(
                f"connection pool exhausted: no connection free within {self.pool_timeout_s:g} s "
                f"(pool of {self.pool_size}); use fewer workers or a larger --pool-size"
            ) from exc


def run_concurrently(
    pool: pooled_engine,
    jobs: Sequence[tuple[Pattern, Sequence[Any]]],
    *,
    workers: int,
    on_sample: Callable[[int, float], None] | None = None,
) -> list[Exception]:
    """Run *jobs* from *workers* threads, each query on a connection checked out of *pool* for
    that query only. Returns the errors (empty when every query succeeded)."""
    errors: list[Exception] = []
    lock = threading.Lock()
    next_job = iter(range(len(jobs)))

    def worker() -> None:
        while True:
            with lock:
                i = next(next_job, None)
            if i is None or errors:
                return
            pattern, args = jobs[i]
            try:
                with pool.connect() as conn:
                    t0 = time.perf_counter()
                    conn.exec_driver_sql(pattern.sql, tuple(args)).fetchall()
                    ms = (time.perf_counter() - t0) * 1000.0
                if on_sample:
                    on_sample(i, ms)
            except Exception as exc:
                with lock:
                    errors.append(exc)
                return

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(max(1, workers))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


# --- baseline ---------------------------------------------------------------------------------
def performance_indexes() -> list[str]:
    """The names of the indexes the performance revision creates, read from the revision."""
    from musicdb import migrate

    module = migrate.script_directory().get_revision(PERFORMANCE_REVISION).module
    names = [*module.BTREE_INDEXES, *module.JSONB_GIN_INDEXES, *module.PARTIAL_INDEXES]
    names += [f"ix_{table}_search_vector" for table in module.SEARCH_WEIGHTS]
    # the same GIN indexes under their compatible-head name (the expand revision renames them)
    names += [f"ix_{table}_{SEARCH_COLUMN}" for table in module.SEARCH_WEIGHTS]
    names += list(module.VIEW_INDEXES)
    return names


class baseline_copy:
    """A copy of the target database without the performance revision's indexes; dropped on
    exit. Needs CREATEDB, and no other session connected to the source while it is copied."""

    def __init__(self, target: DatabaseTarget, progress: Callable[[str], None]) -> None:
        self.target = target
        self.progress = progress
        self.name = ""
        self.scratch: Any = None

    def __enter__(self) -> DatabaseTarget:
        import psycopg
        from psycopg import sql

        with db.connect(self.target) as conn:
            row = conn.execute("SELECT current_database(), pg_backend_pid()").fetchone()
            assert row is not None
            source = str(row[0])
        self.name = f"{source[:40]}_bench_baseline_{os.getpid()}"

        def refused(exc: Exception) -> Exception:
            if isinstance(exc, psycopg.errors.ObjectInUse):
                return MusicdbError(
                    f"cannot copy {source} for the baseline: other sessions are connected to it "
                    f"({db.first_line(exc)}); run --compare-baseline when it is idle"
                )
            if isinstance(exc, psycopg.errors.InsufficientPrivilege):
                return MusicdbError(
                    f"cannot copy {source} for the baseline: {db.first_line(exc)} "
                    "(--compare-baseline needs the CREATEDB privilege)"
                )
            return exc

        self.progress(f"copying {source} to {self.name} (baseline) ...")
        self.scratch = db.scratch_database(
            self.target, name=self.name, template=source, file_copy=True,
            via="postgres" if source != "postgres" else "template1",
            purpose="--compare-baseline", refused=refused,
        )
        copy = DatabaseTarget(self.scratch.__enter__().conninfo, "baseline copy")
        try:
            with db.connect(copy) as conn:
                existing = {
                    r[0]
                    for r in conn.execute(
                        "SELECT c.relname FROM pg_class AS c "
                        "JOIN pg_namespace AS n ON n.oid = c.relnamespace "
                        "WHERE c.relkind = 'i' AND n.nspname = current_schema() "
                        "AND c.relname = ANY(%s)",
                        (performance_indexes(),),
                    ).fetchall()
                }
                for name in sorted(existing):
                    conn.execute(sql.SQL("DROP INDEX {}").format(sql.Identifier(name)))
        except BaseException:
            self.__exit__()
            raise
        self.progress(f"baseline: dropped {len(existing)} indexes of {PERFORMANCE_REVISION}")
        return copy

    def __exit__(self, *exc: object) -> None:
        if self.scratch is not None:
            scratch, self.scratch = self.scratch, None
            scratch.__exit__(None, None, None)


# --- the run ----------------------------------------------------------------------------------
_TABLE_COUNTS = """
SELECT c.relname, CASE WHEN c.relkind = 'p' THEN  -- a partitioned table: its partitions' rows
           (SELECT sum(greatest(k.reltuples, 0)) FROM pg_inherits AS i
            JOIN pg_class AS k ON k.oid = i.inhrelid WHERE i.inhparent = c.oid)
       ELSE c.reltuples END::bigint
FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace
WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'm', 'p')
  AND c.relname = ANY(%s)
ORDER BY c.relname
"""


def run(
    target: DatabaseTarget,
    patterns: Sequence[Pattern],
    *,
    iterations: int = DEFAULT_ITERATIONS,
    warmup: int = 10,
    seed: int = 1,
    keys: int = 50,
    compare_baseline: bool = False,
    baseline_iterations: int = DEFAULT_BASELINE_ITERATIONS,
    workers: int = 1,
    pool_size: int | None = None,
    pool_timeout_s: float = 30.0,
    against: Path | None = None,
    max_regression: float = DEFAULT_MAX_REGRESSION,
    progress: Progress | Notify | None = None,
) -> BenchResult:
    """Time *patterns* on *target*; see the module docstring."""
    from musicdb.workload.generate import TABLES

    if iterations < 1:
        raise UsageError("--iterations must be at least 1")
    if workers < 1:
        raise UsageError("--workers must be at least 1")
    if max_regression <= 0:
        raise UsageError("--max-regression must be a positive ratio")
    previous = load_previous(against) if against is not None else None
    progress = as_progress(progress)
    started = time.perf_counter()
    rng = random.Random(seed)
    with db.connect(target, application_name="musicdb bench") as conn:
        version = str(conn.execute("SHOW server_version").fetchone()[0])  # type: ignore[index]
        if compare_baseline:  # the read patterns run on a standby; the baseline copy cannot
            db.require_primary(conn, "bench --compare-baseline (it copies the database)")
        missing = conn.execute(
            "SELECT to_regclass('mv_track_popularity') IS NULL"
        ).fetchone()
        if missing and missing[0]:
            raise MusicdbError(
                f"{target.display} has no musicdb schema (mv_track_popularity is missing); "
                "run `musicdb migrate up` and `musicdb generate` first"
            )
        relations = [*TABLES, "mv_track_popularity"]
        counts = {
            r[0]: max(0, int(r[1])) for r in conn.execute(_TABLE_COUNTS, (relations,)).fetchall()
        }
        empty = conn.execute("SELECT NOT EXISTS (SELECT 1 FROM tracks)").fetchone()
        if empty and empty[0]:
            raise MusicdbError(f"{target.display} has no tracks; run `musicdb generate` first")
        all_params: dict[str, Params] = {}
        results: list[PatternResult] = []
        chosen = for_database(conn, patterns)
        progress.start("bench", total=len(chosen), unit="patterns")
        for pattern in chosen:
            progress.note(f"{pattern.name}: {pattern.title}")
            params = draw_params(conn, pattern, count=keys, seed=seed)
            all_params[pattern.name] = params
            indexes, seqs = _plan_indexes(conn, pattern, params)
            if workers > 1:
                timing = _pooled_timing(
                    target, pattern, params, iterations=iterations, workers=workers,
                    pool_size=pool_size or workers, pool_timeout_s=pool_timeout_s, rng=rng,
                )
            else:
                timing = _time_pattern(conn, pattern, params, iterations=iterations,
                                       warmup=warmup, rng=rng)
            results.append(PatternResult(pattern, timing, indexes, seqs))
            progress.advance()
    baseline_name = None
    if compare_baseline:
        progress.start("baseline copy")
        copier = baseline_copy(target, progress)
        with copier as copy_target, db.connect(copy_target, application_name=APP) as conn:
            baseline_name = copier.name
            progress.start("bench baseline", total=len(results), unit="patterns")
            for res in results:
                progress(f"{res.pattern.name} on the baseline")
                params = all_params[res.pattern.name]
                _, seqs = _plan_indexes(conn, res.pattern, params)
                res.baseline = _time_pattern(conn, res.pattern, params,
                                             iterations=baseline_iterations,
                                             warmup=min(warmup, 2), rng=rng)
                res.baseline_indexes = seqs
                progress.advance()
    if previous is not None:
        for res in results:
            res.previous_p95_ms = previous.get(res.pattern.name)
    return BenchResult(
        database=target.display,
        server_version=version,
        iterations=iterations,
        seed=seed,
        workers=workers,
        results=results,
        row_counts=counts,
        baseline_database=baseline_name,
        baseline_iterations=baseline_iterations,
        against=str(against) if against is not None else None,
        max_regression=max_regression,
        seconds=time.perf_counter() - started,
    )
