"""The platform application on a musicdb database: the compatible head takes every write of the
deployed application (an application-shaped Flask client, tests/platform_app.py), under UTC and
Europe/Paris; musicdb.models match the live schema (autogenerate proposes nothing); Flask-Migrate
runs musicdb's revisions; the explicit contract step refuses while it would reject something,
then gives the strict schema of SCHEMA.md, and its undo keeps every row."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import psycopg
import pytest
import sqlalchemy as sa
from psycopg import errors, sql

from musicdb import adopt, migrate, models
from musicdb.config import DatabaseTarget
from musicdb.flask import init_migrate
from musicdb.migrate import contract, snapshot
from musicdb.workload import patterns
from platform_app import build_models, do_every_write, make_app, utcnow

COMPATIBLE = "20261204_090000_platform_app_compatible"
HEAD = "20261204_100000_partition_user_interactions"  # user_interactions partitioned
MERGE = "20261201_091000_merge_legacy_lineage"
CLOSE = dt.timedelta(minutes=5)


def _sa_url(url: str) -> str:
    return DatabaseTarget(url, "test").sqlalchemy_url


def _snap(url: str) -> dict[str, Any]:
    with psycopg.connect(url) as conn:
        return snapshot.snapshot(conn)


def _same(a: dict[str, Any], b: dict[str, Any]) -> None:
    differences = snapshot.diff(a, b, ignore=(contract.VERSION_TABLE,))
    assert differences == [], [str(d) for d in differences[:10]]


def _table_digest(conn: psycopg.Connection[Any]) -> dict[str, tuple[int, str]]:
    """Per table: row count and a digest of every row (timestamps as UTC instants)."""
    out = {}
    for table in (*models.MODELS, "maintenance_log"):
        cols = [r[0] for r in conn.execute(
            "SELECT attname FROM pg_attribute WHERE attrelid = to_regclass(%s) AND attnum > 0 "
            "AND NOT attisdropped AND attname NOT IN ('search_vector', 'search_document') "
            "ORDER BY attname", (f"public.{table}",)).fetchall()]
        query = sql.SQL("SELECT {} FROM {} ORDER BY id").format(
            sql.SQL(", ").join(sql.Identifier(c) for c in cols), sql.Identifier(table))
        rows = conn.execute(query).fetchall()
        norm = [tuple(v.astimezone(dt.UTC).replace(tzinfo=None)
                      if isinstance(v, dt.datetime) and v.tzinfo else v for v in r)
                for r in rows]
        out[table] = (len(rows), hashlib.sha256(repr(norm).encode()).hexdigest())
    return out


# --- the application-shaped client on the compatible head -------------------------------------
@pytest.mark.parametrize("timezone", ["UTC", "Europe/Paris"])
def test_the_application_writes_reads_and_deletes_on_the_compatible_head(db_url, timezone) -> None:
    app, db = make_app(_sa_url(db_url), timezone=timezone)
    m = build_models(db)
    with app.app_context():
        objs = do_every_write(db, m)
        db.session.expire_all()
        # reads come back naive and mean UTC, whatever the session's TimeZone
        playlist = db.session.get(m["Playlist"], objs["playlist"].id)
        assert playlist.expires_at.tzinfo is None and playlist.expires_at > utcnow()
        assert m["Playlist"].query.filter(m["Playlist"].expires_at > utcnow()).count() == 1
        assert abs(playlist.created_at - utcnow()) < CLOSE
        assert abs(playlist.updated_at - utcnow()) < CLOSE  # the trigger: UTC too
        # server defaults (raw SQL without the timestamp) are UTC as well
        raw = db.session.execute(sa.text(
            "INSERT INTO users (username, email, password_hash) VALUES ('raw', 'raw@x', 'h') "
            "RETURNING created_at")).scalar_one()
        assert raw.tzinfo is None and abs(raw - utcnow()) < CLOSE
        assert db.session.execute(sa.text("SHOW TimeZone")).scalar_one() == timezone
        db.session.commit()
        # track sources: no id, and one id on two tracks, as the search service stores them
        sources = db.session.execute(sa.text(
            "SELECT source_id, count(*) FROM track_sources GROUP BY 1 ORDER BY 1")).all()
        assert sources == [("yt1", 2), (None, 2)]
        track = objs["tracks"][1]
        db.session.add(m["TrackSource"](track_id=track.id, source_type="youtube"))
        db.session.commit()  # a second NULL id on the same track: not deduplicated
        # full text on the generated column, not on the text the application writes
        q3 = patterns.BY_NAME["Q3"]
        found = db.session.execute(sa.text(q3.sql.replace("%s", ":q")), {"q": "blue hour"}).all()
        assert {r.title for r in found} == {"Blue Hour"} and len(found) == 2
        stored = db.session.execute(sa.text(
            "SELECT search_vector FROM tracks WHERE id = :i"), {"i": track.id}).scalar_one()
        assert stored == "Nova Red Hour"
        # a vote stays 1 or -1
        bad = m["PlaylistTrackVote"](playlist_track_id=playlist.tracks.first().id,
                                     user_id=objs["user"].id, vote_type=2)
        db.session.add(bad)
        with pytest.raises(sa.exc.IntegrityError):
            db.session.commit()
        db.session.rollback()
        # the view refreshes concurrently on the application's rows
        db.session.execute(sa.text("REFRESH MATERIALIZED VIEW CONCURRENTLY mv_track_popularity"))
        last = db.session.execute(sa.text(
            "SELECT last_played_at FROM mv_track_popularity WHERE track_id = :t"),
            {"t": objs["tracks"][0].id}).scalar_one()
        assert abs(last - utcnow()) < CLOSE
        db.session.commit()
        # deletes: the ORM's backrefs null the artist's tracks; the database cascades a playlist
        artist = db.session.get(m["Artist"], objs["tracks"][0].artist_id)
        db.session.delete(artist)
        db.session.commit()
        assert db.session.get(m["Track"], objs["tracks"][0].id).artist_id is None
        db.session.execute(sa.delete(m["Playlist"]).where(m["Playlist"].id == playlist.id))
        db.session.commit()
        assert m["PlaylistTrack"].query.count() == 0 and m["PlaylistTrackVote"].query.count() == 0
        # a user with discovery sessions: the ORM nulls a NOT NULL key (as on its own database)
        db.session.delete(db.session.get(m["User"], objs["user"].id))
        with pytest.raises(sa.exc.IntegrityError):
            db.session.commit()
        db.session.rollback()
        db.engine.dispose()


def test_musicdb_writes_keep_utc_under_another_session_time_zone(db_url) -> None:
    """generate's COPY text ("+00") and the server defaults mean UTC in a Europe/Paris session."""
    with psycopg.connect(db_url, autocommit=True, options="-c TimeZone=Europe/Paris") as conn:
        with conn.cursor().copy("COPY users (username, email, password_hash, created_at) "
                                "FROM STDIN") as copy:
            copy.write("c\tc@x\th\t2025-06-01 10:00:00+00\n")
        got = conn.execute("SELECT created_at FROM users WHERE username = 'c'").fetchone()[0]
        assert got == dt.datetime(2025, 6, 1, 10, 0)
        with conn.transaction():
            conn.execute("INSERT INTO artists (name) VALUES ('a')")
            made, now_utc = conn.execute(
                "SELECT created_at, timezone('utc', now()) FROM artists").fetchone()
        assert made == now_utc


