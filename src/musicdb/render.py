"""The one renderer: a :class:`Report` becomes a rich table, a JSON document or CSV.

This is the only module that formats bytes, milliseconds and ratios for people; library functions
return raw values and JSON/CSV carry them unchanged.
"""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import json
import os
import sys
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import IO, Any, Literal

Kind = Literal["text", "bytes", "ms", "count", "ratio", "number", "timestamp", "bool", "seconds"]
FORMATS = ("table", "json", "csv")
#: Table width when stdout is not a terminal and COLUMNS is not set.
PIPE_WIDTH = 200


@dataclass(frozen=True)
class Column:
    """A report column: its stable snake_case key, a title for people, and the kind of value."""

    key: str
    title: str
    kind: Kind = "text"
    #: Free text (a query, a message): in tables it stays on one line, cut to fit the width.
    wrap: bool = False
    #: For table output: shown in the rich table (JSON and CSV always carry every column).
    table: bool = True

    def as_dict(self) -> dict[str, str]:
        return {"name": self.key, "title": self.title, "kind": self.kind}


@dataclass
class Report:
    """Data for one report: rows of raw values under the columns' keys, plus notes for people."""

    name: str
    title: str
    columns: Sequence[Column]
    rows: list[dict[str, Any]]
    server_version: str | None = None
    notes: list[str] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)
    generated_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))

    def as_dict(self) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "report": self.name,
            "generated_at": self.generated_at.isoformat(),
            "server_version": self.server_version,
            "columns": [c.as_dict() for c in self.columns],
            "rows": [{c.key: row.get(c.key) for c in self.columns} for row in self.rows],
        }
        if self.notes:
            doc["notes"] = list(self.notes)
        if self.meta:
            doc["meta"] = self.meta
        return doc


def _json_default(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, decimal.Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    return str(value)


def to_json(doc: Mapping[str, Any] | Sequence[Any], *, pretty: bool | None = None) -> str:
    """JSON text; indented for a terminal, compact otherwise (``pretty=None``: decide from stdout).

    Compact matters at scale: with ``indent`` Python falls back to its pure-Python encoder, several
    times slower on a report of 20,000 rows.
    """
    if pretty is None:
        pretty = sys.stdout.isatty()
    if pretty:
        return json.dumps(doc, indent=2, default=_json_default, ensure_ascii=False)
    return json.dumps(doc, default=_json_default, ensure_ascii=False, separators=(",", ":"))


# -- human formatting ---------------------------------------------------------------------------
def human_bytes(value: float) -> str:
    size = float(value)
    for unit in ("B", "kB", "MB", "GB", "TB"):
        if abs(size) < 1024 or unit == "TB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    raise AssertionError("unreachable")


def human_ms(value: float) -> str:
    ms = float(value)
    if ms < 1:
        return f"{ms:.3f} ms"
    if ms < 1000:
        return f"{ms:.1f} ms"
    if ms < 60_000:
        return f"{ms / 1000:.2f} s"
    return human_seconds(ms / 1000)


def human_seconds(value: float) -> str:
    seconds = float(value)
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, sec = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    if days:
        return f"{days}d {hours}h"
    if hours:
        return f"{hours}h {minutes}m"
    return f"{minutes}m {sec}s"


def format_value(value: Any, kind: Kind) -> str:
    """How a value looks in a table for people."""
    if value is None:
        return "-"
    if kind == "bytes":
        return human_bytes(value)
    if kind == "ms":
        return human_ms(value)
    if kind == "seconds":
        return human_seconds(value)
    if kind == "count":
        return f"{int(value):,}"
    if kind == "ratio":
        return f"{float(value) * 100:.1f}%"
    if kind == "number":
        return f"{float(value):,.2f}"
    if kind == "bool":
        return "yes" if value else "no"
    if kind == "timestamp" and isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, default=_json_default)
    return str(value)


