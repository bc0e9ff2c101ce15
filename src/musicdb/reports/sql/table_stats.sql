-- table-stats: per table sizes, live/dead rows against the table's own autovacuum threshold, a
-- statistical bloat estimate and the last (auto)vacuum/analyze.
--
-- Sizes: by default from pg_class.relpages (kept by VACUUM, ANALYZE, CREATE INDEX), which needs no
-- file access; exact_sizes asks pg_table_size()/pg_indexes_size(), which open every relation.
-- Bloat: the expected heap pages from pg_stats (average width and NULL fraction per column, one
-- aggregate over pg_stats, no correlated subquery) against relpages; NULL when the statistics are
-- missing (never analyzed, no SELECT privilege: pg_stats hides them), or stale (more rows changed
-- since the last ANALYZE than autovacuum's analyze threshold).
-- The dead-row threshold is autovacuum's: threshold + scale_factor * reltuples, with the table's
-- own storage parameters first (PostgreSQL 18 caps it: see the .pg18 variant).
WITH t AS MATERIALIZED (
  SELECT c.oid, n.nspname AS schema_name, c.relname AS table_name, c.relpages,
         c.reltuples, c.reltoastrelid, array_to_string(c.reloptions, ',') AS opts,
         has_table_privilege(c.oid, 'SELECT') AS can_select
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'm')
    AND n.nspname NOT IN ('pg_catalog', 'information_schema')
    AND n.nspname !~ '^pg_toast'
    AND (%(schema)s::text IS NULL OR n.nspname = %(schema)s::text)
),
idx AS (
  SELECT i.indrelid, sum(c.relpages)::bigint AS pages
  FROM pg_index i
  JOIN pg_class c ON c.oid = i.indexrelid
  WHERE i.indrelid IN (SELECT oid FROM t)
  GROUP BY i.indrelid
),
toast AS (
  SELECT tc.oid, (tc.relpages + coalesce(sum(ti.relpages), 0))::bigint AS pages
  FROM pg_class tc
  LEFT JOIN pg_index i ON i.indrelid = tc.oid
  LEFT JOIN pg_class ti ON ti.oid = i.indexrelid
  WHERE tc.oid IN (SELECT reltoastrelid FROM t WHERE reltoastrelid <> 0)
  GROUP BY tc.oid, tc.relpages
),
ncols AS (
  SELECT a.attrelid, count(*) AS ncols
  FROM pg_attribute a
  WHERE a.attrelid IN (SELECT oid FROM t) AND a.attnum > 0 AND NOT a.attisdropped
  GROUP BY a.attrelid
),
st AS (
  SELECT s.schemaname, s.tablename, count(*) AS ncols,
         sum((1 - s.null_frac) * s.avg_width) AS data_width,
         max(s.null_frac) AS max_null_frac
  FROM pg_stats s
  WHERE NOT s.inherited
    AND s.schemaname NOT IN ('pg_catalog', 'information_schema')
    AND s.schemaname !~ '^pg_toast'
    AND (%(schema)s::text IS NULL OR s.schemaname = %(schema)s::text)
  GROUP BY s.schemaname, s.tablename
),
base AS (
  SELECT t.*, current_setting('block_size')::bigint AS bs,
         pg_stat_get_live_tuples(t.oid) AS live_rows,
         pg_stat_get_dead_tuples(t.oid) AS dead_rows,
         pg_stat_get_mod_since_analyze(t.oid) AS mod_since_analyze,
         pg_stat_get_last_vacuum_time(t.oid) AS last_vacuum,
         pg_stat_get_last_autovacuum_time(t.oid) AS last_autovacuum,
         pg_stat_get_last_analyze_time(t.oid) AS last_analyze,
         pg_stat_get_last_autoanalyze_time(t.oid) AS last_autoanalyze,
         coalesce(idx.pages, 0) AS index_pages, coalesce(toast.pages, 0) AS toast_pages,
         ncols.ncols, st.ncols AS ncols_with_stats, st.data_width, st.max_null_frac,
         coalesce(substring(t.opts FROM '(?:^|,)fillfactor=([^,]+)')::float8, 100) AS fillfactor,
         coalesce(substring(t.opts FROM '(?:^|,)autovacuum_vacuum_threshold=([^,]+)')::float8,
                  current_setting('autovacuum_vacuum_threshold')::float8)
         + coalesce(substring(t.opts FROM '(?:^|,)autovacuum_vacuum_scale_factor=([^,]+)')::float8,
                    current_setting('autovacuum_vacuum_scale_factor')::float8)
           * greatest(t.reltuples, 0) AS vacuum_threshold,
         coalesce(substring(t.opts FROM '(?:^|,)autovacuum_analyze_threshold=([^,]+)')::float8,
                  current_setting('autovacuum_analyze_threshold')::float8)
         + coalesce(substring(t.opts FROM '(?:^|,)autovacuum_analyze_scale_factor=([^,]+)')::float8,
                    current_setting('autovacuum_analyze_scale_factor')::float8)
           * greatest(t.reltuples, 0) AS analyze_threshold
  FROM t
  LEFT JOIN idx ON idx.indrelid = t.oid
  LEFT JOIN toast ON toast.oid = t.reltoastrelid
  LEFT JOIN ncols ON ncols.attrelid = t.oid
  LEFT JOIN st ON st.schemaname = t.schema_name AND st.tablename = t.table_name
),
est AS (
  SELECT b.*,
         CASE WHEN b.relpages = 0 THEN 'estimate'
              WHEN b.reltuples < 0 THEN 'unknown: never analyzed'
              WHEN coalesce(b.ncols_with_stats, 0) < b.ncols AND NOT b.can_select
                THEN 'unknown: no SELECT privilege (pg_stats hides the statistics)'
              WHEN coalesce(b.ncols_with_stats, 0) < b.ncols THEN 'unknown: no statistics'
              WHEN b.mod_since_analyze > b.analyze_threshold THEN 'unknown: stale statistics'
              ELSE 'estimate' END AS bloat_basis,
         -- tuple = header (23 bytes + NULL bitmap, MAXALIGNed) + data (MAXALIGNed) + line pointer
         ceil((23 + CASE WHEN b.max_null_frac > 0 THEN ceil(b.ncols / 8.0) ELSE 0 END) / 8.0) * 8
           + ceil(coalesce(b.data_width, 0) / 8.0) * 8 + 4 AS tuple_bytes
  FROM base b
)
SELECT e.oid, e.schema_name, e.table_name,
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
       e.mod_since_analyze, e.fillfactor,
       CASE WHEN e.bloat_basis = 'estimate' THEN
         greatest(e.relpages - ceil(greatest(e.reltuples, 0)
                  / greatest(floor((e.bs - 24) * e.fillfactor / 100 / e.tuple_bytes), 1)), 0)::bigint
         * e.bs END AS bloat_bytes,
       e.bloat_basis,
       e.last_vacuum, e.last_autovacuum, e.last_analyze, e.last_autoanalyze,
       count(*) OVER () AS total_tables
FROM est e
ORDER BY e.relpages + e.index_pages + e.toast_pages DESC, e.schema_name, e.table_name
LIMIT %(limit)s