# --- musicdb.models ---------------------------------------------------------------------------
def test_musicdb_models_autogenerate_nothing_and_never_write_search_columns(db_url) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from musicdb.migrate.alembic_env import _include_object

    assert len(models.MODELS) == 20
    engine = sa.create_engine(_sa_url(db_url), poolclass=sa.pool.NullPool)
    statements: list[str] = []
    sa.event.listen(engine, "before_cursor_execute",
                    lambda _c, _cur, stmt, *_a: statements.append(stmt))
    try:
        with engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={
                "compare_type": True, "compare_server_default": True,
                "include_object": _include_object})
            assert compare_metadata(ctx, models.Base.metadata) == []
        with sa.orm.Session(engine) as session:
            artist = models.Artist(name="Nova")
            track = models.Track(title="Blue Hour", artist=artist)
            track.sources.append(models.TrackSource(source_type="youtube", source_id=None))
            user = models.User(username="u", email="u@x", password_hash="h")
            playlist = models.Playlist(name="Evening", owner=user)
            playlist.tracks.append(models.PlaylistTrack(track=track, position=1))
            session.add_all([track, playlist])
            session.commit()
            assert track.search_document is not None and "blue" in track.search_document
            assert track.created_at.tzinfo is None and abs(track.created_at - utcnow()) < CLOSE
            session.delete(user)  # passive deletes: the database cascades
            session.commit()
            assert session.scalar(sa.select(sa.func.count()).select_from(models.Playlist)) == 0
    finally:
        engine.dispose()
    # the column lists of the INSERTs (RETURNING may fetch the generated search_document back)
    inserts = [s.split("VALUES")[0] for s in statements if s.lstrip().upper().startswith("INSERT")]
    assert inserts and not any("search_vector" in s or "search_document" in s for s in inserts)


