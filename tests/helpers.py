"""Helpers shared by the tests (imported as ``helpers``; ``tests/`` is on pytest's pythonpath).

Fixtures live in ``conftest.py``; everything here is plain code a test may call.
"""

from __future__ import annotations

import contextlib
import io
import os
import socket
import sys
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg import sql

from musicdb.config import url_with_database


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

    __test__ = False  # a helper, not a test class

    admin_url: str
    kind: str
    cluster: Any = None  # the musicdb.local.LocalCluster behind a "local" server

    def url(self, dbname: str) -> str:
        return url_with_database(self.admin_url, dbname)

    def connect(self, dbname: str | None = None, **kwargs: Any) -> psycopg.Connection[Any]:
        url = self.url(dbname) if dbname else self.admin_url
        return psycopg.connect(url, autocommit=True, **kwargs)

    @property
    def version_num(self) -> int:
        with self.connect() as conn:
            return int(conn.info.server_version)

    @contextlib.contextmanager
    def database(self, template: str = "template0", prefix: str = "musicdb_test_") -> Iterator[str]:
        """A fresh database (a copy of *template*) for the block; yields its name, then drops it
        (the library's :func:`musicdb.db.scratch_database`)."""
        from psycopg.conninfo import conninfo_to_dict

        from musicdb import db
        from musicdb.config import DatabaseTarget

        admin = DatabaseTarget(self.admin_url, "test server")
        with db.scratch_database(admin, prefix=prefix, template=template) as scratch:
            yield str(conninfo_to_dict(scratch.conninfo)["dbname"])

    @contextlib.contextmanager
    def role(self, prefix: str, *, member_of: str | None = None,
             password: str | None = None) -> Iterator[str]:
        """A LOGIN role without CREATEDB (in *member_of*, with *password*) for the block; yields
        its name, then drops it with whatever it was granted."""
        name = f"{prefix}_{uuid.uuid4().hex[:8]}"
        create = sql.SQL("CREATE ROLE {} LOGIN NOCREATEDB").format(sql.Identifier(name))
        if password is not None:
            create += sql.SQL(" PASSWORD {}").format(sql.Literal(password))
        if member_of is not None:
            create += sql.SQL(" IN ROLE {}").format(sql.Identifier(member_of))
        with self.connect() as conn:
            conn.execute(create)
        try:
            yield name
        finally:
            with self.connect() as conn:
                for dbname in [r[0] for r in conn.execute(
                        "SELECT datname FROM pg_database WHERE datallowconn")]:
                    with self.connect(dbname) as db:  # grants live in each database
                        db.execute(sql.SQL("DROP OWNED BY {}").format(sql.Identifier(name)))
                conn.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(name)))


@dataclass
class Standby:
    """A streaming hot standby of the session's local server (see the ``pg_standby`` fixture)."""

    primary: TestServer
    server: TestServer

    def url(self, dbname: str) -> str:
        return self.server.url(dbname)

    def wait_for_replay(self, timeout_s: float = 60.0) -> None:
        """Wait until the standby has replayed everything the primary has written so far."""
        import time

        with self.primary.connect() as conn:
            row = conn.execute("SELECT pg_current_wal_insert_lsn()").fetchone()
        target = row[0] if row else None
        deadline = time.monotonic() + timeout_s
        with self.server.connect() as conn:
            while True:
                done = conn.execute(
                    "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", (target,)
                ).fetchone()
                if done and done[0]:
                    return
                if time.monotonic() > deadline:
                    raise TimeoutError(f"the standby did not replay up to {target}")
                time.sleep(0.05)

    def database(self, primary_db: str) -> str:
        """The standby's URL of a database made on the primary, once replayed there."""
        self.wait_for_replay()
        return self.url(primary_db)


def migrate_to_head(url: str) -> None:
    from musicdb import migrate
    from musicdb.config import DatabaseTarget

    migrate.upgrade(DatabaseTarget(url, "test"), "head")


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


def musicdb_subprocess_env(**extra: str) -> dict[str, str]:
    """Environment for running the ``musicdb`` console script in a child process."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env.pop("MUSICDB_DATABASE_URL", None)
    env.pop("DATABASE_URL", None)
    env.update(extra)
    return env


MUSICDB = [sys.executable, "-m", "musicdb"]


@contextlib.contextmanager
def recorded_statements(
    application_name: str, label: Callable[[], str | None] = lambda: ""
) -> Iterator[list[tuple[str, str, Any]]]:
    """Record what psycopg is asked to run on the connections named *application_name*, whatever
    code builds the statements: ``(label, text, params)`` with the params as JSON values, for
    every statement run while *label* returns a string (the statements still run, on the real
    server)."""
    import json

    recorded: list[tuple[str, str, Any]] = []
    original = psycopg.Cursor.execute

    def recording(cur, query, params=None, **kwargs):  # type: ignore[no-untyped-def]
        name = cur.connection.info.parameter_status("application_name")
        where = label() if name == application_name else None
        if where is not None:
            text = query if isinstance(query, str) else query.as_string(cur.connection)
            values = params if isinstance(params, dict) else list(params or ())
            recorded.append((where, text.strip(), json.loads(json.dumps(values, default=str))))
        return original(cur, query, params, **kwargs)

    psycopg.Cursor.execute = recording  # type: ignore[method-assign]
    try:
        yield recorded
    finally:
        psycopg.Cursor.execute = original  # type: ignore[method-assign]
