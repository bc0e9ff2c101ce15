"""``musicdb migrate adopt`` against the legacy fixture, on a real server."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading
import time
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg.rows import dict_row

from helpers import recorded_statements
from legacy import (
    INDEX_COUNT_QUERY,
    LEGACY_INDEX_COUNT,
    LEGACY_REVISION,
    LEGACY_TABLES,
    legacy_index_names,
)
from musicdb import adopt, migrate
from musicdb.adopt import target as frozen
from musicdb.config import DatabaseTarget

TS_TYPES = ("timestamp without time zone", "timestamp with time zone")


def _columns(conn: psycopg.Connection[Any], table: str) -> dict[str, str]:
    rows = conn.execute(
        "SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute "
        "WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped",
        (f"public.{table}",),
    ).fetchall()
    return dict(rows)


def _norm(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        return value.isoformat()
    return value


def _table_rows(url: str, table: str, columns: list[str]) -> dict[int, dict[str, Any]]:
    with psycopg.connect(url, row_factory=dict_row) as conn:
        rows = conn.execute(f"SELECT {', '.join(columns)} FROM {table}").fetchall()
    return {r["id"]: {c: _norm(r[c]) for c in columns} for r in rows}


def _number(value: Any) -> Any:
    # a filled default (jsonb 0) and the float8 column read back (0.0) are the same value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return value


def _checksum(rows: dict[int, dict[str, Any]]) -> str:
    data = [{c: _number(v) for c, v in rows[k].items()} for k in sorted(rows)]
    text = json.dumps(data, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _adopt_and_up(url: str) -> None:
    target = DatabaseTarget(url, "test")
    adopt.adopt(target)
    migrate.upgrade(target, "head")


def test_the_fixture_builds_the_packaged_legacy_layout(legacy_template, pg_server) -> None:
    # the fixture runs the package's script: the database it leaves has exactly the indexes that
    # script declares, the stamp adopt looks for, and all 20 tables
    with pg_server.connect(legacy_template[0]) as conn:
        assert conn.execute(INDEX_COUNT_QUERY).fetchone() == (LEGACY_INDEX_COUNT,)
        names = {r[0] for r in conn.execute(
            "SELECT indexname FROM pg_indexes WHERE schemaname = 'public'")}
        assert names == legacy_index_names()
        assert migrate.current_revisions(conn) == (LEGACY_REVISION,)
        tables = {r[0] for r in conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}
    assert tables == {*LEGACY_TABLES, "alembic_version"}


def test_the_frozen_target_schema_does_not_change() -> None:
    # the conversion converges onto this data: it is parsed from compact text, and must give the
    # very dicts (order included) that were generated from the catalog at 20250618_075149
    cols, cons, idx = frozen.COLUMNS, frozen.CONSTRAINTS, frozen.INDEXES
    assert (len(cols), sum(map(len, cols.values())), len(cons), len(idx)) == (20, 297, 82, 44)
    assert [t for t in cols if "search_vector" in cols[t]] == [
        "artists", "albums", "tracks", "playlists"]
    assert cons["playlists.ck_folder_not_dynamic"] == (
        "check", "CHECK ((NOT (folder_type AND is_dynamic)))")
    doc = [[(t, list(c.items())) for t, c in cols.items()], list(cons.items()), list(idx.items())]
    digest = hashlib.sha256(json.dumps(doc).encode()).hexdigest()
    assert digest == "4010c9be33160bf4e1595a4b52c966a387e165b7451ac7e9dd0cac4bd9508c39"


def test_adopt_then_up_keeps_every_row_and_value_and_ends_without_drift(
    legacy_db, cli, monkeypatch
) -> None:
    url, facts = legacy_db
    with psycopg.connect(url, autocommit=True) as conn:
        cols = {t: [c for c in _columns(conn, t) if c != "search_vector"] for t in LEGACY_TABLES}
        ts_cols = {t: {c for c, ty in _columns(conn, t).items() if ty in TS_TYPES}
                   for t in LEGACY_TABLES}
        # the legacy defects, before
        with pytest.raises(psycopg.errors.UndefinedColumn):
            conn.execute("UPDATE users SET last_login = last_login WHERE id = 1")
        with pytest.raises(psycopg.errors.ObjectNotInPrerequisiteState):
            conn.execute("REFRESH MATERIALIZED VIEW CONCURRENTLY mv_track_popularity")
    before = {t: _table_rows(url, t, cols[t]) for t in LEGACY_TABLES}

    dry = cli("migrate", "adopt", "--dry-run", "--format", "json", url=url)
    assert dry.exit_code == 0, dry.stderr
    doc = dry.json()
    assert doc["inspection"]["kind"] == "legacy"
    changes = " ".join(i["change"] for i in doc["writer_impacts"])
    for felt in ("search_vector can no longer be written", "source_id can no longer be NULL",
                 "timestamptz", "deletes now cascade"):
        assert felt in changes
    assert any("CREATE TRIGGER" in s["sql"] and "trg_track_sources_updated_at" in s["sql"]
               for s in doc["statements"])
    with psycopg.connect(url) as conn:  # the dry run changed nothing
        assert migrate.current_revisions(conn) == (LEGACY_REVISION,)

    refused = cli("migrate", "adopt", url=url)  # not a terminal, no --yes
    assert refused.exit_code == 1 and "--yes" in refused.stderr
    done = cli("migrate", "adopt", "--yes", url=url)
    assert done.exit_code == 0, done.stderr
    # a non-UTC session time zone must not move any timestamp
    monkeypatch.setenv("PGTZ", "Europe/Berlin")
    up = cli("migrate", "up", url=url)
    assert up.exit_code == 0, up.stderr
    check = cli("migrate", "check", url=url)
    assert check.exit_code == 0, check.stdout + check.stderr
    monkeypatch.delenv("PGTZ")
    # user_interactions ends partitioned by month: the adopted rows in the legacy partition,
    # which split turns into months, still without drift
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT relkind::text FROM pg_class "
                            "WHERE oid = 'user_interactions'::regclass").fetchone() == ("p",)
    split = cli("partitions", "split", url=url)
    assert split.exit_code == 0, split.stderr
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT to_regclass('user_interactions_legacy')").fetchone() == (None,)
    assert cli("migrate", "check", url=url).exit_code == 0

    with psycopg.connect(url, autocommit=True, row_factory=dict_row) as conn:
        quarantined = conn.execute(
            "SELECT table_name, row_id, reason FROM musicdb_adopt.quarantine").fetchall()
        changed = conn.execute(
            "SELECT table_name, row_id, column_name, new_value, reason "
            "FROM musicdb_adopt.changed_values WHERE column_name <> 'search_vector'"
        ).fetchall()
        kept_sv = conn.execute(
            "SELECT count(*) AS n FROM musicdb_adopt.changed_values "
            "WHERE column_name = 'search_vector'").fetchone()["n"]
    assert kept_sv == sum(facts["search_vector_non_null"].values())
    reasons = {q["reason"] for q in quarantined}
    assert {"source_key_conflict", "invalid_vote_type"} <= reasons  # artist/album sources, votes
    # the conversion quarantined the track sources with a NULL or shared id; the compatible head
    # accepts them and put them back
    assert not [q for q in quarantined if q["table_name"] == "track_sources"]
    with psycopg.connect(url) as conn:
        nulls = conn.execute(
            "SELECT count(*) FROM track_sources WHERE source_id IS NULL").fetchone()[0]
    assert nulls == facts["track_source_null_source_id_rows"]
    assert len([q for q in quarantined if q["reason"] == "invalid_vote_type"]) == len(
        facts["invalid_vote_types"])

    # expected content = before - quarantined rows, with every recorded change applied
    expected = {t: dict(rows) for t, rows in before.items()}
    for q in quarantined:
        del expected[q["table_name"]][q["row_id"]]
    for c in changed:
        value = c["new_value"]
        if c["column_name"] in ts_cols[c["table_name"]]:
            value = _norm(dt.datetime.fromisoformat(value))
        expected[c["table_name"]][c["row_id"]][c["column_name"]] = value
    for table in LEGACY_TABLES:
        after = _table_rows(url, table, cols[table])
        assert len(after) == len(expected[table]), table
        diff = [(k, c, expected[table][k][c], after[k][c]) for k in after for c in after[k]
                if after[k][c] != expected[table][k][c]][:3]
        assert _checksum(after) == _checksum(expected[table]), (table, diff)

    with psycopg.connect(url, autocommit=True) as conn:
        # every timestamp probe kept its UTC instant (naive UTC at the compatible head)
        for probe in facts["timestamp_probes"]:
            got = conn.execute(
                f"SELECT {probe['column']} FROM {probe['table']} "
                "WHERE id = %s", (probe["id"],)).fetchone()
            assert got is not None and got[0].isoformat(sep=" ") == probe["value"], probe
        # UPDATE works on every table that failed before, and the view refreshes concurrently
        for table in ("users", "discovery_sessions", "playlist_activities"):
            conn.execute(f"UPDATE {table} SET id = id WHERE id = (SELECT min(id) FROM {table})")
        conn.execute("REFRESH MATERIALIZED VIEW CONCURRENTLY mv_track_popularity")
        # sequences carried over: the next id follows the legacy sequence, not max(id)
        for table in ("users", "tracks", "track_sources"):
            nxt = conn.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id'))", (table,)).fetchone()[0]
            assert nxt == facts["sequence_last_values"][table] + 1
    status = cli("migrate", "status", "--check", url=url)
    assert status.exit_code == 0, status.stdout
    again = cli("migrate", "adopt", "--format", "json", url=url)
    assert again.exit_code == 0 and again.json()["inspection"]["kind"] == "adopted"


def test_up_refuses_a_legacy_database_that_was_not_adopted(legacy_db, cli) -> None:
    url, _facts = legacy_db
    result = cli("migrate", "up", url=url)
    assert result.exit_code == 1
    assert "migrate adopt" in result.stderr
    with psycopg.connect(url) as conn:
        assert _columns(conn, "tracks")["search_vector"] == "text"


def test_an_interrupted_conversion_runs_again_to_completion(legacy_db, pg_server) -> None:
    url, _facts = legacy_db
    target = DatabaseTarget(url, "test")
    adopt.adopt(target)
    errors: list[BaseException] = []
    with psycopg.connect(url) as blocker:
        blocker.execute("SELECT 1 FROM user_interactions LIMIT 1")  # holds ACCESS SHARE

        def run() -> None:
            try:
                migrate.upgrade(target, "head", lock_timeout_ms=120_000, retries=0)
            except BaseException as exc:  # collected for the assertion
                errors.append(exc)

        worker = threading.Thread(target=run)
        worker.start()
        with pg_server.connect() as admin:
            pid = None
            while pid is None and worker.is_alive():
                row = admin.execute(
                    "SELECT pid FROM pg_stat_activity WHERE application_name = 'musicdb migrate' "
                    "AND wait_event_type = 'Lock' AND %s = ANY(pg_blocking_pids(pid))",
                    (blocker.info.backend_pid,)).fetchone()
                pid = row[0] if row else None
                time.sleep(0.05)
            assert pid is not None
            admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
        worker.join()
        blocker.rollback()
    assert errors, "the killed conversion must fail"
    with psycopg.connect(url) as conn:
        (stamp,) = migrate.current_revisions(conn)
        # the steps before the blocked one are committed ...
        assert stamp == "20261201_090200_legacy_resolve_rows"
        # ... and the killed step (drop_indexes) left everything as it was, including the
        # indexes it had already dropped on other tables before it waited
        names = {r[0] for r in conn.execute("SELECT indexname FROM pg_indexes")}
        assert {"idx_tracks_artist_id", "idx_user_interactions_composite"} <= names
        assert _columns(conn, "user_interactions")["created_at"] == TS_TYPES[0]
    migrate.upgrade(target, "head")
    assert migrate.drift(target) == []


def test_adopt_on_fresh_empty_and_unrelated_databases_is_harmless(
    cli, db_url, empty_db_url, pg_server
) -> None:
    fresh = cli("migrate", "adopt", "--yes", "--format", "json", url=db_url)
    assert fresh.exit_code == 0, fresh.stderr
    assert fresh.json()["inspection"]["kind"] == "managed"
    with psycopg.connect(db_url) as conn:
        assert migrate.current_revisions(conn) == migrate.heads()
        assert not adopt.conversion.is_adopted(conn)

    empty = cli("migrate", "adopt", "--yes", "--format", "json", url=empty_db_url)
    assert empty.exit_code == 0 and empty.json()["inspection"]["kind"] == "empty"
    as_csv = cli("migrate", "adopt", "--dry-run", "--format", "csv", url=empty_db_url)
    assert as_csv.exit_code == 0, as_csv.stderr
    lines = as_csv.stdout.splitlines()
    assert lines[0] == "key,value" and any(line.startswith("dry_run,") for line in lines)

    with pg_server.database(prefix="musicdb_other_") as name:
        other = pg_server.url(name)
        with psycopg.connect(other, autocommit=True) as conn:
            conn.execute("CREATE TABLE invoices (id int PRIMARY KEY, total numeric)")
        result = cli("migrate", "adopt", "--yes", "--format", "json", url=other)
        assert result.exit_code == 1
        inspection = result.json()["inspection"]
        assert inspection["kind"] == "unknown"
        assert {"kind": "tables", "name": "invoices", "change": "extra"} in inspection[
            "differences"]
        with psycopg.connect(other) as conn:
            assert migrate.current_revisions(conn) == ()
            assert not adopt.conversion.is_adopted(conn)


def test_fresh_databases_pass_the_legacy_branch_unchanged(db_url) -> None:
    script = migrate.script_directory()
    assert len(script.get_heads()) == 1
    legacy = {r.revision for r in script.walk_revisions() if r.revision in adopt.LEGACY_REVISIONS}
    assert legacy == set(adopt.LEGACY_REVISIONS)
    with psycopg.connect(db_url) as conn:
        assert conn.execute("SELECT to_regnamespace('musicdb_adopt')").fetchone() == (None,)
    assert Path(script.get_revision(adopt.LEGACY_BASE).path).exists()


def _catalog_and_rows(url: str) -> tuple[Any, ...]:
    from musicdb.migrate import snapshot

    with psycopg.connect(url) as conn:
        return (snapshot.snapshot(conn), adopt.row_counts(conn), migrate.current_revisions(conn),
                conn.execute("SELECT to_regnamespace('musicdb_adopt')").fetchone())


def test_the_adopt_dry_run_shows_the_statements_the_real_run_executes(
    legacy_db, cli, monkeypatch
) -> None:
    url, _facts = legacy_db
    before = _catalog_and_rows(url)
    dry = cli("migrate", "adopt", "--dry-run", "--format", "json", url=url)
    assert dry.exit_code == 0, dry.stderr
    assert _catalog_and_rows(url) == before  # the dry run changed nothing
    statements = dry.json()["statements"]
    shown = [(s["sql"].strip(), s["params"]) for s in statements
             if s["revision"] == adopt.ADOPT_STEP]

    # what psycopg is asked to run on the connection adopt writes with, whatever builds it
    with recorded_statements("musicdb adopt") as recorded:
        done = cli("migrate", "adopt", "--yes", url=url)
    executed = [(text, params) for _label, text, params in recorded]
    assert done.exit_code == 0, done.stderr
    assert len(shown) == 9 and executed == shown
    assert any("CREATE TABLE IF NOT EXISTS alembic_version" in sql for sql, _p in executed)
    assert any("ALTER COLUMN version_num TYPE varchar(64)" in sql for sql, _p in executed)
    assert _catalog_and_rows(url) != before

    # `migrate up` plans each conversion step again on the live catalog: it runs the statements
    # shown, in their order; the only ones shown that it skips are row clean-ups an earlier step
    # has done by then (each planner repeats them so that it is safe on its own)
    from musicdb.adopt import conversion

    ran: list[tuple[str, str, Any]] = []
    run_plan = conversion.execute

    def executing(conn, step_plan):  # type: ignore[no-untyped-def]
        for stmt in step_plan.statements:
            params = json.loads(json.dumps(list(stmt.params), default=str))
            ran.append((step_plan.step, stmt.text(conn).strip(), params))
        return run_plan(conn, step_plan)

    monkeypatch.setattr(conversion, "execute", executing)
    migrate.upgrade(DatabaseTarget(url, "test"), "head")
    monkeypatch.undo()
    planned = [(s["step"], s["sql"].strip(), s["params"]) for s in statements
               if s["revision"] != adopt.ADOPT_STEP]
    assert len(ran) > 100
    skipped, position = [], 0
    for statement in ran:
        found = planned.index(statement, position)  # ValueError: run but never shown
        skipped += planned[position:found]
        position = found + 1
    skipped += planned[position:]
    assert all(sql.startswith(("INSERT INTO musicdb_adopt.", "DELETE", "UPDATE"))
               for _step, sql, _p in skipped)
