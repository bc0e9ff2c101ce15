"""The report's charts as inline SVG, drawn on the server by pygal.

pygal writes a ``<script>`` into every chart (its configuration, for optional tooltips loaded from
the web); the report needs no script to be read and must load nothing, so an XML filter removes
every script element before the SVG is written (``js=[]`` alone drops the external files only).
Every text of a chart (labels, series names) goes through the XML serializer, which escapes it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from musicdb.render import format_value

if TYPE_CHECKING:
    from musicdb.observe.report import Chart

#: The chart's width in SVG units (it scales to the page: the SVG has a viewBox and no size).
WIDTH = 900
#: Colours that print well in grey too (dark, middle, light).
COLOURS = ("#1f5f8b", "#e07b39", "#6aa84f", "#8e63b5", "#c94c4c", "#3a9fb0", "#b5a33a",
           "#7a7a7a", "#d46fa6", "#4c6ec9")


def _strip_scripts(root: Any) -> Any:
    """Remove every ``script`` element (pygal's configuration script) from the SVG tree."""
    parents = [root, *root.iter()]
    for parent in parents:
        for child in list(parent):
            tag = child.tag if isinstance(child.tag, str) else ""
            if tag.rsplit("}", 1)[-1] == "script":
                parent.remove(child)
    return root


def _label(title: str) -> Callable[[Any], Any]:
    def label(root: Any) -> Any:
        root.set("role", "img")
        root.set("aria-label", title)
        return root

    return label


def svg(chart: Chart) -> str:
    """*chart* as an inline ``<svg>`` element (no XML declaration, no script)."""
    import pygal
    from pygal.style import Style

    style = Style(
        background="#ffffff", plot_background="#ffffff", foreground="#222222",
        foreground_strong="#111111", foreground_subtle="#888888", colors=COLOURS,
        font_family="system-ui, -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif",
        label_font_size=12, major_label_font_size=12, legend_font_size=12, value_font_size=11,
        tooltip_font_size=12,
    )
    kind = chart.kind
    labels, series = list(chart.labels), [(name, list(values)) for name, values in chart.series]
    if kind != "line":
        # a horizontal bar chart draws its first category at the bottom: the largest goes on top
        labels.reverse()
        for _, values in series:
            values.reverse()
    rows = len(labels)
    height = max(220, 70 + 26 * rows) if kind != "line" else 420
    if len(series) > 1:
        height += 30 + 24 * ((len(series) + 3) // 4)  # the legend below, four to a row
    cls = {"bar": pygal.HorizontalBar, "stacked": pygal.HorizontalStackedBar,
           "line": pygal.Line}[kind]
    graph = cls(
        style=style, width=WIDTH, height=height, disable_xml_declaration=True, js=[],
        show_legend=len(series) > 1,
        legend_at_bottom=True, legend_at_bottom_columns=4, truncate_label=48, truncate_legend=40,
        value_formatter=lambda v: format_value(v, chart.unit), x_label_rotation=30 if kind ==
        "line" else 0, dots_size=3, margin=12, margin_bottom=30, spacing=8, no_data_text="no data",
        print_zeroes=False, include_x_axis=True, x_labels_major_count=7, show_minor_x_labels=False,
    )
    graph.add_xml_filter(_strip_scripts)
    graph.add_xml_filter(_label(chart.title))
    graph.x_labels = labels
    for name, values in series:
        graph.add(name, values)
    return str(graph.render(is_unicode=True))
