"""musicdb metrics: the exposition parsed with prometheus_client's parser against planted
conditions, the HTTP endpoint under concurrent scrapes, a pg_monitor role, the dashboard PromQL."""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import psycopg
import pytest
from prometheus_client.parser import text_string_to_metric_families
from psycopg.conninfo import make_conninfo

from musicdb.config import DatabaseTarget
from musicdb.db import scratch_database
from musicdb.observe import metrics
from musicdb.ops import health, refresh

DASHBOARD = Path(__file__).resolve().parents[1] / "docs" / "grafana" / "musicdb.json"
NO_DRIFT = metrics.MetricsOptions(drift_interval_s=0)


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """``{(sample name, sorted labels): value}`` of an exposition, parsed by prometheus_client."""
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def _value(samples: dict[Any, float], name: str, **labels: str) -> float:
    return samples[(name, tuple(sorted(labels.items())))]


def _scrape(url: str, options: metrics.MetricsOptions = NO_DRIFT) -> dict[Any, float]:
    return _samples(metrics.exposition(DatabaseTarget(url, "test"), options).decode())


def test_planted_conditions(db_url, pg_conn) -> None:
    # a dead-row table, an unused index, an idle-in-transaction session, a stale view
    pg_conn.execute("INSERT INTO artists (name) SELECT 'a' || g FROM generate_series(1, 3000) g")
    pg_conn.execute("DELETE FROM artists WHERE id % 3 = 0")
    pg_conn.execute("CREATE INDEX artists_name_unused ON artists (lower(name))")
    pg_conn.execute("SELECT pg_stat_force_next_flush()")
    pg_conn.execute(
        "INSERT INTO maintenance_log (operation, target, started_at, finished_at, duration_ms,"
        " outcome) VALUES ('refresh', 'public.mv_track_popularity', now() - interval '10 days',"
        " now() - interval '10 days' + interval '2.5 seconds', 2500, 'ok')"
    )
    with psycopg.connect(db_url, application_name="idler") as idler:
        idler.execute("SELECT 1")  # now idle in transaction
        time.sleep(0.3)
        samples = _scrape(db_url)
    assert _value(samples, "musicdb_up") == 1
    assert {_value(samples, "musicdb_scrape_error", part=p) for p in metrics.PARTS} == {0}
    # every health check, each as its Nagios code; drift is off here
    for name in health.CHECK_NAMES:
        if name != "drift":
            assert ("musicdb_health_check_status", (("check", name),)) in samples
    assert _value(samples, "musicdb_health_check_status", check="view_staleness") == 1
    assert _value(samples, "musicdb_health_check_status", check="invalid_indexes") == 0
    artists = {"schema": "public", "table": "artists"}
    assert _value(samples, "musicdb_table_dead_rows", **artists) == 1000
    assert _value(samples, "musicdb_table_live_rows", **artists) == 2000
    assert _value(samples, "musicdb_table_total_bytes", **artists) >= (
        _value(samples, "musicdb_table_heap_bytes", **artists)
        + _value(samples, "musicdb_table_index_bytes", **artists))
    assert _value(samples, "musicdb_indexes", verdict="unused") >= 1
    assert _value(samples, "musicdb_indexes", verdict="invalid") == 0
    assert _value(samples, "musicdb_connections", state="idle in transaction") >= 1
    assert _value(samples, "musicdb_oldest_transaction_seconds") >= 0.3
    assert _value(samples, "musicdb_max_connections") > 0
    assert _value(samples, "musicdb_lock_waiting_sessions") == 0
    view = {"view": "public.mv_track_popularity"}
    assert 10 * 86400 - 60 < _value(samples, "musicdb_view_last_refresh_age_seconds",
                                    **view) < 10 * 86400 + 60
    assert _value(samples, "musicdb_view_last_refresh_duration_seconds", **view) == 2.5
    assert _value(samples, "musicdb_schema_at_head") == 1
    assert _value(samples, "musicdb_scrape_duration_seconds") > 0


