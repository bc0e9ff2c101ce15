-- analyze-indexes: every index outside the system schemas, its usage counters, size and verdicts.
-- Counters come straight from pg_stat_get_*() (the pg_stat_user_indexes view would join the same
-- catalogs a second time). Before PostgreSQL 16 there is no last-scan time (see the .pg16 variant).
WITH idx AS MATERIALIZED (
  SELECT i.indexrelid, i.indrelid, n.nspname AS schema_name, t.relname AS table_name,
         c.relname AS index_name, c.relpages, i.indisprimary, i.indisunique, i.indisexclusion,
         i.indisvalid, i.indkey::text AS all_keys,
         (i.indkey::int2[])[0:i.indnkeyatts - 1] AS keys,
         (i.indclass::oid[])[0:i.indnkeyatts - 1] AS classes,
         (i.indcollation::oid[])[0:i.indnkeyatts - 1] AS collations,
         (i.indoption::int2[])[0:i.indnkeyatts - 1] AS options,
         c.relam, pg_get_expr(i.indexprs, i.indrelid) AS exprs,
         pg_get_expr(i.indpred, i.indrelid) AS pred,
         -- may be made redundant by a longer index: a plain valid btree without INCLUDE columns
         (i.indisvalid AND NOT i.indisunique AND i.indnatts = i.indnkeyatts AND i.indexprs IS NULL
          AND i.indpred IS NULL AND c.relam = 403) AS may_be_prefix,
         -- may make a shorter index redundant: a valid btree on plain columns
         (i.indisvalid AND i.indexprs IS NULL AND i.indpred IS NULL AND c.relam = 403) AS may_cover
  FROM pg_index i
  JOIN pg_class c ON c.oid = i.indexrelid
  JOIN pg_class t ON t.oid = i.indrelid
  JOIN pg_namespace n ON n.oid = t.relnamespace
  WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
    AND n.nspname !~ '^pg_toast'
    AND (%(schema)s::text IS NULL OR n.nspname = %(schema)s::text)
),
-- Exact duplicates: same table, access method, columns (key and INCLUDE), operator classes,
-- collations, sort options, expressions and predicate. The one to keep comes first: primary key,
-- unique, then the oldest (lowest oid). Invalid indexes are never compared (the planner skips them).
dup AS (
  SELECT indexrelid,
         row_number() OVER w AS dup_rank,
         first_value(index_name) OVER w AS dup_of
  FROM idx
  WHERE indisvalid
  WINDOW w AS (PARTITION BY indrelid, relam, all_keys, classes, collations, options,
                            coalesce(exprs, ''), coalesce(pred, '')
               ORDER BY indisprimary DESC, indisunique DESC, indexrelid)
),
-- Left-prefix redundancy (btree, 403 = BTREE_AM_OID): a plain, non-unique index whose key columns
-- are a strict left prefix of another index's key columns, with the same operator classes,
-- collations and sort options. The join is on the table and the leading column (hashable).
prefix AS (
  SELECT a.indexrelid, min(b.index_name) AS covered_by
  FROM idx a
  JOIN idx b ON b.indrelid = a.indrelid AND b.keys[1] = a.keys[1]
  WHERE a.may_be_prefix AND b.may_cover
    AND cardinality(a.keys) < cardinality(b.keys)
    AND a.keys = b.keys[1:cardinality(a.keys)]
    AND a.classes = b.classes[1:cardinality(a.keys)]
    AND a.collations = b.collations[1:cardinality(a.keys)]
    AND a.options = b.options[1:cardinality(a.keys)]
  GROUP BY a.indexrelid
),
-- Indexes that back a foreign key: their leading key columns are exactly the FK's columns (in any
-- order). Such an index serves deletes and updates on the referenced table: never "unused".
fk AS (
  SELECT DISTINCT x.indexrelid
  FROM pg_constraint f
  JOIN idx x ON x.indrelid = f.conrelid
  WHERE f.contype = 'f'
    AND x.keys[1:cardinality(f.conkey)] @> f.conkey
    AND x.keys[1:cardinality(f.conkey)] <@ f.conkey
)
SELECT x.schema_name, x.table_name, x.index_name,
       CASE WHEN x.indisprimary THEN 'primary key'
            WHEN x.indisexclusion THEN 'exclusion'
            WHEN x.indisunique THEN 'unique'
            WHEN fk.indexrelid IS NOT NULL THEN 'foreign key'
            ELSE '' END AS role,
       x.indisvalid AS valid,
       pg_stat_get_numscans(x.indexrelid) AS scans,
       pg_stat_get_tuples_returned(x.indexrelid) AS tuples_read,
       pg_stat_get_tuples_fetched(x.indexrelid) AS tuples_fetched,
       NULL::timestamptz AS last_scan,
       CASE WHEN %(exact_sizes)s THEN pg_relation_size(x.indexrelid)
            ELSE x.relpages::bigint * current_setting('block_size')::bigint END AS size_bytes,
       CASE WHEN dup.dup_rank > 1 THEN dup.dup_of END AS duplicate_of,
       prefix.covered_by AS prefix_of,
       (fk.indexrelid IS NOT NULL) AS backs_fk
FROM idx x
LEFT JOIN dup ON dup.indexrelid = x.indexrelid
LEFT JOIN prefix ON prefix.indexrelid = x.indexrelid
LEFT JOIN fk ON fk.indexrelid = x.indexrelid
ORDER BY x.schema_name, x.table_name, x.index_name
