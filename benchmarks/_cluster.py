"""A throwaway local cluster for the benchmark scripts (on /dev/shm when present, fsync off as
in the tests), removed on exit; and one loaded with the large synthetic catalog
(``../shared/bench/bigcatalog.sql``) that the catalog benchmarks time."""

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


def bigcatalog_psql(catalog: str | None, bindir: str) -> str | None:
    """The psql that loads *catalog*, or None after saying on stderr what is missing (the
    benchmark then stops cleanly: the catalog lives beside the project, not in it)."""
    if not catalog or not Path(catalog).is_file():
        print("needs the path of bigcatalog.sql (argument or MUSICDB_BIGCATALOG_SQL); stopping",
              file=sys.stderr)  # fmt: skip
        return None
    psql = shutil.which("psql") or str(Path(bindir) / "psql")
    if not Path(psql).exists():
        print("needs psql on PATH or in --bindir; stopping", file=sys.stderr)
        return None
    return psql


@contextmanager
def bigcatalog_cluster(catalog: str, psql: str, *, ntables: int, bindir: str,
                       port: int) -> Iterator[str]:  # fmt: skip
    """A throwaway cluster whose database ``bigcatalog`` holds *catalog* built with
    ``psql -v ntables=N`` (and pg_stat_statements); yields its URL."""
    import psycopg

    root = Path(tempfile.mkdtemp(prefix="musicdb-bench-", dir="/dev/shm"
                                 if os.path.isdir("/dev/shm") else None))  # fmt: skip
    root.chmod(0o755)
    cluster = LocalCluster(root / "cluster", bindir=Path(bindir), durable=False,
                           database="bigcatalog", port=port)  # fmt: skip
    try:
        cluster.start()
        url = cluster.url("bigcatalog")
        subprocess.run([psql, url, "-X", "-q", "-v", f"ntables={ntables}", "-f", catalog],
                       check=True, capture_output=True)  # fmt: skip
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
        yield url
    finally:
        try:
            cluster.stop()
        finally:
            shutil.rmtree(root, ignore_errors=True)