def test_top_tables_statements_drift_and_textfile(db_url, pg_conn, cli, tmp_path) -> None:
    pg_conn.execute("CREATE SCHEMA ext")
    pg_conn.execute("CREATE EXTENSION pg_stat_statements SCHEMA ext")
    for _ in range(3):
        pg_conn.execute("SELECT count(*) FROM tracks")
    out = tmp_path / "musicdb.prom"
    result = cli("metrics", "--output", str(out), "--top-tables", "3", "--top-statements", "5",
                 url=db_url)
    assert result.exit_code == 0, result.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["musicdb.prom"]  # no temporary file left
    samples = _samples(out.read_text())
    tables = [k for k in samples if k[0] == "musicdb_table_total_bytes"]
    assert len(tables) == 3 < _value(samples, "musicdb_tables")
    calls = {dict(k[1])["queryid"]: v for k, v in samples.items()
             if k[0] == "musicdb_statement_calls_total"}
    assert 0 < len(calls) <= 5 and all(q.lstrip("-").isdigit() for q in calls)
    assert any(k[0] == "musicdb_statement_seconds_total" for k in samples)
    # drift ran (CREATEDB here), once: the second scrape of the same exporter reuses it
    assert _value(samples, "musicdb_schema_drift") == 0
    assert _value(samples, "musicdb_health_check_status", check="drift") == 0
    # printed on stdout without --output
    printed = cli("metrics", "--drift-interval", "0", url=db_url)
    assert printed.exit_code == 0 and "# TYPE musicdb_up gauge" in printed.stdout
    assert "# HELP musicdb_table_dead_rows " in printed.stdout


def test_drift_runs_at_most_once_per_interval(db_url, monkeypatch) -> None:
    calls = []
    real = health.run_checks

    def counting(*args: Any, **kwargs: Any) -> Any:
        if kwargs.get("only") == ("drift",):
            calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(health, "run_checks", counting)
    exporter = metrics.Exporter(DatabaseTarget(db_url, "test"))
    exporter.scrape()
    exporter.scrape()
    assert len(calls) == 1
    # serving: the drift check runs beside the scrapes, which never wait for it
    serving = metrics.Exporter(DatabaseTarget(db_url, "test"), background_drift=True)
    first = _samples(metrics.generate_text(serving))
    assert not any(k[0] == "musicdb_schema_drift" for k in first)
    assert _value(first, "musicdb_scrape_error", part="drift") == 0
    assert serving._drift_thread is not None
    serving._drift_thread.join(60)
    later = _samples(metrics.generate_text(serving))
    assert _value(later, "musicdb_schema_drift") == 0
    assert len(calls) == 2


def test_unreachable_and_back(pg_server) -> None:
    name = f"mdb_gone_{uuid.uuid4().hex[:8]}"
    exporter = metrics.Exporter(DatabaseTarget(pg_server.url(name), "test"), NO_DRIFT)

    def up() -> float:
        text = metrics.generate_text(exporter)
        return _value(_samples(text), "musicdb_up")

    assert up() == 0  # not there yet
    with scratch_database(DatabaseTarget(pg_server.admin_url, "test"), name=name):
        assert up() == 1
    gone = _samples(metrics.generate_text(exporter))
    assert _value(gone, "musicdb_up") == 0
    assert {_value(gone, "musicdb_scrape_error", part=p) for p in metrics.PARTS} == {1}


def test_not_at_head_and_unwritable_output(db_url, pg_conn, cli, tmp_path) -> None:
    pg_conn.execute("UPDATE alembic_version SET version_num ="
                    " '20250618_075149_add_performance_indexes'")
    samples = _scrape(db_url)
    assert _value(samples, "musicdb_schema_at_head") == 0
    assert _value(samples, "musicdb_health_check_status", check="at_head") == 1
    result = cli("metrics", "--drift-interval", "0", "--output",
                 str(tmp_path / "missing" / "m.prom"), url=db_url)
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1 and "cannot write" in result.stderr
    assert not (tmp_path / "missing").exists()


