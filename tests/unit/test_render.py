"""The one renderer: JSON and CSV documents of a Report, and the human formats of a table."""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import io
import json
import uuid

import pytest

from musicdb.render import Column, Report, emit, format_value, to_json

WHEN = dt.datetime(2026, 3, 1, 12, 30, tzinfo=dt.UTC)


def _report(rows: list[dict]) -> Report:
    return Report(
        name="sample",
        title="Sample",
        columns=[Column("name", "Name"), Column("size", "Size", "bytes"),
                 Column("seen", "Seen", "timestamp"), Column("extra", "Extra")],
        rows=rows,
        server_version="18.1",
        notes=["a note"],
        generated_at=WHEN,
    )


ROWS = [
    {"name": "a,b", "size": decimal.Decimal("2048"), "seen": WHEN, "extra": {"k": [1, 2]},
     "hidden": "not a column"},
    {"name": None, "size": decimal.Decimal("1.5"), "seen": None, "extra": None},
]


def test_json_document_carries_raw_values_of_the_declared_columns_only() -> None:
    out = io.StringIO()
    emit(_report(ROWS), "json", out=out)
    doc = json.loads(out.getvalue())
    assert doc["report"] == "sample"
    assert doc["generated_at"] == "2026-03-01T12:30:00+00:00"
    assert doc["server_version"] == "18.1"
    assert doc["notes"] == ["a note"]
    assert [c["name"] for c in doc["columns"]] == ["name", "size", "seen", "extra"]
    assert doc["columns"][1] == {"name": "size", "title": "Size", "kind": "bytes"}
    assert doc["rows"] == [
        {"name": "a,b", "size": 2048, "seen": "2026-03-01T12:30:00+00:00", "extra": {"k": [1, 2]}},
        {"name": None, "size": 1.5, "seen": None, "extra": None},
    ]


def test_csv_has_a_header_of_keys_and_one_line_per_row() -> None:
    out = io.StringIO()
    emit(_report(ROWS), "csv", out=out)
    lines = list(csv.reader(io.StringIO(out.getvalue())))
    assert lines == [
        ["name", "size", "seen", "extra"],
        ["a,b", "2048", "2026-03-01T12:30:00+00:00", '{"k": [1, 2]}'],
        ["", "1.5", "", ""],
    ]


def test_table_output_sends_notes_to_stderr_and_says_when_empty() -> None:
    out, err = io.StringIO(), io.StringIO()
    emit(_report([]), "table", out=out, err=err)
    assert out.getvalue().strip() == "Sample: nothing to show"
    assert err.getvalue() == "note: a note\n"


def test_an_unknown_format_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown format 'xml'"):
        emit(_report(ROWS), "xml", out=io.StringIO())


def test_json_converts_what_the_driver_returns() -> None:
    value = {"d": dt.date(2026, 1, 2), "t": dt.timedelta(minutes=2), "u": uuid.UUID(int=1),
             "s": (1, 2), "n": decimal.Decimal("3.00")}
    assert json.loads(to_json(value, pretty=False)) == {
        "d": "2026-01-02", "t": 120.0, "u": "00000000-0000-0000-0000-000000000001",
        "s": [1, 2], "n": 3,
    }
    assert to_json({"a": 1}, pretty=False) == '{"a":1}'
    assert to_json({"a": 1}, pretty=True) == '{\n  "a": 1\n}'


@pytest.mark.parametrize(
    ("value", "kind", "shown"),
    [
        (None, "bytes", "-"),
        (512, "bytes", "512 B"),
        (1536, "bytes", "1.5 kB"),
        (3 * 1024**3, "bytes", "3.0 GB"),
        (0.25, "ms", "0.250 ms"),
        (12.34, "ms", "12.3 ms"),
        (2500, "ms", "2.50 s"),
        (125_000, "ms", "2m 5s"),
        (7300, "seconds", "2h 1m"),
        (90000, "seconds", "1d 1h"),
        (1234567, "count", "1,234,567"),
        (0.1234, "ratio", "12.3%"),
        (1234.5, "number", "1,234.50"),
        (False, "bool", "no"),
        (WHEN, "timestamp", "2026-03-01 12:30:00 UTC"),
        (["a", "b"], "text", "a, b"),
    ],
)
def test_human_formats(value: object, kind: str, shown: str) -> None:
    assert format_value(value, kind) == shown  # type: ignore[arg-type]