# --- Flask-Migrate on musicdb's revisions -----------------------------------------------------
def test_flask_db_commands_run_musicdb_revisions(empty_db_url, cli) -> None:
    app, db = make_app(_sa_url(empty_db_url), model_class=models.Base)
    init_migrate(app, db)

    def _flask(*args: str) -> Any:
        return app.test_cli_runner().invoke(args=["db", *args])

    up = _flask("upgrade")
    assert up.exit_code == 0, up.output
    status = cli("migrate", "status", "--format", "json", url=empty_db_url).json()
    assert status["current"] == [HEAD] and status["at_head"] and not status["contracted"]
    current = _flask("current")
    assert current.exit_code == 0 and HEAD in current.output, current.output
    check = _flask("check")
    assert check.exit_code == 0 and "No new upgrade operations detected" in check.output, (
        check.output)
    down = _flask("downgrade")
    assert down.exit_code == 0, down.output
    assert cli("migrate", "status", "--format", "json", url=empty_db_url).json()["current"] == [
        COMPATIBLE]
    assert COMPATIBLE in _flask("current").output
    assert _flask("upgrade").exit_code == 0
    assert cli("migrate", "check", url=empty_db_url).exit_code == 0
    # contracted: flask db upgrade leaves it be, and its downgrade is refused
    assert cli("migrate", "contract", "--yes", url=empty_db_url).exit_code == 0
    assert _flask("upgrade").exit_code == 0
    assert HEAD in _flask("current").output
    refused = _flask("downgrade")
    assert refused.exit_code != 0
    assert "contracted" in str(refused.exception) + refused.output
    with psycopg.connect(empty_db_url) as conn:
        assert migrate.current_revisions(conn) == (HEAD,)
        assert contract.applied(conn)


# --- the expand revision ----------------------------------------------------------------------
def test_expand_rewrites_no_table_and_keeps_every_instant(db_url, monkeypatch, cli) -> None:
    """From the strict schema (the merge revision) to the compatible head and back: no table is
    rewritten (same relfilenode) and every timestamp keeps its UTC instant, in a session whose
    TimeZone is Europe/Paris."""
    assert cli("migrate", "down", MERGE, "--yes", url=db_url).exit_code == 0
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute("INSERT INTO users (username, email, password_hash, created_at) "
                     "VALUES ('t', 't@x', 'h', '2025-03-30 01:30:00+00')")
        files = dict(conn.execute(
            "SELECT relname, pg_relation_filenode(oid) FROM pg_class WHERE relkind = 'r' "
            "AND relnamespace = 'public'::regnamespace").fetchall())
        before = _table_digest(conn)
    monkeypatch.setenv("PGTZ", "Europe/Paris")
    assert cli("migrate", "up", COMPATIBLE, url=db_url).exit_code == 0
    monkeypatch.delenv("PGTZ")
    with psycopg.connect(db_url, autocommit=True) as conn:
        after = dict(conn.execute(
            "SELECT relname, pg_relation_filenode(oid) FROM pg_class WHERE relkind = 'r' "
            "AND relnamespace = 'public'::regnamespace").fetchall())
        assert {t: after[t] for t in files} == files
        assert _table_digest(conn) == before
        created = conn.execute("SELECT created_at FROM users WHERE username = 't'").fetchone()[0]
        assert created == dt.datetime(2025, 3, 30, 1, 30)


