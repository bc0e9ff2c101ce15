-- analyze-indexes: every index outside the system schemas, its usage counters, size and verdicts.
-- Counters come straight from pg_stat_get_*(); PostgreSQL 16 added the time of the last scan.
-- (the pg_stat_user_indexes view would join the same catalogs a second time).
--
-- How it stays fast on tens of thousands of indexes: the catalog arrays are compared as arrays (no
-- pg_get_indexdef() per index), and the verdicts that compare indexes with each other look only at
-- the candidates: valid indexes that share their table and leading column with another valid index
-- (one hash aggregate over pg_index). Exact duplicates and left prefixes always share both.
WITH cand AS MATERIALIZED (
  -- Expressions and predicates are compared by their deparsed text: pg_get_expr() is strict, so
  -- only indexes that have them pay for it.
  SELECT i.indexrelid, i.indrelid, c.relname AS index_name, c.relam, i.indisprimary, i.indisunique,
         i.indnatts, i.indnkeyatts,
         (i.indkey::int2[])[0:] AS cols, (i.indclass::oid[])[0:] AS classes,
         (i.indcollation::oid[])[0:] AS collations, (i.indoption::int2[])[0:] AS options,
         pg_get_expr(i.indexprs, i.indrelid) AS exprs, pg_get_expr(i.indpred, i.indrelid) AS pred
  FROM pg_index i
  JOIN pg_class c ON c.oid = i.indexrelid
  WHERE i.indisvalid
    AND (i.indrelid, i.indkey[0]) IN (SELECT indrelid, indkey[0] FROM pg_index WHERE indisvalid
                                      GROUP BY 1, 2 HAVING count(*) > 1)
    AND (%(schema)s::text IS NULL
         OR c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = %(schema)s::text))
),
-- Exact duplicates: same table, access method, columns (key and INCLUDE), operator classes,
-- collations, sort options, expressions and predicate. The one to keep comes first: primary key,
-- unique, then the oldest (lowest oid). Invalid indexes are never compared (the planner skips them).
dup AS (
  SELECT indexrelid,
         first_value(index_name) OVER w AS keep, row_number() OVER w AS rank
  FROM cand
  WINDOW w AS (PARTITION BY indrelid, relam, indnkeyatts, cols, classes, collations, options,
                            exprs, pred
               ORDER BY indisprimary DESC, indisunique DESC, indexrelid)
),
-- Left-prefix redundancy (btree, 403 = BTREE_AM_OID): a plain, non-unique index whose key columns
-- are a strict left prefix of another valid index's key columns, with the same operator classes
-- (hence the same access method), collations and sort options. One index lookup per candidate.
prefix AS (
  SELECT a.indexrelid,
         (SELECT min(bc.relname)
          FROM pg_index b
          JOIN pg_class bc ON bc.oid = b.indexrelid
          WHERE b.indrelid = a.indrelid AND b.indisvalid
            AND b.indexprs IS NULL AND b.indpred IS NULL
            AND cardinality(a.cols) < b.indnkeyatts
            AND (b.indkey::int2[])[0:cardinality(a.cols) - 1] = a.cols
            AND (b.indclass::oid[])[0:cardinality(a.cols) - 1] = a.classes
            AND (b.indcollation::oid[])[0:cardinality(a.cols) - 1] = a.collations
            AND (b.indoption::int2[])[0:cardinality(a.cols) - 1] = a.options) AS covered_by
  FROM cand a
  WHERE a.relam = 403 AND NOT a.indisunique AND a.indnatts = a.indnkeyatts
    AND a.exprs IS NULL AND a.pred IS NULL
),
-- Indexes that back a foreign key: their leading key columns are exactly the FK's columns (in any
-- order). Such an index serves deletes and updates on the referenced table: never "unused".
fk AS (
  SELECT DISTINCT i.indexrelid
  FROM pg_constraint f
  JOIN pg_index i ON i.indrelid = f.conrelid
  WHERE f.contype = 'f'
    AND cardinality(f.conkey) <= i.indnkeyatts
    AND (i.indkey::int2[])[0:cardinality(f.conkey) - 1] @> f.conkey
    AND (i.indkey::int2[])[0:cardinality(f.conkey) - 1] <@ f.conkey
)
SELECT n.nspname AS schema_name, t.relname AS table_name, c.relname AS index_name,
       CASE WHEN i.indisprimary THEN 'primary key'
            WHEN i.indisexclusion THEN 'exclusion'
            WHEN i.indisunique THEN 'unique'
            WHEN fk.indexrelid IS NOT NULL THEN 'foreign key'
            ELSE '' END AS role,
       i.indisvalid AS valid,
       -- a partitioned index has no counters of its own: its partitions' scans, summed
       CASE WHEN c.relkind = 'I' THEN (SELECT coalesce(sum(pg_stat_get_numscans(p.inhrelid)), 0)
                                       FROM pg_inherits p WHERE p.inhparent = i.indexrelid)::bigint
            ELSE pg_stat_get_numscans(i.indexrelid) END AS scans,
       pg_stat_get_tuples_returned(i.indexrelid) AS tuples_read,
       pg_stat_get_tuples_fetched(i.indexrelid) AS tuples_fetched,
       pg_stat_get_lastscan(i.indexrelid) AS last_scan,
       CASE WHEN %(exact_sizes)s THEN pg_relation_size(i.indexrelid)
            ELSE c.relpages::bigint * current_setting('block_size')::bigint END AS size_bytes,
       CASE WHEN dup.rank > 1 THEN dup.keep END AS duplicate_of,
       prefix.covered_by AS prefix_of,
       (fk.indexrelid IS NOT NULL) AS backs_fk,
       -- one partition's index: judged as part of its partitioned index, not on its own
       c.relispartition AS is_partition
FROM pg_index i
JOIN pg_class c ON c.oid = i.indexrelid
JOIN pg_class t ON t.oid = i.indrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN dup ON dup.indexrelid = i.indexrelid
LEFT JOIN prefix ON prefix.indexrelid = i.indexrelid
LEFT JOIN fk ON fk.indexrelid = i.indexrelid
WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname !~ '^pg_toast'
  AND (%(schema)s::text IS NULL OR n.nspname = %(schema)s::text)
  AND t.relkind IN ('r', 'm', 'p')
ORDER BY n.nspname, t.relname, c.relname
