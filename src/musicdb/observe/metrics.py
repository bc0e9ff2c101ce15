"""``musicdb metrics``: the database as Prometheus metrics, built on the health checks and reports.

Every number here is one the health checks (:func:`musicdb.ops.health.run_checks`) or the DBA
reports (:class:`musicdb.reports.CatalogFacts`, ``connection-stats``, ``lock-info``,
``analyze-queries``) compute: the exporter reads their typed results and never queries a figure
of its own, so a metric, a check and a report cannot disagree. A check added later appears in
``musicdb_health_check_status`` by itself.

A scrape is split in *parts*; a part that fails (no privilege, a timeout) sets
``musicdb_scrape_error{part=...}`` to 1 and the others are still served. Every statement runs
under a short ``statement_timeout`` and ``lock_timeout``; each scrape opens its own connection, so
a database that goes away and comes back is picked up again. The drift check builds a scratch
database: it runs at most once per ``drift_interval_s``, its last result is served in between.

:class:`CachedCollector` makes serving safe: one scrape runs at a time (a concurrent scrape gets
the last result) and a result is reused for ``min_interval_s``.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, TypeVar

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector, CollectorRegistry

from musicdb.config import DatabaseTarget
from musicdb.observe.options import (
    DEFAULT_LISTEN,
    DEFAULT_MIN_INTERVAL_S,
    MetricsOptions,
)

if TYPE_CHECKING:
    from musicdb.ops.health import Check, HealthResult
    from musicdb.reports import CatalogFacts


#: The parts of a scrape, each with its own ``musicdb_scrape_error``.
PARTS = ("connection", "health", "drift", "schema", "tables", "indexes", "connections", "locks",
         "views", "statements", "replication", "partitions")

_F = TypeVar("_F", GaugeMetricFamily, CounterMetricFamily)


class _Scrape:
    """One scrape's families, built part by part."""

    def __init__(self) -> None:
        self.families: dict[str, Metric] = {}
        self.errors: dict[str, int] = dict.fromkeys(PARTS, 0)

    def _family(self, kind: type[_F], name: str, doc: str, labels: tuple[str, ...]) -> _F:
        if name not in self.families:
            self.families[name] = kind(name, doc, labels=list(labels))
        family = self.families[name]
        assert isinstance(family, kind)
        return family

    def gauge(self, name: str, doc: str, labels: tuple[str, ...] = ()) -> GaugeMetricFamily:
        return self._family(GaugeMetricFamily, name, doc, labels)

    def counter(self, name: str, doc: str, labels: tuple[str, ...] = ()) -> CounterMetricFamily:
        return self._family(CounterMetricFamily, name, doc, labels)

    def part(self, name: str, fn: Callable[[], None]) -> None:
        """Run one part; a failure marks it in ``musicdb_scrape_error`` and nothing more."""
        try:
            fn()
        except Exception:
            self.errors[name] = 1


def _age(now: dt.datetime, *stamps: dt.datetime | None) -> float | None:
    """Seconds since the most recent of *stamps* (None: none of them happened)."""
    known = [s for s in stamps if s is not None]
    return None if not known else max((now - max(known)).total_seconds(), 0.0)


