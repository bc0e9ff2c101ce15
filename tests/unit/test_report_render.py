"""The report's pure parts: Markdown escaping, the charts' SVG, the format a file name implies."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from musicdb.errors import UsageError
from musicdb.observe.report import Chart, format_for
from musicdb.observe.report_charts import svg
from musicdb.observe.report_render import md_code, md_text

HOSTILE = "<script>alert(1)</script>"


@pytest.mark.parametrize(("text", "expected"), [
    (HOSTILE, "&lt;script&gt;alert(1)&lt;/script&gt;"),
    ("a|b", "a\\|b"),
    ("snake_case *bold* [link](x)", "snake\\_case \\*bold\\* \\[link\\](x)"),
    ("two\nlines\there", "two lines here"),
    ("back`tick \\", "back\\`tick \\\\"),
])
def test_markdown_text_is_escaped(text, expected) -> None:
    assert md_text(text) == expected


def test_markdown_code_spans_hold_any_text() -> None:
    assert md_code('DROP INDEX "a|b"') == '` DROP INDEX "a\\|b" `'
    # a fence longer than the longest run of backticks inside
    assert md_code("x `` y") == "``` x `` y ```"
    assert md_code(HOSTILE) == f"` {HOSTILE} `"  # a code span shows HTML as text


def test_charts_are_svg_without_script_and_escape_their_labels() -> None:
    chart = Chart("t", "Sizes", "stacked", [HOSTILE, "b"],
                  [("heap", [3.0, 1.0]), ("indexes", [1.0, 0.0])], "bytes")
    drawn = svg(chart)
    assert drawn.startswith("<svg") and "<?xml" not in drawn
    assert "<script" not in drawn and HOSTILE not in drawn
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in drawn
    root = ET.fromstring(drawn)  # well-formed
    assert root.get("aria-label") == "Sizes" and root.get("viewBox")
    assert not any(el.tag.endswith("script") for el in root.iter())
    # the value labels are people's units
    values = sorted(re.findall(r'<desc class="value">([^<]*)<', drawn))
    assert values == ["0 B", "1 B", "1 B", "3 B"]


def test_a_line_chart_keeps_gaps() -> None:
    chart = Chart("b", "p95", "line", ["r1", "r2", "r3"], [("q1", [1.0, None, 3.0])], "ms")
    assert "<svg" in svg(chart)


@pytest.mark.parametrize(("path", "fmt", "expected"), [
    ("report.html", None, "html"), ("r.HTM", None, "html"), ("r.md", None, "markdown"),
    ("out/r.json", None, "json"), ("r.txt", "markdown", "markdown"), ("-", "json", "json"),
])
def test_the_format_of_a_file(path, fmt, expected) -> None:
    assert format_for(path, fmt) == expected


@pytest.mark.parametrize(("path", "fmt"), [("r.txt", None), ("-", None), ("r.html", "pdf")])
def test_an_unknown_format_is_a_usage_error(path, fmt) -> None:
    with pytest.raises(UsageError):
        format_for(path, fmt)
