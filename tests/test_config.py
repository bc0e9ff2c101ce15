"""Configuration: the four sources in the README's order, and masked URLs, against a real server."""

from __future__ import annotations

import contextlib

import psycopg
import pytest
from psycopg.conninfo import make_conninfo

from musicdb import db
from musicdb.config import DatabaseTarget, Settings, mask_url, normalise_url, resolve_target
from musicdb.errors import ConfigError


def test_mask_url_hides_passwords_everywhere() -> None:
    assert mask_url("postgresql://bob:s3cret@db:5432/x") == "postgresql://bob:***@db:5432/x"
    assert "s3cret" not in mask_url("postgresql://bob@db/x?password=s3cret&sslmode=require")
    assert mask_url("postgresql://bob@db/x") == "postgresql://bob@db/x"
    assert "p@ss" not in mask_url("postgresql://bob:p@ss@db/x")


def test_normalise_accepts_both_schemes_and_rejects_others() -> None:
    assert normalise_url("postgresql+psycopg://u@h/d", origin="x") == "postgresql://u@h/d"
    assert normalise_url("postgres://u@h/d", origin="x") == "postgresql://u@h/d"
    with pytest.raises(ConfigError, match="not a PostgreSQL URL"):
        normalise_url("mysql://u:pw@h/d", origin="--database-url")
    with pytest.raises(ConfigError) as info:
        normalise_url("mysql://u:pw@h/d", origin="--database-url")
    assert "pw" not in str(info.value)


def _current_database(target: DatabaseTarget) -> str:
    with db.connect(target) as conn:
        row = conn.execute("SELECT current_database()").fetchone()
        assert row is not None
        return str(row[0])


@pytest.fixture
def four_databases(pg_server, clean_env):
    with contextlib.ExitStack() as stack:
        names = [stack.enter_context(pg_server.database(prefix=f"musicdb_cfg{i}_"))
                 for i in range(4)]
        yield [pg_server.url(n) for n in names], names


def test_precedence_of_the_four_sources(four_databases, clean_env, pg_server) -> None:
    urls, names = four_databases
    option_url, musicdb_url, database_url, _ = urls
    env = {
        "MUSICDB_DATABASE_URL": musicdb_url,
        "DATABASE_URL": database_url,
    }
    libpq_url = psycopg.conninfo.conninfo_to_dict(pg_server.admin_url)
    env["PGDATABASE"] = names[3]
    env["PGHOST"] = str(libpq_url.get("host", ""))
    if libpq_url.get("port"):
        env["PGPORT"] = str(libpq_url["port"])
    env["PGUSER"] = str(libpq_url.get("user", "postgres"))
    if libpq_url.get("password"):
        env["PGPASSWORD"] = str(libpq_url["password"])

    # 1. the option beats everything
    target = Settings(database_url=option_url, environ=env).target()
    assert target.source == "--database-url"
    assert _current_database(target) == names[0]
    # 2. MUSICDB_DATABASE_URL, then DATABASE_URL
    target = Settings(environ=env).target()
    assert target.source == "MUSICDB_DATABASE_URL"
    assert _current_database(target) == names[1]
    del env["MUSICDB_DATABASE_URL"]
    target = Settings(environ=env).target()
    assert (target.source, _current_database(target)) == ("DATABASE_URL", names[2])
    # 3. libpq's environment when any PG* variable is set (psycopg reads os.environ)
    del env["DATABASE_URL"]
    for key, value in env.items():
        clean_env.setenv(key, value)
    target = Settings(environ=env).target()
    assert target.source == "libpq environment"
    assert target.conninfo == ""
    assert _current_database(target) == names[3]
    assert f"PGDATABASE={names[3]}" in target.display
    # 4. nothing set: the embedded local server
    assert resolve_target(None, {}) is None


def test_password_never_shown_in_connection_errors() -> None:
    target = DatabaseTarget("postgresql://bob:Sup3rSecret@127.0.0.1:1/nowhere", "--database-url")
    with pytest.raises(Exception) as info:
        db.connect(target, connect_timeout=2)
    assert "Sup3rSecret" not in str(info.value)
    assert "bob:***@127.0.0.1:1" in str(info.value)


