"""Generated hostile input at the parsing layer: connection strings, names, revision arguments.

The contract, for every input: exit 0, 1 or 2; on failure exactly one line on stderr
(``musicdb: error: ...``); never a traceback; never the password; never a statement whose text
holds the input (names travel only as bound values, and as identifiers after a catalog lookup).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock
from urllib.parse import quote

import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import CliResult, run_cli

#: Bounded so the whole file stays a few seconds; every example is a full command.
EXAMPLES = settings(max_examples=40, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])

#: Prefixes no object, keyword or message of musicdb contains: their presence is the input's.
MARK = "Zq7"


def _check_contract(result: CliResult, *, codes: tuple[int, ...] = (0, 1, 2)) -> None:
    assert result.exit_code in codes, (result.exit_code, result.stderr)
    assert "Traceback" not in result.stderr, result.stderr
    if result.exit_code != 0:
        errors = [line for line in result.stderr.splitlines() if line.strip()]
        assert len(errors) == 1, result.stderr
        assert errors[0].startswith("musicdb: error: "), result.stderr
        assert "unexpected" not in errors[0], errors[0]


# -- connection strings ----------------------------------------------------------------------------
_SECRET_CHARS = st.characters(
    min_codepoint=33, max_codepoint=0x17F,
    blacklist_categories=("Cs", "Cc"),
)
passwords = st.text(_SECRET_CHARS, min_size=5, max_size=16).map(lambda s: "Pw" + s)
users = st.sampled_from(["bob", "app_user", "x"])
hosts = st.sampled_from(["127.0.0.1:1", "127.0.0.1:1,127.0.0.1:1", "[bad", "[::1", "127.0.0.1:x"])


#: Every form libpq knows, well formed or not (``str.format`` templates).
FORMS = {
    "url": "{scheme}://{user}:{secret}@{host}/db",
    "url-encoded": "{scheme}://{user}:{encoded}@{host}/db",
    "query": "{scheme}://{user}@{host}/db?sslmode=disable&password={encoded}",
    "kv": "host=127.0.0.1 port=1 user={user} password={secret} dbname=db",
    "kv-quoted": "host=127.0.0.1 port=1 password = {quoted} user={user}",
    "kv-spaces": "host=127.0.0.1 port=1 user={user} password={secret} {backwards}",
    "other-scheme": "{other}://{user}:{secret}@{host}/db",
    "garbage": "{noise} password={secret}",
}


@st.composite
def connection_strings(draw: Any) -> tuple[str, str]:
    """(connection text, its password)."""
    secret = draw(passwords)
    text = FORMS[draw(st.sampled_from(sorted(FORMS)))].format(
        scheme=draw(st.sampled_from(["postgresql", "postgres", "postgresql+psycopg"])),
        other=draw(st.sampled_from(["mysql", "http", "pg"])),
        user=draw(users),
        host=draw(hosts),
        secret=secret,
        encoded=quote(secret, safe=""),
        quoted="'" + secret.replace("\\", "\\\\").replace("'", "\\'") + "'",
        backwards=secret[::-1],
        noise=draw(st.text(_SECRET_CHARS, max_size=12)),
    )
    return text, secret


@contextmanager
def _environment(**values: str) -> Iterator[None]:
    from musicdb.config import LIBPQ_VARIABLES

    clean = {k: v for k, v in os.environ.items()
             if k not in ("MUSICDB_DATABASE_URL", "DATABASE_URL", *LIBPQ_VARIABLES)}
    with mock.patch.dict(os.environ, {**clean, **values}, clear=True):
        yield


@EXAMPLES
@given(case=connection_strings(), via=st.sampled_from(["--database-url", "MUSICDB_DATABASE_URL",
                                                      "DATABASE_URL"]))
def test_connection_text_never_shows_its_password(case: tuple[str, str], via: str) -> None:
    text, secret = case
    local_dir = "/proc/musicdb-never"  # were the local server chosen, it would fail loudly
    if via == "--database-url":
        with _environment(MUSICDB_LOCAL_DIR=local_dir):
            result = run_cli("migrate", "status", url=text)
    else:
        with _environment(MUSICDB_LOCAL_DIR=local_dir, **{via: text}):
            result = run_cli("migrate", "status")
    _check_contract(result, codes=(1, 2))
    assert secret not in result.stdout + result.stderr, result.stderr
    assert "for the local server" not in result.stderr


# -- names ---------------------------------------------------------------------------------------
_NAME_CHARS = st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")
_parts = st.one_of(
    st.text(_NAME_CHARS, max_size=8).map(lambda s: MARK + s),
    st.text(st.sampled_from('abZ_."; -\'$'), max_size=8).map(lambda s: MARK + s),
)


@st.composite
def relation_names(draw: Any) -> str:
    """Names as someone might type them: bare, qualified, quoted, half-quoted, with payloads."""
    part = draw(_parts)
    shape = draw(st.sampled_from(["bare", "quoted", "qualified", "both-quoted", "half", "three",
                                  "payload"]))
    quoted = '"' + part.replace('"', '""') + '"'
    return {
        "bare": part,
        "quoted": quoted,
        "qualified": f"public.{part}",
        "both-quoted": f'"public".{quoted}',
        "half": '"' + part,
        "three": f"{part}.{part}.{part}",
        "payload": f"{part}; DROP TABLE users; --",
    }[shape]


@pytest.fixture(scope="module")
def shared_db(pg_server, template_db) -> Iterator[str]:
    """One database at head for every generated name (nothing may change it)."""
    with pg_server.database(template_db) as name:
        yield pg_server.url(name)


@contextmanager
def _statements() -> Iterator[list[str]]:
    """Every statement text sent through psycopg meanwhile (the parameters are not included)."""
    seen: list[str] = []
    original = psycopg.Cursor.execute

    def execute(self: Any, query: Any, params: Any = None, **kwargs: Any) -> Any:
        text = query if isinstance(query, str | bytes) else query.as_string(self)
        seen.append(text.decode() if isinstance(text, bytes) else text)
        return original(self, query, params, **kwargs)

    with mock.patch.object(psycopg.Cursor, "execute", execute):
        yield seen


def _catalog(url: str) -> set[tuple[str, ...]]:
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n"
            " ON n.oid = c.relnamespace WHERE n.nspname !~ '^pg_'"
        ).fetchall()
    return {tuple(r) for r in rows}


@EXAMPLES
@given(name=relation_names(), command=st.sampled_from(["vacuum-table", "refresh-view"]))
def test_generated_names_are_refused_by_lookup_never_by_a_statement(shared_db, name: str,
                                                                    command: str) -> None:
    before = _catalog(shared_db)
    with _statements() as seen:
        result = run_cli(command, "--", name, url=shared_db)
    _check_contract(result, codes=(1, 2))
    assert seen, "the name was looked up on the server"
    assert not [q for q in seen if MARK in q], "a statement was built from the name"
    assert _catalog(shared_db) == before


# -- revision arguments ----------------------------------------------------------------------------
_tokens = st.sampled_from(["head", "heads", "base", "20250618_075008", "2025", "legacy@head",
                           "head@-1", "x@y", "-1", "+1", "-999", "+0", "-abc", "", " ", "@"])
_revision_text = st.one_of(
    _tokens,
    st.from_regex(r"[+-]?[0-9]{1,4}", fullmatch=True),
    st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
            max_size=10),
)
revision_args = st.one_of(
    _revision_text,
    st.tuples(_revision_text, _revision_text).map(":".join),
    st.tuples(_revision_text, _revision_text, _revision_text).map(":".join),
)


@pytest.fixture(scope="module")
def base_db(pg_server) -> Iterator[str]:
    """An empty database (at base): a downgrade never has anything to undo there."""
    with pg_server.database() as name:
        yield pg_server.url(name)


@EXAMPLES
@given(rev=revision_args, command=st.sampled_from(["sql", "down"]))
def test_generated_revision_arguments_keep_the_contract(base_db, rev: str, command: str) -> None:
    args = ["migrate", command, *(["--yes"] if command == "down" else []), "--", rev]
    result = run_cli(*args, url=base_db)
    _check_contract(result, codes=(0, 2))
    with psycopg.connect(base_db) as conn:
        assert conn.execute("SELECT to_regclass('public.alembic_version')").fetchone() == (None,)


@EXAMPLES
@given(name=st.one_of(
    st.text(_NAME_CHARS, min_size=1, max_size=12),
    st.sampled_from(["select", "user", "table", "a$b", "_x", "x1", "1x", "Users", "between",
                     "name", "ümlaut", 'q"uote', "my.schema"]),
))
def test_names_are_shown_as_the_server_quotes_them(shared_db, name: str) -> None:
    """A relation's name as shown (and logged) is exactly what the server's quote_ident gives."""
    from musicdb.ops import maintenance

    with psycopg.connect(shared_db) as conn:
        maintenance.load_keywords(conn)
        row = conn.execute("SELECT quote_ident(%s)", (name,)).fetchone()
    assert row is not None
    assert maintenance.quote_ident(name) == row[0]
