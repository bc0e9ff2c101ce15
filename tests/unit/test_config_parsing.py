"""URL parsing, masking and the order of the configuration sources, without a server."""

from __future__ import annotations

import pytest
from psycopg.conninfo import conninfo_to_dict

from musicdb.config import (
    DatabaseTarget,
    libpq_env_in_use,
    mask_url,
    normalise_url,
    resolve_target,
    url_with_database,
)
from musicdb.errors import ConfigError


@pytest.mark.parametrize(
    ("url", "masked"),
    [
        ("postgresql://bob:s3cret@db:5432/music", "postgresql://bob:***@db:5432/music"),
        ("postgresql://bob:p@ss:w0rd@db/music", "postgresql://bob:***@db/music"),
        ("postgresql://db/music?user=bob&password=s3cret&sslmode=require",
         "postgresql://db/music?user=bob&password=***&sslmode=require"),
        ("postgresql://bob@db/music", "postgresql://bob@db/music"),
        ("postgresql://db/music?sslmode=require", "postgresql://db/music?sslmode=require"),
    ],
)
def test_mask_url_hides_only_the_password(url: str, masked: str) -> None:
    assert mask_url(url) == masked


def test_mask_url_of_an_unparsable_url_still_hides_the_password() -> None:
    broken = "postgresql://bob:s3cret@[::1/music"  # an unclosed IPv6 bracket: urlsplit refuses it
    assert "s3cret" not in mask_url(broken)
    assert mask_url(broken).startswith("postgresql://bob:***@")


@pytest.mark.parametrize("scheme", ["postgresql", "postgres", "postgresql+psycopg", "POSTGRES"])
def test_normalise_url_accepts_the_postgres_schemes(scheme: str) -> None:
    assert normalise_url(f" {scheme}://u@h:5/d ", origin="x") == "postgresql://u@h:5/d"


@pytest.mark.parametrize("url", ["mysql://u:pw@h/d", "h:5432/d", "postgresql:/h/d"])
def test_normalise_url_refuses_other_schemes_naming_the_origin(url: str) -> None:
    with pytest.raises(ConfigError) as caught:
        normalise_url(url, origin="DATABASE_URL")
    message = str(caught.value)
    assert message.startswith("DATABASE_URL: not a PostgreSQL URL")
    assert "pw" not in message


def test_sources_in_order_option_then_musicdb_then_database_url_then_libpq() -> None:
    env = {"MUSICDB_DATABASE_URL": "postgres://a/one", "DATABASE_URL": "postgres://b/two",
           "PGHOST": "c"}
    assert resolve_target("postgres://o/opt", env) == DatabaseTarget(
        "postgresql://o/opt", "--database-url"
    )
    assert resolve_target(None, env) == DatabaseTarget("postgresql://a/one", "MUSICDB_DATABASE_URL")
    del env["MUSICDB_DATABASE_URL"]
    assert resolve_target(None, env) == DatabaseTarget("postgresql://b/two", "DATABASE_URL")
    del env["DATABASE_URL"]
    assert resolve_target(None, env) == DatabaseTarget("", "libpq environment")
    assert resolve_target(None, {"PGHOST": ""}) is None
    assert resolve_target(None, {}) is None


def test_libpq_environment_counts_only_set_variables() -> None:
    assert libpq_env_in_use({"PGSERVICE": "music"})
    assert not libpq_env_in_use({"PGHOST": "", "HOME": "/root"})


def test_url_with_database_keeps_server_credentials_and_query() -> None:
    url = "postgresql://bob:pw@db:5433/music?sslmode=require"
    assert conninfo_to_dict(url_with_database(url, "other db")) == {
        "user": "bob", "password": "pw", "host": "db", "port": "5433", "dbname": "other db",
        "sslmode": "require",
    }


@pytest.mark.parametrize(
    "given",
    ["host=db port=5433 user=bob password='p w' dbname=music",
     "postgresql://bob:p%20w@db:5433/music"],
)
def test_url_with_database_quotes_what_libpq_needs(given: str) -> None:
    built = url_with_database(given, "it's")
    parsed = conninfo_to_dict(built)
    assert parsed["dbname"] == "it's" and parsed["password"] == "p w"
    assert parsed["host"] == "db" and parsed["port"] == "5433" and parsed["user"] == "bob"


def test_url_with_database_from_an_empty_string() -> None:
    assert conninfo_to_dict(url_with_database("", "music")) == {"dbname": "music"}


def test_target_display_and_sqlalchemy_url() -> None:
    target = DatabaseTarget("postgresql://bob:pw@db/music", "DATABASE_URL")
    assert target.display == "postgresql://bob:***@db/music"
    assert target.sqlalchemy_url == "postgresql+psycopg://bob:pw@db/music"
    assert DatabaseTarget("", "libpq environment").sqlalchemy_url == "postgresql+psycopg://"


def test_libpq_target_display_names_the_variables_but_no_password(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("PGSERVICE", "PGPORT", "PGUSER", "PGDATABASE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PGHOST", "db.example")
    monkeypatch.setenv("PGPASSWORD", "s3cret")
    shown = DatabaseTarget("", "libpq environment").display
    assert shown == "libpq environment (PGHOST=db.example)"
