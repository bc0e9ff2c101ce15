-- replication-status on a primary: every standby of pg_stat_replication, its positions as bytes
-- behind the primary's current WAL position, and the lags the server measures.
SELECT application_name AS name, coalesce(host(client_addr), 'local socket') AS client, state,
       sync_state,
       pg_wal_lsn_diff(pg_current_wal_lsn(), sent_lsn) AS sent_lag_bytes,
       pg_wal_lsn_diff(pg_current_wal_lsn(), write_lsn) AS write_lag_bytes,
       pg_wal_lsn_diff(pg_current_wal_lsn(), flush_lsn) AS flush_lag_bytes,
       pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn) AS replay_lag_bytes,
       extract(epoch FROM write_lag) AS write_lag_s, extract(epoch FROM flush_lag) AS flush_lag_s,
       extract(epoch FROM replay_lag) AS replay_lag_s
FROM pg_stat_replication
ORDER BY application_name, pid
