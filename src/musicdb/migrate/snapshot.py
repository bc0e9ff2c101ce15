"""A normalised snapshot of the ``public`` schema, read from ``pg_catalog``, and a diff of two.

``migrate check`` compares the live database with a scratch database that the migrations
built from empty: both are snapshotted on the same server and :func:`diff` lists every
difference. One query per object kind, never one per object.

Objects that belong to an extension (``pg_stat_statements`` creates its functions and views in
``public``) are left out: they are not part of the schema the migrations own. Names that
PostgreSQL prints schema-qualified are normalised to unqualified names, whitespace is
collapsed, and nothing that varies between two equal schemas (OIDs, column numbers, physical
column order, statistics) is kept.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import psycopg

SCHEMA = "public"

KINDS = ("tables", "columns", "indexes", "constraints", "triggers", "functions", "views",
         "partitions")

PARTITIONS_SQL = """
SELECT c.relname, p.relname, pg_catalog.pg_get_partkeydef(p.oid)
FROM pg_catalog.pg_inherits AS i
JOIN pg_catalog.pg_class AS c ON c.oid = i.inhrelid
JOIN pg_catalog.pg_class AS p ON p.oid = i.inhparent
JOIN pg_catalog.pg_namespace AS n ON n.oid = p.relnamespace
WHERE n.nspname = %(schema)s AND p.relkind = 'p'
"""

# Every query leaves out objects that belong to an extension (pg_depend deptype 'e').
TABLES_SQL = """
SELECT c.relname, c.relkind::text, c.relpersistence::text
FROM pg_catalog.pg_class AS c
JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
WHERE n.nspname = %(schema)s AND c.relkind IN ('r', 'p')
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend AS d
                  WHERE d.classid = 'pg_catalog.pg_class'::regclass
                    AND d.objid = c.oid AND d.deptype = 'e')
"""

COLUMNS_SQL = """
SELECT c.relname, a.attname,
       pg_catalog.format_type(a.atttypid, a.atttypmod),
       a.attnotnull,
       CASE WHEN a.attgenerated = '' THEN pg_catalog.pg_get_expr(ad.adbin, ad.adrelid) END,
       a.attidentity::text,
       CASE WHEN a.attgenerated <> '' THEN pg_catalog.pg_get_expr(ad.adbin, ad.adrelid) END,
       a.attgenerated::text,
       co.collname
FROM pg_catalog.pg_attribute AS a
JOIN pg_catalog.pg_class AS c ON c.oid = a.attrelid
JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
LEFT JOIN pg_catalog.pg_attrdef AS ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
LEFT JOIN pg_catalog.pg_collation AS co
       ON co.oid = a.attcollation AND a.attcollation <> 0
      AND a.attcollation <> (SELECT t.typcollation FROM pg_catalog.pg_type AS t
                             WHERE t.oid = a.atttypid)
WHERE n.nspname = %(schema)s AND c.relkind IN ('r', 'p', 'v', 'm')
  AND a.attnum > 0 AND NOT a.attisdropped
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend AS d
                  WHERE d.classid = 'pg_catalog.pg_class'::regclass
                    AND d.objid = c.oid AND d.deptype = 'e')
"""

INDEXES_SQL = """
SELECT i.relname, c.relname, pg_catalog.pg_get_indexdef(x.indexrelid),
       x.indisvalid, x.indisunique, x.indisprimary
FROM pg_catalog.pg_index AS x
JOIN pg_catalog.pg_class AS i ON i.oid = x.indexrelid
JOIN pg_catalog.pg_class AS c ON c.oid = x.indrelid
JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
WHERE n.nspname = %(schema)s
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend AS d
                  WHERE d.classid = 'pg_catalog.pg_class'::regclass
                    AND d.objid = c.oid AND d.deptype = 'e')
