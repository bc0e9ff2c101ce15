-- connection-stats, part 2: the longest running active query, the oldest open transaction and
-- every idle-in-transaction session, this session excluded. Without pg_read_all_stats (part of
-- pg_monitor) the query text of other users' sessions reads '<insufficient privilege>'.
WITH a AS (
  SELECT pid, usename::text AS user_name, application_name, state, query, backend_xid,
         xact_start, query_start, state_change, wait_event_type, wait_event,
         clock_timestamp() AS now
  FROM pg_stat_activity
  WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()
),
longest AS (
  SELECT 'longest query' AS kind, a.*, extract(epoch FROM now - query_start) AS seconds
  FROM a WHERE state = 'active' AND query_start IS NOT NULL
  ORDER BY query_start LIMIT 1
),
oldest AS (
  SELECT 'oldest transaction' AS kind, a.*, extract(epoch FROM now - xact_start) AS seconds
  FROM a WHERE xact_start IS NOT NULL
  ORDER BY xact_start LIMIT 1
),
idle AS (
  SELECT 'idle in transaction' AS kind, a.*, extract(epoch FROM now - state_change) AS seconds
  FROM a WHERE state IN ('idle in transaction', 'idle in transaction (aborted)')
)
SELECT kind, pid, user_name, application_name, state, seconds,
       extract(epoch FROM now - xact_start) AS xact_seconds, wait_event_type, wait_event, query
FROM (SELECT * FROM longest UNION ALL SELECT * FROM oldest UNION ALL
      (SELECT * FROM idle ORDER BY seconds DESC)) s
