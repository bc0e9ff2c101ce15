"""A throwaway local cluster for the benchmark scripts (on /dev/shm when present, fsync off as
in the tests), removed on exit."""

from __future__ import annotations

import os
import shutil
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
