-- connection-stats, part 1: client connections by state, by application and by user, against
-- max_connections (this session included: it uses a slot too).
WITH a AS (
  SELECT coalesce(state, 'unknown') AS state,
         coalesce(nullif(application_name, ''), '(none)') AS application,
         coalesce(usename::text, '(unknown)') AS user_name
  FROM pg_stat_activity
  WHERE backend_type = 'client backend'
)
SELECT 'state' AS grouping, state AS name, count(*) AS connections FROM a GROUP BY state
UNION ALL
SELECT 'application', application, count(*) FROM a GROUP BY application
UNION ALL
SELECT 'user', user_name, count(*) FROM a GROUP BY user_name
ORDER BY 1, 3 DESC, 2
