"""``musicdb report`` against a real server: every section, the statements it recommends (run
for real), escaping of hostile names in HTML and Markdown, bounded tables, a pg_monitor role, a
standby, the statement timeout, and the command line. The browser tests are in
``test_report_browser.py``."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from musicdb.config import DatabaseTarget
from musicdb.observe import report as rep
from musicdb.observe.report_render import render
from musicdb.ops.health_thresholds import Thresholds

HOSTILE_TABLE = "<script>alert(1)</script>"
HOSTILE_INDEX = 'dup "<b>x</b>" | idx'
#: an alias pg_stat_statements keeps in its normalised text (constants become $n, names stay);
#: slow enough to be among the top statements shown
HOSTILE_QUERY = 'SELECT pg_sleep(0.2) AS "<img src=x onerror=alert(2)>"'
SECTIONS = ["server", "tables", "indexes", "queries", "activity", "health", "views", "bench"]
NO_AGE = Thresholds(unused_index_min_stats_age=dt.timedelta(0))


def _seed(conn: psycopg.Connection[Any]) -> None:
    """Hostile names, every index verdict, an unindexed foreign key, a recorded refresh."""
    conn.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
    conn.execute("CREATE SCHEMA hr")
    conn.execute('CREATE TABLE hr."<script>alert(1)</script>" (id int PRIMARY KEY, k int, '
                 "note text)")
    conn.execute('INSERT INTO hr."<script>alert(1)</script>" '
                 "SELECT i, i % 5, 'n' || i FROM generate_series(1, 2000) i")
    conn.execute('CREATE INDEX "keep k" ON hr."<script>alert(1)</script>" (k)')
    conn.execute('CREATE INDEX "dup ""<b>x</b>"" | idx" ON hr."<script>alert(1)</script>" (k)')
    conn.execute('CREATE INDEX note_only ON hr."<script>alert(1)</script>" (note)')
    conn.execute('CREATE INDEX note_k ON hr."<script>alert(1)</script>" (note, k)')
    conn.execute('CREATE INDEX never_used ON hr."<script>alert(1)</script>" (id, note)')
    conn.execute("CREATE TABLE hr.parent (id int PRIMARY KEY)")
    conn.execute('CREATE TABLE hr."Child Table" (id int PRIMARY KEY, '
                 '"Parent Id" int REFERENCES hr.parent (id))')
    conn.execute("ALTER TABLE public.users ADD COLUMN drifted_note text")  # not in the migrations
    conn.execute("ANALYZE")
    with pytest.raises(psycopg.errors.UniqueViolation):
        conn.execute('CREATE UNIQUE INDEX CONCURRENTLY "bad <i>" ON hr."<script>alert(1)</script>"'
                     " (k)")
    for _ in range(3):
        conn.execute(HOSTILE_QUERY)


@pytest.fixture(scope="module")
def report_url(pg_server, template_db) -> Iterator[str]:
    with pg_server.database(template_db) as name:
        url = pg_server.url(name)
        with psycopg.connect(url, autocommit=True) as conn:
            _seed(conn)
        from helpers import run_cli

        done = run_cli("refresh-view", "mv_track_popularity", url=url)
        assert done.exit_code == 0, done.stderr
        yield url


@pytest.fixture
def bench_file(tmp_path: Path) -> Path:
    path = tmp_path / "musicdb-bench.jsonl"
    runs = [{"saved_at": f"2026-11-0{i}T10:00:00+00:00",
             "patterns": {"q1_search": {"p95_ms": 2.0 * i, "calls": 100},
                          "q8_favourites": {"p95_ms": 5.0 - i, "calls": 100}}}
            for i in (1, 2, 3)]
    path.write_text("".join(json.dumps(r) + "\n" for r in runs) + "not json\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def built(report_url) -> rep.AnalysisReport:
    return rep.build_report(DatabaseTarget(report_url, "test"), thresholds=NO_AGE, bench_file=None)


def _table(report: rep.AnalysisReport, section: str, name: str) -> list[dict[str, Any]]:
    tables = {t.report.name: t.report for t in report.section(section).tables}
    return tables[name].rows


# -- the sections ---------------------------------------------------------------------------------
def test_every_section_is_filled(built) -> None:
    assert [s.key for s in built.sections] == SECTIONS
    for section in built.sections[:-1]:
        assert section.unavailable is None, (section.key, section.unavailable)
    assert "musicdb bench --save" in (built.section("bench").unavailable or "")
    server = {f.key: f.value for f in built.section("server").facts}
    assert server["role"] == "primary"
    assert server["size_bytes"] > 1_000_000
    assert server["at_head"].startswith("ok: at head")
    # a column the migrations do not make: drift says so
    assert server["drift"].startswith("warning: 1 difference")
    assert [r["name"] for r in _table(built, "server", "drift")] == ["users.drifted_note"]
    tables = _table(built, "tables", "table-stats")
    assert any(r["table"] == HOSTILE_TABLE for r in tables)
    assert built.section("tables").charts[0].kind == "stacked"
    checks = {r["check"] for r in _table(built, "health", "health_check")}
    assert {"at_head", "drift", "unused_indexes", "view_staleness"} <= checks
    history = _table(built, "views", "refresh-history")
    assert history[0]["target"] == "public.mv_track_popularity"
    assert history[0]["outcome"] == "ok"
    queries = _table(built, "queries", "analyze-queries")
    assert any('"<img src=x onerror=alert(2)>"' in r["query"] for r in queries)


def test_every_verdict_has_a_recommendation_with_its_evidence(built) -> None:
    index_rows = {r["index"]: r for r in _table(built, "indexes", "index-verdicts")}
    assert "duplicate" in index_rows[HOSTILE_INDEX]["verdicts"]
    assert "redundant" in index_rows["note_only"]["verdicts"]
    assert "invalid" in index_rows["bad <i>"]["verdicts"]
    assert "unused" in index_rows["never_used"]["verdicts"]
    recs = {r["target"]: r for r in _table(built, "indexes", "recommendations")}
    dup = recs[f"hr.{HOSTILE_INDEX}"]
    assert dup["statement"] == 'DROP INDEX CONCURRENTLY "hr"."dup ""<b>x</b>"" | idx"'
    assert dup["reason"].startswith("duplicate of keep k")
    assert dup["scans"] == 0 and dup["size_bytes"] > 0 and dup["stats_since"] is not None
    assert recs["hr.bad <i>"]["statement"] == 'DROP INDEX CONCURRENTLY "hr"."bad <i>"'
    assert recs["hr.note_only"]["statement"] == 'DROP INDEX CONCURRENTLY "hr"."note_only"'
    assert recs["hr.Child Table"]["statement"] == (
        'CREATE INDEX CONCURRENTLY ON "hr"."Child Table" ("Parent Id")')
    facts = {f.key: f.value for f in built.section("indexes").facts}
    assert facts["unused_verdicts"] == "given"
    assert facts["duplicate"] == 1 and facts["invalid"] == 1


def test_the_recommended_statements_run_and_fix_what_they_name(pg_server, report_url) -> None:
    """Each statement, run as written on a copy of the database, does what it says."""
    source = str(conninfo_to_dict(report_url)["dbname"])
    with pg_server.database(source) as name:
        url = pg_server.url(name)
        first = rep.build_report(DatabaseTarget(url, "test"), thresholds=NO_AGE, bench_file=None,
                                 drift=False, what_if=0)
        statements = [r["statement"] for r in _table(first, "indexes", "recommendations")]
        assert len(statements) >= 5
        with psycopg.connect(url, autocommit=True) as conn:
            for statement in statements:
                conn.execute(statement)
        again = rep.build_report(DatabaseTarget(url, "test"), thresholds=NO_AGE, bench_file=None,
                                 drift=False, what_if=0)
    left = {r["target"] for r in _table(again, "indexes", "recommendations")}
    assert f"hr.{HOSTILE_INDEX}" not in left and "hr.Child Table" not in left
    assert "hr.bad <i>" not in left
    rows = {r["index"]: r for r in _table(again, "indexes", "index-verdicts")}
    assert HOSTILE_INDEX not in rows and "note_only" not in rows


# -- the renderings -------------------------------------------------------------------------------
def test_html_is_one_file_with_every_name_escaped(built) -> None:
    page = render(built, "html")
    assert "<script" not in page.lower()  # neither pygal's nor a planted one
    assert "<img" not in page and "<b>x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(2)&gt;" in page
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", page)  # nothing loaded
    assert "Content-Security-Policy" in page
    for key in SECTIONS:
        assert f'<section id="{key}">' in page
    assert page.count("<svg") == sum(len(s.charts) for s in built.sections) >= 4


def test_markdown_has_the_same_sections_and_escapes(built) -> None:
    text = render(built, "markdown")
    for section in built.sections:
        assert f"\n## {section.title}\n" in text
    # code spans show their text as written (CommonMark renders it as text, never as HTML);
    # everywhere else the names are escaped
    outside = re.sub(r"(`+) .*? \1", "", text)
    assert "<script>" not in outside and "<img" not in outside and "<b>" not in outside
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in outside
    assert '`` DROP INDEX CONCURRENTLY "hr"."dup ""<b>x</b>"" \\| idx" ``' in text or \
        '` DROP INDEX CONCURRENTLY "hr"."dup ""<b>x</b>"" \\| idx" `' in text
    for line in text.splitlines():
        if line.startswith("| drop index |"):
            # the cell's | is escaped: the row has as many cells as its header
            assert len(re.split(r"(?<!\\)\|", line)) == 9, line


def test_json_has_everything_and_long_tables_are_bounded(report_url) -> None:
    small = rep.build_report(DatabaseTarget(report_url, "test"), limit=2, bench_file=None,
                             drift=False, what_if=0)
    doc = json.loads(render(small, "json"))
    assert [s["key"] for s in doc["sections"]] == SECTIONS
    tables = doc["sections"][1]["tables"]["table-stats"]
    assert len(tables["rows"]) == tables_count(small) > 2
    page = render(small, "html")
    shown = re.search(r'<table data-table="table-stats">.*?</table>', page, re.S)
    assert shown is not None and shown.group(0).count("<tr>") == 3  # header + 2 rows
    assert f"… and {tables_count(small) - 2:,} more row(s)" in page
    assert f"… and {tables_count(small) - 2:,} more row\\(s\\)" in render(small, "markdown") or \
        f"… and {tables_count(small) - 2:,} more row(s)" in render(small, "markdown")


def tables_count(report: rep.AnalysisReport) -> int:
    return int(next(f.value for f in report.section("tables").facts if f.key == "tables"))


def test_bench_history_is_charted(report_url, bench_file) -> None:
    result = rep.build_report(DatabaseTarget(report_url, "test"), bench_file=bench_file,
                              drift=False, what_if=0)
    bench = result.section("bench")
    assert bench.unavailable is None
    chart = bench.charts[0]
    assert chart.kind == "line" and len(chart.labels) == 3
    assert dict(chart.series) == {"q1_search": [2.0, 4.0, 6.0], "q8_favourites": [4.0, 3.0, 2.0]}
    assert 'data-chart="bench_p95"' in render(result, "html")
    assert "| 2026-11-03 10:00:00 | 6.0 ms | 2.0 ms |" in render(result, "markdown")


# -- safety ----------------------------------------------------------------------------------------
def test_a_section_that_times_out_says_so(report_url) -> None:
    with psycopg.connect(report_url, autocommit=True,
                         options="-c statement_timeout=50") as conn:
        section = rep._filled(rep.Section("slow", "Slow"),
                              lambda s: conn.execute("SELECT pg_sleep(2)"))
    assert section.unavailable is not None
    assert "statement timeout" in section.unavailable
    assert "--statement-timeout" in section.unavailable


def test_the_report_session_is_read_only(report_url) -> None:
    """Whatever a section would write fails: every transaction of the report is read-only."""
    with psycopg.connect(report_url, autocommit=True) as conn:
        conn.execute("SET default_transaction_read_only = on")
        section = rep._filled(rep.Section("write", "Write"),
                              lambda s: conn.execute("CREATE TABLE hr.nope (id int)"))
    assert "read-only transaction" in (section.unavailable or "")


@pytest.fixture(scope="module")
def monitor_url(pg_server, report_url) -> Iterator[str]:
    with pg_server.role("musicdb_mon", member_of="pg_monitor") as role:
        yield make_conninfo(report_url, user=role)


def test_a_pg_monitor_role_gets_a_report_saying_what_it_cannot_see(cli, monitor_url,
                                                                     tmp_path) -> None:
    out = tmp_path / "report.json"
    result = cli("report", "--output", str(out), url=monitor_url)
    assert result.exit_code == 0, result.stderr
    doc = json.loads(out.read_text(encoding="utf-8"))
    sections = {s["key"]: s for s in doc["sections"]}
    # no CREATEDB: the drift check says why it could not run; nor may it read alembic_version
    server = sections["server"]["facts"]
    assert server["drift"].startswith("unknown: cannot check")
    assert server["at_head"].startswith("unknown: cannot check: permission denied")
    assert server["revision"] is None and server["size_bytes"] > 0
    # maintenance_log belongs to the owner: the views section says it may not read it
    assert "not allowed for this role" in (sections["views"]["unavailable"] or "")
    for key in ("server", "tables", "indexes", "queries", "activity", "health"):
        assert sections[key]["unavailable"] is None, (key, sections[key]["unavailable"])
    recs = sections["indexes"]["tables"]["recommendations"]["rows"]
    assert any(r["target"] == f"hr.{HOSTILE_INDEX}" for r in recs)


def test_a_standby_gets_the_report_and_drift_says_why_not(cli, loaded_standby_db,
                                                          tmp_path) -> None:
    out = tmp_path / "standby.md"
    result = cli("report", "--output", str(out), url=loaded_standby_db)
    assert result.exit_code == 0, result.stderr
    text = out.read_text(encoding="utf-8")
    assert "| Role | standby |" in text
    assert re.search(r"\| Drift \| unknown: cannot check: .*standby", text)
    doc = cli("report", "--output", "-", "--format", "json", "--no-drift",
              url=loaded_standby_db).json()
    sections = {s["key"]: s for s in doc["sections"]}
    assert doc["role"] == "standby"
    for key in ("server", "tables", "indexes", "queries", "activity", "health", "views"):
        assert sections[key]["unavailable"] is None, (key, sections[key]["unavailable"])


def test_replica_scans_count_in_the_index_review(cli, pg_server, loaded_standby_db) -> None:
    primary = pg_server.url(str(conninfo_to_dict(loaded_standby_db)["dbname"]))
    doc = cli("report", "-o", "-", "--format", "json", "--no-drift", "--what-if", "0",
              "--replica", loaded_standby_db, url=primary).json()
    indexes = next(s for s in doc["sections"] if s["key"] == "indexes")
    assert any(note.startswith("scans summed over 2 servers") for note in indexes["notes"])


# -- the command line ---------------------------------------------------------------------------
def test_the_format_comes_from_the_file_name(cli, report_url, tmp_path, bench_file) -> None:
    for name, start in (("r.html", "<!DOCTYPE html>"), ("r.md", "# Database report"),
                        ("r.json", "{")):
        out = tmp_path / name
        result = cli("report", "-o", str(out), "--no-drift", "--what-if", "0", "--bench-file",
                     str(bench_file), url=report_url)
        assert result.exit_code == 0, result.stderr
        assert result.stdout.startswith(f"wrote {out} (")
        assert out.read_text(encoding="utf-8").startswith(start)
    forced = tmp_path / "report.txt"
    result = cli("report", "-o", str(forced), "--format", "markdown", "--no-drift",
                 url=report_url)
    assert result.exit_code == 0 and forced.read_text(encoding="utf-8").startswith("# Database")


def test_min_stats_age_decides_the_unused_verdicts(cli, report_url) -> None:
    def review(age: str) -> dict[str, Any]:
        doc = cli("report", "-o", "-", "--format", "json", "--no-drift", "--what-if", "0",
                  "--min-stats-age", age, url=report_url).json()
        return next(s for s in doc["sections"] if s["key"] == "indexes")

    given = review("0")
    assert given["facts"]["unused_verdicts"] == "given"
    recs = given["tables"]["recommendations"]["rows"]
    assert any(r["target"] == "hr.never_used" for r in recs)
    withheld = review("30d")
    assert withheld["facts"]["unused_verdicts"] == "withheld" and withheld["facts"]["unused"] == 0
    assert any("'unused' verdicts withheld" in note for note in withheld["notes"])


@pytest.mark.parametrize(("args", "message"), [
    (("-o", "report.txt"), "cannot tell the format of 'report.txt'"),
    (("-o", "-"), "cannot tell the format of '-'"),
    (("-o", "r.html", "--format", "pdf"), "--format must be one of html, markdown, json"),
    (("-o", "r.html", "--limit", "0"), "Invalid value for '--limit'"),
    (("-o", "r.html", "--min-stats-age", "soon"), "--min-stats-age: threshold"),
])
def test_bad_arguments_are_one_line_and_exit_2(cli, report_url, args, message) -> None:
    result = cli("report", *args, url=report_url)
    assert result.exit_code == 2
    assert message in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_failed_report_leaves_the_existing_file_alone(cli, report_url, tmp_path) -> None:
    out = tmp_path / "report.html"
    out.write_text("yesterday's report", encoding="utf-8")
    result = cli("report", "-o", str(out), url="postgresql://nobody@127.0.0.1:1/none")
    assert result.exit_code != 0
    assert result.stderr.startswith("musicdb: error: cannot connect")
    assert out.read_text(encoding="utf-8") == "yesterday's report"
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]
    missing = tmp_path / "no" / "such" / "folder" / "r.html"
    result = cli("report", "-o", str(missing), "--no-drift", "--what-if", "0", url=report_url)
    assert result.exit_code == 2 and not missing.exists()
    assert result.stderr.startswith(f"musicdb: error: cannot write {missing}: No such file")


# -- in a real browser ----------------------------------------------------------------------------
BROWSER_HINT = ("install Chromium to run the report's browser tests (Debian: apt-get install "
                "chromium; Playwright drives the system's browser, never its own)")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """The system's Chromium driven by Playwright (skipped, saying how to get one, when absent)."""
    import shutil

    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        pytest.skip(f"no chromium on PATH: {BROWSER_HINT}")
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="playwright is not installed: pip install -e '.[test]'"
    )
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=path)
        try:
            yield launched
        finally:
            launched.close()


