-- analyze-indexes --replica: the scans of every index outside the system schemas on one server
-- (a replica's own counters), matched to the primary's indexes by schema and name.
SELECT n.nspname AS schema_name, c.relname AS index_name,
       CASE WHEN c.relkind = 'I' THEN (SELECT coalesce(sum(pg_stat_get_numscans(p.inhrelid)), 0)
                                       FROM pg_inherits p WHERE p.inhparent = c.oid)::bigint
            ELSE pg_stat_get_numscans(c.oid) END AS scans
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('i', 'I')
  AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_toast'
