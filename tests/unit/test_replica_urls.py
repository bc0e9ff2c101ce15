"""Which replicas the index verdicts read: ``--replica`` options, else MUSICDB_REPLICA_URLS."""

from __future__ import annotations

import pytest

from musicdb.config import Settings
from musicdb.errors import UsageError


def test_environment_lists_replicas_by_comma_or_space() -> None:
    urls = "postgresql://r1/db, postgresql://r2/db" + chr(10) + "postgresql://r3/db"
    settings = Settings(environ={"MUSICDB_REPLICA_URLS": urls})
    found = settings.replicas()
    assert [t.conninfo for t in found] == [
        "postgresql://r1/db", "postgresql://r2/db", "postgresql://r3/db"]
    assert {t.source for t in found} == {"MUSICDB_REPLICA_URLS"}


def test_options_win_over_the_environment() -> None:
    settings = Settings(environ={"MUSICDB_REPLICA_URLS": "postgresql://env/db"})
    (only,) = settings.replicas(["postgresql://opt/db"])
    assert only.conninfo == "postgresql://opt/db" and only.source == "--replica"


def test_no_replicas_by_default() -> None:
    assert Settings(environ={}).replicas() == []


def test_an_empty_replica_option_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="--replica"):
        Settings(environ={}).replicas([" "])


def test_keyword_value_replicas_are_separated_by_commas() -> None:
    raw = "host=r1 port=5433 dbname=music, postgresql://r2/music postgresql://r3/music,"
    found = Settings(environ={"MUSICDB_REPLICA_URLS": raw}).replicas()
    expected = ["host=r1 port=5433 dbname=music", "postgresql://r2/music", "postgresql://r3/music"]
    assert [t.conninfo for t in found] == expected
