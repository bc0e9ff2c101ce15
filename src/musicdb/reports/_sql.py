"""The report SQL files: loading them, picking the variant for the running server, running them.

Version variants are chosen by file name (like pg_activity's queries and check_pgactivity's
``query_ver``): ``name.sql`` is the base, ``name.pg16.sql`` is used from PostgreSQL 16 on and
``name.pss1.11.sql`` from pg_stat_statements 1.11 on; the highest variant not above the running
version wins. Picking is pure (no server), so it is unit-tested on its own.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import psycopg
    from psycopg import sql

#: Report queries run with these transaction-local settings: JIT compilation costs more than it
#: saves on catalog queries (its estimate is driven by catalog row counts), and the window/sort
#: steps over tens of thousands of indexes should not spill to disk.
QUERY_SETTINGS = {"jit": "off", "work_mem": "64MB"}

_VARIANT = re.compile(r"^(?P<base>[a-z0-9_]+)(?:\.(?P<kind>pg|pss)(?P<ver>\d+(?:\.\d+)?))?\.sql$")

#: ``{base: [(kind, version, filename), ...]}``: kind is None (the base file), "pg" or "pss".
Variants = dict[str, list[tuple[str | None, tuple[int, ...], str]]]


def parse_variants(names: Sequence[str]) -> Variants:
    """Group file *names* by report query: ``{base: [(kind, version, filename), ...]}``.

    Names that are not ``base[.pgNN|.pssX.Y].sql`` are ignored.
    """
    found: Variants = {}
    for name in names:
        match = _VARIANT.match(name)
        if not match:
            continue
        version = tuple(int(part) for part in match["ver"].split(".")) if match["ver"] else ()
        found.setdefault(match["base"], []).append((match["kind"], version, name))
    return found


@cache
def sql_files() -> Variants:
    """:func:`parse_variants` of every file in ``reports/sql``."""
    folder = resources.files("musicdb.reports").joinpath("sql")
    return parse_variants(sorted(entry.name for entry in folder.iterdir()))


def choose_variant(
    variants: Sequence[tuple[str | None, tuple[int, ...], str]],
    *,
    server_version_num: int,
    pss_version: tuple[int, ...] | None = None,
) -> str | None:
    """The file name among *variants* for this server: ``pg`` variants compare with the server's
    major version, ``pss`` variants with the installed pg_stat_statements version (None: not
    installed, never chosen); the highest variant not above the running version wins, else the
    base file (None when there is none)."""
    major = (server_version_num // 10000,)
    best: tuple[tuple[int, ...], str] | None = None
    base = None
    for kind, version, name in variants:
        if kind is None:
            base = base or name
            continue
        running = major if kind == "pg" else pss_version
        if running is None or version > running:
            continue
        if best is None or version > best[0]:
            best = (version, name)
    return best[1] if best is not None else base


def pick_sql_file(
    base: str, *, server_version_num: int, pss_version: tuple[int, ...] | None = None
) -> str:
    """The file name of the packaged variant of *base* for this server (see
    :func:`choose_variant`); KeyError when there is none."""
    variants = sql_files().get(base)
    if not variants:
        raise KeyError(f"no SQL file for report query {base!r}")
    chosen = choose_variant(
        variants, server_version_num=server_version_num, pss_version=pss_version
    )
    if chosen is None:
        raise KeyError(f"no variant of {base!r} for this server")
    return chosen


@cache
def load_sql(filename: str) -> str:
    return resources.files("musicdb.reports").joinpath("sql", filename).read_text("utf-8")


def query_text(
    conn: psycopg.Connection[Any], base: str, *, pss_version: tuple[int, ...] | None = None
) -> str:
    """The SQL of *base* for the server behind *conn*."""
    from musicdb.db import server_version_num

    name = pick_sql_file(base, server_version_num=server_version_num(conn), pss_version=pss_version)
    return load_sql(name)


def _statement(
    conn: psycopg.Connection[Any],
    base: str,
    *,
    pss_version: tuple[int, ...] | None,
    identifiers: Mapping[str, str] | None,
) -> Any:
    """The SQL of *base*; ``{name}`` placeholders become the quoted *identifiers* (catalog names
    such as an extension's schema, looked up by the caller, never user text)."""
    text = query_text(conn, base, pss_version=pss_version)
    if not identifiers:
        return text
    from psycopg import sql

    names = {key: sql.Identifier(value) for key, value in identifiers.items()}
    return sql.SQL(text).format(**names)  # type: ignore[arg-type]  # a packaged file


def fetch_tuples(
    conn: psycopg.Connection[Any],
    base: str,
    params: Mapping[str, Any] | None = None,
    *,
    pss_version: tuple[int, ...] | None = None,
    identifiers: Mapping[str, str] | None = None,
) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Run the report query *base* (its variant for this server): ``(column names, rows)``.

    Runs in its own read-only transaction with :data:`QUERY_SETTINGS` set locally, so the caller's
    session settings are untouched. Plain tuples: cheaper than dict rows for tens of thousands.
    """
    statement = _statement(conn, base, pss_version=pss_version, identifiers=identifiers)
    with conn.transaction(), conn.cursor() as cur:
        cur.execute(
            "SELECT set_config(name, value, true) "
            "FROM unnest(%s::text[], %s::text[]) AS s(name, value)",
            (list(QUERY_SETTINGS), list(QUERY_SETTINGS.values())),
        )
        cur.execute(statement, dict(params or {}))  # a packaged file, values are bound
        columns = [c.name for c in cur.description or ()]
        return columns, list(cur.fetchall())


def fetch(
    conn: psycopg.Connection[Any],
    base: str,
    params: Mapping[str, Any] | None = None,
    *,
    pss_version: tuple[int, ...] | None = None,
    identifiers: Mapping[str, str] | None = None,
) -> list[dict[str, Any]]:
    """Like :func:`fetch_tuples`, as dict rows."""
    columns, rows = fetch_tuples(
        conn, base, params, pss_version=pss_version, identifiers=identifiers
    )
    return [dict(zip(columns, row, strict=True)) for row in rows]


def one(
    conn: psycopg.Connection[Any], query: str | sql.SQL | sql.Composed, params: Sequence[Any] = ()
) -> Any:
    """The first column of the first row of a fixed catalog *query* (None: no row)."""
    row = conn.execute(query, params).fetchone()
    return row[0] if row else None
