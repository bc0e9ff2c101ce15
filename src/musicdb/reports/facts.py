"""One run's catalog facts, computed once: what several health checks, ``vacuum-table --all`` and
the ``maintain`` schedules read from the same reports.

A :class:`CatalogFacts` holds an open connection and computes each fact on first use (the index
verdicts, the table statistics, the age of the statistics, the server version), so one
``health-check`` reads the 20,000 indexes of a large catalog once instead of once per check. Make
one per run: the facts are a snapshot and go stale as the database changes.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Sequence

    import psycopg

    from musicdb.config import DatabaseTarget
    from musicdb.reports._common import StatsSince
    from musicdb.reports.indexes import IndexVerdicts
    from musicdb.reports.tables import TableStats


#: the catalog-wide facts: the costly ones, which a long-running reader may keep between runs
CATALOG_WIDE = ("index_verdicts", "table_stats")


class CatalogFacts:
    """Catalog facts of the database behind *conn*, each computed on first use, then kept.

    *kept* gives facts computed earlier (names of :data:`CATALOG_WIDE` to their values): a
    long-running reader such as ``musicdb metrics serve`` reuses them for a while instead of
    reading 20,000 indexes on every run.
    """

    def __init__(
        self,
        conn: psycopg.Connection[Any],
        replicas: Sequence[DatabaseTarget] = (),
        kept: dict[str, Any] | None = None,
    ) -> None:
        self.conn = conn
        #: replicas whose index scans count too (see :func:`musicdb.reports.index_verdicts`)
        self.replicas = tuple(replicas)
        for name, value in (kept or {}).items():
            if name not in CATALOG_WIDE:
                raise ValueError(f"not a catalog-wide fact: {name}")
            self.__dict__[name] = value  # what cached_property would have stored

    def computed(self) -> dict[str, Any]:
        """The catalog-wide facts computed (or given) so far, by name."""
        return {name: self.__dict__[name] for name in CATALOG_WIDE if name in self.__dict__}

    @cached_property
    def server_version(self) -> str | None:
        """``server_version`` as the server reports it (e.g. ``18.1``)."""
        from musicdb.reports._sql import one

        value = one(self.conn, "SELECT current_setting('server_version')")
        return None if value is None else str(value)

    @cached_property
    def server_version_num(self) -> int:
        from musicdb import db

        return db.server_version_num(self.conn)

    @cached_property
    def index_verdicts(self) -> IndexVerdicts:
        """Every index with its verdicts (the ``analyze-indexes`` report, unfiltered), the
        replicas' scans included."""
        from contextlib import ExitStack

        from musicdb import db
        from musicdb.reports.indexes import index_verdicts

        with ExitStack() as stack:
            replicas = [stack.enter_context(db.connect(t, application_name="musicdb-report"))
                        for t in self.replicas]
            # each reader applies its own statistics age
            return index_verdicts(self.conn, replicas=replicas, min_stats_age_s=0)

    @cached_property
    def stats_since(self) -> StatsSince:
        """Since when the cumulative statistics have been collected (the index verdicts' own
        figure when they were computed already)."""
        if "index_verdicts" in self.__dict__:
            return self.index_verdicts.since
        from musicdb.reports._common import stats_since

        return stats_since(self.conn)

    @cached_property
    def table_stats(self) -> TableStats:
        """Every table's sizes, row counts and bloat (the ``table-stats`` report, all tables)."""
        from musicdb.reports.tables import table_stats

        return table_stats(self.conn)
