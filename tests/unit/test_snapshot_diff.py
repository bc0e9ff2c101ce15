"""The catalog snapshot diff on hand-made snapshots (what ``migrate check`` reports as drift)."""

from __future__ import annotations

from musicdb.migrate.snapshot import Difference, diff, normalise_sql

EXPECTED = {
    "tables": {"users": {"kind": "table"}, "tracks": {"kind": "table"}},
    "columns": {"users.id": {"type": "bigint", "nullable": False},
                "users.email": {"type": "text", "nullable": False}},
    "indexes": {"users_email_key": {"table": "users", "definition": "UNIQUE (email)"}},
}


def _actual() -> dict:
    return {
        "tables": {"users": {"kind": "table"}, "alembic_version": {"kind": "table"}},
        "columns": {"users.id": {"type": "bigint", "nullable": False},
                    "users.email": {"type": "character varying", "nullable": True},
                    "alembic_version.version_num": {"type": "text", "nullable": False}},
        "indexes": {"users_email_key": {"table": "users", "definition": "UNIQUE (email)"},
                    "alembic_version_pkc": {"table": "alembic_version", "definition": "x"}},
    }


def test_identical_snapshots_have_no_difference() -> None:
    assert diff(EXPECTED, EXPECTED) == []


def test_missing_extra_and_changed_objects_in_kind_then_name_order() -> None:
    found = diff(EXPECTED, _actual())
    assert [(d.kind, d.name, d.change) for d in found] == [
        ("tables", "alembic_version", "extra"),
        ("tables", "tracks", "missing"),
        ("columns", "alembic_version.version_num", "extra"),
        ("columns", "users.email", "changed"),
        ("indexes", "alembic_version_pkc", "extra"),
    ]
    changed = found[3]
    assert changed.changed_fields() == {"nullable": (False, True),
                                        "type": ("text", "character varying")}
    assert str(changed) == (
        "column users.email: changed (nullable expected False, actual True; "
        "type expected 'text', actual 'character varying')"
    )
    assert str(found[1]) == "table tracks: missing"


def test_ignored_tables_leave_out_their_columns_and_indexes() -> None:
    found = diff(EXPECTED, _actual(), ignore=("alembic_version",))
    assert [(d.kind, d.name) for d in found] == [("tables", "tracks"), ("columns", "users.email")]


def test_a_changed_scalar_is_shown_whole() -> None:
    difference = Difference("functions", "f()", "changed", "sql", "plpgsql")
    assert difference.changed_fields() == {}
    assert str(difference) == "function f(): changed (expected 'sql', actual 'plpgsql')"


def test_normalise_sql_drops_schema_qualification_outside_literals() -> None:
    text = "SELECT  public.f(x)\n FROM public.t WHERE note = 'public.t'  AND \"public\".y"
    assert normalise_sql(text) == (
        "SELECT f(x) FROM t WHERE note = 'public.t' AND \"public\".y"
    )
    assert normalise_sql(None) is None
    assert normalise_sql("SELECT app.t.x FROM app.t", schema="app") == "SELECT t.x FROM t"