class Exporter:
    """Scrapes one database; keeps the last drift result between its (hourly) runs."""

    def __init__(
        self,
        target: DatabaseTarget,
        options: MetricsOptions | None = None,
        *,
        background_drift: bool = False,
    ) -> None:
        self.target = target
        self.options = options or MetricsOptions()
        #: run the drift check in a thread of its own (serving: a scrape never waits for it)
        self.background_drift = background_drift
        #: how many scrapes ran their SQL (the HTTP server's tests count on it)
        self.scrapes = 0
        self._drift: Check | None = None
        self._drift_at = float("-inf")
        #: the catalog-wide facts of an earlier scrape, and when they were read
        self._catalog: dict[str, Any] = {}
        self._catalog_at = float("-inf")
        self._drift_thread: threading.Thread | None = None

    def scrape(self) -> list[Metric]:
        """Run one scrape: every family, ``musicdb_scrape_error`` per part and its duration."""
        from musicdb import db
        from musicdb.errors import MusicdbError
        from musicdb.reports import CatalogFacts

        self.scrapes += 1
        clock, started = time.perf_counter(), time.monotonic()
        out = _Scrape()
        up = out.gauge("musicdb_up", "Whether the database answered this scrape (1) or not (0).")
        opts = self.options
        try:
            conn = db.connect(self.target, application_name="musicdb metrics", connect_timeout=5,
                              lock_timeout_ms=opts.lock_timeout_ms,
                              statement_timeout_ms=opts.statement_timeout_ms)
        except MusicdbError:
            up.add_metric([], 0)
            out.errors = dict.fromkeys(PARTS, 1)  # nothing could be read
        else:
            up.add_metric([], 1)
            with conn:
                kept = self._kept_catalog()
                facts = CatalogFacts(conn, kept=kept)
                self._collect(out, facts)
                if not kept:  # read afresh by this scrape: served to the next ones for a while
                    self._catalog, self._catalog_at = facts.computed(), started
                out.gauge("musicdb_catalog_facts_age_seconds",
                          "Age of the per-table and per-index figures this scrape serves (they "
                          "are read again after --catalog-interval)."
                          ).add_metric([], max(time.monotonic() - self._catalog_at, 0.0)
                                       if kept else 0.0)
        errors = out.gauge("musicdb_scrape_error",
                           "Whether this part of the scrape failed (1) and was left out.",
                           ("part",))
        for part, value in out.errors.items():
            errors.add_metric([part], value)
        out.gauge("musicdb_scrape_duration_seconds",
                  "How long this scrape took.").add_metric([], time.perf_counter() - clock)
        return list(out.families.values())

    def _kept_catalog(self) -> dict[str, Any]:
        """The catalog-wide facts of an earlier scrape while younger than catalog_interval_s."""
        if time.monotonic() - self._catalog_at < self.options.catalog_interval_s:
            return self._catalog
        self._catalog, self._catalog_at = {}, float("-inf")
        return {}

    # -- the parts ----------------------------------------------------------------------------
    def _collect(self, out: _Scrape, facts: CatalogFacts) -> None:
        health: list[HealthResult] = []
        out.part("health", lambda: health.append(self._health(out, facts)))
        if health:
            checks = {c.name: c for c in health[0].checks}
            out.part("schema", lambda: self._schema(out, checks))
            out.part("views", lambda: self._views(out, checks))
            out.part("partitions", lambda: self._partitions(out, checks))
        else:
            out.errors["schema"] = out.errors["views"] = out.errors["partitions"] = 1
        out.part("drift", lambda: self._drift_part(out))
        out.part("tables", lambda: self._tables(out, facts))
        out.part("indexes", lambda: self._indexes(out, facts))
        out.part("connections", lambda: self._connections(out, facts))
        out.part("locks", lambda: self._locks(out, facts))
        out.part("statements", lambda: self._statements(out, facts))
        out.part("replication", lambda: self._replication(out, facts))

    def _health(self, out: _Scrape, facts: CatalogFacts) -> HealthResult:
        from musicdb.ops import health

        result = health.run_checks(self.target, thresholds=self.options.thresholds,
                                   skip=("drift",), facts=facts)
        family = out.gauge("musicdb_health_check_status",
                           "Each health check's state: 0 ok, 1 warning, 2 critical, 3 unknown.",
                           ("check",))
        drift = self._drift_check()
        for check in [*result.checks, *([drift] if drift else [])]:
            family.add_metric([check.name], health.EXIT_CODES[check.status])  # Nagios codes
        return result

    def _drift_check(self) -> Check | None:
        """The drift check's last result, run again once it is older than ``drift_interval_s``
        (in the background when serving: until its first result, None)."""
        if self.options.drift_interval_s <= 0:
            return None
        if time.monotonic() - self._drift_at >= self.options.drift_interval_s:
            if not self.background_drift:
                self._run_drift()
            elif self._drift_thread is None or not self._drift_thread.is_alive():
                self._drift_thread = threading.Thread(target=self._run_drift, daemon=True,
                                                      name="musicdb-drift")
                self._drift_thread.start()
        return self._drift

    def _run_drift(self) -> None:
        from musicdb.ops import health

        result = health.run_checks(self.target, only=("drift",))
        self._drift = next(c for c in result.checks if c.name == "drift")
        self._drift_at = time.monotonic()

    def _drift_part(self, out: _Scrape) -> None:
        drift = self._drift_check()
        if drift is None:
            return
        if drift.status not in ("ok", "warning"):
            raise RuntimeError(drift.message)
        out.gauge("musicdb_schema_drift",
                  "Whether the live schema differs from what its migrations build (1) or not "
                  "(0); checked at most once an hour.").add_metric(
            [], 1 if drift.status == "warning" else 0)

    def _schema(self, out: _Scrape, checks: dict[str, Check]) -> None:
        at_head = checks["at_head"]
        if at_head.status == "unknown":
            raise RuntimeError(at_head.message)
        out.gauge("musicdb_schema_at_head",
                  "Whether the database is at the migrations' head revision (1) or not (0)."
                  ).add_metric([], 1 if at_head.status == "ok" else 0)

    def _views(self, out: _Scrape, checks: dict[str, Check]) -> None:
        staleness = checks["view_staleness"]
        if staleness.status == "unknown":
            raise RuntimeError(staleness.message)
        labels = ("view",)
        populated = out.gauge("musicdb_view_populated",
                              "Whether the materialized view is populated (1) or not (0).", labels)
        age = out.gauge("musicdb_view_last_refresh_age_seconds",
                        "Seconds since the view's last successful refresh.", labels)
        took = out.gauge("musicdb_view_last_refresh_duration_seconds",
                         "How long the view's last successful refresh took.", labels)
        for view in staleness.details["views"]:
            populated.add_metric([view["view"]], 1 if view["populated"] else 0)
            if view["age_s"] is not None:
                age.add_metric([view["view"]], view["age_s"])
            if view.get("last_duration_s") is not None:
                took.add_metric([view["view"]], view["last_duration_s"])

    def _partitions(self, out: _Scrape, checks: dict[str, Check]) -> None:
        """The partition checks' figures (``user_interactions`` by month); nothing while the
        table is not partitioned."""
        ahead, default = checks["partitions_ahead"], checks["default_partition_rows"]
        for check in (ahead, default):
            if check.status == "unknown":
                raise RuntimeError(check.message)
        if "months_ahead" in ahead.details:
            out.gauge("musicdb_partitions_months_ahead",
                      "Month partitions of user_interactions premade ahead of the current one."
                      ).add_metric([], ahead.details["months_ahead"])
        if "rows" in default.details:
            out.gauge("musicdb_partitions_default_rows",
                      "Rows in the default partition of user_interactions (no month covers "
                      "them)."
                      ).add_metric([], default.details["rows"])

    def _tables(self, out: _Scrape, facts: CatalogFacts) -> None:
        stats = facts.table_stats
        out.gauge("musicdb_tables", "Tables in the catalog (the largest are exported one by one)."
                  ).add_metric([], stats.tables)
        labels = ("schema", "table")
        families = {
            "total": out.gauge("musicdb_table_total_bytes",
                               "Table size with indexes and TOAST.", labels),
            "heap": out.gauge("musicdb_table_heap_bytes", "Table heap size.", labels),
            "index": out.gauge("musicdb_table_index_bytes", "Size of the table's indexes.",
                               labels),
            "live": out.gauge("musicdb_table_live_rows", "Estimated live rows.", labels),
            "dead": out.gauge("musicdb_table_dead_rows", "Estimated dead rows.", labels),
            "bloat": out.gauge("musicdb_table_bloat_bytes",
                               "Estimated heap bytes holding no live row (absent: unknown).",
                               labels),
            "vacuum": out.gauge("musicdb_table_last_vacuum_age_seconds",
                                "Seconds since the last vacuum or autovacuum.", labels),
            "analyze": out.gauge("musicdb_table_last_analyze_age_seconds",
                                 "Seconds since the last analyze or autoanalyze.", labels),
        }
        now = dt.datetime.now(dt.UTC)
        rows = sorted(stats.rows, key=lambda r: -r.total_bytes)[: self.options.top_tables]
        for r in rows:
            key = [r.schema, r.table]
            values = {
                "total": r.total_bytes, "heap": r.heap_bytes, "index": r.index_bytes,
                "live": r.live_rows, "dead": r.dead_rows, "bloat": r.bloat_bytes,
                "vacuum": _age(now, r.last_vacuum, r.last_autovacuum),
                "analyze": _age(now, r.last_analyze, r.last_autoanalyze),
            }
            for name, value in values.items():
                if value is not None:
                    families[name].add_metric(key, value)

    def _indexes(self, out: _Scrape, facts: CatalogFacts) -> None:
        from musicdb.reports.indexes import VERDICTS

        rows = facts.index_verdicts.rows
        family = out.gauge("musicdb_indexes",
                           "Indexes by verdict (unused, duplicate, redundant, invalid); "
                           "verdict=\"all\" counts every index.", ("verdict",))
        family.add_metric(["all"], len(rows))
        for verdict in VERDICTS:
            family.add_metric([verdict], sum(verdict in r.verdicts for r in rows))

    def _connections(self, out: _Scrape, facts: CatalogFacts) -> None:
        from musicdb.reports import connection_stats

        stats = connection_stats(facts.conn)
        out.gauge("musicdb_max_connections", "The server's max_connections."
                  ).add_metric([], stats.max_connections)
        family = out.gauge("musicdb_connections", "Client connections by state.", ("state",))
        for state, count in sorted(stats.by_state.items()):
            family.add_metric([state or "unknown"], count)
        longest = {r.section: r for r in stats.rows if r.section in
                   ("longest query", "oldest transaction")}
        query = longest.get("longest query")
        xact = longest.get("oldest transaction")
        out.gauge("musicdb_longest_query_seconds",
                  "Age of the longest-running active query (0: none)."
                  ).add_metric([], (query.duration_s or 0.0) if query else 0.0)
        out.gauge("musicdb_oldest_transaction_seconds",
                  "Age of the oldest open transaction (0: none)."
                  ).add_metric([], (xact.duration_s or 0.0) if xact else 0.0)

    def _locks(self, out: _Scrape, facts: CatalogFacts) -> None:
        from musicdb.reports import lock_info

        info = lock_info(facts.conn)
        out.gauge("musicdb_lock_waiting_sessions",
                  "Sessions waiting for a lock another session holds."
                  ).add_metric([], info.waiting)

    def _statements(self, out: _Scrape, facts: CatalogFacts) -> None:
        from musicdb.reports import analyze_queries, installed_extension

        if installed_extension(facts.conn, "pg_stat_statements") is None:
            return  # not installed: nothing to export, and nothing failed
        stats = analyze_queries(facts.conn, order="total", limit=self.options.top_statements)
        calls = out.counter("musicdb_statement_calls",
                            "Calls of the statement (top statements by total time).",
                            ("queryid",))
        seconds = out.counter("musicdb_statement_seconds",
                              "Total execution time of the statement.", ("queryid",))
        # One series per queryid: the same statement run by several roles is summed.
        by_id: dict[str, list[float]] = {}
        for r in stats.rows:
            if r.queryid is not None:
                figures = by_id.setdefault(str(r.queryid), [0, 0.0])
                figures[0] += r.calls
                figures[1] += r.total_ms / 1000
        for queryid, (count, total_s) in by_id.items():
            calls.add_metric([queryid], count)
            seconds.add_metric([queryid], total_s)


    def _replication(self, out: _Scrape, facts: CatalogFacts) -> None:
        """What ``replication-status`` shows: on a primary each standby's lag and each slot's
        retained WAL, on a standby its own replay lag (the families of the other role are left
        out, so a dashboard over both servers shows each figure once)."""
        from musicdb.reports.replication import replication_status

        status = replication_status(facts.conn)
        standby = status.role == "standby"
        out.gauge("musicdb_in_recovery",
                  "Whether this server is a standby in recovery (1) or a primary (0)."
                  ).add_metric([], 1 if standby else 0)
        if standby:
            upstream = status.upstream()
            streaming = upstream is not None and upstream.state == "streaming"
            out.gauge("musicdb_standby_streaming",
                      "Whether this standby's WAL receiver is streaming (1) or not (0)."
                      ).add_metric([], 1 if streaming else 0)
            if upstream is not None and upstream.replay_lag_bytes is not None:
                out.gauge("musicdb_standby_replay_lag_bytes",
                          "WAL received but not yet replayed on this standby."
                          ).add_metric([], upstream.replay_lag_bytes)
            if upstream is not None and upstream.replay_lag_s is not None:
                out.gauge("musicdb_standby_replay_lag_seconds",
                          "Seconds since the last replayed transaction's commit, while WAL "
                          "waits to be replayed (0 when caught up)."
                          ).add_metric([], upstream.replay_lag_s)
            return
        standbys = status.standbys()
        out.gauge("musicdb_replication_standbys", "Standbys connected to this primary."
                  ).add_metric([], len(standbys))
        labels = ("standby", "client")
        lag_bytes = out.gauge("musicdb_replication_replay_lag_bytes",
                              "WAL sent to the standby but not yet replayed there.", labels)
        lag_s = out.gauge("musicdb_replication_replay_lag_seconds",
                          "The standby's replay lag as the primary measures it.", labels)
        for row in standbys:
            key = [row.name, row.client or ""]  # application names repeat; the address tells
            if row.replay_lag_bytes is not None:
                lag_bytes.add_metric(key, row.replay_lag_bytes)
            lag_s.add_metric(key, row.replay_lag_s or 0.0)  # null: caught up and idle
        retained = out.gauge("musicdb_replication_slot_retained_bytes",
                             "WAL a replication slot keeps on the primary.", ("slot",))
        active = out.gauge("musicdb_replication_slot_active",
                           "Whether a consumer is connected to the slot (1) or not (0).",
                           ("slot",))
        for row in status.slots():
            if row.retained_bytes is not None:
                retained.add_metric([row.name], row.retained_bytes)
            active.add_metric([row.name], 1 if row.active else 0)


