"""The small parsers behind command options: durations, ratios, query-pattern names, and the
choice of a report's SQL file by server and extension version."""

from __future__ import annotations

import datetime as dt

import pytest

from musicdb.errors import UsageError
from musicdb.reports import _sql, pick_sql_file
from musicdb.units import parse_duration, parse_months, parse_ratio
from musicdb.workload.patterns import PATTERNS, select


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("500ms", 0.5), ("45s", 45), ("45", 45), (" 30 min ", 1800), ("6h", 21600), ("2D", 172800),
     ("1w", 604800), ("1.5h", 5400), (90, 90), (dt.timedelta(minutes=3), 180)],
)
def test_durations(text: str | float | dt.timedelta, seconds: float) -> None:
    assert parse_duration(text) == dt.timedelta(seconds=seconds)


@pytest.mark.parametrize(
    ("text", "months"),
    [("24months", 24), ("24", 24), (" 1 month ", 1), ("18mo", 18), ("2y", 24), ("3 years", 36),
     (6, 6)],
)
def test_months(text: str | int, months: int) -> None:
    assert parse_months(text) == months


@pytest.mark.parametrize("text", ["", "0months", "24 weeks", "-2y", "2y6m", 0])
def test_bad_months_are_usage_errors(text: str | int) -> None:
    with pytest.raises(UsageError, match="not a number of months"):
        parse_months(text)


@pytest.mark.parametrize("text", ["", "soon", "-5s", "5 years", "1h30m"])
def test_bad_durations_are_usage_errors(text: str) -> None:
    with pytest.raises(UsageError, match="not a duration"):
        parse_duration(text)


@pytest.mark.parametrize(("text", "value"), [("0.2", 0.2), ("20%", 0.2), (" 100% ", 1.0), (0, 0.0)])
def test_ratios(text: str | float, value: float) -> None:
    assert parse_ratio(text) == pytest.approx(value)


@pytest.mark.parametrize(
    ("text", "message"),
    [("half", "not a ratio"), ("120%", "out of range"), (1.5, "out of range"),
     ("-0.1", "out of range")],
)
def test_bad_ratios_are_usage_errors(text: str | float, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        parse_ratio(text)


def test_patterns_are_selected_by_name_in_q_order() -> None:
    assert select(None) == list(PATTERNS)
    assert [p.name for p in select(["q5,Q2", " q12 "])] == ["Q2", "Q5", "Q12"]
    with pytest.raises(UsageError, match=r"unknown pattern\(s\) Q13, X"):
        select(["Q1,x", "Q13"])


# -- SQL file variants -----------------------------------------------------------------------------
def test_packaged_sql_variant_is_the_highest_not_above_the_running_version() -> None:
    assert pick_sql_file("index_verdicts", server_version_num=150018) == "index_verdicts.sql"
    assert pick_sql_file("index_verdicts", server_version_num=160000) == "index_verdicts.pg16.sql"
    assert pick_sql_file("index_verdicts", server_version_num=180006) == "index_verdicts.pg16.sql"
    assert pick_sql_file("table_stats", server_version_num=170000) == "table_stats.sql"
    assert pick_sql_file("table_stats", server_version_num=180000) == "table_stats.pg18.sql"
    pick = lambda pss: pick_sql_file("query_stats", server_version_num=180000, pss_version=pss)  # noqa: E731
    assert pick((1, 7)) == "query_stats.sql"
    assert pick((1, 8)) == "query_stats.pss1.8.sql"
    assert pick((1, 10)) == "query_stats.pss1.8.sql"
    assert pick((1, 11)) == "query_stats.pss1.11.sql"
    assert pick((1, 12)) == "query_stats.pss1.11.sql"
    assert pick(None) == "query_stats.sql"


def test_variants_are_compared_as_versions_not_text(monkeypatch: pytest.MonkeyPatch) -> None:
    files = {
        "q": [(None, (), "q.sql"), ("pg", (10,), "q.pg10.sql"), ("pg", (9,), "q.pg9.sql")],
        "s": [(None, (), "s.sql"), ("pss", (1, 10), "s.pss1.10.sql"),
              ("pss", (1, 9), "s.pss1.9.sql")],
        "only_new": [("pg", (17,), "only_new.pg17.sql")],
    }
    monkeypatch.setattr(_sql, "sql_files", lambda: files)
    assert pick_sql_file("q", server_version_num=90600) == "q.pg9.sql"
    assert pick_sql_file("q", server_version_num=100004) == "q.pg10.sql"
    assert pick_sql_file("s", server_version_num=90000, pss_version=(1, 10)) == "s.pss1.10.sql"
    assert pick_sql_file("s", server_version_num=90000, pss_version=(1, 9, 5)) == "s.pss1.9.sql"
    assert pick_sql_file("s", server_version_num=90000) == "s.sql"
    assert pick_sql_file("q", server_version_num=80400) == "q.sql"
    assert pick_sql_file("only_new", server_version_num=170000) == "only_new.pg17.sql"
    with pytest.raises(KeyError, match="no variant of 'only_new'"):
        pick_sql_file("only_new", server_version_num=160000)
    with pytest.raises(KeyError, match="no SQL file"):
        pick_sql_file("nothing", server_version_num=160000)


def test_every_packaged_sql_file_is_a_recognised_variant() -> None:
    found = {name for variants in _sql.sql_files().values() for *_, name in variants}
    assert "query_stats.pss1.11.sql" in found
    assert all(_sql.load_sql(name).strip() for name in found)
