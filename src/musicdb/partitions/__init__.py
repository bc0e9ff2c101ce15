"""Monthly range partitions of ``user_interactions`` (by ``created_at``, naive UTC timestamps).

Names: the parent keeps ``user_interactions``; the rows that existed when the table was
converted live in ``user_interactions_legacy`` (``MINVALUE`` up to the first month partition);
each month has ``user_interactions_pYYYYMM``; ``user_interactions_default`` takes rows no month
partition covers (``musicdb`` health checks warn when it holds any).
"""

from __future__ import annotations

import datetime as dt
import re

TABLE = "user_interactions"
LEGACY = f"{TABLE}_legacy"
DEFAULT = f"{TABLE}_default"
KEY = "created_at"
#: Months premade ahead of the current one when the table is converted.
PREMADE_AHEAD = 3
#: ``partitions premake``: months made after the current one.
DEFAULT_PREMAKE_MONTHS = 3
#: ``partitions split``: rows moved per transaction.
DEFAULT_BATCH_ROWS = 10_000
#: lock_timeout of every partition DDL step.
DEFAULT_LOCK_TIMEOUT_MS = 5_000


def month_start(day: dt.date | dt.datetime) -> dt.date:
    return dt.date(day.year, day.month, 1)


def add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def month_partition(month: dt.date) -> str:
    """The name of the partition holding *month* (``user_interactions_p202612``)."""
    return f"{TABLE}_p{month:%Y%m}"


def month_of(name: str) -> dt.date | None:
    """The month a name ending in ``_pYYYYMM`` stands for (else None)."""
    match = re.search(r"_p(\d{4})(\d{2})$", name)
    if match is None or not 1 <= int(match.group(2)) <= 12:
        return None
    return dt.date(int(match.group(1)), int(match.group(2)), 1)


_PARTITION_NAME = re.compile(rf"{TABLE}_(legacy|default|p\d{{6}})")


def is_partition_name(name: str | None) -> bool:
    """Whether *name* is one of the partitions musicdb makes (not objects of the model)."""
    return bool(name) and _PARTITION_NAME.fullmatch(name or "") is not None
