"""A throwaway local cluster for the benchmark scripts (on /dev/shm when present, fsync off as
in the tests), removed on exit."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from musicdb.local import LocalCluster


@contextmanager
def throwaway_cluster(bindir: Path | None = None) -> Iterator[tuple[LocalCluster, str]]:
    """Yield the started cluster and its maintenance URL."""
    root = Path(tempfile.mkdtemp(dir="/dev/shm" if os.path.isdir("/dev/shm") else None))
    root.chmod(0o755)
    cluster = LocalCluster(root / "cluster", bindir=bindir, durable=False, database="postgres")
    admin = cluster.start()
    try:
        yield cluster, admin
    finally:
        cluster.stop()
        shutil.rmtree(root, ignore_errors=True)


def psql_path(bindir: Path) -> str | None:
    """psql on PATH, else in *bindir*; None when neither has it."""
    psql = shutil.which("psql") or str(bindir / "psql")
    return psql if Path(psql).exists() else None


def bigcatalog_ready(catalog: str | None, bindir: Path) -> bool:
    """Whether *catalog* and psql are there; if not, say on stderr what is missing (the caller
    then stops cleanly: the catalog lives beside the project, not in it)."""
    if not catalog or not Path(catalog).is_file():
        print("needs the path of bigcatalog.sql (argument or MUSICDB_BIGCATALOG_SQL); stopping",
              file=sys.stderr)
        return False
    if psql_path(bindir) is None:
        print("needs psql on PATH or in --bindir; stopping", file=sys.stderr)
        return False
    return True


@contextmanager
def bigcatalog_cluster(catalog: str, ntables: int, bindir: Path, port: int) -> Iterator[str]:
    """A throwaway cluster holding ``bigcatalog.sql`` built with ``psql -v ntables=N``; yields the
    catalog database's URL. The caller checks *catalog* and :func:`psql_path` (to stop cleanly)."""
    psql = psql_path(bindir) or "psql"
    shm = "/dev/shm" if os.path.isdir("/dev/shm") else None
    root = Path(tempfile.mkdtemp(prefix="musicdb-bench-", dir=shm))
    root.chmod(0o755)
    cluster = LocalCluster(root / "cluster", bindir=bindir, durable=False, database="bigcatalog",
                           port=port)
    try:
        cluster.start()
        url = cluster.url("bigcatalog")
        subprocess.run([psql, url, "-X", "-q", "-v", f"ntables={ntables}", "-f", catalog],
                       check=True, capture_output=True)
        yield url
    finally:
        try:
            cluster.stop()
        finally:
            shutil.rmtree(root, ignore_errors=True)
