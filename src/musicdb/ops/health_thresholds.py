"""The health checks' thresholds: defaults, the ``MUSICDB_HEALTH_<NAME>`` environment and the
``--threshold NAME=VALUE`` options, parsed into one frozen :class:`Thresholds`."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from musicdb.errors import UsageError
from musicdb.reports.indexes import MIN_STATS_AGE_ENV
from musicdb.units import parse_duration, parse_ratio

ENV_PREFIX = "MUSICDB_HEALTH_"


_D = dt.timedelta


@dataclass(frozen=True)
class Thresholds:
    """Every threshold the checks use; durations are timedeltas, ratios lie in [0, 1]."""

    #: dead rows: ratio dead / (live + dead) of a table, judged only from this many dead rows on
    dead_ratio_warning: float = 0.20
    dead_ratio_critical: float = 0.50
    dead_rows_min: int = 10_000
    #: estimated bloat: share of a table's pages that hold no live data, from this size on
    bloat_ratio_warning: float = 0.50
    bloat_ratio_critical: float = 0.80
    bloat_min_bytes: int = 50 * 1024 * 1024
    #: share of the 2^31 transaction-ID (and multixact) horizon used by the oldest database
    wraparound_warning: float = 0.50
    wraparound_critical: float = 0.75
    #: share of a sequence's range (or its column type's) already used
    sequence_warning: float = 0.75
    sequence_critical: float = 0.90
    long_transaction_warning: dt.timedelta = _D(minutes=5)
    long_transaction_critical: dt.timedelta = _D(hours=1)
    idle_in_transaction_warning: dt.timedelta = _D(minutes=1)
    idle_in_transaction_critical: dt.timedelta = _D(minutes=10)
    #: how long a session has waited for a lock another session holds
    blocking_warning: dt.timedelta = _D(seconds=30)
    blocking_critical: dt.timedelta = _D(minutes=5)
    #: buffer cache hit ratio of this database (lower is worse), judged from this many blocks on
    cache_hit_warning: float = 0.90
    cache_hit_critical: float = 0.80
    cache_hit_min_blocks: int = 100_000
    #: time since a materialized view's last successful refresh (maintain weekly refreshes them)
    view_stale_warning: dt.timedelta = _D(days=8)
    view_stale_critical: dt.timedelta = _D(days=15)
    #: statistics must be this old before an index with no scans is called unused
    unused_index_min_stats_age: dt.timedelta = _D(days=7)
    #: how far a standby's replay trails (seconds since the last replayed commit, and bytes)
    replay_lag_warning: dt.timedelta = _D(minutes=1)
    replay_lag_critical: dt.timedelta = _D(minutes=5)
    replay_lag_warning_bytes: int = 64 * 1024 * 1024
    replay_lag_critical_bytes: int = 1024 * 1024 * 1024
    #: months premade ahead of the current one (partitions premake): warning below, critical at
    partitions_ahead_warning: int = 2
    partitions_ahead_critical: int = 0
    #: months of events kept: a partition wholly older is due for partitions retire (a warning)
    partition_retention_months: int = 24
    #: an inactive replication slot is a warning; holding back more WAL than this, critical
    slot_retained_critical_bytes: int = 1024 * 1024 * 1024

    @classmethod
    def names(cls) -> list[str]:
        return [f.name for f in dataclasses.fields(cls)]

    def with_values(self, values: Mapping[str, str], origin: str) -> Thresholds:
        """A copy with *values* (text, e.g. ``{"view_stale_warning": "2d"}``) parsed and set."""
        fields = {f.name: f for f in dataclasses.fields(self)}
        changes: dict[str, Any] = {}
        for name, text in values.items():
            key = name.strip().lower().replace("-", "_")
            if key not in fields:
                raise UsageError(
                    f"{origin}: unknown threshold {name!r}; known: {', '.join(fields)}"
                )
            default = getattr(self, key)
            try:
                if isinstance(default, dt.timedelta):
                    changes[key] = parse_duration(text)
                elif isinstance(default, float):
                    changes[key] = parse_ratio(text)
                else:
                    changes[key] = int(_size(text))
            except UsageError as exc:
                raise UsageError(f"{origin}: threshold {key}: {exc.message}") from None
        return dataclasses.replace(self, **changes)

    @classmethod
    def from_sources(
        cls, options: Sequence[str] = (), environ: Mapping[str, str] | None = None
    ) -> Thresholds:
        """Defaults, then ``MUSICDB_MIN_STATS_AGE`` and ``MUSICDB_HEALTH_*`` variables, then
        ``NAME=VALUE`` options."""
        import os

        env = os.environ if environ is None else environ
        from_env = {
            key[len(ENV_PREFIX):].lower(): value
            for key, value in env.items()
            if key.startswith(ENV_PREFIX) and value.strip()
        }
        thresholds = cls()
        if env.get(MIN_STATS_AGE_ENV, "").strip():  # the age every usage verdict waits for
            thresholds = thresholds.with_values(
                {"unused_index_min_stats_age": env[MIN_STATS_AGE_ENV]}, MIN_STATS_AGE_ENV
            )
        thresholds = thresholds.with_values(from_env, "environment (MUSICDB_HEALTH_*)")
        pairs: dict[str, str] = {}
        for option in options:
            name, sep, value = option.partition("=")
            if not sep or not name.strip():
                raise UsageError(f"--threshold expects NAME=VALUE, got {option!r}")
            pairs[name] = value
        return thresholds.with_values(pairs, "--threshold")

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            out[f.name] = value.total_seconds() if isinstance(value, dt.timedelta) else value
        return out


def _size(text: str) -> float:
    """``"50MB"``, ``"1GB"``, ``"10000"`` -> a number (bytes, or a plain count)."""
    raw = text.strip().upper().replace(" ", "")
    for suffix, factor in (("TB", 1024**4), ("GB", 1024**3), ("MB", 1024**2), ("KB", 1024),
                           ("B", 1)):
        if raw.endswith(suffix):
            raw, scale = raw[: -len(suffix)], factor
            break
    else:
        scale = 1
    try:
        value = float(raw) * scale
    except ValueError:
        raise UsageError(f"not a number: {text!r}") from None
    if value < 0:
        raise UsageError(f"must not be negative: {text!r}")
    return value
