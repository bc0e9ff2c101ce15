-- table-stats, part 1: per table sizes, live/dead rows against the table's own autovacuum threshold
-- and the last (auto)vacuum/analyze, the largest first; part 2 (table_widths*.sql) adds what the
-- bloat estimate needs for the tables shown.
--
-- Sizes: by default from pg_class.relpages (kept by VACUUM, ANALYZE, CREATE INDEX), which needs no
-- file access; exact_sizes asks pg_table_size()/pg_indexes_size(), which open every relation.
-- Index pages are summed once for every relation (one hash aggregate over pg_index, used for the
-- tables and their TOAST tables); counters and thresholds are computed for the tables shown only
-- (after the LIMIT).
-- The dead-row threshold is autovacuum's: threshold + scale_factor * reltuples, with the table's
-- own storage parameters first; PostgreSQL 18 caps it at autovacuum_vacuum_max_threshold
-- (-1 = no cap).
WITH t AS MATERIALIZED (
  SELECT c.oid, n.nspname AS schema_name, c.relname AS table_name, c.relpages, c.reltuples,
         c.reltoastrelid, c.reloptions
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'm')
    AND n.nspname NOT IN ('pg_catalog', 'information_schema')
    AND n.nspname !~ '^pg_toast'
    AND (%(schema)s::text IS NULL OR n.nspname = %(schema)s::text)
),
ipages AS MATERIALIZED (
  SELECT i.indrelid, sum(c.relpages)::bigint AS pages
  FROM pg_index i
  JOIN pg_class c ON c.oid = i.indexrelid
  GROUP BY i.indrelid
),
shown AS (
  SELECT t.*, coalesce(ip.pages, 0) AS index_pages,
         coalesce(tc.relpages, 0) + coalesce(tp.pages, 0) AS toast_pages,
         count(*) OVER () AS total_tables
  FROM t
  LEFT JOIN ipages ip ON ip.indrelid = t.oid
  LEFT JOIN pg_class tc ON tc.oid = t.reltoastrelid
  LEFT JOIN ipages tp ON tp.indrelid = t.reltoastrelid
  ORDER BY t.relpages + coalesce(ip.pages, 0) + coalesce(tc.relpages, 0) + coalesce(tp.pages, 0)
           DESC, t.schema_name, t.table_name
  LIMIT %(limit)s
),
base AS (
  SELECT s.*, current_setting('block_size')::bigint AS bs,
         array_to_string(s.reloptions, ',') AS opts,
         has_table_privilege(s.oid, 'SELECT') AS can_select,
         pg_stat_get_live_tuples(s.oid) AS live_rows,
         pg_stat_get_dead_tuples(s.oid) AS dead_rows,
         pg_stat_get_mod_since_analyze(s.oid) AS mod_since_analyze,
         pg_stat_get_last_vacuum_time(s.oid) AS last_vacuum,
         pg_stat_get_last_autovacuum_time(s.oid) AS last_autovacuum,
         pg_stat_get_last_analyze_time(s.oid) AS last_analyze,
         pg_stat_get_last_autoanalyze_time(s.oid) AS last_autoanalyze
  FROM shown s
),
th AS (
  SELECT b.*,
         coalesce(substring(b.opts FROM '(?:^|,)fillfactor=([^,]+)')::float8, 100) AS fillfactor,
         coalesce(substring(b.opts FROM '(?:^|,)autovacuum_vacuum_threshold=([^,]+)')::float8,
                  current_setting('autovacuum_vacuum_threshold')::float8)
         + coalesce(substring(b.opts FROM '(?:^|,)autovacuum_vacuum_scale_factor=([^,]+)')::float8,
                    current_setting('autovacuum_vacuum_scale_factor')::float8)
           * greatest(b.reltuples, 0) AS vacuum_base_threshold,
         coalesce(substring(b.opts FROM '(?:^|,)autovacuum_vacuum_max_threshold=([^,]+)')::float8,
                  current_setting('autovacuum_vacuum_max_threshold')::float8) AS vacuum_max_threshold,
         coalesce(substring(b.opts FROM '(?:^|,)autovacuum_analyze_threshold=([^,]+)')::float8,
                  current_setting('autovacuum_analyze_threshold')::float8)
         + coalesce(substring(b.opts FROM '(?:^|,)autovacuum_analyze_scale_factor=([^,]+)')::float8,
                    current_setting('autovacuum_analyze_scale_factor')::float8)
           * greatest(b.reltuples, 0) AS analyze_threshold
  FROM base b
),
capped AS (
  SELECT th.*, CASE WHEN th.vacuum_max_threshold < 0 THEN th.vacuum_base_threshold
                    ELSE least(th.vacuum_base_threshold, th.vacuum_max_threshold) END
                 AS vacuum_threshold
  FROM th
)
SELECT e.oid, e.schema_name, e.table_name, e.relpages, e.reltuples, e.bs, e.can_select,
       CASE WHEN %(exact_sizes)s THEN pg_table_size(e.oid)
              - CASE WHEN e.reltoastrelid <> 0 THEN pg_total_relation_size(e.reltoastrelid) ELSE 0 END
            ELSE e.relpages::bigint * e.bs END AS heap_bytes,
       CASE WHEN %(exact_sizes)s THEN pg_indexes_size(e.oid)
            ELSE e.index_pages * e.bs END AS index_bytes,
       CASE WHEN %(exact_sizes)s AND e.reltoastrelid <> 0
              THEN pg_total_relation_size(e.reltoastrelid)
            WHEN %(exact_sizes)s THEN 0
            ELSE e.toast_pages * e.bs END AS toast_bytes,
       e.relpages::bigint * e.bs AS heap_stats_bytes,
       e.live_rows, e.dead_rows, round(e.vacuum_threshold)::bigint AS dead_threshold,
       e.dead_rows / greatest(e.vacuum_threshold, 1) AS dead_vs_threshold,
       e.mod_since_analyze, e.analyze_threshold, e.fillfactor,
       e.last_vacuum, e.last_autovacuum, e.last_analyze, e.last_autoanalyze, e.total_tables
FROM capped e
ORDER BY e.relpages + e.index_pages + e.toast_pages DESC, e.schema_name, e.table_name
