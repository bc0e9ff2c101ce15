"""The report's three renderings: one self-contained HTML file, Markdown, and JSON.

HTML: inline CSS, charts as inline SVG (:mod:`musicdb.observe.report_charts`), no script, no
link to anything outside the file (a Content-Security-Policy says so to the browser too), laid
out to print. Markdown: the same sections, with tables, for a repository or a wiki; a chart
becomes the table of its values. Every text that comes from the database (names, query texts,
messages) is escaped for the format it goes into. Long tables show their first ``limit`` rows
and say how many more the JSON holds; the JSON is :meth:`AnalysisReport.as_dict`, whole.
"""

from __future__ import annotations

import html
import re
from typing import TYPE_CHECKING, Any

from musicdb.render import format_value, to_json

if TYPE_CHECKING:
    from musicdb.observe.report import AnalysisReport, Chart, Fact, Section, Table
    from musicdb.render import Column


def render(report: AnalysisReport, fmt: str) -> str:
    """*report* as text in *fmt* (``html``, ``markdown`` or ``json``)."""
    if fmt == "html":
        return to_html(report)
    if fmt == "markdown":
        return to_markdown(report)
    if fmt == "json":
        return to_json(report.as_dict(), pretty=True) + "\n"
    raise ValueError(f"unknown report format {fmt!r}")


def _cell(value: Any, col: Column) -> str:
    return format_value(value, col.kind)


def _headline(report: AnalysisReport) -> str:
    when = report.generated_at.strftime("%Y-%m-%d %H:%M UTC")
    return (f"PostgreSQL {report.server_version or '?'} ({report.role}), generated {when} "
            f"in {report.seconds:.1f} s by musicdb report")


def _more(table: Table, limit: int) -> int:
    return max(len(table.report.rows) - limit, 0)


def _more_text(count: int) -> str:
    return f"… and {count:,} more row(s): the JSON (--format json) has them all"


# -- HTML -------------------------------------------------------------------------------------
CSS = """
:root { --ink: #1d1d1f; --muted: #5f6368; --line: #d9dce1; --band: #f5f7fa; --accent: #1f5f8b; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif;
       color: var(--ink); margin: 0 auto; max-width: 1180px; padding: 24px; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 20px; border-bottom: 2px solid var(--accent); padding-bottom: 4px;
     margin-top: 36px; }
h3 { font-size: 15px; margin: 22px 0 6px; }
.headline, .muted { color: var(--muted); }
nav ol { columns: 2; padding-left: 20px; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 3px 18px; margin: 8px 0; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; overflow-wrap: anywhere; }
table { border-collapse: collapse; width: 100%; margin: 6px 0; font-size: 13px; }
th, td { border: 1px solid var(--line); padding: 4px 7px; text-align: left; vertical-align: top;
         overflow-wrap: anywhere; }
th { background: var(--band); font-weight: 600; }
td.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
td code, pre { font: 12px/1.4 ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace;
               white-space: pre-wrap; overflow-wrap: anywhere; }
td code { background: var(--band); padding: 1px 3px; border-radius: 3px; }
tr:nth-child(even) td { background: #fbfcfd; }
.unavailable { background: #fff4e5; border-left: 4px solid #e07b39; padding: 8px 12px; }
.status-ok { color: #2e7d32; } .status-warning { color: #b26a00; }
.status-critical { color: #c62828; font-weight: 600; } .status-unknown { color: var(--muted); }
figure.chart { margin: 10px 0 14px; }
figure.chart svg { display: block; width: 100%; height: auto; max-width: 900px; }
figcaption { color: var(--muted); font-size: 13px; margin-top: 2px; }
ul.notes { color: var(--muted); font-size: 13px; }
p.more { color: var(--muted); font-style: italic; margin: 2px 0 10px; }
footer { margin-top: 40px; color: var(--muted); font-size: 12px; }
@media print {
  body { max-width: none; padding: 0; font-size: 11px; }
  table { font-size: 9px; }
  th, td { padding: 2px 4px; }
  td code, pre { font-size: 8.5px; }
  nav { display: none; }
  h2 { break-after: avoid; }
  section { break-inside: auto; }
  figure.chart, tr, dl.facts { break-inside: avoid; }
  thead { display: table-header-group; }
  a { color: inherit; text-decoration: none; }
}
"""
#: The browser loads nothing and runs nothing: styles inline only.
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


