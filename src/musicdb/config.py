"""Where the database is, read once from options and the environment (the README's order).

1. ``--database-url``
2. ``MUSICDB_DATABASE_URL``, then ``DATABASE_URL``

(a URL or a libpq keyword/value string; a source given empty is an error, never skipped)
3. libpq's own environment (``PGHOST``, ``PGSERVICE``, ...) when any ``PG*`` variable is set
4. the embedded local server (see :mod:`musicdb.local`)

Nothing here imports a driver at import time: the CLI's start-up path stays cheap.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import unquote, unquote_plus, urlencode

from musicdb.errors import ConfigError, UsageError

#: libpq variables that select a server or credentials; any of them switches to source 3.
LIBPQ_VARIABLES = (
    "PGHOST", "PGHOSTADDR", "PGPORT", "PGUSER", "PGDATABASE", "PGPASSWORD",
    "PGPASSFILE", "PGSERVICE", "PGSERVICEFILE", "PGSSLMODE", "PGOPTIONS",
)

_SCHEMES = {"postgresql", "postgres", "postgresql+psycopg"}
_MASK = "***"
#: Shorter known passwords are masked where they stand (URL, ``password=``), not everywhere.
_MIN_SECRET = 3

# A URL's ``user:password@``: the password runs to the last ``@`` of the token (libpq stops at the
# first, but a password may hold an ``@``; masking too much is harmless).
_URL_PASSWORD = re.compile(r"(?i)([a-z][a-z0-9+.\-]*://[^\s/?#@:\"']*:)[^\s\"']*@")
# ``password=...`` as a URL query parameter (ends at ``&``) or a keyword/value pair (a quoted
# value, else up to the next blank).
_QUERY_PASSWORD = re.compile(r"(?i)([?&]password=)(?!\*\*\*(?:[&#\s\"']|$))[^&#\s\"']*")
_KEYWORD_PASSWORD = re.compile(
    r"(?i)((?:^|(?<=[\s\"'(,]))password\s*=\s*)(?!\*\*\*(?:[\s\"',)]|$))"
    r"('(?:[^'\\]|\\.)*'?|[^\s'\"]\S*)"
)
# What follows ``password=`` up to the next ``keyword=`` (or the end): a broken keyword/value
# string's intended password, whose pieces libpq may quote back (``missing "=" after "..."``).
_KEYWORD_TAIL = re.compile(r"(?i)\bpassword\s*=\s*(.*?)(?=\s+\w+\s*=|$)")


@dataclass(frozen=True)
class DatabaseTarget:
    """A database to connect to: a libpq connection string and where it came from."""

    conninfo: str
    source: str

    @property
    def display(self) -> str:
        """What may be printed: the connection string with its password masked."""
        if not self.conninfo:
            shown = {k: os.environ[k] for k in ("PGSERVICE", "PGHOST", "PGPORT", "PGUSER",
                                                "PGDATABASE") if os.environ.get(k)}
            inner = ", ".join(f"{k}={v}" for k, v in shown.items())
            return f"libpq environment ({inner})" if inner else "libpq environment"
        return mask_url(self.conninfo)

    @property
    def sqlalchemy_url(self) -> str:
        """The URL for SQLAlchemy (dialect ``postgresql+psycopg``)."""
        if not self.conninfo:
            return "postgresql+psycopg://"
        if "://" in self.conninfo:
            return "postgresql+psycopg://" + self.conninfo.split("://", 1)[1]
        from psycopg.conninfo import conninfo_to_dict

        return "postgresql+psycopg:///?" + urlencode(
            {k: str(v) for k, v in conninfo_to_dict(self.conninfo).items()}
        )


def mask_url(url: str) -> str:
    """*url* (or any connection string) with its passwords masked: :func:`mask_secrets`."""
    return mask_secrets(url, password_candidates(url))


def password_candidates(text: str) -> set[str]:
    """Every string in *text* (a URL or keyword/value string, valid or not) that may be a password.

    Generous on purpose: they are masked wherever they appear in a message
    (:func:`mask_secrets`), including pieces of a broken string that libpq quotes back.
    """
    found: set[str] = set()
    scheme_end = text.find("://")
    if scheme_end >= 0:
        authority = text[scheme_end + 3 :]
        if "@" in authority:
            userinfo = authority.rpartition("@")[0]
            if ":" in userinfo:
                found.add(userinfo.split(":", 1)[1])
    for match in re.finditer(r"(?i)[?&]password=([^&#]*)", text):
        found.add(match.group(1))
    # a URL's query string ends a value at & or #, which the pattern above honours
    for match in _KEYWORD_TAIL.finditer(text if scheme_end < 0 else ""):
        tail = match.group(1).strip()
        found.add(tail)
        if tail[:1] == "'":
            found.add(tail.strip("'").replace("\\'", "'").replace("\\\\", "\\"))
        found.update(tail.split())
    decoded = {unquote(c) for c in found} | {unquote_plus(c) for c in found}
    return {c for c in found | decoded if len(c) >= _MIN_SECRET and c != _MASK}


def mask_secrets(text: str, secrets: Iterable[str] = ()) -> str:
    """*text* with every password masked: in URLs, in ``password=`` pairs (query or keyword/value),
    and every occurrence of the known *secrets* (see :func:`password_candidates`).

    This is the one masking function: every message that carries connection text goes through it
    before it is printed (:func:`musicdb.cli.main` applies it to every error line).
    """
    for secret in sorted({s for s in secrets if len(s) >= _MIN_SECRET}, key=len, reverse=True):
        text = text.replace(secret, _MASK)
    text = _URL_PASSWORD.sub(lambda m: m.group(1) + _MASK + "@", text)
    text = _QUERY_PASSWORD.sub(lambda m: m.group(1) + _MASK, text)
    return _KEYWORD_PASSWORD.sub(lambda m: m.group(1) + _MASK, text)


def configured_secrets(
    args: Sequence[str] = (), environ: Mapping[str, str] | None = None
) -> set[str]:
    """The passwords the command line and the environment may carry (``--database-url``,
    ``MUSICDB_DATABASE_URL``, ``DATABASE_URL``, ``PGPASSWORD``), for :func:`mask_secrets`."""
    env = os.environ if environ is None else environ
    values = [env.get("MUSICDB_DATABASE_URL", ""), env.get("DATABASE_URL", "")]
    for i, arg in enumerate(args):
        if arg == "--database-url" and i + 1 < len(args):
            values.append(args[i + 1])
        elif arg.startswith("--database-url="):
            values.append(arg.split("=", 1)[1])
    found = set().union(*(password_candidates(v) for v in values if v))
    if env.get("PGPASSWORD"):
        found.add(env["PGPASSWORD"])
    return found


def normalise_url(value: str, *, origin: str) -> str:
    """A libpq connection string from *value*, which names its *origin* in every error.

    Accepts ``postgresql://``, ``postgres://`` and ``postgresql+psycopg://`` URLs and libpq's
    keyword/value strings (``host=db dbname=platform user=bob``). An empty value is a usage
    error (it never falls through to another source); a string libpq cannot parse is refused with
    libpq's reason, its password masked.
    """
    text = value.strip()
    if not text:
        said = "is empty" if origin.startswith("--") else "is set but empty"
        raise UsageError(
            f"{origin} {said}; give a postgresql:// URL or a keyword/value string "
            "(host=... dbname=...), or unset it"
        )
    scheme, sep, rest = text.partition("://")
    if sep:
        if scheme.lower() not in _SCHEMES:
            raise ConfigError(
                f"{origin}: not a PostgreSQL URL ({mask_url(text)})"
                "; expected postgresql://user@host:port/dbname or host=... dbname=..."
            )
        text = "postgresql://" + rest
    elif "=" not in text:
        raise ConfigError(
            f"{origin}: not a PostgreSQL URL or keyword/value connection string "
            f"({mask_url(text)}); expected "
            "postgresql://user@host:port/dbname or host=... dbname=..."
        )
    from psycopg import ProgrammingError
    from psycopg.conninfo import conninfo_to_dict

    try:
        conninfo_to_dict(text)
    except ProgrammingError as exc:
        reason = " ".join(str(exc).split())
        raise ConfigError(
            f"{origin}: invalid connection string: "
            f"{mask_secrets(reason, password_candidates(value))}"
        ) from None
    return text


def libpq_env_in_use(environ: Mapping[str, str]) -> bool:
    return any(environ.get(name) for name in LIBPQ_VARIABLES)


def resolve_target(
    option_url: str | None, environ: Mapping[str, str] | None = None
) -> DatabaseTarget | None:
    """The configured database, or ``None`` when the embedded local server is to be used.

    A source that is given but empty (``--database-url ''``, ``MUSICDB_DATABASE_URL=``) is a
    usage error: an unset variable in a cron line must not select another database.
    """
    env = os.environ if environ is None else environ
    if option_url is not None:
        return DatabaseTarget(normalise_url(option_url, origin="--database-url"), "--database-url")
    for name in ("MUSICDB_DATABASE_URL", "DATABASE_URL"):
        value = env.get(name)
        if value is not None:
            return DatabaseTarget(normalise_url(value, origin=name), name)
    if libpq_env_in_use(env):
        return DatabaseTarget("", "libpq environment")
    return None


def url_with_database(url: str, dbname: str) -> str:
    """The same server, credentials and options, another database: a libpq keyword/value string
    built by :func:`psycopg.conninfo.make_conninfo` from a URL or a keyword/value string."""
    from psycopg.conninfo import make_conninfo

    return make_conninfo(url, dbname=dbname)


#: Replica URLs the index verdicts also read (see :func:`split_replica_urls`).
REPLICA_URLS_VARIABLE = "MUSICDB_REPLICA_URLS"


def split_replica_urls(raw: str) -> list[str]:
    """The connection strings in a ``MUSICDB_REPLICA_URLS`` value: separated by commas, and URLs
    also by whitespace (a keyword/value string such as ``host=r1 dbname=music`` holds spaces, so
    keyword/value strings are separated by commas only)."""
    found: list[str] = []
    for part in raw.split(","):
        found.extend(part.split() if "://" in part else [part.strip()] if part.strip() else [])
    return found


@dataclass
class Settings:
    """Everything a command needs to know about where to work; built once per invocation."""

    database_url: str | None = None
    debug: bool = False
    environ: Mapping[str, str] = field(default_factory=lambda: os.environ)

    def mask(self, text: str) -> str:
        """*text* with the passwords of these settings, and any in connection text, masked."""
        args = [] if self.database_url is None else ["--database-url", self.database_url]
        return mask_secrets(text, configured_secrets(args, self.environ))

    def replicas(self, options: Sequence[str] = ()) -> list[DatabaseTarget]:
        """The replicas to read as well: each ``--replica URL``, else ``MUSICDB_REPLICA_URLS``
        (split by :func:`split_replica_urls`)."""
        if options:
            return [DatabaseTarget(normalise_url(u, origin="--replica"), "--replica")
                    for u in options]
        raw = self.environ.get(REPLICA_URLS_VARIABLE, "")
        return [DatabaseTarget(normalise_url(u, origin=REPLICA_URLS_VARIABLE),
                               REPLICA_URLS_VARIABLE)
                for u in split_replica_urls(raw)]

    def target(self) -> DatabaseTarget:
        """The database to use, starting the embedded local server when nothing is configured."""
        found = resolve_target(self.database_url, self.environ)
        if found is not None:
            return found
        from musicdb import local

        return DatabaseTarget(local.ensure_running(), "local server")
