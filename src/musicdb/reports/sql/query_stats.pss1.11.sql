-- analyze-queries: statement statistics without their texts (pg_stat_statements(false)), top N by
-- the chosen order; the texts of the rows shown are fetched afterwards (query_texts.sql).
-- {pss} is the extension's schema (from pg_extension), quoted as an identifier by the caller.
-- pg_stat_statements 1.11 on (PostgreSQL 17): blk_read_time became shared_blk_read_time, and
-- local blocks got their own timings.
WITH s AS (
  SELECT p.queryid, p.userid, p.dbid, p.calls, p.rows,
         p.total_exec_time AS total_ms, p.mean_exec_time AS mean_ms,
         p.shared_blk_read_time + p.shared_blk_write_time + p.local_blk_read_time
         + p.local_blk_write_time AS io_ms
  FROM {pss}.pg_stat_statements(false) p
  WHERE %(all_databases)s OR p.dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
)
SELECT s.queryid, s.userid, s.dbid, r.rolname AS user_name, s.calls, s.rows, s.total_ms, s.mean_ms,
       s.io_ms, s.total_ms / nullif(sum(s.total_ms) OVER (), 0) AS share,
       count(*) OVER () AS statements
FROM s
LEFT JOIN pg_roles r ON r.oid = s.userid
ORDER BY CASE %(order)s WHEN 'calls' THEN s.calls::float8
                        WHEN 'mean' THEN s.mean_ms
                        ELSE s.total_ms END DESC
LIMIT %(limit)s