def _e(text: Any) -> str:
    return html.escape(str(text), quote=True)


def to_html(report: AnalysisReport) -> str:
    """The whole report as one HTML document."""
    from musicdb.observe.report_charts import svg

    title = f"Database report: {report.database}"
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{_e(CSP)}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(title)}</title><style>{CSS}</style></head><body>",
        f'<header><h1>{_e(title)}</h1><p class="headline">{_e(_headline(report))}</p>',
        "<nav><ol>",
        *(f'<li><a href="#{_e(s.key)}">{_e(s.title)}</a>'
          + (' <span class="muted">(unavailable)</span>' if s.unavailable else "") + "</li>"
          for s in report.sections),
        "</ol></nav></header>",
    ]
    for section in report.sections:
        out.append(f'<section id="{_e(section.key)}"><h2>{_e(section.title)}</h2>')
        if section.unavailable:
            out.append(f'<p class="unavailable">Not available: {_e(section.unavailable)}</p>')
        if section.facts:
            out.append('<dl class="facts">')
            out += [f"<dt>{_e(f.label)}</dt><dd>{_fact_html(f)}</dd>" for f in section.facts]
            out.append("</dl>")
        for chart in section.charts:
            out.append(f'<figure class="chart" data-chart="{_e(chart.key)}">{svg(chart)}'
                       f"<figcaption>{_e(chart.title)}</figcaption></figure>")
        for table in section.tables:
            out += _table_html(table, report.limit)
        if section.notes:
            out.append('<ul class="notes">')
            out += [f"<li>{_e(note)}</li>" for note in section.notes]
            out.append("</ul>")
        out.append("</section>")
    out.append(f"<footer>{_e(_headline(report))}. Statements in this report are suggestions: "
               "read them before running them.</footer></body></html>")
    return "\n".join(out) + "\n"


def _status_class(text: str) -> str:
    status = text.split(":", 1)[0]
    return status if status in ("ok", "warning", "critical", "unknown") else ""


def _fact_html(fact: Fact) -> str:
    text = format_value(fact.value, fact.kind)
    status = _status_class(text) if fact.kind == "text" else ""
    return f'<span class="status-{status}">{_e(text)}</span>' if status else _e(text)


_NUMERIC = {"bytes", "ms", "count", "ratio", "number", "seconds"}


def _table_html(table: Table, limit: int) -> list[str]:
    report, columns = table.report, table.columns()
    out = [f'<h3 id="{_e(report.name)}">{_e(report.title)} '
           f'<span class="muted">({len(report.rows):,})</span></h3>']
    if not report.rows:
        out.append('<p class="muted">None.</p>')
        return out
    out.append(f'<table data-table="{_e(report.name)}"><thead><tr>'
               + "".join(f"<th>{_e(c.title)}</th>" for c in columns) + "</tr></thead><tbody>")
    for row in report.rows[:limit]:
        cells = []
        for col in columns:
            text = _cell(row.get(col.key), col)
            if col.key in table.code and row.get(col.key) is not None:
                cells.append(f"<td><code>{_e(text)}</code></td>")
            elif col.kind in _NUMERIC:
                cells.append(f'<td class="num">{_e(text)}</td>')
            elif col.key == "status" and _status_class(text):
                cells.append(f'<td class="status-{_status_class(text)}">{_e(text)}</td>')
            else:
                cells.append(f"<td>{_e(text)}</td>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</tbody></table>")
    more = _more(table, limit)
    if more:
        out.append(f'<p class="more">{_e(_more_text(more))}</p>')
    return out