def test_cli_uses_the_option_before_the_environment(cli, clean_env, pg_server, db_url) -> None:
    """End to end: the option wins over MUSICDB_DATABASE_URL, and what is shown is masked."""
    decoy = make_conninfo(pg_server.url("musicdb_decoy_absent"), password="Decoy5ecret")
    clean_env.setenv("MUSICDB_DATABASE_URL", decoy)
    result = cli("migrate", "status", "--format", "json", url=db_url)
    assert result.exit_code == 0, result.stderr
    assert result.json()["database"] == mask_url(db_url)
    failing = cli("migrate", "status")  # now the environment's URL is used: masked in the error
    assert failing.exit_code == 1
    assert "Decoy5ecret" not in failing.stderr and "password=***" in failing.stderr


# -- passwords in every form, keyword/value strings, empty values ---------------------------------
@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("postgresql://bob:WRONGpass123@[bad/", "WRONGpass123"),
        ('invalid IPv6 host address in URI: "postgresql://bob:WRONGpass123@[bad/"', "WRONGpass123"),
        ("postgresql://bob:p@ss:w0rd@db/x", "ss:w0rd"),
        ("postgresql://bob@db/x?sslmode=require&password=Qu3ry5ecret", "Qu3ry5ecret"),
        ("host=db user=bob password=Kv5ecret dbname=x", "Kv5ecret"),
        ("host=db password = 'with space' user=bob", "with space"),
        ("(host=db password=Kv5ecret)", "Kv5ecret"),
    ],
)
def test_mask_secrets_masks_every_form(text: str, secret: str) -> None:
    from musicdb.config import mask_secrets

    masked = mask_secrets(text)
    assert secret not in masked
    assert "***" in masked


def test_known_secrets_are_masked_wherever_libpq_quotes_them() -> None:
    """A broken keyword/value string: libpq quotes a piece of the intended password back."""
    from musicdb.config import configured_secrets, mask_secrets

    value = "host=db user=bob password=Open Sesame42 dbname=x"
    with pytest.raises(ConfigError) as info:
        normalise_url(value, origin="--database-url")
    assert "Sesame42" not in str(info.value) and "invalid connection string" in str(info.value)
    secrets = configured_secrets(["--database-url", value], {})
    assert mask_secrets('missing "=" after "Sesame42"', secrets) == 'missing "=" after "***"'
    env_secrets = configured_secrets([], {"PGPASSWORD": "Pg5ecret", "DATABASE_URL": value})
    assert {"Pg5ecret", "Sesame42"} <= env_secrets


def test_malformed_url_is_refused_with_the_password_masked() -> None:
    for origin in ("--database-url", "MUSICDB_DATABASE_URL"):
        with pytest.raises(ConfigError) as info:
            normalise_url("postgresql://bob:WRONGpass123@[bad/", origin=origin)
        message = str(info.value)
        assert message.startswith(f"{origin}: invalid connection string")
        assert "WRONGpass123" not in message and "bob:***@" in message


def test_keyword_value_strings_are_accepted_and_shown_masked(pg_server) -> None:
    params = psycopg.conninfo.conninfo_to_dict(pg_server.admin_url)
    kv = psycopg.conninfo.make_conninfo(**{k: str(v) for k, v in params.items()})
    target = resolve_target(kv, {})
    assert target is not None and target.conninfo == kv
    assert _current_database(target) == params.get("dbname", "postgres")
    shown = DatabaseTarget("host=db user=bob password=Kv5ecret dbname=x", "x").display
    assert shown == "host=db user=bob password=*** dbname=x"
    with pytest.raises(ConfigError, match="not a PostgreSQL URL or keyword/value"):
        normalise_url("just-a-name", origin="DATABASE_URL")
    with pytest.raises(ConfigError, match='invalid connection option "hots"'):
        normalise_url("hots=db password=Kv5ecret", origin="DATABASE_URL")


@pytest.mark.parametrize(
    ("option", "env", "origin"),
    [
        ("", {}, "--database-url"),
        ("  ", {"MUSICDB_DATABASE_URL": "postgresql://u@h/d"}, "--database-url"),
        (None, {"MUSICDB_DATABASE_URL": ""}, "MUSICDB_DATABASE_URL"),
        (None, {"MUSICDB_DATABASE_URL": "", "DATABASE_URL": "postgresql://u@h/d"},
         "MUSICDB_DATABASE_URL"),
        (None, {"DATABASE_URL": "", "PGHOST": "db"}, "DATABASE_URL"),
    ],
)
def test_an_empty_value_is_a_usage_error_never_the_next_source(option, env, origin) -> None:
    from musicdb.errors import UsageError

    with pytest.raises(UsageError, match=f"^{origin} is (set but )?empty") as info:
        resolve_target(option, env)
    assert info.value.exit_code == 2
