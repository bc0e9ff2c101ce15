"""Where the database is, read once from options and the environment (the README's order).

1. ``--database-url``
2. ``MUSICDB_DATABASE_URL``, then ``DATABASE_URL``
3. libpq's own environment (``PGHOST``, ``PGSERVICE``, ...) when any ``PG*`` variable is set
4. the embedded local server (see :mod:`musicdb.local`)

Nothing here imports a driver: the CLI's start-up path stays cheap.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from musicdb.errors import ConfigError

#: libpq variables that select a server or credentials; any of them switches to source 3.
LIBPQ_VARIABLES = (
    "PGHOST", "PGHOSTADDR", "PGPORT", "PGUSER", "PGDATABASE", "PGPASSWORD",
    "PGPASSFILE", "PGSERVICE", "PGSERVICEFILE", "PGSSLMODE", "PGOPTIONS",
)  # fmt: skip

_SCHEMES = {"postgresql", "postgres", "postgresql+psycopg"}
_MASK = "***"


@dataclass(frozen=True)
class DatabaseTarget:
    """A database to connect to: a libpq connection string and where it came from."""

    conninfo: str
    source: str

    @property
    def display(self) -> str:
        """What may be printed: the URL with its password masked."""
        if not self.conninfo:
            shown = {k: os.environ[k] for k in ("PGSERVICE", "PGHOST", "PGPORT", "PGUSER",
                                                "PGDATABASE") if os.environ.get(k)}  # fmt: skip
            inner = ", ".join(f"{k}={v}" for k, v in shown.items())
            return f"libpq environment ({inner})" if inner else "libpq environment"
        return mask_url(self.conninfo)

    @property
    def sqlalchemy_url(self) -> str:
        """The URL for SQLAlchemy (dialect ``postgresql+psycopg``)."""
        if not self.conninfo:
            return "postgresql+psycopg://"
        return "postgresql+psycopg://" + self.conninfo.split("://", 1)[1]


def mask_url(url: str) -> str:
    """Return *url* with any password (in the authority or the query string) masked."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return re.sub(r"(//[^:/@]*:)[^@]*@", r"\1" + _MASK + "@", url)
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, _, hostinfo = netloc.rpartition("@")
        if ":" in userinfo:
            user = userinfo.split(":", 1)[0]
            netloc = f"{user}:{_MASK}@{hostinfo}"
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        if any(k == "password" for k, _ in pairs):
            pairs = [(k, _MASK if k == "password" else v) for k, v in pairs]
            query = urlencode(pairs, safe="/*")
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def normalise_url(url: str, *, origin: str) -> str:
    """Accept ``postgresql://``, ``postgres://``, ``postgresql+psycopg://``; return a libpq URL."""
    url = url.strip()
    scheme, sep, rest = url.partition("://")
    if not sep or scheme.lower() not in _SCHEMES:
        raise ConfigError(
            f"{origin}: not a PostgreSQL URL ({mask_url(url)}); "
            "expected postgresql://user@host:port/dbname"
        )
    return "postgresql://" + rest


def libpq_env_in_use(environ: Mapping[str, str]) -> bool:
    return any(environ.get(name) for name in LIBPQ_VARIABLES)


def resolve_target(
    option_url: str | None, environ: Mapping[str, str] | None = None
) -> DatabaseTarget | None:
    """The configured database, or ``None`` when the embedded local server is to be used."""
    env = os.environ if environ is None else environ
    if option_url:
        return DatabaseTarget(normalise_url(option_url, origin="--database-url"), "--database-url")
    for name in ("MUSICDB_DATABASE_URL", "DATABASE_URL"):
        value = env.get(name)
        if value:
            return DatabaseTarget(normalise_url(value, origin=name), name)
    if libpq_env_in_use(env):
        return DatabaseTarget("", "libpq environment")
    return None


def url_with_database(url: str, dbname: str) -> str:
    """The same server and credentials, another database."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + quote(dbname), parts.query, ""))


@dataclass
class Settings:
    """Everything a command needs to know about where to work; built once per invocation."""

    database_url: str | None = None
    debug: bool = False
    environ: Mapping[str, str] = field(default_factory=lambda: os.environ)

    def target(self) -> DatabaseTarget:
        """The database to use, starting the embedded local server when nothing is configured."""
        found = resolve_target(self.database_url, self.environ)
        if found is not None:
            return found
        from musicdb import local

        return DatabaseTarget(local.ensure_running(), "local server")