# -- Markdown -------------------------------------------------------------------------------------
_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~])")


def md_text(text: Any) -> str:
    """*text* for a Markdown table cell or line: HTML's specials as entities (a renderer that
    passes HTML through shows them as text), Markdown's escaped, one line."""
    one_line = " ".join(str(text).split())
    escaped = html.escape(one_line, quote=False)
    return _MD_SPECIAL.sub(r"\\\1", escaped)


def md_code(text: Any) -> str:
    """*text* as a code span in a Markdown table cell (a fence longer than any backtick run in
    it; ``|`` escaped, as tables need even in code)."""
    one_line = " ".join(str(text).split())
    longest = max((len(run) for run in re.findall(r"`+", one_line)), default=0)
    fence = "`" * (longest + 1)
    return f"{fence} {one_line.replace('|', chr(92) + '|')} {fence}"


def _anchor(title: str) -> str:
    return re.sub(r"[^a-z0-9 -]", "", title.lower()).replace(" ", "-")


def to_markdown(report: AnalysisReport) -> str:
    """The whole report as Markdown."""
    title = f"Database report: {report.database}"
    out = [f"# {md_text(title)}", "", md_text(_headline(report)), "", "## Contents", ""]
    out += [f"- [{md_text(s.title)}](#{_anchor(s.title)})"
            + (" (unavailable)" if s.unavailable else "") for s in report.sections]
    for section in report.sections:
        out += ["", f"## {md_text(section.title)}", ""]
        out += _section_markdown(section, report.limit)
    out += ["", "---", "", md_text(_headline(report)) + ". Statements in this report are "
            "suggestions: read them before running them.", ""]
    return "\n".join(out)


def _section_markdown(section: Section, limit: int) -> list[str]:
    out: list[str] = []
    if section.unavailable:
        out += [f"> **Not available:** {md_text(section.unavailable)}", ""]
    if section.facts:
        out += ["| | |", "|---|---|"]
        out += [f"| {md_text(f.label)} | {md_text(format_value(f.value, f.kind))} |"
                for f in section.facts]
        out.append("")
    for chart in section.charts:
        if chart.kind == "line":  # the bar charts draw what the section's tables list
            out += _chart_markdown(chart, limit)
    for table in section.tables:
        out += _table_markdown(table, limit)
    if section.notes:
        out += ["Notes:", ""] + [f"- {md_text(note)}" for note in section.notes] + [""]
    return out


def _md_row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _table_markdown(table: Table, limit: int) -> list[str]:
    report, columns = table.report, table.columns()
    out = [f"### {md_text(report.title)} ({len(report.rows):,})", ""]
    if not report.rows:
        return [*out, "None.", ""]
    out.append(_md_row([md_text(c.title) for c in columns]))
    out.append(_md_row(["--:" if c.kind in _NUMERIC else "---" for c in columns]))
    for row in report.rows[:limit]:
        cells = []
        for col in columns:
            value = row.get(col.key)
            text = _cell(value, col)
            code = col.key in table.code and value is not None
            cells.append(md_code(text) if code else md_text(text))
        out.append(_md_row(cells))
    more = _more(table, limit)
    if more:
        out += ["", f"_{md_text(_more_text(more))}_"]
    return [*out, ""]


def _chart_markdown(chart: Chart, limit: int) -> list[str]:
    """A chart's values as a table (Markdown has no charts)."""
    out = [f"### {md_text(chart.title)} (chart values)", ""]
    names = [name for name, _ in chart.series]
    out.append(_md_row(["", *(md_text(n) for n in names)]))
    out.append(_md_row(["---", *("--:" for _ in names)]))
    for i, label in enumerate(chart.labels[:limit]):
        values = [format_value(values[i], chart.unit) for _, values in chart.series]
        out.append(_md_row([md_text(label), *(md_text(v) for v in values)]))
    if len(chart.labels) > limit:
        out += ["", f"_{md_text(f'… and {len(chart.labels) - limit} more')}_"]
    return [*out, ""]