# --- contract ---------------------------------------------------------------------------------
def test_contracted_schema_is_the_strict_target_and_undo_returns(empty_db_url, cli) -> None:
    """Contract gives exactly what the strict main line built before the expand (SCHEMA.md's
    target), its undo exactly the compatible head, and `migrate check` knows which to expect."""
    assert cli("migrate", "up", MERGE, url=empty_db_url).exit_code == 0
    strict = _snap(empty_db_url)
    assert cli("migrate", "up", COMPATIBLE, url=empty_db_url).exit_code == 0
    compatible = _snap(empty_db_url)
    assert cli("migrate", "down", MERGE, url=empty_db_url).exit_code == 0
    _same(strict, _snap(empty_db_url))
    assert cli("migrate", "up", COMPATIBLE, url=empty_db_url).exit_code == 0
    done = cli("migrate", "contract", "--yes", url=empty_db_url)
    assert done.exit_code == 0, done.stderr
    _same(strict, _snap(empty_db_url))
    assert cli("migrate", "check", url=empty_db_url).exit_code == 0
    status = cli("migrate", "status", url=empty_db_url)
    assert "contract  applied (20261204_091000_contract_strict)" in status.stdout
    again = cli("migrate", "contract", "--yes", url=empty_db_url)
    assert again.exit_code == 0 and "already contracted" in again.stderr
    undo_sql = cli("migrate", "contract", "--undo", "--dry-run", url=empty_db_url)
    assert undo_sql.exit_code == 0
    assert "ALTER TABLE tracks ADD COLUMN search_vector text" in undo_sql.stdout
    _same(strict, _snap(empty_db_url))  # the dry run changed nothing
    undo = cli("migrate", "contract", "--undo", "--yes", url=empty_db_url)
    assert undo.exit_code == 0, undo.stderr
    _same(compatible, _snap(empty_db_url))
    assert cli("migrate", "check", url=empty_db_url).exit_code == 0
    assert "contract  not applied" in cli("migrate", "status", url=empty_db_url).stdout


def test_contract_refuses_while_rows_would_be_rejected_then_runs_and_undo_keeps_rows(
    db_url, cli
) -> None:
    app, db = make_app(_sa_url(db_url))
    m = build_models(db)
    with app.app_context():
        do_every_write(db, m)
        db.engine.dispose()
    dry = cli("migrate", "contract", "--dry-run", url=db_url)
    assert dry.exit_code == 1
    assert "refused by  track_sources.source_id IS NULL: 2" in dry.stdout
    assert "refused by  (source_type, source_id) on several tracks: 1" in dry.stdout
    assert "-- SQL" in dry.stdout  # what it would run, once the rows allow it
    refused = cli("migrate", "contract", "--yes", "--format", "json", url=db_url)
    assert refused.exit_code == 1
    assert {r["check"]: r["count"] for r in refused.json()["reasons"]} == {
        "track_sources.source_id IS NULL": 2, "(source_type, source_id) on several tracks": 1}
    with psycopg.connect(db_url, autocommit=True) as conn:
        assert not contract.applied(conn)
        # the platform team fixes the rows: ids found for the NULL ones, the duplicate dropped
        conn.execute("UPDATE track_sources SET source_id = 'found' || id WHERE source_id IS NULL")
        conn.execute("DELETE FROM track_sources WHERE id = (SELECT max(id) FROM track_sources "
                     "WHERE source_id = 'yt1')")
        before = _table_digest(conn)
    dry = cli("migrate", "contract", "--dry-run", url=db_url)
    assert dry.exit_code == 0, dry.stdout + dry.stderr
    assert "ALTER COLUMN source_id SET NOT NULL" in dry.stdout and "refused by" not in dry.stdout
    done = cli("migrate", "contract", "--yes", url=db_url)
    assert done.exit_code == 0, done.stderr
    with psycopg.connect(db_url, autocommit=True) as conn:
        # strict: no NULL id, one owner per external id, generated search_vector, timestamptz
        with pytest.raises(errors.NotNullViolation):
            conn.execute("INSERT INTO track_sources (track_id, source_type) "
                         "VALUES ((SELECT min(id) FROM tracks), 'youtube')")
        with pytest.raises(errors.UniqueViolation):
            conn.execute("INSERT INTO track_sources (track_id, source_type, source_id) "
                         "VALUES ((SELECT max(id) FROM tracks), 'youtube', 'yt1')")
        with pytest.raises((errors.GeneratedAlways, errors.DatatypeMismatch)):
            conn.execute("INSERT INTO tracks (title, search_vector) VALUES ('x', 'x'::varchar)")
        created = conn.execute("SELECT created_at FROM users ORDER BY id LIMIT 1").fetchone()[0]
        assert created.tzinfo is not None
        assert patterns.search_column(conn) == "search_vector"
        (q3,) = patterns.for_database(conn, [patterns.BY_NAME["Q3"]])
        assert q3.index == "ix_tracks_search_vector"
        assert conn.execute(q3.sql, ("blue hour",)).fetchall()
        assert _table_digest(conn) == before
    # the main line cannot go below the compatible head while contracted
    down = cli("migrate", "down", MERGE, "--yes", url=db_url)
    assert down.exit_code == 1 and "contracted" in down.stderr
    undo = cli("migrate", "contract", "--undo", "--yes", url=db_url)
    assert undo.exit_code == 0, undo.stderr
    with psycopg.connect(db_url, autocommit=True) as conn:
        assert _table_digest(conn) == before
        assert not contract.applied(conn)
        # the application writes again
        conn.execute("INSERT INTO track_sources (track_id, source_type) "
                     "VALUES ((SELECT min(id) FROM tracks), 'youtube')")