class CachedCollector(Collector):
    """The exporter as a prometheus_client collector, safe to scrape from many clients at once.

    One scrape runs at a time: a scrape arriving while one runs gets the last result (it waits
    only for the very first). A result is served again for *min_interval_s* seconds.
    """

    def __init__(self, exporter: Exporter, min_interval_s: float = DEFAULT_MIN_INTERVAL_S) -> None:
        self.exporter = exporter
        self.min_interval_s = min_interval_s
        self._lock = threading.Lock()
        self._last: list[Metric] | None = None
        self._at = float("-inf")

    def describe(self) -> list[Metric]:
        return []  # no scrape at registration

    def collect(self) -> Iterator[Metric]:
        return iter(self.result())

    def result(self) -> list[Metric]:
        last = self._last
        if last is not None and time.monotonic() - self._at < self.min_interval_s:
            return last
        if not self._lock.acquire(blocking=last is None):
            assert last is not None
            return last
        try:
            if self._last is None or time.monotonic() - self._at >= self.min_interval_s:
                self._last = self.exporter.scrape()
                self._at = time.monotonic()
            return self._last
        finally:
            self._lock.release()


def registry_for(collector: Collector) -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(collector)
    return registry


def generate_text(exporter: Exporter) -> str:
    """One scrape of *exporter* in the Prometheus text format."""
    from prometheus_client import generate_latest

    return generate_latest(registry_for(CachedCollector(exporter, 0))).decode()


