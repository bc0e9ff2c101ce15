-- missing-indexes, part 2: tables where sequential scans dominate and read many rows: at least
-- min_rows rows (by the planner's estimate), more sequential than index scans, and on average at
-- least min_rows rows read per sequential scan.
SELECT n.nspname AS schema_name, c.relname AS table_name,
       pg_stat_get_numscans(c.oid) AS seq_scans,
       pg_stat_get_tuples_returned(c.oid) AS seq_rows_read,
       idx.scans AS idx_scans,
       greatest(c.reltuples, 0)::bigint AS table_rows,
       c.relpages::bigint * current_setting('block_size')::bigint AS table_bytes
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN LATERAL (
  SELECT sum(pg_stat_get_numscans(i.indexrelid))::bigint AS scans
  FROM pg_index i WHERE i.indrelid = c.oid
) idx ON true
WHERE c.relkind IN ('r', 'm')
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname !~ '^pg_toast'
  AND (%(schema)s::text IS NULL OR n.nspname = %(schema)s::text)
  AND c.reltuples >= %(min_rows)s
  AND pg_stat_get_numscans(c.oid) > 0
  AND pg_stat_get_numscans(c.oid) > coalesce(idx.scans, 0)
  AND pg_stat_get_tuples_returned(c.oid) / pg_stat_get_numscans(c.oid) >= %(min_rows)s
ORDER BY pg_stat_get_tuples_returned(c.oid) DESC