def test_contract_refuses_while_pg_stat_statements_shows_old_writes(db_url, cli) -> None:
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
        conn.execute("SELECT pg_stat_statements_reset(0, (SELECT oid FROM pg_database "
                     "WHERE datname = current_database()), 0)")
        conn.execute("INSERT INTO tracks (title, search_vector) VALUES (%s, %s::varchar)",
                     ("t", "t"))
    refused = cli("migrate", "contract", "--dry-run", "--format", "json", url=db_url)
    assert refused.exit_code == 1
    reasons = {r["check"]: r for r in refused.json()["reasons"]}
    assert reasons["statements writing search_vector"]["count"] == 1
    assert "INSERT INTO tracks" in reasons["statements writing search_vector"]["detail"]
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute("SELECT pg_stat_statements_reset(0, (SELECT oid FROM pg_database "
                     "WHERE datname = current_database()), 0)")
    ok = cli("migrate", "contract", "--dry-run", "--format", "json", url=db_url)
    assert ok.exit_code == 0 and ok.json()["ready"], ok.stdout


# --- a database built by the application's own chain ----------------------------------------------
KEPT = {
    "users": "id, username, created_at",
    "tracks": "id, title, artist_id",
    "track_sources": "id, track_id, source_type, source_id",
    "playlists": "id, name, expires_at",
    "playlist_tracks": "id, playlist_id, position",
    "playlist_track_votes": "id, vote_type",
    "user_interactions": "id, session_id, created_at",
    "discovery_session_tracks": "id, session_id",
}


def _kept(url: str) -> dict[str, list[tuple[Any, ...]]]:
    with psycopg.connect(url) as conn:
        return {t: conn.execute(sql.SQL("SELECT {} FROM {} ORDER BY id").format(
                    sql.SQL(cols), sql.Identifier(t))).fetchall()  # static column lists
                for t, cols in KEPT.items()}


def test_a_database_built_by_the_application_chain_is_adopted_with_every_row(
    empty_db_url, cli
) -> None:
    with psycopg.connect(empty_db_url, autocommit=True) as conn:
        conn.execute(adopt.legacy_schema_sql())  # the layout its models and first revisions give
        conn.execute(adopt.APPLICATION_USERS_SQL)  # and its add_users_table
        conn.execute("DELETE FROM alembic_version")  # the layout comes with its version table
        conn.execute("INSERT INTO alembic_version VALUES ('add_users_table')")
    app, db = make_app(_sa_url(empty_db_url))
    m = build_models(db)
    with app.app_context():
        do_every_write(db, m, update_users=False)
        db.engine.dispose()
    before = _kept(empty_db_url)
    assert ("youtube", None) in {(r[2], r[3]) for r in before["track_sources"]}

    unknown = cli("migrate", "up", url=empty_db_url)
    assert unknown.exit_code == 1 and "add_users_table" in unknown.stderr
    dry = cli("migrate", "adopt", "--dry-run", "--format", "json", url=empty_db_url)
    assert dry.exit_code == 0, dry.stderr
    assert dry.json()["inspection"]["kind"] == "legacy"
    assert "application's own chain" in dry.json()["inspection"]["message"]
    assert cli("migrate", "adopt", "--yes", url=empty_db_url).exit_code == 0
    up = cli("migrate", "up", url=empty_db_url)
    assert up.exit_code == 0, up.stderr
    assert cli("migrate", "check", url=empty_db_url).exit_code == 0
    status = cli("migrate", "status", "--format", "json", url=empty_db_url).json()
    assert status["current"] == [HEAD] and status["at_head"]
    assert _kept(empty_db_url) == before  # every row, ids and values (timestamps: naive UTC)
    with psycopg.connect(empty_db_url) as conn:
        assert conn.execute("SELECT count(*) FROM musicdb_adopt.quarantine").fetchone() == (0,)
    # and the application goes on writing, now on the compatible head
    app, db = make_app(_sa_url(empty_db_url), timezone="Europe/Paris")
    m = build_models(db)
    with app.app_context():
        do_every_write(db, m, tag="2")
        db.engine.dispose()
