"""What a metrics scrape reads, and its defaults (importable without the Prometheus client)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from musicdb.ops.health_thresholds import Thresholds

DEFAULT_TOP_TABLES = 50
DEFAULT_TOP_STATEMENTS = 50
DEFAULT_STATEMENT_TIMEOUT_MS = 5_000
DEFAULT_LOCK_TIMEOUT_MS = 500
#: a result served again to scrapes within this many seconds of it
DEFAULT_MIN_INTERVAL_S = 15.0
#: the drift check builds a scratch database: at most once an hour
DRIFT_INTERVAL_S = 3600.0
#: the catalog-wide facts (every index's verdicts, every table's sizes and bloat) are read again
#: after this many seconds; the other figures on every scrape
CATALOG_INTERVAL_S = 60.0
DEFAULT_LISTEN = "127.0.0.1:9187"


@dataclass
class MetricsOptions:
    top_tables: int = DEFAULT_TOP_TABLES
    top_statements: int = DEFAULT_TOP_STATEMENTS
    statement_timeout_ms: int = DEFAULT_STATEMENT_TIMEOUT_MS
    lock_timeout_ms: int = DEFAULT_LOCK_TIMEOUT_MS
    drift_interval_s: float = DRIFT_INTERVAL_S
    catalog_interval_s: float = CATALOG_INTERVAL_S
    thresholds: Thresholds | None = None
