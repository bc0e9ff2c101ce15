-- lock-info: sessions waiting for a lock (wait_event_type = 'Lock'), who blocks them
-- (pg_blocking_pids() is called for those waiting sessions only: it is not cheap), what they wait
-- for, and the sessions that block them. The tree is built by the caller.
WITH waiting AS (
  SELECT a.pid, pg_blocking_pids(a.pid) AS blocked_by
  FROM pg_stat_activity a
  WHERE a.wait_event_type = 'Lock' AND a.pid <> pg_backend_pid()
),
wanted AS (
  -- the lock each waiting session asked for and has not been granted
  SELECT DISTINCT ON (l.pid) l.pid, l.locktype, l.mode, l.relation, l.database, l.page, l.tuple,
         l.transactionid::text AS transactionid, l.virtualxid, l.classid, l.objid, l.objsubid,
         l.waitstart
  FROM pg_locks l
  WHERE NOT l.granted AND l.pid IN (SELECT pid FROM waiting)
  ORDER BY l.pid, l.waitstart NULLS LAST
),
involved AS (
  SELECT pid FROM waiting
  UNION
  SELECT unnest(blocked_by) FROM waiting
)
SELECT a.pid, w.blocked_by, a.usename::text AS user_name, a.application_name, a.state,
       a.wait_event_type, a.wait_event, a.query,
       extract(epoch FROM clock_timestamp() - coalesce(k.waitstart, a.state_change)) AS wait_seconds,
       extract(epoch FROM clock_timestamp() - a.xact_start) AS xact_seconds,
       k.locktype, k.mode, k.page, k.tuple, k.transactionid, k.virtualxid,
       k.classid, k.objid, k.objsubid,
       rn.nspname AS rel_schema, r.relname AS rel_name,
       (k.database IS NOT NULL AND k.database <> (SELECT oid FROM pg_database
                                                   WHERE datname = current_database()))
         AS other_database
FROM involved i
JOIN pg_stat_activity a ON a.pid = i.pid
LEFT JOIN waiting w ON w.pid = a.pid
LEFT JOIN wanted k ON k.pid = a.pid
-- a relation lock's relation; for a two-key advisory lock, the relation whose oid is the second
-- key (musicdb's per-view locks use it; the caller ignores it for anyone else's locks)
LEFT JOIN pg_class r ON r.oid = CASE WHEN k.locktype = 'advisory' AND k.objsubid = 2
                                     THEN k.objid ELSE k.relation END
LEFT JOIN pg_namespace rn ON rn.oid = r.relnamespace
ORDER BY a.pid