def _csv_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, dict | list | tuple):
        return json.dumps(value, default=_json_default)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


# -- output -------------------------------------------------------------------------------------
def write_csv(report: Report, out: IO[str]) -> None:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([c.key for c in report.columns])
    for row in report.rows:
        writer.writerow([_csv_value(row.get(c.key)) for c in report.columns])


def rich_table(report: Report) -> Any:
    from rich.table import Table

    table = Table(title=report.title, title_justify="left", expand=False)
    numeric = {"bytes", "ms", "count", "ratio", "number", "seconds"}
    shown = [c for c in report.columns if c.table]
    for col in shown:
        # Numbers stay whole on one line; when the terminal is narrow, the other columns give
        # up width, the widest (free text such as a query, then names and times) first.
        table.add_column(
            col.title,
            justify="right" if col.kind in numeric else "left",
            overflow="fold",
            no_wrap=col.kind in numeric,
        )
    for row in report.rows:
        table.add_row(*(_cell(row.get(c.key), c) for c in shown))
    return table


def _cell(value: Any, col: Column) -> Any:
    """A table cell; free text stays on one line, cut with an ellipsis to the column's width."""
    text = format_value(value, col.kind)
    if not col.wrap:
        return text
    from rich.text import Text

    return Text(" ".join(text.split()), no_wrap=True, overflow="ellipsis")


def emit(
    report: Report, fmt: str = "table", *, out: IO[str] | None = None, err: IO[str] | None = None
) -> None:
    """Write *report* to stdout in *fmt*; in table mode its notes go to stderr."""
    stdout = out or sys.stdout
    stderr = err or sys.stderr
    if fmt == "json":
        stdout.write(to_json(report.as_dict(), pretty=stdout.isatty()) + "\n")
    elif fmt == "csv":
        write_csv(report, stdout)
    elif fmt == "table":
        from rich.console import Console

        # Sized to the terminal; without one (a pipe, a log) and without COLUMNS, wide enough
        # that names are not folded.
        width = None if stdout.isatty() or os.environ.get("COLUMNS") else PIPE_WIDTH
        console = Console(file=stdout, width=width)
        if report.rows:
            console.print(rich_table(report))
        else:
            console.print(f"{report.title}: nothing to show")
        for note in report.notes:
            stderr.write(f"note: {note}\n")
    else:
        raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")


@dataclass
class Document:
    """A key/value report (one object, not rows): ``musicdb migrate status``, ``local status``...

    JSON carries *data* unchanged (its keys are the contract); CSV has one ``key,value`` line per
    entry of *data*; the table form shows *lines* (label, text) for people, or *data* when empty.
    """

    name: str
    data: dict[str, Any]
    lines: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    #: Table form only: free lines printed after *lines* (a plan, its SQL), as they are.
    body: list[str] = field(default_factory=list)


def emit_document(
    doc: Document, fmt: str = "table", *, out: IO[str] | None = None, err: IO[str] | None = None
) -> None:
    """Write *doc* to stdout in *fmt* (the same three formats as :func:`emit`)."""
    stdout = out or sys.stdout
    stderr = err or sys.stderr
    if fmt == "json":
        stdout.write(to_json(doc.data, pretty=stdout.isatty()) + "\n")
    elif fmt == "csv":
        writer = csv.writer(stdout, lineterminator="\n")
        writer.writerow(["key", "value"])
        for key, value in doc.data.items():
            writer.writerow([key, _csv_value(value)])
    elif fmt == "table":
        lines = doc.lines or ([] if doc.body else
                              [(k, format_value(v, "text")) for k, v in doc.data.items()])
        width = max((len(label) for label, _ in lines), default=0) + 2
        for label, text in lines:
            stdout.write(f"{label:{width}}{text}".rstrip() + "\n")
        for line in doc.body:
            stdout.write(line + "\n")
        for note in doc.notes:
            stderr.write(f"note: {note}\n")
    else:
        raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
