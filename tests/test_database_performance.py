"""The schema proves its indexes on generated data: plans, GIN and partial indexes, pooling,
growth and metrics.

Data is generated once per session at two sizes ten times apart (scale 0.01 and 0.1, fixed seed
and dates) into template databases; tests that change data work on a copy. Nothing here asserts a
wall-clock limit: plans, buffer counts and ratios only. Every test here generates data or runs
the benchmark: the module is marked ``slow``.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest

from musicdb.config import DatabaseTarget
from musicdb.errors import MusicdbError
from musicdb.workload import bench, generate
from musicdb.workload.patterns import BY_NAME, PATTERNS, Pattern, draw_params, explain

pytestmark = pytest.mark.slow

SMALL, BIG = 0.01, 0.1
SEED = 20250618
UNTIL = dt.date(2026, 1, 1)


def _generated_template(pg_server: Any, template_db: str, scale: float) -> Iterator[str]:
    with pg_server.database(template_db, prefix="musicdb_perf_") as name:
        generate.generate(DatabaseTarget(pg_server.url(name), "test"), scale=scale, seed=SEED,
                          until=UNTIL)
        yield name


@pytest.fixture(scope="session")
def big_template(pg_server: Any, template_db: str) -> Iterator[str]:
    yield from _generated_template(pg_server, template_db, BIG)


@pytest.fixture(scope="session")
def small_template(pg_server: Any, template_db: str) -> Iterator[str]:
    yield from _generated_template(pg_server, template_db, SMALL)


@pytest.fixture
def big_conn(pg_server: Any, big_template: str) -> Iterator[psycopg.Connection[Any]]:
    """A read-only look at the big generated database (tests must not change it)."""
    with pg_server.connect(big_template) as conn:
        yield conn


@pytest.fixture
def big_copy_url(pg_server: Any, big_template: str) -> Iterator[str]:
    """A private copy of the big generated database."""
    with pg_server.database(big_template) as name:
        yield pg_server.url(name)


def _probes(conn: psycopg.Connection[Any], pattern: Pattern) -> list[tuple[Any, ...]]:
    """The keys a plan check uses: a busy and a uniformly drawn one. Q6 is checked with its
    rarest genre only: a genre that a fifth of the artists share is rightly read sequentially."""
    params = draw_params(conn, pattern, count=5, seed=3)
    if pattern.hot_sql is None:
        return [()]
    if pattern.name == "Q6":
        return params.cold[:1]
    return [*params.hot[:1], *params.cold[:1]]


# --- index effectiveness --------------------------------------------------------------------------
def test_q4_reads_its_index_in_each_month_and_a_window_prunes_the_others(big_conn) -> None:
    """user_interactions is partitioned by month. Q4 (a user's latest 50 events) walks the
    (user_id, created_at DESC) index of every month and merges them (no sort of the user's whole
    history); the same read over a window of time plans only the months of the window: the
    other partitions, the default one included, are not in the plan at all."""
    import dataclasses

    q4 = BY_NAME["Q4"]
    (user,) = _probes(big_conn, q4)[0]
    facts = explain(big_conn, q4, (user,), analyze=True)
    months = [r for r in facts.relations if r.startswith("user_interactions_p")]
    assert len(months) >= 12 and q4.index in facts.indexes, facts.relations
    assert not facts.seq_scans and "Sort" not in facts.node_types, facts.node_types
    windowed = dataclasses.replace(q4, sql=q4.sql.replace(
        "ORDER BY", "AND ui.created_at >= %s AND ui.created_at < %s ORDER BY"))
    window = (dt.datetime(2025, 10, 1), dt.datetime(2025, 12, 1))
    facts = explain(big_conn, windowed, (user, *window), analyze=True)
    read = sorted(r for r in facts.relations if r.startswith("user_interactions"))
    assert read == ["user_interactions_p202510", "user_interactions_p202511"], facts.relations
    assert q4.index in facts.indexes and not facts.seq_scans, facts.plan


@pytest.mark.parametrize("pattern", PATTERNS, ids=[p.name for p in PATTERNS])
def test_each_pattern_uses_its_intended_index(big_conn, pattern: Pattern) -> None:
    probes = _probes(big_conn, pattern)
    assert probes, f"{pattern.name}: no parameters drawn from the data"
    for args in probes:
        facts = explain(big_conn, pattern, args)
        for index in pattern.intended:
            assert index in facts.indexes, (pattern.name, args, facts.indexes, facts.node_types)
        assert facts.seq_scans == [], (pattern.name, args, facts.seq_scans)


def _index_facts(conn: psycopg.Connection[Any], name: str) -> tuple[str, bool]:
    row = conn.execute(
        "SELECT am.amname, x.indpred IS NOT NULL FROM pg_class AS c "
        "JOIN pg_index AS x ON x.indexrelid = c.oid JOIN pg_am AS am ON am.oid = c.relam "
        "WHERE c.relname = %s",
        (name,),
    ).fetchone()
    assert row is not None, name
    return row[0], row[1]


@pytest.mark.parametrize(
    ("name", "access_method", "partial"),
    [
        ("Q3", "gin", False),  # full-text search
        ("Q6", "gin", False),  # JSONB containment
        ("Q8", "btree", True),  # favourites
        ("Q9", "btree", True),  # high energy (expression)
        ("Q11", "btree", True),  # active session
    ],
)
def test_search_containment_and_partial_patterns_use_gin_or_partial_index(
    big_conn, name: str, access_method: str, partial: bool
) -> None:
    pattern = BY_NAME[name]
    assert _index_facts(big_conn, pattern.index) == (access_method, partial)
    for args in _probes(big_conn, pattern):
        facts = explain(big_conn, pattern, args)
        assert pattern.index in facts.indexes
        if access_method == "gin":
            # a GIN index is only ever read through a bitmap
            assert "Bitmap Index Scan" in facts.node_types, facts.node_types


def test_full_text_search_finds_generated_titles(big_conn) -> None:
    pattern = BY_NAME["Q3"]
    top = "SELECT title FROM tracks ORDER BY popularity DESC LIMIT 1"
    title = big_conn.execute(top).fetchone()[0]
    rows = big_conn.execute(pattern.sql, (title.split()[0].lower(),)).fetchall()
    assert rows and all(r[2] > 0 for r in rows)


# --- connection pooling ---------------------------------------------------------------------------
def _pool_connections(conn: psycopg.Connection[Any], app: str) -> int:
    row = conn.execute(
        "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s AND pid <> "
        "pg_backend_pid()",
        (app,),
    ).fetchone()
    return int(row[0])


def test_pool_serves_many_workers_without_errors_or_leaks(pg_server, big_template) -> None:
    app = "musicdb pool test"
    target = DatabaseTarget(pg_server.url(big_template), "test")
    jobs = []
    with pg_server.connect(big_template) as conn:
        for pattern in PATTERNS:
            params = draw_params(conn, pattern, count=4, seed=5)
            keys = [*params.hot, *params.cold] or [()]
            jobs += [(pattern, keys[i % len(keys)]) for i in range(20)]
    samples: list[float] = []
    with pg_server.connect() as watcher:
        with bench.pooled_engine(target, pool_size=4, pool_timeout_s=60,
                                 application_name=app) as pool:
            errors = bench.run_concurrently(
                pool, jobs, workers=12, on_sample=lambda _i, ms: samples.append(ms)
            )
            assert errors == []
            assert len(samples) == len(jobs) == 240
            open_now = _pool_connections(watcher, app)
            assert 1 <= open_now <= 4  # never more than the pool's size
        # disposed: every pooled connection is closed (a backend leaves pg_stat_activity
        # shortly after its client goes, so look again for a moment)
        for _ in range(100):
            if _pool_connections(watcher, app) == 0:
                break
            time.sleep(0.05)
        assert _pool_connections(watcher, app) == 0


def test_pool_timeout_is_a_clear_error(pg_server, big_template) -> None:
    target = DatabaseTarget(pg_server.url(big_template), "test")
    with bench.pooled_engine(target, pool_size=1, pool_timeout_s=0.2) as pool:
        held = pool.connect()
        try:
            with pytest.raises(MusicdbError, match=r"connection pool exhausted.*pool of 1"):
                pool.connect()
            job = [(BY_NAME["Q5"], ())]
            errors = bench.run_concurrently(pool, job, workers=1)
            assert len(errors) == 1 and "pool exhausted" in str(errors[0])
        finally:
            held.close()
        # a free connection again: the same pool works
        assert bench.run_concurrently(pool, [(BY_NAME["Q5"], ())], workers=1) == []


# --- scalability ----------------------------------------------------------------------------------
def test_lookups_stay_index_based_and_read_far_less_than_the_growth(
    pg_server, small_template, big_template
) -> None:
    """Ten times the data: the lookups' plans keep their indexes, and the buffers they touch
    (EXPLAIN ANALYZE, BUFFERS) grow far less than ten times."""
    counts = {}
    for name in (small_template, big_template):
        with pg_server.connect(name) as conn:
            counts[name] = conn.execute("SELECT count(*) FROM user_interactions").fetchone()[0]
    assert counts[big_template] >= 9 * counts[small_template]

    lookups = [p for p in PATTERNS if p.lookup]
    assert {p.name for p in lookups} == {"Q1", "Q2", "Q4", "Q7", "Q8", "Q10", "Q11", "Q12"}
    buffers: dict[str, dict[str, int]] = {}
    for name in (small_template, big_template):
        with pg_server.connect(name) as conn:
            conn.execute("SET max_parallel_workers_per_gather = 0")
            for pattern in lookups:
                args = draw_params(conn, pattern, count=1, seed=9).hot[0]  # the busiest key
                facts = explain(conn, pattern, args, analyze=True)
                # the driving access stays the pattern's index; on the small size the planner
                # may join a tiny tracks table by hashing it, which is its right choice there
                assert pattern.index in facts.indexes, (name, pattern.name, facts.indexes)
                table = _one_value(conn, OWNING_TABLE, (pattern.index,))
                assert table not in facts.seq_scans, (name, pattern.name, facts.node_types)
                if name == big_template:
                    assert facts.seq_scans == [], (pattern.name, facts.node_types)
                buffers.setdefault(pattern.name, {})[name] = facts.buffers
    ratios = {
        p: b[big_template] / max(1, b[small_template]) for p, b in buffers.items()
    }
    total = sum(b[big_template] for b in buffers.values()) / sum(
        b[small_template] for b in buffers.values()
    )
    assert all(r < 4 for r in ratios.values()), (ratios, buffers)
    assert total < 2.5, (total, buffers)


def _scan_of(node: dict[str, Any], index: str) -> dict[str, Any] | None:
    if node.get("Index Name") == index:
        return node
    return next((found for child in node.get("Plans", ()) if (found := _scan_of(child, index))),
                None)


def test_favourites_of_a_power_user_stop_at_the_limit(big_conn) -> None:
    """Q8 for the user with the most favourites (a collector with more than the LIMIT of 50):
    the ordered partial index hands over the newest 50 and the scan stops there."""
    pattern = BY_NAME["Q8"]
    user = draw_params(big_conn, pattern, count=1, seed=9).hot[0]
    favourites = _one_value(
        big_conn, "SELECT count(*) FROM user_library WHERE user_id = %s AND is_favorite", user
    )
    assert favourites > 50, favourites
    facts = explain(big_conn, pattern, user, analyze=True)
    scan = _scan_of(facts.plan["Plan"], pattern.index)
    assert scan is not None, facts.node_types
    assert "Sort" not in facts.node_types, facts.node_types
    assert float(scan["Actual Rows"]) * float(scan["Actual Loops"]) == 50, scan


OWNING_TABLE = "SELECT indrelid::regclass::text FROM pg_index WHERE indexrelid = %s::regclass"


def _one_value(conn: psycopg.Connection[Any], query: str, params: tuple[Any, ...]) -> Any:
    row = conn.execute(query, params).fetchone()
    assert row is not None
    return row[0]


# --- bench: metrics tracking -------------------------------------------------------------------
def test_bench_json_reports_every_pattern(cli, pg_server, big_template) -> None:
    result = cli("bench", "-n", "5", "--warmup", "1", "--format", "json",
                 url=pg_server.url(big_template))
    assert result.exit_code == 0, result.stderr
    doc = result.json()
    assert doc["report"] == "bench"
    rows = {r["pattern"]: r for r in doc["rows"]}
    assert list(rows) == [p.name for p in PATTERNS]
    for name, row in rows.items():
        assert row["calls"] == 5
        assert 0 < row["p50_ms"] <= row["p95_ms"] <= row["p99_ms"] <= row["max_ms"]
        assert row["intended_index"] == BY_NAME[name].index
        assert row["uses_intended"] is True, row
    assert doc["meta"]["row_counts"]["user_interactions"] > 0


def test_bench_save_appends_runs_and_against_flags_regressions(cli, pg_server, big_template,
                                                               tmp_path) -> None:
    url = pg_server.url(big_template)
    results = tmp_path / "runs.jsonl"
    args = ("bench", "-p", "Q1,Q5,Q10", "-n", "5", "--warmup", "1", "--format", "json")
    for _ in range(2):
        done = cli(*args, "--save", "--results-file", str(results), url=url)
        assert done.exit_code == 0, done.stderr
    runs = [json.loads(line) for line in results.read_text().splitlines()]
    assert len(runs) == 2
    assert set(runs[-1]["patterns"]) == {"Q1", "Q5", "Q10"}

    # make the last saved run say: Q5 used to be a thousand times faster, the others a thousand
    # times slower; only Q5 can count as a regression, whatever this machine's speed
    last = runs[-1]
    last["patterns"]["Q5"]["p95_ms"] /= 1000.0
    for name in ("Q1", "Q10"):
        last["patterns"][name]["p95_ms"] *= 1000.0
    with results.open("a") as fh:
        fh.write(json.dumps(last) + "\n")
    flagged = cli(*args, "--against", str(results), "--max-regression", "2", url=url)
    assert flagged.exit_code == 1, flagged.stderr
    rows = {r["pattern"]: r for r in flagged.json()["rows"]}
    assert rows["Q5"]["regressed"] is True and rows["Q5"]["p95_ratio"] > 2
    assert rows["Q1"]["regressed"] is False and rows["Q10"]["regressed"] is False
    assert flagged.json()["meta"]["regressed"] == ["Q5"]
    assert "Q5" in flagged.stderr

    # a --format json document works as the earlier run too
    doc = tmp_path / "run.json"
    doc.write_text(flagged.stdout)
    same = cli(*args, "--against", str(doc), "--max-regression", "1000", url=url)
    assert same.exit_code == 0, same.stderr


def test_bench_against_a_missing_or_bad_file_is_a_usage_error(cli, pg_server, big_template,
                                                              tmp_path) -> None:
    url = pg_server.url(big_template)
    missing = cli("bench", "-p", "Q5", "-n", "1", "--against", str(tmp_path / "nope"), url=url)
    assert missing.exit_code == 2 and "cannot read" in missing.stderr
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"hello": 1}\n')
    wrong = cli("bench", "-p", "Q5", "-n", "1", "--against", str(bad), url=url)
    assert wrong.exit_code == 2 and "not a bench results file" in wrong.stderr
    unknown = cli("bench", "-p", "Q99", url=url)
    assert unknown.exit_code == 2 and "Q99" in unknown.stderr


def test_compare_baseline_measures_the_indexes_in_the_same_run(cli, pg_server,
                                                                big_copy_url) -> None:
    result = cli("bench", "-p", "Q4,Q12", "-n", "20", "--baseline-iterations", "5",
                 "--compare-baseline", "--format", "json", url=big_copy_url)
    assert result.exit_code == 0, result.stderr
    rows = {r["pattern"]: r for r in result.json()["rows"]}
    # without the performance revision's indexes Q12 reads its table sequentially; Q4 (on the
    # partitioned user_interactions) walks each month's created_at index instead
    assert "ix_user_interactions_user_id_created_at" in rows["Q4"]["indexes"], rows["Q4"]
    assert "playlist_activities" in rows["Q12"]["baseline_seq_scans"]
    for row in rows.values():
        assert row["baseline_p50_ms"] > 0 and row["speedup_p50"] > 1, row
    # the copy is gone afterwards
    with pg_server.connect() as conn:
        left = conn.execute(
            "SELECT count(*) FROM pg_database WHERE datname LIKE '%%_bench_baseline_%%'"
        ).fetchone()[0]
    assert left == 0
