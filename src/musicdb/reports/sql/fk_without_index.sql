-- missing-indexes, part 1: foreign keys whose columns no valid, non-partial index leads (in any
-- order). Without one, every DELETE or key UPDATE on the referenced table scans this table.
-- pg_catalog only, no per-object loop: a semi-join of pg_constraint with pg_index on the table.
SELECT n.nspname AS schema_name, t.relname AS table_name, f.conname AS constraint_name,
       array(SELECT a.attname::text
             FROM unnest(f.conkey) WITH ORDINALITY AS k(attnum, ord)
             JOIN pg_attribute a ON a.attrelid = f.conrelid AND a.attnum = k.attnum
             ORDER BY k.ord) AS columns,
       rn.nspname AS referenced_schema, r.relname AS referenced_table,
       t.relpages::bigint * current_setting('block_size')::bigint AS table_bytes,
       greatest(t.reltuples, 0)::bigint AS table_rows
FROM pg_constraint f
JOIN pg_class t ON t.oid = f.conrelid
JOIN pg_namespace n ON n.oid = t.relnamespace
JOIN pg_class r ON r.oid = f.confrelid
JOIN pg_namespace rn ON rn.oid = r.relnamespace
WHERE f.contype = 'f'
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND (%(schema)s::text IS NULL OR n.nspname = %(schema)s::text)
  AND NOT EXISTS (
    SELECT 1
    FROM pg_index i
    WHERE i.indrelid = f.conrelid
      AND i.indisvalid
      AND i.indpred IS NULL
      AND (i.indkey::int2[])[0:cardinality(f.conkey) - 1] @> f.conkey
      AND (i.indkey::int2[])[0:cardinality(f.conkey) - 1] <@ f.conkey
  )
ORDER BY n.nspname, t.relname, f.conname