def exposition(target: DatabaseTarget, options: MetricsOptions | None = None) -> bytes:
    """One scrape in the Prometheus text format."""
    return generate_text(Exporter(target, options)).encode()


def write_textfile(
    path: str, target: DatabaseTarget, options: MetricsOptions | None = None
) -> None:
    """One scrape written to *path* atomically (a temporary file beside it, then renamed), for
    node_exporter's textfile collector."""
    from prometheus_client import write_to_textfile

    write_to_textfile(path, registry_for(CachedCollector(Exporter(target, options), 0)))


def parse_listen(text: str) -> tuple[str, int]:
    """``HOST:PORT`` (``[::1]:PORT`` for IPv6) as (host, port); a bad one is a usage error."""
    from musicdb.errors import UsageError

    host, sep, port = text.rpartition(":")
    host = host.strip("[]")
    if not sep or not host or not port.isdigit() or not 0 <= int(port) <= 65535:
        raise UsageError(f"--listen must be HOST:PORT, e.g. {DEFAULT_LISTEN} (got {text!r})")
    return host, int(port)


def make_server(listen: str, collector: CachedCollector) -> Any:
    """An HTTP server (not yet serving) with ``/metrics`` on *listen*."""
    import socket
    from http.server import ThreadingHTTPServer
    from urllib.parse import urlsplit

    from prometheus_client.exposition import MetricsHandler

    from musicdb.errors import MusicdbError

    host, port = parse_listen(listen)
    base = MetricsHandler.factory(registry_for(collector))

    class Handler(base):  # type: ignore[valid-type,misc]
        def do_GET(self) -> None:
            if urlsplit(self.path).path != "/metrics":
                self.send_error(404, "only /metrics is served here")
                return
            super().do_GET()

        def log_message(self, format: str, *args: Any) -> None:
            pass  # a scrape every 15 s is no news

    class Server(ThreadingHTTPServer):
        daemon_threads = True
        address_family = socket.AF_INET6 if ":" in host else socket.AF_INET

    try:
        return Server((host, port), Handler)
    except OSError as exc:
        raise MusicdbError(f"cannot listen on {listen}: {exc.strerror or exc}") from exc