"""

CONSTRAINTS_SQL = """
SELECT c.relname, k.conname, k.contype::text, pg_catalog.pg_get_constraintdef(k.oid),
       k.condeferrable, k.condeferred, k.convalidated
FROM pg_catalog.pg_constraint AS k
JOIN pg_catalog.pg_class AS c ON c.oid = k.conrelid
JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
WHERE n.nspname = %(schema)s AND k.contype <> 'n'
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend AS d
                  WHERE d.classid = 'pg_catalog.pg_class'::regclass
                    AND d.objid = c.oid AND d.deptype = 'e')
"""

TRIGGERS_SQL = """
SELECT c.relname, t.tgname, pg_catalog.pg_get_triggerdef(t.oid), t.tgenabled::text
FROM pg_catalog.pg_trigger AS t
JOIN pg_catalog.pg_class AS c ON c.oid = t.tgrelid
JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
WHERE n.nspname = %(schema)s AND NOT t.tgisinternal
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend AS d
                  WHERE d.classid = 'pg_catalog.pg_class'::regclass
                    AND d.objid = c.oid AND d.deptype = 'e')
"""

FUNCTIONS_SQL = """
SELECT p.proname || '(' || pg_catalog.pg_get_function_identity_arguments(p.oid) || ')',
       p.prokind::text, l.lanname, pg_catalog.pg_get_function_result(p.oid),
       p.provolatile::text, p.prosecdef, p.proconfig, p.prosrc
FROM pg_catalog.pg_proc AS p
JOIN pg_catalog.pg_namespace AS n ON n.oid = p.pronamespace
JOIN pg_catalog.pg_language AS l ON l.oid = p.prolang
WHERE n.nspname = %(schema)s
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend AS d
                  WHERE d.classid = 'pg_catalog.pg_proc'::regclass
                    AND d.objid = p.oid AND d.deptype = 'e')
"""

VIEWS_SQL = """
SELECT c.relname, c.relkind::text, pg_catalog.pg_get_viewdef(c.oid, true)
FROM pg_catalog.pg_class AS c
JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
WHERE n.nspname = %(schema)s AND c.relkind IN ('v', 'm')
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend AS d
                  WHERE d.classid = 'pg_catalog.pg_class'::regclass
                    AND d.objid = c.oid AND d.deptype = 'e')
