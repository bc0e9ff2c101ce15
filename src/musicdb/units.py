"""Small parsers of user-given quantities: durations and ratios (options, thresholds)."""

from __future__ import annotations

import datetime as dt
import re

from musicdb.errors import UsageError

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|sec|m|min|h|d|w)?\s*$", re.IGNORECASE)
_UNIT_SECONDS = {"ms": 0.001, "s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "d": 86400,
                 "w": 604800}


def parse_duration(text: str | float | dt.timedelta) -> dt.timedelta:
    """``"6h"``, ``"30m"``, ``"45s"``, ``"500ms"``, ``"2d"``, ``"1w"``; a bare number is seconds."""
    if isinstance(text, dt.timedelta):
        return text
    if isinstance(text, int | float):
        return dt.timedelta(seconds=float(text))
    match = _DURATION.match(text)
    if not match:
        raise UsageError(f"not a duration: {text!r} (expected e.g. 500ms, 45s, 30m, 6h, 2d, 1w)")
    unit = (match.group(2) or "s").lower()
    return dt.timedelta(seconds=float(match.group(1)) * _UNIT_SECONDS[unit])


def parse_ratio(text: str | float) -> float:
    """``0.2`` or ``"20%"`` -> 0.2; must lie in [0, 1]."""
    if isinstance(text, int | float):
        value = float(text)
    else:
        raw = text.strip()
        try:
            value = float(raw[:-1]) / 100 if raw.endswith("%") else float(raw)
        except ValueError:
            raise UsageError(f"not a ratio: {text!r} (expected e.g. 0.2 or 20%)") from None
    if not 0.0 <= value <= 1.0:
        raise UsageError(f"ratio out of range: {text!r} (expected between 0 and 1, or 0%-100%)")
    return value


_MONTHS = re.compile(r"^\s*(\d+)\s*(months?|mo|years?|y)?\s*$", re.IGNORECASE)


def parse_months(text: str | int) -> int:
    """``"24months"``, ``"24mo"``, ``"2years"``, ``"2y"``; a bare number is months (at least 1)."""
    if isinstance(text, int):
        months = text
    else:
        match = _MONTHS.match(text)
        if not match:
            raise UsageError(f"not a number of months: {text!r} (expected e.g. 24months, 2y)")
        unit = (match.group(2) or "months").lower()
        months = int(match.group(1)) * (12 if unit.startswith("y") else 1)
    if months < 1:
        raise UsageError(f"not a number of months: {text!r} (at least 1 month)")
    return months