def test_the_html_report_in_a_browser(browser, report_url, bench_file, tmp_path) -> None:
    result = rep.build_report(DatabaseTarget(report_url, "test"), thresholds=NO_AGE,
                              bench_file=bench_file, drift=False)
    path = tmp_path / "report.html"
    path.write_text(render(result, "html"), encoding="utf-8")
    page = browser.new_page()
    console: list[str] = []
    failures: list[str] = []
    requests: list[str] = []
    dialogs: list[str] = []
    page.on("console", lambda m: console.append(f"{m.type}: {m.text}"))
    page.on("pageerror", lambda e: failures.append(str(e)))
    page.on("request", lambda r: requests.append(r.url))
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(path.as_uri(), wait_until="load")
    for key in SECTIONS:
        assert page.locator(f"section#{key} > h2").is_visible(), key
    charts = page.locator("figure.chart svg").all()
    assert len(charts) == sum(len(s.charts) for s in result.sections) >= 5
    for chart in charts:
        box = chart.bounding_box()
        assert box is not None and box["width"] > 200 and box["height"] > 100, box
    bars = page.locator("figure[data-chart=table_sizes] svg rect.rect").all()
    drawn = [b for b in bars if (b.bounding_box() or {}).get("width", 0) > 1]
    assert len(drawn) >= len(result.section("tables").charts[0].labels)  # a heap bar each
    assert page.locator("figure[data-chart=bench_p95] svg path.line").count() >= 2
    # the planted names and texts are text on the page, and nothing of them ran
    body = page.locator("body").inner_text()
    assert HOSTILE_TABLE in body and "<img src=x onerror=alert(2)>" in body
    assert 'DROP INDEX CONCURRENTLY "hr"."dup ""<b>x</b>"" | idx"' in body
    assert page.evaluate("document.scripts.length") == 0
    assert page.locator("body img, body b, body i").count() == 0
    assert dialogs == [] and failures == [] and console == []
    assert requests == [path.as_uri()]  # the file itself, nothing more
    # it prints: the sections and charts stay in the printed page
    page.emulate_media(media="print")
    assert page.locator("figure.chart svg").first.bounding_box()["width"] > 200
    assert page.pdf(format="A4")[:4] == b"%PDF"
    page.close()