"""

_RELKIND = {"r": "table", "p": "partitioned table", "v": "view", "m": "materialized view"}
_CONTYPE = {
    "p": "primary key",
    "u": "unique",
    "f": "foreign key",
    "c": "check",
    "x": "exclusion",
    "t": "trigger",
}
_VOLATILITY = {"i": "immutable", "s": "stable", "v": "volatile"}
_PROKIND = {"f": "function", "p": "procedure", "a": "aggregate", "w": "window"}
_WS = re.compile(r"\s+")


def normalise_sql(text: str | None, schema: str = SCHEMA) -> str | None:
    """Collapse whitespace and drop ``schema.`` qualifications PostgreSQL adds when the schema
    is not on the search_path (so the result does not depend on the session's search_path)."""
    if text is None:
        return None
    text = _WS.sub(" ", text).strip()
    # Only qualifications outside string literals: split on quotes, touch the even parts.
    parts = text.split("'")
    qualified = re.compile(rf'(?<![\w."]){re.escape(schema)}\.(?=["\w])')
    for i in range(0, len(parts), 2):
        parts[i] = qualified.sub("", parts[i])
    return "'".join(parts)


def _fetch(conn: psycopg.Connection[Any], sql: str, schema: str) -> list[tuple[Any, ...]]:
    with conn.cursor() as cur:
        cur.execute(sql, {"schema": schema})
        return cur.fetchall()


def snapshot(conn: psycopg.Connection[Any], schema: str = SCHEMA) -> dict[str, dict[str, Any]]:
    """Return ``{kind: {name: properties}}`` for the objects of ``schema``.

    ``conn`` is a psycopg 3 connection. Names are ``table`` for tables and views,
    ``table.column`` for columns, ``index`` for indexes (unique per schema),
    ``table.constraint`` and ``table.trigger`` (unique per table only), and
    ``function(argument types)`` for functions. Every value is JSON-serialisable.
    """
    snap: dict[str, dict[str, Any]] = {kind: {} for kind in KINDS}

    for name, relkind, persistence in _fetch(conn, TABLES_SQL, schema):
        snap["tables"][name] = {"kind": _RELKIND[relkind], "unlogged": persistence == "u"}

    for row in _fetch(conn, COLUMNS_SQL, schema):
        table, column, type_, notnull, default, identity, generated, gen_kind, coll = row
        snap["columns"][f"{table}.{column}"] = {
            "type": type_,
            "nullable": not notnull,
            "default": normalise_sql(default, schema),
            "identity": {"a": "always", "d": "by default"}.get(identity),
            "generated": normalise_sql(generated, schema) if gen_kind else None,
            "collation": coll,
        }

    for name, table, definition, valid, unique, primary in _fetch(conn, INDEXES_SQL, schema):
        snap["indexes"][name] = {
            "table": table,
            "definition": normalise_sql(definition, schema),
            "unique": unique,
            "primary": primary,
            "valid": valid,
        }

    for row in _fetch(conn, CONSTRAINTS_SQL, schema):
        table, name, contype, definition, deferrable, deferred, validated = row
        snap["constraints"][f"{table}.{name}"] = {
            "type": _CONTYPE.get(contype, contype),
            "definition": normalise_sql(definition, schema),
            "deferrable": deferrable,
            "initially_deferred": deferred,
            "validated": validated,
        }

    for table, name, definition, enabled in _fetch(conn, TRIGGERS_SQL, schema):
        snap["triggers"][f"{table}.{name}"] = {
            "definition": normalise_sql(definition, schema),
            "enabled": enabled,
        }

    for row in _fetch(conn, FUNCTIONS_SQL, schema):
        signature, prokind, language, result, volatility, secdef, config, source = row
        body = normalise_sql(source, schema) or ""
        snap["functions"][signature] = {
            "kind": _PROKIND.get(prokind, prokind),
            "language": language,
            "returns": normalise_sql(result, schema),
            "volatility": _VOLATILITY.get(volatility, volatility),
            "security_definer": secdef,
            "config": sorted(config) if config else [],
            "body_md5": hashlib.md5(body.encode(), usedforsecurity=False).hexdigest(),
        }

    for name, relkind, definition in _fetch(conn, VIEWS_SQL, schema):
        snap["views"][name] = {
            "kind": _RELKIND[relkind],
            "definition": normalise_sql(definition, schema),
        }

    _fold_partitions(snap, _fetch(conn, PARTITIONS_SQL, schema))
    return snap


def _shape(snap: dict[str, dict[str, Any]], table: str, pop: bool) -> dict[str, Any]:
    """What a partition must share with its parent, free of the names the partitions vary in
    (partition, index and primary key names): column types, index and constraint definitions,
    triggers. With *pop* the table's entries leave *snap*."""
    shape: dict[str, Any] = {"columns": {}, "indexes": [], "constraints": [], "triggers": []}
    for kind in ("columns", "constraints", "triggers"):
        for name in [n for n in snap[kind] if n.split(".", 1)[0] == table]:
            props = snap[kind].pop(name) if pop else snap[kind][name]
            short = name.split(".", 1)[1]
            if kind == "columns":
                shape[kind][short] = {k: props[k] for k in ("type", "nullable", "generated",
                                                            "collation")}
            elif kind == "constraints":
                shape[kind].append([props["type"], props["definition"], props["validated"]])
            else:
                shape[kind].append([short, props["definition"].replace(f" ON {table} ", " ON ")])
    for name in [n for n, p in snap["indexes"].items() if p["table"] == table]:
        props = snap["indexes"].pop(name) if pop else snap["indexes"][name]
        definition = (props["definition"] or "").split(" USING ", 1)[-1]
        shape["indexes"].append([definition, props["unique"], props["primary"], props["valid"]])
    for kind in ("indexes", "constraints", "triggers"):
        shape[kind].sort()
    return shape


def _fold_partitions(snap: dict[str, dict[str, Any]], rows: list[tuple[Any, ...]]) -> None:
    """Partitions come and go (premade, retired months): they are not objects of the schema.
    Each is checked against its parent instead; ``partitions`` lists the partitions that differ
    (a hand-made index, column or constraint), so a difference in any of them is still drift."""
    for child, parent, key in sorted(rows):
        snap["tables"].pop(child, None)
        if parent in snap["tables"]:
            snap["tables"][parent]["partition_key"] = key
        mine = _shape(snap, child, pop=True)
        theirs = _shape(snap, parent, pop=False)
        differs = {k: mine[k] for k in mine if mine[k] != theirs[k]}
        if differs:
            snap["partitions"][child] = {"parent": parent, "differs_from_parent_in": differs}


@dataclass(frozen=True)
class Difference:
    """One object that differs: ``change`` is ``missing`` (expected, not in the live
    database), ``extra`` (live only) or ``changed`` (both, with different properties)."""

    kind: str
    name: str
    change: str
    expected: Any = None
    actual: Any = None

    def changed_fields(self) -> dict[str, tuple[Any, Any]]:
        if not (isinstance(self.expected, dict) and isinstance(self.actual, dict)):
            return {}
        keys = sorted(set(self.expected) | set(self.actual))
        return {
            k: (self.expected.get(k), self.actual.get(k))
            for k in keys
            if self.expected.get(k) != self.actual.get(k)
        }

    def __str__(self) -> str:
        singular = self.kind[:-1] if self.kind.endswith("s") else self.kind
        head = f"{singular} {self.name}: {self.change}"
        if self.change != "changed":
            return head
        fields = self.changed_fields()
        if not fields:
            return f"{head} (expected {self.expected!r}, actual {self.actual!r})"
        detail = "; ".join(f"{k} expected {e!r}, actual {a!r}" for k, (e, a) in fields.items())
        return f"{head} ({detail})"


def diff(
    expected: dict[str, dict[str, Any]],
    actual: dict[str, dict[str, Any]],
    ignore: tuple[str, ...] = (),
) -> list[Difference]:
    """Every difference between two snapshots, sorted by kind then name.

    ``ignore`` lists table names whose objects (the table, its columns, indexes,
    constraints and triggers) are left out, e.g. ``("alembic_version",)``.
    """

    def skipped(kind: str, name: str, props: Any) -> bool:
        if not ignore:
            return False
        if kind in ("tables", "views"):
            return name in ignore
        if kind == "indexes":
            return isinstance(props, dict) and props.get("table") in ignore
        if kind in ("columns", "constraints", "triggers"):
            return name.split(".", 1)[0] in ignore
        return False

    differences: list[Difference] = []
    for kind in sorted(set(expected) | set(actual), key=_kind_order):
        exp = expected.get(kind, {})
        act = actual.get(kind, {})
        for name in sorted(set(exp) | set(act)):
            if name not in act:
                if not skipped(kind, name, exp[name]):
                    differences.append(Difference(kind, name, "missing", exp[name], None))
            elif name not in exp:
                if not skipped(kind, name, act[name]):
                    differences.append(Difference(kind, name, "extra", None, act[name]))
            elif exp[name] != act[name] and not skipped(kind, name, exp[name]):
                differences.append(Difference(kind, name, "changed", exp[name], act[name]))
    return differences


def _kind_order(kind: str) -> tuple[int, str]:
    return (KINDS.index(kind) if kind in KINDS else len(KINDS), kind)