def test_http_serves_twenty_concurrent_scrapes_with_one_run(db_url) -> None:
    exporter = metrics.Exporter(DatabaseTarget(db_url, "test"), NO_DRIFT)
    collector = metrics.CachedCollector(exporter, min_interval_s=60)
    server = metrics.make_server("127.0.0.1:0", collector)
    port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        def get(_: int) -> str:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=30) as r:
                return r.read().decode()

        with ThreadPoolExecutor(20) as pool:
            bodies = list(pool.map(get, range(20)))
        assert exporter.scrapes == 1
        assert all(_value(_samples(b), "musicdb_up") == 1 for b in bodies)
        assert len(set(bodies)) == 1  # the same result for all
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/other", timeout=10)
        assert err.value.code == 404
        collector.min_interval_s = 0  # past the interval: the next scrape runs again
        get(0)
        assert exporter.scrapes == 2
    finally:
        server.shutdown()
        server.server_close()


def test_serve_binds_localhost_and_rejects_bad_listen(cli) -> None:
    assert metrics.parse_listen(metrics.DEFAULT_LISTEN) == ("127.0.0.1", 9187)
    assert metrics.parse_listen("[::1]:9000") == ("::1", 9000)
    result = cli("metrics", "serve", "--listen", "nowhere", url="postgresql://x@127.0.0.1:1/x")
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and "--listen must be HOST:PORT" in result.stderr


def test_pg_monitor_role_gets_what_it_may_see(db_url, pg_server) -> None:
    password = uuid.uuid4().hex
    with pg_server.role("mon", member_of="pg_monitor", password=password) as role:
        samples = _scrape(make_conninfo(db_url, user=role, password=password),
                          metrics.MetricsOptions())
    assert _value(samples, "musicdb_up") == 1
    # what pg_monitor may read: the statistics views, sizes, activity, locks
    for part in ("health", "tables", "indexes", "connections", "locks", "replication"):
        assert _value(samples, "musicdb_scrape_error", part=part) == 0, part
    assert ("musicdb_table_dead_rows", (("schema", "public"), ("table", "tracks"))) in samples
    assert _value(samples, "musicdb_connections", state="active") >= 1
    # what it may not: alembic_version, maintenance_log, CREATEDB for the drift check
    for part in ("schema", "views", "drift"):
        assert _value(samples, "musicdb_scrape_error", part=part) == 1, part
    assert _value(samples, "musicdb_health_check_status", check="view_staleness") == 3
    assert not any(k[0] == "musicdb_schema_at_head" for k in samples)


def test_replication_on_the_primary_and_on_its_standby(db_url, standby_db, pg_conn) -> None:
    pg_conn.execute("SELECT pg_create_physical_replication_slot('musicdb_metrics_idle', true)")
    try:
        primary = _scrape(db_url)
    finally:
        pg_conn.execute("SELECT pg_drop_replication_slot('musicdb_metrics_idle')")
    assert _value(primary, "musicdb_in_recovery") == 0
    assert _value(primary, "musicdb_replication_standbys") >= 1
    assert _value(primary, "musicdb_replication_slot_active", slot="musicdb_metrics_idle") == 0
    assert _value(primary, "musicdb_replication_slot_retained_bytes",
                  slot="musicdb_metrics_idle") >= 0
    lags = [k for k in primary if k[0] == "musicdb_replication_replay_lag_seconds"]
    assert lags and all(dict(labels)["standby"] for _, labels in lags)
    assert _value(primary, "musicdb_scrape_error", part="replication") == 0
    standby = _scrape(standby_db)
    assert _value(standby, "musicdb_in_recovery") == 1
    assert _value(standby, "musicdb_standby_streaming") == 1
    assert _value(standby, "musicdb_standby_replay_lag_bytes") >= 0
    assert not [k for k in standby if k[0].startswith("musicdb_replication_")]  # primary's only
    assert _value(standby, "musicdb_scrape_error", part="replication") == 0
    # the rest of the scrape works read-only on the standby
    assert _value(standby, "musicdb_up") == 1
    assert _value(standby, "musicdb_scrape_error", part="tables") == 0


