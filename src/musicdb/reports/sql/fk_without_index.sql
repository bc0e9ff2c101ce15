-- missing-indexes, part 1: foreign keys whose columns no valid, non-partial index leads (in any
-- order). Without one, every DELETE or key UPDATE on the referenced table scans this table.
-- pg_catalog only: the anti-join of pg_constraint with pg_index runs first (an index lookup per
-- foreign key), names are looked up for the foreign keys found only.
WITH fk AS MATERIALIZED (
  SELECT f.conrelid, f.confrelid, f.conname, f.conkey
  FROM pg_constraint f
  WHERE f.contype = 'f'
    AND NOT EXISTS (
      SELECT 1
      FROM pg_index i
      WHERE i.indrelid = f.conrelid
        AND i.indisvalid
        AND i.indpred IS NULL
        AND (i.indkey::int2[])[0:cardinality(f.conkey) - 1] @> f.conkey
        AND (i.indkey::int2[])[0:cardinality(f.conkey) - 1] <@ f.conkey
    )
)
SELECT n.nspname AS schema_name, t.relname AS table_name, fk.conname AS constraint_name,
       array(SELECT a.attname::text
             FROM pg_attribute a
             WHERE a.attrelid = fk.conrelid AND a.attnum = ANY (fk.conkey)
             ORDER BY array_position(fk.conkey, a.attnum)) AS columns,
       rn.nspname AS referenced_schema, r.relname AS referenced_table,
       t.relpages::bigint * current_setting('block_size')::bigint AS table_bytes,
       greatest(t.reltuples, 0)::bigint AS table_rows
FROM fk
JOIN pg_class t ON t.oid = fk.conrelid
JOIN pg_namespace n ON n.oid = t.relnamespace
JOIN pg_class r ON r.oid = fk.confrelid
JOIN pg_namespace rn ON rn.oid = r.relnamespace
WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND (%(schema)s::text IS NULL OR n.nspname = %(schema)s::text)
ORDER BY n.nspname, t.relname, fk.conname
