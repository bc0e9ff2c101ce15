"""``musicdb.db.scratch_database``: the one way musicdb and its tests make throwaway databases."""

from __future__ import annotations

import psycopg
import pytest
from psycopg.conninfo import conninfo_to_dict

from musicdb import db
from musicdb.config import DatabaseTarget
from musicdb.errors import MusicdbError


def _exists(pg_server, name: str) -> bool:
    with pg_server.connect() as conn:
        row = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
    return row is not None


def test_a_copy_holds_the_template_and_is_dropped_even_when_the_block_fails(
    pg_server, db_url
) -> None:
    source = str(conninfo_to_dict(db_url)["dbname"])
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute("INSERT INTO users (username, email, password_hash) "
                     "VALUES ('scratch', 'scratch@example.org', 'x')")
    server = DatabaseTarget(pg_server.admin_url, "test")
    with (
        pytest.raises(ZeroDivisionError),
        db.scratch_database(server, template=source, file_copy=True,
                            prefix="musicdb_copy_") as copy,
    ):
        name = str(conninfo_to_dict(copy.conninfo)["dbname"])
        assert name.startswith("musicdb_copy_") and name != source
        with db.connect(copy) as conn:
            assert conn.execute("SELECT username FROM users").fetchall() == [("scratch",)]
        assert _exists(pg_server, name)
        1 / 0  # noqa: B018  # the block fails: the copy is dropped all the same
    assert not _exists(pg_server, name)


def test_a_refused_create_is_worded_by_the_caller(pg_server) -> None:
    server = DatabaseTarget(pg_server.admin_url, "test")
    with (
        pytest.raises(MusicdbError, match="^no copy: .*does not exist"),
        db.scratch_database(server, template="musicdb_no_such_template",
                            refused=lambda exc: MusicdbError(f"no copy: {db.first_line(exc)}")),
    ):
        pytest.fail("the block must not run")