def test_dashboard_queries_name_only_emitted_metrics(db_url, standby_db, pg_conn) -> None:
    import promql_parser

    pg_conn.execute("CREATE SCHEMA ext")
    pg_conn.execute("CREATE EXTENSION pg_stat_statements SCHEMA ext")
    refresh.refresh_view(DatabaseTarget(db_url, "test"), "mv_track_popularity")
    pg_conn.execute("VACUUM ANALYZE artists")  # a table with a last vacuum
    # a primary with a streaming standby and a slot, and the standby: every family is emitted
    pg_conn.execute("SELECT pg_create_physical_replication_slot('musicdb_dashboard', true)")
    try:
        samples = _scrape(db_url, metrics.MetricsOptions())
    finally:
        pg_conn.execute("SELECT pg_drop_replication_slot('musicdb_dashboard')")
    emitted = {name for name, _ in samples} | {name for name, _ in _scrape(standby_db)}
    dashboard = json.loads(DASHBOARD.read_text())
    assert [i["name"] for i in dashboard["__inputs"]] == ["DS_PROMETHEUS"]
    assert dashboard["__inputs"][0]["pluginId"] == "prometheus"
    panels = [p for p in dashboard["panels"] if p["type"] != "row"]
    titles = {r["title"] for r in dashboard["panels"] if r["type"] == "row"}
    assert titles >= {"Health", "Sizes and growth", "Dead rows and bloat", "Connections",
                      "Locks and long transactions", "View staleness",
                      "Query load (pg_stat_statements)", "Replication"}
    used: set[str] = set()
    for panel in panels:
        assert panel["datasource"]["uid"] == "${DS_PROMETHEUS}"
        assert panel["targets"], panel["title"]
        for target in panel["targets"]:
            names: list[str] = []
            expr = promql_parser.parse(target["expr"])

            def visit(node: Any, names: list[str] = names) -> None:
                if isinstance(node, promql_parser.VectorSelector) and node.name:
                    names.append(node.name)

            promql_parser.walk(expr, visit)
            assert names, target["expr"]
            assert set(names) <= emitted, (panel["title"], set(names) - emitted)
            used.update(names)
    # every family the exporter emits is on the dashboard or deliberately left to Prometheus
    assert len(used) >= 34


def test_catalog_facts_are_kept_for_the_catalog_interval(db_url, pg_conn) -> None:
    """Every index's verdicts and every table's sizes are read again only after
    --catalog-interval; the other figures on every scrape."""
    target = DatabaseTarget(db_url, "test")
    kept = metrics.Exporter(target, metrics.MetricsOptions(drift_interval_s=0,
                                                           catalog_interval_s=3600))
    fresh = metrics.Exporter(target, metrics.MetricsOptions(drift_interval_s=0,
                                                            catalog_interval_s=0))
    before = {e: _samples(metrics.generate_text(e)) for e in (kept, fresh)}
    pg_conn.execute("CREATE INDEX ix_metrics_new ON artists (created_at)")
    with psycopg.connect(db_url, autocommit=True, application_name="metrics-idler"):
        after = {e: _samples(metrics.generate_text(e)) for e in (kept, fresh)}
        idle = {e: _value(after[e], "musicdb_connections", state="idle") for e in (kept, fresh)}
    counted = {e: (_value(before[e], "musicdb_indexes", verdict="all"),
                   _value(after[e], "musicdb_indexes", verdict="all"))
               for e in (kept, fresh)}
    assert counted[fresh][1] == counted[fresh][0] + 1  # read again
    assert counted[kept][1] == counted[kept][0]  # kept from the first scrape
    assert _value(after[kept], "musicdb_catalog_facts_age_seconds") > 0
    assert _value(after[fresh], "musicdb_catalog_facts_age_seconds") == 0
    assert idle[kept] >= 1 and idle[fresh] >= 1  # connections: read on every scrape
